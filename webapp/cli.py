"""Commands: `flask --app service create-api-key NAME | create-reviewer NAME | export-decisions | db-upgrade`."""

from __future__ import annotations

import json
import secrets

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from .store import repo
from .store.db import make_session, upgrade

__all__ = ["init_app", "export_rows"]


def _check_name(name: str) -> None:
    if not name.strip() or len(name) > 80 or "\x00" in name:
        raise click.ClickException("the name must be 1 to 80 characters")


@click.command("create-api-key")
@with_appcontext
@click.argument("name")
def create_api_key(name: str) -> None:
    """Create an API key called NAME and print it (only its hash is stored)."""
    _check_name(name)
    with make_session(current_app) as session:
        try:
            key = repo.create_api_key(session, name)
        except IntegrityError:
            raise click.ClickException(f"an API key called {name!r} exists already; pick another name") from None
    click.echo(key)


@click.command("create-reviewer")
@with_appcontext
@click.argument("name")
@click.option("--password", help="the password; prompted for when absent")
@click.option("--generate", is_flag=True, help="generate a password and print it")
@click.option("--reset", is_flag=True, help="set a new password for an existing reviewer")
def create_reviewer(name: str, password: str | None, generate: bool, reset: bool) -> None:
    """Create reviewer NAME (or --reset their password) for the queue pages."""
    _check_name(name)
    if generate:
        password = secrets.token_urlsafe(12)
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    from werkzeug.security import generate_password_hash

    from .store.models import Reviewer

    with make_session(current_app) as session:
        if reset:
            reviewer = session.query(Reviewer).filter_by(name=name).one_or_none()
            if reviewer is None:
                raise click.ClickException(f"no reviewer called {name!r}")
            reviewer.password_hash = generate_password_hash(password)
            repo.audit(session, "cli", "reset-password", name)
        else:
            try:
                repo.create_reviewer(session, name, password)
            except IntegrityError:
                raise click.ClickException(f"reviewer {name!r} exists already; use --reset to change the password") from None
    click.echo(f"reviewer {name!r} {'updated' if reset else 'created'}")
    if generate:
        click.echo(f"password: {password}")


def export_rows(session):
    """Each decision as a training example: text, article, labels from the reason. Skips the uninformative."""
    for decision in repo.all_decisions(session):
        labels = repo.training_labels(decision.action, decision.reason)
        if labels is None:
            continue
        comment = decision.comment
        article = ({"title": comment.article_title, "body": comment.article_body}
                   if comment.article_title or comment.article_body else None)
        yield {
            "id": comment.external_id,
            "text": comment.text,
            "article": article,
            "labels": labels,
            "decided_at": decision.decided_at.isoformat() + "Z",
            "reason": decision.reason,
            "action": decision.action,
        }


@click.command("export-decisions")
@with_appcontext
@click.option("--out", "out", type=click.File("w", encoding="utf-8"), default="-", show_default=True,
              help="JSON lines file to write")
def export_decisions(out) -> None:
    """Write every moderator decision as a JSON line in the training input format."""
    count = 0
    with make_session(current_app) as session:
        for row in export_rows(session):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    click.echo(f"exported {count} decisions", err=True)


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply the database migrations (also done on every start)."""
    upgrade(current_app.extensions["moderation.engine"])
    click.echo("database is at the latest revision")


def init_app(app: Flask) -> None:
    for command in (create_api_key, create_reviewer, export_decisions, db_upgrade):
        app.cli.add_command(command)
