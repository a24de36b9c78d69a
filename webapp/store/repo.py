"""Repository functions of the queue store; each takes the session first and says what it changes."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Sequence

from sqlalchemy import and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from moderation.labels import LABELS, OFF_TOPIC, PROFANITY, SARCASM

from .direct import DirectConnection
from .models import (
    APPROVE, APPROVED, PENDING, REJECT, REJECTED, ApiKey, Article, AuditLog, Comment, CommentFlag,
    Decision, Reviewer, utcnow,
)

__all__ = [
    "REASONS", "ReasonSpec", "Stored", "ClaimRefused", "DecisionRefused",
    "get_article", "article_text", "stored_answers", "put_article", "find_comment", "enqueue", "claim", "claim_next", "release",
    "check_decision", "decide", "queue", "queue_depth", "author_history", "audit", "audit_entries", "decisions_since",
    "create_api_key", "find_api_key", "find_api_key_by_hash", "create_reviewer", "authenticate", "get_reviewer",
    "reviewer_count", "api_key_count", "hash_api_key", "uncertainty", "training_labels",
]


@dataclass(frozen=True)
class ReasonSpec:
    """What a reviewer's reason means: which actions may use it and the labels it teaches."""

    title: str
    actions: tuple[str, ...]
    positive: tuple[str, ...]
    needs_note: bool = False


# The reasons a reviewer picks; `positive` is what export-decisions turns into labels.
REASONS: dict[str, ReasonSpec] = {
    "ok": ReasonSpec("Nothing wrong", (APPROVE,), ()),
    "sarcasm_fine": ReasonSpec("Sarcasm, and that is fine", (APPROVE,), (SARCASM,)),
    "profanity": ReasonSpec("Profanity or abuse", (REJECT,), (PROFANITY,)),
    "sarcasm_not_fine": ReasonSpec("Sarcasm, not fine here", (REJECT,), (SARCASM,)),
    "off_topic": ReasonSpec("Off-topic", (REJECT,), (OFF_TOPIC,)),
    "spam": ReasonSpec("Spam or advertising", (REJECT,), (OFF_TOPIC,)),
    "other": ReasonSpec("Other (note required)", (APPROVE, REJECT), (), needs_note=True),
}


class ClaimRefused(Exception):
    """The comment is claimed by another reviewer whose lease has not expired, or is already decided."""


class DecisionRefused(Exception):
    """A decision cannot be recorded; the message says why."""


def uncertainty(scores: dict[str, float]) -> float:
    """1 when some label sits at 0.5, 0 when every label is at 0 or 1: the queue's 'most uncertain'."""
    values = [float(v) for v in scores.values()]
    if not values:
        return 1.0
    return max(1.0 - abs(2.0 * v - 1.0) for v in values)


# --- articles -------------------------------------------------------------------------------------

def get_article(session: Session, article_id: str) -> Article | None:
    return session.get(Article, article_id)


@functools.cache
def _statements():
    """The scoring path's statements, built once; `DirectConnection` compiles each once per engine."""
    return {
        "article": select(Article.title, Article.body).where(Article.id == bindparam("article_id")),
        "stored": select(Comment.id, Comment.external_id, Comment.scores, Comment.response).where(
            Comment.external_id == bindparam("eid")),
        "insert_comment": insert(Comment).returning(Comment.id),
        "insert_flag": insert(CommentFlag),
        "insert_article": insert(Article),
    }


# `IN (:v0, ..., :v{count-1})` has one shape per count, so each compiles once (batches only).
@functools.lru_cache(maxsize=128)
def _stored_many(count: int):
    return select(Comment.id, Comment.external_id, Comment.scores, Comment.response).where(
        Comment.external_id.in_([bindparam(f"v{i}") for i in range(count)]))


@functools.lru_cache(maxsize=128)
def _known_articles(count: int):
    return select(Article.id).where(Article.id.in_([bindparam(f"v{i}") for i in range(count)]))


_COMMENT_KEYS = ("external_id", "text", "author", "article_id", "article_title", "article_body", "scores", "flags",
                 "spans", "model_decision", "model_version", "uncertainty", "response", "status", "created_at")
_FLAG_KEYS = ("comment_id", "label")
_ARTICLE_KEYS = ("id", "title", "body", "url", "updated_at")


def article_text(connection: DirectConnection, article_id: str) -> tuple[str, str] | None:
    """(title, body) of a stored article, or None."""
    rows = connection.rows(_statements()["article"], {"article_id": article_id})
    return (rows[0][0], rows[0][1]) if rows else None


def put_article(session: Session, article_id: str, title: str, body: str, url: str | None) -> tuple[Article, bool]:
    """Create or replace an article; returns it and whether it was created. Commits."""
    article = session.get(Article, article_id)
    created = article is None
    if created:
        article = Article(id=article_id)
        session.add(article)
    article.title, article.body, article.url, article.updated_at = title, body, url, utcnow()
    try:
        session.commit()
    except IntegrityError:  # created concurrently: replace that one
        session.rollback()
        return put_article(session, article_id, title, body, url)
    return article, created


# --- comments -------------------------------------------------------------------------------------

def find_comment(session: Session, external_id: str) -> Comment | None:
    return session.scalars(select(Comment).where(Comment.external_id == external_id)).one_or_none()


def stored_answers(connection: DirectConnection, external_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The answers already given for these comment ids (only queued comments are stored)."""
    return {eid: stored.response for eid, stored in _stored(connection, external_ids).items()}


def _stored(connection: DirectConnection, external_ids: Iterable[str]) -> dict[str, Stored]:
    ids = list(dict.fromkeys(external_ids))
    if not ids:
        return {}
    if len(ids) == 1:
        rows = connection.rows(_statements()["stored"], {"eid": ids[0]})
    else:
        rows = connection.rows(_stored_many(len(ids)), {f"v{i}": eid for i, eid in enumerate(ids)})
    return {row[1]: Stored(*row) for row in rows}


@dataclass(frozen=True)
class Stored:
    """A queued comment as `enqueue` reports it: its row id and the answer given for it."""

    id: int
    external_id: str
    scores: dict[str, Any]
    response: dict[str, Any]


def enqueue(connection: DirectConnection, items: Sequence[dict[str, Any]],
            now: datetime | None = None) -> dict[str, Stored]:
    """Store comments for review in one short transaction and commit before returning (durability).

    Each item has external_id, text, author, article_id (or None), article_title, article_body,
    article_inline (True when title/body came with the comment: the article is stored if new),
    result (the library's to_dict()) and response. Ids already stored are left as they are and the
    stored rows returned, so a retry or a concurrent duplicate gets the first answer.
    """
    now = now or utcnow()
    new = list({item["external_id"]: item for item in items}.values())
    articles: dict[str, dict[str, Any]] = {}
    for item in new:
        article_id = item.get("article_id")
        if article_id and item.get("article_inline") and article_id not in articles:
            articles[article_id] = {"id": article_id, "title": item.get("article_title", ""),
                                    "body": item.get("article_body", ""), "url": None, "updated_at": now}
    if articles:  # read before the write transaction so the write lock is held briefly
        known = {row[0] for row in connection.rows(_known_articles(len(articles)),
                                                   {f"v{i}": key for i, key in enumerate(articles)})}
        articles = {key: value for key, value in articles.items() if key not in known}
    rows = []
    for item in new:
        result = item["result"]
        rows.append({
            "external_id": item["external_id"], "text": item["text"], "author": item.get("author"),
            "article_id": item.get("article_id"), "article_title": item.get("article_title", ""),
            "article_body": item.get("article_body", ""), "scores": result["scores"],
            "flags": list(result["flags"]), "spans": list(result["spans"]), "model_decision": result["decision"],
            "model_version": str(result["model_version"]), "uncertainty": uncertainty(result["scores"]),
            "response": item["response"], "status": PENDING, "created_at": now,
        })
    statements = _statements()
    # Callers looked the ids up already (`stored_answers`), so insert straight away; an id stored
    # meanwhile by a concurrent request surfaces as an IntegrityError below.
    try:
        with connection.write_lock():  # the write transaction, from first insert to commit (fsync)
            try:
                for article in articles.values():
                    connection.execute(statements["insert_article"], article, _ARTICLE_KEYS)
                ids = {}
                for row in rows:  # one statement per row keeps RETURNING portable across SQLite and PostgreSQL
                    ids[row["external_id"]] = connection.rows(statements["insert_comment"], row, _COMMENT_KEYS)[0][0]
                for row in rows:
                    for label in dict.fromkeys(row["flags"]):
                        connection.execute(statements["insert_flag"],
                                           {"comment_id": ids[row["external_id"]], "label": label}, _FLAG_KEYS)
                connection.commit()
            except BaseException:
                with contextlib.suppress(Exception):  # a dead connection cannot roll back; the pool discards it
                    connection.rollback()  # SQLite's own write lock goes before ours
                raise
    except IntegrityError:
        # Some id was stored first by another request (or an earlier call): keep those rows, store the rest.
        existing = _stored(connection, [item["external_id"] for item in items])
        missing = [item for item in new if item["external_id"] not in existing]
        if len(missing) == len(new):
            raise  # not a duplicate id: a real integrity problem
        if missing:
            existing.update(enqueue(connection, missing, now))
        return existing
    return {row["external_id"]: Stored(ids[row["external_id"]], row["external_id"], row["scores"], row["response"])
            for row in rows}


def _claimable(reviewer_id: int, now: datetime):
    return and_(
        Comment.status == PENDING,
        or_(Comment.claimed_by_id.is_(None), Comment.claimed_by_id == reviewer_id, Comment.claim_expires_at < now),
    )


def _lease_update(session: Session, comment_id: int, reviewer_id: int, now: datetime, lease: int) -> bool:
    # The WHERE re-checks the claim, so the update is atomic even where FOR UPDATE is a no-op (SQLite).
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment_id, _claimable(reviewer_id, now))
        .values(claimed_by_id=reviewer_id, claim_expires_at=now + timedelta(seconds=lease))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def claim(session: Session, comment_id: int, reviewer_id: int, now: datetime | None = None,
          lease_seconds: int = 300) -> Comment:
    """Claim one comment for `lease_seconds` (or renew our own lease). Commits.

    Raises ClaimRefused when another reviewer holds an unexpired lease or the comment is decided.
    """
    now = now or utcnow()
    query = select(Comment.id).where(Comment.id == comment_id, _claimable(reviewer_id, now))
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    candidate = session.execute(query).scalar_one_or_none()
    if candidate is None or not _lease_update(session, comment_id, reviewer_id, now, lease_seconds):
        session.rollback()
        comment = session.get(Comment, comment_id)
        raise ClaimRefused(_claim_message(comment, now))
    session.commit()
    comment = session.get(Comment, comment_id)
    session.refresh(comment)
    return comment


def claim_next(session: Session, reviewer_id: int, now: datetime | None = None, lease_seconds: int = 300,
               label: str | None = None, article_id: str | None = None, sort: str = "uncertain") -> Comment | None:
    """Claim the next pending comment nobody holds (ours included), in queue order; None when none. Commits.

    On PostgreSQL rows locked by a concurrent claimer are skipped (FOR UPDATE SKIP LOCKED), so two
    reviewers asking at once get different comments instead of waiting on each other.
    """
    now = now or utcnow()
    for _attempt in range(5):
        free = and_(Comment.status == PENDING, or_(Comment.claimed_by_id.is_(None), Comment.claim_expires_at < now))
        query = _queue_filter(select(Comment.id).where(free), label, article_id)
        query = query.order_by(*_queue_order(sort)).limit(1)
        if _is_postgres(session):
            query = query.with_for_update(skip_locked=True, of=Comment)
        candidate = session.execute(query).scalar_one_or_none()
        if candidate is None:
            session.rollback()
            return None
        if _lease_update(session, candidate, reviewer_id, now, lease_seconds):
            session.commit()
            comment = session.get(Comment, candidate)
            session.refresh(comment)
            return comment
        session.rollback()  # lost a race on SQLite: look again
    return None


def release(session: Session, comment_id: int, reviewer_id: int) -> None:
    """Give up our own claim. Commits."""
    session.execute(
        update(Comment).where(Comment.id == comment_id, Comment.claimed_by_id == reviewer_id)
        .values(claimed_by_id=None, claim_expires_at=None).execution_options(synchronize_session=False)
    )
    session.commit()


def _claim_message(comment: Comment | None, now: datetime) -> str:
    if comment is None:
        return "This comment does not exist."
    if comment.status != PENDING:
        return f"This comment was already {comment.status}."
    if comment.claimed_by is not None and comment.claim_expires_at and comment.claim_expires_at >= now:
        until = comment.claim_expires_at.strftime("%H:%M:%S UTC")
        return f"This comment is claimed by {comment.claimed_by.name} until {until}; pick another one."
    return "This comment cannot be claimed right now."


def check_decision(action: str, reason: str, note: str | None) -> str | None:
    """Refuse an unknown action, a reason that does not fit it, or 'other' without a note; returns the note."""
    if action not in (APPROVE, REJECT):
        raise DecisionRefused(f"Unknown action {action!r}: use approve or reject.")
    spec = REASONS.get(reason)
    if spec is None or action not in spec.actions:
        allowed = ", ".join(name for name, s in REASONS.items() if action in s.actions)
        raise DecisionRefused(f"Reason {reason!r} does not fit {action}; pick one of: {allowed}.")
    note = (note or "").strip()[:2000] or None
    if spec.needs_note and not note:
        raise DecisionRefused("The reason 'other' needs a note saying what is wrong.")
    return note


def decide(session: Session, comment_id: int, reviewer_id: int, action: str, reason: str,
           note: str | None = None, now: datetime | None = None) -> Decision:
    """Record an approve/reject on a pending comment not claimed by someone else. Commits.

    Raises DecisionRefused with a message for the reviewer otherwise.
    """
    now = now or utcnow()
    note = check_decision(action, reason, note)
    # Atomically move the comment out of `pending` only if nobody else holds it.
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment_id, _claimable(reviewer_id, now))
        .values(status=APPROVED if action == APPROVE else REJECTED, claimed_by_id=None, claim_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise DecisionRefused(_claim_message(session.get(Comment, comment_id), now))
    decision = Decision(comment_id=comment_id, reviewer_id=reviewer_id, action=action, reason=reason,
                        note=note, decided_at=now)
    session.add(decision)
    reviewer = session.get(Reviewer, reviewer_id)
    comment = session.get(Comment, comment_id)
    session.add(AuditLog(at=now, actor=reviewer.name if reviewer else str(reviewer_id), action=action,
                         target=comment.external_id if comment else str(comment_id),
                         detail={"reason": reason, "note": note}))
    session.commit()
    session.expire_all()
    return decision


def _queue_filter(query, label: str | None, article_id: str | None):
    if label:
        query = query.where(exists().where(CommentFlag.comment_id == Comment.id, CommentFlag.label == label))
    if article_id:
        query = query.where(Comment.article_id == article_id)
    return query


def _queue_order(sort: str):
    if sort == "oldest":
        return (Comment.created_at.asc(), Comment.id.asc())
    return (Comment.uncertainty.desc(), Comment.created_at.asc(), Comment.id.asc())


def queue(session: Session, label: str | None = None, article_id: str | None = None, sort: str = "uncertain",
          limit: int = 50, offset: int = 0) -> tuple[list[Comment], int]:
    """Pending comments in queue order and their total count."""
    base = _queue_filter(select(Comment).where(Comment.status == PENDING), label, article_id)
    total = session.scalar(_queue_filter(select(func.count(Comment.id)).where(Comment.status == PENDING),
                                         label, article_id))
    rows = session.scalars(base.order_by(*_queue_order(sort)).limit(limit).offset(offset)).unique().all()
    return list(rows), int(total or 0)


def queue_depth(session: Session) -> int:
    return int(session.scalar(select(func.count(Comment.id)).where(Comment.status == PENDING)) or 0)


def author_history(session: Session, author: str, limit: int = 200) -> list[Comment]:
    """An author's stored comments, newest first, with their decisions."""
    query = select(Comment).where(Comment.author == author).order_by(Comment.created_at.desc(), Comment.id.desc())
    return list(session.scalars(query.limit(limit)).unique().all())


def get_comment(session: Session, comment_id: int) -> Comment | None:
    return session.get(Comment, comment_id)


def decisions_since(session: Session, after_id: int = 0, after_time: datetime | None = None,
                    limit: int = 500) -> list[Decision]:
    """Decisions in the order they were made, after a decision id or a time."""
    query = select(Decision).join(Decision.comment).where(Decision.id > after_id)
    if after_time is not None:
        query = query.where(Decision.decided_at > after_time)
    return list(session.scalars(query.order_by(Decision.id).limit(limit)).unique().all())


def all_decisions(session: Session) -> Iterable[Decision]:
    """Every decision, oldest first, streamed."""
    return session.scalars(select(Decision).order_by(Decision.id).execution_options(yield_per=500))


def training_labels(action: str, reason: str) -> dict[str, int] | None:
    """The training labels a decision teaches (a subset of LABELS), or None when it teaches nothing.

    An approval says every label is acceptable: the reason's positive labels are 1 and the others 0.
    A rejection says only that its reason's labels are present; the others stay unknown.
    """
    spec = REASONS.get(reason)
    if spec is None:
        return None
    if action == APPROVE:
        return {label: int(label in spec.positive) for label in LABELS}
    labels = {label: 1 for label in spec.positive}
    return labels or None


# --- audit ----------------------------------------------------------------------------------------

def audit(session: Session, actor: str, action: str, target: str | None = None,
          detail: dict[str, Any] | None = None, commit: bool = True) -> None:
    session.add(AuditLog(actor=actor, action=action, target=target, detail=detail))
    if commit:
        session.commit()


def audit_entries(session: Session, limit: int = 100, offset: int = 0, actor: str | None = None) -> list[AuditLog]:
    query = select(AuditLog)
    if actor:
        query = query.where(AuditLog.actor == actor)
    return list(session.scalars(query.order_by(AuditLog.id.desc()).limit(limit).offset(offset)))


# --- API keys and reviewers -----------------------------------------------------------------------

def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(session: Session, name: str) -> str:
    """Store a new key under `name` and return it in clear, once. Commits."""
    key = "mk_" + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, prefix=key[:8], key_hash=hash_api_key(key)))
    session.add(AuditLog(actor="cli", action="create-api-key", target=name))
    session.commit()
    return key


def find_api_key(session: Session, key: str) -> ApiKey | None:
    """The unrevoked key with this value, if any."""
    return find_api_key_by_hash(session, hash_api_key(key))


def find_api_key_by_hash(session: Session, key_hash: str) -> ApiKey | None:
    """The unrevoked key whose `hash_api_key` is `key_hash`, if any."""
    row = session.scalars(select(ApiKey).where(ApiKey.key_hash == key_hash)).one_or_none()
    return row if row is not None and row.revoked_at is None else None


def api_key_count(session: Session) -> int:
    return int(session.scalar(select(func.count(ApiKey.id)).where(ApiKey.revoked_at.is_(None))) or 0)


def create_reviewer(session: Session, name: str, password: str) -> Reviewer:
    """Store a reviewer with a salted password hash. Commits; IntegrityError if the name exists."""
    reviewer = Reviewer(name=name, password_hash=generate_password_hash(password))
    session.add(reviewer)
    session.add(AuditLog(actor="cli", action="create-reviewer", target=name))
    session.commit()
    return reviewer


def authenticate(session: Session, name: str, password: str) -> Reviewer | None:
    reviewer = session.scalars(select(Reviewer).where(Reviewer.name == name)).one_or_none()
    if reviewer is None or not reviewer.active:
        check_password_hash(_dummy_hash(), password)  # same cost whether or not the name exists
        return None
    return reviewer if check_password_hash(reviewer.password_hash, password) else None


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def get_reviewer(session: Session, reviewer_id: int) -> Reviewer | None:
    return session.get(Reviewer, reviewer_id)


def reviewer_count(session: Session) -> int:
    return int(session.scalar(select(func.count(Reviewer.id))) or 0)
