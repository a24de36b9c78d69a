"""Shared fixtures: a tiny model trained by the real training code, the shipped model, the data dir."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = Path(__file__).resolve().parent / "data"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A small model trained on our own examples by `training.train` code: a fixture, not a mock."""
    from moderation.labels import LABELS
    from moderation.model_file import save_model
    from moderation.policy import DEFAULT_THRESHOLDS
    from training.dataset import load_own
    from training.examples import TRAIN
    from training.train import train_pipeline

    examples = [e for e in load_own(REPO_ROOT / "datasets" / "own") if e.split == TRAIN]
    pipeline = train_pipeline(examples, seed=1, params={"word_max_features": 3000, "char_max_features": 3000})
    card = {"labels": list(LABELS), "thresholds": {l: DEFAULT_THRESHOLDS[l].to_dict() for l in LABELS}}
    return save_model(pipeline, card, tmp_path_factory.mktemp("models"), "tiny-1")


@pytest.fixture(scope="session")
def tiny_moderator(tiny_model_dir):
    from moderation import Moderator

    return Moderator.load(tiny_model_dir)


@pytest.fixture(scope="session")
def shipped():
    """The committed default model (models/current)."""
    from moderation import Moderator

    return Moderator.load()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The public corpora; tests that need them skip cleanly where they are absent."""
    candidate = Path(os.environ.get("MODERATION_DATA_DIR") or REPO_ROOT.parent / "shared" / "datasets")
    if not candidate.is_dir():
        pytest.skip(f"public corpora not found at {candidate} (set MODERATION_DATA_DIR)")
    return candidate
