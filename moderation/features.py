"""Pure, module-level feature functions (they are pickled by name inside the model).

Renaming or moving any function here changes the saved model format: retrain and bump
`MODEL_FORMAT` in `moderation.model_file` when you do.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple, Sequence

from .markers import MARKER_KINDS, Marker, find_markers
from .normalize import Normalized, Token, folded_text, normalize, tokens
from .profanity import Hit, find_profanity

__all__ = ["Prepared", "prepare", "prepare_batch", "select_text", "extract_signals", "article_tokens"]


class Prepared(NamedTuple):
    """Everything later steps need from one (comment, article) pair, computed once."""

    normalized: Normalized
    tokens: list[Token]
    text: str                  # folded tokens joined by spaces (what the n-grams read)
    hits: list[Hit]
    markers: list[Marker]
    article: tuple[str, ...] | None  # folded article tokens (title first), None without article
    title: tuple[str, ...] | None


def article_tokens(title: str, body: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Folded tokens of an article (title and body) and of its title alone."""
    title_tokens = tuple(t.folded for t in tokens(normalize(title or "")))
    body_tokens = tuple(t.folded for t in tokens(normalize(body or "")))
    return title_tokens + body_tokens, title_tokens


def prepare(text: str, title: str | None = None, body: str | None = None, _cache: dict | None = None) -> Prepared:
    """Fold a comment, find its swear words and markers, fold its article."""
    normalized = normalize(text)
    token_list = tokens(normalized)
    article = title_only = None
    if title or body:
        key = (title or "", body or "")
        if _cache is not None and key in _cache:
            article, title_only = _cache[key]
        else:
            article, title_only = article_tokens(*key)
            if _cache is not None:
                _cache[key] = (article, title_only)
    return Prepared(
        normalized=normalized,
        tokens=token_list,
        text=folded_text(token_list),
        hits=find_profanity(normalized, token_list),
        markers=find_markers(text),
        article=article,
        title=title_only,
    )


def prepare_batch(items: Sequence) -> list[Prepared]:
    """Prepare (text, title, body) triples; each distinct article is folded once per batch."""
    cache: dict = {}
    return [item if isinstance(item, Prepared) else prepare(item[0], item[1], item[2], cache) for item in items]


def select_text(prepared: Sequence[Prepared]) -> list[str]:
    """The folded text of each comment, for the word and character n-gram vectorisers."""
    return [p.text for p in prepared]


_URL_RE = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|net|org|ly|io|co|info|biz|xyz|tv|me)\b", re.IGNORECASE)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.\w+", re.IGNORECASE)
_PHONE_RE = re.compile(r"\+?\d[\d\s().-]{8,}\d")
_MONEY_RE = re.compile(r"[$£€]\s?\d|\d+\s?(?:usd|dollars|bucks|k/month|/day|/week|per day|a day)\b", re.IGNORECASE)
_SPAM_WORDS = re.compile(
    r"\b(subscribe|subscribers?|check(?:\s+it)?\s+out|my\s+(?:channel|page|video|site|website|profile|blog)|"
    r"follow\s+me|click|giveaway|promo|discount|free\s+(?:money|gift|iphone|followers)|earn|income|"
    r"work\s+from\s+home|dm\s+me|whatsapp|telegram|crypto|bitcoin|forex|investment\s+opportunity|"
    r"visit|sign\s+up|limited\s+offer|buy\s+now|order\s+now|cheap|casino|viagra|likes?\s+(?:my|this)\s+comment)\b",
    re.IGNORECASE,
)
_CHITCHAT_WORDS = re.compile(
    r"\b(first!?|anyone\s+(?:else|watching|here)|who(?:'s|\s+is)\s+watching|what(?:'s|\s+is)\s+for\s+(?:dinner|lunch)|"
    r"happy\s+(?:birthday|friday|monday)|good\s+(?:morning|night)|lol|lmao|haha+|my\s+(?:cat|dog|mum|mom|wife|husband))\b",
    re.IGNORECASE,
)
_LYRIC_WORDS = re.compile(r"\b(la\s+la|na\s+na|oh\s+oh|yeah\s+yeah|baby|chorus|verse|ooh+|whoa+)\b", re.IGNORECASE)
_EMOJI_RE = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
_QUOTED_WORD_RE = re.compile(r"[\"“]\w+(?:\s\w+)?[\"”]")
_ELLIPSIS_RE = re.compile(r"\.\.\.|…")


def _capped(count: int, cap: int = 3) -> float:
    return min(count, cap) / cap


def _lines_signals(text: str) -> dict[str, float]:
    """Lyrics and copypasta come in many short lines, often with repeats."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 3:
        return {}
    short = sum(1 for line in lines if len(line) < 60)
    endings = [line[-2:].lower() for line in lines]
    rhymes = sum(1 for a, b in zip(endings, endings[1:]) if a == b)
    repeated = len(lines) - len(set(line.lower() for line in lines))
    return {
        "lines_many": _capped(len(lines), 8),
        "lines_short_share": short / len(lines),
        "lines_rhyme_share": rhymes / (len(lines) - 1),
        "lines_repeated": _capped(repeated, 3),
    }


def extract_signals(prepared: Sequence[Prepared]) -> list[dict[str, float]]:
    """Hand-made evidence per comment: swear words, markers, spam, lyrics, style."""
    out = []
    for p in prepared:
        original = p.normalized.original
        signals: dict[str, float] = {}
        if p.hits:
            signals["prof_any"] = 1.0
            for hit in p.hits:
                key = "prof_" + hit.category
                signals[key] = signals.get(key, 0.0) + 1.0
                if hit.obfuscated:
                    signals["prof_obfuscated"] = 1.0
            for key in [k for k in signals if k.startswith("prof_") and k not in ("prof_any", "prof_obfuscated")]:
                signals[key] = _capped(int(signals[key]))
        if p.markers:
            signals["marker_any"] = 1.0
            for marker in p.markers:
                signals["marker_" + marker.kind] = 1.0
        letters = [c for c in original if c.isalpha()]
        if len(letters) >= 8:
            upper = sum(1 for c in letters if c.isupper()) / len(letters)
            if upper > 0.6:
                signals["style_shouting"] = 1.0
        signals["style_length"] = min(math.log1p(len(p.tokens)) / 5.0, 1.5)
        if len(p.tokens) <= 3:
            signals["style_very_short"] = 1.0
        for key, pattern, cap in (
            ("style_exclaim", "!", 3), ("style_question", "?", 3),
        ):
            count = original.count(pattern)
            if count:
                signals[key] = _capped(count, cap)
        for key, regex in (
            ("style_ellipsis", _ELLIPSIS_RE), ("style_quoted_word", _QUOTED_WORD_RE), ("style_emoji", _EMOJI_RE),
            ("spam_url", _URL_RE), ("spam_email", _EMAIL_RE), ("spam_phone", _PHONE_RE), ("spam_money", _MONEY_RE),
            ("spam_words", _SPAM_WORDS), ("chitchat_words", _CHITCHAT_WORDS), ("lyric_words", _LYRIC_WORDS),
        ):
            count = len(regex.findall(original))
            if count:
                signals[key] = _capped(count)
        signals.update(_lines_signals(original))
        out.append(signals)
    return out


SIGNAL_NAMES = ("prof_any", "prof_obfuscated") + tuple("marker_" + k for k in MARKER_KINDS)


def spam_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of links, addresses, phone numbers and sales talk: off-topic evidence to show."""
    spans = []
    for regex in (_URL_RE, _EMAIL_RE, _PHONE_RE, _SPAM_WORDS):
        spans.extend(match.span() for match in regex.finditer(text))
    return sorted(set(spans))
