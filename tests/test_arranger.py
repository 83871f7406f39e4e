"""The band: chord plans arranged per style, as patch text that plays and can be edited."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dsl import parse_patch
from engine.accompanist.arranger import STYLES, Knobs, arrange, arrange_parts, voicing
from dsl.rational import Fraction
from engine.wavfile import read_wav

ROOT = Path(__file__).resolve().parent.parent
MELODY = ROOT / "examples" / "ode_to_joy.mid"
C, F, G, AM = (0, [0, 4, 7]), (5, [5, 9, 0]), (7, [7, 11, 2]), (9, [9, 0, 4])
PLAN = [C] * 4 + [AM] * 4 + [F] * 4 + [G] * 4  # I vi IV V, a beat each


def test_voicings_move_as_little_as_they_can():
    c = voicing([0, 4, 7], None, 52, 68)
    f = voicing([5, 9, 0], c, 52, 68)
    assert sorted(pc % 12 for pc in f) == [0, 5, 9]
    assert sum(min(abs(a - b) for b in c) for a in f) <= 3  # C E G -> C F A: two voices move, a step each


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_writes_lines_that_parse_and_play(style):
    lines = arrange(PLAN, style)
    patch = parse_patch("tempo 100\n" + "\n".join(lines))
    assert not patch.errors, patch.errors
    assert len(patch.channels) >= 2
    onsets = [e for p in patch.channels.values() for e in p.onsets(0, 4)]
    assert len(onsets) >= 8


def test_the_bass_plays_each_chord_root_on_its_downbeat():
    lines = arrange(PLAN, "pop", Knobs(complexity=0.0))
    bass = parse_patch(next(line for line in lines if '"bass"' in line)).channels
    pattern = next(iter(bass.values()))
    for bar, (root, _) in enumerate([C, AM, F, G]):
        # the whole plan is one bar (16 beats = 4 bars): the downbeat of chord `bar` is at step bar*4
        first = min((e for e in pattern.onsets(bar, bar + 1)), key=lambda e: e.whole.begin)
        assert first.value["n"] % 12 == root, (bar, first.value)


def test_a_fill_ends_each_four_bar_phrase():
    lines = arrange(PLAN * 4, "rock")
    snare = next(iter(parse_patch(next(line for line in lines if '"<[' in line and "sn" in line)).channels.values()))
    hits = [len(snare.onsets(bar, bar + 1)) for bar in range(8)]
    assert hits[3] > hits[0] and hits[7] > hits[4]


def test_a_band_to_a_melody_renders_writes_midi_and_a_patch_to_edit(tmp_path):
    result = subprocess.run([sys.executable, "-m", "console", "accompany", "--melody", str(MELODY), "--style", "funk",
                             "--tempo", "95", "--key", "c major", "-o", str(tmp_path / "band.wav"),
                             "--midi", str(tmp_path / "band.mid"), "--patch", str(tmp_path / "band.jam")],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    audio, rate = read_wav(tmp_path / "band.wav")
    assert abs(len(audio) / rate - 8 * 4 * 60 / 95) < 0.1 and abs(audio).max() > 0.1
    text = (tmp_path / "band.jam").read_text()
    patch = parse_patch(text)
    assert not patch.errors and "tempo 95" in text and 'style "funk"' in text
    assert {"d1", "d2", "d3", "d4"} <= set(patch.channels)  # melody, kick, snare, hats, and on
    check = subprocess.run([sys.executable, "-m", "console", "check", str(tmp_path / "band.jam")],
                           capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert check.returncode == 0, check.stdout


def test_jazz_swings_its_eighths_as_triplets():
    """At the middle of the swing knob the off-beat eighths fall two thirds into the beat (a
    triplet feel), not five sixths (where `swingBy (1/3) 4` puts them)."""
    ride = next(text for part, text in arrange_parts(PLAN, "jazz") if part == "ride")
    pattern = next(iter(parse_patch(f"d1 $ {ride}").channels.values()))
    offbeats = {(e.whole.begin * 4) % 1 for e in pattern.onsets(0, 4)} - {0}
    assert offbeats == {Fraction(2, 3)}, offbeats
