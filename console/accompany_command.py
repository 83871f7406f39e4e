"""`jam accompany`: the accompanist's headless faces — the online JSON-lines protocol and its evaluation.

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
    parser.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    parser.add_argument("--split", choices=["test", "valid", "train", "all"], default="test",
                        help="which songs of each file by the song-id split (default: the held-out test split)")
    parser.add_argument("--limit", type=int, help="at most this many pieces per file")
    args = parser.parse_args(argv)
    if args.online:
        return _online()
    return _evaluate(args)


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
