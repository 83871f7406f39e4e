"""Conformance with TidalCycles for the everyday functions of issue 3 ("a Tidal user types their usual
one-liners and they play, unchanged"): within, spread, choose, shuffle, scramble, trunc, ghost, echoWith,
plyWith, rangex, quantise, sew, stitch, fit, bite, ... with Tidal's names, argument order and results.

Expectations come from Tidal 1.9's documentation and source (tidal-core/src/Sound/Tidal/{UI,Control,Core}.hs,
the examples in their comments) and its tests (tidal-core/test/Sound/Tidal/UITest.hs), worked out by hand
from those definitions; the random ones from Tidal's own generator (timeToRand, timeToRands), written out
again here from the Haskell. Events are (whole begin, whole end, value), onsets, queried a cycle at a time.
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import pytest

from dsl import parse_patch
from dsl.randomness import time_to_rand

from .test_mini import events, exp, expr, grid, norm, onsets

sp = lambda v: {"s": v}  # noqa: E731
nn = lambda v: {"n": v}  # noqa: E731


def ints(text, cycle=0):
    return grid(text, cycle, int)


FUNCTIONS = [
    # -- within (UI.hs): f's events that start inside (s, e) of the cycle, the rest from the pattern ----------
    # doc example of within' (below): `within (0, 0.25) (fast 2) $ sound "bd hh cp sd"` sounds like "[bd hh] hh cp sd"
    ('within (0, 0.5) (fast 2) $ s "bd sn cp hh"', 0, 1, grid("bd sn cp hh cp cp hh hh", value=sp)[:4]
     + [("1/2", "3/4", sp("cp")), ("3/4", 1, sp("hh"))]),
    ('within (0, 0.25) (fast 2) $ s "bd hh cp sd"', 0, 1, grid("bd hh ~ ~ ~ ~ ~ ~", value=sp)
     + grid("~ hh cp sd", value=sp)),
    ('within (0.75, 1) (# speed 0.5) $ s "bd*2 sn lt mt hh hh hh hh"', 0, 1,   # the doc's second example
     [(0, "1/16", sp("bd")), ("1/16", "1/8", sp("bd"))] + grid("~ sn lt mt hh hh ~ ~", value=sp)
     + [("3/4", "7/8", {"s": "hh", "speed": F(1, 2)}), ("7/8", 1, {"s": "hh", "speed": F(1, 2)})]),
    # within' (0, 0.25) (fast 2) $ sound "bd hh cp sd" sounds like "[bd bd] hh cp sd" (the doc)
    ("within' (0, 0.25) (fast 2) $ s \"bd hh cp sd\"", 0, 1, [(0, "1/8", sp("bd")), ("1/8", "1/4", sp("bd"))]
     + grid("~ hh cp sd", value=sp)),
    # -- spread f xs p = slowcat (map (`f` p) xs); fastspread = fastcat ... (UI.hs) --------------------------
    ('spread fast [1, 2] $ s "a b"', 0, 2, grid("a b", value=sp) + grid("a b a b", 1, sp)),
    ('spread ($) [fast 2, rev] $ s "a b"', 0, 2, grid("a b a b", value=sp) + grid("b a", 1, sp)),
    ('fastspread fast [1, 2] $ s "a b"', 0, 1, [(0, "1/4", sp("a")), ("1/4", "1/2", sp("b"))]
     + [("1/2", "5/8", sp("a")), ("5/8", "3/4", sp("b")), ("3/4", "7/8", sp("a")), ("7/8", 1, sp("b"))]),
    # -- trunc t = compress (0, t) . zoomArc (Arc 0 t) (UI.hs) ----------------------------------------------
    # doc: `trunc 0.75 $ sound "bd sn*2 cp hh*4 arpy bd*2 cp bd*2"` plays the first three quarters
    ('trunc 0.75 $ s "bd sn*2 cp hh*4 arpy bd*2 cp bd*2"', 0, 1,
     [(0, "1/8", sp("bd")), ("1/8", "3/16", sp("sn")), ("3/16", "1/4", sp("sn")),
                   ("1/4", "3/8", sp("cp"))] + [(F(3, 8) + F(i, 32), F(3, 8) + F(i + 1, 32), sp("hh")) for i in range(4)]
     + [("1/2", "5/8", sp("arpy")), ("5/8", "11/16", sp("bd")), ("11/16", "3/4", sp("bd"))]),
    ('trunc "<0.75 0.25 1>" $ s "bd sn:2 [mt rs] hc"', 0, 3, [(0, "1/4", sp("bd")), ("1/4", "1/2", {"s": "sn", "n": 2}),
     ("1/2", "5/8", sp("mt")), ("5/8", "3/4", sp("rs")), (1, "5/4", sp("bd")), (2, "9/4", sp("bd")),
     ("9/4", "5/2", {"s": "sn", "n": 2}), ("5/2", "21/8", sp("mt")), ("21/8", "11/4", sp("rs")),
     ("11/4", 3, sp("hc"))]),
    # -- echoWith n t f p: p, with f . (t ~>) compounded n - 1 times (Control.hs _echoWith) --------------------
    ('echoWith 3 (1/8) (|* speed 2) $ s "bd" # speed 1', 0, 1, [(0, 1, {"s": "bd", "speed": 1}),
     ("1/8", "9/8", {"s": "bd", "speed": 2}), ("1/4", "5/4", {"s": "bd", "speed": 4})]),
    ('echoWith "<2 3>" (1/4) (|+ n 12) $ n "0 ~"', 0, 2, [(0, "1/2", nn(0)), ("1/4", "3/4", nn(12)),
     (1, "3/2", nn(0)), ("5/4", "7/4", nn(12)), ("3/2", 2, nn(24))]),
    # -- plyWith n f: arpeggiate $ overlay p (f (overlay p (f ...))) (UI.hs _plyWith) ----------------------------
    ('plyWith 3 (|* gain 0.8) $ s "a b" # gain 1', 0, 1, [
        (0, "1/6", {"s": "a", "gain": 1}), ("1/6", "1/3", {"s": "a", "gain": F(4, 5)}),
        ("1/3", "1/2", {"s": "a", "gain": F(16, 25)}), ("1/2", "2/3", {"s": "b", "gain": 1}),
        ("2/3", "5/6", {"s": "b", "gain": F(4, 5)}), ("5/6", 1, {"s": "b", "gain": F(16, 25)})]),
    ('plyWith "<1 2>" (|+ n 1) $ n "0 5"', 0, 2, grid("0 5", value=lambda t: nn(int(t))) + [(1, "5/4", nn(0)), ("5/4", "3/2", nn(1)),
                                                                 ("3/2", "7/4", nn(5)), ("7/4", 2, nn(6))]),
    # -- quantise n = fmap ((/ n) . round . (* n)), Haskell's round: half to even (UI.hs) -----------------------
    # doc: quantise 5 [0, 1.3, 2.6, 3.2, 4.7, 5] gives [0.0, 1.2, 2.6, 3.2, 4.8, 5.0]
    ('quantise 5 "0 1.3 2.6 3.2 4.7 5"', 0, 1, grid("0 6/5 13/5 16/5 24/5 5", value=F)),
    ('quantise 1 "0.5 1.5 2.5 -0.5 -1.5 0.49"', 0, 1, grid("0 2 2 0 -2 0", value=int)),
    ('qfloor 2 "0.3 0.7 -0.2"', 0, 1, grid("0 1/2 -1/2", value=F)),
    ('qceiling 2 "0.3 0.7 -0.2"', 0, 1, grid("1/2 1 0", value=F)),
    ('segment 2 $ quantise 1 sine', 0, 1, grid("0 1", value=int)),   # tidal-core UITest "can quantise notes"
    # -- sew: mask pb a, mask (inv pb) b: structure from a and b; stitch: from the booleans (UI.hs) ------------
    ('sew "t f" "bd*8" "cp*8"', 0, 1, grid("bd bd bd bd cp cp cp cp")),    # the doc's example
    ('sew "t <f t> <f [f t] t>" (n "0 .. 7") (n "10*8")', 0, 2, [(F(i, 8), F(i + 1, 8), nn(i)) for i in range(3)]
     + [(F(i, 8), F(i + 1, 8), nn(10)) for i in range(3, 8)]
     + [(1 + F(i, 8), 1 + F(i + 1, 8), nn(10 if i == 6 else i)) for i in range(8)]),  # 5 and 6 cross 2/3, 5/6
    ('stitch "t f t t" (s "a") (s "b")', 0, 1, grid("a b a a", value=sp)),
    ('stitch "t(3,8)" (n 1) (n 0)', 0, 1, grid("1 0 0 1 0 0 1 0", value=lambda t: nn(int(t)))),
    ('struct (inv "t f t*2 f") $ s "cp"', 0, 1, [("1/4", "1/2", sp("cp")), ("3/4", 1, sp("cp"))]),
    # -- fit step xs ipat: xs !!! (i + step * cycle) (UI.hs _fit; the doc's example) -------------------------
    ('fit 3 ["bd", "sn", "arpy", "arpy:1", "casio"] "0 [~ 1] 2 1"', 0, 2, [
        (0, "1/4", "bd"), ("3/8", "1/2", "sn"), ("1/2", "3/4", "arpy"), ("3/4", 1, "sn"),
        (1, "5/4", "arpy:1"), ("11/8", "3/2", "casio"), ("3/2", "7/4", "bd"), ("7/4", 2, "casio")]),
    ('s (fit 1 ["bd", "sn", "hh"] "0 1")', 0, 3, grid("bd sn", value=sp) + grid("sn hh", 1, sp)
     + grid("hh bd", 2, sp)),
    ('n (fit 1 [0, 2, 7] "0 1 2")', 1, 2, grid("2 7 0", 1, lambda t: nn(int(t)))),
    # -- bite n ipat p: squeezeJoin of zoomed slices (UITest "bite") -------------------------------------------
    ('bite 4 "0 2*2" (run 8)', 0, 1, [(0, "1/4", 0), ("1/4", "1/2", 1), ("1/2", "5/8", 4), ("5/8", "3/4", 5),
                                      ("3/4", "7/8", 4), ("7/8", 1, 5)]),
    ('bite "8 4" "0 2*2" (run 8)', 0, 1, [(0, "1/2", 0), ("1/2", "5/8", 4), ("5/8", "3/4", 5),
                                          ("3/4", "7/8", 4), ("7/8", 1, 5)]),
    # -- squeeze ipat ps = squeezeJoin ((ps !!!) <$> ipat) (UI.hs) ---------------------------------------------
    ('squeeze "0 [1 2]" ["a b", "c", "d e f"]', 0, 1, [(0, "1/4", "a"), ("1/4", "1/2", "b"), ("1/2", "3/4", "c"),
                                                     ("3/4", "5/6", "d"), ("5/6", "11/12", "e"), ("11/12", 1, "f")]),
    # -- wedge t p p' = overlay (_fastGap (1/t) p) (t ~> _fastGap (1/(1-t)) p') (UI.hs; UITest for 0 and 1) --
    ('wedge (1/4) "a b" "c d e"', 0, 1, [(0, "1/8", "a"), ("1/8", "1/4", "b"), ("1/4", "1/2", "c"),
                                         ("1/2", "3/4", "d"), ("3/4", 1, "e")]),
    ('wedge 1 (s "ho ho:2 ho:3 hc") (rev $ s "ho ho:2 ho:3 hc")', 0, 1,
     grid("ho ho:2 ho:3 hc", value=lambda t: {"s": "ho", "n": int(t[3:])} if ":" in t else sp(t))),
    ('wedge 0 (s "ho ho:2 ho:3 hc") (rev $ s "ho ho:2 ho:3 hc")', 0, 1,
     grid("hc ho:3 ho:2 ho", value=lambda t: {"s": "ho", "n": int(t[3:])} if ":" in t else sp(t))),
    # -- spin n: copy i shifted i/n earlier, # pan (i/n) (Control.hs _spin) ------------------------------------
    ('spin 2 $ s "a b"', 0, 1, [(0, "1/2", {"s": "a", "pan": 0}), ("1/2", 1, {"s": "b", "pan": 0}),
                                (0, "1/2", {"s": "b", "pan": F(1, 2)}), ("1/2", 1, {"s": "a", "pan": F(1, 2)})]),
    # -- select f ps = ps !! floor (f * (length ps - 1)); selectF, pickF (UI.hs) ------------------------------
    ('select "<0 0.5 1 0.99>" ["a", "b", "c"]', 0, 4, [(0, 1, "a"), (1, 2, "b"), (2, 3, "c"), (3, 4, "b")]),
    ('selectF "<0 0.5 1>" [fast 2, rev] $ "a b"', 0, 3, grid("a b a b") + grid("b a", 1) + grid("b a", 2)),
    ('pickF "<0 1 2>" [fast 2, rev] $ "a b"', 0, 3, grid("a b a b") + grid("b a", 1) + grid("a b a b", 2)),
    # -- contrast / fix / unfix (UITest "fix", "unfix", "contrast") ---------------------------------------------
    ('unfix (|+ n 2) (s "sn" # n 2) (s "bd sn*4 cp" # n "1 2")', 0, 1, [
        (0, "1/3", {"s": "bd", "n": 3}), ("1/3", "5/12", {"s": "sn", "n": 3}), ("5/12", "1/2", {"s": "sn", "n": 3}),
        ("1/2", "7/12", {"s": "sn", "n": 2}), ("7/12", "2/3", {"s": "sn", "n": 2}), ("2/3", 1, {"s": "cp", "n": 4})]),
    ('contrast (|+ n 2) (|+ n 10) (s "sn" # n 2) (s "bd sn*4 cp" # n "1 2")', 0, 1, [
        (0, "1/3", {"s": "bd", "n": 11}), ("1/3", "5/12", {"s": "sn", "n": 11}),
        ("5/12", "1/2", {"s": "sn", "n": 11}), ("1/2", "7/12", {"s": "sn", "n": 4}),
        ("7/12", "2/3", {"s": "sn", "n": 4}), ("2/3", 1, {"s": "cp", "n": 12})]),
    ('fix (|+ n 1) (s "sn") (s "bd sn cp" # n 1)', 0, 1, [(0, "1/3", {"s": "bd", "n": 1}),
     ("1/3", "2/3", {"s": "sn", "n": 2}), ("2/3", 1, {"s": "cp", "n": 1})]),
    # -- necklace perCycle xs (UITest "necklace"); timeCat --------------------------------------------------
    ('necklace 12 [4, 2]', 0, 1, grid("t f f f t f t f f f t f", value=lambda t: t == "t")),
    ('timeCat [(1, s "bd*4"), (1, s "hh27*8"), (1, s "superpiano" # n 0)]', 0, 1,
     [(F(i, 12), F(i + 1, 12), sp("bd")) for i in range(4)]
     + [(F(1, 3) + F(i, 24), F(1, 3) + F(i + 1, 24), sp("hh27")) for i in range(8)]
     + [("2/3", 1, {"s": "superpiano", "n": 0})]),
    # -- ncat: each pattern for its number of cycles, in turn, looping (the usual BootTidal definition:
    #    seqPLoop of the running totals; each pattern plays from its own cycle 0) ----------------------------
    ('ncat [(2, s "<a c>"), (1, s "b*2")]', 0, 5, [(0, 1, sp("a")), (1, 2, sp("c")), (2, "5/2", sp("b")),
                                                    ("5/2", 3, sp("b")), (3, 4, sp("a")), (4, 5, sp("c"))]),
    # -- chooseBy f xs = (xs !!!) . floor <$> range 0 (length xs) f (UITest "chooseBy", as sig is sampled there)
    ('"0" |+ chooseBy "<0 0.25 0.5 0.75 1>" [0, 1, 2, 3]', 0, 5, [(c, c + 1, c % 4) for c in range(5)]),
    # -- rangex: "rangex 20 2000 0.5 will give 200" (the doc) -------------------------------------------------
    ('segment 1 $ rangex 20 2000 "0.5"', 0, 1, [(0, 1, F(200))]),
]


def canon(v):
    """Numbers of any type (dsl's own Fraction, floats from rangex's exp and log, to 9 digits) as one."""
    if isinstance(v, dict):
        return {k: canon(x) for k, x in v.items()}
    if isinstance(v, bool) or isinstance(v, str):
        return v
    if isinstance(v, float):
        v = F(repr(round(v, 9)))
    v = F(v.numerator, v.denominator)
    return int(v) if v.denominator == 1 else v


def approx(events):
    return sorted(((F(b), F(e), canon(v)) for b, e, v in events), key=repr)


@pytest.mark.parametrize("text, begin, end, expected", FUNCTIONS)
def test_function(text, begin, end, expected):
    got = onsets(expr(text, "string"), begin, end)
    assert approx(got) == approx(exp(expected))


EQUIV = [  # (left, right, cycles): Tidal's definitions, aliases and documented equivalences
    ('slowspread fast [1, 2, 3] $ s "a b"', 'spread fast [1, 2, 3] $ s "a b"', 6),
    ('spreadf [fast 2, rev, (# speed 2)] $ s "a b"', 'spread ($) [fast 2, rev, (# speed 2)] $ s "a b"', 6),
    ('stutWith 3 (1/3) (# vowel "a") $ s "bd sn"', 'echoWith 3 (1/3) (# vowel "a") $ s "bd sn"', 3),
    ("stut' 3 (1/3) (|* gain 0.5) $ s \"bd sn\"", 'echoWith 3 (1/3) (|* gain 0.5) $ s "bd sn"', 3),
    ('discretise 4 saw', 'segment 4 saw', 2),
    ('qround 3 "0.2 0.5"', 'quantise 3 "0.2 0.5"', 1),
    ("ghost'' (1/8) (|* gain 0.5) $ s \"~ sn\"", "ghostWith (1/8) (|* gain 0.5) $ s \"~ sn\"", 2),
    ('timecat [(1, "a"), (2, "b c")]', '"a [b c]@2"', 2),
    ('cycleChoose [0, 2, 3]', 'segment 1 $ choose [0, 2, 3]', 8),
    ('bite 4 "0 1 2 3" $ n "0 .. 7"', 'n "0 .. 7"', 2),          # the doc: "that doesn't actually change anything"
    ('plyWith 3 id $ "a b"', 'ply 3 "a b"', 2),
    ('echoWith 2 (1/4) id $ s "a"', 'superimpose ((1/4) ~>) $ s "a"', 2),
]


@pytest.mark.parametrize("left, right, cycles", EQUIV)
def test_equivalent(left, right, cycles):
    assert events(expr(left, "number" if "quantise" in left or "saw" in left else "string"), cycles) == \
        events(expr(right, "number" if "quantise" in right or "saw" in right else "string"), cycles)


def test_sew_keeps_the_structure_of_its_patterns_and_stitch_takes_the_booleans():
    # Tidal: sew's structure comes from the source patterns (an event cut by the booleans keeps its whole),
    # stitch's from the boolean pattern
    sewn = events(expr('sew "t f" "a" "b"', "string"), 1)
    assert sewn == [(0, 1, 0, F(1, 2), "a"), (0, 1, F(1, 2), 1, "b")]
    stitched = events(expr('stitch "t f" "a" "b"', "string"), 1)
    assert stitched == [(0, F(1, 2), 0, F(1, 2), "a"), (F(1, 2), 1, F(1, 2), 1, "b")]


def test_trunc_cuts_the_event_it_ends_in():
    # compress (0, 0.75) . zoomArc (Arc 0 0.75): b keeps its whole, its part ends at 3/4
    assert events(expr('trunc 0.75 "a b"', "string"), 1) == [(0, F(1, 2), 0, F(1, 2), "a"),
                                                              (F(1, 2), 1, F(1, 2), F(3, 4), "b")]


# -- randomness: Tidal's own, so a patch plays what it plays in Tidal ----------------------------------------

def tidal_time_to_rands(t, n):
    """Sound.Tidal.UI.timeToRands, from the Haskell: xorwise on a 64-bit Int, seeded by truncate
    (frac (t / 300) * 2^29); each number is the seed mod 2^29 over 2^29."""
    def wrap(x):
        x &= (1 << 64) - 1
        return x - (1 << 64) if x >> 63 else x

    def xorwise(x):
        a = wrap((x << 13) ^ x)
        b = wrap((a >> 17) ^ a)
        return wrap((b << 5) ^ b)

    x = F(t) / 300
    seed = xorwise(math.trunc((x - math.trunc(x)) * 536870912))
    out = []
    for _ in range(n):
        out.append((seed % 536870912) / 536870912)
        seed = xorwise(seed)
    return out


def randrun(cycle, n):
    """Tidal's randrun: 0 .. n-1 sorted by timeToRands of the cycle (sortOn is stable)."""
    rs = tidal_time_to_rands(cycle, n)
    return sorted(range(n), key=lambda i: rs[i])


@pytest.mark.parametrize("n", [2, 3, 4, 5, 8])
def test_shuffle_plays_tidals_permutation_of_the_parts_each_cycle(n):
    # _shuffle n = _rearrangeWith (randrun n) n: slot k of cycle c plays part (randrun n)[k] of cycle c
    steps = " ".join(str(i) for i in range(n))
    pat = expr(f'shuffle {n} $ n "<[{steps}] [{steps}]>"', None)
    for c in range(12):
        got = onsets(pat, c, c + 1)
        assert got == [(c + F(k, n), c + F(k + 1, n), nn(i)) for k, i in enumerate(randrun(c, n))], c
    assert [e[2]["n"] for e in onsets(pat, 0, 1)] == list(range(n))   # cycle 0: seed 0, all ties, in order


def test_shuffle_moves_whole_parts_and_never_repeats_one():
    # shuffle 2 "a b c d": the parts are [a b] and [c d]; "it will never return a a a" (the doc)
    pat = expr('shuffle 2 "a b c d"', "string")
    for c in range(20):
        values = "".join(v for _, _, v in onsets(pat, c, c + 1))
        assert values in ("abcd", "cdab")
    assert {"".join(v for _, _, v in onsets(pat, c, c + 1)) for c in range(20)} == {"abcd", "cdab"}
    three = expr('shuffle 3 "a b c"', "string")
    for c in range(30):
        assert sorted(v for _, _, v in onsets(three, c, c + 1)) == ["a", "b", "c"]


@pytest.mark.parametrize("n", [3, 4, 8])
def test_scramble_picks_parts_with_tidals_irand_at_each_slot(n):
    # _scramble n = _rearrangeWith (_segment n $ _irand n) n: slot k samples rand over its whole (its middle)
    steps = " ".join(str(i) for i in range(n))
    pat = expr(f'scramble {n} $ n "{steps}"', None)
    seen = set()
    for c in range(10):
        expected = [math.floor(time_to_rand(c + F(2 * k + 1, 2 * n)) * n) for k in range(n)]
        assert [e[2]["n"] for e in onsets(pat, c, c + 1)] == expected, c
        seen.update(expected)
    assert len(seen) > 1


def test_choose_picks_from_the_list_with_rand_at_each_event():
    # choose = chooseBy rand: the value at the middle of each event's whole (sampled by #)
    pat = expr('s "x*8" # n (choose [0, 2, 7])', None)
    for c in range(4):
        got = [e[2]["n"] for e in onsets(pat, c, c + 1)]
        assert got == [[0, 2, 7][math.floor(time_to_rand(c + F(2 * k + 1, 16)) * 3)] for k in range(8)]
    # the list's atoms are read where the pattern goes: note names under `note`
    notes = {e[2]["note"] for c in range(8) for e in onsets(expr('note "0*4" # note (choose ["a", "e"])', None),
                                                            c, c + 1)}
    assert notes == {9, 4}


def test_cycle_choose_picks_once_a_cycle():
    pat = expr('n (cycleChoose [0, 2, 3])', None)
    for c in range(8):
        assert onsets(pat, c, c + 1) == [(c, c + 1, nn([0, 2, 3][math.floor(time_to_rand(c + F(1, 2)) * 3)]))]


# -- ghost: Tidal's source, not its one-line summary ----------------------------------------------------------

def test_ghost_adds_tidals_copies_with_its_gain_end_and_speed():
    # ghost = ghost' 0.125; ghost' a = ghostWith a ((|*| gain 0.7) . (|> end 0.2) . (|*| speed 1.25));
    # ghostWith a f p = superimpose (((a*2.5) ~>) . f) $ superimpose (((a*1.5) ~>) . f) p: copies 3/16 and
    # 5/16 later, and a copy of the first copy (f twice) 5/16 after it; |*| cuts wholes at cycle boundaries
    once = {"s": "sn", "gain": F(7, 10), "end": F(1, 5), "speed": F(5, 4)}
    twice = {"s": "sn", "gain": F(49, 100), "end": F(1, 5), "speed": F(25, 16)}
    assert approx(onsets(expr('ghost $ s "~ sn"', None), 0, 1)) == approx([
        (0, "5/16", twice), ("5/16", "1/2", twice),         # the previous cycle's f (f sn), cut at the cycle
        ("1/2", 1, sp("sn")), ("11/16", "19/16", once), ("13/16", "21/16", once)])
    assert approx(onsets(expr("ghost' (1/4) $ s \"sn ~\"", None), 0, 1)) == approx([
        (0, "1/2", sp("sn")), ("3/8", "7/8", once), ("5/8", "9/8", once),
        (0, "1/2", twice)])                                  # the previous cycle's first copy, 5/8 on


def test_ghost_keeps_gain_and_speed_already_there():
    pat = expr('ghost $ s "sn ~" # gain 0.5 # speed 2', None)
    copy = [e for e in onsets(pat, 0, 1) if e[0] == F(3, 16)]
    assert approx(copy) == approx([(F(3, 16), F(11, 16), {"s": "sn", "gain": F(7, 20), "speed": F(5, 2), "end": F(1, 5)})])


# -- the language around them ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ('d1 $ spread fast 2 $ s "a"', "argument 2 of `spread` should be a list"),
    ('d1 $ n (quantise "1" "0.4")', "argument 1 of `quantise` should be a number"),
    ('d1 $ n (rangex 20 "2000" sine)', "argument 2 of `rangex` should be a number"),
    ('d1 $ s (choos ["a", "b"])', "unknown function `choos` — did you mean `choose`?"),
    ('d1 $ shuffel 4 $ s "a b"', "did you mean `shuffle`?"),
    ('d1 $ within 0.5 (fast 2) $ s "a b"', "argument 1 of `within` should be a pair of numbers"),
    ('d1 $ ncat [2, s "a"] ', "argument 1 of `ncat` should be a list of (cycles, pattern) pairs"),
    ('d1 $ echoWith 3 (1/8) 2 $ s "a"', "argument 3 of `echoWith` should be a function"),
    ('d1 $ sew "t f" (s "a")', "the pattern of d1"),
])
def test_mistakes_are_explained(text, message):
    patch = parse_patch(text)
    assert patch.errors and message in patch.errors[0].message, [e.message for e in patch.errors]


def test_dollar_in_brackets_is_function_application():
    assert events(expr('($) (fast 2) "a b"', "string"), 1) == events(expr('fast 2 "a b"', "string"), 1)


def test_a_patch_of_usual_one_liners_plays():
    patch = parse_patch("\n".join([
        'd1 $ within (0, 0.5) (fast 2) $ s "bd sn cp hh"',
        'd2 $ spread ($) [fast 2, rev] $ s "hh*4"',
        'd3 $ every 2 (shuffle 4) $ n "0 .. 7" # s "arpy"',
        'd4 $ sometimes (scramble 8) $ ghost $ s "~ sn"',
        'd5 $ echoWith 3 (1/8) (|* speed 1.5) $ plyWith 2 (|* gain 0.8) $ s "bd*2"',
        'd6 $ sew "t <f t>" (n "0 .. 7" # s "superpiano") (s "cp*8") # cutoff (rangex 200 4000 sine)',
        'd7 $ segment 4 $ n (quantise 1 $ range 0 7 $ slow 4 sine) # s "superpiano"',
        'd8 $ stitch "t(5,8)" (s "bd") (s "hh") # gain (chooseBy rand [0.8, 1])',
        'd9 $ bite 4 "0 2 [1 3]" $ fit 1 ["bd", "sn", "hh"] "0 1 2" # gain 1 |< s "drum"',
        'd10 $ trunc "<0.75 1>" $ wedge (1/4) (s "bd*2") (s "hh*3")',
    ]))
    assert not patch.errors, [e.message for e in patch.errors]
    assert len(patch.channels) == 10
    for pattern in patch.channels.values():
        assert any(e.has_onset for c in range(4) for e in pattern.query_span(c, c + 1))


def test_the_values_are_plain_where_tidals_are_numbers():
    # quantise keeps exact numbers exact (floats stay floats), and norm reads both the same
    assert [norm(v) for _, _, v in onsets(expr('quantise 4 "0.3 0.6"', "number"), 0, 1)] == [F(1, 4), F(1, 2)]


def test_stripe_fills_each_cycle_with_n_copies_of_tidals_random_lengths():
    # _stripe = substruct' . randStruct: randArcs n picks weights from [1, 2, 3] with choose shifted i/n
    # earlier (read over the cycle: rand at its middle); stripe i of cycle c plays cycle c of
    # inside (1/n) (i ~>) p, that is cycle c - i*n of p, compressed into the stripe
    for c in range(6):
        weights = [[1, 2, 3][math.floor(time_to_rand(c + F(1, 2) + F(i, 3)) * 3)] for i in range(3)]
        ends = [F(sum(weights[:i]), sum(weights)) for i in range(4)]
        got = onsets(expr('stripe 3 $ n "<0 1 2 3 4 5 6 7 8>"', None), c, c + 1)
        assert got == [(c + ends[i], c + ends[i + 1], nn((c - 3 * i) % 9)) for i in range(3)], c
    assert len({tuple(e[0] for e in onsets(expr('stripe 2 $ s "a"', None), c, c + 1)) for c in range(8)}) > 1


def test_time_loop_loops_the_first_cycles_as_the_doc_says():
    # doc: `d1 $ timeLoop 2 $ n "<0 1 2 3>"` plays 0 1 0 1 ...
    assert events(expr('timeLoop 2 $ s "<a b c d>"', "string"), 6) == \
        events(expr('s "<a b>"', "string"), 6)


def test_time_loop_of_a_fraction_restarts_inside_a_cycle():
    # timeLoop n = outside n loopFirst: with n = 1.5 the loop restarts at 1.5, 3, ...; b's whole is [1, 2),
    # heard until the restart at 1.5 (events are whole begin, whole end, part begin, part end, value)
    got = events(expr('timeLoop 1.5 $ s "<a b c>"', "string"), 3)
    assert got == [(0, 1, 0, 1, sp("a")),
                   (1, 2, 1, F(3, 2), sp("b")), (F(3, 2), F(5, 2), F(3, 2), 2, sp("a")),
                   (F(3, 2), F(5, 2), 2, F(5, 2), sp("a")), (F(5, 2), F(7, 2), F(5, 2), 3, sp("b"))]
