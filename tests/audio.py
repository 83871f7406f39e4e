"""Listening to rendered audio the way a test should: find onsets in the samples themselves."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def onset_times(audio: np.ndarray, rate: int, ratio: float = 2.5, floor: float = 2e-3,
                refractory: float = 0.03) -> list[float]:
    """Seconds at which a new percussive sound starts.

    Drums start with a burst of high frequencies (the beater's click, the snare's
    wires, the hat's sizzle), so the second difference of the signal jumps at an
    onset while the low tails of earlier hits barely register. An onset is where
    the next millisecond's peak is `ratio` times the previous four milliseconds';
    its time is the first sample there that reaches a fifth of that peak.
    """
    x = audio.mean(axis=1) if audio.ndim == 2 else audio
    hp = np.abs(np.diff(x.astype(np.float64), n=2, prepend=[0.0, 0.0]))
    w = max(1, int(0.001 * rate))
    past_w = 4 * w
    future = np.concatenate([sliding_window_view(hp, w).max(axis=1), np.zeros(w - 1)])
    past = np.concatenate([np.zeros(past_w), sliding_window_view(hp, past_w).max(axis=1)[:-1]])
    candidates = np.flatnonzero((future > floor) & (future > ratio * past))
    times, last = [], -np.inf
    for i in candidates:
        if (i - last) / rate < refractory:
            continue
        peak = future[i]
        first = i + int(np.argmax(hp[i:i + w] >= 0.2 * peak))
        times.append(first / rate)
        last = i
    return times
