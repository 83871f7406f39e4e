"""The clock and scheduler: cycles to samples, and patterns to event rows for the kernel.

Time stays exact (Fractions of a cycle) until an onset is placed on its sample:
sample = ref_sample + round((cycle - ref_cycle) / cps * rate). A tempo change
moves the reference point so that cycle time stays continuous.
"""

from __future__ import annotations

import zlib
from collections import deque
from dsl.rational import Fraction
from math import floor, isfinite
from typing import Any

import numpy as np

from dsl import Pattern
from dsl.patch import Patch

from .voices import (EV_CHANNEL, METERS, EV_COARSE, EV_CRUSH, EV_DELAY, EV_DELAYFEEDBACK, EV_DELAYTIME, EV_HCUTOFF, EV_ROOM, EV_SHAPE,
                     EV_SIZE, ACOUSTIC_GUITAR, BASS_GUITAR, BONGO, BRASS, CELLO, CLAVES, CONGA, COWBELL, CRASH,
                     ELECTRIC_GUITAR, EPIANO, EV_VELOCITY, FLUTE, HIGH_TOM, INSTRUMENT_RELEASE, INSTRUMENTS, LEAD,
                     LOW_TOM, MID_TOM, ORGAN, PAD, PIANO, RIDE, RIM, SAXOPHONE, SHAKER, TAMBOURINE, TRUMPET, VIOLIN,
                     CLAP, DEFAULT_ATTACK, DEFAULT_DECAY, DEFAULT_RELEASE, DEFAULT_SUSTAIN_LEVEL, EV_ATTACK,
                     EV_CUTOFF, EV_DECAY, EV_FREQ, EV_GAIN, EV_GATE, EV_KIND, EV_PAN, EV_RELEASE, EV_RESONANCE,
                     EV_SAMPLE, EV_SEED, EV_SPEED, EV_SUSTAIN_LEVEL, EV_WIDTH, EVENT_FIELDS, HAT, KICK, NOISE_OSC,
                     OPEN_HAT, OSCILLATORS, PULSE, SAW, SINE, SNARE, SQUARE, TRIANGLE, SAMPLE, EV_BANK_START,
                     EV_BANK_FRAMES, EV_BANK_CHANNELS, EV_BEGIN, EV_END, EV_CUT, EV_CHORUS, HELD, SAMPLE_RELEASE,
                     WAVETABLE, DEFAULT_VIBRATO_RATE, DEFAULT_TREMOLO_RATE, DEFAULT_LFO_RATE, DEFAULT_PDECAY,
                     DEFAULT_FDECAY, MODULATED_CUTOFF, EV_VIBRATO,
                     EV_VIBRATO_RATE, EV_TREMOLO, EV_TREMOLO_RATE, EV_LFO, EV_LFO_RATE, EV_PENV, EV_PDECAY, EV_FENV,
                     EV_FDECAY, EV_WAVE, EV_BANDF, EV_BANDQ, EV_VOWEL, EV_HRESONANCE, EV_LADDER, EV_LADDERQ, EV_ORBIT,
                     EV_DRY, ORBITS)
from .dsp.filters import VOWELS

SOUNDS = {"bd": KICK, "kick": KICK, "sn": SNARE, "snare": SNARE, "hh": HAT, "hat": HAT, "oh": OPEN_HAT,
          "cp": CLAP, "clap": CLAP, "rim": RIM, "lt": LOW_TOM, "mt": MID_TOM, "ht": HIGH_TOM, "ride": RIDE,
          "crash": CRASH, "conga": CONGA, "bongo": BONGO, "shaker": SHAKER, "cowbell": COWBELL, "claves": CLAVES,
          "tamb": TAMBOURINE, "tambourine": TAMBOURINE,
          "sine": SINE, "saw": SAW, "sawtooth": SAW, "square": SQUARE, "triangle": TRIANGLE, "tri": TRIANGLE,
          "pulse": PULSE, "noise": NOISE_OSC, "wavetable": WAVETABLE, "wt": WAVETABLE,
          "acoustic_piano": PIANO, "piano": PIANO, "electric_piano": EPIANO, "epiano": EPIANO, "rhodes": EPIANO,
          "organ": ORGAN, "synthesizer": LEAD, "synth": LEAD, "lead": LEAD, "acoustic_guitar": ACOUSTIC_GUITAR,
          "guitar": ACOUSTIC_GUITAR, "electric_guitar": ELECTRIC_GUITAR, "egtr": ELECTRIC_GUITAR,
          "bass_guitar": BASS_GUITAR, "bass": BASS_GUITAR, "violin": VIOLIN, "strings": VIOLIN, "cello": CELLO,
          "saxophone": SAXOPHONE, "sax": SAXOPHONE, "trumpet": TRUMPET, "brass": BRASS, "flute": FLUTE,
          "pad_synth": PAD, "pad": PAD}
C5_HZ = 261.6255653005986  # Tidal's note 0 is middle C
DEFAULT_VELOCITY = 0.8
BANDQ_DEFAULT = 10.0  # SuperDirt's dirt_bpf when an event names bandf alone
SHAPES = 4096  # event shapes a scheduler keeps (_row); past that it starts again


MAX_NUDGE = 8.0  # seconds: an event nudged later waits that long at most (1e300 would hold events for ever)


class Scheduler:
    """Holds what each channel plays and turns a window of samples into sorted event rows."""

    def __init__(self, rate: int, cps: Fraction = Fraction(1, 2), seed: int = 0, samples=None):
        """`samples`: a SampleBank (engine/samples.py) whose folders name sounds too; its folders
        win over the built-in sounds of the same name."""
        self.rate = rate
        self.samples = samples
        self.cps = cps
        self.ref_sample = 0
        self.ref_cycle = Fraction(0)
        self.stopped = False  # a stopped transport holds cycle time still and schedules nothing
        self.seed = seed
        self.channels: dict[str, Pattern] = {}
        self.previous: dict[str, Pattern] = {}  # what each channel played before its last change
        self.muted: set[str] = set()
        self.soloed: set[str] = set()
        self.key: tuple[int, str] | None = None
        self.style: str | None = None
        self.scale: str | None = None
        self.messages: list[str] = []  # runtime problems for the performer, newest last
        self.unknown_sounds: set[str] = set()
        self.meter_slots: dict[str, int] = {}  # channel name -> its level meter in the kernel
        self.quiet: set[str] = set()  # channels whose atoms are not in the editor (the band's)
        # (onset sample, end sample, source places) of what was scheduled lately: the console's view
        self.recent: deque[tuple[int, int, tuple]] = deque(maxlen=512)
        self._shapes: dict[tuple, tuple[list[float], float | None]] = {}
        self.nudged: list[list[float]] = []  # rows `nudge` moved past the window they were found in

    # -- time ----------------------------------------------------------------
    def cycle_at(self, sample: int) -> Fraction:
        if self.stopped:
            return self.ref_cycle
        return self.ref_cycle + Fraction(sample - self.ref_sample, self.rate) * self.cps

    def sample_at(self, cycle: Fraction) -> int:
        exact = self.ref_sample + (cycle - self.ref_cycle) / self.cps * self.rate
        return floor(exact + Fraction(1, 2))

    def set_cps(self, cps: Fraction, at_sample: int) -> None:
        self.ref_cycle = self.cycle_at(at_sample)
        self.ref_sample = at_sample
        self.cps = cps

    def stop(self, at_sample: int) -> None:
        self.ref_cycle, self.ref_sample = self.cycle_at(at_sample), at_sample
        self.stopped = True
        self.nudged.clear()

    def start(self, at_sample: int, cycle: Fraction | None = None) -> None:
        """Go on from where the transport stopped, or from the given cycle."""
        self.ref_cycle = self.cycle_at(at_sample) if cycle is None else cycle
        self.ref_sample = at_sample
        self.stopped = False

    @property
    def bpm(self) -> float:
        return float(self.cps * 60 * 4)

    # -- what plays ----------------------------------------------------------
    def apply(self, patch: Patch, at_sample: int) -> None:
        """Take a patch's changes; channels it does not mention keep playing."""
        if patch.cps is not None and patch.cps != self.cps:
            self.set_cps(patch.cps, at_sample)
        if patch.hush:
            self.channels.clear()
        for name, pattern in patch.channels.items():
            if name in self.channels:
                self.previous[name] = self.channels[name]
            self.channels[name] = pattern
        for action, name in patch.switches:
            if action == "solo":
                self.soloed.add(name)
            elif action == "unsolo":
                self.soloed.discard(name) if name else self.soloed.clear()
            elif action == "mute":
                self.muted.add(name)
            elif action == "unmute":
                self.muted.discard(name)
        self.key = patch.key or self.key
        self.style = patch.style or self.style
        self.scale = patch.scale or self.scale

    def audible(self, name: str) -> bool:
        return name not in self.muted and (not self.soloed or name in self.soloed)

    def hush(self) -> None:
        self.channels.clear()

    def rows_between(self, start: int, end: int) -> np.ndarray:
        """Event rows for the onsets in samples [start, end), sorted by sample."""
        begin, finish = self.cycle_at(start), self.cycle_at(end)
        rows: list[list[float]] = []
        if self.stopped:
            return np.zeros((0, EVENT_FIELDS))
        for index, (name, pattern) in enumerate(sorted(self.channels.items())):
            if not self.audible(name):
                continue
            try:
                played = self._played(pattern, index, begin, finish)
            except Exception as err:  # a pattern that fails when played gives way to the one before
                if not self._revert(name, err):
                    continue
                try:
                    played = self._played(self.channels[name], index, begin, finish)
                except Exception:
                    continue
            slot = self.meter_slot(name)
            for event, row in played:
                row[EV_CHANNEL] = slot
                if row[EV_SAMPLE] >= end:  # nudged into a later window: the ring is played in order
                    self.nudged.append(row)
                    continue
                row[EV_SAMPLE] = max(row[EV_SAMPLE], start)  # nudged earlier than can still be sent
                rows.append(row)
                if event.locations and name not in self.quiet:
                    self.recent.append((int(row[EV_SAMPLE]), self.sample_at(event.whole.end), event.locations))
        if self.nudged:
            rows += [row for row in self.nudged if row[EV_SAMPLE] < end]
            self.nudged = [row for row in self.nudged if row[EV_SAMPLE] >= end]
        rows.sort(key=lambda r: (r[EV_SAMPLE], r[EV_KIND]))
        return np.array(rows, dtype=np.float64).reshape(-1, EVENT_FIELDS)

    def _played(self, pattern: Pattern, index: int, begin: Fraction, finish: Fraction) -> list[tuple[Any, list]]:
        """The onsets of a channel's pattern in [begin, finish) with their rows; raises for a value the
        engine cannot play (a control too large to be a number: `# n 1e400`), as for a failing query."""
        played = []
        for event in pattern.onsets(begin, finish):
            try:
                row = self._row(event.whole.begin, event.whole.end, event.value, index)
            except OverflowError:
                raise ValueError("a control value is too large to play") from None
            if row is not None:
                if not isfinite(sum(row)):
                    raise ValueError("a control value is too large to play, or not a number")
                played.append((event, row))
        return played

    def meter_slot(self, name: str) -> int:
        if name not in self.meter_slots:
            self.meter_slots[name] = min(len(self.meter_slots), METERS - 1)
        return self.meter_slots[name]

    def sounding(self, sample: int) -> list[tuple[int, int, int]]:
        """Source places of the scheduled events whose span holds the given sample."""
        places = {p for start, end, locations in self.recent if start <= sample < end for p in locations}
        return sorted(places)

    def _revert(self, name: str, err: Exception) -> bool:
        """A pattern that fails when played gives way to the one it replaced (as in Tidal).
        Returns whether there was one."""
        previous = self.previous.pop(name, None)
        if previous is None:
            self.channels.pop(name, None)
            self.messages.append(f"{name} stopped: {err}")
            return False
        self.channels[name] = previous
        self.messages.append(f"{name} went back to its previous pattern: {err}")
        return True

    def _effects(self, row: list[float], value: dict) -> None:
        """SuperDirt's effect controls: sends (room, delay) to the global effects of the event's orbit
        (wrapping around past ORBITS, as SuperDirt's) and their settings (size, delaytime,
        delayfeedback: -1 when the event leaves them as they are; dry, 0 unless given, as in
        SuperDirt), and the voice's own effects."""
        row[EV_ORBIT] = floor(float(value.get("orbit", 0))) % ORBITS
        row[EV_DRY] = min(max(float(value.get("dry", 0)), 0.0), 1.0)
        row[EV_ROOM] = float(value.get("room", 0))
        row[EV_SIZE] = float(value.get("size", -1))
        row[EV_DELAY] = float(value.get("delay", 0))
        row[EV_DELAYTIME] = float(value["delaytime"]) * self.rate if "delaytime" in value else -1.0
        row[EV_DELAYFEEDBACK] = float(value.get("delayfeedback", -1))
        row[EV_SHAPE] = float(value.get("shape", 0))
        row[EV_CRUSH] = float(value.get("crush", 0))
        row[EV_COARSE] = float(value.get("coarse", 0))
        row[EV_HCUTOFF] = float(value.get("hcutoff", 0))
        if "hresonance" in value:  # a resonant 2-pole high-pass (else a one-pole)
            row[EV_HRESONANCE] = 1.0 + min(max(float(value["hresonance"]), 0.0), 1.0)
        if float(value.get("bandf", 0)) > 0:
            row[EV_BANDF] = float(value["bandf"])
            row[EV_BANDQ] = max(float(value.get("bandq", BANDQ_DEFAULT)), 1.0)
        name = str(value.get("vowel", ""))
        row[EV_VOWEL] = VOWELS.index(name) + 1 if len(name) == 1 and name in VOWELS else 0  # others: none
        row[EV_LADDER] = max(float(value.get("ladder", 0)), 0.0)
        row[EV_LADDERQ] = min(max(float(value.get("ladderq", 0)), 0.0), 1.0)
        row[EV_CUTOFF] = float(value.get("cutoff", 0))
        row[EV_CHORUS] = min(max(float(value.get("chorus", 0)), 0.0), 1.0)
        row[EV_CUT] = float(value.get("cut", 0))
        # tremolo (any sound; `tremolodepth` is SuperDirt's name), vibrato and the pitch envelope
        # (oscillators and instruments)
        tremolo = float(value.get("tremolodepth", value.get("tremolo", 0)))
        if tremolo > 0:
            row[EV_TREMOLO] = min(tremolo, 1.0)
            row[EV_TREMOLO_RATE] = max(float(value.get("tremolorate", DEFAULT_TREMOLO_RATE)), 0.0)
        row[EV_VIBRATO] = float(value.get("vibrato", 0))
        row[EV_VIBRATO_RATE] = max(float(value.get("vibratorate", DEFAULT_VIBRATO_RATE)), 0.0)
        row[EV_PENV] = float(value.get("penv", 0))
        row[EV_PDECAY] = max(float(value.get("pdecay", DEFAULT_PDECAY)), 0.0) * self.rate

    def _envelope(self, row: list[float], value: dict) -> float | None:
        """Gate, ADSR (seconds to samples), filter and pulse width of an oscillator event.

        As in SuperDirt: `sustain` is the gate in seconds, else `legato` times the event (then the
        legato is returned, for _row to apply); `hold` after the attack also sets it."""
        rate = self.rate
        attack = float(value.get("attack", DEFAULT_ATTACK))
        legato = None
        if "sustain" in value:
            row[EV_GATE] = max(float(value["sustain"]) * rate, 1.0)
        elif "hold" in value:
            row[EV_GATE] = max((attack + float(value["hold"])) * rate, 1.0)
        else:
            legato = float(value.get("legato", 1))
        row[EV_ATTACK] = attack * rate
        row[EV_DECAY] = float(value.get("decay", DEFAULT_DECAY)) * rate
        row[EV_SUSTAIN_LEVEL] = float(value.get("suslevel", DEFAULT_SUSTAIN_LEVEL))
        row[EV_RELEASE] = float(value.get("release", DEFAULT_RELEASE)) * rate
        row[EV_CUTOFF] = float(value.get("cutoff", 0))
        row[EV_RESONANCE] = float(value.get("resonance", 0))
        row[EV_WIDTH] = min(max(float(value.get("pw", 0.5)), 0.01), 0.99)
        row[EV_LFO] = float(value.get("lfo", 0))
        row[EV_LFO_RATE] = max(float(value.get("lforate", DEFAULT_LFO_RATE)), 0.0)
        row[EV_FENV] = float(value.get("fenv", 0))
        row[EV_FDECAY] = max(float(value.get("fdecay", DEFAULT_FDECAY)), 0.0) * rate
        if row[EV_CUTOFF] <= 0 and (row[EV_LFO] != 0 or row[EV_FENV] != 0):
            row[EV_CUTOFF] = MODULATED_CUTOFF
        row[EV_WAVE] = min(max(float(value.get("wave", 0)), 0.0), 1.0)
        return legato

    def _sample(self, row: list[float], value: dict, sample: int, end: Fraction) -> bool:
        """A sample event: file n of its folder (loaded now if it was not), SuperDirt's speed
        (times note and octave as a pitch ratio), begin, end, and legato or sustain to cut it
        short (then a release fade); False when its file cannot be played."""
        samples = self.samples
        found = samples.get(str(value["s"]), floor(float(value.get("n", 0))))
        while samples.problems:
            self.messages.append(samples.problems.pop(0))
        if found is None:
            return False
        start, frames, channels = found
        begin = min(max(float(value.get("begin", 0)), 0.0), 1.0)
        finish = min(max(float(value.get("end", 1)), 0.0), 1.0)
        semitones = float(value.get("note", 0)) + 12 * (float(value.get("octave", 5)) - 5)
        speed = float(value.get("speed", 1)) * 2.0 ** (semitones / 12.0)
        if finish <= begin or abs(speed) < 1e-6:
            return False
        row[EV_BANK_START], row[EV_BANK_FRAMES], row[EV_BANK_CHANNELS] = start, frames, channels
        row[EV_BEGIN], row[EV_END], row[EV_SPEED] = begin, finish, speed
        if "sustain" in value:
            row[EV_GATE] = max(float(value["sustain"]) * self.rate, 1.0)
        elif "legato" in value:
            row[EV_GATE] = max(float(value["legato"]) * (self.sample_at(end) - sample), 1.0)
        else:
            row[EV_GATE] = HELD  # the whole file (or its begin..end)
        row[EV_RELEASE] = float(value.get("release", SAMPLE_RELEASE)) * self.rate
        return True

    def _row(self, onset: Fraction, end: Fraction, value: Any, channel: int) -> list[float] | None:
        """An event's row: its shape (_shape; kept for the next event of the same value, as a
        pattern plays the same values over and over), then what its onset and end give: the sample,
        a gate made by legato, a sample's file and cut, and the noise's seed."""
        if not isinstance(value, dict) or "s" not in value:
            return None
        sampled = self.samples is not None and value["s"] in self.samples
        try:
            key = None if sampled else tuple(value.items())
            shaped = self._shapes.get(key)
        except TypeError:  # a value that cannot be a key
            key = shaped = None
        if shaped is None:
            shaped = self._shape(value, sampled)
            if shaped is None:
                return None
            if key is not None:
                if len(self._shapes) >= SHAPES:
                    self._shapes.clear()
                self._shapes[key] = shaped
        template, legato = shaped
        sample = self.sample_at(onset)
        row = template.copy()
        row[EV_SAMPLE] = sample + round(min(float(value["nudge"]), MAX_NUDGE) * self.rate) if "nudge" in value else sample
        if sampled:
            if not self._sample(row, value, sample, end):
                return None
        elif legato is not None:
            row[EV_GATE] = max(legato * (self.sample_at(end) - sample), 1.0)
        # the note too: the notes of a chord pluck with noise of their own, not in phase
        row[EV_SEED] = 1 + zlib.crc32(f"{self.seed}:{channel}:{sample}:{value['s']}:{row[EV_FREQ]:.3f}".encode())
        return row

    def _shape(self, value: dict, sampled: bool) -> tuple[list[float], float | None] | None:
        """What an event's row takes from its value alone, and the legato that makes its gate from
        its length (None: the gate is fixed, or it has none); None for an unknown sound."""
        kind = SAMPLE if sampled else SOUNDS.get(value["s"])  # a sample folder wins over a built-in sound
        if kind is None:
            self.unknown_sounds.add(str(value["s"]))
            return None
        row = [0.0] * EVENT_FIELDS
        row[EV_KIND] = kind
        row[EV_GAIN] = float(value.get("gain", 1)) * float(value.get("amp", 1))
        row[EV_PAN] = float(value.get("pan", 0.5))
        row[EV_SPEED] = float(value.get("speed", 1))
        note = float(value.get("note", value.get("n", 0))) + 12 * (float(value.get("octave", 5)) - 5)
        row[EV_FREQ] = C5_HZ * 2.0 ** (note / 12.0)
        self._effects(row, value)
        velocity = min(max(float(value.get("velocity", DEFAULT_VELOCITY)), 0.0), 1.0)
        row[EV_VELOCITY] = velocity  # instruments also brighten with it
        row[EV_GAIN] *= (0.3 + 0.7 * velocity) / (0.3 + 0.7 * DEFAULT_VELOCITY)
        legato = None
        if kind in OSCILLATORS:
            legato = self._envelope(row, value)
        elif kind in INSTRUMENTS:
            if "sustain" in value:
                row[EV_GATE] = max(float(value["sustain"]) * self.rate, 1.0)
            else:
                legato = float(value.get("legato", 1))
            row[EV_RELEASE] = float(value.get("release", INSTRUMENT_RELEASE[kind])) * self.rate
        return row, legato
