"""The one record every corpus loader yields, whatever the corpus looks like on disk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

TRAIN = "train"
TEST = "test"
UNSPLIT = ""  # the corpus has no official split: `training.dataset` assigns one, seeded


@dataclass(frozen=True)
class Example:
    """A labelled comment, with the article it sits under when the corpus has one.

    `labels` maps a subset of `moderation.labels.LABELS` to 0 or 1; a label that is
    missing is unknown for this example (not negative) and is not trained on.
    `group` keeps related rows (one article, thread, event or video) on the same side
    of a seeded split so topics do not leak from train to test.
    """

    text: str
    labels: Mapping[str, int]
    corpus: str
    split: str = UNSPLIT
    group: str = ""
    article_title: str = ""
    article_body: str = ""
    meta: Mapping[str, str] = field(default_factory=dict)

    @property
    def has_article(self) -> bool:
        return bool(self.article_title or self.article_body)

VALIDATION = "validation"  # carved from train rows by `training.dataset`; used only to choose thresholds
