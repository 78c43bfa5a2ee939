"""optout: checks whether Meta's AI-training objection forms exist and can be reached."""

__version__ = "0.1.0"
