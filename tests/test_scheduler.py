"""The scheduler: exact sample placement, and live safety when a pattern fails later."""

from __future__ import annotations

from dsl import parse_patch
from dsl.rational import Fraction
from engine.scheduler import Scheduler
from engine.voices import EV_KIND, EV_SAMPLE, KICK


def test_onsets_land_on_the_exact_sample_across_windows():
    scheduler = Scheduler(48000)
    scheduler.apply(parse_patch('tempo 120\nd1 $ s "bd*3"'), 0)  # a cycle is 2 s: hits every 2/3 s
    rows = [r for start in range(0, 96000, 1000) for r in scheduler.rows_between(start, start + 1000)]
    assert [int(r[EV_SAMPLE]) for r in rows] == [0, 32000, 64000]


def test_tempo_change_keeps_cycle_time_continuous():
    scheduler = Scheduler(48000)
    scheduler.apply(parse_patch('tempo 120\nd1 $ s "bd*4"'), 0)
    scheduler.apply(parse_patch("tempo 240"), 48000)  # at cycle 1/2, twice as fast
    assert scheduler.cycle_at(48000) == Fraction(1, 2)
    assert scheduler.cycle_at(72000) == Fraction(1)
    rows = scheduler.rows_between(48000, 96000)
    assert [int(r[EV_SAMPLE]) for r in rows] == [48000, 60000, 72000, 84000]


def test_a_pattern_that_fails_later_gives_way_to_the_previous_one():
    scheduler = Scheduler(48000)
    scheduler.apply(parse_patch('d1 $ s "bd"'), 0)
    # fine in its trial cycle 0, divides by zero from cycle 1 on
    bad = parse_patch('d1 $ s "sn" # speed ("1 <1 2>" / "<1 0>")')
    assert not bad.errors
    scheduler.apply(bad, 0)
    cycle = 96000  # samples, at 0.5 cycles per second
    first = scheduler.rows_between(0, cycle)
    assert [r[EV_SAMPLE] for r in first] == [0] and not scheduler.messages
    second = scheduler.rows_between(cycle, 2 * cycle)
    assert "went back to its previous pattern" in scheduler.messages[-1]
    assert [(r[EV_SAMPLE], r[EV_KIND]) for r in second] == [(cycle, KICK)]  # the old `bd`, in that window
    assert scheduler.channels["d1"] is not bad.channels["d1"]


def test_solo_and_mute_choose_what_is_heard():
    scheduler = Scheduler(48000)
    scheduler.apply(parse_patch('d1 $ s "bd"\nd2 $ s "sn"\nd3 $ s "hh"\nsolo 1\nsolo d3\nmute 3'), 0)
    assert [scheduler.audible(c) for c in ("d1", "d2", "d3")] == [True, False, False]


def test_a_stopped_transport_holds_time_and_starts_again_where_it_was():
    scheduler = Scheduler(48000)
    scheduler.apply(parse_patch('tempo 120\nd1 $ s "bd*4"'), 0)
    scheduler.stop(24000)  # a quarter cycle in
    assert scheduler.cycle_at(90000) == Fraction(1, 4)
    assert len(scheduler.rows_between(24000, 96000)) == 0
    scheduler.start(96000)
    rows = scheduler.rows_between(96000, 96000 + 72000)
    assert [int(r[EV_SAMPLE]) for r in rows] == [96000, 120000, 144000]  # beats 2, 3, 4 of the cycle
    scheduler.start(200000, Fraction(0))
    assert scheduler.cycle_at(200000) == 0
