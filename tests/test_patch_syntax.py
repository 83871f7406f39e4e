"""Tidal one-liners with parentheses read as Tidal reads them (the LALR grammar once took
`(a # b)` for the start of a left section `(a #)` and failed at `b`)."""

from __future__ import annotations

import pytest

from dsl import parse_patch


def values(text: str, cycles: int = 1) -> list:
    patch = parse_patch(text)
    assert not patch.errors, patch.errors
    return [e.value for e in patch.channels["d1"].onsets(0, cycles)]


@pytest.mark.parametrize("text, expected", [
    ('d1 $ fast 2 (s "a" # gain 0.5)', [{"s": "a", "gain": 0.5}] * 2),
    ('d1 $ (n "c" |- n 12) # s "piano"', [{"n": -12, "s": "piano"}]),
    ('d1 $ (s "a" # n "1 2")', [{"s": "a", "n": 1}]),
    ('d1 $ (s "bd" #) (gain 0.5)', [{"s": "bd", "gain": 0.5}]),  # a left section still works
    ('d1 $ (# speed 2) $ s "hh"', [{"s": "hh", "speed": 2}]),  # and a right one
    ('d1 $ (0.5 ~>) $ s "bd sn"', [{"s": "sn"}, {"s": "bd"}]),
    ('d1 $ (1/4) <~ (s "bd sn" # pan 0)', [{"s": "sn", "pan": 0}, {"s": "bd", "pan": 0}]),
])
def test_parentheses(text, expected):
    got = values(text)
    assert [{k: (float(v) if not isinstance(v, str) else v) for k, v in e.items()} for e in got] == expected


@pytest.mark.parametrize("text, expected", [
    ('d1 $ n (cat ["e4 g4", "c5"])', [{"n": -8}, {"n": -5}]),  # strings in a list read as notes
    ('d1 $ n (arp "up" "<c\'maj>")', [{"n": 0}, {"n": 4}, {"n": 7}]),  # a chord name, expanded
    ('d1 $ n ("0 4 7" + "<a5>")', [{"n": 9}, {"n": 13}, {"n": 16}]),  # numbers added, not text joined
    ('let melody = cat ["c e", "g"]\nd1 $ n melody', [{"n": 0}, {"n": 4}]),  # typed where it is used
    ('d1 $ s (cat ["bd sn", "hh"])', [{"s": "bd"}, {"s": "sn"}]),
    ('d1 $ "a b" + "c"', ["ac", "bc"]),  # with no context, strings stay text (as in Tidal's String)
])
def test_strings_are_typed_by_the_context_they_end_up_in(text, expected):
    """Tidal types a string's atoms by where the pattern goes, through any function of patterns."""
    got = sorted(parse_patch(text).channels["d1"].onsets(0, 1), key=lambda e: e.whole.begin)
    assert [e.value for e in got] == expected


def test_a_let_evaluated_again_with_a_new_value_takes_effect():
    """Re-evaluating `let m = ...` with new text must change what later statements read (the
    engine keeps the bindings a patch returns between evaluations)."""
    env: dict = {}
    heard = []
    for definition in ('let m = cat ["c e", "g"]', 'let m = cat ["d f", "a"]'):
        env.update(parse_patch(definition, env=env).bindings)
        channel = parse_patch("d1 $ n m", env=env).channels["d1"]
        heard.append([e.value["n"] for e in sorted(channel.onsets(0, 1), key=lambda e: e.whole.begin)])
    assert heard == [[0, 4], [2, 5]]
