"""Assemble training and test sets: load, split (fixed, seeded), deduplicate, add swaps, cap.

Order matters and is fixed: every row gets its split first (the corpus's official split, or
a seeded hash of its group so whole articles/threads/events stay on one side), then exact
duplicates by normalised text are removed (a test copy wins, so no test text is also trained
on), then article-swap negatives are made from the surviving rows, then over-large corpora
are sampled down for training only.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np

from moderation.labels import LABELS
from moderation.normalize import folded_text, normalize, tokens
from moderation.relevance import content_words
from training.corpora import article_swap_negatives, load_corpus
from training.examples import TEST, TRAIN, UNSPLIT, VALIDATION, Example

__all__ = ["Dataset", "OWN_CORPUS", "assign_split", "deduplicate", "load_own", "build_dataset", "label_matrix"]

OWN_CORPUS = "own"
TEST_SHARE = 0.2
VALIDATION_SHARE = 0.1  # of the training rows, kept aside to choose thresholds
# Training rows kept per corpus at most (seeded sample); test splits are never sampled.
TRAIN_CAPS = {"crisislex_t6_ontopic": 10000, "crisislex_t6_ontopic+swap": 4000, "davidson_hate_offensive": 12000}
# Our own news-comment examples are few but closest to the product: weigh them up.
CORPUS_WEIGHTS = {OWN_CORPUS: 6.0, OWN_CORPUS + "+swap": 2.0}


def dedup_key(example: Example) -> tuple[str, str]:
    """Normalised comment text plus normalised article title: the same words under another article differ."""
    text = folded_text(tokens(normalize(example.text)))
    title = folded_text(tokens(normalize(example.article_title))) if example.article_title else ""
    return text, title


def _share(*parts: object) -> float:
    digest = hashlib.sha256(":".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_split(example: Example, seed: int) -> Example:
    """Keep an official split; otherwise a seeded hash of the group (or the text) decides."""
    if example.split in (TRAIN, TEST):
        return example
    key = example.group or dedup_key(example)[0]
    return replace(example, split=TEST if _share(seed, example.corpus, key) < TEST_SHARE else TRAIN)


def assign_validation(example: Example, seed: int) -> Example:
    """Move a seeded tenth of the training rows (by text) to the validation split."""
    if example.split != TRAIN:
        return example
    key = dedup_key(example)[0]
    return replace(example, split=VALIDATION) if _share(seed, "validation", example.corpus, key) < VALIDATION_SHARE else example


def deduplicate(examples: Iterable[Example]) -> tuple[list[Example], int]:
    """Drop exact duplicates by normalised text (+ title) and keep every copy of a text on one side.

    A text seen in a test split pulls its other copies (say, the same spam under another
    video) into test too, and a duplicate keeps its test copy, so no test text is trained on.
    """
    examples = list(examples)
    keys = [dedup_key(example) for example in examples]
    in_test = {key[0] for key, example in zip(keys, examples) if example.split == TEST}
    chosen: dict[tuple[str, str], Example] = {}
    dropped = 0
    for key, example in zip(keys, examples):
        if not key[0]:
            dropped += 1
            continue
        if key[0] in in_test and example.split != TEST:
            example = replace(example, split=TEST)
        if key not in chosen:
            chosen[key] = example
        else:
            dropped += 1
    return list(chosen.values()), dropped


def load_own(own_dir: Path) -> list[Example]:
    """Our hand-written examples in `datasets/own/` (comments.jsonl referring to articles.jsonl)."""
    articles_path, comments_path = own_dir / "articles.jsonl", own_dir / "comments.jsonl"
    if not comments_path.is_file():
        return []
    articles = {}
    if articles_path.is_file():
        for line in articles_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                articles[row["id"]] = row
    examples = []
    for number, line in enumerate(comments_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        article = articles.get(row.get("article_id")) if row.get("article_id") else None
        if row.get("article_id") and article is None:
            raise ValueError(f"{comments_path}:{number}: unknown article_id {row['article_id']!r}")
        labels = {label: int(value) for label, value in row["labels"].items() if label in LABELS}
        examples.append(Example(
            text=row["text"], labels=labels, corpus=OWN_CORPUS, split=row.get("split", UNSPLIT),
            group=row.get("article_id") or "", article_title=article["title"] if article else "",
            article_body=article["body"] if article else "", meta={"kind": row.get("kind", "")},
        ))
    return examples


@lru_cache(maxsize=4096)
def _content(text: str) -> frozenset[str]:
    return frozenset(content_words(t.folded for t in tokens(normalize(text))))


def unique_by_text(examples: list[Example]) -> dict[tuple[str, str], Example]:
    return {(e.corpus, e.text): e for e in examples}


def _clear_swap(swap: Example, originals: dict[tuple[str, str], Example]) -> bool:
    """Keep a swap only when the comment names something of its own article and nothing of the new one.

    "Praying for everyone affected" fits under any disaster; moving it would teach noise.
    """
    original = originals.get((swap.corpus.removesuffix("+swap"), swap.text))
    if original is None:
        return False
    words = _content(swap.text)
    own = _content(original.article_title + " " + original.article_body)
    new = _content(swap.article_title + " " + swap.article_body)
    return bool(words & own) and not (words & new)


@dataclass
class Dataset:
    train: list[Example]
    test: list[Example]
    rows_per_corpus: dict[str, dict[str, int]]
    duplicates_dropped: int
    validation: list[Example] = field(default_factory=list)


def _cap(examples: list[Example], seed: int) -> list[Example]:
    by_corpus: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_corpus[example.corpus].append(example)
    kept = []
    for corpus, rows in by_corpus.items():
        cap = TRAIN_CAPS.get(corpus)
        if cap and len(rows) > cap:
            rows = random.Random(f"{seed}:{corpus}").sample(rows, cap)
        kept.extend(rows)
    return kept


def build_dataset(
    data_dir: Path | None, corpora: Iterable[str], own_dir: Path | None, seed: int, progress=lambda it, **_: it
) -> Dataset:
    """Load the named corpora and our own examples into fixed, deduplicated train/test sets."""
    loaded: list[Example] = []
    for name in progress(list(corpora), desc="loading corpora", unit="corpus"):
        loaded.extend(load_corpus(data_dir, name))
    if own_dir is not None:
        loaded.extend(load_own(own_dir))
    split = [assign_split(example, seed) for example in progress(loaded, desc="splitting", unit="row", mininterval=1)]
    unique, dropped = deduplicate(split)
    unique = [assign_validation(example, seed) for example in unique]
    originals = unique_by_text(unique)
    swaps = [swap for swap in article_swap_negatives(unique, seed) if _clear_swap(swap, originals)]
    everything = unique + swaps
    train = _cap([e for e in everything if e.split == TRAIN], seed)
    test = [e for e in everything if e.split == TEST]
    validation = [e for e in everything if e.split == VALIDATION]
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"train": 0, "validation": 0, "test": 0})
    for example in train + validation + test:
        counts[example.corpus][example.split] += 1
    return Dataset(train, test, dict(counts), dropped, validation)


def label_matrix(examples: list[Example]) -> np.ndarray:
    """Rows x LABELS with 0/1 where known and -1 where the corpus does not say."""
    matrix = np.full((len(examples), len(LABELS)), -1, dtype=np.int8)
    for i, example in enumerate(examples):
        for j, label in enumerate(LABELS):
            if label in example.labels:
                matrix[i, j] = int(example.labels[label])
    return matrix


def sample_weights(examples: list[Example]) -> np.ndarray:
    return np.array([CORPUS_WEIGHTS.get(e.corpus, 1.0) for e in examples], dtype=np.float64)


def model_inputs(examples: list[Example]) -> list[tuple[str, str, str]]:
    return [(e.text, e.article_title, e.article_body) for e in examples]


