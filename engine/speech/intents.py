"""Words -> intent: one parser for what the performer says or types (issue 7).

`parse_intent("switch to jazz")` gives `{"name": "style", "args": {"style": "jazz"}}`, or None
when the phrase means nothing to the band (the console then shows what was heard and that
nothing changed). The phrases live in `intents.lark`; the recognizers' grammar is generated from
the same file (`speech_automaton`), so a phrase the recognizer can hear is always one the parser
understands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput
from lark.lexer import PatternRE

Intent = dict[str, Any]  # {"name": str, "args": {str: str | int}}

TEMPO_RANGE = (20, 300)  # beats per minute a band can play; other numbers are misheard or mistyped


def _load_grammar() -> Lark:
    """intents.lark with each literal of several words split into one literal a word."""
    text = Path(__file__).with_name("intents.lark").read_text(encoding="utf-8")
    text = re.sub(r'"([^"\n]*)"', lambda m: " ".join(f'"{word}"' for word in m[1].split()), text)
    return Lark(text, start="command", parser="earley", lexer="basic")


_parser = _load_grammar()

_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen " \
         "fifteen sixteen seventeen eighteen nineteen".split()
_DECADES = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORDS = {word: value for value, word in enumerate(_UNITS)} | \
               {word: 20 + 10 * i for i, word in enumerate(_DECADES)}


def parse_intent(text: str) -> Intent | None:
    """The intent a phrase asks for, or None when it asks for nothing the band knows."""
    words = normalize(text)
    try:
        if not words or not _whole_words(words):
            return None
        tree = _parser.parse(words)
    except UnexpectedInput:
        return None
    return _ToIntent().transform(tree)


def _whole_words(words: str) -> bool:
    """Whether every token the lexer finds ends at a word's end ("into" is not "in" + "to")."""
    return all(token.end_pos == len(words) or words[token.end_pos] == " " for token in _parser.lex(words))


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
        return letter.upper() + "".join({"flat": "b", "sharp": "#"}[a] for a in accidental)

    def letter(self, children):
        return str(children[0])

    def _word_value(self, children):
        token = children[0]
        if token.type == "INT":
            return int(token)
        return 1 if token == "a" else NUMBER_WORDS[token]  # "a hundred"

    digit = teen = decade = hundred_count = hundred_digit = score = _word_value

    def bpm(self, children):
        return int(children[0]) if isinstance(children[0], Token) else sum(children)

    def two_digits(self, children):
        return sum(children)

    def hundreds(self, children):
        return children[0] * 100 + sum(children[1:])


# -- the speech grammar: the same rules as a minimal word automaton --------------------------------
# Recognizers search this automaton (pocketsphinx as an FSG, vosk through its phrase list). It is
# built here rather than handed over as JSGF: pocketsphinx expands every JSGF rule reference into a
# copy of the rule, which for these rules gave a 30,890-state graph and 12 s of decoding per phrase;
# the minimal automaton of the same phrases has about 160 states and 1,400 arcs (30 ms a phrase).
_Arcs = list[dict[str, int]]  # per state: word -> next state (state 0 is the start)


@dataclass(frozen=True)
class WordAutomaton:
    """The spoken phrases as a minimal deterministic automaton over words."""

    arcs: tuple[dict[str, int], ...]
    finals: frozenset[int]

    def accepts(self, words: str) -> bool:
        state: int | None = 0
        for word in words.split():
            state = self.arcs[state].get(word)
            if state is None:
                return False
        return state in self.finals

    def words(self) -> frozenset[str]:
        """Every word (each must be in the recognizer's dictionary)."""
        return frozenset(word for arcs in self.arcs for word in arcs)

    def covering_phrases(self) -> list[str]:
        """A few phrases that together take every arc: the shortest way through each one."""
        prefix: dict[int, list[str]] = {0: []}
        for state in range(len(self.arcs)):  # states are numbered in breadth-first order
            for word, target in self.arcs[state].items():
                prefix.setdefault(target, prefix[state] + [word])
        suffix: dict[int, list[str]] = {state: [] for state in self.finals}
        changed = True
        while changed:
            changed = False
            for state, arcs in enumerate(self.arcs):
                for word, target in arcs.items():
                    if target in suffix and (state not in suffix or
                                             len(suffix[target]) + 1 < len(suffix[state])):
                        suffix[state] = [word] + suffix[target]
                        changed = True
        return sorted({" ".join(prefix[state] + [word] + suffix[target])
                       for state, arcs in enumerate(self.arcs) for word, target in arcs.items()})


@lru_cache(maxsize=1)
def speech_automaton() -> WordAutomaton:
    """The phrases of intents.lark without the typed-only forms, as a minimal word automaton."""
    rules = _spoken_rules()

    @lru_cache(maxsize=None)
    def rule_automaton(name: str) -> tuple[_Arcs, frozenset[int]]:
        arcs: list[list[tuple[str | None, int]]] = [[], []]  # start 0, end 1; None: no word
        for expansion in rules[name]:
            here = 0
            for item in expansion:
                if isinstance(item, str):
                    for word in item.split():
                        arcs.append([])
                        arcs[here].append((word, len(arcs) - 1))
                        here = len(arcs) - 1
                else:
                    sub_arcs, sub_finals = rule_automaton(item.name)
                    offset = len(arcs)
                    arcs.extend([(word, target + offset) for word, target in state.items()] for state in sub_arcs)
                    arcs[here].append((None, offset))
                    arcs.append([])
                    here = len(arcs) - 1
                    for final in sub_finals:
                        arcs[final + offset].append((None, here))
            arcs[here].append((None, 1))
        return _minimal(arcs, {0}, {1})

    arcs, finals = rule_automaton("command")
    return WordAutomaton(tuple(arcs), finals)


def _spoken_rules() -> dict[str, list[list]]:
    """Lark's compiled rules (BNF) without the typed-only alternatives (those with a regex terminal).

    {rule name: [expansion, ...]}: an expansion lists words (str, from a string literal, maybe
    several words) and rule references (lark NonTerminal).
    """
    patterns = {t.name: t.pattern for t in _parser.terminals}
    rules: dict[str, list[list]] = {}
    for rule in _parser.rules:
        if rule.origin.name.lstrip("_").startswith("typed_"):
            continue
        if not any(sym.is_term and isinstance(patterns[sym.name], PatternRE) for sym in rule.expansion):
            expansion = [patterns[sym.name].value if sym.is_term else sym for sym in rule.expansion]
            rules.setdefault(rule.origin.name, []).append(expansion)
    changed = True
    while changed:  # drop the alternatives that lean on a rule left with none
        changed = False
        for name, expansions in list(rules.items()):
            kept = [e for e in expansions if all(isinstance(s, str) or s.name in rules for s in e)]
            changed |= len(kept) != len(expansions)
            if kept:
                rules[name] = kept
            else:
                del rules[name]
    return rules


def _minimal(arcs, starts: set[int], finals: set[int]) -> tuple[_Arcs, frozenset[int]]:
    """Brzozowski: determinizing the reverse twice gives the minimal deterministic automaton."""
    for _ in range(2):
        det_arcs, det_finals = _determinize(arcs, starts, finals)
        arcs = [[] for _ in det_arcs]
        for state, moves in enumerate(det_arcs):
            for word, target in moves.items():
                arcs[target].append((word, state))
        starts, finals = set(det_finals), {0}
    return _determinize(arcs, starts, finals)


def _determinize(arcs, starts: set[int], finals: set[int]) -> tuple[_Arcs, frozenset[int]]:
    """Subset construction (arcs: per state, (word or None, target) pairs); states in BFS order."""
    def closure(states) -> frozenset[int]:
        seen, stack = set(states), list(states)
        while stack:
            for word, target in arcs[stack.pop()]:
                if word is None and target not in seen:
                    seen.add(target)
                    stack.append(target)
        return frozenset(seen)

    first = closure(starts)
    index, order, out = {first: 0}, [first], []
    for subset in order:  # grows while it is walked: breadth first
        moves: dict[str, set[int]] = {}
        for state in subset:
            for word, target in arcs[state]:
                if word is not None:
                    moves.setdefault(word, set()).add(target)
        out.append({})
        for word in sorted(moves):
            target = closure(moves[word])
            if target not in index:
                index[target] = len(order)
                order.append(target)
            out[-1][word] = index[target]
    return out, frozenset(i for i, subset in enumerate(order) if subset & finals)
