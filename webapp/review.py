"""Reviewer pages: login, the queue, one comment, decisions (single and bulk), author history, audit log."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from moderation.labels import LABELS

from . import metrics, security, webhook
from .api import decision_json
from .auth import current_reviewer, login, login_required, logout
from .highlight import highlight, name_bidi_controls, safe_url
from .store import repo
from .store.db import get_session
from .store.models import APPROVE, PENDING, REJECT, utcnow
from .validation import MAX_ROW_ID, small_int

__all__ = ["bp"]

bp = Blueprint("review", __name__, url_prefix="/review")

MAX_BULK = 500
SORTS = {"uncertain": "Most uncertain first", "oldest": "Oldest first"}


def now() -> datetime:
    """The clock, replaceable by tests to expire leases without sleeping."""
    return current_app.extensions.get("moderation.clock", utcnow)()


@bp.app_template_filter("highlight")
def _highlight_filter(comment):
    return highlight(comment.text, comment.spans)


@bp.app_template_filter("bidi_named")
def _bidi_named_filter(value):
    return name_bidi_controls(value)


@bp.app_template_global("safe_url")
def _safe_url(url):
    return safe_url(url)


@bp.app_context_processor
def _globals():
    return {"reviewer": current_reviewer(), "LABELS": LABELS, "REASONS": repo.REASONS, "SORTS": SORTS,
            "APPROVE": APPROVE, "REJECT": REJECT, "now": now}


@bp.after_request
def _no_store(response):
    """Queue pages show private, changing data: keep them out of shared and back-button caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _local_target(target: str | None, default: str) -> str:
    """Only same-site paths: never redirect to another host after login or a decision."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@bp.route("/login", methods=["GET", "POST"], endpoint="login")
def login_page():
    error = None
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        session = get_session()
        locked = security.lockout_remaining(session, name)
        if locked:  # even the right password is refused until the failures age out
            repo.audit(session, name[:120], "login-locked")
            error = f"Too many failed logins for this name; try again in {-(-locked // 60)} minute(s)."
            return render_template("review/login.html", error=error), 429
        reviewer = repo.authenticate(session, name, password) if name and password else None
        if reviewer is not None:
            login(reviewer)
            repo.audit(session, reviewer.name, "login")
            return redirect(_local_target(request.args.get("next"), url_for("review.queue")))
        repo.audit(session, name[:120] or "?", security.LOGIN_FAILED)
        error = "Unknown name or wrong password."
    return render_template("review/login.html", error=error), 401 if error else 200


@bp.post("/logout", endpoint="logout")
def logout_page():
    reviewer = current_reviewer()
    if reviewer is not None:
        repo.audit(get_session(), reviewer.name, "logout")
    logout()
    flash("You are logged out.")
    return redirect(url_for("review.login"))


def _filters() -> dict:
    label = request.args.get("label") or None
    if label is not None and label not in LABELS:
        label = None
    article = (request.args.get("article") or "").strip() or None
    sort = request.args.get("sort", "uncertain")
    if sort not in SORTS:
        sort = "uncertain"
    return {"label": label, "article_id": article, "sort": sort}


@bp.get("/")
@login_required
def queue():
    filters = _filters()
    page = small_int(request.args.get("page"), 100_000) or 1
    size = current_app.config["QUEUE_PAGE_SIZE"]
    comments, total = repo.queue(get_session(), limit=size, offset=(page - 1) * size, **filters)
    return render_template("review/queue.html", comments=comments, total=total, page=page,
                           pages=max(1, -(-total // size)), filters=filters)


@bp.get("/next")
@login_required
def next_item():
    filters = _filters()
    comment = repo.claim_next(get_session(), current_reviewer().id, now(),
                              current_app.config["CLAIM_LEASE_SECONDS"], **filters)
    args = {key: request.args[key] for key in ("label", "article", "sort") if request.args.get(key)}
    if comment is None:
        flash("Nothing left to claim with these filters.")
        return redirect(url_for("review.queue", **args))
    return redirect(url_for("review.item", comment_id=comment.id, back=url_for("review.queue", **args)))


@bp.get(f"/comments/<int(max={MAX_ROW_ID}):comment_id>")
@login_required
def item(comment_id: int):
    session = get_session()
    comment = repo.get_comment(session, comment_id)
    if comment is None:
        abort(404, "No such comment.")
    claim_error = None
    if comment.status == PENDING:
        try:
            comment = repo.claim(session, comment_id, current_reviewer().id, now(),
                                 current_app.config["CLAIM_LEASE_SECONDS"])
            repo.audit(session, current_reviewer().name, "claim", comment.external_id)
        except repo.ClaimRefused as refused:
            claim_error = str(refused)
            session.expire_all()
            comment = repo.get_comment(session, comment_id)
    return render_template("review/item.html", comment=comment, claim_error=claim_error,
                           back=_local_target(request.args.get("back"), url_for("review.queue")))


def _record(comment_ids: list[int], action: str, reason: str, note: str | None) -> tuple[list, list[str]]:
    session = get_session()
    reviewer = current_reviewer()
    done, refused = [], []
    for comment_id in comment_ids:
        try:
            decision = repo.decide(session, comment_id, reviewer.id, action, reason, note, now())
        except repo.DecisionRefused as exc:
            refused.append(f"#{comment_id}: {exc}")
            continue
        metrics.record_review(action, reason)
        done.append(decision_json(session.get(type(decision), decision.id)))
    webhook.notify(done)
    return done, refused


def _action_and_reason() -> tuple[str, str, str | None]:
    action = request.form.get("action", "")
    reason = request.form.get("reason") or ("ok" if action == APPROVE else "")
    note = request.form.get("note") or None
    return action, reason, note


@bp.post(f"/comments/<int(max={MAX_ROW_ID}):comment_id>/decide")
@login_required
def decide(comment_id: int):
    action, reason, note = _action_and_reason()
    done, refused = _record([comment_id], action, reason, note)
    target = _local_target(request.form.get("next"), url_for("review.queue"))
    if refused:
        flash(refused[0].split(": ", 1)[1], "error")
        return redirect(target), 303
    flash(f"Comment {done[0]['comment_id']} {done[0]['status']} ({reason}).")
    return redirect(target), 303


@bp.post(f"/comments/<int(max={MAX_ROW_ID}):comment_id>/release")
@login_required
def release(comment_id: int):
    repo.release(get_session(), comment_id, current_reviewer().id)
    return redirect(_local_target(request.form.get("next"), url_for("review.queue"))), 303


@bp.post("/bulk")
@login_required
def bulk():
    action, reason, note = _action_and_reason()
    ids = [i for i in (small_int(x) for x in request.form.getlist("ids")[:MAX_BULK]) if i is not None]
    target = _local_target(request.form.get("next"), url_for("review.queue"))
    if not ids:
        flash("Select at least one comment first.", "error")
        return redirect(target), 303
    try:
        repo.check_decision(action, reason, note)
    except repo.DecisionRefused as exc:  # say it once, not once per selected comment
        flash(str(exc), "error")
        return redirect(target), 303
    done, refused = _record(ids, action, reason, note)
    if done:
        flash(f"{len(done)} comment(s) {'approved' if action == APPROVE else 'rejected'}.")
    for message in refused:
        flash(message, "error")
    return redirect(target), 303


@bp.get("/authors/<path:author>")
@login_required
def author(author: str):
    comments = repo.author_history(get_session(), author)
    return render_template("review/author.html", author=author, comments=comments)


@bp.get("/audit")
@login_required
def audit():
    page = small_int(request.args.get("page"), 100_000) or 1
    entries = repo.audit_entries(get_session(), limit=100, offset=(page - 1) * 100,
                                 actor=request.args.get("actor") or None)
    return render_template("review/audit.html", entries=entries, page=page)
