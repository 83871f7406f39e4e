"""Each instrument and drum has the character it should, heard in the rendered audio."""

from __future__ import annotations

import numpy as np
import pytest

from dsl import parse_patch
from engine.offline import render_patch
from engine.scheduler import C5_HZ, SOUNDS

RATE = 48000
INSTRUMENTS = ["acoustic_piano", "electric_piano", "organ", "synthesizer", "acoustic_guitar", "electric_guitar",
               "bass_guitar", "violin", "cello", "saxophone", "trumpet", "brass", "flute", "pad_synth"]
DRUMS = ["bd", "sn", "rim", "cp", "hh", "oh", "lt", "mt", "ht", "ride", "crash", "conga", "bongo", "shaker",
         "cowbell", "claves", "tamb"]


def play(sound: str, note: float = 0, seconds: float = 2.0, velocity: float = 0.8, sustain: float = 1.5) -> np.ndarray:
    patch = parse_patch(f'setcps 0.25\nd1 $ note ({note}) # s "{sound}" # velocity {velocity} # sustain {sustain}')
    assert not patch.errors, patch.errors
    return render_patch(patch, rate=RATE, seconds=seconds)[:, 0].astype(np.float64)


def low_harmonics_share(audio: np.ndarray, f0: float) -> float:
    """The share of all the energy that lies near the first two harmonics."""
    x = audio[RATE // 5: RATE // 5 + RATE]
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    low = sum(spectrum[np.abs(freqs - k * f0) < f0 * 0.1].sum() for k in (1, 2))
    return low / spectrum.sum()


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x ** 2)))


def test_every_name_of_the_design_answers():
    for name in INSTRUMENTS + DRUMS + ["piano", "epiano", "bass", "sax", "pad", "sine", "saw", "sawtooth",
                                       "square", "triangle", "pulse", "noise"]:
        assert name in SOUNDS, name


@pytest.mark.parametrize("sound", INSTRUMENTS)
def test_each_instrument_plays_its_whole_range_and_follows_velocity(sound):
    for note in (-24, 0, 24):
        soft, hard = play(sound, note, velocity=0.3, seconds=0.8), play(sound, note, velocity=1.0, seconds=0.8)
        assert np.isfinite(hard).all()
        assert rms(hard) > 0.004, f"{sound} at note {note} is silent"
        assert rms(hard) > rms(soft) * 1.05 or sound in ("organ", "pad_synth"), f"{sound} ignores velocity"
    tail = play(sound, 0, seconds=4.0, sustain=0.5)[int(3.5 * RATE):]
    assert np.abs(tail).max() < 1e-3, f"{sound} does not end"


def test_the_flute_sits_in_its_low_harmonics_and_the_saw_lead_does_not():
    f0 = C5_HZ * 2 ** (12 / 12)
    assert low_harmonics_share(play("flute", 12), f0) > 0.9
    assert low_harmonics_share(play("synthesizer", 12), f0) < 0.85  # a raw saw has 76% there


def test_the_bass_guitar_decays_like_a_plucked_string():
    audio = play("bass_guitar", -24, seconds=3.0, sustain=3.0)
    early, late = rms(audio[int(0.05 * RATE):int(0.25 * RATE)]), rms(audio[int(2.0 * RATE):int(2.2 * RATE)])
    assert late < early / 3
    assert late > early / 1000  # but it rings on while held


def test_the_piano_partials_are_stretched():
    """A stiff string's overtones run sharp: the 5th partial sits above 5 times the 1st."""
    audio = play("acoustic_piano", -12, seconds=2.5, sustain=2.5, velocity=1.0)
    x = audio[int(0.05 * RATE): int(0.05 * RATE) + 2 * RATE]
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    f0 = C5_HZ / 2

    def peak(near: float) -> float:
        band = np.abs(freqs - near) < near * 0.02
        return float(freqs[band][np.argmax(spectrum[band])])

    first, fifth = peak(f0), peak(5 * f0)
    assert fifth / (5 * first) > 1.003, (first, fifth)


def test_the_snare_is_a_band_of_noise_and_the_kick_is_low():
    def share_above(audio: np.ndarray, hz: float) -> float:
        x = audio[: RATE // 4]
        spectrum = np.abs(np.fft.rfft(x)) ** 2
        freqs = np.fft.rfftfreq(len(x), 1 / RATE)
        return spectrum[freqs > hz].sum() / spectrum.sum()

    snare, kick = play("sn", seconds=0.5), play("bd", seconds=0.5)
    assert share_above(snare, 1000) > 0.4
    assert share_above(kick, 300) < 0.1


@pytest.mark.parametrize("sound", DRUMS)
def test_each_drum_hits_and_dies_away(sound):
    audio = play(sound, seconds=3.5)
    assert np.abs(audio[: RATE // 10]).max() > 0.02, f"{sound} is too quiet to hear"
    assert np.abs(audio[3 * RATE:]).max() < 1e-3, f"{sound} rings forever"


def test_the_notes_of_a_chord_do_not_pluck_in_phase():
    """Each note of a chord gets noise of its own: a strummed chord is no peakier than one note
    (with one shared seed the plucks of a guitar chord added up in phase, 25 dB above the RMS)."""
    from dsl import parse_patch
    from engine.offline import render_patch

    def crest_db(text: str) -> float:
        audio = render_patch(parse_patch("setcps 0.5\n" + text), seconds=4.0).astype(np.float64)
        return 20 * np.log10(np.abs(audio).max() / np.sqrt((audio ** 2).mean()))

    assert crest_db('d1 $ n "c\'maj e\'min" # s "guitar"') <= crest_db('d1 $ n "c" # s "guitar"') + 1.0


@pytest.mark.parametrize("note", [-36, -29, -24, -17])
def test_the_bass_guitar_sounds_its_fundamental(note):
    """A bass string's energy sits in its first harmonics (the pluck was once a bright noise burst:
    2-8% near the fundamental, the strongest partial around 400-600 Hz)."""
    f0 = 261.6255653005986 * 2 ** (note / 12)
    audio = play("bass_guitar", note, seconds=2.0)
    assert low_harmonics_share(audio, f0) > 0.25
