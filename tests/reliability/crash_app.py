"""gunicorn target for the crash test: the real service with the keyword stand-in model (boots in a second)."""

from __future__ import annotations


def make():
    from service_support import KeywordModerator
    from webapp import create_app

    return create_app(moderator=KeywordModerator())
