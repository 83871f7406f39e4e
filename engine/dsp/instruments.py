"""The band: fourteen instruments, each a small synthesis recipe that sounds like itself.

Recipes after the classic ones: piano as inharmonic partials that die faster the higher
they are; electric piano as two-operator FM with a tine; organ as drawbars; guitars and bass
as Karplus-Strong strings in a per-voice delay line; bowed strings, reeds and brass as
band-limited waves through filters with vibrato and breath; flute as a near-sine with breath;
pad as detuned saws. Velocity brightens as well as loudens. Every voice plays its gate, then
a release, and ends in silence.
"""

import math

import numpy as np
from numba import njit

from ..voices import (ACOUSTIC_GUITAR, AGE, BASS_GUITAR, BRASS, CELLO, DELAY_LINE, ELECTRIC_GUITAR, EPIANO, FLUTE,
                      FREQ, GAIN, GATE, LEAD, LEFT, LENGTH, NOISE, ORGAN, PAD, PIANO, RELEASE, RIGHT, S0, S1, S2, S3,
                      S4, S5, S6, SAXOPHONE, TRUMPET, VELOCITY, VIOLIN, Z1, Z2)
from .envelopes import breakpoints
from .noise import white
from .passes import SCRATCH, mix_pass, powers, samples_left
from .sine import sine
from .synths import polyblep

TWO_PI = 2.0 * math.pi
ORGAN_RATIOS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
ORGAN_LEVELS = (0.5, 1.0, 0.45, 0.5, 0.3, 0.25, 0.12)
# the piano's two-stage decay (engine/dsp/envelopes.py): the hammer's prompt sound, 2 ms up, falls
# over 0.35 s to the aftersound, which then dies as its partials do (the strings of a note,
# detuned a little, first beat against each other and then ring on together)
PIANO_LEVELS, PIANO_TIMES, PIANO_CURVES = np.array([0.0, 1.4, 0.65]), np.array([0.002, 0.35]), np.array([0.0, -4.0])


@njit(cache=True, nogil=True, inline="always")
def gate_level(age, gate, inv_release):
    """1 while the key is down, then a linear release to 0 (over 1 / inv_release samples)."""
    return 1.0 if age < gate else max(0.0, 1.0 - (age - gate) * inv_release)


@njit(cache=True, nogil=True, inline="always")
def rise(age, seconds, sr):
    return min(1.0, age / (seconds * sr))


@njit(cache=True, nogil=True, inline="always")
def saw(phase, dt):
    return 2.0 * phase - 1.0 - polyblep(phase, dt)


@njit(cache=True, nogil=True, inline="always")
def svf_low(x, g, k, ic1, ic2):
    """One sample of a TPT state-variable low-pass; returns (y, ic1, ic2)."""
    a1 = 1.0 / (1.0 + g * (g + k))
    v3 = x - ic2
    v1 = a1 * ic1 + g * a1 * v3
    v2 = ic2 + g * a1 * ic1 + g * g * a1 * v3
    return v2, 2.0 * v1 - ic1, 2.0 * v2 - ic2


@njit(cache=True, nogil=True, inline="always")
def cutoff_g(hz, sr):
    return math.tan(math.pi * min(max(hz, 20.0), 0.45 * sr) / sr)


@njit(cache=True, nogil=True)
def piano(v, out, start, sr):
    """Six partials, stretched (string stiffness B) and decaying faster as they go up, under the
    two-stage decay of PIANO_LEVELS."""
    f0, vel, age = v[FREQ], v[VELOCITY], v[AGE]
    gate, inv_release, gain = v[GATE], 1.0 / v[RELEASE], v[GAIN] * 0.32
    tau = min(6.0, max(0.5, 3.0 * (261.6 / f0) ** 0.5))
    b = 0.0004
    tilt = 1.6 - 0.8 * vel  # harder hits keep more of the upper partials
    hammer_lp = v[Z1]
    for i in range(start, out.shape[0]):
        t = age / sr
        x = 0.0
        for n in range(6):
            fn = (n + 1) * f0 * math.sqrt(1.0 + b * (n + 1) * (n + 1))
            if fn < 0.45 * sr:
                v[S0 + n] += fn / sr
                if v[S0 + n] >= 1.0:
                    v[S0 + n] -= 1.0
                x += math.sin(TWO_PI * v[S0 + n]) * math.exp(-t * (1.0 + 0.7 * n) / tau) / (n + 1) ** tilt
        w = white(v, NOISE)
        hammer_lp += 0.3 * (w - hammer_lp)
        x += hammer_lp * 0.6 * vel * math.exp(-t / 0.004)
        y = x * gain * gate_level(age, gate, inv_release) * breakpoints(t, PIANO_LEVELS, PIANO_TIMES, PIANO_CURVES)
        out[i, 0] += y * v[LEFT]
        out[i, 1] += y * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[Z1] = age, hammer_lp


@njit(cache=True, nogil=True)
def epiano(v, line, out, start, sr):
    """Two-operator FM (1:1, index falling) plus a 14:1 tine that rings briefly. In passes
    (engine/dsp/passes.py): its three decays, then the sound (its sines are polynomials)."""
    f0, vel, age = v[FREQ], v[VELOCITY], v[AGE]
    gate, inv_release, gain = v[GATE], 1.0 / v[RELEASE], v[GAIN] * 0.45
    inv_attack = 1.0 / (0.001 * sr)
    phase, dt = v[S0], f0 / sr  # the modulator (1:1) and the tine (14:1) run on the carrier's phase
    if age == 0.0:  # the decays' levels and ratios a sample, carried from block to block
        v[S1], v[S2], v[S3] = (0.6 + 2.2 * vel) / TWO_PI, 1.0, 0.25 * vel  # the index in turns of the carrier
        v[S4], v[S5], v[S6] = math.exp(-1.0 / (0.35 * sr)), math.exp(-1.0 / (1.8 * sr)), math.exp(-1.0 / (0.06 * sr))
    index, body, tine = v[S1], v[S2], v[S3]
    tine_heard = 1.0 if 14.0 * f0 < 0.45 * sr else 0.0
    at = start
    todo = samples_left(v, out, start)
    while todo > 0:
        count = min(todo, SCRATCH)
        index = powers(line, 0, index, v[S4], count)
        body = powers(line, 1, body, v[S5], count)
        tine = powers(line, 2, tine, v[S6], count)
        for j in range(count):
            p = phase + (j + 1) * dt
            a = age + j
            x = sine(p + line[j] * sine(p)) * line[SCRATCH + j] + sine(14.0 * p) * line[2 * SCRATCH + j] * tine_heard
            line[3 * SCRATCH + j] = x * gain * gate_level(a, gate, inv_release) * min(1.0, a * inv_attack)
        mix_pass(v, out, at, line, 3, count)
        phase += count * dt
        phase -= math.floor(phase)
        age += count
        at += count
        todo -= count
    v[AGE], v[S0], v[S1], v[S2], v[S3] = age, phase, index, body, tine


@njit(cache=True, nogil=True)
def organ(v, out, start, sr):
    """Seven drawbars on one phase (kept modulo 2 so the 16' and 5 1/3' stay continuous), a key click
    and a slow rotary wobble."""
    f0, age = v[FREQ], v[AGE]
    gate, inv_release, gain = v[GATE], 1.0 / v[RELEASE], v[GAIN] * 0.16
    phase, wobble = v[S0], v[S1]
    for i in range(start, out.shape[0]):
        wobble = (wobble + 6.2 / sr) % 1.0
        phase = (phase + f0 * (1.0 + 0.002 * math.sin(TWO_PI * wobble)) / sr) % 2.0
        x = 0.0
        for k in range(7):
            if ORGAN_RATIOS[k] * f0 < 0.45 * sr:
                x += ORGAN_LEVELS[k] * math.sin(TWO_PI * ORGAN_RATIOS[k] * phase)
        click = white(v, NOISE) * 0.3 * math.exp(-age / (0.003 * sr))
        y = (x + click) * gain * gate_level(age, gate, inv_release) * min(1.0, age / (0.004 * sr))
        out[i, 0] += y * v[LEFT]
        out[i, 1] += y * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[S0], v[S1] = age, phase, wobble


@njit(cache=True, nogil=True)
def detuned_saws(v, out, start, sr, voices, spread, attack, cutoff_start, cutoff_end, cutoff_time, resonance,
                 vibrato, level):
    """Saws detuned around the note through a low-pass whose cutoff moves from start to end:
    the synth lead, the brass and the pad (and, with one saw and vibrato, bowed strings). The
    filter's coefficient is exact at the block's edges and straight between them (the sweeps take
    50 ms or more: within 0.05 % of the curve), and the vibrato's sine is a polynomial."""
    f0, vel, age = v[FREQ], v[VELOCITY], v[AGE]
    gate, inv_release, gain = v[GATE], 1.0 / v[RELEASE], v[GAIN] * level
    ic1, ic2 = v[Z1], v[Z2]
    k = 2.0 - 1.9 * resonance
    n = out.shape[0]
    track = 0.6 + 0.6 * vel
    span = cutoff_start - cutoff_end
    g = cutoff_g((cutoff_end + span * math.exp(-age / sr / cutoff_time)) * track, sr)
    g_step = (cutoff_g((cutoff_end + span * math.exp(-(age + n - start) / sr / cutoff_time)) * track, sr) - g) / (
        n - start)
    inv_sr, inv_voices, inv_attack = 1.0 / sr, 1.0 / voices, 1.0 / (attack * sr)
    left, right, length = v[LEFT], v[RIGHT], v[LENGTH]
    for i in range(start, n):
        vib = 1.0
        if vibrato != 0.0:
            t = age * inv_sr
            vib += vibrato * min(1.0, max(0.0, t - 0.25) * 3.0) * sine(5.5 * t)
        x = 0.0
        for j in range(voices):
            detune = 1.0 + spread * (j - (voices - 1) / 2.0)
            dt = f0 * detune * vib * inv_sr
            v[S0 + j] += dt
            if v[S0 + j] >= 1.0:
                v[S0 + j] -= 1.0
            x += saw(v[S0 + j], dt)
        y, ic1, ic2 = svf_low(x * inv_voices, g, k, ic1, ic2)
        y *= gain * gate_level(age, gate, inv_release) * min(1.0, age * inv_attack)
        out[i, 0] += y * left
        out[i, 1] += y * right
        g += g_step
        age += 1.0
        if age >= length:
            break
    v[AGE], v[Z1], v[Z2] = age, ic1, ic2


PLUCK_RMS = 0.2  # the burst's level when it is low-passed by partials


@njit(cache=True, nogil=True)
def pluck(v, line, out, start, sr, sustain, brightness, drive, level, partials=0.0):
    """Karplus-Strong: a burst of noise circulating in a delay line one period long, averaged a
    little each time round (the string losing its highs) and scaled to die in `sustain` seconds.
    `partials` > 0 low-passes the burst (twice) at that many times the fundamental instead: a
    bass string plucked with a thumb, its energy in the first few harmonics."""
    f0, vel, age = v[FREQ], v[VELOCITY], v[AGE]
    gate, inv_release, gain = v[GATE], 1.0 / v[RELEASE], v[GAIN] * level
    period = sr / f0
    length = min(period, DELAY_LINE - 2.0)
    write = int(v[S0])
    prev = v[S1]
    dc_x, dc_y = v[S2], v[S3]
    loss = 10.0 ** (-3.0 / (sustain * f0))  # per trip round the loop: -60 dB after `sustain` seconds
    if age == 0.0:
        lp = lp2 = 0.0
        bright = brightness * (0.4 + 0.6 * vel)
        if partials > 0.0:
            bright = 1.0 - math.exp(-2.0 * math.pi * partials * (0.6 + 0.4 * vel) * f0 / sr)
        energy = 0.0
        for j in range(int(length) + 2):
            lp += bright * (white(v, NOISE) - lp)
            lp2 += bright * (lp - lp2)
            line[j] = lp2 if partials > 0.0 else lp
            energy += line[j] * line[j]
        if partials > 0.0 and energy > 0.0:  # as loud as a bright burst, whatever the filtering took
            scale = PLUCK_RMS * (0.4 + 0.6 * vel) / math.sqrt(energy / (int(length) + 2))
            for j in range(int(length) + 2):
                line[j] *= scale
        write = int(length) + 1
    for i in range(start, out.shape[0]):
        read = write - length
        if read < 0.0:
            read += DELAY_LINE
        r0 = int(read)
        frac = read - r0
        r1 = (r0 + 1) % DELAY_LINE
        x = line[r0] * (1.0 - frac) + line[r1] * frac
        new = loss * (0.5 * x + 0.5 * prev)
        prev = x
        line[write] = new
        write = (write + 1) % DELAY_LINE
        y = x - dc_x + 0.995 * dc_y  # DC blocker
        dc_x, dc_y = x, y
        if drive > 0.0:
            y = math.tanh(drive * y) / math.tanh(drive)
        y *= gain * gate_level(age, gate, inv_release)
        out[i, 0] += y * v[LEFT]
        out[i, 1] += y * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[S0], v[S1], v[S2], v[S3] = age, write, prev, dc_x, dc_y


@njit(cache=True, nogil=True)
def reed(v, out, start, sr, width, breath, cutoff_ratio, attack, vibrato_hz, level):
    """A pulse (odd-heavy, like a reed or a flute's near-sine when width is wide and the filter
    low) through a low-pass that tracks the note, with breath noise and delayed vibrato."""
    f0, vel, age = v[FREQ], v[VELOCITY], v[AGE]
    gate, inv_release, gain = v[GATE], 1.0 / v[RELEASE], v[GAIN] * level
    phase, ic1, ic2, lp = v[S0], v[Z1], v[Z2], v[S1]
    for i in range(start, out.shape[0]):
        t = age / sr
        vib = 1.0 + 0.004 * min(1.0, max(0.0, t - 0.2) * 4.0) * math.sin(TWO_PI * vibrato_hz * t)
        dt = f0 * vib / sr
        phase += dt
        if phase >= 1.0:
            phase -= 1.0
        x = (1.0 if phase < width else -1.0) + polyblep(phase, dt)
        t2 = phase - width + 1.0 if phase < width else phase - width
        x -= polyblep(t2, dt)
        w = white(v, NOISE)
        lp += 0.2 * (w - lp)
        x += breath * lp * (1.5 - 0.5 * rise(age, attack * 2.0, sr))
        y, ic1, ic2 = svf_low(x, cutoff_g(f0 * cutoff_ratio * (0.7 + 0.6 * vel), sr), 1.4, ic1, ic2)
        y *= gain * gate_level(age, gate, inv_release) * rise(age, attack, sr)
        out[i, 0] += y * v[LEFT]
        out[i, 1] += y * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[S0], v[Z1], v[Z2], v[S1] = age, phase, ic1, ic2, lp


@njit(cache=True, nogil=True)
def flute(v, out, start, sr):
    """Almost a sine: a little second and third harmonic, breath, and vibrato."""
    f0, vel, age = v[FREQ], v[VELOCITY], v[AGE]
    gate, inv_release, gain = v[GATE], 1.0 / v[RELEASE], v[GAIN] * 0.5
    phase, bp1, bp2 = v[S0], v[Z1], v[Z2]
    for i in range(start, out.shape[0]):
        t = age / sr
        vib = 1.0 + 0.005 * min(1.0, max(0.0, t - 0.25) * 3.0) * math.sin(TWO_PI * 5.0 * t)
        phase = (phase + f0 * vib / sr) % 1.0
        s = math.sin(TWO_PI * phase)
        x = s + 0.12 * math.sin(2.0 * TWO_PI * phase) + 0.04 * math.sin(3.0 * TWO_PI * phase)
        w = white(v, NOISE)
        bp1 += 0.15 * (w - bp1)
        bp2 += 0.02 * (bp1 - bp2)
        x += (bp1 - bp2) * (0.12 + 0.2 * (1.0 - rise(age, 0.08, sr))) * (0.5 + 0.5 * vel)
        y = x * gain * gate_level(age, gate, inv_release) * rise(age, 0.06, sr)
        out[i, 0] += y * v[LEFT]
        out[i, 1] += y * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[S0], v[Z1], v[Z2] = age, phase, bp1, bp2


@njit(cache=True, nogil=True)
def instrument(v, line, out, start, sr, kind):
    """Dispatch one instrument voice (called by the kernel for kinds PIANO..PAD)."""
    if kind == PIANO:
        piano(v, out, start, sr)
    elif kind == EPIANO:
        epiano(v, line, out, start, sr)
    elif kind == ORGAN:
        organ(v, out, start, sr)
    elif kind == LEAD:
        detuned_saws(v, out, start, sr, 2, 0.006, 0.005, 9000.0, 4500.0, 0.25, 0.35, 0.0, 0.3)
    elif kind == ACOUSTIC_GUITAR:
        pluck(v, line, out, start, sr, 3.0, 0.55, 0.0, 1.4)
    elif kind == ELECTRIC_GUITAR:
        pluck(v, line, out, start, sr, 6.0, 0.7, 2.5, 0.55)
    elif kind == BASS_GUITAR:
        pluck(v, line, out, start, sr, 2.2, 0.25, 0.0, 2.0, 3.0)
    elif kind == VIOLIN:
        detuned_saws(v, out, start, sr, 1, 0.0, 0.09, 5200.0, 4200.0, 0.1, 0.15, 0.006, 0.4)
    elif kind == CELLO:
        detuned_saws(v, out, start, sr, 1, 0.0, 0.11, 2600.0, 1900.0, 0.1, 0.15, 0.005, 0.5)
    elif kind == SAXOPHONE:
        reed(v, out, start, sr, 0.42, 0.08, 5.0, 0.03, 5.0, 0.45)
    elif kind == TRUMPET:
        detuned_saws(v, out, start, sr, 1, 0.0, 0.03, 600.0, 3800.0, 0.05, 0.25, 0.002, 0.45)
    elif kind == BRASS:
        detuned_saws(v, out, start, sr, 3, 0.004, 0.06, 500.0, 3000.0, 0.08, 0.2, 0.0, 0.45)
    elif kind == FLUTE:
        flute(v, out, start, sr)
    elif kind == PAD:
        detuned_saws(v, out, start, sr, 4, 0.005, 0.6, 1800.0, 1800.0, 1.0, 0.1, 0.0, 0.6)

