"""Synthesized drums: each renders one voice into the block, sample by sample, in numba.

Shapes after the classic analogue kits: a kick is a sine swept down in pitch, a snare
a short tone plus high-passed noise, hats high-passed noise with a short or long decay.
"""

import math

from numba import njit

from ..voices import AGE, FREQ, GAIN, GATE, LEFT, LENGTH, NOISE, PHASE, RIGHT, S0, S1, S2, S3, S4, S5, SPEED
from .noise import noise_of, white, xorshift
from .passes import SCRATCH, mix_pass, powers, samples_left
from .sine import sine

FADE_SECONDS = 0.01
CLICK_FLOOR = 1e-12  # the kick's click draws no more noise once it is this quiet (-240 dB, after 32 ms)


@njit(cache=True, nogil=True, inline="always")
def tail(v, age, sr):
    """1 until the last FADE_SECONDS of a voice's life, then a ramp to 0: voices never end in a click."""
    return min(1.0, (v[LENGTH] - age) / (FADE_SECONDS * sr))


@njit(cache=True, nogil=True)
def kick(v, line, out, start, sr):
    """A sine falling from 168 Hz to 48 Hz, and the beater's click (noise, while it is above
    CLICK_FLOOR), a sample at a time; after the click, in passes (engine/dsp/passes.py): the
    decays, then the phase (the sum of the falling pitch, a geometric series) and its sine (a
    polynomial)."""
    age, phase, gain, speed = v[AGE], v[PHASE], v[GAIN], v[SPEED]
    if age == 0.0:  # the decays' levels and ratios a sample, carried from block to block
        v[S0], v[S1], v[S2] = 120.0 * speed / sr, 1.0, 0.35  # the pitch above 48 Hz in turns a sample
        v[S3], v[S4], v[S5] = math.exp(-1.0 / (0.035 * sr)), math.exp(-1.0 / (0.32 * sr)), math.exp(
            -1.0 / (0.0012 * sr))
    sweep, amp, click = v[S0], v[S1], v[S2]
    sweep_fall, amp_fall, click_fall = v[S3], v[S4], v[S5]
    low = 48.0 * speed / sr
    series = 1.0 / (1.0 - sweep_fall)  # the sum of sweep_fall ** m for m <= j is (1 - sweep_fall ** (j + 1)) * series
    noise = int(v[NOISE]) & 0xFFFFFFFF
    length, inv_fade = v[LENGTH], 1.0 / (FADE_SECONDS * sr)
    left, right = v[LEFT], v[RIGHT]
    at = start
    todo = samples_left(v, out, start)
    while todo > 0 and click > CLICK_FLOOR:
        phase += low + sweep
        phase -= math.floor(phase)
        noise = xorshift(noise)
        x = (sine(phase) * amp + noise_of(noise) * click) * gain * min(1.0, (length - age) * inv_fade)
        out[at, 0] += x * left
        out[at, 1] += x * right
        sweep *= sweep_fall
        amp *= amp_fall
        click *= click_fall
        age += 1.0
        at += 1
        todo -= 1
    while todo > 0:
        count = min(todo, SCRATCH)
        amp = powers(line, 0, amp, amp_fall, count)
        powers(line, 1, sweep_fall, sweep_fall, count)  # sweep_fall ** (j + 1)
        for j in range(count):  # the phase sums the pitch: the sweep's part is a geometric series
            p = phase + (j + 1) * low + sweep * (1.0 - line[SCRATCH + j]) * series
            line[2 * SCRATCH + j] = sine(p) * line[j] * gain * min(1.0, (length - age - j) * inv_fade)
        mix_pass(v, out, at, line, 2, count)
        phase += count * low + sweep * (1.0 - line[SCRATCH + count - 1]) * series
        phase -= math.floor(phase)
        sweep *= line[SCRATCH + count - 1]
        age += count
        at += count
        todo -= count
    v[AGE], v[PHASE], v[NOISE], v[S0], v[S1], v[S2] = age, phase, noise, sweep, amp, click


@njit(cache=True, nogil=True)
def snare(v, out, start, sr):
    """A 185 Hz tone and high-passed noise, decaying (as the kick: by multiplies and a polynomial sine)."""
    age, phase, gain, speed = v[AGE], v[PHASE], v[GAIN], v[SPEED]
    lp = v[FREQ]  # the noise's low-pass memory, for a one-pole high-pass
    if age == 0.0:  # the decays' levels and ratios a sample, carried from block to block
        v[S0], v[S1], v[S2], v[S3] = 0.55, 0.8, math.exp(-1.0 / (0.05 * sr)), math.exp(-1.0 / (0.11 * sr))
    tone, rattle, tone_fall, rattle_fall = v[S0], v[S1], v[S2], v[S3]
    dt = 185.0 * speed / sr
    noise = int(v[NOISE]) & 0xFFFFFFFF
    left, right, length, inv_fade = v[LEFT], v[RIGHT], v[LENGTH], 1.0 / (FADE_SECONDS * sr)
    for i in range(start, out.shape[0]):
        phase += dt
        if phase >= 1.0:
            phase -= 1.0
        noise = xorshift(noise)
        w = noise_of(noise)
        lp = 0.75 * lp + 0.25 * w  # written so, one multiply and one add are carried to the next sample
        x = (sine(phase) * tone + (w - lp) * rattle) * gain * min(1.0, (length - age) * inv_fade)
        out[i, 0] += x * left
        out[i, 1] += x * right
        tone *= tone_fall
        rattle *= rattle_fall
        age += 1.0
        if age >= length:
            break
    v[AGE], v[PHASE], v[FREQ], v[NOISE], v[S0], v[S1] = age, phase, lp, noise, tone, rattle


@njit(cache=True, nogil=True)
def hat(v, out, start, sr, decay):
    """A closed hat chokes a ringing open one (GATE set): it fades in about 3 ms, without a click."""
    age, gain = v[AGE], v[GAIN]
    choke = math.exp(-1.0 / (0.001 * sr)) if v[GATE] > 0.0 else 1.0
    lp1, lp2 = v[FREQ], v[PHASE]
    if age == 0.0:  # the decay's level and ratio a sample, carried from block to block
        v[S0], v[S1] = 0.7, math.exp(-1.0 / (decay * sr))
    level, fall = v[S0], v[S1]
    noise = int(v[NOISE]) & 0xFFFFFFFF
    left, right, length, inv_fade = v[LEFT], v[RIGHT], v[LENGTH], 1.0 / (FADE_SECONDS * sr)
    for i in range(start, out.shape[0]):
        noise = xorshift(noise)
        w = noise_of(noise)
        lp1 = 0.45 * lp1 + 0.55 * w  # two one-pole high-passes in series: the sizzle above ~7 kHz (each
        # written so that one multiply and one add are carried to the next sample)
        h1 = w - lp1
        lp2 = 0.45 * lp2 + 0.55 * h1
        gain *= choke
        x = (h1 - lp2) * level * gain * min(1.0, (length - age) * inv_fade)
        out[i, 0] += x * left
        out[i, 1] += x * right
        level *= fall
        age += 1.0
        if age >= length:
            break
    v[AGE], v[FREQ], v[PHASE], v[GAIN], v[NOISE], v[S0] = age, lp1, lp2, gain, noise, level
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
