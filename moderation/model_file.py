"""Saving and loading one model: a joblib file plus its JSON model card, checked on load.

A model directory holds `model.joblib` and `card.json`. The card records the SHA-256 of the
joblib file and the scikit-learn version it was saved with; loading refuses a file whose
hash or scikit-learn version does not match, with a message that says what to do, instead
of unpickling something built for other code.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import joblib
import sklearn

__all__ = [
    "MODEL_FORMAT", "MODEL_FILE", "CARD_FILE", "CURRENT_FILE", "DEFAULT_MODELS_DIR",
    "ModelLoadError", "save_model", "load_model", "resolve_model_dir", "read_card", "sha256_file",
]

MODEL_FORMAT = 1  # bump when features, steps or their names change
MODEL_FILE = "model.joblib"
CARD_FILE = "card.json"
CURRENT_FILE = "current"  # inside a models directory: the name of the version in service
DEFAULT_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


class ModelLoadError(RuntimeError):
    """The model could not be loaded; the message says why and what to do."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file readers never see half-written (and that the service's user can read)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name + ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_model(pipeline, card: dict, models_dir: Path, version: str) -> Path:
    """Write `models_dir/version/` with the pipeline and its card; never overwrites a version."""
    target = Path(models_dir) / version
    if target.exists():
        raise FileExistsError(f"model version {version!r} already exists at {target}; versions are never overwritten")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{version}."))
    joblib.dump(pipeline, staging / MODEL_FILE, compress=("xz", 3))
    card = dict(card)
    card.update({
        "model_format": MODEL_FORMAT,
        "version": version,
        "model_file": MODEL_FILE,
        "model_sha256": sha256_file(staging / MODEL_FILE),
    })
    card.setdefault("versions", {})["scikit-learn"] = sklearn.__version__
    (staging / CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    # mkdtemp makes a private directory; a model is read by the service's user too.
    os.chmod(staging, 0o755)
    for path in staging.iterdir():
        os.chmod(path, 0o644)
    os.rename(staging, target)
    return target


def set_current(models_dir: Path, version: str) -> None:
    """Atomically point `models_dir/current` at `version`."""
    if not (Path(models_dir) / version / CARD_FILE).is_file():
        raise ModelLoadError(f"no model version {version!r} in {models_dir}")
    atomic_write_text(Path(models_dir) / CURRENT_FILE, version + "\n")


def resolve_model_dir(path: str | os.PathLike | None) -> Path:
    """A model directory from a version dir, a joblib file, or a models dir with `current`."""
    candidate = Path(path) if path is not None else DEFAULT_MODELS_DIR
    if candidate.is_file() and candidate.name in (MODEL_FILE, CURRENT_FILE):
        candidate = candidate.parent
    if (candidate / CURRENT_FILE).is_file():
        version = (candidate / CURRENT_FILE).read_text(encoding="utf-8").strip()
        candidate = candidate / version
    if not (candidate / CARD_FILE).is_file() or not (candidate / MODEL_FILE).is_file():
        raise ModelLoadError(
            f"no model at {candidate}: expected {MODEL_FILE} and {CARD_FILE} there "
            f"(train one with `python -m training.train --out models/`)"
        )
    return candidate


def read_card(model_dir: Path) -> dict:
    try:
        return json.loads((Path(model_dir) / CARD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"cannot read model card {Path(model_dir) / CARD_FILE}: {error}") from None


def load_model(path: str | os.PathLike | None = None):
    """Load (pipeline, card), refusing hash, format or scikit-learn version mismatches."""
    model_dir = resolve_model_dir(path)
    card = read_card(model_dir)
    if card.get("model_format") != MODEL_FORMAT:
        raise ModelLoadError(
            f"model {model_dir} has format {card.get('model_format')!r} but this code reads format "
            f"{MODEL_FORMAT}; retrain it with this version of the code"
        )
    saved_with = card.get("versions", {}).get("scikit-learn")
    if saved_with != sklearn.__version__:
        raise ModelLoadError(
            f"model {model_dir} was saved with scikit-learn {saved_with} but {sklearn.__version__} is "
            f"installed; install scikit-learn=={saved_with} (see requirements.txt) or retrain the model"
        )
    model_path = model_dir / card.get("model_file", MODEL_FILE)
    actual = sha256_file(model_path)
    if actual != card.get("model_sha256"):
        raise ModelLoadError(
            f"{model_path} does not match its model card (SHA-256 {actual[:12]}… expected "
            f"{str(card.get('model_sha256'))[:12]}…); the file was changed or the card belongs to another model"
        )
    return joblib.load(model_path), card
