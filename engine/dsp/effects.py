"""Effects: per voice (vowel, shape, crush, coarse, low-, high- and band-pass, the ladder; the
filters in engine/dsp/filters.py) and on the send buses (an FDN reverb, a stereo feedback delay and
a chorus), as SuperDirt lays them out.

A voice with effects renders into a scratch buffer, is processed there, and is then mixed into
the dry bus and, by its `room` and `delay` amounts, into the reverb and delay sends. The
reverb is an 8-line feedback delay network with a Householder matrix (Jot), damped in the loop;
`size` sets its decay time. The send buses' settings follow the latest event that names them.
The chorus (`chorus`, a send like `room`; SuperDirt has none) is one delay line read by two taps
whose delays (14 ms +- 2 ms) swing in quadrature at 0.9 Hz, one tap to each side: a pitch wobble
of about 10 cents that differs left and right, so a sound sent to it thickens and widens.
"""

import math

import numpy as np
from numba import njit

from ..voices import (BANDF, BANDQ, COARSE, CRUSH, EV_BANDF, EV_BANDQ, EV_HRESONANCE, EV_LADDER, EV_LADDERQ,
                      EV_VOWEL, FX0, FX1, FX2, FX3, FX4, FX5, HCUTOFF, HDAMPING, LADDER, LADDERQ, POST_CUTOFF, SHAPE,
                      VOWEL)
from .filters import band_pass, high_pass, ladder, vowel

REVERB_LENGTHS = np.array([1031, 1327, 1523, 1871, 2053, 2311, 2539, 2819])  # samples at 48 kHz, co-prime
DIFFUSER_LENGTHS = np.array([241, 173, 509, 367])  # Schroeder all-passes before the network
DIFFUSION = 0.62
REVERB_LINE = 8192
REVERB_PASS = 128  # samples: the reverb's passes (no line is shorter, from 35.5 kHz up)
DELAY_SECONDS = 4.0
# bus settings and working values (one array the kernel owns): size, delay time (samples), feedback,
# positions, then per reverb line its damping state, loop gain and length
SIZE, DELAY_TIME, FEEDBACK, REVERB_POS, DELAY_POS = range(5)
DAMP0, GAIN0, LEN0 = 5, 13, 21
CHORUS_POS, CHORUS_PHASE = 29, 30
REVERB_QUIET, DELAY_QUIET, CHORUS_QUIET = 31, 32, 33  # samples each bus has been silent, in and out
GAINS_SIZE = 34  # the size the reverb's loop gains were computed for (-1: none yet)
BUS_FIELDS = 35
SILENT = 1e-9  # below this (-180 dBFS) a bus's return counts as silence
CHORUS_LINE = 4096  # samples (a power of two): 16 ms of delay fit up to 192 kHz
CHORUS_DELAY, CHORUS_DEPTH, CHORUS_RATE = 0.014, 0.002, 0.9  # seconds, seconds, Hz


def new_buses(rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(reverb lines: 8 for the network, 4 for its diffusers and a row of scratch, delay line, chorus
    line, settings),
    silent, with SuperDirt's defaults."""
    settings = np.zeros(BUS_FIELDS)
    settings[SIZE], settings[DELAY_TIME], settings[FEEDBACK] = 0.5, 0.25 * rate, 0.5
    settings[REVERB_QUIET] = settings[DELAY_QUIET] = settings[CHORUS_QUIET] = 1e18  # silent from the start
    settings[GAINS_SIZE] = -1.0
    return (np.zeros((13, REVERB_LINE + REVERB_PASS)), np.zeros((2, int(DELAY_SECONDS * rate) + 1)),
            np.zeros(CHORUS_LINE), settings)


@njit(cache=True, nogil=True)
def start_effects(v, ev):
    """A new voice's filters from its event row (engine/dsp/filters.py); the high-pass is resonant
    only when the event names its resonance."""
    v[BANDF], v[BANDQ], v[LADDER], v[LADDERQ] = ev[EV_BANDF], ev[EV_BANDQ], ev[EV_LADDER], ev[EV_LADDERQ]
    v[VOWEL] = ev[EV_VOWEL]
    if ev[EV_HRESONANCE] > 0.0:
        v[HDAMPING] = 2.0 - 1.98 * min(max(ev[EV_HRESONANCE] - 1.0, 0.0), 1.0)


@njit(cache=True, nogil=True, inline="always")
def has_effects(v):
    """Whether a voice goes through voice_effects."""
    return (v[SHAPE] > 0.0 or v[CRUSH] > 0.0 or v[COARSE] > 1.0 or v[POST_CUTOFF] > 0.0 or v[HCUTOFF] > 0.0
            or v[BANDF] > 0.0 or v[VOWEL] > 0.0 or v[LADDER] > 0.0)


@njit(cache=True, nogil=True)
def voice_effects(v, x, n, sr):
    """In SuperDirt's order where it has one: vowel, shape (soft saturation), crush (bit depth),
    coarse (sample rate), low- and high-pass, then band-pass and the ladder."""
    if v[VOWEL] > 0.0:
        vowel(v, x, n, sr)
    shape = min(v[SHAPE], 0.99)
    k = 2.0 * shape / (1.0 - shape) if shape > 0.0 else 0.0
    levels = 2.0 ** (v[CRUSH] - 1.0) if v[CRUSH] >= 1.0 else 0.0
    coarse = int(v[COARSE])
    held_l, held_r, count, lp_l, lp_r, hp_state = v[FX0], v[FX1], int(v[FX2]), v[FX3], v[FX4], v[FX5]
    lp, hp = v[POST_CUTOFF] > 0.0, v[HCUTOFF] > 0.0 and v[HDAMPING] == 0.0
    a_lp = 1.0 - math.exp(-2.0 * math.pi * min(v[POST_CUTOFF], 0.45 * sr) / sr) if lp else 1.0
    a_hp = 1.0 - math.exp(-2.0 * math.pi * min(v[HCUTOFF], 0.45 * sr) / sr) if hp else 0.0
    for i in range(n):
        for c in range(2):
            s = x[i, c]
            if k > 0.0:
                s = (1.0 + k) * s / (1.0 + k * abs(s))
            if levels > 0.0:
                s = math.floor(s * levels + 0.5) / levels
            x[i, c] = s
        if coarse > 1:
            if count % coarse == 0:
                held_l, held_r = x[i, 0], x[i, 1]
            x[i, 0], x[i, 1] = held_l, held_r
            count += 1
        if lp:
            lp_l += a_lp * (x[i, 0] - lp_l)
            lp_r += a_lp * (x[i, 1] - lp_r)
            x[i, 0], x[i, 1] = lp_l, lp_r
        if hp:  # a one-pole high-pass on the mid signal
            hp_state += a_hp * ((x[i, 0] + x[i, 1]) * 0.5 - hp_state)
            x[i, 0] -= hp_state
            x[i, 1] -= hp_state
    v[FX0], v[FX1], v[FX2], v[FX3], v[FX4], v[FX5] = held_l, held_r, count, lp_l, lp_r, hp_state
    if v[HCUTOFF] > 0.0 and v[HDAMPING] > 0.0:
        high_pass(v, x, n, sr)
    if v[BANDF] > 0.0:
        band_pass(v, x, n, sr)
    if v[LADDER] > 0.0:
        ladder(v, x, n, sr)


@njit(cache=True, nogil=True, inline="always")
def _tap(line, pos, delay):
    """The line's value `delay` samples (fractional) before pos, linearly interpolated."""
    whole = int(delay)
    frac = delay - whole
    a = line[(pos - whole) & (CHORUS_LINE - 1)]
    b = line[(pos - whole - 1) & (CHORUS_LINE - 1)]
    return a + (b - a) * frac


@njit(cache=True, nogil=True, inline="always")
def _sounding(send, n):
    """Whether anything was sent to a bus in this block."""
    for i in range(n):
        if send[i, 0] != 0.0 or send[i, 1] != 0.0:
            return True
    return False


@njit(cache=True, nogil=True, inline="always")
def _idle(settings, quiet, sent, ring_out):
    """Whether a bus can skip this block: nothing sent now, and its return has stayed under SILENT
    for as long as its lines are (ring_out samples), so every sample they hold was written since
    and is inaudible, whatever a later delay time reads. Most patches send to no bus at all; this
    saves them ~15 µs a block."""
    return settings[quiet] >= ring_out and not sent


@njit(cache=True, nogil=True, inline="always")
def _count_quiet(settings, quiet, loudest, sent, n):
    """Carry on counting the bus's silent samples, or start again."""
    settings[quiet] = settings[quiet] + n if loudest < SILENT and not sent else 0.0


@njit(cache=True, nogil=True)
def chorus(buf, chorus_in, line, settings, n, sr):
    """The chorus bus: the send's mid signal into one line, a swinging tap to each side (the
    LFO's sine and cosine by rotation: two trig calls a block)."""
    pos = int(settings[CHORUS_POS])
    phase = settings[CHORUS_PHASE]
    step = CHORUS_RATE / sr
    settings[CHORUS_PHASE] = (phase + n * step) % 1.0
    sent = _sounding(chorus_in, n)
    if _idle(settings, CHORUS_QUIET, sent, CHORUS_LINE):
        return
    base = CHORUS_DELAY * sr
    depth = CHORUS_DEPTH * sr
    s, c = math.sin(2.0 * math.pi * phase), math.cos(2.0 * math.pi * phase)
    ds, dc = math.sin(2.0 * math.pi * step), math.cos(2.0 * math.pi * step)
    loudest = 0.0
    for i in range(n):
        line[pos] = (chorus_in[i, 0] + chorus_in[i, 1]) * 0.5
        left, right = _tap(line, pos, base + depth * s), _tap(line, pos, base + depth * c)
        buf[i, 0] += left
        buf[i, 1] += right
        loudest = max(loudest, abs(left), abs(right))
        pos = (pos + 1) & (CHORUS_LINE - 1)
        s, c = s * dc + c * ds, c * dc - s * ds
    settings[CHORUS_POS] = pos
    _count_quiet(settings, CHORUS_QUIET, loudest, sent, n)


@njit(cache=True, nogil=True, inline="always")
def _damped(line, at, damping, state, gain):
    """An FDN line's return through its one-pole damping: (new damping state, output)."""
    state += damping * (line[at] - state)
    return state, state * gain


@njit(cache=True, nogil=True)
def reverb(buf, reverb_in, lines, settings, n, sr):
    """The FDN reverb bus (see the module's docstring), in passes of at most REVERB_PASS samples.
    No line is shorter than a pass, so a pass reads only samples that earlier passes wrote: the
    diffusers run one after another, each over the whole pass in a loop the compiler vectorizes,
    into a row of scratch (the last of `lines`); then the network, a sample at a time, with its eight
    lines written out one by one so that their states stay in registers. Each line is followed by
    REVERB_PASS samples that repeat its first ones, so that a pass reads it without wrapping."""
    sent = _sounding(reverb_in, n)
    if _idle(settings, REVERB_QUIET, sent, REVERB_LINE):
        return
    scale = sr / 48000.0
    if settings[GAINS_SIZE] != settings[SIZE]:  # the loop gains follow `size`
        decay_seconds = 0.4 + 6.0 * min(max(settings[SIZE], 0.0), 1.0) ** 1.5  # RT60: 0.4 s to 6.4 s
        for j in range(8):
            length = min(int(REVERB_LENGTHS[j] * scale), REVERB_LINE - 1)
            settings[LEN0 + j] = length
            settings[GAIN0 + j] = 10.0 ** (-3.0 * length / (decay_seconds * sr))
        settings[GAINS_SIZE] = settings[SIZE]
    g0, g1, g2, g3, g4, g5, g6, g7 = (settings[GAIN0], settings[GAIN0 + 1], settings[GAIN0 + 2], settings[GAIN0 + 3],
                                      settings[GAIN0 + 4], settings[GAIN0 + 5], settings[GAIN0 + 6],
                                      settings[GAIN0 + 7])
    s0, s1, s2, s3, s4, s5, s6, s7 = (settings[DAMP0], settings[DAMP0 + 1], settings[DAMP0 + 2], settings[DAMP0 + 3],
                                      settings[DAMP0 + 4], settings[DAMP0 + 5], settings[DAMP0 + 6],
                                      settings[DAMP0 + 7])
    l0, l1, l2, l3, l4, l5, l6, l7 = lines[0], lines[1], lines[2], lines[3], lines[4], lines[5], lines[6], lines[7]
    into = lines[12]
    pos = int(settings[REVERB_POS])
    damping = 1.0 - 0.35  # the one-pole's coefficient: 0.35 of the old state stays
    wrap = REVERB_LINE - 1  # a power of two: positions wrap by a mask
    loudest = 0.0
    done = 0
    while done < n:
        count = min(n - done, REVERB_PASS, REVERB_LINE - pos)
        for i in range(count):
            into[i] = (reverb_in[done + i, 0] + reverb_in[done + i, 1]) * 0.5
        # diffuse the input, so that the first returns are a wash, not an echo
        for a in range(4):
            line = lines[8 + a]
            r = (pos - int(DIFFUSER_LENGTHS[a] * scale)) & wrap
            for i in range(count):
                delayed = line[r + i]
                w = into[i] + DIFFUSION * delayed
                line[pos + i] = w
                into[i] = delayed - DIFFUSION * w
        r0, r1, r2, r3 = ((pos - int(settings[LEN0])) & wrap, (pos - int(settings[LEN0 + 1])) & wrap,
                          (pos - int(settings[LEN0 + 2])) & wrap, (pos - int(settings[LEN0 + 3])) & wrap)
        r4, r5, r6, r7 = ((pos - int(settings[LEN0 + 4])) & wrap, (pos - int(settings[LEN0 + 5])) & wrap,
                          (pos - int(settings[LEN0 + 6])) & wrap, (pos - int(settings[LEN0 + 7])) & wrap)
        for i in range(count):
            s0, o0 = _damped(l0, r0 + i, damping, s0, g0)
            s1, o1 = _damped(l1, r1 + i, damping, s1, g1)
            s2, o2 = _damped(l2, r2 + i, damping, s2, g2)
            s3, o3 = _damped(l3, r3 + i, damping, s3, g3)
            s4, o4 = _damped(l4, r4 + i, damping, s4, g4)
            s5, o5 = _damped(l5, r5 + i, damping, s5, g5)
            s6, o6 = _damped(l6, r6 + i, damping, s6, g6)
            s7, o7 = _damped(l7, r7 + i, damping, s7, g7)
            left = o0 + o2 + o4 + o6
            right = o1 + o3 + o5 + o7
            w = into[i] - 2.0 / 8.0 * (left + right)  # Householder: reflect about the all-ones vector
            at = pos + i
            l0[at], l1[at], l2[at], l3[at] = o0 + w, o1 + w, o2 + w, o3 + w
            l4[at], l5[at], l6[at], l7[at] = o4 + w, o5 + w, o6 + w, o7 + w
            buf[done + i, 0] += 0.35 * left
            buf[done + i, 1] += 0.35 * right
            loudest = max(loudest, abs(left), abs(right), abs(into[i]))
        for i in range(pos, min(pos + count, REVERB_PASS)):  # the repeat after each line's end
            for j in range(12):
                lines[j, REVERB_LINE + i] = lines[j, i]
        pos = (pos + count) & wrap
        done += count
    settings[DAMP0], settings[DAMP0 + 1], settings[DAMP0 + 2], settings[DAMP0 + 3] = s0, s1, s2, s3
    settings[DAMP0 + 4], settings[DAMP0 + 5], settings[DAMP0 + 6], settings[DAMP0 + 7] = s4, s5, s6, s7
    settings[REVERB_POS] = pos
    _count_quiet(settings, REVERB_QUIET, loudest, sent, n)


@njit(cache=True, nogil=True)
def echo(buf, delay_in, delay, settings, n):
    """The ping-pong feedback delay bus."""
    dlen = delay.shape[1]
    dtime = int(min(max(settings[DELAY_TIME], 1.0), dlen - 1))
    sent = _sounding(delay_in, n)
    if _idle(settings, DELAY_QUIET, sent, dlen):
        return
    dpos = int(settings[DELAY_POS])
    feedback = min(max(settings[FEEDBACK], 0.0), 0.95)
    loudest = 0.0
    for i in range(n):
        read = dpos - dtime
        if read < 0:
            read += dlen
        dl, dr = delay[0, read], delay[1, read]
        delay[0, dpos] = delay_in[i, 0] + dr * feedback  # ping-pong: each side feeds the other
        delay[1, dpos] = delay_in[i, 1] + dl * feedback
        dpos += 1
        if dpos == dlen:
            dpos = 0
        buf[i, 0] += dl
        buf[i, 1] += dr
        loudest = max(loudest, abs(dl), abs(dr))
    settings[DELAY_POS] = dpos
    _count_quiet(settings, DELAY_QUIET, loudest, sent, n)
