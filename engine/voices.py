"""Voice state layout: every sounding voice is one row of a flat float64 array.

The kernel (engine/kernel.py) reads and writes these rows; Python allocates the
arrays once, before the stream opens. Column names are constants so that the
numba code stays readable.
"""

import numpy as np

MAX_VOICES = 128

# columns of a voice row
(ACTIVE, KIND, AGE, LENGTH, GAIN, LEFT, RIGHT, FREQ, PHASE, NOISE, Z1, Z2, GATE, START, SPEED,
 SERIAL, ATTACK, DECAY, SUSTAIN_LEVEL, RELEASE, CUTOFF, RESONANCE, WIDTH, VELOCITY,
 S0, S1, S2, S3, S4, S5, S6, S7,  # an instrument's own state (phases, filters)
 ROOM, DELAY_SEND, SHAPE, CRUSH, COARSE, POST_CUTOFF, HCUTOFF, FX0, FX1, FX2, FX3, FX4, FX5,
 CHANNEL, NOTE_KEY, BANK_START, BANK_FRAMES, BANK_CHANNELS, SEG_BEGIN, SEG_END, CUT_GROUP, FADE_FROM, FADE_LEN,
 CHORUS_SEND, BASE_FREQ, VIBRATO, VIBRATO_RATE, TREMOLO, TREMOLO_RATE, LFO, LFO_RATE, PENV, PDECAY, FENV,
 FDECAY, WAVE, BANDF, BANDQ, VOWEL, HDAMPING, LADDER, LADDERQ, ORBIT, FILTER_STATE) = range(76)
FILTER_SLOTS = 36  # the filters' states from FILTER_STATE on (engine/dsp/filters.py lays them out)
VOICE_FIELDS = FILTER_STATE + FILTER_SLOTS  # ROOM..HCUTOFF: per-event effects; FX0..FX5: their state; CHANNEL: its meter;
# NOTE_KEY: a held note's key (MIDI input), so that its note-off can find it;
# BANK_START..SEG_END: a sample voice's file in the bank (engine/samples.py) and the part it plays;
# CUT_GROUP: SuperDirt's `cut`; FADE_FROM, FADE_LEN: a voice that was cut or stolen fades out over
# FADE_LEN samples from age FADE_FROM (FADE_LEN 0: not fading); CHORUS_SEND: its `chorus` send;
# BASE_FREQ..WAVE: modulation (see EV_VIBRATO below): BASE_FREQ the note's own frequency (FREQ then
# follows vibrato and the pitch envelope), VIBRATO, PENV in semitones, LFO, FENV in octaves of the
# cutoff, rates in cycles per sample, PDECAY, FDECAY in samples; WAVE the wavetable position 0..1;
# BANDF..LADDERQ: the filters after the voice (see EV_BANDF below; HDAMPING the resonant high-pass's
# damping, 0: the one-pole), their states in FILTER_SLOTS columns from FILTER_STATE; ORBIT: the
# orbit (set of global effects) its sends go to
FADE_SLOTS = 16  # rows after the voice pool where stolen voices finish their fade-out
STEAL_FADE = 0.003  # seconds: a stolen voice fades out over this, instead of stopping dead
CUT_FADE = 0.005  # seconds: a voice stopped by its cut group fades out over this
METERS = 32  # channels with a level meter of their own (more share the last one)
DELAY_LINE = 4096  # samples of delay per voice for plucked strings: down to 12 Hz at 48 kHz

# columns of a scheduled event (engine/scheduler.py writes them, the kernel reads them);
# envelope times are in samples, cutoff in Hz (0: no filter), resonance 0..1
(EV_SAMPLE, EV_KIND, EV_GAIN, EV_PAN, EV_FREQ, EV_GATE, EV_SEED, EV_SPEED, EV_ATTACK, EV_DECAY,
 EV_SUSTAIN_LEVEL, EV_RELEASE, EV_CUTOFF, EV_RESONANCE, EV_WIDTH, EV_VELOCITY,
 EV_ROOM, EV_SIZE, EV_DELAY, EV_DELAYTIME, EV_DELAYFEEDBACK, EV_SHAPE, EV_CRUSH, EV_COARSE, EV_HCUTOFF,
 EV_CHANNEL, EV_NOTE_KEY, EV_BANK_START, EV_BANK_FRAMES, EV_BANK_CHANNELS, EV_BEGIN, EV_END, EV_CUT,
 EV_CHORUS, EV_VIBRATO, EV_VIBRATO_RATE, EV_TREMOLO, EV_TREMOLO_RATE, EV_LFO, EV_LFO_RATE, EV_PENV, EV_PDECAY,
 EV_FENV, EV_FDECAY, EV_WAVE, EV_BANDF, EV_BANDQ, EV_VOWEL, EV_HRESONANCE, EV_LADDER, EV_LADDERQ, EV_ORBIT,
 EV_DRY) = range(53)
EVENT_FIELDS = 53
# a sample event: EV_BANK_START (index of its first value in the flat bank), EV_BANK_FRAMES and
# EV_BANK_CHANNELS (1 or 2, interleaved) name the file; EV_BEGIN, EV_END are SuperDirt's begin/end
# (0..1); EV_SPEED its rate (negative: backwards); EV_GATE when legato/sustain truncate it (else
# HELD) and EV_RELEASE the fade after that; EV_CUT its cut group (0: none); EV_CHORUS: the send to
# the chorus bus (any kind).
# Modulation (0: off): EV_VIBRATO depth in semitones (peak) at EV_VIBRATO_RATE Hz; EV_TREMOLO depth
# 0..1 at EV_TREMOLO_RATE Hz (any kind); EV_LFO depth in octaves (peak) of the cutoff at EV_LFO_RATE Hz;
# EV_PENV semitones the pitch starts above the note, falling to it over EV_PDECAY samples; EV_FENV
# octaves the cutoff starts above its value, falling to it over EV_FDECAY samples; EV_WAVE the
# wavetable's position (0 sine, 1/3 triangle, 2/3 saw, 1 square)
# Filters after the voice (any kind; 0: off): EV_BANDF a band-pass's centre (Hz) of Q EV_BANDQ;
# EV_VOWEL a formant filter, 1..5 for the vowels a e i o u; EV_HRESONANCE 1 + the high-pass's
# resonance 0..1 (0: none given, the high-pass is a one-pole); EV_LADDER a 4-pole ladder low-pass's
# cutoff (Hz) with resonance EV_LADDERQ 0..1
# SuperDirt's orbits: EV_ORBIT the orbit (0..ORBITS-1) whose global effects (reverb, delay, chorus)
# the event's sends go to; EV_DRY that orbit's `dry` (0..1), which every event on it sets: the
# reverb's return is scaled by 1 - dry (1: no reverb heard)
ORBITS = 12  # as SuperDirt's default start-up makes; orbit numbers wrap around, as there
RELEASE_KIND = -1  # an event of this kind starts no voice: it releases the held voices of its EV_NOTE_KEY

# sound kinds the kernel knows
KICK, SNARE, HAT, OPEN_HAT, CLAP, SINE, SAW, SQUARE, TRIANGLE, PULSE, NOISE_OSC = range(11)
WAVETABLE = 38  # a band-limited wavetable oscillator (engine/dsp/synths.py); gated like the oscillators
OSCILLATORS = (SINE, SAW, SQUARE, TRIANGLE, PULSE, NOISE_OSC, WAVETABLE)
# more drums and percussion (engine/dsp/percussion.py)
RIM, LOW_TOM, MID_TOM, HIGH_TOM, RIDE, CRASH, CONGA, BONGO, SHAKER, COWBELL, CLAVES, TAMBOURINE = range(11, 23)
# instruments (engine/dsp/instruments.py); each plays its gate, then its own release
(PIANO, EPIANO, ORGAN, LEAD, ACOUSTIC_GUITAR, ELECTRIC_GUITAR, BASS_GUITAR, VIOLIN, CELLO, SAXOPHONE, TRUMPET,
 BRASS, FLUTE, PAD) = range(23, 37)
INSTRUMENTS = tuple(range(23, 37))
HELD = 1e12  # the gate of a held note: until its release event comes
SAMPLE = 37  # a sound file from the sample folders (engine/samples.py, engine/dsp/sampler.py)
KINDS = 39
# how long each drum may ring (seconds); 0 for the gated kinds
RING_SECONDS = np.array([0.9, 0.45, 0.18, 0.7, 0.5] + [0.0] * 6
                        + [0.12, 0.8, 0.65, 0.55, 2.5, 3.0, 0.5, 0.35, 0.2, 0.5, 0.12, 0.4] + [0.0] * 16)
# release of each instrument (seconds) when the event names none
INSTRUMENT_RELEASE = {PIANO: 0.4, EPIANO: 0.35, ORGAN: 0.05, LEAD: 0.1, ACOUSTIC_GUITAR: 0.3, ELECTRIC_GUITAR: 0.3,
                      BASS_GUITAR: 0.12, VIOLIN: 0.25, CELLO: 0.3, SAXOPHONE: 0.12, TRUMPET: 0.1, BRASS: 0.15,
                      FLUTE: 0.12, PAD: 1.2}

# the oscillators' envelope when an event names none: quick attack, full sustain, short release
DEFAULT_ATTACK, DEFAULT_DECAY, DEFAULT_SUSTAIN_LEVEL, DEFAULT_RELEASE = 0.005, 0.0, 1.0, 0.06
# modulation when an event names only a depth: rates in Hz, decays in seconds; a filter modulated with
# no cutoff set sweeps around MODULATED_CUTOFF (Hz)
DEFAULT_VIBRATO_RATE, DEFAULT_TREMOLO_RATE, DEFAULT_LFO_RATE = 5.0, 4.0, 2.0
DEFAULT_PDECAY, DEFAULT_FDECAY, MODULATED_CUTOFF = 0.05, 0.2, 1000.0
SAMPLE_RELEASE = 0.005  # seconds: a sample cut short by legato or sustain fades out over this
SAMPLE_FADE_IN = 0.001  # seconds: a sample started inside the file (begin > 0) fades in over this


def new_voices(count: int = MAX_VOICES) -> np.ndarray:
    """A pool of `count` voices and FADE_SLOTS more rows where stolen voices fade out."""
    return np.zeros((count + FADE_SLOTS, VOICE_FIELDS), dtype=np.float64)


def new_delay_lines(count: int = MAX_VOICES) -> np.ndarray:
    return np.zeros((count + FADE_SLOTS, DELAY_LINE), dtype=np.float64)
