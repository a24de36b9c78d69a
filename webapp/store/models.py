"""SQLAlchemy 2 models of the queue store: articles, comments, decisions, reviewers, keys, audit."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Base", "Article", "Comment", "CommentFlag", "Decision", "Reviewer", "ApiKey", "AuditLog",
    "PENDING", "APPROVED", "REJECTED", "STATUSES", "APPROVE", "REJECT", "utcnow",
]

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)
APPROVE, REJECT = "approve", "reject"


def utcnow() -> datetime:
    """Naive UTC now: both SQLite and PostgreSQL store it the same way."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Article(Base):
    """An article comments are posted under, keyed by the site's own id."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(256), primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Reviewer(Base):
    """A moderator who logs in to the queue pages."""

    __tablename__ = "reviewers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Comment(Base):
    """A scored comment held for a human, with the answer the API gave for it."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_status_uncertainty", "status", "uncertainty"),
        Index("ix_comments_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(256), unique=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(256), nullable=True, index=True)
    article_id: Mapped[str | None] = mapped_column(ForeignKey("articles.id"), nullable=True, index=True)
    article_title: Mapped[str] = mapped_column(Text, default="")  # as scored; the article may change later
    article_body: Mapped[str] = mapped_column(Text, default="")
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    flags: Mapped[list[str]] = mapped_column(JSON)
    spans: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    model_decision: Mapped[str] = mapped_column(String(16))
    model_version: Mapped[str] = mapped_column(String(64))
    uncertainty: Mapped[float] = mapped_column(Float, default=0.0)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"), nullable=True)
    claim_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    article: Mapped[Article | None] = relationship(lazy="joined")
    claimed_by: Mapped[Reviewer | None] = relationship(lazy="joined")
    flag_rows: Mapped[list["CommentFlag"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    decisions: Mapped[list["Decision"]] = relationship(
        back_populates="comment", order_by="Decision.id", lazy="selectin"
    )


class CommentFlag(Base):
    """One flagged label of a comment, so the queue can filter by label on any database."""

    __tablename__ = "comment_flags"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    label: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class Decision(Base):
    """A moderator's approve or reject of a comment, kept for the site and for retraining."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    comment: Mapped[Comment] = relationship(back_populates="decisions")
    reviewer: Mapped[Reviewer] = relationship(lazy="joined")


class ApiKey(Base):
    """An API key, stored as its SHA-256 (keys are random, so a slow hash adds nothing)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditLog(Base):
    """Who did what when: logins, claims, decisions, keys and reviewers created."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(256), nullable=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
