"""Breakpoint envelopes (engine/dsp/envelopes.py): the kernel's shape, and the piano's two-stage
decay heard in its rendered level."""

from __future__ import annotations

import numpy as np
import pytest

from dsl import parse_patch
from engine.dsp.envelopes import breakpoints
from engine.offline import render_patch

RATE = 48000


def test_segments_follow_their_times_and_curves_and_hold_the_last_level():
    levels, times = np.array([0.0, 1.0, 0.5]), np.array([0.1, 0.4])
    straight, bowed = np.array([0.0, 0.0]), np.array([0.0, -4.0])
    assert breakpoints(0.05, levels, times, straight) == pytest.approx(0.5)
    assert breakpoints(0.3, levels, times, straight) == pytest.approx(0.75)  # half way down the fall
    assert breakpoints(0.1, levels, times, straight) == pytest.approx(1.0)
    # a negative curve falls fast first: below the straight line half way, at the end all the same
    assert breakpoints(0.3, levels, times, bowed) < 0.6
    assert breakpoints(0.4999, levels, times, bowed) == pytest.approx(0.5, abs=1e-3)
    assert breakpoints(7.0, levels, times, bowed) == 0.5


def level_db(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RMS level (dB) in 10 ms windows, and the windows' centres (seconds)."""
    w = RATE // 100
    frames = audio[: len(audio) // w * w].reshape(-1, w)
    return (np.arange(len(frames)) + 0.5) * w / RATE, 20 * np.log10(np.sqrt((frames ** 2).mean(axis=1)) + 1e-12)


@pytest.mark.parametrize("note", [-12, 0, 12])
def test_the_piano_decays_in_two_stages(note):
    """The prompt sound falls fast for the first 0.3 s, the aftersound slowly after it (with one
    decay per partial alone, both slopes were the same: -3.5 dB/s early and late at middle C)."""
    patch = parse_patch(f'setcps 0.2\nd1 $ note ({note}) # s "piano" # sustain 3 # velocity 0.8')
    t, db = level_db(render_patch(patch, rate=RATE, seconds=2.0)[:, 0].astype(np.float64))

    def slope(start: float, end: float) -> float:
        inside = (t >= start) & (t < end)
        return float(np.polyfit(t[inside], db[inside], 1)[0])

    early, late = slope(0.02, 0.3), slope(0.6, 1.8)
    assert early < -12 and early < 3 * late, (early, late)  # dB per second
