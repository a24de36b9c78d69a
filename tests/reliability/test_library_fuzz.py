"""Any Unicode string is scored without an exception: scores in [0, 1], spans inside the original text.

Surrogates, bidi controls, zero-width and combining marks, NUL and 100 kB of emoji are what
hostile or broken clients send; the library is called with them directly (the service refuses
lone surrogates and NUL earlier, the CLI and other callers may not).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from moderation import LABELS, Article

# Characters that have broken text pipelines: bidi overrides and isolates, zero-width, combining
# marks, NUL and other controls, lone surrogates, characters that fold into several ("ß", "ﬃ", "㎏").
TRICKY = ("\u202e\u202d\u202a\u202b\u202c\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
          "\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f"
          "\u0301\u0308\u0336\u20e3\u0489"
          "\x00\x01\x1b\x7f\x85\u2028\u2029\r\n\t"
          "\ud800\udfff\udc00"
          "ßﬃ㎏ǅİı\u0130Ⅻ①ｆｕｃｋ$@!*.|-'"
          "😀🙄👍🏽👨‍👩‍👧🇬🇧")
WORDS = st.sampled_from(["shit", "bull$hit", "f*ck", "sh1t", "f u c k", "yeah right", "/s", "oh great",
                         "buy now", "http://x.example", "www.spam.example", "Scunthorpe", " ", "\u202eevil"])
any_char = st.characters(exclude_categories=())  # every code point, lone surrogates included
hostile_text = st.lists(st.one_of(st.text(alphabet=TRICKY, max_size=6), st.text(any_char, max_size=8), WORDS),
                        max_size=12).map("".join)
article = st.one_of(st.none(), st.builds(Article, title=hostile_text, body=hostile_text))
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

EMOJI_100K = "😀🙄👍🏽" * 6400  # 25,600 code points, 102,400 UTF-8 bytes
RTL_TRICK = "nice \u202egnp.exe\u202c shit \u2066/s\u2069"


def check_verdict(verdict, text):
    assert set(verdict.scores) == set(LABELS)
    for value in verdict.scores.values():
        assert 0.0 <= value <= 1.0, verdict.scores
    assert verdict.decision in ("publish", "review", "reject")
    for span in verdict.spans:
        assert 0 <= span["start"] < span["end"] <= len(text), span
        assert text[span["start"]:span["end"]] == span["text"], span
        assert span["label"] in verdict.flags


@FUZZ
@given(text=hostile_text, context=article)
@example(text=EMOJI_100K, context=None)
@example(text=RTL_TRICK, context=Article(title="\u202e", body="\x00"))
@example(text="\x00" * 50 + "shit", context=None)
@example(text="s\u0336h\u0336i\u0336t\u0336 " * 40, context=None)
@example(text="\ud800shit\udfff", context=Article(title="\ud800", body=""))
def test_any_text_scores_without_error(shipped, text, context):
    check_verdict(shipped.score(text, article=context), text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(st.tuples(hostile_text, article), min_size=1, max_size=6))
def test_batch_equals_single(shipped, items):
    batch = shipped.score_many(items)
    assert len(batch) == len(items)
    for (text, context), verdict in zip(items, batch):
        assert verdict == shipped.score(text, article=context)
        check_verdict(verdict, text)


@pytest.mark.parametrize("text", ["", " ", "\x00", "\u200b" * 1000, "\u0301" * 5000, EMOJI_100K])
def test_degenerate_texts(shipped, text):
    check_verdict(shipped.score(text), text)
