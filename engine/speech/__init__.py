"""Speech and typed phrases that direct the band: recognizers (audio -> text) and intents (text -> intent)."""

from .intents import parse_intent

__all__ = ["parse_intent"]
