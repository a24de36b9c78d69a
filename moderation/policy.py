"""The decision policy: a pure function of scores and per-label thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .labels import LABELS, OFF_TOPIC, PROFANITY, SARCASM

__all__ = ["Threshold", "Thresholds", "DEFAULT_THRESHOLDS", "decide", "flags", "parse_thresholds"]


@dataclass(frozen=True)
class Threshold:
    """A label is flagged (and the comment held for review) at `review`; rejected at `reject`.

    `reject` is None for labels that never justify rejecting without a person: sarcasm is
    not a sin, and off-topic calls need a moderator's eye.
    """

    review: float
    reject: float | None = None

    def __post_init__(self):
        if not 0.0 <= self.review <= 1.0:
            raise ValueError(f"review threshold must be in [0, 1], got {self.review}")
        if self.reject is not None and not self.review <= self.reject <= 1.0:
            raise ValueError(f"reject threshold must be in [review, 1], got {self.reject}")

    def to_dict(self) -> dict:
        return {"review": self.review, "reject": self.reject}


Thresholds = Mapping[str, Threshold]

DEFAULT_THRESHOLDS: dict[str, Threshold] = {
    PROFANITY: Threshold(review=0.5, reject=0.95),
    SARCASM: Threshold(review=0.7, reject=None),
    OFF_TOPIC: Threshold(review=0.6, reject=None),
}


def flags(scores: Mapping[str, float], thresholds: Thresholds) -> list[str]:
    """Labels whose score reaches their review threshold, in label order."""
    return [label for label in LABELS if label in scores and scores[label] >= thresholds[label].review]


def decide(scores: Mapping[str, float], thresholds: Thresholds, flagged: list[str] | None = None) -> str:
    """'reject' if any label reaches its reject threshold, 'review' if any is flagged, else 'publish'.

    `flagged` is `flags(scores, thresholds)` when the caller has it already.
    """
    for label in LABELS:
        threshold = thresholds[label]
        if threshold.reject is not None and scores.get(label, 0.0) >= threshold.reject:
            return "reject"
    if flagged is None:
        flagged = flags(scores, thresholds)
    return "review" if flagged else "publish"


def parse_thresholds(raw: Mapping, base: Thresholds = DEFAULT_THRESHOLDS) -> dict[str, Threshold]:
    """Overlay {"label": {"review": x, "reject": y}} (or {"label": x}) on `base`; errors name the label."""
    result = dict(base)
    if not isinstance(raw, Mapping):
        raise ValueError("thresholds must be a JSON object mapping label to thresholds")
    for label, value in raw.items():
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r} in thresholds; expected one of {', '.join(LABELS)}")
        current = result[label]
        try:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                result[label] = Threshold(review=float(value), reject=current.reject if current.reject is None or current.reject >= value else None)
            elif isinstance(value, Mapping):
                unknown = set(value) - {"review", "reject"}
                if unknown:
                    raise ValueError(f"unknown keys {sorted(unknown)}")
                review = value.get("review", current.review)
                reject = value.get("reject", current.reject)
                for name, number in (("review", review), ("reject", reject)):
                    if number is not None and (isinstance(number, bool) or not isinstance(number, (int, float))):
                        raise ValueError(f"{name} must be a number or null")
                result[label] = Threshold(review=float(review), reject=None if reject is None else float(reject))
            else:
                raise ValueError("expected a number or an object with review/reject")
        except ValueError as error:
            raise ValueError(f"thresholds for {label!r}: {error}") from None
    return result
