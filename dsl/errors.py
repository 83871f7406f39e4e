"""Errors a performer can read: one line, with the place it happened and a hint."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass
class PatchError(Exception):
    """A mistake in a patch, at a 1-based line and column of the patch text."""

    message: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"

    def format(self, filename: str) -> str:
        return f"{filename}:{self.line}:{self.column}: {self.message}"


def did_you_mean(word: str, candidates) -> str:
    """' — did you mean `x`?' for the closest candidate, or ''."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" — did you mean `{close[0]}`?" if close else ""
