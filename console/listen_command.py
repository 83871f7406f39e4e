"""`jam listen`: what a spoken (or typed) phrase asks the band to do (issue 7).

    jam listen --wav FILE [--json]     recognize a 16 kHz mono WAV: the text, the intent, the confidence
    jam listen [--device NAME]         listen to the microphone; print each intent as it is recognized
    jam listen --text "PHRASE"         parse typed words, as the console's command line does

JSON (one object; one a line when listening): {"text": ..., "intent": {"name": ..., "args": {...}}
or null, "confidence": 0..1}. The exit status is 1 only when something is missing (the file, the
input device, a vosk model asked for); a phrase that asks for nothing still prints what was heard.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from engine.speech.intents import parse_intent
from engine.speech.recognizer import Microphone, Recognizer, SpeechError, default_recognizer, read_wav


def cmd_listen(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jam listen", description="Recognize a spoken command: from a WAV "
                                     "file, the microphone (the default) or typed text.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--wav", type=Path, help="a 16 kHz mono 16-bit WAV file")
    source.add_argument("--text", help="typed words instead of speech")
    parser.add_argument("--json", action="store_true", help="print JSON: text, intent, confidence")
    parser.add_argument("--engine", choices=("auto", "pocketsphinx", "vosk"), default="auto",
                        help="recognizer (auto: vosk when a model is found, else pocketsphinx)")
    parser.add_argument("--device", help="input device for the microphone (part of its name)")
    parser.add_argument("--seconds", type=float, help="stop listening to the microphone after this long")
    args = parser.parse_args(argv)
    try:
        if args.text is not None:
            _print(result(args.text, 1.0), args.json)
        elif args.wav is not None:
            recognizer = default_recognizer(args.engine)
            _print(recognize_wav(args.wav, recognizer), args.json)
        else:
            microphone = Microphone(args.device)  # first: no device, no waiting for a recognizer
            _listen(microphone, default_recognizer(args.engine), args.seconds, args.json)
    except SpeechError as err:
        print(f"jam listen: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
    return 0


def result(text: str, confidence: float) -> dict[str, Any]:
    """The JSON contract of `jam listen`: the words, the intent they ask for (or None), the confidence."""
    return {"text": text, "intent": parse_intent(text), "confidence": confidence}


def recognize_wav(path: Path, recognizer: Recognizer) -> dict[str, Any]:
    """Recognize one WAV file (the `--wav` path, and what the tests run with one loaded recognizer)."""
    heard = recognizer.recognize(read_wav(path))
    return result(heard.text, heard.confidence)


def describe(outcome: dict[str, Any]) -> str:
    """One line for people: what was heard and what it changes (or that it changes nothing)."""
    heard = f'heard "{outcome["text"]}" ({outcome["confidence"]:.2f})' if outcome["text"] else "heard nothing"
    intent = outcome["intent"]
    if intent is None:
        return f"{heard}: not a command, nothing changed"
    args = " ".join(f"{name}={value}" for name, value in intent["args"].items())
    return f"{heard}: {intent['name']} {args}"


def _print(outcome: dict[str, Any], as_json: bool) -> None:
    print(json.dumps(outcome) if as_json else describe(outcome), flush=True)


def _listen(microphone: Microphone, recognizer: Recognizer, seconds: float | None, as_json: bool) -> None:
    meter = _Meter() if sys.stderr.isatty() else None
    print(f"listening to {microphone.name} with {recognizer.name} (ctrl+c to stop)", file=sys.stderr)
    for utterance in microphone.utterances(seconds, meter.show if meter else None):
        heard = recognizer.recognize(utterance)
        if meter:
            meter.clear()
        _print(result(heard.text, heard.confidence), as_json)


class _Meter:
    """An input level meter on the terminal's last line, so the performer sees the mic hears them."""

    def __init__(self) -> None:
        self._shown = 0.0

    def show(self, level_db: float, in_speech: bool) -> None:
        now = time.monotonic()
        if now - self._shown >= 0.1:
            self._shown = now
            bar = "#" * max(0, min(30, round((level_db + 60) / 2)))
            print(f"\r{'speech' if in_speech else 'level '} [{bar:<30}] {level_db:6.1f} dBFS", end="",
                  file=sys.stderr, flush=True)

    def clear(self) -> None:
        print("\r" + " " * 50 + "\r", end="", file=sys.stderr, flush=True)
