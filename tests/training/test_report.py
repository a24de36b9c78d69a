"""The model report: every section, images inline, every text escaped, public rows not quoted."""

import re

from moderation import Moderator
from training.dataset import load_own
from training.examples import TEST, Example
from training.promote import EvaluationSets, compare, evaluate_model, fixture_examples, prepare_rows
from training.report import SECTIONS, main, render_report

from conftest import OWN_DIR, save_version


def _report(models_dir, champion=True):
    held = [e for e in load_own(OWN_DIR) if e.split == TEST][:150] + [
        Example("<script>alert('x')</script> what a lovely day", {"profanity": 1}, "own", TEST),
        Example("PUBLIC-ROW-TEXT lovely day", {"profanity": 1}, "davidson_hate_offensive", TEST),
    ]
    sets = EvaluationSets(held_back=held, fixtures=fixture_examples())
    prepared, fixtures = prepare_rows(sets.judged), prepare_rows(sets.fixtures)
    model = Moderator.load(models_dir / "tiny-1")
    result = evaluate_model(model, sets, prepared, fixtures)
    other = evaluate_model(model, sets, prepared, fixtures) if champion else None
    return render_report(model.card, sets, result, other, compare(other, result))


def test_the_report_has_every_section_inline_images_and_escaped_text(models_dir):
    page = _report(models_dir)
    for key, title in SECTIONS.items():
        assert f"<section id='{key}'><h2>" in page, key
    assert len(re.findall(r"src='data:image/png;base64,[A-Za-z0-9+/=]{2000,}'", page)) == 3
    assert "<script" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "PUBLIC-ROW-TEXT" not in page and "davidson_hate_offensive 1" in page
    assert "The gate would accept this model." in page and "Champion: <b>tiny-1</b>" in page
    for group in ("Muslim", "gay", "disabled"):
        assert f"<td>{group}</td>" in page
    assert "http://" not in page and "https://" not in page  # self-contained: nothing fetched


def test_without_a_champion_the_report_says_so(models_dir):
    assert "No champion to compare with" in _report(models_dir, champion=False)


def test_the_command_writes_report_html_without_touching_the_model(models_dir, tiny_pipeline, tiny_data_dir, capsys):
    save_version(models_dir, *tiny_pipeline, "tiny-2")
    before = {p.name: p.read_bytes() for p in (models_dir / "tiny-2").iterdir()}
    assert main([str(models_dir / "tiny-2"), "--data-dir", str(tiny_data_dir), "--quick", "--no-progress"]) == 0
    after = {p.name: p.read_bytes() for p in (models_dir / "tiny-2").iterdir()}
    assert set(after) == set(before) | {"report.html"}
    assert all(after[name] == data for name, data in before.items())
    page = (models_dir / "tiny-2" / "report.html").read_text()
    assert "Model report tiny-2" in page and "Champion: <b>tiny-1</b>" in page
    assert main([str(models_dir / "tiny-2"), "--examples", "all"]) == 2  # public rows never land beside the model
    assert "--out" in capsys.readouterr().err
