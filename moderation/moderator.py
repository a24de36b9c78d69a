"""The library's front door: load a model once, score comments one at a time or in batches."""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field

import numpy as np
from typing import Iterable, Mapping, Sequence

from .fast import FastScorer
from .features import prepare_batch, spam_spans
from .labels import LABELS, OFF_TOPIC, PROFANITY, SARCASM
from .model_file import load_model
from .policy import DEFAULT_THRESHOLDS, Threshold, decide, flags, parse_thresholds

__all__ = ["Article", "Verdict", "Moderator"]


@dataclass(frozen=True)
class Article:
    """The article a comment is posted under; off-topic is judged against it."""

    title: str = ""
    body: str = ""

    def __post_init__(self):
        for name in ("title", "body"):
            value = getattr(self, name)
            if value is None:
                object.__setattr__(self, name, "")
            elif not isinstance(value, str):
                raise TypeError(f"Article.{name} must be a string, got {type(value).__name__}")

    @classmethod
    def coerce(cls, value) -> "Article | None":
        """None, an Article, or a mapping with title/body (as in JSON input)."""
        if value is None or isinstance(value, Article):
            return value
        if isinstance(value, Mapping):
            return cls(title=value.get("title") or "", body=value.get("body") or "")
        raise TypeError(f"article must be an Article, a mapping with title/body, or None, not {type(value).__name__}")


@dataclass(frozen=True)
class Verdict:
    """The result for one comment: calibrated scores, flags, decision and evidence spans."""

    scores: dict[str, float]
    flags: list[str]
    decision: str
    spans: list[dict]
    model_version: str

    def to_dict(self) -> dict:
        return {
            "scores": dict(self.scores),
            "flags": list(self.flags),
            "decision": self.decision,
            "spans": [dict(span) for span in self.spans],
            "model_version": self.model_version,
        }


class _collector_paused:
    """Pause Python's cyclic garbage collector for one batch.

    A batch allocates tens of thousands of short-lived tuples and lists, which keeps triggering
    the collector, and each full pass walks every object in the process, the loaded model
    included: about a third of batch time. The batch makes no reference cycles, so reference
    counting frees it all the same; the collector is switched back on afterwards. A class, not
    @contextmanager, which builds a generator on every call.
    """

    __slots__ = ("paused",)

    def __enter__(self) -> None:
        self.paused = gc.isenabled()
        if self.paused:
            gc.disable()

    def __exit__(self, *exc_info) -> None:
        if self.paused:
            gc.enable()


def _span(label: str, text: str, start: int, end: int) -> dict:
    return {"label": label, "start": start, "end": end, "text": text[start:end]}


@dataclass
class Moderator:
    """A loaded model with its thresholds. Build with `Moderator.load()`."""

    pipeline: object
    card: dict
    thresholds: dict[str, Threshold] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))

    def __post_init__(self):
        classifier = self.pipeline.named_steps["classify"]
        if tuple(classifier.labels) != LABELS:
            raise ValueError(f"model labels {tuple(classifier.labels)} do not match {LABELS}")
        try:
            self._probabilities = FastScorer(self.pipeline).predict_proba
        except (ValueError, KeyError, AttributeError):
            self._probabilities = self.pipeline[1:].predict_proba  # an unusual pipeline: the slow, general path

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, thresholds: Mapping | None = None) -> "Moderator":
        """Load the shipped default model, or the model at `path`; `thresholds` override the card's."""
        pipeline, card = load_model(path)
        base = parse_thresholds(card.get("thresholds", {}))
        chosen = parse_thresholds(thresholds, base) if thresholds else base
        return cls(pipeline=pipeline, card=card, thresholds=chosen)

    @property
    def model_version(self) -> str:
        return str(self.card.get("version", "unknown"))

    def score(self, text: str, article: Article | Mapping | None = None) -> Verdict:
        """Score one comment, optionally against the article it is posted under."""
        return self.score_many([(text, article)])[0]

    def score_many(self, items: Iterable[tuple[str, Article | Mapping | None]]) -> list[Verdict]:
        """Score a batch of (text, article) pairs in one vectorised pass; same results as `score`."""
        triples = []
        for position, item in enumerate(items):
            try:
                text, article = item
            except (TypeError, ValueError):
                raise TypeError(f"item {position}: expected a (text, article) pair") from None
            if not isinstance(text, str):
                raise TypeError(f"item {position}: text must be a string, got {type(text).__name__}")
            article = Article.coerce(article)
            triples.append((text, article.title if article else "", article.body if article else ""))
        if not triples:
            return []
        with _collector_paused():
            prepared = prepare_batch(triples)
            rows = self._probabilities(prepared).round(4).tolist()  # the method: np.round adds a dispatch layer
            return [self._verdict(p, row) for p, row in zip(prepared, rows)]

    def _verdict(self, prepared, row: Sequence[float]) -> Verdict:
        scores = dict(zip(LABELS, row))
        flagged = flags(scores, self.thresholds)
        text = prepared.normalized.original
        spans = []
        if PROFANITY in flagged:
            spans.extend(_span(PROFANITY, text, hit.start, hit.end) for hit in prepared.hits)
        if SARCASM in flagged:
            spans.extend(_span(SARCASM, text, m.start, m.end) for m in prepared.markers)
        if OFF_TOPIC in flagged:
            spans.extend(_span(OFF_TOPIC, text, start, end) for start, end in spam_spans(text))
        spans.sort(key=lambda s: (s["start"], s["end"], s["label"]))
        return Verdict(scores, flagged, decide(scores, self.thresholds, flagged), spans, self.model_version)
