"""Entry point of the moderation service: `flask --app service run` or `gunicorn 'service:create_app()'`."""

from webapp import create_app

__all__ = ["create_app"]
