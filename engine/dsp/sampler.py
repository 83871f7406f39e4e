"""Sample playback: a voice that reads a sound file out of the flat bank (engine/samples.py).

The bank is one float32 array; a file is BANK_FRAMES frames of BANK_CHANNELS (1 or 2) interleaved
values from BANK_START, already at the engine's rate. A voice plays the part of it between
SEG_BEGIN and SEG_END (frames, from SuperDirt's begin/end) at SPEED frames per output sample,
backwards when SPEED is negative, reading between frames by 4-point Hermite interpolation (at
whole frames, as at speed 1, the file's own values come out unchanged). Legato or sustain close
its GATE; it then fades out over RELEASE samples. Started inside the file (begin > 0) it fades in
over S0 samples, so that it does not click.

`resample` brings a file to the engine's rate when it is loaded (outside the audio callback):
a windowed-sinc (Blackman) interpolator, low-passed at the lower of the two Nyquist rates.
"""

import math

import numpy as np
from numba import njit

from ..voices import (AGE, BANK_CHANNELS, BANK_FRAMES, BANK_START, GAIN, GATE, LEFT, LENGTH, PHASE, RELEASE, RIGHT,
                      S0, SEG_BEGIN, SEG_END, SPEED)

SINC_ZEROS = 16  # zero crossings of the resampler's kernel on each side


@njit(cache=True, nogil=True, inline="always")
def _at(bank, base, frames, channels, j, c):
    """One value of frame j (clamped to the file), channel c."""
    if j < 0:
        j = 0
    elif j >= frames:
        j = frames - 1
    return bank[base + j * channels + c]


@njit(cache=True, nogil=True, inline="always")
def _hermite(bank, base, frames, channels, j, f, c):
    """Channel c between frames j and j + 1 (f of the way), from the four frames around them."""
    if 1 <= j and j + 2 < frames:  # inside the file: no clamping
        at = base + j * channels + c
        xm1, x0, x1, x2 = bank[at - channels], bank[at], bank[at + channels], bank[at + 2 * channels]
    else:
        xm1 = _at(bank, base, frames, channels, j - 1, c)
        x0 = _at(bank, base, frames, channels, j, c)
        x1 = _at(bank, base, frames, channels, j + 1, c)
        x2 = _at(bank, base, frames, channels, j + 2, c)
    c1 = 0.5 * (x1 - xm1)
    c2 = xm1 - 2.5 * x0 + 2.0 * x1 - 0.5 * x2
    c3 = 0.5 * (x2 - xm1) + 1.5 * (x0 - x1)
    return ((c3 * f + c2) * f + c1) * f + x0


@njit(cache=True, nogil=True)
def sampler(v, bank, out, start, sr):
    base, frames, channels = int(v[BANK_START]), int(v[BANK_FRAMES]), int(v[BANK_CHANNELS])
    if frames <= 0 or base < 0 or base + frames * channels > bank.shape[0] or channels < 1 or channels > 2:
        v[LENGTH] = v[AGE]  # not in the bank this block holds: end it, silently
        return
    age, pos, rate = v[AGE], v[PHASE], v[SPEED]
    lo, hi = v[SEG_BEGIN], v[SEG_END]
    gate, release, fade_in = v[GATE], v[RELEASE], v[S0]
    inv_release = 1.0 / release if release > 0.0 else 1e30
    left, right = v[LEFT] * v[GAIN], v[RIGHT] * v[GAIN]
    stereo = channels == 2
    for i in range(start, out.shape[0]):
        if pos < lo or pos >= hi:  # past the end (or, backwards, the beginning) of its part
            v[LENGTH] = age
            break
        j = int(pos)  # pos >= lo >= 0 here: truncation is the floor
        f = pos - j
        if f == 0.0:
            xl = _at(bank, base, frames, channels, j, 0)
            xr = _at(bank, base, frames, channels, j, 1) if stereo else xl
        else:
            xl = _hermite(bank, base, frames, channels, j, f, 0)
            xr = _hermite(bank, base, frames, channels, j, f, 1) if stereo else xl
        level = 1.0
        if age < fade_in:
            level = (age + 1.0) / fade_in
        if age >= gate:
            level *= max(0.0, 1.0 - (age - gate) * inv_release)
        out[i, 0] += xl * left * level
        out[i, 1] += xr * right * level
        pos += rate
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[PHASE] = age, pos


@njit(cache=True, nogil=True)
def resample(x, ratio):
    """x (frames, channels) at one rate to `ratio` times that rate, as float32 (frames, channels)."""
    n_in, channels = x.shape[0], x.shape[1]
    n_out = max(1, int(round(n_in * ratio)))
    y = np.zeros((n_out, channels), dtype=np.float32)
    cutoff = min(1.0, ratio)  # of the input's Nyquist rate
    half = SINC_ZEROS / cutoff  # the kernel's half-width in input samples
    acc = np.zeros(channels)
    for j in range(n_out):
        t = j / ratio
        first = max(0, int(math.ceil(t - half)))
        last = min(n_in - 1, int(math.floor(t + half)))
        acc[:] = 0.0
        for k in range(first, last + 1):
            d = t - k
            u = math.pi * cutoff * d
            s = cutoff if u == 0.0 else cutoff * math.sin(u) / u
            w = 0.42 + 0.5 * math.cos(math.pi * d / half) + 0.08 * math.cos(2.0 * math.pi * d / half)
            for c in range(channels):
                acc[c] += x[k, c] * s * w
        for c in range(channels):
            y[j, c] = acc[c]
    return y
