"""The mini-notation compiler's shortcuts give what the general construction gives, event for event
and in order (locations included): for any span, through the plan and plainly."""

from __future__ import annotations

import pytest

from dsl.euclid import euclid_atoms, euclid_off
from dsl.pattern import pure, repeated
from dsl.rational import Fraction as F

from .test_dsl_plan import rows

SPANS = [(0, 1), (F(1, 3), F(5, 3)), (F(2, 7), F(2, 7)), (-1, 2), (999_999, 1_000_000), (F(1, 8), F(1, 8)),
         (0, 0), (1, 1), (F(-5, 8), F(1, 16))]


def played(pattern) -> list:
    return [rows(pattern.query_span(F(b), F(e), planned=planned)) for b, e in SPANS for planned in (True, False)]


@pytest.mark.parametrize("k", range(-9, 10))
def test_a_euclidean_rhythm_of_an_atom_is_the_rotated_rhythm(k):
    for n in range(1, 10):
        for rotation in range(-3, 12):
            atom = pure("x", ((1, 2, 3),))
            assert played(euclid_atoms(k, n, rotation, atom)) == \
                played(euclid_off(k, n, rotation, atom).split_queries()), (k, n, rotation)


@pytest.mark.parametrize("k", [1, 2, 3, 8, 300])
def test_an_atom_repeated_is_the_atom_made_faster(k):
    atom = pure("x", ((1, 2, 3),))
    assert played(repeated(atom, F(k))) == played(atom._fast(F(k)).split_queries())
