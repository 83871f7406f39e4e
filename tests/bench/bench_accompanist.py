"""The accompanist's evaluation table (issue 6): prints figures, asserts nothing.

    .venv/bin/python tests/bench/bench_accompanist.py
    .venv/bin/python tests/bench/bench_accompanist.py --finetune [--pieces 20]

Strictly online, sixteenth-note decisions, through the same Session as `jam accompany --online`:
the shipped model, the three baselines and the ground truth on
- POP909's held-out test split (songs never trained on or tuned on; in distribution), and
- Nottingham's test split (folk, GPL: never trained on; out of distribution).
Targets: nic >= 0.75 x the ground truth's, triad >= 0.35, 0.5-1.5 changes per bar, p99 < 5 ms.
The tables are always of the shipped weights (JAM_ACCOMPANIST_WEIGHTS pins them), whatever
fine-tune of one's own `$XDG_STATE_HOME/jam/chord_lstm.pt` holds.

--finetune: `jam train --from DIR` on the four files of tests/test_finetune.py (a melody over a
I-bIII-IV-bVI loop, in four keys), in a temporary state folder: its time, its before/after lines
(agreement on the files trained on and on the held-out one), the shipped weights' hash before and
after, and what the fine-tune costs on the first --pieces songs of POP909's test split.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "engine" / "accompanist" / "weights" / "chord_lstm.pt"
os.environ["JAM_ACCOMPANIST_WEIGHTS"] = str(SHIPPED)
sys.path.insert(0, str(ROOT))

from console.accompany_command import cmd_accompany  # noqa: E402
from engine.accompanist import leadsheets  # noqa: E402


def tables() -> None:
    for name, files in (("POP909 test split", leadsheets.TRAIN_FILES[:1]),
                        ("Nottingham test split (out of distribution)", leadsheets.EVAL_ONLY_FILES)):
        print(f"\n== {name}")
        cmd_accompany(["--eval", *(str(leadsheets.DATA / f) for f in files), "--split", "test"])


def finetune(pieces: int) -> None:
    from tests.test_finetune import performer_dir

    def sha() -> str:
        return hashlib.sha256(SHIPPED.read_bytes()).hexdigest()[:16]

    with tempfile.TemporaryDirectory() as tmp:
        folder, out = performer_dir(Path(tmp)), Path(tmp) / "tuned.pt"
        before = sha()
        env = {**os.environ, "XDG_STATE_HOME": str(Path(tmp) / "state")}
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "console", "train", "--from", str(folder), "--out", str(out)],
                             capture_output=True, text=True, cwd=ROOT, env=env)
        seconds = time.perf_counter() - start
        print(run.stderr.replace(str(folder), "DIR").replace(str(out), "OUT"), end="")
        print(f"\n`jam train --from DIR` (default 6 epochs): exit {run.returncode}, {seconds:.1f} s wall, torch start-up included")
        print(f"shipped weights sha256 {before}... before, {sha()}... after")
        if run.returncode or not pieces:
            return
        from engine.accompanist.decide import ModelDecider
        from engine.accompanist.evaluate import evaluate, table
        from engine.accompanist.model import Predictor
        from engine.accompanist.online import Session

        songs = [p for p in leadsheets.load(leadsheets.DATA / leadsheets.TRAIN_FILES[0], "test", pieces) if p.notes]
        shipped, tuned = Predictor(SHIPPED), Predictor(out)
        print(f"\n== what the fine-tune costs on POP909's test split (first {len(songs)} songs)")
        print(table(evaluate(songs, {"shipped": lambda p: Session(ModelDecider(shipped)),
                                     "fine-tuned": lambda p: Session(ModelDecider(tuned))})))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--finetune", action="store_true")
    parser.add_argument("--pieces", type=int, default=20)
    args = parser.parse_args()
    if args.finetune:
        import torch

        torch.set_num_threads(1)  # as `jam train` runs
        finetune(args.pieces)
    else:
        tables()
