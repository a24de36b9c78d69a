"""The three label names, named once and used everywhere (model, API, policy, queue, UI)."""

PROFANITY = "profanity"
SARCASM = "sarcasm"
OFF_TOPIC = "off_topic"

LABELS: tuple[str, ...] = (PROFANITY, SARCASM, OFF_TOPIC)

DECISIONS: tuple[str, ...] = ("publish", "review", "reject")
