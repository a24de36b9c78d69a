"""Comment text with its flagged spans wrapped in <mark>, every piece of text escaped on the way."""

from __future__ import annotations

from typing import Any, Iterable
from urllib.parse import urlsplit

from markupsafe import Markup, escape

__all__ = ["highlight", "safe_url"]


def _clean_spans(text: str, spans: Iterable[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """Spans inside the text, sorted, overlaps merged (labels joined), bad entries dropped."""
    cleaned = []
    for span in spans or ():
        try:
            start, end, label = int(span["start"]), int(span["end"]), str(span.get("label", ""))
        except (KeyError, TypeError, ValueError):
            continue
        start, end = max(0, start), min(len(text), end)
        if start < end:
            cleaned.append((start, end, label))
    cleaned.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, label in cleaned:
        if merged and start < merged[-1][1]:
            last_start, last_end, last_label = merged[-1]
            labels = last_label if label in last_label.split(" ") else f"{last_label} {label}"
            merged[-1] = (last_start, max(last_end, end), labels)
        else:
            merged.append((start, end, label))
    return merged


def highlight(text: str, spans: Iterable[dict[str, Any]]) -> Markup:
    """Escaped `text` with `<mark>` around each span; safe to render with autoescape on."""
    text = text or ""
    out = [Markup("")]
    position = 0
    for start, end, labels in _clean_spans(text, spans):
        out.append(escape(text[position:start]))
        out.append(Markup('<mark class="span {classes}" title="{title}">{inner}</mark>').format(
            classes=" ".join(f"span-{label}" for label in labels.split()), title=labels,
            inner=text[start:end]))  # Markup.format escapes every argument
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None: a `javascript:` link would run script on click."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None
