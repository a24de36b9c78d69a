"""Explicit request validation: every bad input becomes an ApiError with a message that says what to fix."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from .errors import ApiError

__all__ = ["json_body", "decode_json", "small_int", "MAX_ROW_ID", "require_object", "optional_str", "required_str", "optional_bool", "optional_object"]

_MISSING = object()

MAX_ROW_ID = 2**31 - 1  # integer primary keys are 32-bit on PostgreSQL


def small_int(value: str | None, maximum: int = MAX_ROW_ID) -> int | None:
    """`value` as a non-negative int no larger than `maximum`, or None (never a 500 on huge digit strings)."""
    # ASCII only: "²".isdigit() is True but int("²") raises, and int("٣") quietly reads 3.
    if value is None or not value.isascii() or not value.isdigit() or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


def json_body() -> Any:
    """The request's JSON document; 415 for another content type, 400 when it does not parse."""
    req = request._get_current_object()  # one proxy lookup, not one per attribute
    if not req.mimetype or req.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type",
                       f"Send the body as JSON with 'Content-Type: application/json' (got {req.mimetype or 'none'!r}).")
    raw = req.get_data(cache=False)
    limit = req.max_content_length
    if limit is not None and req.content_length is None and len(raw) >= limit:
        # A chunked body has no declared length: Werkzeug stops reading at the limit and hands over a
        # truncated body; say so instead of calling it bad JSON.
        raise ApiError(413, "payload_too_large", f"The body is larger than the limit of {limit} bytes.")
    return decode_json(raw)


def decode_json(raw: bytes) -> Any:
    """A request body as JSON (as json.loads(bytes), refusing NaN and duplicate keys); 400 when it does not parse."""
    if not raw.strip():
        raise ApiError(400, "invalid_json", "The request body is empty; send a JSON object.")
    try:
        return _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, "invalid_json", f"The body is not valid JSON: {exc}") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    """Parsers disagree on which of two equal keys wins ({"text": "ok", "text": "abuse"}): refuse both."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"duplicate key {duplicate!r}")
    return obj


# One decoder for every request: json.loads with arguments builds a new one per call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, object_pairs_hook=_refuse_duplicate_keys)


def require_object(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_type", f"{where} must be a JSON object, not {_type_name(value)}.")
    return value


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def required_str(obj: dict, key: str, where: str, max_chars: int, allow_blank: bool = False) -> str:
    value = obj.get(key, _MISSING)
    if value is _MISSING or value is None:
        raise ApiError(400, "missing_field", f"{where}.{key} is required.")
    return _check_str(value, key, where, max_chars, allow_blank)


def optional_str(obj: dict, key: str, where: str, max_chars: int, default: str | None = None) -> str | None:
    value = obj.get(key)
    if value is None:
        return default
    return _check_str(value, key, where, max_chars, allow_blank=True)


def _check_str(value: Any, key: str, where: str, max_chars: int, allow_blank: bool) -> str:
    if not isinstance(value, str):
        raise ApiError(400, "invalid_type", f"{where}.{key} must be a string, not {_type_name(value)}.")
    if "\x00" in value:  # PostgreSQL text cannot hold it; refuse on every backend alike
        raise ApiError(400, "invalid_value", f"{where}.{key} contains a NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, "invalid_value", f"{where}.{key} contains a lone surrogate (invalid Unicode).") from None
    if not allow_blank and not value.strip():
        code = "empty_text" if key == "text" else "invalid_value"
        raise ApiError(400, code, f"{where}.{key} must not be empty.")
    if len(value) > max_chars:
        code = "text_too_long" if key == "text" else "value_too_long"
        raise ApiError(400, code, f"{where}.{key} has {len(value)} characters; the limit is {max_chars}.")
    return value


def optional_bool(obj: dict, key: str, where: str, default: bool) -> bool:
    value = obj.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ApiError(400, "invalid_type", f"{where}.{key} must be true or false, not {_type_name(value)}.")
    return value


def optional_object(obj: dict, key: str, where: str) -> dict | None:
    value = obj.get(key)
    if value is None:
        return None
    return require_object(value, f"{where}.{key}")
