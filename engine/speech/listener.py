"""The engine's ears for words: one utterance from the microphone, recognized, as JSON lines.

    python -m engine.speech.listener [--input DEVICE_OR_WAV] [--seconds 8]

Prints {"level": dBFS, "speech": bool} about ten times a second while it listens (the console's
meter), then one {"text": ..., "confidence": ...} when the utterance ends in silence (text ""
when nothing was said in time), or {"error": ...}; then it exits. It is a process of its own
because the recognizer's decoding holds the GIL, which the engine's audio thread must not wait for.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from .recognizer import SpeechError, default_recognizer, open_input


def emit(message: dict) -> None:
    print(json.dumps(message), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.speech.listener")
    parser.add_argument("--input", help="input device (part of its name) or a 16-bit WAV file to hear as one")
    parser.add_argument("--seconds", type=float, default=8.0, help="give up after this long without speech")
    args = parser.parse_args(argv)
    try:
        source = open_input(args.input)
        recognizer = default_recognizer()
    except SpeechError as err:
        emit({"error": str(err)})
        return 1
    shown = [0.0]

    def level(db: float, speech: bool) -> None:
        if time.monotonic() - shown[0] >= 0.1:
            shown[0] = time.monotonic()
            emit({"level": round(db, 1), "speech": speech})

    for utterance in source.utterances(args.seconds, level):
        heard = recognizer.recognize(utterance)
        emit({"text": heard.text, "confidence": round(heard.confidence, 3)})
        return 0
    emit({"text": "", "confidence": 0.0})
    return 0


if __name__ == "__main__":
    sys.exit(main())
