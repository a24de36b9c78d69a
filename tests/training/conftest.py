"""Fixtures for the retraining loop: a tiny generated corpus, decisions over time, a models folder."""

from __future__ import annotations

import csv
import json
import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
OWN_DIR = REPO_ROOT / "datasets" / "own"
SMALL = {"word_max_features": 2000, "char_max_features": 2000}

_SWEARS = ["shit", "fuck", "bullshit", "asshole", "bitch", "crap"]
_PLAIN = ["the match", "the council", "this budget", "the new phone", "the trains", "the weather", "our school"]
_SPAM = ["check out my channel", "subscribe to my page", "earn $500 a day from home", "visit my site for free followers"]
_FAN = ["love this song", "her voice is amazing", "best video ever", "this chorus gets me every time"]
YOUTUBE_FILES = ["Youtube01-Psy", "Youtube02-KatyPerry", "Youtube03-LMFAO", "Youtube04-Eminem", "Youtube05-Shakira"]


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture(scope="session")
def tiny_data_dir(tmp_path_factory) -> Path:
    """Two corpora in their real on-disk layout, generated: Davidson-style tweets and YouTube comments."""
    root = tmp_path_factory.mktemp("datasets")
    rng = random.Random(5)
    rows = []
    for i in range(240):
        thing = rng.choice(_PLAIN)
        if i % 2:
            rows.append([i, 3, 0, 3, 0, 1, f"{thing} is {rng.choice(_SWEARS)} number {i}"])
        else:
            rows.append([i, 3, 0, 0, 3, 2, f"{thing} was fine today number {i}"])
    _write_csv(root / "davidson_hate_offensive" / "labeled_data.csv",
               ["", "count", "hate_speech", "offensive_language", "neither", "class", "tweet"], rows)
    for video in YOUTUBE_FILES:
        rows = []
        for i in range(40):
            spam = i % 2 == 0
            text = f"{rng.choice(_SPAM if spam else _FAN)} {video[-4:]} {i}"
            rows.append([f"{video}-{i}", "someone", "2014-01-01", text, int(spam)])
        _write_csv(root / "youtube_spam_collection" / f"{video}.csv",
                   ["COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"], rows)
    return root


def decision_rows(count: int = 80, start: datetime = datetime(2026, 10, 1, 9, 0)) -> list[dict]:
    """Moderators' decisions as export-decisions writes them, one an hour, some repeated."""
    kinds = [
        ("approve", "ok", {"profanity": 0, "sarcasm": 0, "off_topic": 0}, "The bus fares rise is fair enough {i}"),
        ("reject", "profanity", {"profanity": 1}, "The council are total sh1t wankers {i}"),
        ("reject", "spam", {"off_topic": 1}, "Earn $300 a day from home, DM me {i}"),
        ("approve", "sarcasm_fine", {"profanity": 0, "sarcasm": 1, "off_topic": 0}, "Oh great, another delay {i} /s"),
    ]
    rows = []
    for i in range(count):
        action, reason, labels, text = kinds[i % len(kinds)]
        rows.append({"id": f"c{i}", "text": text.format(i=i), "labels": labels, "reason": reason, "action": action,
                     "article": {"title": "Bus fares to rise", "body": "The council will raise bus fares."} if i % 3 else None,
                     "decided_at": (start + timedelta(hours=i)).isoformat() + "Z"})
    return rows


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def decisions_file(tmp_path) -> Path:
    return write_jsonl(tmp_path / "decisions.jsonl", decision_rows())


@pytest.fixture(scope="session")
def tiny_pipeline(tiny_model_dir):
    from moderation.model_file import load_model

    return load_model(tiny_model_dir)


@pytest.fixture(scope="session")
def worse_pipeline():
    """Trained by the real code on our examples with the profanity labels turned upside down."""
    from training.dataset import load_own
    from training.examples import TRAIN
    from training.train import train_pipeline
    from dataclasses import replace

    examples = [replace(e, labels={**e.labels, "profanity": 1 - e.labels["profanity"]})
                for e in load_own(OWN_DIR) if e.split == TRAIN]
    return train_pipeline(examples, seed=1, params=SMALL)


@pytest.fixture
def models_dir(tmp_path, tiny_model_dir) -> Path:
    """A models folder whose current model (the champion) is the tiny model."""
    from moderation.model_file import set_current

    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copytree(tiny_model_dir, folder / tiny_model_dir.name)
    set_current(folder, tiny_model_dir.name)
    return folder


def save_version(models_dir: Path, pipeline, card: dict, version: str) -> Path:
    from moderation.model_file import save_model

    card = {k: v for k, v in card.items() if k not in ("version", "model_sha256", "model_file", "model_format")}
    return save_model(pipeline, card, models_dir, version)


def make_store(path: Path, rows: list[dict]) -> str:
    """A migrated SQLite queue store holding `rows` ({text, status, action?, reason?}) as comments and decisions."""
    from sqlalchemy.orm import Session

    from webapp.store.db import make_engine, upgrade
    from webapp.store.models import Comment, Decision, Reviewer

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        reviewer = Reviewer(name="alice", password_hash="x")
        session.add(reviewer)
        session.flush()
        for i, row in enumerate(rows):
            comment = Comment(external_id=f"c{i}", text=row["text"], article_title=row.get("title", ""),
                              article_body="", scores={}, flags=[], spans=[], model_decision="review",
                              model_version="old", response={}, status=row.get("status", "pending"),
                              created_at=datetime(2026, 11, 1) + timedelta(minutes=i))
            session.add(comment)
            session.flush()
            if row.get("action"):
                session.add(Decision(comment_id=comment.id, reviewer_id=reviewer.id, action=row["action"],
                                     reason=row["reason"], decided_at=datetime(2026, 11, 2) + timedelta(minutes=i)))
        session.commit()
    engine.dispose()
    return url
