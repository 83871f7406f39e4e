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
