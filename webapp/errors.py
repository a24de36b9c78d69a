"""One shape for every error: JSON `{"error": code, "message": ...}` for API clients, a page for people."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

__all__ = ["ApiError", "error_response", "register_error_handlers", "wants_json"]

# Codes for the HTTP errors Flask raises by itself (routing, body size, content type).
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
}

_API_PREFIXES = ("/v1/", "/v1alpha1/", "/healthz", "/metrics", "/openapi.json")


class ApiError(Exception):
    """An API error with its status, machine-readable code and a message that says what to fix."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str):
    """The JSON error body every API client gets."""
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


def wants_json() -> bool:
    """API paths and clients that do not prefer HTML get JSON; browsers get a page."""
    if request.path.startswith(_API_PREFIXES):
        return True
    accept = request.accept_mimetypes
    return accept["application/json"] >= accept["text/html"]


def _perspective_error(status: int, message: str):
    """Perspective (Google API) error shape, so its clients can parse our errors."""
    google_status = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                     404: "NOT_FOUND", 405: "INVALID_ARGUMENT", 413: "INVALID_ARGUMENT",
                     415: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED",
                     503: "UNAVAILABLE"}.get(status, "INTERNAL")
    response = jsonify(error={"code": status, "message": message, "status": google_status})
    response.status_code = status
    return response


def _respond(status: int, code: str, message: str):
    if request.path.startswith("/v1alpha1/"):
        return _perspective_error(status, message)
    if wants_json():
        return error_response(status, code, message)
    return render_template("error.html", status=status, code=code, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Route every HTTP error and ApiError through `_respond`."""

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        return _respond(error.status, error.code, error.message)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        return _respond(400, "csrf_failed", f"The form was refused ({error.description}); reload the page and try again.")

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        status = error.code or 500
        code = _HTTP_CODES.get(status, "error" if status < 500 else "internal_error")
        response = _respond(status, code, error.description or error.name)
        if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response = app.make_response(response)
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    def handle_database_down(error: OperationalError):
        # Unreachable or locked database: the client may retry; not the client's fault, not a bug of ours.
        app.logger.error("database unavailable on %s %s: %s", request.method, request.path, error)
        response = _respond(503, "unavailable", "The database is unavailable; retry shortly.")
        response = app.make_response(response)
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        if isinstance(error, HTTPException):  # pragma: no cover - handled above
            return handle_http_exception(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, "internal_error", "The server failed; the error was logged.")
