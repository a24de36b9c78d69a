"""Build datasets/own/*.jsonl from the hand-written sources in src/.

Run:  python datasets/own/build.py   (then python datasets/own/validate.py)
Deterministic: no randomness, so the output is reproducible.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "src"))

from articles import ARTICLES  # noqa: E402
from profanity import (TABLE, TRAIN_BASES, TEST_BASES, PLAIN, ZW_TRAIN, ZW_TEST,  # noqa: E402
                       CYR_TRAIN, CYR_TEST)
from innocent import INNOCENT  # noqa: E402
from sarcasm import MARKED, IMPLICIT, SINCERE  # noqa: E402
from cases import (OBFUSCATION_CASES, SARCASM_MARKER_CASES, IDENTITY_GROUPS,  # noqa: E402
                   IDENTITY_TEMPLATES)
from topical import (ON_TOPIC, MISPLACED, SPAM, CHITCHAT, LYRICS, COPYPASTA,  # noqa: E402
                     NULL_NEUTRAL)

TEST_EVERY = 4  # hand-written lists: every 4th distinct sentence goes to test


def split_of(i):
    return "test" if i % TEST_EVERY == TEST_EVERY - 1 else "train"


def row(text, art, prof, sarc, off, kind, split):
    return {"text": text, "article_id": art,
            "labels": {"profanity": prof, "sarcasm": sarc, "off_topic": off},
            "kind": kind, "split": split}


# ---------------------------------------------------------------- obfuscation
def fullwidth(w):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in w)


def first_vowel_index(w):
    for i, c in enumerate(w):
        if c in "aeiou":
            return i
    return None


_COUNTS = {}


def _next(*key):
    _COUNTS[key] = _COUNTS.get(key, -1) + 1
    return _COUNTS[key]


def obfuscate(word, kind, split, n):
    """Return obfuscated form of `word` or None if kind not applicable."""
    n = _next(split, kind, word if kind == "table" else "")
    if kind == "table":
        forms = TABLE[word][0 if split == "train" else 1]
        return forms[n % len(forms)]
    if kind == "spaced":
        return " ".join(word)
    if kind == "dotted":
        return ".".join(word)
    if kind == "hyphen":
        return "-".join(word)
    if kind == "repeat":
        i = first_vowel_index(word)
        if i is None:
            return None
        reps = (4 + n % 3) if split == "train" else 3
        return word[:i] + word[i] * reps + word[i + 1:]
    if kind == "zw":
        chars = ZW_TRAIN if split == "train" else ZW_TEST
        z = chars[n % len(chars)]
        if split == "train" or len(word) < 6:
            return word[0] + z + word[1:]
        return word[0] + z + word[1:4] + z + word[4:]
    if kind == "cyrillic":
        mp = CYR_TRAIN if split == "train" else CYR_TEST
        for i, c in enumerate(word):
            if c in mp:
                return word[:i] + mp[c] + word[i + 1:]
        return None
    if kind == "fullwidth":
        # train: lower-case fullwidth; test: upper-case fullwidth (unseen form)
        return fullwidth(word if split == "train" else word.upper())
    raise ValueError(kind)


def table_kind(form):
    if any(ch.isdigit() for ch in form):
        return "leet_mix" if any(ch in "*$@!#" for ch in form) else "leet"
    if any(ch in "*$@!#" for ch in form):
        return "symbol"
    return "misspell"


KINDS = {
    "train": ["table", "spaced", "zw", "table", "repeat", "cyrillic", "fullwidth", "table"],
    "test": ["table", "dotted", "zw", "table", "repeat", "cyrillic", "hyphen", "fullwidth"],
}
PER_BASE = 2


def profanity_rows():
    out = []
    counter = {"train": 0, "test": 0}
    for split, bases in (("train", TRAIN_BASES), ("test", TEST_BASES)):
        kinds = KINDS[split]
        for art, text, sarc in bases:
            word = text[text.index("{") + 1:text.index("}")]
            made = 0
            seen = set()
            tries = 0
            while made < PER_BASE and tries < 20:
                k = kinds[counter[split] % len(kinds)]
                counter[split] += 1
                tries += 1
                form = obfuscate(word, k, split, counter[split])
                if form is None or form in seen:
                    continue
                seen.add(form)
                tag = table_kind(form) if k == "table" else k
                out.append(row(text.replace("{" + word + "}", form), art, 1, sarc, 0,
                               "prof_obf_" + tag, split))
                made += 1
    for i, (art, text, sarc, kind) in enumerate(PLAIN):
        out.append(row(text, art, 1, sarc, 0, kind, split_of(i)))
    return out


# ---------------------------------------------------------------- the rest
def other_rows():
    out = []
    for i, (art, text) in enumerate(INNOCENT):
        out.append(row(text, art, 0, 0, 0, "innocent_lookalike", split_of(i)))
    for i, (art, text, sarc, marker) in enumerate(MARKED):
        kind = ("sarc_marker_" if sarc else "marker_not_sarc_") + marker
        out.append(row(text, art, 0, sarc, 0, kind, split_of(i)))
    for i, (art, text) in enumerate(IMPLICIT):
        out.append(row(text, art, 0, 1, 0, "sarc_implicit", split_of(i)))
    for i, (art, text) in enumerate(SINCERE):
        out.append(row(text, art, 0, 0, 0, "sincere", split_of(i)))
    for i, (art, text) in enumerate(ON_TOPIC):
        out.append(row(text, art, 0, 0, 0, "on_topic", split_of(i)))
    for i, (art, text, wrong) in enumerate(MISPLACED):
        s = split_of(i)
        out.append(row(text, art, 0, 0, 0, "on_topic_pair", s))
        out.append(row(text, wrong, 0, 0, 1, "off_wrong_article", s))
    for i, (art, text, prof) in enumerate(SPAM):
        out.append(row(text, art, prof, 0, 1, "off_spam" if art else "null_spam", split_of(i)))
    for i, (art, text) in enumerate(CHITCHAT):
        out.append(row(text, art, 0, 0, 1, "off_chitchat", split_of(i)))
    for i, (art, text) in enumerate(LYRICS):
        out.append(row(text, art, 0, 0, 1, "off_lyrics" if art else "null_lyrics", split_of(i)))
    for i, (art, text) in enumerate(COPYPASTA):
        out.append(row(text, art, 0, 0, 1, "off_copypasta" if art else "null_copypasta", split_of(i)))
    for i, text in enumerate(NULL_NEUTRAL):
        out.append(row(text, None, 0, 0, 0, "null_neutral", split_of(i)))
    return out


def harmonise_splits(rows):
    """Identical text (under any article) always lands in one split, so the
    test set never contains a sentence that also appears in train."""
    first = {}
    for r in rows:
        first.setdefault(r["text"], r["split"])
    for r in rows:
        r["split"] = first[r["text"]]
    return rows


def write_jsonl(path, items):
    with open(path, "w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")


def main():
    write_jsonl(os.path.join(HERE, "articles.jsonl"),
                [{"id": a, "title": t, "body": b} for a, t, b in ARTICLES])
    write_jsonl(os.path.join(HERE, "identity_terms.jsonl"),
                [{"groups": IDENTITY_GROUPS}] +
                [{"template": t, "profanity": p} for t, p in IDENTITY_TEMPLATES])
    tests_dir = os.path.join(HERE, "..", "..", "tests", "data")
    os.makedirs(tests_dir, exist_ok=True)
    write_jsonl(os.path.join(tests_dir, "obfuscation_cases.jsonl"),
                [{"text": t, "expect_profane": e, "span": s, "why": w}
                 for t, e, s, w in OBFUSCATION_CASES])
    smc = []
    for c in SARCASM_MARKER_CASES:
        d = {"text": c[0], "marker_expected": c[1], "span": c[2]}
        if len(c) > 3:
            d["why"] = c[3]
        smc.append(d)
    write_jsonl(os.path.join(tests_dir, "sarcasm_marker_cases.jsonl"), smc)
    rows = harmonise_splits(profanity_rows() + other_rows())
    write_jsonl(os.path.join(HERE, "comments.jsonl"), rows)
    print(f"articles: {len(ARTICLES)}  comments: {len(rows)}")


if __name__ == "__main__":
    main()
