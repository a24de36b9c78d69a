import io
import json
import subprocess
import sys

import pytest

from moderation.cli import BATCH_LINES, parse_line, score_stream, LineError
from tests.conftest import REPO_ROOT


def run(args, stdin: bytes):
    return subprocess.run([sys.executable, "-m", "moderation", *args], input=stdin, capture_output=True,
                          cwd=REPO_ROOT, timeout=120)


def test_score_contract_with_malformed_lines(tiny_model_dir):
    lines = [
        json.dumps({"id": 1, "text": "What a load of bull$hit", "article": {"title": "Bus lanes", "body": "Council adds bus lanes"}}),
        json.dumps({"id": 2, "text": 5}),
        "not json",
        "",
        json.dumps({"id": "x", "text": "Nice piece on the bus lanes", "article": None}),
        json.dumps([1, 2]),
        json.dumps({"id": 7}),
        json.dumps({"id": 8, "text": "ok", "article": "a string"}),
        json.dumps({"id": 9, "text": "   "}),
    ]
    stdin = ("\n".join(lines) + "\n").encode() + b"\xff\xfe bad bytes\n" + json.dumps({"id": 11, "text": "last"}).encode()
    result = run(["score", "--model", str(tiny_model_dir)], stdin)
    assert result.returncode == 2
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(out) == 11  # one output line per input line, in order
    assert out[0]["id"] == 1 and set(out[0]) == {"id", "scores", "flags", "decision", "spans", "model_version"}
    assert out[0]["model_version"] == "tiny-1"
    assert out[1] == {"line": 2, "error": '"text" must be a string, got int'}
    assert out[2]["line"] == 3 and "invalid JSON" in out[2]["error"]
    assert out[3] == {"line": 4, "error": "empty line"}
    assert out[4]["id"] == "x" and "scores" in out[4]
    assert out[5]["line"] == 6 and "JSON object" in out[5]["error"]
    assert out[6] == {"line": 7, "error": 'missing field "text"'}
    assert out[7]["line"] == 8 and '"article"' in out[7]["error"]
    assert out[8] == {"line": 9, "error": '"text" is empty'}
    assert out[9]["line"] == 10 and "UTF-8" in out[9]["error"]
    assert out[10]["id"] == 11
    assert b"could not be scored" in result.stderr


def test_clean_input_exits_zero(tiny_model_dir):
    result = run(["score", "--model", str(tiny_model_dir)], b'{"id": 1, "text": "hello there"}\n')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == 1


def test_bad_model_path_is_an_error_line(tmp_path):
    result = run(["score", "--model", str(tmp_path)], b"")
    assert result.returncode == 2
    assert result.stderr.decode().startswith("error: no model at")


def test_bad_thresholds_file_is_an_error_line(tiny_model_dir, tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text('{"profanity": {"review": 7}}')
    result = run(["score", "--model", str(tiny_model_dir), "--thresholds", str(bad)], b"")
    assert result.returncode == 2 and "review threshold" in result.stderr.decode()


def test_thresholds_file_changes_the_decision(tiny_model_dir, tmp_path):
    strict = tmp_path / "t.json"
    strict.write_text('{"profanity": {"review": 0.0, "reject": 0.0}}')
    result = run(["score", "--model", str(tiny_model_dir), "--thresholds", str(strict)], b'{"id": 1, "text": "lovely day"}\n')
    assert json.loads(result.stdout)["decision"] == "reject"


def test_output_streams_before_the_input_ends(tiny_moderator):
    consumed = []
    written_when = []

    def source():
        for i in range(BATCH_LINES * 3):
            consumed.append(i)
            yield json.dumps({"id": i, "text": f"comment number {i}"}) + "\n"

    class Sink(io.StringIO):
        def write(self, text):
            written_when.append(len(consumed))
            return super().write(text)

    sink = Sink()
    assert score_stream(tiny_moderator, source(), sink) == 0
    assert len(sink.getvalue().splitlines()) == BATCH_LINES * 3
    # The first results were written after one batch was read, not after the whole input.
    assert written_when[0] <= BATCH_LINES + 1


def test_check_prints_scores_and_marks_spans(tiny_model_dir):
    result = run(["check", "You absolute f*cking idiot", "--model", str(tiny_model_dir),
                  "--article-title", "Bus lanes"], b"")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert "[[profanity: f*cking]]" in out
    assert "decision:" in out and "profanity" in out


@pytest.mark.parametrize("line, message", [
    ('{"text": "a", "article": {"title": 5}}', "article.title"),
    ("[]", "JSON object"),
    ("{", "invalid JSON"),
])
def test_parse_line_errors(line, message):
    with pytest.raises(LineError, match=message):
        parse_line(line)
