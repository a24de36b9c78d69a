"""Pure, module-level feature functions (they are pickled by name inside the model).

Renaming or moving any function here changes the saved model format: retrain and bump
`MODEL_FORMAT` in `moderation.model_file` when you do.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple, Sequence

from .markers import Marker, find_markers
from .memo import BoundedMemo
from .normalize import (
    ASCII_DIGITS, ASCII_LETTERS, ASCII_UPPERCASE, Normalized, Token, ascii_letter_runs, count_ascii, folded_words,
    normalize, tokens,
)
from .lexicon import IDENTITY_TERMS, NAME_WORDS
from .profanity import Hit, might_contain_profanity, name_positions, profanity_hits

IDENTITY_TOKEN = "idterm"
NAME_TOKEN = "nameword"

__all__ = ["Prepared", "prepare", "prepare_batch", "select_text", "extract_signals", "article_tokens"]


class Prepared(NamedTuple):
    """Everything later steps need from one (comment, article) pair, computed once."""

    normalized: Normalized
    folded: list[str]          # the folded form of every token, in order
    text: str                  # folded tokens joined by spaces (what the n-grams read)
    hits: list[Hit]
    markers: list[Marker]
    article: tuple[str, ...] | None  # folded article tokens (title first), None without article
    title: tuple[str, ...] | None
    words: frozenset[str]      # the distinct folded words, for cheap keyword gates


def article_tokens(title: str, body: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Folded tokens of an article (title and body) and of its title alone."""
    title_tokens = tuple(folded_words(normalize(title or "")))
    body_tokens = tuple(folded_words(normalize(body or "")))
    return title_tokens + body_tokens, title_tokens


# The service scores comment after comment under the same few articles: fold each once, not per request.
# The same tuple comes back for the same article, which lets relevance remember its weights by identity.
_RECENT_ARTICLES = BoundedMemo(lambda key: article_tokens(*key), max_size=128)


def prepare(text: str, title: str | None = None, body: str | None = None, _cache: dict | None = None) -> Prepared:
    """Fold a comment, find its swear words and markers, fold its article."""
    normalized = normalize(text)
    folded = folded_words(normalized)
    words = frozenset(folded)
    # Offsets are only needed to place swear words and names; most comments have neither.
    swearing = might_contain_profanity(folded)
    token_list = tokens(normalized) if swearing or not words.isdisjoint(NAME_WORDS) else None
    article = title_only = None
    if title or body:
        key = (title or "", body or "")
        if _cache is not None and key in _cache:
            article, title_only = _cache[key]
        else:
            article, title_only = _RECENT_ARTICLES[key]
            if _cache is not None:
                _cache[key] = (article, title_only)
    return Prepared(
        normalized=normalized,
        folded=folded,
        text=model_text(normalized, token_list, words) if token_list is not None else _blinded_text(folded, words),
        hits=profanity_hits(normalized, token_list) if swearing else [],
        markers=find_markers(text),
        article=article,
        title=title_only,
        words=words,
    )


def _blinded_text(folded: list[str], words: frozenset[str]) -> str:
    """model_text for a comment without name words (so no token offsets are needed)."""
    if words.isdisjoint(IDENTITY_TERMS):
        return " ".join(folded)
    return " ".join([IDENTITY_TOKEN if word in IDENTITY_TERMS else word for word in folded])


def model_text(normalized: Normalized, token_list: list[Token], words: frozenset[str] | None = None) -> str:
    """The folded text the n-grams read, with identity terms and names blinded.

    Tweets in the training data use group names as insults, so a model left to itself learns
    that "gay" or "Muslim" is profane. Every identity term becomes one shared token, so a
    comment's score cannot depend on which group it names; "Dick" written as a name becomes
    another, so Dick Van Dyke is not an insult.
    """
    if words is not None and words.isdisjoint(NAME_WORDS):
        return _blinded_text([token.folded for token in token_list], words)
    names = name_positions(normalized, token_list)
    words = []
    for index, token in enumerate(token_list):
        if token.folded in IDENTITY_TERMS:
            words.append(IDENTITY_TOKEN)
        elif index in names:
            words.append(NAME_TOKEN)
        else:
            words.append(token.folded)
    return " ".join(words)


def prepare_batch(items: Sequence) -> list[Prepared]:
    """Prepare (text, title, body) triples; each distinct article is folded once per batch (at most)."""
    cache: dict = {}
    return [item if isinstance(item, Prepared) else prepare(item[0], item[1], item[2], cache) for item in items]


def select_text(prepared: Sequence[Prepared]) -> list[str]:
    """The folded text of each comment, for the word and character n-gram vectorisers."""
    return [p.text for p in prepared]


_TLDS = ("com", "net", "org", "ly", "io", "co", "info", "biz", "xyz", "tv", "me")
_URL_RE = re.compile(r"https?://|www\.|\b[\w-]+\.(?:%s)\b" % "|".join(_TLDS), re.IGNORECASE)
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


# Keyword evidence is counted on the folded words (the same for "FREE", "fr3e" and "free"):
# single words by set intersection, phrases by substring search in the folded text. That costs
# a few C-level operations where a case-insensitive regex alternation costs tens of µs.
_KEYWORDS = {
    "spam_words": (
        frozenset("subscribe subscribers subscriber click giveaway giveaways promo discount earn income whatsapp "
                  "telegram crypto bitcoin forex visit cheap casino viagra".split()),
        ("check out", "check it out", "my channel", "my page", "my video", "my site", "my website", "my profile",
         "my blog", "follow me", "free money", "free gift", "free iphone", "free followers", "work from home",
         "dm me", "investment opportunity", "sign up", "limited offer", "buy now", "order now", "like my comment",
         "likes my comment", "like this comment"),
        (),
    ),
    "chitchat_words": (
        frozenset("first lol lmao".split()),
        ("anyone else", "anyone watching", "anyone here", "whos watching", "who is watching", "whats for dinner",
         "what is for dinner", "whats for lunch", "happy birthday", "happy friday", "happy monday", "good morning",
         "good night", "my cat", "my dog", "my mum", "my mom", "my wife", "my husband"),
        ("haha",),
    ),
    "lyric_words": (
        frozenset("baby chorus verse".split()),
        ("la la", "na na", "oh oh", "yeah yeah"),
        ("ooh", "whoa"),
    ),
}
def _contains_any(*pieces: str):
    return lambda original, lowered: any(map(lowered.__contains__, pieces))


_EMAIL_HINT = re.compile(r"@[\w-]+\.\w")  # starts with a literal, so it is found fast; the address needs it

# (signal, regex, gate): the regex only runs when gate(original, lowered text) says it can match.
_SCANNED = (
    ("style_ellipsis", _ELLIPSIS_RE, _contains_any("...", "…")),
    ("style_quoted_word", _QUOTED_WORD_RE, _contains_any('"', "“")),
    ("spam_email", _EMAIL_RE, lambda original, lowered: _EMAIL_HINT.search(original) is not None),
    ("spam_money", _MONEY_RE, _contains_any("$", "£", "€", "usd", "dollar", "bucks", "/day", "/week", "/month", " a day", "per day")),
)
_TLD_RE = re.compile(r"(?<=[\w-])\.(?:%s)\b" % "|".join(_TLDS))
_TLD_SUFFIXES = tuple("." + tld for tld in _TLDS)  # a cheap test before the pattern


def _by_first_word(phrases: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Phrases grouped by their first word, padded with spaces for whole-word counting."""
    grouped: dict[str, tuple[str, ...]] = {}
    for phrase in phrases:
        first = phrase.split()[0]
        grouped[first] = grouped.get(first, ()) + (" " + phrase + " ",)
    return grouped


# (signal, single words, phrases by first word, word prefixes). A phrase can only occur when its
# first word is one of the comment's words, so most comments search for no phrase at all.
_KEYWORD_TABLE = tuple(
    (name, singles, _by_first_word(phrases), prefixes) for name, (singles, phrases, prefixes) in _KEYWORDS.items()
)


def _keyword_counts(words: frozenset[str], text: str) -> dict[str, float]:
    found = {}
    padded = " " + text + " "
    for name, singles, phrases_by_first, prefixes in _KEYWORD_TABLE:
        count = len(words & singles)
        for first in words.intersection(phrases_by_first):
            count += sum(padded.count(phrase) for phrase in phrases_by_first[first])
        if prefixes and any(prefix in text for prefix in prefixes):
            count += sum(1 for word in words if word.startswith(prefixes))
        if count:
            found[name] = _capped(count)
    return found


def _scan(original: str, p: "Prepared") -> dict[str, float]:
    lowered = original.lower()
    found = _keyword_counts(p.words, p.text)
    for name, regex, gate in _SCANNED:
        if not gate(original, lowered):
            continue
        count = len(regex.findall(original))
        if count:
            found[name] = _capped(count)
    urls = lowered.count("http://") + lowered.count("https://") + lowered.count("www.")
    if any(map(lowered.__contains__, _TLD_SUFFIXES)):
        urls += len(_TLD_RE.findall(lowered))
    if urls:
        found["spam_url"] = _capped(urls)
    if count_ascii(original, ASCII_DIGITS) >= 9:  # a phone number needs at least nine digits
        phones = len(_PHONE_RE.findall(original))
        if phones:
            found["spam_phone"] = _capped(phones)
    if not original.isascii() and _EMOJI_RE.search(original):
        found["style_emoji"] = _capped(len(_EMOJI_RE.findall(original)))
    return found


_ALPHA_RE = re.compile(r"[^\W\d_]")


def extract_signals(prepared: Sequence[Prepared]) -> list[dict[str, float]]:
    """Hand-made evidence per comment: swear words, markers, spam, lyrics, style."""
    out = []
    for p in prepared:
        original = p.normalized.original
        signals: dict[str, float] = {}
        if p.hits:
            counts: dict[str, int] = {}
            for hit in p.hits:
                counts["prof_" + hit.category] = counts.get("prof_" + hit.category, 0) + 1
                if hit.obfuscated:
                    signals["prof_obfuscated"] = 1.0
            signals["prof_any"] = 1.0
            signals.update({key: _capped(count) for key, count in counts.items()})
        if p.markers:
            signals["marker_any"] = 1.0
            for marker in p.markers:
                signals["marker_" + marker.kind] = 1.0
        upper = count_ascii(original, ASCII_UPPERCASE) if original.isascii() else sum(map(str.isupper, original))
        if upper >= 5:
            letters = count_ascii(original, ASCII_LETTERS) if original.isascii() else len(_ALPHA_RE.findall(original))
            if letters >= 8 and upper > 0.6 * letters:
                signals["style_shouting"] = 1.0
        signals["style_length"] = min(math.log1p(len(p.folded)) / 5.0, 1.5)
        if len(p.folded) <= 3:
            signals["style_very_short"] = 1.0
        for key, character in (("style_exclaim", "!"), ("style_question", "?")):
            count = original.count(character)
            if count:
                signals[key] = _capped(count)
        signals.update(_scan(original, p))
        if original.count("\n") >= 2:
            signals.update(_lines_signals(original))
        out.append(signals)
    return out



# The first word of each alternative of _SPAM_WORDS: in ASCII text a match needs one as a whole word.
_SPAM_FIRST_WORDS = frozenset(word.encode("ascii") for word in (
    "subscribe", "subscriber", "subscribers", "check", "my", "follow", "click", "giveaway", "promo", "discount",
    "free", "earn", "income", "work", "dm", "whatsapp", "telegram", "crypto", "bitcoin", "forex", "investment",
    "visit", "sign", "limited", "buy", "order", "cheap", "casino", "viagra", "like", "likes"))


def spam_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of links, addresses, phone numbers and sales talk: off-topic evidence to show.

    Each pattern runs only where it can match (exact gates; the case-insensitive ones always run
    on non-ASCII text, where "ſ" matches "s"): run blindly, they cost about an eighth of scoring a
    comment flagged off-topic.
    """
    ascii_text = text.isascii()
    patterns = []
    if "." in text or "://" in text:
        patterns.append(_URL_RE)
    if "@" in text:
        patterns.append(_EMAIL_RE)
    if not ascii_text or count_ascii(text, ASCII_DIGITS) >= 2:
        patterns.append(_PHONE_RE)
    if not ascii_text or not _SPAM_FIRST_WORDS.isdisjoint(ascii_letter_runs(text.lower())):
        patterns.append(_SPAM_WORDS)
    spans = []
    for regex in patterns:
        spans.extend(match.span() for match in regex.finditer(text))
    return sorted(set(spans))
