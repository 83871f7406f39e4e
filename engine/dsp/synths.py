"""Raw oscillators through a resonant low-pass and a linear ADSR: `s "saw" # cutoff 1200`.

The oscillators are band-limited: above ADDITIVE_BELOW harmonics under Nyquist with polyBLEP
(saw, square, pulse; the triangle is the integral of a band-limited square), and when fewer
harmonics fit (high notes, where polyBLEP's aliases would be loudest) as an exact sum of them; the filter is a TPT state-variable low-pass (Zavalishin,
Simper), stable at every cutoff and resonance; the envelope is computed from the voice's
age alone, so a voice needs no envelope state.
"""

import math

import numpy as np
from numba import njit

from ..voices import (AGE, ATTACK, CUTOFF, DECAY, FREQ, GAIN, GATE, LEFT, LENGTH, NOISE, NOISE_OSC, PHASE,
                      PULSE, RELEASE, RESONANCE, RIGHT, SAW, SINE, SQUARE, SUSTAIN_LEVEL, TRIANGLE, WIDTH, Z1,
                      Z2)
from .noise import white

TWO_PI = 2.0 * math.pi
ADDITIVE_BELOW = 16  # harmonics under Nyquist: fewer, and saw and square are summed exactly
INVERSE = 1.0 / np.arange(1, ADDITIVE_BELOW + 2)  # 1/k, so the sum needs no division


@njit(cache=True, nogil=True, inline="always")
def additive(cos_t, sin_t, harmonics, odd_only):
    """Σ sin(kθ)/k for k = 1..harmonics (odd k only for a square), by the Chebyshev recurrence
    sin((k+1)θ) = 2cos(θ)sin(kθ) - sin((k-1)θ): one multiply-add per harmonic."""
    two_c = 2.0 * cos_t
    prev, cur = 0.0, sin_t
    total = 0.0
    if odd_only:
        for k in range(harmonics):
            if k % 2 == 0:
                total += cur * INVERSE[k]
            prev, cur = cur, two_c * cur - prev
    else:
        for k in range(harmonics):
            total += cur * INVERSE[k]
            prev, cur = cur, two_c * cur - prev
    return total


@njit(cache=True, nogil=True, inline="always")
def polyblep(t, dt):
    """The band-limiting correction of a unit step at phase 0 (Välimäki's polyBLEP)."""
    if t < dt:
        t /= dt
        return t + t - t * t - 1.0
    if t > 1.0 - dt:
        t = (t - 1.0) / dt
        return t * t + t + t + 1.0
    return 0.0


@njit(cache=True, nogil=True, inline="always")
def adsr(age, gate, attack, inv_attack, decay_end, decay_slope, sustain, inv_release):
    """Linear ADSR at a given age (samples); after the gate, release from where it was.
    Reciprocals and slopes come precomputed: this runs once per sample per voice."""
    t = age if age < gate else gate
    if t < attack:
        level = t * inv_attack
    elif t < decay_end:
        level = 1.0 - decay_slope * (t - attack)
    else:
        level = sustain
    if age < gate:
        return level
    return max(0.0, level * (1.0 - (age - gate) * inv_release))


@njit(cache=True, nogil=True)
def oscillator(v, out, start, sr, kind):
    age, phase, gain = v[AGE], v[PHASE], v[GAIN]
    dt = v[FREQ] / sr
    gate, attack, decay, sustain, release = v[GATE], v[ATTACK], v[DECAY], v[SUSTAIN_LEVEL], v[RELEASE]
    inv_attack = 1.0 / attack
    decay_end = attack + decay
    decay_slope = (1.0 - sustain) / decay if decay > 0.0 else 0.0
    inv_release = 1.0 / release if release > 0.0 else 1e30
    left, right = v[LEFT] * gain, v[RIGHT] * gain
    width = v[WIDTH]
    harmonics = int((0.5 * sr - 1.0) / max(v[FREQ], 1.0))
    exact = harmonics <= ADDITIVE_BELOW and (kind == SAW or kind == SQUARE)
    # cos/sin of the phase by rotation, one complex multiply a sample (two trig calls a block)
    cos_t, sin_t = math.cos(TWO_PI * phase), math.sin(TWO_PI * phase)
    cos_d, sin_d = math.cos(TWO_PI * dt), math.sin(TWO_PI * dt)
    # TPT state-variable low-pass coefficients (fixed per voice)
    filtered = v[CUTOFF] > 0.0
    g = math.tan(math.pi * min(v[CUTOFF], 0.49 * sr) / sr)
    k = 2.0 - 1.98 * min(max(v[RESONANCE], 0.0), 1.0)  # damping: resonance 1 is nearly self-oscillating
    a1 = 1.0 / (1.0 + g * (g + k))
    a2 = g * a1
    a3 = g * a2
    ic1, ic2 = v[Z1], v[Z2]
    tri = v[NOISE] if kind == TRIANGLE else 0.0  # the triangle's integrator lives in the noise slot
    n = out.shape[0]
    for i in range(start, n):
        phase += dt
        if phase >= 1.0:
            phase -= 1.0
        if exact:
            cos_t, sin_t = cos_t * cos_d - sin_t * sin_d, sin_t * cos_d + cos_t * sin_d
            if kind == SAW:
                x = -2.0 / math.pi * additive(cos_t, sin_t, harmonics, False)
            else:
                x = 4.0 / math.pi * additive(cos_t, sin_t, harmonics, True)
        elif kind == SAW:
            x = 2.0 * phase - 1.0 - polyblep(phase, dt)
        elif kind == SQUARE or kind == PULSE or kind == TRIANGLE:
            w = width if kind == PULSE else 0.5
            x = (1.0 if phase < w else -1.0) + polyblep(phase, dt)
            t2 = phase - w + 1.0 if phase < w else phase - w
            x -= polyblep(t2, dt)
            if kind == TRIANGLE:
                tri = 0.999 * tri + 4.0 * dt * x  # leaky integration of the square
                x = tri
        elif kind == NOISE_OSC:
            x = white(v, NOISE)
        else:
            x = math.sin(TWO_PI * phase)
        if filtered:
            v3 = x - ic2
            v1 = a1 * ic1 + a2 * v3
            v2 = ic2 + a2 * ic1 + a3 * v3
            ic1 = 2.0 * v1 - ic1
            ic2 = 2.0 * v2 - ic2
            x = v2
        x *= adsr(age, gate, attack, inv_attack, decay_end, decay_slope, sustain, inv_release)
        out[i, 0] += x * left
        out[i, 1] += x * right
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[PHASE], v[Z1], v[Z2] = age, phase, ic1, ic2
    if kind == TRIANGLE:
        v[NOISE] = tri
