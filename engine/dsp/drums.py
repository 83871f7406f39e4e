"""Synthesized drums: each renders one voice into the block, sample by sample, in numba.

Shapes after the classic analogue kits: a kick is a sine swept down in pitch, a snare
a short tone plus high-passed noise, hats high-passed noise with a short or long decay.
"""

import math

from numba import njit

from ..voices import AGE, FREQ, GAIN, GATE, LEFT, LENGTH, NOISE, PHASE, RIGHT, SPEED
from .noise import white

TWO_PI = 2.0 * math.pi
FADE_SECONDS = 0.01


@njit(cache=True, nogil=True, inline="always")
def tail(v, age, sr):
    """1 until the last FADE_SECONDS of a voice's life, then a ramp to 0: voices never end in a click."""
    return min(1.0, (v[LENGTH] - age) / (FADE_SECONDS * sr))


@njit(cache=True, nogil=True)
def kick(v, out, start, sr):
    age, phase, gain, speed = v[AGE], v[PHASE], v[GAIN], v[SPEED]
    n = out.shape[0]
    for i in range(start, n):
        t = age / sr
        freq = (48.0 + 120.0 * math.exp(-t / 0.035)) * speed
        phase += TWO_PI * freq / sr
        amp = math.exp(-t / 0.32)
        click = white(v, NOISE) * 0.35 * math.exp(-t / 0.0012)  # the beater hitting the head
        x = (math.sin(phase) * amp + click) * gain * tail(v, age, sr)
        out[i, 0] += x * v[LEFT]
        out[i, 1] += x * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[PHASE] = age, phase


@njit(cache=True, nogil=True)
def snare(v, out, start, sr):
    age, phase, gain, speed = v[AGE], v[PHASE], v[GAIN], v[SPEED]
    lp = v[FREQ]  # the noise's low-pass memory, for a one-pole high-pass
    n = out.shape[0]
    for i in range(start, n):
        t = age / sr
        phase += TWO_PI * 185.0 * speed / sr
        tone = math.sin(phase) * math.exp(-t / 0.05) * 0.55
        w = white(v, NOISE)
        lp += 0.25 * (w - lp)
        x = (tone + (w - lp) * 0.8 * math.exp(-t / 0.11)) * gain * tail(v, age, sr)
        out[i, 0] += x * v[LEFT]
        out[i, 1] += x * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[PHASE], v[FREQ] = age, phase, lp


@njit(cache=True, nogil=True)
def hat(v, out, start, sr, decay):
    """A closed hat chokes a ringing open one (GATE set): it fades in about 3 ms, without a click."""
    age, gain = v[AGE], v[GAIN]
    choke = math.exp(-1.0 / (0.001 * sr)) if v[GATE] > 0.0 else 1.0
    lp1, lp2 = v[FREQ], v[PHASE]
    n = out.shape[0]
    for i in range(start, n):
        t = age / sr
        w = white(v, NOISE)
        lp1 += 0.55 * (w - lp1)      # two one-pole high-passes in series: the sizzle above ~7 kHz
        h1 = w - lp1
        lp2 += 0.55 * (h1 - lp2)
        gain *= choke
        x = (h1 - lp2) * math.exp(-t / decay) * gain * 0.7 * tail(v, age, sr)
        out[i, 0] += x * v[LEFT]
        out[i, 1] += x * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[FREQ], v[PHASE], v[GAIN] = age, lp1, lp2, gain
    if gain < 1e-4:
        v[AGE] = v[LENGTH]


@njit(cache=True, nogil=True)
def clap(v, out, start, sr):
    age, gain, lp = v[AGE], v[GAIN], v[FREQ]
    n = out.shape[0]
    for i in range(start, n):
        t = age / sr
        # three quick bursts over a decaying tail: hands that never quite clap together
        env = 0.45 * math.exp(-t / 0.09)
        if t < 0.033:
            env += 0.6 * math.exp(-(t % 0.011) / 0.006)
        w = white(v, NOISE)
        lp += 0.35 * (w - lp)
        x = (w - lp) * env * gain * 0.9 * tail(v, age, sr)
        out[i, 0] += x * v[LEFT]
        out[i, 1] += x * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[FREQ] = age, lp
