"""The accompanist's evaluation table (issue 6): prints figures, asserts nothing.

    .venv/bin/python tests/bench/bench_accompanist.py

Strictly online, sixteenth-note decisions, through the same Session as `jam accompany --online`:
the shipped model, the three baselines and the ground truth on
- POP909's held-out test split (songs never trained on or tuned on; in distribution), and
- Nottingham's test split (folk, GPL: never trained on; out of distribution).
Targets: nic >= 0.75 x the ground truth's, triad >= 0.35, 0.5-1.5 changes per bar, p99 < 5 ms.
"""

from __future__ import annotations

from console.accompany_command import cmd_accompany
from engine.accompanist import leadsheets

if __name__ == "__main__":
    for name, files in (("POP909 test split", leadsheets.TRAIN_FILES[:1]),
                        ("Nottingham test split (out of distribution)", leadsheets.EVAL_ONLY_FILES)):
        print(f"\n== {name}")
        cmd_accompany(["--eval", *(str(leadsheets.DATA / f) for f in files), "--split", "test"])
