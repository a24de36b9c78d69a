import json
import shutil

import pytest

from moderation import Moderator, ModelLoadError
from moderation.model_file import CARD_FILE, MODEL_FILE, load_model, save_model, set_current


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path):
    target = tmp_path / "models" / "tiny-1"
    shutil.copytree(tiny_model_dir, target)
    return target


def _edit_card(model_dir, **changes):
    card = json.loads((model_dir / CARD_FILE).read_text())
    for key, value in changes.items():
        if key == "sklearn":
            card["versions"]["scikit-learn"] = value
        else:
            card[key] = value
    (model_dir / CARD_FILE).write_text(json.dumps(card))


def test_round_trip_gives_the_same_scores(tiny_model_dir, tiny_moderator, tmp_path):
    pipeline, card = load_model(tiny_model_dir)
    copy = save_model(pipeline, {"thresholds": card["thresholds"]}, tmp_path, "copy-1")
    again = Moderator.load(copy)
    text = "what a load of bull$hit"
    assert again.score(text).scores == tiny_moderator.score(text).scores
    assert again.model_version == "copy-1"


def test_card_records_hash_and_versions(tiny_model_dir):
    card = json.loads((tiny_model_dir / CARD_FILE).read_text())
    assert len(card["model_sha256"]) == 64
    assert card["versions"]["scikit-learn"]
    assert card["model_format"] == 1


def test_versions_are_never_overwritten(tiny_model_dir):
    pipeline, card = load_model(tiny_model_dir)
    with pytest.raises(FileExistsError, match="never overwritten"):
        save_model(pipeline, card, tiny_model_dir.parent, "tiny-1")


def test_a_different_scikit_learn_version_is_refused(model_copy):
    _edit_card(model_copy, sklearn="0.24.2")
    with pytest.raises(ModelLoadError, match="saved with scikit-learn 0.24.2"):
        Moderator.load(model_copy)


def test_a_changed_model_file_is_refused(model_copy):
    with open(model_copy / MODEL_FILE, "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ModelLoadError, match="does not match its model card"):
        Moderator.load(model_copy)


def test_another_model_format_is_refused(model_copy):
    _edit_card(model_copy, model_format=99)
    with pytest.raises(ModelLoadError, match="format 99"):
        Moderator.load(model_copy)


def test_missing_model_says_how_to_make_one(tmp_path):
    with pytest.raises(ModelLoadError, match="training.train"):
        Moderator.load(tmp_path / "nowhere")


def test_current_pointer_selects_the_version(model_copy):
    set_current(model_copy.parent, "tiny-1")
    assert Moderator.load(model_copy.parent).model_version == "tiny-1"
    with pytest.raises(ModelLoadError, match="no model version"):
        set_current(model_copy.parent, "missing")


def test_thresholds_can_be_overridden_at_load(tiny_model_dir):
    moderator = Moderator.load(tiny_model_dir, thresholds={"profanity": {"review": 0.01, "reject": None}})
    assert moderator.thresholds["profanity"].review == 0.01
    with pytest.raises(ValueError, match="unknown label"):
        Moderator.load(tiny_model_dir, thresholds={"nope": 0.1})


def test_importing_the_package_loads_no_model():
    import subprocess
    import sys

    code = (
        "import joblib\n"
        "def refuse(*a, **k): raise SystemExit('model loaded at import time')\n"
        "joblib.load = refuse\n"
        "import moderation, moderation.cli, moderation.fast, moderation.features, moderation.profanity\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
