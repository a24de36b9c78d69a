"""The one place the service calls the scoring library, with the configured failure mode."""

from __future__ import annotations

import logging
from typing import Any, Sequence

from moderation.labels import DECISIONS

__all__ = ["load_moderator", "load_or_stand_in", "UnloadedModel", "score_items", "degraded_result"]

log = logging.getLogger(__name__)

PUBLISH, REVIEW, REJECT = DECISIONS


def load_moderator(model_path: str | None, thresholds: dict | None):
    """Load the model once for the app (the shipped default unless a path is configured)."""
    from moderation import Moderator

    kwargs = {"thresholds": thresholds} if thresholds else {}
    if model_path:
        return Moderator.load(model_path, **kwargs)
    return Moderator.load(**kwargs)


class UnloadedModel:
    """Stands in when the model cannot be loaded: every score fails, so FAIL_MODE decides each answer."""

    model_version = "unavailable"
    loaded = False

    def __init__(self, reason: str):
        self.reason = reason

    def score(self, text, article=None):
        raise RuntimeError(f"no model loaded: {self.reason}")

    def score_many(self, items):
        raise RuntimeError(f"no model loaded: {self.reason}")


def load_or_stand_in(model_path: str | None, thresholds: dict | None):
    """The model, or an UnloadedModel when it cannot be loaded (logged): the service still answers, degraded."""
    try:
        return load_moderator(model_path, thresholds)
    except Exception as exc:  # a missing, corrupt or mismatched model file must not take the service down
        log.exception("the model could not be loaded from %s; every answer is degraded", model_path or "the default")
        return UnloadedModel(f"{type(exc).__name__}: {exc}")


def degraded_result(moderator, fail_mode: str) -> dict[str, Any]:
    """The answer when the model cannot score: hold for a human (closed) or let it through (open)."""
    return {
        "scores": {},
        "flags": [],
        "decision": REVIEW if fail_mode == "closed" else PUBLISH,
        "spans": [],
        "model_version": str(getattr(moderator, "model_version", "unknown")),
        "degraded": True,
    }


def score_items(moderator, items: Sequence[tuple[str, Any]], fail_mode: str) -> list[dict[str, Any]]:
    """Score (text, Article|None) pairs as one batch; a failing batch falls back item by item."""
    if not items:
        return []
    try:
        if len(items) == 1:
            text, article = items[0]
            return [moderator.score(text, article=article).to_dict()]
        return [result.to_dict() for result in moderator.score_many(list(items))]
    except Exception:
        log.exception("scoring a batch of %d failed", len(items))
        if len(items) == 1:
            return [degraded_result(moderator, fail_mode)]
    results = []
    for text, article in items:
        try:
            results.append(moderator.score(text, article=article).to_dict())
        except Exception:
            log.exception("scoring one comment failed")
            results.append(degraded_result(moderator, fail_mode))
    return results


def make_article(title: str, body: str):
    """The library's Article for a comment's context."""
    from moderation import Article

    return Article(title=title, body=body)
