"""Comment text with its flagged spans wrapped in <mark>, every piece of text escaped on the way."""

from __future__ import annotations

import re
from typing import Any, Iterable
from urllib.parse import urlsplit

from markupsafe import Markup, escape

__all__ = ["highlight", "safe_url", "name_bidi_controls"]


# Bidi embedding, override and isolate controls: in a comment they only serve to make text read other
# than it is stored ("gnp.exe" shown as "exe.png"), so the reviewer sees them named instead of applied.
BIDI_CONTROLS = {"\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF", "\u202d": "LRO", "\u202e": "RLO",
                 "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI"}
_BIDI_RE = re.compile("[" + "".join(BIDI_CONTROLS) + "]")


def name_bidi_controls(value: str | None) -> Markup:
    """A short user string (author, article title) escaped, its bidi controls shown by name."""
    return _shown(value or "")


def _shown(segment: str) -> Markup:
    """`segment` escaped, each bidi control replaced by a visible marker naming it."""
    escaped = escape(segment)
    if not _BIDI_RE.search(segment):
        return escaped
    return Markup(_BIDI_RE.sub(lambda m: f'<span class="bidi-control" title="U+{ord(m.group()):04X}">'
                                         f'⟨{BIDI_CONTROLS[m.group()]}⟩</span>', str(escaped)))


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
    """Escaped `text` with `<mark>` around each span and bidi controls named; safe with autoescape on."""
    text = text or ""
    out = [Markup("")]
    position = 0
    for start, end, labels in _clean_spans(text, spans):
        out.append(_shown(text[position:start]))
        out.append(Markup('<mark class="span {classes}" title="{title}">{inner}</mark>').format(
            classes=" ".join(f"span-{label}" for label in labels.split()), title=labels,
            inner=_shown(text[start:end])))  # Markup.format escapes every argument but Markup
        position = end
    out.append(_shown(text[position:]))
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
