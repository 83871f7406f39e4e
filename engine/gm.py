"""General MIDI onto our sounds: drum note numbers (channel 10) and program numbers."""

from __future__ import annotations

from .voices import (ACOUSTIC_GUITAR, BASS_GUITAR, BONGO, BRASS, CELLO, CLAP, CLAVES, CONGA, COWBELL, CRASH,
                     ELECTRIC_GUITAR, EPIANO, FLUTE, HAT, HIGH_TOM, KICK, LEAD, LOW_TOM, MID_TOM, OPEN_HAT, ORGAN,
                     PAD, PIANO, RIDE, RIM, SAXOPHONE, SHAKER, SNARE, TAMBOURINE, TRUMPET, VIOLIN)

DRUM_CHANNEL = 9  # channel 10, counted from 0

# GM percussion key map (note number -> kind); unlisted notes fall to the nearest family
DRUM_NOTES = {
    35: KICK, 36: KICK, 37: RIM, 38: SNARE, 39: CLAP, 40: SNARE, 41: LOW_TOM, 42: HAT, 43: LOW_TOM, 44: HAT,
    45: MID_TOM, 46: OPEN_HAT, 47: MID_TOM, 48: HIGH_TOM, 49: CRASH, 50: HIGH_TOM, 51: RIDE, 52: CRASH,
    53: RIDE, 54: TAMBOURINE, 55: CRASH, 56: COWBELL, 57: CRASH, 59: RIDE, 60: BONGO, 61: BONGO, 62: CONGA,
    63: CONGA, 64: CONGA, 69: SHAKER, 70: SHAKER, 75: CLAVES, 76: CLAVES, 77: CLAVES, 82: SHAKER,
}
# what we write back for each drum kind
DRUM_KINDS = {KICK: 36, SNARE: 38, RIM: 37, CLAP: 39, HAT: 42, OPEN_HAT: 46, LOW_TOM: 43, MID_TOM: 47,
              HIGH_TOM: 50, RIDE: 51, CRASH: 49, BONGO: 60, CONGA: 63, SHAKER: 70, COWBELL: 56, CLAVES: 75,
              TAMBOURINE: 54}


def program_kind(program: int) -> int:
    """GM program (0-127) -> our instrument, by GM's families of eight."""
    if program in (4, 5):
        return EPIANO
    if program in (40, 41, 44, 45, 48, 49, 50, 51):
        return VIOLIN
    if program in (42, 43):
        return CELLO
    if program in (56, 59):
        return TRUMPET
    family = program // 8
    return {0: PIANO, 1: EPIANO, 2: ORGAN, 3: ACOUSTIC_GUITAR if program < 26 else ELECTRIC_GUITAR,
            4: BASS_GUITAR, 5: VIOLIN, 6: VIOLIN, 7: BRASS, 8: SAXOPHONE, 9: FLUTE, 10: LEAD, 11: PAD}.get(family, PIANO)


# what we write back for each instrument kind
KIND_PROGRAMS = {PIANO: 0, EPIANO: 4, ORGAN: 16, LEAD: 80, ACOUSTIC_GUITAR: 24, ELECTRIC_GUITAR: 27, BASS_GUITAR: 33,
                 VIOLIN: 40, CELLO: 42, SAXOPHONE: 65, TRUMPET: 56, BRASS: 61, FLUTE: 73, PAD: 88}
