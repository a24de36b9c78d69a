"""Command line: `python -m moderation score` (JSON Lines in, JSON Lines out) and `check` (for people).

    python -m moderation score [--model PATH] [--thresholds FILE] < in.jsonl > out.jsonl
    python -m moderation check "some text" [--article-title ...] [--article-body ...]

`score` streams: it reads a batch of lines, scores them together, writes them and moves on,
so memory stays flat however large the file. A malformed line gets {"line": N, "error": ...}
in its place and the exit status is 2; every other line is still scored.
"""

from __future__ import annotations

import argparse
import json
import sys
from itertools import islice
from typing import IO, Iterator

from .labels import LABELS
from .model_file import ModelLoadError
from .moderator import Article, Moderator

__all__ = ["main", "parse_line"]

BATCH_LINES = 512
EXIT_OK, EXIT_LINE_ERRORS, EXIT_USAGE = 0, 2, 2


class LineError(ValueError):
    """A line of input that cannot be scored; the message says what is wrong."""


def parse_line(line: str | bytes) -> tuple[object, str, Article | None]:
    """(id, text, article) from one JSON line, or LineError naming the problem."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise LineError(f"not valid UTF-8 (byte {error.start})") from None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise LineError(f"invalid JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(record, dict):
        raise LineError(f"expected a JSON object, got {type(record).__name__}")
    if "text" not in record:
        raise LineError('missing field "text"')
    text = record["text"]
    if not isinstance(text, str):
        raise LineError(f'"text" must be a string, got {type(text).__name__}')
    if not text.strip():
        raise LineError('"text" is empty')
    article = record.get("article")
    if article is not None:
        if not isinstance(article, dict):
            raise LineError(f'"article" must be an object with "title" and "body" or null, got {type(article).__name__}')
        for field in ("title", "body"):
            if article.get(field) is not None and not isinstance(article[field], str):
                raise LineError(f'"article.{field}" must be a string')
        article = Article(title=article.get("title") or "", body=article.get("body") or "")
    return record.get("id"), text, article


def _batches(stream) -> Iterator[list[tuple[int, str | bytes]]]:
    numbered = enumerate(stream, 1)
    while True:
        batch = list(islice(numbered, BATCH_LINES))
        if not batch:
            return
        yield batch


def score_stream(moderator: Moderator, source, sink: IO[str]) -> int:
    """Score every line of `source` into `sink`; returns the number of failed lines."""
    failures = 0
    for batch in _batches(source):
        parsed: list[tuple[int, object]] = []
        to_score = []
        for number, line in batch:
            if not line.strip():  # works for str and bytes
                parsed.append((number, LineError("empty line")))
                continue
            try:
                record_id, text, article = parse_line(line)
            except LineError as error:
                parsed.append((number, error))
                continue
            parsed.append((number, record_id))
            to_score.append((text, article))
        verdicts = iter(moderator.score_many(to_score))
        for number, outcome in parsed:
            if isinstance(outcome, LineError):
                failures += 1
                out = {"line": number, "error": str(outcome)}
            else:
                out = {"id": outcome, **next(verdicts).to_dict()}
            sink.write(json.dumps(out, ensure_ascii=False) + "\n")
        sink.flush()
    return failures


def _load(args) -> Moderator:
    overrides = None
    if args.thresholds:
        try:
            with open(args.thresholds, encoding="utf-8") as handle:
                overrides = json.load(handle)
        except (OSError, ValueError) as error:
            raise ModelLoadError(f"cannot read thresholds file {args.thresholds}: {error}") from None
    try:
        return Moderator.load(args.model, thresholds=overrides)
    except ValueError as error:  # a bad thresholds file
        raise ModelLoadError(f"{args.thresholds}: {error}") from None


_COLOURS = {"profanity": "\033[41;97m", "sarcasm": "\033[43;30m", "off_topic": "\033[44;97m"}
_RESET = "\033[0m"


def highlight(text: str, spans: list[dict], colour: bool) -> str:
    """The text with each span marked: coloured on a terminal, [[label: ...]] otherwise."""
    out, position = [], 0
    for span in sorted(spans, key=lambda s: s["start"]):
        if span["start"] < position:
            continue
        out.append(text[position:span["start"]])
        piece = text[span["start"]:span["end"]]
        out.append(f"{_COLOURS[span['label']]}{piece}{_RESET}" if colour else f"[[{span['label']}: {piece}]]")
        position = span["end"]
    out.append(text[position:])
    return "".join(out)


def _check(args) -> int:
    moderator = _load(args)
    article = None
    if args.article_title or args.article_body:
        article = Article(title=args.article_title or "", body=args.article_body or "")
    verdict = moderator.score(args.text, article=article)
    colour = sys.stdout.isatty()
    print(highlight(args.text, verdict.spans, colour))
    print()
    for label in LABELS:
        score = verdict.scores[label]
        bar = "#" * round(score * 20)
        mark = "  <- flagged" if label in verdict.flags else ""
        print(f"  {label:<10} {score:6.3f}  {bar:<20}{mark}")
    print(f"\n  decision: {verdict.decision}    model: {verdict.model_version}"
          f"{'' if article else '    (no article: off-topic judged on spam/lyrics only)'}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m moderation", description="Score comments for moderation.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("score", "score JSON Lines from stdin to stdout"), ("check", "score one text for a person")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--model", default=None, help="model directory (default: the shipped model)")
        command.add_argument("--thresholds", default=None, help='JSON file: {"profanity": {"review": 0.5, "reject": 0.9}, ...}')
        if name == "check":
            command.add_argument("text", help="the comment")
            command.add_argument("--article-title", default=None)
            command.add_argument("--article-body", default=None)
    return parser


def main(argv=None, stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        moderator = _load(args)
    except ModelLoadError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    source = stdin if stdin is not None else sys.stdin.buffer  # bytes: a bad line is reported, not fatal
    sink = stdout or sys.stdout
    failures = score_stream(moderator, source, sink)
    if failures:
        print(f"error: {failures} line(s) could not be scored; see the \"error\" objects in the output",
              file=sys.stderr)
        return EXIT_LINE_ERRORS
    return EXIT_OK
