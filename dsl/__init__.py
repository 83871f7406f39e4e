"""The pattern language: mini-notation, the patch language around it, and the pattern core.

It knows nothing of sound: it turns text into patterns, and patterns into events.
"""

from .errors import PatchError
from .patch import Patch, evaluate_expression, parse_patch
from .pattern import Event, Pattern, TimeSpan

__all__ = ["Event", "Patch", "PatchError", "Pattern", "TimeSpan", "evaluate_expression", "parse_patch"]
