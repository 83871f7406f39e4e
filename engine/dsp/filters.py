"""Filters a voice runs through after it renders: SuperDirt's band-pass and vowel, a resonant
high-pass, and a 4-pole ladder low-pass.

All are zero-delay-feedback (topology-preserving transform, Zavalishin) designs: the cutoff is
prewarped with tan and the feedback is solved exactly each sample, so every cutoff up to the
clamp below Nyquist and every resonance in 0..1 keeps the poles inside the unit circle. Each
channel has its own state, in the voice row's FILTER_STATE columns (BAND_STATE.. below).

- band-pass (`bandf`, `bandq`): SuperDirt's BPF(bandf, 1/bandq) * bandq, which is the state-variable
  filter's band output (its peak gain is Q); Q at least 1, the centre at least 20 Hz.
- vowel (`vowel`): SuperDirt's five band-passes at the vowel's formants (the Vowel quark's
  counter-tenor table, which SuperDirt loads), each at its formant's level, summed; widths are
  the table's times 0.55 (SuperDirt's default resonance 0.5).
- resonant high-pass (`hcutoff` with `hresonance`): the state-variable filter's high output, damped
  as the oscillators' low-pass is (resonance 1 nearly self-oscillates).
- ladder (`ladder`, `ladderq`): four one-pole TPT stages with global feedback k = 3.96 * ladderq
  (4 would self-oscillate), input scaled by 1 + k so that the pass band keeps its level.
"""

import math

import numpy as np
from numba import njit

from ..voices import BANDF, BANDQ, FILTER_STATE, HCUTOFF, HDAMPING, LADDER, LADDERQ, VOWEL

BAND_STATE, HIGH_STATE, LADDER_STATE, VOWEL_STATE = (FILTER_STATE, FILTER_STATE + 4, FILTER_STATE + 8,
                                                      FILTER_STATE + 16)  # 4, 4, 8 and 20 columns
VOWELS = "aeiou"  # EV_VOWEL 1..5; SuperDirt knows no other vowel (and plays the sound without one)
# formants of the counter-tenor vowels a e i o u: centres (Hz), levels (dB), widths (Hz)
VOWEL_FREQS = np.array([[660.0, 1120.0, 2750.0, 3000.0, 3350.0], [440.0, 1800.0, 2700.0, 3000.0, 3300.0],
                        [270.0, 1850.0, 2900.0, 3350.0, 3590.0], [430.0, 820.0, 2700.0, 3000.0, 3300.0],
                        [370.0, 630.0, 2750.0, 3000.0, 3400.0]])
VOWEL_AMPS = 10.0 ** (np.array([[0.0, -6.0, -23.0, -24.0, -38.0], [0.0, -14.0, -18.0, -20.0, -20.0],
                                [0.0, -24.0, -24.0, -36.0, -36.0], [0.0, -10.0, -26.0, -22.0, -34.0],
                                [0.0, -20.0, -23.0, -30.0, -34.0]]) / 20.0)
VOWEL_WIDTHS = 0.55 * np.array([[80.0, 90.0, 120.0, 130.0, 140.0], [70.0, 80.0, 100.0, 120.0, 120.0],
                                [40.0, 90.0, 100.0, 120.0, 120.0], [40.0, 80.0, 100.0, 120.0, 120.0],
                                [40.0, 60.0, 100.0, 120.0, 120.0]])
VOWEL_GAIN = 6.0  # the formants pass a narrow part of the spectrum: this brings a saw back near its level
LADDER_FEEDBACK = 3.96


@njit(cache=True, nogil=True, inline="always")
def prewarp(hz, sr):
    """The TPT integrators' gain for a cutoff, clamped to 10 Hz .. 0.45 sr (finite, below Nyquist)."""
    return math.tan(math.pi * min(max(hz, 10.0), 0.45 * sr) / sr)


@njit(cache=True, nogil=True, inline="always")
def svf_step(x, g, k, a1, ic1, ic2):
    """One sample of the TPT state-variable filter (a1 = 1 / (1 + g (g + k))): band, low and the
    two new states; the high output is x - k band - low."""
    v3 = x - ic2
    v1 = a1 * (ic1 + g * v3)
    v2 = ic2 + g * v1
    return v1, v2, 2.0 * v1 - ic1, 2.0 * v2 - ic2


@njit(cache=True, nogil=True)
def band_pass(v, x, n, sr):
    """SuperDirt's bpf: the band around BANDF, peak gain Q (BANDQ, at least 1)."""
    k = 1.0 / max(v[BANDQ], 1.0)
    g = prewarp(max(v[BANDF], 20.0), sr)
    a1 = 1.0 / (1.0 + g * (g + k))
    for c in range(2):
        ic1, ic2 = v[BAND_STATE + 2 * c], v[BAND_STATE + 2 * c + 1]
        for i in range(n):
            band, low, ic1, ic2 = svf_step(x[i, c], g, k, a1, ic1, ic2)
            x[i, c] = band
        v[BAND_STATE + 2 * c], v[BAND_STATE + 2 * c + 1] = ic1, ic2


@njit(cache=True, nogil=True)
def high_pass(v, x, n, sr):
    """The resonant 2-pole high-pass at HCUTOFF (damping HDAMPING: 2 flat, near 0 a sharp peak)."""
    k = v[HDAMPING]
    g = prewarp(v[HCUTOFF], sr)
    a1 = 1.0 / (1.0 + g * (g + k))
    for c in range(2):
        ic1, ic2 = v[HIGH_STATE + 2 * c], v[HIGH_STATE + 2 * c + 1]
        for i in range(n):
            s = x[i, c]
            band, low, ic1, ic2 = svf_step(s, g, k, a1, ic1, ic2)
            x[i, c] = s - k * band - low
        v[HIGH_STATE + 2 * c], v[HIGH_STATE + 2 * c + 1] = ic1, ic2


@njit(cache=True, nogil=True, inline="always")
def formant(which, f, sr):
    """Formant f of a vowel as a unit-peak band-pass: (g, k, a1) of the state-variable filter."""
    hz = VOWEL_FREQS[which, f]
    k = VOWEL_WIDTHS[which, f] / hz
    g = prewarp(hz, sr)
    return g, k, 1.0 / (1.0 + g * (g + k))


@njit(cache=True, nogil=True)
def vowel(v, x, n, sr):
    """SuperDirt's vowel: the sum of five band-passes (unit peak gain) at the vowel's formants."""
    which = int(v[VOWEL]) - 1
    bands = (formant(which, 0, sr), formant(which, 1, sr), formant(which, 2, sr), formant(which, 3, sr),
             formant(which, 4, sr))
    for c in range(2):
        for i in range(n):
            s = x[i, c]
            y = 0.0
            for f in range(5):
                g, k, a1 = bands[f]
                at = VOWEL_STATE + 10 * c + 2 * f
                band, low, v[at], v[at + 1] = svf_step(s, g, k, a1, v[at], v[at + 1])
                y += VOWEL_AMPS[which, f] * k * band
            x[i, c] = VOWEL_GAIN * y


@njit(cache=True, nogil=True)
def ladder(v, x, n, sr):
    """The 4-pole ladder low-pass at LADDER, resonance LADDERQ 0..1 (24 dB an octave above the cutoff)."""
    k = LADDER_FEEDBACK * min(max(v[LADDERQ], 0.0), 1.0)
    g = prewarp(v[LADDER], sr)
    G = g / (1.0 + g)  # one stage: y = G x + s / (1 + g)
    beta = 1.0 / (1.0 + g)
    G4 = G * G * G * G
    for c in range(2):
        at = LADDER_STATE + 4 * c
        s1, s2, s3, s4 = v[at], v[at + 1], v[at + 2], v[at + 3]
        for i in range(n):
            # the 4th stage's output is G^4 u + S: solve u = (1 + k) x - k y4 for u
            S = beta * (G * G * G * s1 + G * G * s2 + G * s3 + s4)
            u = ((1.0 + k) * x[i, c] - k * S) / (1.0 + k * G4)
            y1 = G * u + beta * s1
            s1 = 2.0 * y1 - s1
            y2 = G * y1 + beta * s2
            s2 = 2.0 * y2 - s2
            y3 = G * y2 + beta * s3
            s3 = 2.0 * y3 - s3
            y4 = G * y3 + beta * s4
            s4 = 2.0 * y4 - s4
            x[i, c] = y4
        v[at], v[at + 1], v[at + 2], v[at + 3] = s1, s2, s3, s4
