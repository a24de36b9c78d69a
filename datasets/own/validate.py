"""Validate datasets/own/*.jsonl and tests/data/*.jsonl. Exit code 1 on error.

python datasets/own/validate.py [--no-near-dup]
"""
import collections
import difflib
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "data"))
errors = []


def err(msg):
    errors.append(msg)


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    if "\\u" in raw:
        err(f"{path}: contains \\u escapes (write with ensure_ascii=False)")
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            err(f"{path}:{n}: blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            err(f"{path}:{n}: invalid JSON: {e}")
            continue
        if not isinstance(obj, dict):
            err(f"{path}:{n}: not an object")
            continue
        rows.append((n, obj))
    return rows


def norm(t):
    t = unicodedata.normalize("NFKC", t)
    t = re.sub("[\u200b\u200c\u200d\u2060]", "", t)
    return re.sub(r"\s+", " ", t.lower()).strip()


# ------------------------------------------------------------------ articles
arts = load(os.path.join(HERE, "articles.jsonl"))
art_ids = set()
for n, a in arts:
    if set(a) != {"id", "title", "body"}:
        err(f"articles:{n}: fields {sorted(a)}")
    if a.get("id") in art_ids:
        err(f"articles:{n}: duplicate id {a.get('id')}")
    art_ids.add(a.get("id"))
    sents = len(re.findall(r"[.!?](?:\s|$)", a.get("body", "")))
    if not 3 <= sents <= 6:
        err(f"articles:{n}: body has {sents} sentences")
if not 25 <= len(arts) <= 30:
    err(f"articles: {len(arts)} rows, expected 25-30")

# ------------------------------------------------------------------ comments
LABELS = ("profanity", "sarcasm", "off_topic")
NULL_OFFTOPIC_KINDS = {"null_spam", "null_lyrics", "null_copypasta"}
com = load(os.path.join(HERE, "comments.jsonl"))
seen = {}
text_split = collections.defaultdict(set)
for n, r in com:
    if set(r) != {"text", "article_id", "labels", "kind", "split"}:
        err(f"comments:{n}: fields {sorted(r)}")
        continue
    if not isinstance(r["text"], str) or not r["text"].strip():
        err(f"comments:{n}: empty text")
    if r["article_id"] is not None and r["article_id"] not in art_ids:
        err(f"comments:{n}: unknown article_id {r['article_id']}")
    if not isinstance(r["labels"], dict) or set(r["labels"]) != set(LABELS):
        err(f"comments:{n}: labels {r['labels']}")
        continue
    for k in LABELS:
        if r["labels"][k] not in (0, 1) or isinstance(r["labels"][k], bool):
            err(f"comments:{n}: label {k}={r['labels'][k]!r}")
    if r["split"] not in ("train", "test"):
        err(f"comments:{n}: split {r['split']}")
    if not isinstance(r["kind"], str) or not r["kind"] or len(r["kind"]) > 40:
        err(f"comments:{n}: kind {r['kind']!r}")
    if r["article_id"] is None and r["labels"]["off_topic"] != int(r["kind"] in NULL_OFFTOPIC_KINDS):
        err(f"comments:{n}: null article but off_topic={r['labels']['off_topic']} kind={r['kind']}")
    key = (r["text"], r["article_id"])
    if key in seen:
        err(f"comments:{n}: duplicate text+article of line {seen[key]}")
    seen[key] = n
    text_split[r["text"]].add(r["split"])
for t, s in text_split.items():
    if len(s) > 1:
        err(f"comments: text in both splits: {t[:60]!r}")

# misplaced pairs: off_wrong_article must have an on-topic twin in the same split
by_text = collections.defaultdict(list)
for n, r in com:
    by_text[r["text"]].append(r)
for n, r in com:
    if r.get("kind") == "off_wrong_article":
        twins = [x for x in by_text[r["text"]] if x["kind"] == "on_topic_pair"
                 and x["split"] == r["split"] and x["labels"]["off_topic"] == 0
                 and x["article_id"] != r["article_id"]]
        if not twins:
            err(f"comments:{n}: off_wrong_article without on-topic twin")

# near-duplicates between test and train (after Unicode normalisation)
if "--no-near-dup" not in sys.argv:
    train = [norm(r["text"]) for _, r in com if r["split"] == "train"]
    near = []
    for _, r in com:
        if r["split"] != "test":
            continue
        t = norm(r["text"])
        for u in train:
            sm = difflib.SequenceMatcher(None, t, u)
            if sm.real_quick_ratio() > 0.85 and sm.quick_ratio() > 0.85 and sm.ratio() > 0.85:
                near.append((round(sm.ratio(), 2), r["text"], u))
                break
    for x in near:
        err(f"near-duplicate test/train {x}")

# ------------------------------------------------------------------ identity
ident = load(os.path.join(HERE, "identity_terms.jsonl"))
if not ident or "groups" not in ident[0][1]:
    err("identity_terms: first line must be {'groups': [...]}")
else:
    groups = ident[0][1]["groups"]
    for n, t in ident[1:]:
        if set(t) != {"template", "profanity"} or t["profanity"] not in (0, 1):
            err(f"identity_terms:{n}: {t}")
        elif "{group}" not in t["template"]:
            err(f"identity_terms:{n}: no {{group}} placeholder")
        else:
            try:
                [t["template"].format(group=g) for g in groups]
            except (KeyError, IndexError, ValueError) as e:
                err(f"identity_terms:{n}: format error {e}")

# ------------------------------------------------------------------ test tables
obf = load(os.path.join(TESTS, "obfuscation_cases.jsonl"))
for n, c in obf:
    if set(c) != {"text", "expect_profane", "span", "why"}:
        err(f"obfuscation_cases:{n}: fields {sorted(c)}")
        continue
    if not isinstance(c["expect_profane"], bool):
        err(f"obfuscation_cases:{n}: expect_profane not bool")
    if c["expect_profane"] and (not c["span"] or c["span"] not in c["text"]):
        err(f"obfuscation_cases:{n}: span {c['span']!r} not a substring")
    if not c["expect_profane"] and c["span"] is not None:
        err(f"obfuscation_cases:{n}: non-profane case must have span null")
if len(obf) < 60:
    err(f"obfuscation_cases: only {len(obf)} rows")
smc = load(os.path.join(TESTS, "sarcasm_marker_cases.jsonl"))
for n, c in smc:
    if not {"text", "marker_expected", "span"} <= set(c):
        err(f"sarcasm_marker_cases:{n}: fields {sorted(c)}")
        continue
    if c["marker_expected"] and (not c["span"] or c["span"] not in c["text"]):
        err(f"sarcasm_marker_cases:{n}: span {c['span']!r} not a substring")
    if not c["marker_expected"] and c["span"] is not None:
        err(f"sarcasm_marker_cases:{n}: span must be null")

# ------------------------------------------------------------------ report
rows = [r for _, r in com]
print(f"articles: {len(arts)}   comments: {len(rows)}   identity templates: {len(ident) - 1}"
      f"   obfuscation cases: {len(obf)}   sarcasm marker cases: {len(smc)}")
sp = collections.Counter(r["split"] for r in rows)
print("split:", dict(sp), f"test share {sp['test'] / len(rows):.1%}")
for lab in LABELS:
    c = collections.Counter((r["split"], r["labels"][lab]) for r in rows)
    print(f"{lab:10s} train 0/1 = {c[('train', 0)]}/{c[('train', 1)]}   test 0/1 = {c[('test', 0)]}/{c[('test', 1)]}")
print("null article rows:", sum(r["article_id"] is None for r in rows),
      "  articles used:", len({r["article_id"] for r in rows if r["article_id"]}))
if "-v" in sys.argv:
    kc = collections.Counter((r["kind"], r["split"]) for r in rows)
    for k in sorted({r["kind"] for r in rows}):
        print(f"  {k:40s} train {kc[(k, 'train')]:4d}  test {kc[(k, 'test')]:4d}")
if len(rows) < 900:
    err(f"comments: only {len(rows)} rows")
if errors:
    print(f"\n{len(errors)} ERROR(S):")
    for e in errors:
        print(" -", e)
    sys.exit(1)
print("OK")
