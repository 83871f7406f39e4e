"""Voice state layout: every sounding voice is one row of a flat float64 array.

The kernel (engine/kernel.py) reads and writes these rows; Python allocates the
arrays once, before the stream opens. Column names are constants so that the
numba code stays readable.
"""

import numpy as np

MAX_VOICES = 128

# columns of a voice row
(ACTIVE, KIND, AGE, LENGTH, GAIN, LEFT, RIGHT, FREQ, PHASE, NOISE, Z1, Z2, GATE, START, SPEED,
 SERIAL) = range(16)
VOICE_FIELDS = 16

# columns of a scheduled event (engine/scheduler.py writes them, the kernel reads them)
EV_SAMPLE, EV_KIND, EV_GAIN, EV_PAN, EV_FREQ, EV_GATE, EV_SEED, EV_SPEED = range(8)
EVENT_FIELDS = 8

# sound kinds the kernel knows, and how long each may ring (seconds)
KICK, SNARE, HAT, OPEN_HAT, CLAP, SINE, SAW = range(7)
RING_SECONDS = np.array([0.9, 0.45, 0.18, 0.7, 0.5, 0.0, 0.0])
RELEASE_SECONDS = 0.06  # for pitched voices, after the gate closes


def new_voices() -> np.ndarray:
    return np.zeros((MAX_VOICES, VOICE_FIELDS), dtype=np.float64)
