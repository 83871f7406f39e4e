"""`jam accompany`: the accompanist's headless faces — the online JSON-lines protocol and its evaluation.

    jam accompany --melody FILE.mid --style funk [--tempo 95] [--key "e minor"] [--mood happy]
                  -o OUT.wav [--midi OUT.mid] [--patch OUT.jam]   a band to a melody, offline
    jam accompany --online                      JSON lines on stdin -> one answer line per decide
    jam accompany --eval FILES... [--json]      the same interface driven over lead sheets, scored
                                                against the baselines and the ground truth

Torch and the weights load only inside these commands, never when `jam` starts.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def cmd_accompany(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jam accompany", description="The AI accompanist, headless.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--online", action="store_true", help="speak the JSON-lines protocol on stdin/stdout")
    mode.add_argument("--eval", nargs="+", type=Path, metavar="FILE", help="lead sheets (.jsonl or .jsonl.gz)")
    mode.add_argument("--melody", type=Path, metavar="FILE.mid", help="play a band to this melody, offline")
    parser.add_argument("--style", default="pop")
    parser.add_argument("--tempo", type=float, help="beats per minute (default: the style's, near the file's)")
    parser.add_argument("--key", help='e.g. "e minor": the band leans to it (and still follows where the melody goes)')
    parser.add_argument("--mood", choices=["happy", "sad", "energetic", "relaxed", "dramatic"])
    parser.add_argument("-o", "--output", type=Path, help="the WAV to write (with --melody)")
    parser.add_argument("--midi", type=Path, metavar="OUT.mid", help="also write what the band played")
    parser.add_argument("--patch", type=Path, metavar="OUT.jam", help="also write the band as a patch to edit")
    parser.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    parser.add_argument("--split", choices=["test", "valid", "train", "all"], default="test",
                        help="which songs of each file by the song-id split (default: the held-out test split)")
    parser.add_argument("--limit", type=int, help="at most this many pieces per file")
    args = parser.parse_args(argv)
    if args.online:
        return _online()
    if args.melody:
        if args.output is None and args.patch is None:
            parser.error("--melody needs -o OUT.wav (or --patch OUT.jam)")
        return _band(args)
    return _evaluate(args)


def _band(args) -> int:
    import numpy as np

    from dsl import parse_patch
    from engine.accompanist.band import band_patch
    from engine.accompanist.online import default_session
    from engine.midifile import write_midi
    from engine.offline import render_patch
    from engine.wavfile import write_wav

    try:
        text = band_patch(args.melody, args.style, default_session(), args.tempo, args.key, args.mood)
    except (OSError, ValueError, EOFError) as e:
        print(f"jam accompany: {e}", file=sys.stderr)
        return 1
    if args.patch:
        args.patch.write_text(text, encoding="utf-8")
    patch = parse_patch(text)
    for err in patch.errors:  # the arranger's own text must parse: anything here is a bug to report
        print(f"jam accompany: arranger wrote a bad line {err}", file=sys.stderr)
    if args.output:
        played: list = []
        melody = next(line for line in text.splitlines() if line.startswith("d1 "))
        bars = melody.count("[")  # the melody line has one [...] per bar
        audio = render_patch(patch, cycles=max(bars, 1), played=played, seed=1)
        write_wav(args.output, audio, 48000)
        if args.midi:
            write_midi(args.midi, np.concatenate(played), 48000, float(patch.cps * 240))
        print(f"{args.output}: {len(audio) / 48000:.1f} s, {args.style}", file=sys.stderr)
    return 1 if patch.errors else 0


def _online() -> int:
    from engine.accompanist.online import default_session, serve

    return serve(default_session())


def _evaluate(args) -> int:
    from engine.accompanist import leadsheets
    from engine.accompanist.baselines import AlwaysTonic, Bigram, KeyTonic
    from engine.accompanist.decide import ModelDecider
    from engine.accompanist.evaluate import evaluate, table
    from engine.accompanist.model import Predictor
    from engine.accompanist.online import Session

    pieces = []
    for path in args.eval:
        try:
            found = leadsheets.load(path, None if args.split == "all" else args.split, args.limit)
        except (OSError, ValueError, KeyError) as e:
            print(f"jam accompany: cannot read {path}: {e}", file=sys.stderr)
            return 1
        pieces += [p for p in found if p.notes]  # chord-only sheets have no melody to accompany
    if not pieces:
        print("jam accompany: no pieces with a melody in that split", file=sys.stderr)
        return 1
    predictor, bigram = Predictor(), Bigram()
    systems = {
        "accompanist": lambda p: Session(ModelDecider(predictor)),
        "always-tonic": lambda p: Session(AlwaysTonic(p.key_changes or [(0.0, p.key_tonic, p.key_minor)])),
        "online-key-to-tonic": lambda p: Session(KeyTonic()),
        "bigram": lambda p: Session(bigram),
    }
    result = evaluate(pieces, systems, lambda s: print(s, file=sys.stderr, flush=True))
    result.update({"files": [str(p) for p in args.eval], "split": args.split})
    print(json.dumps(result, indent=1) if args.json else table(result))
    return 0
