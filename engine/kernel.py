"""The one numba call per audio block: start due events, render every voice, compress, limit, write out.

The audio callback calls the kernel (`render_blocks`, over one block) once per block with the GIL
released (nogil), so a busy Python thread elsewhere cannot stretch it. Events arrive
through a single-producer/single-consumer ring (`EventRing`): the scheduler
writes rows and then bumps the write counter, the kernel reads rows and bumps
the read counter; neither takes a lock.

Voices are stolen without a click: when the pool is full, the voice a new event takes is first
copied into one of FADE_SLOTS rows after the pool and fades out there over STEAL_FADE; a voice
stopped by its cut group fades the same way (CUT_FADE). The master bus runs through a gentle
compressor (fixed settings, below) and then the brickwall limiter.
"""

from __future__ import annotations

import math
import threading

import numpy as np
from numba import njit

from .atomics import DROWSY, compare_and_swap, fetch_add, load_acquire, relax, store_release
from .dsp.drums import clap, hat, kick, snare
from .dsp.effects import (BUS_FIELDS, CHORUS_LINE, CHORUS_QUIET, DELAY_QUIET, DELAY_TIME, FEEDBACK, REVERB_LINE,
                          REVERB_QUIET, SIZE, chorus, echo, has_effects, new_buses, reverb, start_effects,
                          voice_effects)
from .dsp.instruments import instrument
from .dsp.percussion import cowbell, membrane, metal, shaker
from .dsp.sampler import resample, sampler
from .dsp.synths import (EXACT, GROUP, L_PEAK, SEMITONE, WAVETABLES, group_of, new_lanes, oscillator,
                         plain_oscillators, semitones_at)
from .voices import (ACTIVE, AGE, ATTACK, BONGO, CLAP, CLAVES, CONGA, COWBELL, CRASH, CUTOFF, DECAY, EV_ATTACK,
                     EV_CUTOFF, EV_DECAY, EV_FREQ, EV_GAIN, EV_GATE, EV_KIND, EV_PAN, EV_RELEASE, EV_RESONANCE,
                     EV_SAMPLE, EV_SEED, EV_SPEED, EV_SUSTAIN_LEVEL, EV_VELOCITY, EV_WIDTH, EVENT_FIELDS, FREQ, GAIN,
                     GATE, HAT, HIGH_TOM, KICK, KIND, KINDS, LEFT, LENGTH, LOW_TOM, MID_TOM, NOISE, NOISE_OSC,
                     OPEN_HAT, PHASE, PIANO, RELEASE, RESONANCE, RIDE, RIGHT, RIM, RING_SECONDS, SERIAL, SHAKER,
                     SINE, SNARE, SPEED, START, SUSTAIN_LEVEL, VELOCITY, WIDTH, Z1, Z2, new_delay_lines,
                     new_voices, ROOM, DELAY_SEND, SHAPE, CRUSH, COARSE, HCUTOFF, POST_CUTOFF, EV_ROOM, EV_DELAY,
                     EV_SHAPE, EV_CRUSH, EV_COARSE, EV_HCUTOFF, EV_SIZE, EV_DELAYTIME, EV_DELAYFEEDBACK,
                     CHANNEL, EV_CHANNEL, METERS, EV_NOTE_KEY, HELD, NOTE_KEY, RELEASE_KIND, SAMPLE, BANK_START,
                     BANK_FRAMES, BANK_CHANNELS, SEG_BEGIN, SEG_END, CUT_GROUP, FADE_FROM, FADE_LEN, CHORUS_SEND,
                     EV_BANK_START, EV_BANK_FRAMES, EV_BANK_CHANNELS, EV_BEGIN, EV_END, EV_CUT, EV_CHORUS, FADE_SLOTS,
                     STEAL_FADE, CUT_FADE, S0, SAMPLE_FADE_IN, ACOUSTIC_GUITAR, ELECTRIC_GUITAR, BASS_GUITAR,
                     BASE_FREQ, VIBRATO, VIBRATO_RATE, TREMOLO, TREMOLO_RATE, LFO, LFO_RATE, PENV, PDECAY, FENV,
                     FDECAY, WAVE, EV_VIBRATO, EV_VIBRATO_RATE, EV_TREMOLO, EV_TREMOLO_RATE, EV_LFO, EV_LFO_RATE,
                     EV_PENV, EV_PDECAY, EV_FENV, EV_FDECAY, EV_WAVE, WAVETABLE, ORBIT, EV_ORBIT, EV_DRY, ORBITS)

# counters (int64 array shared by the scheduler and the kernel)
WRITTEN, READ, LATE, STOLEN, DROPPED_NAN, PANIC, PANIC_SEEN, SERIALS, METERING = range(9)
COUNTERS = 9

CEILING = 10.0 ** (-0.3 / 20.0)  # the master limiter never lets a sample past -0.3 dBFS
MASTER_GAIN = 0.8
# the master compressor, before the limiter: gentle and fixed. A stereo-linked peak detector that
# catches a peak at once and lets go over COMP_RELEASE; above -8 dBFS (a 4 dB soft knee, so from
# -10 dBFS) the level rises at 1/2.5 of the rate. Its gain comes down at once (no lookahead, so a
# peak is held to the curve on its own sample, as the limiter does) and goes back up smoothly
# (COMP_SMOOTH after the detector). Below the knee it does nothing at all (the gain stays exactly 1).
COMP_THRESHOLD_DB, COMP_KNEE_DB, COMP_RATIO, COMP_SMOOTH, COMP_RELEASE = -8.0, 4.0, 2.5, 0.005, 0.2
COMP_KNEE_LOW = 10.0 ** ((COMP_THRESHOLD_DB - COMP_KNEE_DB / 2.0) / 20.0)
COMP_KNEE_HIGH = 10.0 ** ((COMP_THRESHOLD_DB + COMP_KNEE_DB / 2.0) / 20.0)
# the master's state: the limiter's gain, the compressor's detector, on (1) or off (0), and gain
LIMITER_GAIN, COMP_LEVEL, COMP_ON, COMP_GAIN = range(4)

# A voice's block, or a group's, is a task (render_block's _voices), written to a row before it
# runs: DIRECT (a voice straight into the dry bus) or ALONE (a voice rendered on its own, then
# mixed into the dry bus and its orbit's sends) with its voice (T_WHICH), its start in the block and
# whether its fade-out ended; or PLAIN (a group of plain oscillators) with its group (BLEP or EXACT),
# its count and its voices.
DIRECT, ALONE, PLAIN = range(3)
T_KIND, T_WHICH, T_START, T_FADED, T_COUNT, T_VOICES = range(6)
TASK_FIELDS = T_VOICES + GROUP
# A render_blocks call renders the voices as one (SOLO: the audio callback), or offline in two
# halves from SPLIT_FROM voices on (SPLIT), the second taken by a HELPER thread when it is quick
# enough. They share ctl, its fields a cache line apart where both threads write: the last block
# posted for the helper, the last whose second half was claimed, the last the helper finished, the
# leader's QUIT, the block's frames, the leader's count of split blocks (the epoch), and how many
# more it renders both halves of without posting (SOLO_BLOCKS, after its helper kept it waiting:
# preempted by another process on a busy machine). Whoever renders the second half, the bytes are
# the same.
SOLO, SPLIT, HELPER = range(3)
POSTED, CLAIMED, DONE, QUIT, BLOCK, EPOCH, SOLO_FOR, MIDDLE = 0, 8, 16, 24, 25, 26, 27, 28
CTL = 32
SPLIT_FROM = 16
SOLO_BLOCKS = 256

# Each orbit (SuperDirt's: a set of global effects) has a row of bus settings: the effects' own
# (engine/dsp/effects.py), then whether its effects still ring, its `dry` and the reverb return's
# gain, which follows 1 - dry over DRY_SMOOTH seconds. Each half marks the orbits it sent to this
# block in its row of `sent`.
RINGING, DRY, WET = range(BUS_FIELDS, BUS_FIELDS + 3)
ORBIT_FIELDS = BUS_FIELDS + 3
DRY_SMOOTH = 0.015


@njit(cache=True, nogil=True, inline="always")
def _fade(u, offset, length):
    """Start a voice's fade-out at `offset` in this block, over `length` samples (unless it is
    already fading out sooner)."""
    at = u[AGE] + max(offset - u[START], 0.0)  # a voice started this block is younger
    if u[FADE_LEN] > 0.0 and u[FADE_FROM] + u[FADE_LEN] <= at + length:
        return
    u[FADE_FROM] = at
    u[FADE_LEN] = max(length, 1.0)


@njit(cache=True, nogil=True, inline="always")
def _copy_row(rows, to, source):
    """rows[to] = rows[source], a value at a time: the kernel copies no array as a whole (numba's
    array copy brings its bounds messages, and so its string machinery, into the compiled kernel)."""
    for j in range(rows.shape[1]):
        rows[to, j] = rows[source, j]


@njit(cache=True, nogil=True)
def _steal(voices, lines, victim, offset, sr):
    """Move a voice out of the pool into a fade slot, where it fades out over STEAL_FADE."""
    pool = voices.shape[0] - FADE_SLOTS
    slot, soonest = -1, 1e300
    for k in range(pool, voices.shape[0]):
        if voices[k, ACTIVE] == 0.0:
            slot = k
            break
        left = voices[k, FADE_FROM] + voices[k, FADE_LEN] - voices[k, AGE]
        if left < soonest:  # every slot busy: the one nearest its end gives way
            slot, soonest = k, left
    if slot < 0:
        return
    _copy_row(voices, slot, victim)
    kind = int(voices[victim, KIND])
    if kind == ACOUSTIC_GUITAR or kind == ELECTRIC_GUITAR or kind == BASS_GUITAR:  # state in the delay line
        _copy_row(lines, slot, victim)
    _fade(voices[slot], offset, STEAL_FADE * sr)


@njit(cache=True, nogil=True)
def _start_voice(voices, lines, ev, offset, sr, counters, bus):
    """Take a free voice (or steal one: a fading one first, else the oldest; it fades out in a
    fade slot) and set it up from an event row. A cut group first fades out its other voices."""
    kind = int(ev[EV_KIND])
    cut = ev[EV_CUT]
    if cut != 0.0:  # SuperDirt's cut groups; a negative group cuts only the same sound
        for k in range(voices.shape[0]):
            u = voices[k]
            if u[ACTIVE] != 0.0 and u[CUT_GROUP] == cut and (
                    cut > 0.0 or (u[KIND] == kind and u[BANK_START] == ev[EV_BANK_START])):
                _fade(u, offset, CUT_FADE * sr)
    pool = voices.shape[0] - FADE_SLOTS
    best, best_score = -1, -1.0
    for k in range(pool):
        if voices[k, ACTIVE] == 0.0:
            best = k
            break
        score = voices[k, AGE] + (1e13 if voices[k, FADE_LEN] > 0.0 else 0.0)
        if score > best_score:
            best, best_score = k, score
    if voices[best, ACTIVE] != 0.0:
        counters[STOLEN] += 1
        _steal(voices, lines, best, offset, sr)
    v = voices[best]
    v[:] = 0.0
    v[ACTIVE] = 1.0
    v[KIND] = kind
    v[GAIN] = ev[EV_GAIN]
    pan = min(1.0, max(0.0, ev[EV_PAN]))  # Tidal's pan: 0 left, 0.5 centre, 1 right
    v[LEFT] = math.cos(pan * math.pi / 2.0)
    v[RIGHT] = math.sin(pan * math.pi / 2.0)
    v[SPEED] = ev[EV_SPEED]
    v[NOISE] = ev[EV_SEED]
    v[START] = offset
    counters[SERIALS] += 1
    v[SERIAL] = counters[SERIALS]
    if kind == HAT:
        for k in range(voices.shape[0]):
            if voices[k, ACTIVE] != 0.0 and voices[k, KIND] == OPEN_HAT:
                voices[k, GATE] = 1.0
    v[VELOCITY] = ev[EV_VELOCITY]
    v[CHANNEL] = ev[EV_CHANNEL]
    v[NOTE_KEY] = ev[EV_NOTE_KEY]
    v[ROOM], v[DELAY_SEND], v[CHORUS_SEND] = ev[EV_ROOM], ev[EV_DELAY], ev[EV_CHORUS]
    v[CUT_GROUP] = cut
    v[SHAPE], v[CRUSH], v[COARSE], v[HCUTOFF] = ev[EV_SHAPE], ev[EV_CRUSH], ev[EV_COARSE], ev[EV_HCUTOFF]
    start_effects(v, ev)
    oscillator_kind = SINE <= kind < RIM or kind == WAVETABLE
    if not oscillator_kind:  # the oscillators filter inside; everything else after the fact
        v[POST_CUTOFF] = ev[EV_CUTOFF]
    # modulation: tremolo on any kind; vibrato and the pitch envelope on oscillators and instruments
    # (instruments: once per block), the filter's LFO and envelope on oscillators. Rates in cycles
    # per sample, decays in samples (at least one).
    if ev[EV_TREMOLO] > 0.0:
        v[TREMOLO], v[TREMOLO_RATE] = min(ev[EV_TREMOLO], 1.0), ev[EV_TREMOLO_RATE] / sr
    if ev[EV_VIBRATO] != 0.0 or ev[EV_PENV] != 0.0:
        v[VIBRATO], v[VIBRATO_RATE] = ev[EV_VIBRATO], ev[EV_VIBRATO_RATE] / sr
        v[PENV], v[PDECAY] = ev[EV_PENV], max(ev[EV_PDECAY], 1.0)
    if ev[EV_LFO] != 0.0 or ev[EV_FENV] != 0.0:
        v[LFO], v[LFO_RATE] = ev[EV_LFO], ev[EV_LFO_RATE] / sr
        v[FENV], v[FDECAY] = ev[EV_FENV], max(ev[EV_FDECAY], 1.0)
    # the orbit's global effects follow the latest event that sets them; every event sets its dry
    orbit = min(max(int(ev[EV_ORBIT]), 0), bus.shape[0] - 1)
    v[ORBIT] = orbit
    settings = bus[orbit]
    if ev[EV_SIZE] >= 0.0:
        settings[SIZE] = ev[EV_SIZE]
    if ev[EV_DELAYTIME] > 0.0:
        settings[DELAY_TIME] = ev[EV_DELAYTIME]
    if ev[EV_DELAYFEEDBACK] >= 0.0:
        settings[FEEDBACK] = ev[EV_DELAYFEEDBACK]
    settings[DRY] = min(max(ev[EV_DRY], 0.0), 1.0)
    if kind == SAMPLE:
        frames = ev[EV_BANK_FRAMES]
        v[BANK_START], v[BANK_FRAMES], v[BANK_CHANNELS] = ev[EV_BANK_START], frames, ev[EV_BANK_CHANNELS]
        begin = min(max(ev[EV_BEGIN], 0.0), 1.0)
        end = min(max(ev[EV_END], begin), 1.0)
        v[SEG_BEGIN], v[SEG_END] = begin * frames, end * frames
        v[PHASE] = v[SEG_BEGIN] if ev[EV_SPEED] >= 0.0 else v[SEG_END] - 1.0
        v[GATE] = ev[EV_GATE]
        v[RELEASE] = max(ev[EV_RELEASE], 1.0)
        v[S0] = SAMPLE_FADE_IN * sr if begin > 0.0 else 0.0
        played = (v[SEG_END] - v[SEG_BEGIN]) / max(abs(ev[EV_SPEED]), 1e-6) + 1.0
        v[LENGTH] = min(played, v[GATE] + v[RELEASE] + 1.0)
    elif kind >= PIANO and kind != WAVETABLE:
        v[FREQ] = ev[EV_FREQ]
        v[BASE_FREQ] = ev[EV_FREQ]
        v[GATE] = ev[EV_GATE]
        v[RELEASE] = max(ev[EV_RELEASE], 0.001 * sr)
        v[LENGTH] = v[GATE] + v[RELEASE] + 1.0
    elif oscillator_kind:
        v[FREQ] = ev[EV_FREQ]
        v[WAVE] = ev[EV_WAVE]
        v[GATE] = ev[EV_GATE]
        v[ATTACK] = max(ev[EV_ATTACK], 1.0)
        v[DECAY] = ev[EV_DECAY]
        v[SUSTAIN_LEVEL] = ev[EV_SUSTAIN_LEVEL]
        v[RELEASE] = max(ev[EV_RELEASE], 0.0)
        v[CUTOFF] = ev[EV_CUTOFF]
        v[RESONANCE] = ev[EV_RESONANCE]
        v[WIDTH] = ev[EV_WIDTH]
        if kind != NOISE_OSC:
            v[NOISE] = 0.0
        v[LENGTH] = v[GATE] + v[RELEASE] + 1.0
    else:
        v[LENGTH] = RING_SECONDS[kind] * sr


@njit(cache=True, nogil=True)
def _release(voices, key, offset):
    """A note-off: the held voices of that key close their gate (from offset in this block)."""
    for k in range(voices.shape[0]):
        v = voices[k]
        if v[ACTIVE] != 0.0 and v[NOTE_KEY] == key and v[GATE] >= HELD:
            v[GATE] = v[AGE] + max(offset - v[START], 0.0)  # a voice started this block is younger
            v[LENGTH] = v[GATE] + v[RELEASE] + 1.0
            v[NOTE_KEY] = 0.0


@njit(cache=True, nogil=True)
def _take_events(events, ring_counters, voices, lines, block_start, block_end, sr, counters, bus, count_late):
    """Start (or release) the voices of the ring's events that fall before block_end. A scheduled
    event found after its sample counts as late; a live one is simply played now."""
    cap = events.shape[0]
    read = ring_counters[READ]
    while read < ring_counters[WRITTEN]:
        ev = events[read % cap]
        s = np.int64(ev[EV_SAMPLE])
        if s >= block_end:
            break
        offset = s - block_start
        if offset < 0:
            if count_late:
                counters[LATE] += 1
            offset = 0
        if ev[EV_KIND] == RELEASE_KIND:
            _release(voices, ev[EV_NOTE_KEY], offset)
        else:
            _start_voice(voices, lines, ev, offset, sr, counters, bus)
        read += 1
    ring_counters[READ] = read


@njit(cache=True, nogil=True)
def render_block(out, mix, voices, lines, ring, counters, block_start, sr, limiter, reverb, delay, chorus_line, bus,
                 meters, live, live_counters, bank, tables, lanes, queue, tasks, peaks, sent, ctl, side, split):
    """Render len(out) frames that start at absolute sample block_start into out (float32, stereo).

    mix holds scratch buses: dry, one voice, then per orbit its reverb, delay and chorus sends
    (mix[2 + 3 * orbit ...]); reverb, delay, chorus_line and bus are each orbit's global effects'
    lines and settings (_orbits); bank holds the loaded samples (engine/samples.py); tables the
    wavetables (engine/dsp/synths.py); limiter the master's state (LIMITER_GAIN, COMP_LEVEL,
    COMP_ON, COMP_GAIN); while counters[METERING] is set (a console is watching), each channel's
    peak goes into meters. lanes, queue, tasks, peaks and sent are a half's (_voices; row 0 the
    first half's, or all voices').

    `split` (offline): with SPLIT_FROM voices or more sounding, the voices render in two halves,
    the rows before _middle into mix and the rest into side, which is then added in (_merge); a
    helper thread that takes the second half first (ctl's CLAIMED) renders it meanwhile, or else
    this thread does. Either way the same sums in the same order: the same bytes."""
    n = out.shape[0]
    buf = mix[0, :n]
    buf[:] = 0.0
    mix[2:5, :n] = 0.0  # orbit 0's sends; another orbit's are cleared when something is sent to it
    metering = counters[METERING] != 0
    block_end = block_start + n

    # A panic request silences everything now and forgets what was queued.
    if counters[PANIC] != counters[PANIC_SEEN]:
        counters[PANIC_SEEN] = counters[PANIC]
        voices[:, ACTIVE] = 0.0
        counters[READ] = counters[WRITTEN]

    # live events (a MIDI keyboard) have a ring of their own, so that they never queue behind
    # the patterns' events, which are written ahead of time
    _take_events(live, live_counters, voices, lines, block_start, block_end, sr, counters, bus, False)
    _take_events(ring, counters, voices, lines, block_start, block_end, sr, counters, bus, True)

    middle = _middle(voices) if split and not metering else 0
    if middle > 0:
        epoch = ctl[EPOCH] + 1
        ctl[EPOCH], ctl[BLOCK], ctl[MIDDLE] = epoch, n, middle
        if ctl[SOLO_FOR] > 0:
            ctl[SOLO_FOR] -= 1
        else:
            store_release(ctl, POSTED, epoch)  # the second half may be taken from here on
    _voices(0, middle if middle > 0 else voices.shape[0], voices, lines, bank, mix, n, sr, tables, lanes[0], queue[0],
            tasks[0], peaks[0], sent[0], counters, meters, metering)
    if middle > 0:
        if compare_and_swap(ctl, CLAIMED, epoch - 1, epoch):
            _second_half(middle, voices, lines, bank, side, n, sr, tables, lanes, queue, tasks, peaks, sent, counters,
                         meters)
        else:
            rounds = 0
            while load_acquire(ctl, DONE) != epoch:
                rounds = relax(rounds)
            if rounds > DROWSY:  # the helper was preempted while it rendered: go on alone for a while
                ctl[SOLO_FOR] = SOLO_BLOCKS
        _merge(mix, side, sent, n)

    _orbits(mix, reverb, delay, chorus_line, bus, sent[0], n, sr)
    _master(out, buf, limiter, n, sr)


@njit(cache=True, nogil=True)
def _second_half(middle, voices, lines, bank, side, n, sr, tables, lanes, queue, tasks, peaks, sent, counters,
                 meters):
    """The voices from row `middle` on, into side (its dry bus and sends cleared first), with the
    second half's lanes, queue, task, peaks and sent."""
    side[0, :n] = 0.0
    side[2:5, :n] = 0.0
    sent[1, :] = 0.0
    _voices(middle, voices.shape[0], voices, lines, bank, side, n, sr, tables, lanes[1], queue[1], tasks[1], peaks[1],
            sent[1], counters, meters, False)


@njit(cache=True, nogil=True)
def _middle(voices):
    """Where a split block's second half starts: after a multiple of GROUP sounding voices, about
    half of them (neighbouring rows, often alike, so that their groups fill), or 0 (no split) with
    fewer than SPLIT_FROM sounding."""
    sounding = 0
    for k in range(voices.shape[0]):
        if voices[k, ACTIVE] != 0.0:
            sounding += 1
    if sounding < SPLIT_FROM:
        return 0
    first = max(sounding // (2 * GROUP), 1) * GROUP
    for k in range(voices.shape[0]):
        if voices[k, ACTIVE] != 0.0:
            first -= 1
            if first == 0:
                return k + 1
    return 0


@njit(cache=True, nogil=True)
def _merge(mix, side, sent, n):
    """Add the second half's dry bus and sends into the first half's."""
    for i in range(n):
        mix[0, i, 0] += side[0, i, 0]
        mix[0, i, 1] += side[0, i, 1]
    for orbit in range(sent.shape[1]):
        if sent[1, orbit] != 0.0:
            cleared = orbit == 0 or sent[0, orbit] != 0.0  # else ours were not cleared this block
            for bus in range(2 + 3 * orbit, 5 + 3 * orbit):
                for i in range(n):
                    for c in range(2):
                        mix[bus, i, c] = mix[bus, i, c] + side[bus, i, c] if cleared else side[bus, i, c]
            sent[0, orbit] = 1.0


@njit(cache=True, nogil=True)
def _voices(first, stop, voices, lines, bank, mix, n, sr, tables, lanes, queue, row, peaks, sent, counters, meters,
            metering):
    """Render the sounding voices of rows first..stop - 1 into mix, in their order, each
    as a task in `row`: a voice straight into the dry bus (DIRECT) or rendered on its own and then
    mixed into the dry bus and its orbit's sends (ALONE), or a plain oscillator's block joins its
    group's queue, whose voices render together (PLAIN) when GROUP are waiting, or at the end.
    A silent row is passed over before its view is made: a view costs two atomic reference counts."""
    for k in range(first, stop):
        if voices[k, ACTIVE] == 0.0:
            continue
        v = voices[k]
        start = int(v[START])
        if start != 0:
            v[START] = 0.0
        kind = int(v[KIND])
        effects = has_effects(v)
        sends = v[ROOM] > 0.0 or v[DELAY_SEND] > 0.0 or v[CHORUS_SEND] > 0.0
        fading = v[FADE_LEN] > 0.0
        tremolo = v[TREMOLO] > 0.0
        alone = effects or sends or metering or fading or tremolo  # rendered on its own, then mixed
        group = -1 if effects or sends or fading or tremolo else group_of(v, kind, start, n, sr)
        if group < 0:
            row[T_KIND], row[T_WHICH], row[T_START] = ALONE if alone else DIRECT, k, start
            _task(row, voices, lines, bank, mix, n, sr, tables, lanes, peaks, sent, counters, meters, metering)
            continue
        waiting = queue[group]
        waiting[waiting[GROUP]] = k
        waiting[GROUP] += 1
        if waiting[GROUP] == GROUP:
            _group_task(row, group, queue, voices, lines, bank, mix, n, sr, tables, lanes, peaks, sent, counters,
                        meters, metering)
    for group in range(queue.shape[0]):
        if queue[group, GROUP] > 0:
            _group_task(row, group, queue, voices, lines, bank, mix, n, sr, tables, lanes, peaks, sent, counters,
                        meters, metering)


@njit(cache=True, nogil=True, inline="always")
def _group_task(row, group, queue, voices, lines, bank, mix, n, sr, tables, lanes, peaks, sent, counters, meters,
                metering):
    """The voices waiting in a group's queue as a task; the queue is emptied."""
    waiting = queue[group]
    row[T_KIND], row[T_WHICH], row[T_COUNT] = PLAIN, group, waiting[GROUP]
    for j in range(GROUP):
        row[T_VOICES + j] = waiting[j]
    waiting[GROUP] = 0
    _task(row, voices, lines, bank, mix, n, sr, tables, lanes, peaks, sent, counters, meters, metering)


@njit(cache=True, nogil=True, inline="always")
def _task(row, voices, lines, bank, mix, n, sr, tables, lanes, peaks, sent, counters, meters, metering):
    """Run a task into the dry bus (an alone voice into the one-voice bus, cleared first) and finish it."""
    alone = row[T_KIND] == ALONE
    target = mix[1, :n] if alone else mix[0, :n]
    if alone:
        target[:] = 0.0
    _run(row, voices, lines, bank, target, sr, tables, lanes, peaks)
    _finish(row, target, voices, mix, n, peaks, sent, counters, meters, metering)


@njit(cache=True, nogil=True)
def _run(row, voices, lines, bank, target, sr, tables, lanes, peaks):
    """Render a task's block into target; a group leaves its voices' peaks in peaks, a voice
    whether its fade-out ended in row[T_FADED]."""
    kind = row[T_KIND]
    if kind == PLAIN:
        count = row[T_COUNT]
        plain_oscillators(voices, row[T_VOICES:], count, target, sr, lanes, row[T_WHICH] == EXACT)
        for j in range(count):
            peaks[j] = lanes[L_PEAK * GROUP + j]
        return
    k = row[T_WHICH]
    v = voices[k]
    start = row[T_START]
    n = target.shape[0]
    voice_kind = int(v[KIND])
    age0 = v[AGE]
    if voice_kind >= PIANO and voice_kind < SAMPLE and (v[VIBRATO] != 0.0 or v[PENV] != 0.0):
        # an instrument's pitch follows vibrato and the pitch envelope once per block (mid-block)
        mid = age0 + 0.5 * (n - start)
        v[FREQ] = v[BASE_FREQ] * math.exp(SEMITONE * semitones_at(mid, v[VIBRATO], v[VIBRATO_RATE], v[PENV],
                                                                  v[PDECAY]))
    render_voice(v, lines[k], bank, target, start, sr, voice_kind, tables)
    row[T_FADED] = 0
    if kind == ALONE:
        if has_effects(v):
            voice_effects(v, target, n, sr)
        if v[TREMOLO] > 0.0:  # the gain dips by up to `tremolo` (0..1) and comes back, at its rate
            depth, w = v[TREMOLO], 2.0 * math.pi * v[TREMOLO_RATE]
            for i in range(start, n):
                g = 1.0 - depth * (0.5 - 0.5 * math.cos(w * (age0 + (i - start))))
                target[i, 0] *= g
                target[i, 1] *= g
        if v[FADE_LEN] > 0.0:  # cut or stolen: a linear fade to silence from FADE_FROM
            fade_from, inv = v[FADE_FROM], 1.0 / v[FADE_LEN]
            for i in range(start, n):
                g = min(1.0, max(0.0, 1.0 - (age0 + (i - start) - fade_from) * inv))
                target[i, 0] *= g
                target[i, 1] *= g
            row[T_FADED] = age0 + (n - start) >= fade_from + v[FADE_LEN]


@njit(cache=True, nogil=True, inline="always")
def _add(target, source, amount, n):
    """target += source * amount over n stereo frames (amount 1.0: exactly source)."""
    for i in range(n):
        target[i, 0] += source[i, 0] * amount
        target[i, 1] += source[i, 1] * amount


@njit(cache=True, nogil=True)
def _finish(row, source, voices, mix, n, peaks, sent, counters, meters, metering):
    """An alone voice into the dry bus and its orbit's sends (the others rendered into the dry bus
    itself); meter it, and retire the voices that ended or went bad (hearing safety: a voice whose
    state is not finite is dropped, not heard; counted atomically, as both halves may count)."""
    kind = row[T_KIND]
    if kind == PLAIN:  # none of them ends this block (group_of)
        for j in range(row[T_COUNT]):
            v = voices[row[T_VOICES + j]]
            if metering:
                m = min(int(v[CHANNEL]), meters.shape[0] - 1)
                meters[m] = max(meters[m], peaks[j] * MASTER_GAIN)
            if not _finite(v):
                v[ACTIVE] = 0.0
                fetch_add(counters, DROPPED_NAN, 1)
        return
    v = voices[row[T_WHICH]]
    if kind == ALONE:
        _add(mix[0], source, 1.0, n)
        room, delayed, chorused = v[ROOM], v[DELAY_SEND], v[CHORUS_SEND]
        if room != 0.0 or delayed != 0.0 or chorused != 0.0:
            orbit = int(v[ORBIT])
            if sent[orbit] == 0.0:
                sent[orbit] = 1.0
                if orbit > 0:
                    mix[2 + 3 * orbit:5 + 3 * orbit, :n] = 0.0
            # only the sends it has (a send of 0 would add zeros)
            if room != 0.0:
                _add(mix[2 + 3 * orbit], source, room, n)
            if delayed != 0.0:
                _add(mix[3 + 3 * orbit], source, delayed, n)
            if chorused != 0.0:
                _add(mix[4 + 3 * orbit], source, chorused, n)
        if metering:
            peak = 0.0
            for i in range(n):
                peak = max(peak, abs(source[i, 0]), abs(source[i, 1]))
            m = min(int(v[CHANNEL]), meters.shape[0] - 1)
            meters[m] = max(meters[m], peak * MASTER_GAIN)
    if not _finite(v):
        v[ACTIVE] = 0.0
        fetch_add(counters, DROPPED_NAN, 1)
    elif v[AGE] >= v[LENGTH] or row[T_FADED] != 0:
        v[ACTIVE] = 0.0


@njit(cache=True, nogil=True, inline="always")
def _finite(v):
    return math.isfinite(v[PHASE]) and math.isfinite(v[FREQ]) and math.isfinite(v[Z1]) and math.isfinite(v[Z2])


@njit(cache=True, nogil=True)
def _help(ctl, voices, lines, bank, sr, tables, lanes, queue, tasks, peaks, sent, counters, meters, side):
    """The helper thread: whenever the leader posts a block whose second half nobody has taken, take
    it (compare-and-swap on CLAIMED, from the block before to this one: once per block), render
    it and say so (DONE); until QUIT."""
    rounds, seen = 0, 0
    while True:
        posted = load_acquire(ctl, POSTED)
        if posted != seen:  # a new block: wait for the next one awake again
            seen, rounds = posted, 0
        if load_acquire(ctl, CLAIMED) < posted and compare_and_swap(ctl, CLAIMED, posted - 1, posted):
            _second_half(ctl[MIDDLE], voices, lines, bank, side, ctl[BLOCK], sr, tables, lanes, queue, tasks, peaks,
                         sent, counters, meters)
            store_release(ctl, DONE, posted)
            rounds = 0
        elif load_acquire(ctl, QUIT) != 0:
            return
        else:
            rounds = relax(rounds)


@njit(cache=True, nogil=True)
def _orbits(mix, reverb_lines, delay_lines, chorus_lines, bus, sent, n, sr):
    """Each orbit's global effects (chorus, reverb, delay, in that order) over its sends, into the
    dry bus: orbit 0's every block, another's only while something is sent to it or its effects
    ring, so an orbit nothing is sent to costs nothing. The reverb's return is scaled by its gain,
    which follows 1 - dry (and at 1, with dry 0, the reverb adds into the dry bus itself)."""
    buf = mix[0, :n]
    for orbit in range(bus.shape[0]):
        settings = bus[orbit]
        if orbit > 0 and sent[orbit] == 0.0:
            if settings[RINGING] == 0.0:
                continue
            mix[2 + 3 * orbit:5 + 3 * orbit, :n] = 0.0
        reverb_in, delay_in, chorus_in = mix[2 + 3 * orbit, :n], mix[3 + 3 * orbit, :n], mix[4 + 3 * orbit, :n]
        chorus(buf, chorus_in, chorus_lines[orbit], settings, n, sr)
        target, gain = 1.0 - settings[DRY], settings[WET]
        if target == 1.0 and gain == 1.0:
            reverb(buf, reverb_in, reverb_lines[orbit], settings, n, sr)
        else:
            wet = mix[1, :n]
            wet[:] = 0.0
            reverb(wet, reverb_in, reverb_lines[orbit], settings, n, sr)
            smooth = 1.0 - math.exp(-1.0 / (DRY_SMOOTH * sr))
            for i in range(n):
                gain += (target - gain) * smooth
                buf[i, 0] += wet[i, 0] * gain
                buf[i, 1] += wet[i, 1] * gain
            settings[WET] = target if abs(target - gain) < 1e-9 else gain
        echo(buf, delay_in, delay_lines[orbit], settings, n)
        sent[orbit] = 0.0
        settings[RINGING] = 0.0 if (settings[REVERB_QUIET] >= REVERB_LINE and settings[CHORUS_QUIET] >= CHORUS_LINE
                                    and settings[DELAY_QUIET] >= delay_lines.shape[2]) else 1.0


@njit(cache=True, nogil=True)
def _master(out, buf, limiter, n, sr):
    """The compressor (when on), then the brickwall limiter: instant attack, smooth release,
    output never above CEILING."""
    gain = limiter[LIMITER_GAIN]
    recover = 1.0 - math.exp(-1.0 / (0.08 * sr))
    compressing = limiter[COMP_ON] != 0.0
    level, squeeze = limiter[COMP_LEVEL], limiter[COMP_GAIN]
    let_go = math.exp(-1.0 / (COMP_RELEASE * sr))
    # above the knee the gain is a power of the level, so while the detector lets go it rises by
    # one factor a sample; the curve itself is computed on a peak and inside the knee
    rise = math.exp((1.0 / COMP_RATIO - 1.0) * -1.0 / (COMP_RELEASE * sr))
    curve = compressor_gain(level) if level > COMP_KNEE_LOW else 1.0
    smooth = 1.0 - math.exp(-1.0 / (COMP_SMOOTH * sr))
    for i in range(n):
        left = buf[i, 0] * MASTER_GAIN
        right = buf[i, 1] * MASTER_GAIN
        if not (math.isfinite(left) and math.isfinite(right)):
            left = 0.0
            right = 0.0
        peak = max(abs(left), abs(right))
        if compressing:
            if peak > level * let_go or level * let_go <= COMP_KNEE_HIGH:
                level = max(peak, level * let_go)
                curve = compressor_gain(level) if level > COMP_KNEE_LOW else 1.0
            else:
                level *= let_go
                curve *= rise
            if level > COMP_KNEE_LOW or squeeze != 1.0:
                if curve < squeeze:
                    squeeze = curve
                else:
                    squeeze += (curve - squeeze) * smooth
                    if curve - squeeze < 1e-9:
                        squeeze = curve
                left *= squeeze
                right *= squeeze
                peak *= squeeze
        target = 1.0 if peak <= CEILING else CEILING / peak
        if target < gain:
            gain = target
        else:
            gain += (target - gain) * recover
            if peak * gain > CEILING:
                gain = CEILING / peak
        out[i, 0] = left * gain
        out[i, 1] = right * gain
    limiter[LIMITER_GAIN] = gain
    limiter[COMP_LEVEL], limiter[COMP_GAIN] = level, squeeze


def _without_refcounts() -> dict:
    """The kernel's entry compiled without numba's runtime (NRT), where this numba has the option.

    With it, every array view the kernel makes (a voice's row, a bus's block) and every array
    passed to a function it calls is reference-counted atomically: about a third of W2's render
    (in-process, one thread: 369 -> 251 ms, the same bytes). The kernel allocates nothing (a
    compile would fail if it did), and the arrays it is given outlive the call, so it needs none.
    `_nrt` is numba's own option, private by its name: a numba without it compiles the kernel
    with the runtime, as before."""
    try:
        from numba.core.options import DefaultOptions
    except ImportError:
        return {}
    return {"_nrt": False} if hasattr(DefaultOptions, "_nrt") else {}


@njit(cache=True, nogil=True, **_without_refcounts())
def render_blocks(out, block, mix, voices, lines, ring, counters, block_start, sr, limiter, reverb, delay, chorus_line,
                  bus, meters, live, live_counters, bank, tables, lanes, queue, tasks, peaks, sent, ctl, side, role):
    """render_block over len(out) frames in blocks of `block` frames, in one call: the callback's
    one block (SOLO), or offline a span whose events are all in the ring, where it saves a call
    (unboxing twenty arrays) per block (SPLIT); or, as the HELPER of such a call, take second halves
    until it is done (QUIT)."""
    if role == HELPER:
        _help(ctl, voices, lines, bank, sr, tables, lanes, queue, tasks, peaks, sent, counters, meters, side)
        return
    for s in range(0, out.shape[0], block):
        render_block(out[s:s + block], mix, voices, lines, ring, counters, block_start + s, sr, limiter, reverb, delay,
                     chorus_line, bus, meters, live, live_counters, bank, tables, lanes, queue, tasks, peaks, sent,
                     ctl, side, role == SPLIT)
    store_release(ctl, QUIT, 1)


@njit(cache=True, nogil=True, inline="always")
def compressor_gain(level):
    """The compressor's gain for a detector level (soft knee, fixed ratio)."""
    over = 20.0 * math.log10(level) - COMP_THRESHOLD_DB
    half = COMP_KNEE_DB / 2.0
    if over <= -half:
        return 1.0
    if over < half:
        reduction = (1.0 / COMP_RATIO - 1.0) * (over + half) ** 2 / (2.0 * COMP_KNEE_DB)
    else:
        reduction = (1.0 / COMP_RATIO - 1.0) * over
    return 10.0 ** (reduction / 20.0)


@njit(cache=True, nogil=True)
def render_voice(v, line, bank, out, start, sr, kind, tables):
    if kind == SAMPLE:
        sampler(v, bank, out, start, sr)
    elif kind == KICK:
        kick(v, line, out, start, sr)
    elif kind == SNARE:
        snare(v, out, start, sr)
    elif kind == HAT:
        hat(v, out, start, sr, 0.035)
    elif kind == OPEN_HAT:
        hat(v, out, start, sr, 0.22)
    elif kind == CLAP:
        clap(v, out, start, sr)
    elif kind < RIM or kind == WAVETABLE:
        oscillator(v, out, start, sr, kind, tables)
    elif kind < PIANO:
        percussion(v, out, start, sr, kind)
    else:
        instrument(v, line, out, start, sr, kind)


@njit(cache=True, nogil=True)
def percussion(v, buf, start, sr, kind):
    if kind == RIM:
        membrane(v, buf, start, sr, 1700.0, 1600.0, 0.01, 0.012, 0.8, 0.004)
    elif kind == LOW_TOM:
        membrane(v, buf, start, sr, 130.0, 85.0, 0.06, 0.28, 0.25, 0.01)
    elif kind == MID_TOM:
        membrane(v, buf, start, sr, 190.0, 125.0, 0.05, 0.24, 0.25, 0.01)
    elif kind == HIGH_TOM:
        membrane(v, buf, start, sr, 260.0, 180.0, 0.04, 0.2, 0.25, 0.01)
    elif kind == RIDE:
        metal(v, buf, start, sr, 0.9, 0.45, 0.15, 1.6)  # ride
    elif kind == CRASH:
        metal(v, buf, start, sr, 1.1, 0.35, 0.9, 1.3)
    elif kind == CONGA:
        membrane(v, buf, start, sr, 380.0, 330.0, 0.02, 0.16, 0.3, 0.006)
    elif kind == BONGO:
        membrane(v, buf, start, sr, 560.0, 500.0, 0.015, 0.1, 0.3, 0.005)
    elif kind == SHAKER:
        shaker(v, buf, start, sr, 0.012, 0.05, 0.75)
    elif kind == COWBELL:
        cowbell(v, buf, start, sr)
    elif kind == CLAVES:
        membrane(v, buf, start, sr, 2500.0, 2450.0, 0.01, 0.025, 0.0, 0.001)
    else:
        metal(v, buf, start, sr, 0.18, 0.6, 0.6, 3.5)  # tambourine: noisy high jingles


class EventRing:
    """The arrays the producers and the kernel share: scheduled and live events, counters, voices,
    mixing space, effects. Each ring has one producer at a time (engine/realtime.py holds a lock
    between its producer threads; the kernel never takes it)."""

    def __init__(self, capacity: int = 4096, max_block: int = 8192, voices: int = 128, rate: int = 48000,
                 samples=None, compressor: bool = True):
        """`voices`: the pool (stolen voices fade out in FADE_SLOTS more rows); `samples`: the
        SampleBank whose `array` the kernel reads (once per block); `compressor`: the master
        compressor on or off (the limiter is always on)."""
        self.events = np.zeros((capacity, EVENT_FIELDS), dtype=np.float64)
        self.counters = np.zeros(COUNTERS, dtype=np.int64)
        self.voices = new_voices(voices)
        self.lines = new_delay_lines(voices)
        self.mix = np.zeros((2 + 3 * ORBITS, max_block, 2), dtype=np.float64)
        self.reverb, self.delay, self.chorus, self.bus = new_orbits(rate)
        self.meters = np.zeros(METERS, dtype=np.float64)
        self.live = np.zeros((256, EVENT_FIELDS), dtype=np.float64)
        self.live_counters = np.zeros(2, dtype=np.int64)
        self.limiter = np.array([1.0, 0.0, 1.0 if compressor else 0.0, 1.0])
        self.samples = samples
        self._no_samples = np.zeros(16, dtype=np.float32)
        # per half of the voices (render_block): plain_oscillators' lanes, each group's queue (BLEP,
        # EXACT: voices, count), a task's row and its peaks, the orbits sent to
        self.lanes = np.stack([new_lanes(), new_lanes()])
        self.queue = np.zeros((2, 2, GROUP + 1), dtype=np.int64)
        self.tasks = np.zeros((2, TASK_FIELDS), dtype=np.int64)
        self.peaks = np.zeros((2, GROUP))
        self.sent = np.zeros((2, ORBITS))
        self.ctl = np.zeros(CTL, dtype=np.int64)
        self.side = np.zeros((0, 0, 2))  # the second half's buses, offline (split)

    def push(self, rows: np.ndarray, live: bool = False) -> int:
        """Append event rows (sorted by sample) to the scheduled ring, or to the live one;
        returns how many fitted."""
        events, counters = (self.live, self.live_counters) if live else (self.events, self.counters)
        cap = events.shape[0]
        w = int(counters[WRITTEN])
        rows = rows[:cap - int(w - counters[READ])]
        for i in range(rows.shape[0]):
            events[(w + i) % cap] = rows[i]
        counters[WRITTEN] = w + rows.shape[0]  # publish after the rows are in place
        return rows.shape[0]

    def panic(self) -> None:
        self.counters[PANIC] += 1

    def render(self, out: np.ndarray, block_start: int, sr: float) -> None:
        """Render one block (the audio callback's call)."""
        self.render_blocks(out, out.shape[0], block_start, sr)

    def split(self, block: int) -> None:
        """Render many voices in two halves from now on (offline; the blocks at most `block` frames):
        the same bytes whether a Helper renders the second half or not."""
        self.side = np.zeros((2 + 3 * ORBITS, block, 2), dtype=np.float64)

    def render_blocks(self, out: np.ndarray, block: int, block_start: int, sr: float,
                      helper: Helper | None = None) -> None:
        """Render out in blocks of `block` frames, as that many render calls would (offline), with
        a Helper's thread when one is given. One kernel entry for all, so that a start loads one
        compiled kernel from numba's cache."""
        bank = self._bank()
        if helper is not None:
            self.ctl[QUIT] = 0
            helper.start(sr, bank)
        self._call(out, block, block_start, sr, bank, SOLO if self.side.shape[1] == 0 else SPLIT)
        if helper is not None:
            helper.wait()

    def _bank(self) -> np.ndarray:
        # the bank is read once per call: a grown bank swapped in by a loading thread lands between blocks
        return self._no_samples if self.samples is None else self.samples.array

    def _call(self, out: np.ndarray, block: int, block_start: int, sr: float, bank: np.ndarray, role: int) -> None:
        render_blocks(out, block, self.mix, self.voices, self.lines, self.events, self.counters, block_start, sr,
                      self.limiter, self.reverb, self.delay, self.chorus, self.bus, self.meters, self.live,
                      self.live_counters, bank, WAVETABLES, self.lanes, self.queue, self.tasks, self.peaks, self.sent,
                      self.ctl, self.side, role)

    def active_voices(self) -> int:
        return int(self.voices[:, ACTIVE].sum())


def new_orbits(rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """ORBITS sets of global effects (engine/dsp/effects.py's new_buses, one after another) and their
    settings. Large and zeroed, the lines of an orbit nothing is sent to are never touched, so
    they take no memory (the pages stay unmapped)."""
    reverb, delay, chorus_line, settings = new_buses(rate)
    bus = np.zeros((ORBITS, ORBIT_FIELDS))
    bus[:, :BUS_FIELDS] = settings
    bus[:, WET] = 1.0
    return (np.zeros((ORBITS,) + reverb.shape), np.zeros((ORBITS,) + delay.shape),
            np.zeros((ORBITS,) + chorus_line.shape), bus)


class Helper:
    """A second thread that renders the second half of the voices of blocks that a split ring renders
    in EventRing.render_blocks(..., helper): offline, where a render may take two cores. It waits
    on a semaphore between calls; close() ends it."""

    def __init__(self, ring: EventRing):
        self.ring = ring
        self._job: tuple[float, np.ndarray] | None = None
        self._go, self._done = threading.Semaphore(0), threading.Semaphore(0)
        self._thread = threading.Thread(target=self._serve, name="render-helper", daemon=True)
        self._thread.start()

    def start(self, sr: float, bank: np.ndarray) -> None:
        self._job = (sr, bank)
        self._go.release()

    def wait(self) -> None:
        self._done.acquire()

    def close(self) -> None:
        self._job = None
        self._go.release()
        self._thread.join()

    def _serve(self) -> None:
        idle = np.zeros((0, 2), dtype=np.float32)
        while True:
            self._go.acquire()
            if self._job is None:
                return
            sr, bank = self._job
            self.ring._call(idle, 1, 0, sr, bank, HELPER)
            self._done.release()


def _cache_first(dispatcher) -> None:
    """Make a kernel load from numba's cache without numba's registry refresh.

    Before it looks in its cache, numba refreshes every typing and lowering registry it has
    (importing most of numba.np, cffi and pycparser): about 0.1 s of a start, which a kernel
    loaded from the cache does not need; it needs only numba's runtime (NRT), whose functions
    the cached code calls. So look in the cache with only that set up; on a miss (a kernel that
    changed), numba's own path runs: the refresh, then the compile. A numba without these
    internals keeps its own path."""
    cache = getattr(dispatcher, "_cache", None)
    try:
        from numba.core.runtime import rtsys

        load, full = cache._load_overload, cache.load_overload
    except (AttributeError, ImportError):
        return

    def load_overload(sig, target_context):
        try:
            rtsys.initialize(target_context)
            found = load(sig, target_context)
        except Exception:  # these internals changed in another numba: its own path, as on a miss
            found = None
        return found if found is not None else full(sig, target_context)

    cache.load_overload = load_overload


_cache_first(render_blocks)
_cache_first(resample)


class _WarmBank:
    array = np.linspace(-0.5, 0.5, 64).astype(np.float32)


def warm_up(sr: float) -> None:
    """Compile (or load from numba's cache) every kernel path before a stream opens: every kind
    (a sample too), the effects on two orbits (one with dry), a steal and a cut, the compressor,
    the resampler."""
    ring = EventRing(capacity=64, voices=KINDS, rate=int(sr), samples=_WarmBank())
    rows = np.zeros((KINDS + 1, EVENT_FIELDS))
    for kind in range(KINDS + 1):
        rows[kind, :9] = (kind * 3, kind % KINDS, 1.0, 0.5, 220.0, 100.0, 12345.0 + kind, 1.0, 10.0)
        rows[kind, EV_SUSTAIN_LEVEL], rows[kind, EV_CUTOFF], rows[kind, EV_WIDTH] = 1.0, 1000.0, 0.5
        rows[kind, EV_RELEASE], rows[kind, EV_VELOCITY] = 100.0, 0.8
        rows[kind, EV_ROOM], rows[kind, EV_SHAPE], rows[kind, EV_SIZE] = 0.2, 0.3, -1.0  # the effects' paths too
        rows[kind, EV_DELAYTIME], rows[kind, EV_DELAYFEEDBACK] = -1.0, -1.0
        rows[kind, EV_CHORUS], rows[kind, EV_CUT] = 0.3, 1.0
        rows[kind, EV_BANK_FRAMES], rows[kind, EV_BANK_CHANNELS], rows[kind, EV_END] = 32.0, 2.0, 1.0
        if kind % 2:  # the modulators' paths too
            rows[kind, EV_VIBRATO], rows[kind, EV_VIBRATO_RATE], rows[kind, EV_PENV] = 0.5, 5.0, 12.0
            rows[kind, EV_PDECAY], rows[kind, EV_TREMOLO], rows[kind, EV_TREMOLO_RATE] = 50.0, 0.5, 4.0
            rows[kind, EV_LFO], rows[kind, EV_LFO_RATE], rows[kind, EV_FENV] = 1.0, 2.0, 2.0
            rows[kind, EV_FDECAY], rows[kind, EV_WAVE] = 100.0, 0.5
            rows[kind, EV_ORBIT], rows[kind, EV_DRY] = 1.0, 0.5
    rows[:, EV_GAIN] = 4.0  # loud enough for the compressor and the limiter to act
    ring.push(rows)  # one more event than the pool holds: a steal
    ring.counters[METERING] = 1
    out = np.zeros((128, 2), dtype=np.float32)
    ring.render(out, 0, sr)
    ring.render_blocks(out, 64, 128, sr)
    resample(np.zeros((8, 1)), 1.5)
