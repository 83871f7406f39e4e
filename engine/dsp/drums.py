"""Synthesized drums: each renders one voice into the block, sample by sample, in numba.

Shapes after the classic analogue kits: a kick is a sine swept down in pitch, a snare
a short tone plus high-passed noise, hats high-passed noise with a short or long decay.
"""

import math

from numba import njit

from ..voices import AGE, FREQ, GAIN, GATE, LEFT, LENGTH, NOISE, PHASE, RIGHT, SPEED
from .noise import noise_of, white, xorshift
from .sine import sine

FADE_SECONDS = 0.01


@njit(cache=True, nogil=True, inline="always")
def tail(v, age, sr):
    """1 until the last FADE_SECONDS of a voice's life, then a ramp to 0: voices never end in a click."""
    return min(1.0, (v[LENGTH] - age) / (FADE_SECONDS * sr))


@njit(cache=True, nogil=True)
def kick(v, out, start, sr):
    """A sine falling from 168 Hz to 48 Hz, and the beater's click. Its decays take one multiply
    a sample (each started from exp once a block), its sine a polynomial (engine/dsp/sine.py)."""
    age, phase, gain, speed = v[AGE], v[PHASE], v[GAIN], v[SPEED]
    t = age / sr
    sweep = 120.0 * speed / sr * math.exp(-t / 0.035)  # the pitch above 48 Hz, in turns a sample
    amp = math.exp(-t / 0.32)
    click = 0.35 * math.exp(-t / 0.0012)
    sweep_fall, amp_fall, click_fall = math.exp(-1.0 / (0.035 * sr)), math.exp(-1.0 / (0.32 * sr)), math.exp(
        -1.0 / (0.0012 * sr))
    low = 48.0 * speed / sr
    noise = int(v[NOISE]) & 0xFFFFFFFF
    left, right, length, inv_fade = v[LEFT], v[RIGHT], v[LENGTH], 1.0 / (FADE_SECONDS * sr)
    for i in range(start, out.shape[0]):
        phase += low + sweep
        if phase >= 1.0:
            phase -= 1.0
        noise = xorshift(noise)
        x = (sine(phase) * amp + noise_of(noise) * click) * gain * min(1.0, (length - age) * inv_fade)
        out[i, 0] += x * left
        out[i, 1] += x * right
        sweep *= sweep_fall
        amp *= amp_fall
        click *= click_fall
        age += 1.0
        if age >= length:
            break
    v[AGE], v[PHASE], v[NOISE] = age, phase, noise


@njit(cache=True, nogil=True)
def snare(v, out, start, sr):
    """A 185 Hz tone and high-passed noise, decaying (as the kick: by multiplies and a polynomial sine)."""
    age, phase, gain, speed = v[AGE], v[PHASE], v[GAIN], v[SPEED]
    lp = v[FREQ]  # the noise's low-pass memory, for a one-pole high-pass
    t = age / sr
    tone, rattle = 0.55 * math.exp(-t / 0.05), 0.8 * math.exp(-t / 0.11)
    tone_fall, rattle_fall = math.exp(-1.0 / (0.05 * sr)), math.exp(-1.0 / (0.11 * sr))
    dt = 185.0 * speed / sr
    noise = int(v[NOISE]) & 0xFFFFFFFF
    left, right, length, inv_fade = v[LEFT], v[RIGHT], v[LENGTH], 1.0 / (FADE_SECONDS * sr)
    for i in range(start, out.shape[0]):
        phase += dt
        if phase >= 1.0:
            phase -= 1.0
        noise = xorshift(noise)
        w = noise_of(noise)
        lp += 0.25 * (w - lp)
        x = (sine(phase) * tone + (w - lp) * rattle) * gain * min(1.0, (length - age) * inv_fade)
        out[i, 0] += x * left
        out[i, 1] += x * right
        tone *= tone_fall
        rattle *= rattle_fall
        age += 1.0
        if age >= length:
            break
    v[AGE], v[PHASE], v[FREQ], v[NOISE] = age, phase, lp, noise


@njit(cache=True, nogil=True)
def hat(v, out, start, sr, decay):
    """A closed hat chokes a ringing open one (GATE set): it fades in about 3 ms, without a click."""
    age, gain = v[AGE], v[GAIN]
    choke = math.exp(-1.0 / (0.001 * sr)) if v[GATE] > 0.0 else 1.0
    lp1, lp2 = v[FREQ], v[PHASE]
    level = 0.7 * math.exp(-age / sr / decay)
    fall = math.exp(-1.0 / (decay * sr))
    noise = int(v[NOISE]) & 0xFFFFFFFF
    left, right, length, inv_fade = v[LEFT], v[RIGHT], v[LENGTH], 1.0 / (FADE_SECONDS * sr)
    for i in range(start, out.shape[0]):
        noise = xorshift(noise)
        w = noise_of(noise)
        lp1 += 0.55 * (w - lp1)      # two one-pole high-passes in series: the sizzle above ~7 kHz
        h1 = w - lp1
        lp2 += 0.55 * (h1 - lp2)
        gain *= choke
        x = (h1 - lp2) * level * gain * min(1.0, (length - age) * inv_fade)
        out[i, 0] += x * left
        out[i, 1] += x * right
        level *= fall
        age += 1.0
        if age >= length:
            break
    v[AGE], v[FREQ], v[PHASE], v[GAIN], v[NOISE] = age, lp1, lp2, gain, noise
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
