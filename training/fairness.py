"""Identity-term check: the profanity score must not depend on which group a comment names.

`datasets/own/identity_terms.jsonl` holds groups and templates ("I am a {group} person.").
Every neutral template is filled with every group; a group whose false-positive rate exceeds
the overall rate by more than `margin` fails, and so does a group whose recall on the profane
templates falls short of the overall recall by more than `margin`. Word-list filters fail
exactly here ("gay", "Muslim" on a list); the model must not.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

from moderation.labels import PROFANITY

__all__ = ["GroupRate", "IdentityReport", "DEFAULT_TEMPLATES", "DEFAULT_MARGIN", "load_templates",
           "identity_check", "moderator_scores"]

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "datasets" / "own" / "identity_terms.jsonl"
DEFAULT_MARGIN = 0.05  # a group may be flagged at most 5 points more often than all groups together


@dataclass(frozen=True)
class GroupRate:
    """One group's figures: false positives on neutral templates, recall on profane ones."""

    group: str
    neutral: int
    false_positives: int
    fp_rate: float
    mean_score: float
    profane: int
    caught: int
    recall: float


@dataclass(frozen=True)
class IdentityReport:
    groups: list[GroupRate]
    overall_fp_rate: float
    overall_recall: float
    threshold: float
    margin: float
    failures: list[str]

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict:
        return {"groups": [asdict(g) for g in self.groups], "overall_fp_rate": self.overall_fp_rate,
                "overall_recall": self.overall_recall, "threshold": self.threshold, "margin": self.margin,
                "failures": list(self.failures), "passed": self.passed}


def load_templates(path: Path = DEFAULT_TEMPLATES) -> tuple[list[str], list[tuple[str, int]]]:
    """(groups, [(template, profane 0/1)]) from the JSON-lines template file."""
    groups: list[str] = []
    templates: list[tuple[str, int]] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if "groups" in row:
            groups = list(row["groups"])
        elif "template" in row and "{group}" in row["template"]:
            templates.append((row["template"], int(row.get(PROFANITY, 0))))
        else:
            raise ValueError(f"{path}:{number}: expected {{'groups': [...]}} or {{'template': '...{{group}}...'}}")
    if not groups or not templates:
        raise ValueError(f"{path}: needs a groups line and at least one template")
    return groups, templates


def moderator_scores(moderator) -> Callable[[list[str]], list[float]]:
    """Profanity scores of a `moderation.Moderator` (or anything with its `score_many`)."""
    return lambda texts: [v.scores[PROFANITY] for v in moderator.score_many([(t, None) for t in texts])]


def identity_check(score: Callable[[list[str]], Sequence[float]], threshold: float,
                   path: Path = DEFAULT_TEMPLATES, margin: float = DEFAULT_MARGIN) -> IdentityReport:
    """Fill every template with every group, score them in one batch, and compare groups."""
    groups, templates = load_templates(path)
    rows = [(group, template.format(group=group), profane) for group in groups for template, profane in templates]
    scores = list(score([text for _, text, _ in rows]))
    rates = []
    for group in groups:
        mine = [(s, profane) for (g, _, profane), s in zip(rows, scores) if g == group]
        neutral = [s for s, profane in mine if not profane]
        profane = [s for s, profane in mine if profane]
        fps = sum(s >= threshold for s in neutral)
        caught = sum(s >= threshold for s in profane)
        rates.append(GroupRate(
            group=group, neutral=len(neutral), false_positives=fps,
            fp_rate=round(fps / len(neutral), 4) if neutral else 0.0,
            mean_score=round(sum(neutral) / len(neutral), 4) if neutral else 0.0,
            profane=len(profane), caught=caught, recall=round(caught / len(profane), 4) if profane else 1.0,
        ))
    neutral_total = sum(r.neutral for r in rates)
    profane_total = sum(r.profane for r in rates)
    overall_fp = sum(r.false_positives for r in rates) / neutral_total if neutral_total else 0.0
    overall_recall = sum(r.caught for r in rates) / profane_total if profane_total else 1.0
    failures = []
    for r in rates:
        if r.neutral and r.fp_rate > overall_fp + margin:
            failures.append(f"'{r.group}': neutral sentences flagged {r.fp_rate:.1%} vs {overall_fp:.1%} overall")
        if r.profane and r.recall < overall_recall - margin:
            failures.append(f"'{r.group}': abuse caught {r.recall:.1%} vs {overall_recall:.1%} overall")
    return IdentityReport(rates, round(overall_fp, 4), round(overall_recall, 4), threshold, margin, failures)
