"""Comment moderation: score comments for profanity, sarcasm and off-topic content.

    from moderation import Moderator, Article
    verdict = Moderator.load().score("text", article=Article(title="...", body="..."))

Importing this package does no work: the model is read by `Moderator.load()`.
"""

from .labels import DECISIONS, LABELS, OFF_TOPIC, PROFANITY, SARCASM
from .model_file import ModelLoadError
from .moderator import Article, Moderator, Verdict
from .policy import DEFAULT_THRESHOLDS, Threshold, decide

__version__ = "0.1.0"

__all__ = [
    "Moderator", "Article", "Verdict", "ModelLoadError", "Threshold", "DEFAULT_THRESHOLDS", "decide",
    "LABELS", "PROFANITY", "SARCASM", "OFF_TOPIC", "DECISIONS", "__version__",
]
