"""One loader per public labelled corpus, mapping its files to `Example`s, plus the registry.

Each loader takes the corpus folder (as laid out under the shared data dir, see its SOURCE.md)
and yields `Example`s with our label names. Labels a corpus does not provide are left out
(unknown), never set to 0. Only the standard library is used, so loading stays fast and light.
"""

from __future__ import annotations

import csv
import html
import json
import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from moderation.labels import OFF_TOPIC, PROFANITY, SARCASM
from training.examples import TEST, TRAIN, UNSPLIT, Example

__all__ = ["CORPORA", "CorpusInfo", "article_swap_negatives", "clean_text", "load_corpus"]

_RETWEET_PREFIX = re.compile(r"^(?:\s*RT\s+@\w+\s*:?\s*)+")
_HTML_BREAK = re.compile(r"<br\s*/?>|</p>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


@dataclass(frozen=True)
class CorpusInfo:
    """What the trainer needs to know about a corpus: labels, licence, files, and how to load it."""

    name: str
    labels: tuple[str, ...]
    licence: str
    commercial_ok: bool
    files: tuple[str, ...]
    loader: Callable[[Path], Iterator[Example]]
    baseline: str = ""


def clean_text(text: str) -> str:
    """Unescape HTML entities, drop BOMs and leading "RT @user:" prefixes, trim whitespace."""
    # A second pass decodes the few double-escaped entities ("&amp;#8217;") the scrapers left.
    text = html.unescape(html.unescape(text or "")).replace("\ufeff", "")
    return _RETWEET_PREFIX.sub("", text).strip()


def _clean_markup(text: str) -> str:
    """As `clean_text`, for text stored as HTML (breaks, links, images as tags), as a reader sees it.

    Tags are removed before unescaping, so markup the author typed (escaped) stays visible.
    """
    return clean_text(_HTML_TAG.sub("", _HTML_BREAK.sub("\n", text or "")))


def _read_csv(path: Path, **kwargs) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f, **kwargs)


def _read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _xml_text(element: ET.Element | None) -> str:
    return "" if element is None else "".join(element.itertext())


# --- profanity ------------------------------------------------------------------------------

_DAVIDSON_CLASSES = {"0": "hate", "1": "offensive", "2": "neither"}


def load_davidson(folder: Path) -> Iterator[Example]:
    """Davidson et al. tweets: hate or offensive -> profanity 1, neither -> 0; 3-class kept in meta."""
    for row in _read_csv(folder / "labeled_data.csv"):
        text = clean_text(row["tweet"])
        if not text:
            continue
        klass = _DAVIDSON_CLASSES[row["class"]]
        yield Example(
            text=text,
            labels={PROFANITY: int(klass != "neither")},
            corpus="davidson_hate_offensive",
            split=UNSPLIT,
            meta={"class": klass},
        )


def _read_olid_tsv(path: Path) -> Iterator[dict[str, str]]:
    # Tweets carry stray quotes: without QUOTE_NONE rows merge and the counts come out wrong.
    return _read_csv(path, delimiter="\t", quoting=csv.QUOTE_NONE)


def load_olid(folder: Path) -> Iterator[Example]:
    """OLID level A: OFF -> profanity 1, NOT -> 0; official train and test files."""
    for row in _read_olid_tsv(folder / "olid-training-v1.0.tsv"):
        yield _olid_example(row["tweet"], row["subtask_a"], TRAIN)
    with (folder / "labels-levela.csv").open(encoding="utf-8", newline="") as f:
        gold = {tweet_id: label for tweet_id, label in csv.reader(f)}
    for row in _read_olid_tsv(folder / "testset-levela.tsv"):
        yield _olid_example(row["tweet"], gold[row["id"]], TEST)


def _olid_example(tweet: str, label: str, split: str) -> Example:
    if label not in ("OFF", "NOT"):
        raise ValueError(f"OLID: unexpected level-A label {label!r}")
    return Example(
        text=clean_text(tweet),
        labels={PROFANITY: int(label == "OFF")},
        corpus="olid_offenseval2019",
        split=split,
    )


def load_fox_news(folder: Path) -> Iterator[Example]:
    """Fox News comments: hateful -> profanity; every comment is under its own article (on topic)."""
    for row in _read_jsonl(folder / "fox-news-comments.json"):
        text = clean_text(row["text"])
        if not text:
            continue
        title = clean_text(row["title"])
        yield Example(
            text=text,
            labels={PROFANITY: int(row["label"]), OFF_TOPIC: 0},
            corpus="fox_news_hate_comments",
            split=UNSPLIT,
            group=title,
            article_title=title,
            article_body=clean_text(row["meta"]),
        )


def load_sfu(folder: Path) -> Iterator[Example]:
    """SFU SOCC comments: toxicity level 3-4 -> profanity 1, 1-2 -> 0; on topic under their article."""
    for row in _read_csv(folder / "SFU_constructiveness_toxicity.csv"):
        text = clean_text(row["comment"])
        if not text:
            continue
        level = int(row["is_toxic_popular_answer_1"])
        title = clean_text(row["title"]).removesuffix(" - The Globe and Mail")
        yield Example(
            text=text,
            labels={PROFANITY: int(level >= 3), OFF_TOPIC: 0},
            corpus="sfu_constructiveness_toxicity",
            split=UNSPLIT,
            group=title,
            article_title=title,
            meta={"toxicity": str(level)},
        )


# --- sarcasm --------------------------------------------------------------------------------


def load_isarcasmeval(folder: Path) -> Iterator[Example]:
    """iSarcasmEval English task A: author-intended sarcasm; official train and test files."""
    for name, column, split in (("train.En.csv", "tweet", TRAIN), ("task_A_En_test.csv", "text", TEST)):
        for row in _read_csv(folder / name):
            text = clean_text(row[column])
            if not text:  # one train row has an empty tweet
                continue
            yield Example(
                text=text,
                labels={SARCASM: int(row["sarcastic"])},
                corpus="isarcasmeval_semeval2022",
                split=split,
            )


_IAC_SUBSETS = ("GEN", "HYP", "RQ")


def load_iac(folder: Path) -> Iterator[Example]:
    """Sarcasm Corpus V2: sarc -> sarcasm 1, notsarc -> 0, subset (GEN/HYP/RQ) in meta."""
    for subset in _IAC_SUBSETS:
        for row in _read_csv(folder / f"{subset}-sarc-notsarc.csv"):
            text = clean_text(row["text"])
            if not text:
                continue
            if row["class"] not in ("sarc", "notsarc"):
                raise ValueError(f"IAC {subset}: unexpected class {row['class']!r}")
            yield Example(
                text=text,
                labels={SARCASM: int(row["class"] == "sarc")},
                corpus="sarcasm_corpus_v2_iac",
                split=UNSPLIT,
                meta={"subset": subset},
            )


_FIGLANG_FILES = tuple(
    (platform, f"{platform}/sarcasm_detection_shared_task_{platform}_{part}.jsonl", split)
    for platform in ("reddit", "twitter")
    for part, split in (("training", TRAIN), ("testing", TEST))
)


def load_figlang(folder: Path) -> Iterator[Example]:
    """FigLang 2020: the response alone (a thread is not an article); official train/test files."""
    for platform, name, split in _FIGLANG_FILES:
        for row in _read_jsonl(folder / name):
            text = clean_text(row["response"])
            if not text:
                continue
            if row["label"] not in ("SARCASM", "NOT_SARCASM"):
                raise ValueError(f"FigLang {name}: unexpected label {row['label']!r}")
            yield Example(
                text=text,
                labels={SARCASM: int(row["label"] == "SARCASM")},
                corpus="figlang2020_sarcasm",
                split=split,
                meta={"platform": platform},
            )


def load_ucc(folder: Path) -> Iterator[Example]:
    """Unhealthy Comments Corpus: crowd-perceived sarcasm; val -> train, test -> test."""
    for name, split in (("val.csv", TRAIN), ("test.csv", TEST)):
        for row in _read_csv(folder / name):
            text = clean_text(row["comment"])
            if not text:
                continue
            yield Example(
                text=text,
                labels={SARCASM: int(row["sarcastic"])},
                corpus="ucc_unhealthy_comments",
                split=split,
            )


# --- off topic ------------------------------------------------------------------------------

_CQA2016_FILES = (
    ("SemEval2016-Task3-CQA-QL-train-part2-subtaskA.xml", TRAIN),
    ("SemEval2016-Task3-CQA-QL-dev-subtaskA.xml", TEST),
)
_CQA2016_OFF_TOPIC = {"Good": 0, "PotentiallyUseful": 0, "Bad": 1}


def load_semeval2016(folder: Path) -> Iterator[Example]:
    """SemEval-2016 Task 3 A: Bad -> off topic, Good/PotentiallyUseful -> on topic, vs. its question."""
    for name, split in _CQA2016_FILES:
        for thread in ET.parse(folder / name).getroot().iter("Thread"):
            question = thread.find("RelQuestion")
            question_id = question.get("RELQ_ID")
            title = clean_text(_xml_text(question.find("RelQSubject")))
            body = clean_text(_xml_text(question.find("RelQBody")))
            for comment in thread.iter("RelComment"):
                text = clean_text(_xml_text(comment.find("RelCText")))
                if not text:
                    continue
                relevance = comment.get("RELC_RELEVANCE2RELQ")
                yield Example(
                    text=text,
                    labels={OFF_TOPIC: _CQA2016_OFF_TOPIC[relevance]},
                    corpus="semeval2016_task3_cqa",
                    split=split,
                    group=question_id,
                    article_title=title,
                    article_body=body,
                    meta={"question_id": question_id, "relevance": relevance},
                )


_CQA2015_FILES = (
    ("CQA-QL-devel-input.xml", "CQA-QL-devel-gold.txt", TRAIN),
    ("test_task3_English.xml", "CQA-QL-test-gold.txt", TEST),
)
_CQA2015_OFF_TOPIC = {"Good": 0, "Potential": 0, "Bad": 1, "Dialogue": 1, "Not English": 1, "Other": 1}


def load_semeval2015(folder: Path) -> Iterator[Example]:
    """SemEval-2015 Task 3 A: Bad/Dialogue/Not English/Other -> off topic; CBody only.

    CSubject is skipped: it is often "RE: <question subject>", which leaks the question.
    """
    for xml_name, gold_name, split in _CQA2015_FILES:
        gold = _read_cqa2015_gold(folder / gold_name)
        for question in ET.parse(folder / xml_name).getroot().iter("Question"):
            question_id = question.get("QID")
            title = clean_text(_xml_text(question.find("QSubject")))
            body = _clean_markup(_xml_text(question.find("QBody")))
            for comment in question.iter("Comment"):
                text = _clean_markup(_xml_text(comment.find("CBody")))
                relevance = gold[comment.get("CID")]
                if not text:
                    continue
                yield Example(
                    text=text,
                    labels={OFF_TOPIC: _CQA2015_OFF_TOPIC[relevance]},
                    corpus="semeval2015_task3_cqa",
                    split=split,
                    group=question_id,
                    article_title=title,
                    article_body=body,
                    meta={"question_id": question_id, "relevance": relevance},
                )


def _read_cqa2015_gold(path: Path) -> dict[str, str]:
    gold = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                comment_id, label = line.rstrip("\r\n").split("\t")
                gold[comment_id] = label.strip()
    return gold


# Our own wording: the corpus names each event only by its file name.
_CRISISLEX_EVENTS = {
    "2012_Sandy_Hurricane": (
        "Hurricane Sandy (2012)",
        "Hurricane Sandy reached the east coast of the United States at the end of October 2012, "
        "flooding parts of New York and New Jersey and leaving millions without power.",
    ),
    "2013_Alberta_Floods": (
        "Alberta floods (2013)",
        "Heavy rain in June 2013 caused rivers in southern Alberta, Canada, to flood Calgary and "
        "nearby towns, forcing tens of thousands of people from their homes.",
    ),
    "2013_Boston_Bombings": (
        "Boston Marathon bombings (2013)",
        "Two bombs exploded near the finish line of the Boston Marathon on 15 April 2013, killing "
        "three people and injuring hundreds, and a manhunt for the suspects followed.",
    ),
    "2013_Oklahoma_Tornado": (
        "Moore, Oklahoma tornado (2013)",
        "A violent tornado tore through Moore, Oklahoma, near Oklahoma City, on 20 May 2013, "
        "destroying homes and schools.",
    ),
    "2013_Queensland_Floods": (
        "Queensland floods (2013)",
        "In January 2013 the remains of a tropical cyclone brought heavy rain and floods to "
        "Queensland, Australia, including Bundaberg and Brisbane.",
    ),
    "2013_West_Texas_Explosion": (
        "West Texas fertilizer plant explosion (2013)",
        "A fire at a fertilizer plant in the town of West, Texas, set off a huge explosion on "
        "17 April 2013 that killed fifteen people and damaged homes and schools nearby.",
    ),
}
_CRISISLEX_TEST_EVENT = "2013_West_Texas_Explosion"  # leave-one-event-out


def load_crisislex(folder: Path) -> Iterator[Example]:
    """CrisisLexT6: tweets judged on/off topic for a named crisis; West Texas is held out as test."""
    for event, (title, body) in _CRISISLEX_EVENTS.items():
        split = TEST if event == _CRISISLEX_TEST_EVENT else TRAIN
        for row in _read_csv(folder / f"{event}-ontopic_offtopic.csv", skipinitialspace=True):
            text = clean_text(row["tweet"])
            if not text:
                continue
            if row["label"] not in ("on-topic", "off-topic"):
                raise ValueError(f"CrisisLex {event}: unexpected label {row['label']!r}")
            yield Example(
                text=text,
                labels={OFF_TOPIC: int(row["label"] == "off-topic")},
                corpus="crisislex_t6_ontopic",
                split=split,
                group=event,
                article_title=title,
                article_body=body,
            )


_YOUTUBE_VIDEOS = {
    "Youtube01-Psy": "PSY - Gangnam Style (official music video)",
    "Youtube02-KatyPerry": "Katy Perry - Roar (official music video)",
    "Youtube03-LMFAO": "LMFAO - Party Rock Anthem ft. Lauren Bennett, GoonRock (official music video)",
    "Youtube04-Eminem": "Eminem - Love The Way You Lie ft. Rihanna (official music video)",
    "Youtube05-Shakira": "Shakira - Waka Waka (This Time for Africa) (official music video)",
}
_YOUTUBE_TEST_VIDEO = "Youtube05-Shakira"  # leave-one-video-out


def load_youtube(folder: Path) -> Iterator[Example]:
    """YouTube Spam Collection: spam -> off topic under its music video; Shakira held out as test.

    AUTHOR (personal data) is never read into the examples.
    """
    for video, title in _YOUTUBE_VIDEOS.items():
        split = TEST if video == _YOUTUBE_TEST_VIDEO else TRAIN
        for row in _read_csv(folder / f"{video}.csv"):
            text = _clean_markup(row["CONTENT"])
            if not text:
                continue
            yield Example(
                text=text,
                labels={OFF_TOPIC: int(row["CLASS"])},
                corpus="youtube_spam_collection",
                split=split,
                group=video,
                article_title=title,
            )


# --- registry -------------------------------------------------------------------------------

CORPORA: dict[str, CorpusInfo] = {
    info.name: info
    for info in (
        CorpusInfo(
            name="davidson_hate_offensive",
            labels=(PROFANITY,),
            licence="MIT",
            commercial_ok=True,
            files=("labeled_data.csv",),
            loader=load_davidson,
            baseline="Davidson LR, 10% held out: weighted F1 .90 (3 classes), hate-class F1 .51",
        ),
        CorpusInfo(
            name="olid_offenseval2019",
            labels=(PROFANITY,),
            licence="none stated (cite; tweets)",
            commercial_ok=True,
            files=("olid-training-v1.0.tsv", "testset-levela.tsv", "labels-levela.csv"),
            loader=load_olid,
            baseline="OLID level A test macro-F1: SVM .69, BiLSTM .75, CNN .80",
        ),
        CorpusInfo(
            name="fox_news_hate_comments",
            labels=(PROFANITY, OFF_TOPIC),
            licence="MIT",
            commercial_ok=True,
            files=("fox-news-comments.json",),
            loader=load_fox_news,
        ),
        CorpusInfo(
            name="sfu_constructiveness_toxicity",
            labels=(PROFANITY, OFF_TOPIC),
            licence="CC BY-NC-SA 4.0",
            commercial_ok=False,
            files=("SFU_constructiveness_toxicity.csv",),
            loader=load_sfu,
        ),
        CorpusInfo(
            name="isarcasmeval_semeval2022",
            labels=(SARCASM,),
            licence="MIT",
            commercial_ok=True,
            files=("train.En.csv", "task_A_En_test.csv"),
            loader=load_isarcasmeval,
            baseline="iSarcasmEval task A English, best sarcastic-class F1 .6052 (secondary source)",
        ),
        CorpusInfo(
            name="sarcasm_corpus_v2_iac",
            labels=(SARCASM,),
            licence="none stated (cite)",
            commercial_ok=True,
            files=tuple(f"{subset}-sarc-notsarc.csv" for subset in _IAC_SUBSETS),
            loader=load_iac,
        ),
        CorpusInfo(
            name="figlang2020_sarcasm",
            labels=(SARCASM,),
            licence="none stated (cite)",
            commercial_ok=True,
            files=tuple(name for _, name, _ in _FIGLANG_FILES),
            loader=load_figlang,
            baseline="FigLang 2020 Twitter test F1 .790 (transformer ensemble with context, 2nd place)",
        ),
        CorpusInfo(
            name="ucc_unhealthy_comments",
            labels=(SARCASM,),
            licence="CC BY-NC-SA 4.0",
            commercial_ok=False,
            files=("val.csv", "test.csv"),
            loader=load_ucc,
            baseline="UCC sarcastic ROC-AUC: fine-tuned BERT .64, held-out human annotator .72",
        ),
        CorpusInfo(
            name="semeval2016_task3_cqa",
            labels=(OFF_TOPIC,),
            licence="free for general research use",
            commercial_ok=False,
            files=tuple(name for name, _ in _CQA2016_FILES),
            loader=load_semeval2016,
            baseline="SemEval-2016 3A test (not dev): best MAP 79.19, F1 64.36; random MAP 52.80",
        ),
        CorpusInfo(
            name="semeval2015_task3_cqa",
            labels=(OFF_TOPIC,),
            licence="free for general research use",
            commercial_ok=False,
            files=tuple(name for pair in _CQA2015_FILES for name in pair[:2]),
            loader=load_semeval2015,
            baseline="SemEval-2015 3A English test: best macro-F1 57.19 (Good/Potential/Bad)",
        ),
        CorpusInfo(
            name="crisislex_t6_ontopic",
            labels=(OFF_TOPIC,),
            licence="MIT (repository; tweets)",
            commercial_ok=True,
            files=tuple(f"{event}-ontopic_offtopic.csv" for event in _CRISISLEX_EVENTS),
            loader=load_crisislex,
        ),
        CorpusInfo(
            name="youtube_spam_collection",
            labels=(OFF_TOPIC,),
            licence="none stated (cite TubeSpam, notify authors)",
            commercial_ok=True,
            files=tuple(f"{video}.csv" for video in _YOUTUBE_VIDEOS),
            loader=load_youtube,
            baseline="TubeSpam: LinearSVC TF-IDF 10-fold CV accuracy 95.33%, F1 95.32% (Airlangga 2024)",
        ),
    )
}


def load_corpus(data_dir: Path, name: str) -> list[Example]:
    """Load one registered corpus from `data_dir/<name>/`, failing loudly on a missing folder or file."""
    try:
        info = CORPORA[name]
    except KeyError:
        raise KeyError(f"unknown corpus {name!r}; known: {', '.join(sorted(CORPORA))}") from None
    folder = Path(data_dir) / name
    if not folder.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {folder} (is the data dir {data_dir} right?)")
    missing = [file for file in info.files if not (folder / file).is_file()]
    if missing:
        raise FileNotFoundError(f"corpus {name!r} is missing file(s) in {folder}: {', '.join(missing)}")
    return list(info.loader(folder))


def article_swap_negatives(examples: Iterable[Example], seed: int) -> list[Example]:
    """Copy each on-topic example under an article from another group of its corpus, as off topic.

    Teaches "this comment belongs under a different article". Each group's article is the first
    one seen for it. Examples without an article, without off_topic == 0, or with no other
    group (with a different article) in their corpus are skipped. Deterministic for a given
    seed and input order.
    """
    examples = list(examples)
    articles: dict[str, dict[str, tuple[str, str]]] = {}  # corpus -> group -> (title, body)
    for example in examples:
        if example.has_article:
            articles.setdefault(example.corpus, {}).setdefault(
                example.group, (example.article_title, example.article_body)
            )
    rng = random.Random(seed)
    swapped = []
    for example in examples:
        if not example.has_article or example.labels.get(OFF_TOPIC) != 0:
            continue
        own = (example.article_title, example.article_body)
        others = sorted(
            group
            for group, article in articles[example.corpus].items()
            if group != example.group and article != own
        )
        if not others:
            continue
        title, body = articles[example.corpus][rng.choice(others)]
        swapped.append(
            replace(
                example,
                labels={OFF_TOPIC: 1},
                corpus=f"{example.corpus}+swap",
                article_title=title,
                article_body=body,
                meta={"swap": "1"},
            )
        )
    return swapped
