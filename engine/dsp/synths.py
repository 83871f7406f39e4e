"""Raw oscillators shaped by a gate and a short attack/release: `s "sine"`, `s "saw"`."""

import math

from numba import njit

from ..voices import AGE, FREQ, GAIN, GATE, LEFT, LENGTH, PHASE, RIGHT, SAW, Z1

ATTACK_SECONDS = 0.005


@njit(cache=True, nogil=True, inline="always")
def polyblep(t, dt):
    """The band-limiting correction of a step at phase 0 (Välimäki's polyBLEP)."""
    if t < dt:
        t /= dt
        return t + t - t * t - 1.0
    if t > 1.0 - dt:
        t = (t - 1.0) / dt
        return t * t + t + t + 1.0
    return 0.0


@njit(cache=True, nogil=True)
def oscillator(v, out, start, sr, kind, release_seconds):
    age, phase, gain, gate = v[AGE], v[PHASE], v[GAIN], v[GATE]
    dt = v[FREQ] / sr
    env = v[Z1]
    attack = 1.0 / (ATTACK_SECONDS * sr)
    release = math.exp(-1.0 / (release_seconds * sr / 5.0))
    n = out.shape[0]
    for i in range(start, n):
        if age < gate:
            env = min(1.0, env + attack)
        else:
            env *= release
        phase += dt
        if phase >= 1.0:
            phase -= 1.0
        if kind == SAW:
            x = 2.0 * phase - 1.0 - polyblep(phase, dt)
        else:
            x = math.sin(2.0 * math.pi * phase)
        x *= env * gain
        out[i, 0] += x * v[LEFT]
        out[i, 1] += x * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[PHASE], v[Z1] = age, phase, env
