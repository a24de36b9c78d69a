import pytest

from moderation import normalize as normalize_module
from moderation.normalize import fold_token, normalize, tokens


def folded_words(text):
    """The folded tokens, checked to be the same on the fast path (no offsets) and the full one."""
    normalized = normalize(text)
    with_offsets = [t.folded for t in tokens(normalized)]
    assert normalize_module.folded_words(normalized) == with_offsets
    return with_offsets


@pytest.mark.parametrize("text, expected", [
    ("bull$hit", ["bullshit"]),
    ("sh1t", ["shit"]),
    ("sh!t!!", ["shit"]),
    ("$hit", ["shit"]),
    ("a$$holes", ["assholes"]),
    ("@sshole", ["asshole"]),
    ("b1tches", ["bitches"]),
    ("f.u.c.k", ["fuck"]),
    ("FU*K", ["fu*k"]),
    ("f**k", ["f**k"]),
    ("fu\u200bck", ["fuck"]),           # zero-width space
    ("fu\u200dck", ["fuck"]),           # zero-width joiner
    ("sh\u2060it", ["shit"]),           # word joiner
    ("fuсk", ["fuck"]),                 # Cyrillic es
    ("ѕһіt", ["shit"]),                 # Cyrillic dze, shha, i
    ("ｆｕｃｋ", ["fuck"]),              # fullwidth
    ("ＳＨＩＴ", ["shit"]),
    ("fück", ["fuck"]),                 # accents dropped
    ("Café naïve", ["cafe", "naive"]),
])
def test_obfuscations_fold_to_the_plain_word(text, expected):
    assert folded_words(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("$5.99", ["$599"]),
    ("3-1", ["31"]),
    ("1337", ["1337"]),
    ("£2 billion", ["2", "billion"]),
    ("covid19 in 2024", ["covidig", "in", "2024"]),
])
def test_numbers_and_prices_are_not_read_as_leetspeak(text, expected):
    assert folded_words(text) == expected


@pytest.mark.parametrize("text", [
    "plain ascii text", "fu\u200bck you", "ｆｕｃｋ this", "Zoë’s café — naïve", "a\u0301b\u0302c", "😀 fine 😀",
    "\u202eevil\u202c", "ß straße", "ﬁne",
])
def test_every_token_maps_back_to_the_original_text(text):
    normalized = normalize(text)
    for token in tokens(normalized):
        start, end = normalized.original_span(token.start, token.end)
        assert 0 <= start < end <= len(text)
        # Folding the original slice gives the token back.
        assert fold_token(normalize(text[start:end]).text) == token.folded


def test_ascii_input_keeps_offsets_without_a_map():
    normalized = normalize("Hello World")
    assert normalized.origin is None
    assert normalized.text == "hello world"
    assert normalized.original_span(6, 11) == (6, 11)


def test_invisible_characters_are_removed_but_spans_cover_them():
    text = "a fu\u200b\u200bck b"
    normalized = normalize(text)
    token = tokens(normalized)[1]
    assert token.folded == "fuck"
    start, end = normalized.original_span(token.start, token.end)
    assert text[start:end] == "fu\u200b\u200bck"


@pytest.mark.parametrize("text, upper, digits", [
    ("ABC def 123", 3, 3), ("ÀÉ Zoë 42", 1, 2), ("ＡＢＣ１２", 0, 0), ("\ud800 A1", 1, 1), ("", 0, 0),
])
def test_count_ascii_counts_only_ascii_characters(text, upper, digits):
    from moderation.normalize import ASCII_DIGITS, ASCII_UPPERCASE, count_ascii

    assert count_ascii(text, ASCII_UPPERCASE) == upper == sum(1 for c in text if "A" <= c <= "Z")
    assert count_ascii(text, ASCII_DIGITS) == digits == sum(1 for c in text if "0" <= c <= "9")
