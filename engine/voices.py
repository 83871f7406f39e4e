"""Voice state layout: every sounding voice is one row of a flat float64 array.

The kernel (engine/kernel.py) reads and writes these rows; Python allocates the
arrays once, before the stream opens. Column names are constants so that the
numba code stays readable.
"""

import numpy as np

MAX_VOICES = 128

# columns of a voice row
(ACTIVE, KIND, AGE, LENGTH, GAIN, LEFT, RIGHT, FREQ, PHASE, NOISE, Z1, Z2, GATE, START, SPEED,
 SERIAL, ATTACK, DECAY, SUSTAIN_LEVEL, RELEASE, CUTOFF, RESONANCE, WIDTH) = range(23)
VOICE_FIELDS = 23

# columns of a scheduled event (engine/scheduler.py writes them, the kernel reads them);
# envelope times are in samples, cutoff in Hz (0: no filter), resonance 0..1
(EV_SAMPLE, EV_KIND, EV_GAIN, EV_PAN, EV_FREQ, EV_GATE, EV_SEED, EV_SPEED, EV_ATTACK, EV_DECAY,
 EV_SUSTAIN_LEVEL, EV_RELEASE, EV_CUTOFF, EV_RESONANCE, EV_WIDTH) = range(15)
EVENT_FIELDS = 15

# sound kinds the kernel knows, and how long each drum may ring (seconds)
KICK, SNARE, HAT, OPEN_HAT, CLAP, SINE, SAW, SQUARE, TRIANGLE, PULSE, NOISE_OSC = range(11)
OSCILLATORS = (SINE, SAW, SQUARE, TRIANGLE, PULSE, NOISE_OSC)
RING_SECONDS = np.array([0.9, 0.45, 0.18, 0.7, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])

# the oscillators' envelope when an event names none: quick attack, full sustain, short release
DEFAULT_ATTACK, DEFAULT_DECAY, DEFAULT_SUSTAIN_LEVEL, DEFAULT_RELEASE = 0.005, 0.0, 1.0, 0.06


def new_voices(count: int = MAX_VOICES) -> np.ndarray:
    return np.zeros((count, VOICE_FIELDS), dtype=np.float64)
