"""Audio -> text: speech recognizers for the band's commands, and the microphone's utterances.

Each recognizer searches the command grammar first (the word automaton generated from
intents.lark, so what it hears always parses) and falls back to free-form recognition when that
search finds nothing or is not confident; the fallback's text is what the console shows as
"heard" when nothing matched. Decoders are loaded once and reused: loading takes longer than
decoding one phrase.

- `PocketSphinxRecognizer`: the default; its US English model ships inside the pocketsphinx wheel.
- `VoskRecognizer`: used when a vosk model directory is configured (JAM_VOSK_MODEL) or found in
  the usual places (`find_vosk_model`).
- `Microphone`: the live mode, utterances cut from an input device by `Endpointer`.
"""

from __future__ import annotations

import json
import math
import os
import queue
import time
import wave
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Callable, Iterator, Protocol

import numpy as np

from .intents import speech_automaton

RATE = 16000  # what both recognizers' models expect: 16 kHz mono 16-bit

# Recorded speech always carries some room and microphone noise; digitally silent pauses
# (synthesized speech, gated inputs) throw off the front end's noise and mean estimates. A fixed
# floor of white noise at -60 dBFS (seeded: the same input always gives the same answer) took the
# espeak-ng phrases of tests/test_speech.py from 74% to 90% right and left flite's at 97%.
NOISE_FLOOR = 32768 * 10 ** (-60 / 20)

# Words of the grammar missing from the CMU dictionary that pocketsphinx ships.
EXTRA_PRONUNCIATIONS = {"synth": "S IH N TH", "claves": "K L AA V EY Z", "congas": "K AO NG G AH Z"}

# Confidence of a grammar result: a logistic of the path's score per frame (pocketsphinx scores
# each frame relative to its best-scoring senone, so a path that follows the best senones scores
# near 0; the grammar's word penalties count too). Calibrated on synthesized phrases: right results
# have a median of -0.0026 and a 5th percentile of -0.0040; chatter forced onto the grammar has a
# median of -0.0045. Below 0.5 (-0.0044) the free-form fallback runs: for half of the chatter in
# tests/bench/bench_speech.py, and for 2% of the right results on espeak-ng (none on flite).
SCORE_MIDPOINT = -0.0044
SCORE_SCALE = 0.0004
NBEST = 20  # complete phrases looked at when the grammar search ends inside a phrase


@dataclass(frozen=True)
class Recognition:
    """What was heard: the text, how sure the recognizer is (0..1), and whether the command
    grammar produced it (False: the free-form fallback)."""

    text: str
    confidence: float
    grammar: bool


class Recognizer(Protocol):
    name: str

    def recognize(self, audio: np.ndarray) -> Recognition:
        """Recognize one utterance: 16 kHz mono int16 samples."""


class SpeechError(RuntimeError):
    """A recognizer or an input device is not available (the message says why, in one line)."""


# -- pocketsphinx ------------------------------------------------------------------------------------
class PocketSphinxRecognizer:
    """PocketSphinx with its bundled en-us model: the command grammar as a finite-state grammar,
    then its big trigram language model as the free-form fallback (loaded on first use)."""

    name = "pocketsphinx"

    def __init__(self) -> None:
        import pocketsphinx

        self._model = Path(pocketsphinx.get_model_path()) / "en-us"
        # fwdflat, maxhmmpf: the free-form pass in one pass and fewer active HMMs (345 -> 205 ms median,
        # the same words on the bench's chatter); the grammar search uses neither.
        self._decoder = pocketsphinx.Decoder(hmm=str(self._model / "en-us"),
                                             dict=str(self._model / "cmudict-en-us.dict"),
                                             lm=None, fwdflat=False, maxhmmpf=3000, loglevel="FATAL")
        for word, phones in EXTRA_PRONUNCIATIONS.items():
            self._decoder.add_word(word, phones, False)
        automaton = speech_automaton()
        missing = sorted(w for w in automaton.words() if self._decoder.lookup_word(w) is None)
        if missing:
            raise SpeechError(f"words of intents.lark missing from the pocketsphinx dictionary: {', '.join(missing)}")
        self._decoder.add_fsg("commands", self._decoder.create_fsg("commands", 0, len(automaton.arcs),
                                                                   _fsg_transitions(automaton)))
        self._search = ""
        self._free_loaded = False

    def recognize(self, audio: np.ndarray) -> Recognition:
        pcm = _with_noise_floor(audio)
        heard = self._grammar_pass(pcm)
        return heard if heard is not None and heard.confidence >= 0.5 else self._free_pass(pcm)

    def _decode(self, search: str, pcm: bytes) -> None:
        if self._search != search:  # (Decoder.current_search crashes before any is active)
            self._decoder.activate_search(search)
            self._search = search
        self._decoder.reinit_feat()  # each utterance on its own: no noise estimate carried over
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, full_utt=True)
        self._decoder.end_utt()

    def _grammar_pass(self, pcm: bytes) -> Recognition | None:
        self._decode("commands", pcm)
        hyp = self._decoder.hyp()
        if hyp is None:
            return None
        automaton = speech_automaton()
        if not automaton.accepts(hyp.hypstr):  # the search ended inside a phrase: best complete one
            complete = [h for h in islice(self._decoder.nbest() or (), NBEST)
                        if h is not None and automaton.accepts(h.hypstr)]
            if not complete:
                return None
            hyp = max(complete, key=lambda h: h.best_score)
        per_frame = math.log(max(hyp.best_score, 1e-300)) / max(self._decoder.n_frames(), 1)
        confidence = 1 / (1 + math.exp(-(per_frame - SCORE_MIDPOINT) / SCORE_SCALE))
        return Recognition(hyp.hypstr, round(confidence, 3), grammar=True)

    def _free_pass(self, pcm: bytes) -> Recognition:
        if not self._free_loaded:
            self._decoder.add_lm_file("free", str(self._model / "en-us.lm.bin"))
            self._free_loaded = True
        self._decode("free", pcm)
        hyp = self._decoder.hyp()
        if hyp is None or not hyp.hypstr:
            return Recognition("", 0.0, grammar=False)
        return Recognition(hyp.hypstr, round(min(max(hyp.prob, 0.0), 1.0), 3), grammar=False)


def _fsg_transitions(automaton) -> list[tuple]:
    """The automaton as pocketsphinx FSG transitions: each state's ways out equally likely, and
    every accepting state joined to the one final state by a wordless transition."""
    final = len(automaton.arcs)
    transitions: list[tuple] = []
    for state, arcs in enumerate(automaton.arcs):
        ways = len(arcs) + (state in automaton.finals)
        transitions += [(state, target, 1 / ways, word) for word, target in arcs.items()]
        if state in automaton.finals:
            transitions.append((state, final, 1 / ways))
    return transitions


def _with_noise_floor(audio: np.ndarray) -> bytes:
    noise = np.random.default_rng(0).normal(0.0, NOISE_FLOOR, len(audio))
    return np.clip(audio.astype(np.float64) + noise, -32768, 32767).astype("<i2").tobytes()


# -- vosk -----------------------------------------------------------------------------------------
VOSK_MODEL_DIRS = ("~/.cache/vosk", "~/.local/share/vosk", "/usr/share/vosk", "/usr/local/share/vosk",
                   "/opt/vosk")


def find_vosk_model() -> Path | None:
    """The vosk model to use: $JAM_VOSK_MODEL (which must be one), else an English model in
    $VOSK_MODEL_PATH or the usual places, else None."""
    configured = os.environ.get("JAM_VOSK_MODEL")
    if configured:
        path = Path(configured).expanduser()
        if not _is_vosk_model(path):
            raise SpeechError(f"JAM_VOSK_MODEL={configured} is not a vosk model directory "
                              "(it has no am/ or conf/model.conf)")
        return path
    places = [os.environ.get("VOSK_MODEL_PATH", ""), *VOSK_MODEL_DIRS]
    for place in filter(None, places):
        folder = Path(place).expanduser()
        if folder.is_dir():
            models = sorted(p for p in folder.iterdir() if p.name.startswith("vosk-model") and "-en" in p.name
                            and _is_vosk_model(p))
            if models:
                return models[0]
    return None


def _is_vosk_model(path: Path) -> bool:
    return (path / "am").is_dir() or (path / "conf" / "model.conf").is_file()


class VoskRecognizer:
    """Vosk (Kaldi) with the grammar's phrases as its phrase list, then free-form when the
    grammar result holds an unknown word ([unk]), is empty, or is not confident."""

    name = "vosk"

    def __init__(self, model_dir: Path) -> None:
        import vosk

        vosk.SetLogLevel(-1)
        try:
            self._model = vosk.Model(str(model_dir))
        except Exception as err:  # vosk raises a bare Exception("Failed to create a model")
            raise SpeechError(f"vosk cannot load the model in {model_dir}: {err}") from None
        # Vosk estimates a bigram model from the list, so phrases that take every arc of the
        # automaton carry all its word pairs; [unk] lets other speech out of the grammar.
        phrases = speech_automaton().covering_phrases() + ["[unk]"]
        self._grammar = vosk.KaldiRecognizer(self._model, RATE, json.dumps(phrases))
        self._free = vosk.KaldiRecognizer(self._model, RATE)
        for recognizer in (self._grammar, self._free):
            recognizer.SetWords(True)

    def recognize(self, audio: np.ndarray) -> Recognition:
        text, confidence = _vosk_result(self._grammar, audio)
        if text and "[unk]" not in text and confidence >= 0.5 and speech_automaton().accepts(text):
            return Recognition(text, confidence, grammar=True)
        text, confidence = _vosk_result(self._free, audio)
        return Recognition(text, confidence, grammar=False)


def _vosk_result(recognizer, audio: np.ndarray) -> tuple[str, float]:
    recognizer.AcceptWaveform(audio.astype("<i2").tobytes())
    result = json.loads(recognizer.FinalResult())  # also readies the recognizer for the next one
    words = result.get("result", [])
    confidence = sum(w["conf"] for w in words) / len(words) if words else 0.0
    return result.get("text", "").strip(), round(confidence, 3)


def default_recognizer(engine: str = "auto") -> Recognizer:
    """"vosk" when asked for or when a model is found ("auto"), else pocketsphinx."""
    if engine == "pocketsphinx":
        return PocketSphinxRecognizer()
    model = find_vosk_model()
    if model is not None:
        return VoskRecognizer(model)
    if engine == "vosk":
        raise SpeechError("no vosk model found: set JAM_VOSK_MODEL to a model directory, or unpack one "
                          f"(vosk-model-small-en-us-*) into {VOSK_MODEL_DIRS[0]}")
    return PocketSphinxRecognizer()


# -- audio in ---------------------------------------------------------------------------------------
def read_wav(path: Path) -> np.ndarray:
    """A 16-bit PCM WAV file as 16 kHz mono int16 samples (other rates and channel counts are
    converted; 16 kHz mono is what the recognizers want)."""
    try:
        with wave.open(str(path), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (OSError, EOFError, wave.Error) as err:
        raise SpeechError(f"{path}: not a readable WAV file ({err})") from None
    if width != 2:
        raise SpeechError(f"{path}: {8 * width}-bit samples; expected a 16-bit PCM WAV (16 kHz mono)")
    samples = np.frombuffer(frames, "<i2").reshape(-1, channels).mean(axis=1)
    return np.round(resample(samples, rate, RATE)).astype(np.int16)


def resample(samples: np.ndarray, rate: int, target: int = RATE) -> np.ndarray:
    """Resample by windowed-sinc low-pass (below the lower Nyquist) and linear interpolation."""
    if rate == target or len(samples) == 0:
        return np.asarray(samples, dtype=np.float64)
    cutoff = 0.45 * min(rate, target) / rate  # in cycles per input sample
    taps = np.arange(-32, 33)
    kernel = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.hamming(len(taps))
    smooth = np.convolve(np.asarray(samples, dtype=np.float64), kernel / kernel.sum(), mode="same")
    times = np.arange(int(len(samples) * target / rate)) * (rate / target)
    return np.interp(times, np.arange(len(samples)), smooth)


class Endpointer:
    """Energy-based utterance detection for the live mode.

    Works in 10 ms frames of int16 samples at `rate`. Speech starts when frames are `margin_db`
    above the noise floor (which follows the quietest frames down at once and drifts up 3 dB a
    second) and above `min_db`, for `start_s`; it ends after `silence_s` below. Each utterance
    keeps `preroll_s` of the audio before its start (the recognizers need the lead-in) and a
    fifth of a second after its end.
    """

    def __init__(self, rate: int = RATE, margin_db: float = 12.0, min_db: float = -55.0, start_s: float = 0.05,
                 silence_s: float = 0.6, preroll_s: float = 0.3, max_s: float = 8.0, min_speech_s: float = 0.15) -> None:
        self.frame = rate // 100
        self.margin_db, self.min_db = margin_db, min_db
        self.level_db = -120.0
        self.floor_db: float | None = None
        self.in_speech = False
        self._start, self._silence, self._tail = round(start_s * 100), round(silence_s * 100), 20
        self._preroll, self._max, self._min = round(preroll_s * 100), round(max_s * 100), round(min_speech_s * 100)
        self._pending = np.zeros(0, dtype=np.int16)
        self._frames: list[np.ndarray] = []  # the utterance so far, or the pre-roll while quiet
        self._loud = self._quiet = 0

    def feed(self, samples: np.ndarray) -> list[np.ndarray]:
        """Take int16 samples; give back the utterances they complete."""
        self._pending = np.concatenate([self._pending, samples.astype(np.int16)])
        done = []
        while len(self._pending) >= self.frame:
            frame, self._pending = self._pending[:self.frame], self._pending[self.frame:]
            utterance = self._step(frame)
            if utterance is not None:
                done.append(utterance)
        return done

    def _step(self, frame: np.ndarray) -> np.ndarray | None:
        rms = math.sqrt(float(np.mean(frame.astype(np.float64) ** 2))) / 32768
        self.level_db = 20 * math.log10(max(rms, 1e-6))
        if not self.in_speech:
            self.floor_db = self.level_db if self.floor_db is None else min(self.level_db, self.floor_db + 0.03)
        loud = self.level_db > max(self.floor_db + self.margin_db, self.min_db)
        self._frames.append(frame)
        if not self.in_speech:
            self._loud = self._loud + 1 if loud else 0
            if self._loud >= self._start:
                self.in_speech, self._quiet = True, 0
            else:
                del self._frames[:-self._preroll]
            return None
        self._loud += loud
        self._quiet = 0 if loud else self._quiet + 1
        if self._quiet < self._silence and len(self._frames) < self._max:
            return None
        end = len(self._frames) - self._quiet + self._tail
        utterance, enough = np.concatenate(self._frames[:end]), self._loud >= self._min
        self._frames, self._loud, self.in_speech = [], 0, False
        return utterance if enough else None


class Microphone:
    """An input device (part of its name or host API, or the default), heard as utterances.

    Raises SpeechError when there is no such device (or none at all, or no PortAudio).
    """

    def __init__(self, device: str | None = None) -> None:
        try:
            import sounddevice as sd
        except OSError as err:  # the PortAudio library itself is missing
            raise SpeechError(f"no input device: {err}") from None
        self._sd = sd
        self.index = _input_device(sd, device)
        info = sd.query_devices(self.index)
        self.name = f"{info['name']} ({sd.query_hostapis(info['hostapi'])['name']})"
        self.rate = int(info["default_samplerate"])  # devices (JACK) may offer no other

    def utterances(self, seconds: float | None = None,
                   on_level: Callable[[float, bool], None] | None = None) -> Iterator[np.ndarray]:
        """Each utterance heard (16 kHz int16), ended by silence; `on_level(dBFS, in_speech)` gets
        the level for a meter. Stops after `seconds` when given."""
        blocks: queue.Queue[np.ndarray] = queue.Queue()
        endpointer = Endpointer(self.rate)
        deadline = None if seconds is None else time.monotonic() + seconds
        try:
            stream = self._sd.InputStream(device=self.index, channels=1, samplerate=self.rate, dtype="int16",
                                          callback=lambda data, frames, when, status: blocks.put(data[:, 0].copy()))
        except self._sd.PortAudioError as err:
            raise SpeechError(f"no input device: cannot open {self.name} ({err})") from None
        with stream:
            while deadline is None or time.monotonic() < deadline:
                try:
                    block = blocks.get(timeout=0.1)
                except queue.Empty:
                    continue
                for utterance in endpointer.feed(block):
                    yield np.round(resample(utterance, self.rate)).astype(np.int16)
                if on_level is not None:
                    on_level(endpointer.level_db, endpointer.in_speech)


def _input_device(sd, name: str | None) -> int:
    """The default input device, or the first whose name or host API (e.g. JACK) contains `name`."""
    try:
        devices, apis = list(sd.query_devices()), sd.query_hostapis()
    except sd.PortAudioError as err:
        raise SpeechError(f"no input device: {err}") from None
    inputs = [i for i, d in enumerate(devices) if d["max_input_channels"] > 0]
    if name is not None:
        inputs = [i for i in inputs
                  if name.lower() in f"{devices[i]['name']} {apis[devices[i]['hostapi']]['name']}".lower()]
        if not inputs:
            raise SpeechError(f"no input device matching {name!r}")
        return inputs[0]
    if not inputs:
        raise SpeechError("no input device (no microphone or audio interface found)")
    default = sd.default.device[0]
    return default if default in inputs else inputs[0]


class Recording:
    """A WAV file heard as if through a microphone, in real time, with a second of silence after
    it (rehearsal, demos, tests): the same utterances and level meter as `Microphone`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.name = f"{self.path.name} (a recording)"
        self.samples = read_wav(self.path)

    def utterances(self, seconds: float | None = None,
                   on_level: Callable[[float, bool], None] | None = None) -> Iterator[np.ndarray]:
        endpointer = Endpointer(RATE)
        audio = np.concatenate([self.samples, np.zeros(RATE, dtype=np.int16)])
        block = RATE // 20
        started = time.monotonic()
        for i, at in enumerate(range(0, len(audio), block)):
            if seconds is not None and time.monotonic() - started >= seconds:
                return
            yield from endpointer.feed(audio[at:at + block])
            if on_level is not None:
                on_level(endpointer.level_db, endpointer.in_speech)
            time.sleep(max(0.0, started + (i + 1) * block / RATE - time.monotonic()))


def open_input(spec: str | None) -> Microphone | Recording:
    """A microphone (part of a device's name, or the default), or a WAV file played as one."""
    if spec and spec.lower().endswith(".wav") and Path(spec).is_file():
        return Recording(Path(spec))
    return Microphone(spec)
