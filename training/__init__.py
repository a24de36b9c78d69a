"""Training, retraining and evaluation of moderation models (imports `moderation`, never the reverse)."""
