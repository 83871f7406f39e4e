"""Raw oscillators through a resonant low-pass and a linear ADSR: `s "saw" # cutoff 1200`.

Modulation, per event: vibrato (a sine LFO on the pitch, in semitones), a pitch envelope (the
note starts `penv` semitones off and glides to its pitch over `pdecay`, linearly in semitones),
a filter LFO (`lfo` octaves of the cutoff) and a filter envelope (`fenv` octaves above the cutoff,
falling to it over `fdecay`). Every modulator is a function of the voice's age, so it needs no
state; a voice without modulation runs the same instructions, and gives the same bytes, as before.

The wavetable oscillator (`s "wavetable"`) morphs across four tables (sine, triangle, saw,
square) by `wave` 0..1. Each table is mipmapped per octave: level m holds harmonics 1..2^m, made
by additive synthesis when the module loads, and a voice reads the level whose top harmonic
stays under Nyquist at its highest pitch in the block, so it does not alias.

The oscillators are band-limited: above ADDITIVE_BELOW harmonics under Nyquist with polyBLEP
(saw, square, pulse; the triangle is the integral of a band-limited square), and when fewer
harmonics fit (high notes, where polyBLEP's aliases would be loudest) as an exact sum of them; the filter is a TPT state-variable low-pass (Zavalishin,
Simper), stable at every cutoff and resonance; the envelope is computed from the voice's
age alone, so a voice needs no envelope state.
"""

import math

import numpy as np
from numba import njit

from ..voices import (AGE, ATTACK, CUTOFF, DECAY, FDECAY, FENV, FREQ, GAIN, GATE, KIND, LEFT, LENGTH, LFO, LFO_RATE, NOISE,
                      NOISE_OSC, PDECAY, PENV, PHASE, PULSE, RELEASE, RESONANCE, RIGHT, SAW, SINE, SQUARE,
                      SUSTAIN_LEVEL, TRIANGLE, VIBRATO, VIBRATO_RATE, WAVE, WAVETABLE, WIDTH, Z1, Z2)
from .noise import white

TWO_PI = 2.0 * math.pi
ADDITIVE_BELOW = 16  # harmonics under Nyquist: fewer, and saw and square are summed exactly
INVERSE = 1.0 / np.arange(1, ADDITIVE_BELOW + 2)  # 1/k, so the sum needs no division
SEMITONE = math.log(2.0) / 12.0  # exp(SEMITONE * s): the frequency ratio of s semitones
OCTAVE = math.log(2.0)
WT_SIZE = 2048  # samples per table (one period), plus one guard sample for the interpolation
WT_LEVELS = 11  # level m holds harmonics 1..2^m (m = 10: 1024, all a 2048-sample table can hold)
WT_WAVES = 4  # sine, triangle, saw, square


def make_wavetables() -> np.ndarray:
    """(WT_WAVES, WT_LEVELS, WT_SIZE + 1) float64: each wave band-limited to 2^m harmonics at level m,
    summed exactly (an inverse FFT of its sine series)."""
    tables = np.zeros((WT_WAVES, WT_LEVELS, WT_SIZE + 1))
    k = np.arange(WT_SIZE // 2 + 1, dtype=np.float64)
    odd = (k % 2 == 1)
    with np.errstate(divide="ignore"):
        inv = np.where(k > 0, 1.0 / np.maximum(k, 1.0), 0.0)
    series = np.zeros((WT_WAVES, k.size))
    series[0, 1] = 1.0  # sine
    series[1] = np.where(odd, 8.0 / math.pi ** 2 * inv ** 2 * np.where((k - 1) % 4 == 0, 1.0, -1.0), 0.0)  # triangle
    # saw: its fundamental in phase with the others' (so that a morph never cancels it): it rises
    # through phase 0 and jumps down at half a period
    series[2] = 2.0 / math.pi * inv * np.where(k % 2 == 1, 1.0, -1.0)
    series[3] = np.where(odd, 4.0 / math.pi * inv, 0.0)  # square, +1 for the first half period
    for m in range(WT_LEVELS):
        keep = (k >= 1) & (k <= 2 ** m)
        for w in range(WT_WAVES):
            spectrum = np.where(keep, -0.5j * WT_SIZE * series[w], 0.0)  # sin(2πkn/N) <- -i N/2 at bin k
            period = np.fft.irfft(spectrum, WT_SIZE)
            tables[w, m, :WT_SIZE] = period
            tables[w, m, WT_SIZE] = period[0]
    return tables


WAVETABLES = make_wavetables()


@njit(cache=True, nogil=True, inline="always")
def semitones_at(age, depth, rate, env, env_len):
    """A sine LFO (depth, rate in cycles per sample) plus a linear envelope from env to 0 over
    env_len samples: the pitch offset in semitones (or the cutoff's in octaves) at an age."""
    s = 0.0
    if depth != 0.0:
        s = depth * math.sin(TWO_PI * rate * age)
    if env != 0.0 and age < env_len:
        s += env * (1.0 - age / env_len)
    return s


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
def lane_polyblep(t, dt, inv_dt):
    """polyblep for plain_oscillators: the same correction by the reciprocal of dt, written as
    selects (a division or a branch here would keep the compiler from vectorizing the voices)."""
    a = t * inv_dt
    b = (t - 1.0) * inv_dt
    return (a + a - a * a - 1.0) if t < dt else ((b * b + b + b + 1.0) if t > 1.0 - dt else 0.0)


@njit(cache=True, nogil=True, inline="always")
def basic_wave(v, kind, phase, dt, width, tri):
    """One sample of a band-limited saw, square, pulse or triangle (polyBLEP; the triangle a leaky
    integral of the square, whose state `tri` goes in and out), noise, or a sine."""
    if kind == SAW:
        return 2.0 * phase - 1.0 - polyblep(phase, dt), tri
    if kind == SQUARE or kind == PULSE or kind == TRIANGLE:
        w = width if kind == PULSE else 0.5
        x = (1.0 if phase < w else -1.0) + polyblep(phase, dt)
        t2 = phase - w + 1.0 if phase < w else phase - w
        x -= polyblep(t2, dt)
        if kind == TRIANGLE:
            tri = 0.999 * tri + 4.0 * dt * x
            return tri, tri
        return x, tri
    if kind == NOISE_OSC:
        return white(v, NOISE), tri
    return math.sin(TWO_PI * phase), tri


@njit(cache=True, nogil=True, inline="always")
def svf_low_step(x, a1, a2, a3, ic1, ic2):
    """One sample of the TPT state-variable low-pass: the output and the two new states."""
    v3 = x - ic2
    v1 = a1 * ic1 + a2 * v3
    v2 = ic2 + a2 * ic1 + a3 * v3
    return v2, 2.0 * v1 - ic1, 2.0 * v2 - ic2


@njit(cache=True, nogil=True, inline="always")
def adsr(age, gate, attack, inv_attack, decay_end, decay_slope, sustain, inv_release):
    """Linear ADSR at a given age (samples); after the gate, release from where it was.
    Reciprocals and slopes come precomputed: this runs once per sample per voice. Written as
    selects, so that plain_oscillators can run it for several voices in one vector."""
    t = min(age, gate)
    level = t * inv_attack if t < attack else (1.0 - decay_slope * (t - attack) if t < decay_end else sustain)
    return level if age < gate else max(0.0, level * (1.0 - (age - gate) * inv_release))


@njit(cache=True, nogil=True)
def oscillator(v, out, start, sr, kind, tables):
    """An oscillator voice's block: the plain loop, unless it is modulated or a wavetable."""
    if (kind == WAVETABLE or v[VIBRATO] != 0.0 or v[PENV] != 0.0
            or (v[CUTOFF] > 0.0 and (v[LFO] != 0.0 or v[FENV] != 0.0))):
        modulated_oscillator(v, out, start, sr, kind, tables)
    else:
        plain_oscillator(v, out, start, sr, kind)


@njit(cache=True, nogil=True)
def modulated_oscillator(v, out, start, sr, kind, tables):
    """The oscillators with vibrato, a pitch envelope, filter modulation, and the wavetable."""
    age, phase, gain = v[AGE], v[PHASE], v[GAIN]
    base = v[FREQ]
    dt = base / sr
    gate, attack, decay, sustain, release = v[GATE], v[ATTACK], v[DECAY], v[SUSTAIN_LEVEL], v[RELEASE]
    inv_attack = 1.0 / attack
    decay_end = attack + decay
    decay_slope = (1.0 - sustain) / decay if decay > 0.0 else 0.0
    inv_release = 1.0 / release if release > 0.0 else 1e30
    left, right = v[LEFT] * gain, v[RIGHT] * gain
    width = v[WIDTH]
    vibrato, vib_rate, penv, pdecay = v[VIBRATO], v[VIBRATO_RATE], v[PENV], v[PDECAY]
    pitch_mod = vibrato != 0.0 or penv != 0.0
    top = base
    if pitch_mod:  # the highest pitch this block reaches decides the band limit
        now = penv * (1.0 - age / pdecay) if penv != 0.0 and age < pdecay else 0.0
        top = base * math.exp(SEMITONE * (abs(vibrato) + max(now, 0.0)))
    harmonics = int((0.5 * sr - 1.0) / max(top, 1.0))
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
    cutoff, lfo, lfo_rate, fenv, fdecay = v[CUTOFF], v[LFO], v[LFO_RATE], v[FENV], v[FDECAY]
    filter_mod = filtered and (lfo != 0.0 or fenv != 0.0)
    # the wavetable: two neighbouring waves mixed by `wave`, at the level that fits under Nyquist
    w0, w1, wmix = 0, 1, 0.0
    level = 0
    if kind == WAVETABLE:
        pos = min(max(v[WAVE], 0.0), 1.0) * (WT_WAVES - 1)
        w0 = min(int(pos), WT_WAVES - 2)
        w1 = w0 + 1
        wmix = pos - w0
        while level < WT_LEVELS - 1 and (2 << level) <= harmonics:
            level += 1
    tri = v[NOISE] if kind == TRIANGLE else 0.0  # the triangle's integrator lives in the noise slot
    n = out.shape[0]
    length = v[LENGTH]  # read once: the loop's stores into out keep the compiler from hoisting it
    for i in range(start, n):
        if pitch_mod:
            dt = min(base * math.exp(SEMITONE * semitones_at(age, vibrato, vib_rate, penv, pdecay)) / sr, 0.5)
        phase += dt
        if phase >= 1.0:
            phase -= 1.0
        if exact:
            if pitch_mod:
                cos_t, sin_t = math.cos(TWO_PI * phase), math.sin(TWO_PI * phase)
            else:
                cos_t, sin_t = cos_t * cos_d - sin_t * sin_d, sin_t * cos_d + cos_t * sin_d
            if kind == SAW:
                x = -2.0 / math.pi * additive(cos_t, sin_t, harmonics, False)
            else:
                x = 4.0 / math.pi * additive(cos_t, sin_t, harmonics, True)
        elif kind == WAVETABLE:
            at = phase * WT_SIZE
            j = int(at)
            f = at - j
            a = tables[w0, level, j] + f * (tables[w0, level, j + 1] - tables[w0, level, j])
            b = tables[w1, level, j] + f * (tables[w1, level, j + 1] - tables[w1, level, j])
            x = a + wmix * (b - a)
        else:
            x, tri = basic_wave(v, kind, phase, dt, width, tri)
        if filtered:
            if filter_mod:
                hz = cutoff * math.exp(OCTAVE * semitones_at(age, lfo, lfo_rate, fenv, fdecay))
                g = math.tan(math.pi * min(max(hz, 10.0), 0.49 * sr) / sr)
                a1 = 1.0 / (1.0 + g * (g + k))
                a2 = g * a1
                a3 = g * a2
            x, ic1, ic2 = svf_low_step(x, a1, a2, a3, ic1, ic2)
        x *= adsr(age, gate, attack, inv_attack, decay_end, decay_slope, sustain, inv_release)
        out[i, 0] += x * left
        out[i, 1] += x * right
        age += 1.0
        if age >= length:
            break
    v[AGE], v[PHASE], v[Z1], v[Z2] = age, phase, ic1, ic2
    if kind == TRIANGLE:
        v[NOISE] = tri


@njit(cache=True, nogil=True, inline="always")
def plain_setup(v, sr):
    """What the plain loop needs of a voice, computed once per block: the phase increment, the
    envelope's breakpoints, reciprocals and slopes, the pan gains and the filter's coefficients
    (TPT state-variable low-pass, fixed per voice)."""
    dt = v[FREQ] / sr
    attack, decay, sustain, release = v[ATTACK], v[DECAY], v[SUSTAIN_LEVEL], v[RELEASE]
    decay_slope = (1.0 - sustain) / decay if decay > 0.0 else 0.0
    inv_release = 1.0 / release if release > 0.0 else 1e30
    gain = v[GAIN]
    g = math.tan(math.pi * min(v[CUTOFF], 0.49 * sr) / sr)
    k = 2.0 - 1.98 * min(max(v[RESONANCE], 0.0), 1.0)  # damping: resonance 1 is nearly self-oscillating
    a1 = 1.0 / (1.0 + g * (g + k))
    a2 = g * a1
    a3 = g * a2
    return (dt, 1.0 / attack, attack + decay, decay_slope, inv_release, v[LEFT] * gain, v[RIGHT] * gain,
            a1, a2, a3)


@njit(cache=True, nogil=True, inline="always")
def exact_harmonics(v, kind, sr):
    """How many harmonics fit under Nyquist, and whether so few that the saw or square is summed exactly."""
    harmonics = int((0.5 * sr - 1.0) / max(v[FREQ], 1.0))
    return harmonics, harmonics <= ADDITIVE_BELOW and (kind == SAW or kind == SQUARE)


@njit(cache=True, nogil=True)
def plain_oscillator(v, out, start, sr, kind):
    """The oscillators without modulation, one voice: a saw, square or pulse in its first block and
    its last (the blocks between go through plain_oscillators), the triangle, noise and the sine."""
    age, phase = v[AGE], v[PHASE]
    dt, inv_attack, decay_end, decay_slope, inv_release, left, right, a1, a2, a3 = plain_setup(v, sr)
    gate, attack, sustain, width = v[GATE], v[ATTACK], v[SUSTAIN_LEVEL], v[WIDTH]
    harmonics, exact = exact_harmonics(v, kind, sr)
    # cos/sin of the phase by rotation, one complex multiply a sample (two trig calls a block)
    cos_t, sin_t = math.cos(TWO_PI * phase), math.sin(TWO_PI * phase)
    cos_d, sin_d = math.cos(TWO_PI * dt), math.sin(TWO_PI * dt)
    filtered = v[CUTOFF] > 0.0
    ic1, ic2 = v[Z1], v[Z2]
    tri = v[NOISE] if kind == TRIANGLE else 0.0  # the triangle's integrator lives in the noise slot
    n = out.shape[0]
    length = v[LENGTH]  # read once: the loop's stores into out keep the compiler from hoisting it
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
        else:
            x, tri = basic_wave(v, kind, phase, dt, width, tri)
        if filtered:
            x, ic1, ic2 = svf_low_step(x, a1, a2, a3, ic1, ic2)
        x *= adsr(age, gate, attack, inv_attack, decay_end, decay_slope, sustain, inv_release)
        out[i, 0] += x * left
        out[i, 1] += x * right
        age += 1.0
        if age >= length:
            break
    v[AGE], v[PHASE], v[Z1], v[Z2] = age, phase, ic1, ic2
    if kind == TRIANGLE:
        v[NOISE] = tri


GROUP = 8  # plain voices rendered side by side by plain_oscillators: one AVX-512 register of doubles
# plain_oscillators' lanes: field f of the group's voice j sits at lanes[f * GROUP + j], one flat
# array, so the compiler can see that no two fields overlap and vectorize across the voices; the
# weights of an exact sum's harmonics follow the fields (harmonic k + 1 at field LANES + k)
(L_PHASE, L_DT, L_INV_DT, L_IC1, L_IC2, L_A1, L_A2, L_A3, L_FILTERED, L_AGE, L_GATE, L_ATTACK, L_INV_ATTACK,
 L_DECAY_END, L_DECAY_SLOPE, L_SUSTAIN, L_INV_RELEASE, L_LEFT, L_RIGHT, L_WIDTH, L_SAW, L_PEAK, L_COS, L_SIN,
 L_COS_D, L_SIN_D) = range(26)
LANES = 26
BLEP, EXACT = 0, 1  # the two groups: polyBLEP waves, and saws and squares summed exactly


def new_lanes() -> np.ndarray:
    return np.zeros((LANES + ADDITIVE_BELOW) * GROUP, dtype=np.float64)


@njit(cache=True, nogil=True, inline="always")
def group_of(v, kind, start, n, sr):
    """Which group of plain_oscillators can render this voice's block (BLEP or EXACT), or -1: a
    plain saw, square or pulse that sounds from the first sample of the block past its last."""
    if start != 0 or v[AGE] + n >= v[LENGTH] or not (kind == SAW or kind == SQUARE or kind == PULSE):
        return -1
    if v[VIBRATO] != 0.0 or v[PENV] != 0.0 or (v[CUTOFF] > 0.0 and (v[LFO] != 0.0 or v[FENV] != 0.0)):
        return -1
    return EXACT if exact_harmonics(v, kind, sr)[1] else BLEP


@njit(cache=True, nogil=True, inline="always")
def _lane(lanes, field, j):
    """Field `field` of the group's voice j."""
    return lanes[field * GROUP + j]


@njit(cache=True, nogil=True, fastmath={"reassoc", "nsz", "contract"})
def plain_oscillators(voices, rows, count, out, sr, lanes, exact):
    """Up to GROUP plain saws, squares and pulses (rows: their indices in voices) for a whole block,
    side by side, all polyBLEP or (exact) all summed exactly. One voice alone waits on its own filter's recursion every sample; GROUP of them
    step independently, so the compiler runs them in the lanes of one vector register (the body is
    branch-free: both waves are computed and one kept, the filter of an unfiltered voice is run and
    ignored; lanes past count are silent), and each output sample is written once, not once per
    voice. The steps are plain_oscillator's, so a voice sounds the same on either path (but for
    rounding: the sum's order, fused multiply-adds). lanes[L_PEAK * GROUP + j] is left holding the
    loudest sample voice j put into either channel (for the meters)."""
    for j in range(GROUP):
        if j < count:
            v = voices[rows[j]]
            (dt, lanes[L_INV_ATTACK * GROUP + j], lanes[L_DECAY_END * GROUP + j], lanes[L_DECAY_SLOPE * GROUP + j],
             lanes[L_INV_RELEASE * GROUP + j], left, right, lanes[L_A1 * GROUP + j], lanes[L_A2 * GROUP + j],
             lanes[L_A3 * GROUP + j]) = plain_setup(v, sr)
            kind = int(v[KIND])
            lanes[L_PHASE * GROUP + j], lanes[L_AGE * GROUP + j] = v[PHASE], v[AGE]
            lanes[L_IC1 * GROUP + j], lanes[L_IC2 * GROUP + j] = v[Z1], v[Z2]
            lanes[L_GATE * GROUP + j], lanes[L_ATTACK * GROUP + j] = v[GATE], v[ATTACK]
            lanes[L_SUSTAIN * GROUP + j] = v[SUSTAIN_LEVEL]
            lanes[L_WIDTH * GROUP + j] = v[WIDTH] if kind == PULSE else 0.5
            lanes[L_SAW * GROUP + j] = 1.0 if kind == SAW else 0.0
            lanes[L_FILTERED * GROUP + j] = 1.0 if v[CUTOFF] > 0.0 else 0.0
            if exact:  # the wave's series: -2/π Σ sin(kθ)/k for a saw, 4/π Σ over odd k for a square
                harmonics = exact_harmonics(v, kind, sr)[0]
                scale = -2.0 / math.pi if kind == SAW else 4.0 / math.pi
                for k in range(ADDITIVE_BELOW):
                    wanted = k < harmonics and (kind == SAW or k % 2 == 0)
                    lanes[(LANES + k) * GROUP + j] = scale * INVERSE[k] if wanted else 0.0
                lanes[L_COS * GROUP + j] = math.cos(TWO_PI * v[PHASE])
                lanes[L_SIN * GROUP + j] = math.sin(TWO_PI * v[PHASE])
                lanes[L_COS_D * GROUP + j] = math.cos(TWO_PI * dt)
                lanes[L_SIN_D * GROUP + j] = math.sin(TWO_PI * dt)
        else:  # a silent lane: any finite state will do
            dt, left, right = 0.25, 0.0, 0.0
            for f in range(LANES + ADDITIVE_BELOW):
                lanes[f * GROUP + j] = 0.0
            lanes[L_ATTACK * GROUP + j] = lanes[L_INV_ATTACK * GROUP + j] = 1.0
        lanes[L_DT * GROUP + j], lanes[L_INV_DT * GROUP + j] = dt, 1.0 / dt
        lanes[L_LEFT * GROUP + j], lanes[L_RIGHT * GROUP + j] = left, right
        lanes[L_PEAK * GROUP + j] = 0.0
    for i in range(out.shape[0]):
        sum_l, sum_r = 0.0, 0.0
        for j in range(GROUP):
            dt = _lane(lanes, L_DT, j)
            p = _lane(lanes, L_PHASE, j) + dt
            p = p - 1.0 if p >= 1.0 else p
            lanes[L_PHASE * GROUP + j] = p
            if exact:  # cos/sin of the phase by rotation, then the series by the Chebyshev recurrence
                c, sn, cd, sd = _lane(lanes, L_COS, j), _lane(lanes, L_SIN, j), _lane(lanes, L_COS_D, j), _lane(lanes, L_SIN_D, j)
                c, sn = c * cd - sn * sd, sn * cd + c * sd
                lanes[L_COS * GROUP + j], lanes[L_SIN * GROUP + j] = c, sn
                two_c, prev, cur, x = 2.0 * c, 0.0, sn, 0.0
                for k in range(ADDITIVE_BELOW):
                    x += cur * _lane(lanes, LANES + k, j)
                    prev, cur = cur, two_c * cur - prev
            else:
                inv_dt, w = _lane(lanes, L_INV_DT, j), _lane(lanes, L_WIDTH, j)
                q = p - w + 1.0 if p < w else p - w
                pulse = (1.0 if p < w else -1.0) + lane_polyblep(p, dt, inv_dt) - lane_polyblep(q, dt, inv_dt)
                saw = 2.0 * p - 1.0 - lane_polyblep(p, dt, inv_dt)
                x = saw if _lane(lanes, L_SAW, j) != 0.0 else pulse
            y, z1, z2 = svf_low_step(x, _lane(lanes, L_A1, j), _lane(lanes, L_A2, j), _lane(lanes, L_A3, j),
                                     _lane(lanes, L_IC1, j), _lane(lanes, L_IC2, j))
            x = y if _lane(lanes, L_FILTERED, j) != 0.0 else x
            lanes[L_IC1 * GROUP + j], lanes[L_IC2 * GROUP + j] = z1, z2
            age = _lane(lanes, L_AGE, j)
            x *= adsr(age, _lane(lanes, L_GATE, j), _lane(lanes, L_ATTACK, j), _lane(lanes, L_INV_ATTACK, j),
                      _lane(lanes, L_DECAY_END, j), _lane(lanes, L_DECAY_SLOPE, j), _lane(lanes, L_SUSTAIN, j),
                      _lane(lanes, L_INV_RELEASE, j))
            lanes[L_AGE * GROUP + j] = age + 1.0
            yl, yr = x * _lane(lanes, L_LEFT, j), x * _lane(lanes, L_RIGHT, j)
            sum_l += yl
            sum_r += yr
            lanes[L_PEAK * GROUP + j] = max(_lane(lanes, L_PEAK, j), max(abs(yl), abs(yr)))
        out[i, 0] += sum_l
        out[i, 1] += sum_r
    for j in range(count):
        v = voices[rows[j]]
        v[AGE], v[PHASE] = _lane(lanes, L_AGE, j), _lane(lanes, L_PHASE, j)
        v[Z1], v[Z2] = _lane(lanes, L_IC1, j), _lane(lanes, L_IC2, j)
