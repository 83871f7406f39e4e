"""Words -> intent: one parser for what the performer says or types (issue 7).

`parse_intent("switch to jazz")` gives `{"name": "style", "args": {"style": "jazz"}}`, or None
when the phrase means nothing to the band (the console then shows what was heard and that
nothing changed). The phrases live in `intents.lark`; the recognizers' grammar is generated from
the same file (`speech_grammar`), so a phrase the recognizer can hear is always one the parser
understands.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any, Iterator

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError
from lark.lexer import PatternRE

Intent = dict[str, Any]  # {"name": str, "args": {str: str | int}}

INTENT_NAMES = ("style", "tempo", "key", "add_instrument", "drop_instrument", "feel", "dynamics",
                "structure", "rating", "transport")
TEMPO_RANGE = (20, 300)  # beats per minute a band can play; other numbers are misheard or mistyped

_parser = Lark(Path(__file__).with_name("intents.lark").read_text(encoding="utf-8"), start="command",
               parser="lalr")

_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen " \
         "fifteen sixteen seventeen eighteen nineteen".split()
_DECADES = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORDS = {word: value for value, word in enumerate(_UNITS)} | \
               {word: 20 + 10 * i for i, word in enumerate(_DECADES)}


def parse_intent(text: str) -> Intent | None:
    """The intent a phrase asks for, or None when it asks for nothing the band knows."""
    words = normalize(text)
    if not words:
        return None
    return _parse_words(words)


@lru_cache(maxsize=1024)
def _parse_words(words: str) -> Intent | None:
    try:
        if not _whole_words(words):
            return None
        return _ToIntent().transform(_parser.parse(words))
    except LarkError:
        return None


def _whole_words(words: str) -> bool:
    """Whether every token the lexer finds ends at a word's end ("into" is not "in" + "to")."""
    for token in _parser.lex(words):
        if token.end_pos < len(words) and words[token.end_pos] != " ":
            return False
    return True


def normalize(text: str) -> str:
    """Typed or heard text as the grammar's words: lowercase, no punctuation, "Eb" -> "e flat"."""
    text = text.lower().replace("\u2019", "'").replace("\u266d", "b").replace("\u266f", "#")
    text = re.sub(r"(\d)(bpm)\b", r"\1 \2", text)
    text = re.sub(r"\b([a-g])([b#])(?=\s|$|[^\w#])", lambda m: f"{m[1]} {'flat' if m[2] == 'b' else 'sharp'}",
                  text)
    text = re.sub(r"[^a-z0-9_#' ]+", " ", text)
    return " ".join(word.strip("'") for word in text.split() if word.strip("'"))


def _intent(name: str, **args: Any) -> Intent:
    return {"name": name, "args": args}


class _ToIntent(Transformer):
    """Parse tree -> intent. Aliased alternatives in the grammar name their canonical value."""

    def __default__(self, data, children, meta):
        if children:  # only a leaf alias (-> value) comes here; any other rule needs a method
            raise TypeError(f"intents.lark: rule {data!r} has no transformer method")
        return str(data)

    def command(self, children):
        return children[0]

    # -- intents ----------------------------------------------------------------------------
    def style(self, children):
        return _intent("style", style=children[0])

    def tempo(self, children):
        value = children[0]
        if isinstance(value, str):
            return _intent("tempo", change=value)
        low, high = TEMPO_RANGE
        return _intent("tempo", bpm=value) if low <= value <= high else None

    def key(self, children):
        tonic, mode = (children + ["major"])[:2]
        return _intent("key", tonic=tonic, mode=mode)

    def add_instrument(self, children):
        return _intent("add_instrument", instrument=children[0])

    def drop_instrument(self, children):
        return _intent("drop_instrument", instrument=children[0])

    def feel(self, children):
        if len(children) == 1:  # "swing it" / "straight": the swing knob, on or off
            return _intent("feel", knob="swing", change=children[0])
        change, knob = children
        return _intent("feel", knob=knob, change=change)

    def dynamics(self, children):
        return _intent("dynamics", change=children[0])

    def structure(self, children):
        return _intent("structure", action=children[0])

    def rating(self, children):
        value = children[0] if isinstance(children[0], int) else NUMBER_WORDS[children[0]]
        return _intent("rating", value=value) if 1 <= value <= 5 else None

    def transport(self, children):
        return _intent("transport", action=children[0])

    # -- values -----------------------------------------------------------------------------
    def instrument(self, children):  # a typed sound name: itself
        return str(children[0])

    def tonic(self, children):
        letter, *accidental = children
        return letter.upper() + {"flat": "b", "sharp": "#"}.get(accidental[0] if accidental else "", "")

    def letter(self, children):
        return str(children[0])

    def _word_value(self, children):
        token = children[0]
        return int(token) if token.type == "INT" else NUMBER_WORDS[str(token)]

    digit = teen = decade = score = _word_value

    def number(self, children):
        value = children[0]
        return int(value) if isinstance(value, Token) else value

    def below_hundred(self, children):
        return children[0]

    def two_digits(self, children):
        return sum(children)

    def hundreds(self, children):
        return children[0] * 100 + sum(children[1:])

    def hundred_count(self, children):
        return children[0] if isinstance(children[0], int) else 1  # "a hundred"


# -- the speech grammar, generated from the same rules ---------------------------------------------
def _spoken_rules() -> dict[str, list[list]]:
    """Lark's compiled rules (BNF) without the typed-only alternatives (those with a regex terminal).

    Returns {rule name: [expansion, ...]} where an expansion is a list of words (str, from string
    literals) and rule references (lark NonTerminal).
    """
    patterns = {t.name: t.pattern for t in _parser.terminals}
    rules: dict[str, list[list]] = {}
    for rule in _parser.rules:
        if any(sym.is_term and isinstance(patterns[sym.name], PatternRE) for sym in rule.expansion):
            continue
        expansion = [sym if not sym.is_term else patterns[sym.name].value for sym in rule.expansion]
        rules.setdefault(rule.origin.name, []).append(expansion)
    changed = True
    while changed:  # drop the alternatives that lean on a rule left with none
        changed = False
        for name, expansions in list(rules.items()):
            kept = [e for e in expansions if all(isinstance(s, str) or s.name in rules for s in e)]
            if len(kept) != len(expansions):
                changed = True
                if kept:
                    rules[name] = kept
                else:
                    del rules[name]
    return rules


@lru_cache(maxsize=1)
def speech_grammar() -> str:
    """The spoken phrases as a JSGF grammar (public rule <command>), for grammar-restricted recognition."""
    def alternative(expansion: list) -> str:
        return " ".join(s if isinstance(s, str) else f"<{s.name}>" for s in expansion) or "<NULL>"

    lines = ["#JSGF V1.0;", "grammar jam;"]
    for name, expansions in _spoken_rules().items():
        body = " | ".join(f"({alternative(e)})" for e in expansions)
        lines.append(f"{'public ' if name == 'command' else ''}<{name}> = {body};")
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def spoken_words() -> frozenset[str]:
    """Every word of the speech grammar (each must be in the recognizer's dictionary)."""
    return frozenset(word for expansions in _spoken_rules().values() for expansion in expansions
                     for item in expansion if isinstance(item, str) for word in item.split())


def spoken_phrases() -> Iterator[str]:
    """Every phrase of the speech grammar (a finite set: the grammar has no repetition)."""
    rules = _spoken_rules()

    def phrases(name: str) -> Iterator[str]:
        for expansion in rules[name]:
            parts = [[item] if isinstance(item, str) else list(phrases(item.name)) for item in expansion]
            for combination in product(*parts):
                yield " ".join(p for p in combination if p)

    return phrases("command")
