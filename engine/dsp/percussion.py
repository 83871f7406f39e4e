"""The rest of the kit: rim, toms, ride, crash, and hand percussion, synthesized.

Membranes (toms, congas, bongos, rim, claves) are sines swept down in pitch with a touch
of noise; metal (ride, crash, cowbell, tambourine jingles) is the 808's trick: square waves
at inharmonic ratios, high-passed, decaying.
"""

import math

from numba import njit

from ..voices import AGE, GAIN, LEFT, LENGTH, NOISE, PHASE, RIGHT, S0, S1, S2, S3, S4, S5, SPEED, Z1, Z2
from .drums import tail
from .noise import white

TWO_PI = 2.0 * math.pi
METAL_HZ = (205.3, 304.4, 369.6, 522.7, 540.0, 800.0)  # the 808 cymbal's six squares


@njit(cache=True, nogil=True)
def membrane(v, out, start, sr, f_start, f_end, sweep, decay, noise_amount, noise_decay):
    """A struck skin: a sine falling from f_start to f_end, and a short noise slap."""
    age, phase, gain = v[AGE], v[PHASE], v[GAIN] * 0.9
    lp = v[Z1]
    speed = v[SPEED]
    for i in range(start, out.shape[0]):
        t = age / sr
        freq = (f_end + (f_start - f_end) * math.exp(-t / sweep)) * speed
        phase += TWO_PI * freq / sr
        w = white(v, NOISE)
        lp += 0.5 * (w - lp)
        x = (math.sin(phase) * math.exp(-t / decay) + lp * noise_amount * math.exp(-t / noise_decay))
        x *= gain * tail(v, age, sr)
        out[i, 0] += x * v[LEFT]
        out[i, 1] += x * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[PHASE], v[Z1] = age, phase, lp


@njit(cache=True, nogil=True)
def metal(v, out, start, sr, decay, brightness, noise_amount, pitch):
    """Six detuned squares (and some noise), high-passed twice: cymbals, bells, jingles."""
    age, gain = v[AGE], v[GAIN] * 1.2
    p0, p1, p2, p3, p4, p5 = v[S0], v[S1], v[S2], v[S3], v[S4], v[S5]
    hp1, hp2 = v[Z1], v[Z2]
    coef = brightness
    for i in range(start, out.shape[0]):
        t = age / sr
        p0 = (p0 + METAL_HZ[0] * pitch / sr) % 1.0
        p1 = (p1 + METAL_HZ[1] * pitch / sr) % 1.0
        p2 = (p2 + METAL_HZ[2] * pitch / sr) % 1.0
        p3 = (p3 + METAL_HZ[3] * pitch / sr) % 1.0
        p4 = (p4 + METAL_HZ[4] * pitch / sr) % 1.0
        p5 = (p5 + METAL_HZ[5] * pitch / sr) % 1.0
        sq = ((p0 < 0.5) + (p1 < 0.5) + (p2 < 0.5) + (p3 < 0.5) + (p4 < 0.5) + (p5 < 0.5)) / 3.0 - 1.0
        x = sq + noise_amount * white(v, NOISE)
        hp1 += coef * (x - hp1)
        h = x - hp1
        hp2 += coef * (h - hp2)
        y = (h - hp2) * math.exp(-t / decay) * gain * tail(v, age, sr)
        out[i, 0] += y * v[LEFT]
        out[i, 1] += y * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[S0], v[S1], v[S2], v[S3], v[S4], v[S5], v[Z1], v[Z2] = age, p0, p1, p2, p3, p4, p5, hp1, hp2


@njit(cache=True, nogil=True)
def cowbell(v, out, start, sr):
    age, gain = v[AGE], v[GAIN] * 0.5
    p0, p1, lp, hp = v[S0], v[S1], v[Z1], v[Z2]
    for i in range(start, out.shape[0]):
        t = age / sr
        p0 = (p0 + 540.0 / sr) % 1.0
        p1 = (p1 + 800.0 / sr) % 1.0
        x = (1.0 if p0 < 0.5 else -1.0) + (1.0 if p1 < 0.5 else -1.0)
        lp += 0.35 * (x - lp)  # a band around the two tones
        hp += 0.05 * (lp - hp)
        env = 0.7 * math.exp(-t / 0.03) + 0.3 * math.exp(-t / 0.18)
        y = (lp - hp) * env * gain * tail(v, age, sr)
        out[i, 0] += y * v[LEFT]
        out[i, 1] += y * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[S0], v[S1], v[Z1], v[Z2] = age, p0, p1, lp, hp


@njit(cache=True, nogil=True)
def shaker(v, out, start, sr, attack, decay, brightness):
    """Beads in a shell: high-passed noise with a soft attack."""
    age, gain, lp = v[AGE], v[GAIN] * 1.5, v[Z1]
    for i in range(start, out.shape[0]):
        t = age / sr
        w = white(v, NOISE)
        lp += brightness * (w - lp)
        env = min(1.0, t / attack) * math.exp(-t / decay)
        y = (w - lp) * env * gain * tail(v, age, sr)
        out[i, 0] += y * v[LEFT]
        out[i, 1] += y * v[RIGHT]
        age += 1.0
        if age >= v[LENGTH]:
            break
    v[AGE], v[Z1] = age, lp
