"""spam_spans runs each pattern only where it can match: the gates must never hide a span."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.features import _EMAIL_RE, _PHONE_RE, _SPAM_WORDS, _URL_RE, spam_spans

_PATTERNS = (_URL_RE, _EMAIL_RE, _PHONE_RE, _SPAM_WORDS)


def every_pattern(text: str) -> list[tuple[int, int]]:
    return sorted({match.span() for regex in _PATTERNS for match in regex.finditer(text)})


SPAM_TEXTS = [
    "Subscribe to my channel!", "subscribe today", "SUBSCRIBERS wanted", "check it out", "Check   out my page", "my blog is better",
    "follow me", "click here", "giveaway today", "promo code", "discount!", "free iPhone", "earn 100", "income",
    "work from home", "dm me", "WhatsApp +44 7700 900123", "telegram", "crypto", "bitcoin", "forex",
    "investment opportunity", "visit example", "sign up now", "limited offer", "buy now", "order now", "cheap",
    "casino", "viagra", "like this comment", "likes this comment", "subscriber", "mail me: a.b@example.org",
    "http://localhost/x", "www.example", "see news.co.uk", "call 1 2", "1        2", "ſubscribe", "ſign up",
    "clicK", "click2 here", "_click_", "subscribe_now", "Ünïcode click", "٣٣٣٣٣٣٣٣٣٣ phone", "free\u00a0money",
    "The council voted on the budget.", "Interesting piece, though the second chart seems to contradict the text.",
]


@pytest.mark.parametrize("text", SPAM_TEXTS)
def test_gates_never_hide_a_span(text):
    assert spam_spans(text) == every_pattern(text)


def test_each_first_word_alone_opens_the_gate_somewhere():
    """For every first word there is a text matched through that word alone: dropping it fails the test above."""
    from moderation.features import _SPAM_FIRST_WORDS
    from moderation.normalize import ascii_letter_runs

    alone = {next(iter(words)) for text in SPAM_TEXTS if text.isascii() and _SPAM_WORDS.search(text)
             for words in [_SPAM_FIRST_WORDS.intersection(ascii_letter_runs(text.lower()))] if len(words) == 1}
    assert alone == _SPAM_FIRST_WORDS


def test_spam_texts_exercise_every_pattern():
    """Every pattern must match somewhere above, or the equality proves little."""
    for regex in _PATTERNS:
        assert any(regex.search(text) for text in SPAM_TEXTS), regex.pattern[:40]


_PIECES = st.sampled_from(["click", "my", "page", "free", "money", "check", "out", "it", "like", "this", "comment",
                           "buy", "now", "www", ".", "com", "@", "x", "1", "2", " ", "  ", "\n", "ſ", "K", "_", "-",
                           "http", "://", "+", "(", ")", "٣", "sign", "up", "FOLLOW", "me"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_gates_never_hide_a_span_on_generated_text(text):
    assert spam_spans(text) == every_pattern(text)
