"""The hindsight recogniser: the chord of a past beat, from the melody before it and the few beats after.

The memory of `decide.ModelDecider` replays, when a passage repeats, the chords recognised the
first time; how well it plays is how well those are recognised. A beat's own melody says little
(a chord spans two to four beats of it, and half its notes may lie outside it): the next-chord
network, having heard the beat, names its chord about a third of the time. Waiting `LOOKAHEAD`
beats and reading the melody on both sides does better (0.41 of POP909's validation beats against
0.35 for the network's prior plus the beat's notes), and costs nothing live: a passage is
remembered only a bar or more later.

Network: the features of every beat (the next-chord network's ear features at the boundary after
it, plus which pitch class sounds on each of its sixteenths and where notes start) → linear +
GELU, shared → a forward LSTM over all the beats so far, and a backward LSTM over beats s+L down
to s → linear over the 120 chords of beat s, key-relative to the rotation of beat s's features.
At boundary b the label of beat b-1-L is ready: every input is from notes before b.
`Recogniser` steps it in numpy, one forward step and L+1 backward steps a beat.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

from . import chords
from .ear import Snapshot
from .model import FEATURES, beat_features, gelu, lstm_step

WEIGHTS = Path(__file__).resolve().parent / "weights" / "hindsight.pt"
LOOKAHEAD = 3  # beats after the labelled one that it waits for (a bar minus one in 4/4)
INPUTS = FEATURES + 4 * 12 + 4


def hindsight_features(snap: Snapshot, beat: int, beats_per_bar: int) -> tuple[np.ndarray, int]:
    """(INPUTS,) float32 description of the beat that ends at boundary `beat`, and its rotation."""
    x, r = beat_features(snap, beat, beats_per_bar)
    frames = np.roll(snap.frames, -r, axis=1).ravel()
    return np.concatenate([x, frames, snap.frame_onsets]).astype(np.float32), r


class HindsightLSTM(nn.Module):
    def __init__(self, hidden: int = 128, lookahead: int = LOOKAHEAD):
        super().__init__()
        self.config = {"hidden": hidden, "lookahead": lookahead}
        self.lookahead = lookahead
        self.inp = nn.Sequential(nn.Linear(INPUTS, hidden), nn.GELU())
        self.fwd = nn.LSTM(hidden, hidden, batch_first=True)
        self.bwd = nn.LSTM(hidden, hidden, batch_first=True)
        self.drop = nn.Dropout(0.2)
        self.out = nn.Linear(2 * hidden, chords.NCHORDS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, INPUTS), row t the beat t -> logits (B, T, NCHORDS) of each beat's chord, from
        rows up to t + lookahead (rows past the end count as zeros)."""
        batch, steps, _ = x.shape
        e = self.inp(x)
        forward, _ = self.fwd(e)
        ahead = self.lookahead
        padded = torch.cat([e, e.new_zeros(batch, ahead, e.shape[2])], 1)
        windows = torch.stack([padded[:, k:k + steps] for k in range(ahead, -1, -1)], 2)  # s+L ... s
        backward, _ = self.bwd(windows.reshape(batch * steps, ahead + 1, -1))
        backward = backward[:, -1].reshape(batch, steps, -1)
        return self.out(self.drop(torch.cat([forward, backward], -1)))


def load(path: Path = WEIGHTS) -> tuple[HindsightLSTM, dict]:
    saved = torch.load(path, map_location="cpu", weights_only=False)
    net = HindsightLSTM(**saved["config"])
    net.load_state_dict(saved["state"])
    net.eval()
    return net, saved


@lru_cache(maxsize=4)
def _weights(path: Path) -> tuple[int, dict[str, np.ndarray]]:
    """Loaded once per process: every decider (one per piece in an evaluation) shares them."""
    net, _ = load(path)
    return net.lookahead, {k: v.detach().numpy().astype(np.float64) for k, v in net.state_dict().items()}


class Recogniser:
    """Steps the network beat by beat: `step` takes each beat once it is over and, from the L-th
    call on, returns the absolute log-probabilities of the chord L beats before that one."""

    def __init__(self, path: Path = WEIGHTS):
        self.lookahead, w = _weights(path)
        self.w_in, self.b_in = w["inp.0.weight"], w["inp.0.bias"]
        self.fwd = (w["fwd.weight_ih_l0"], w["fwd.weight_hh_l0"], w["fwd.bias_ih_l0"] + w["fwd.bias_hh_l0"])
        self.bwd = (w["bwd.weight_ih_l0"], w["bwd.weight_hh_l0"], w["bwd.bias_ih_l0"] + w["bwd.bias_hh_l0"])
        self.w_out, self.b_out = w["out.weight"], w["out.bias"]
        self.reset()

    def reset(self) -> None:
        hidden = self.w_in.shape[0]
        self.h, self.c = np.zeros(hidden), np.zeros(hidden)
        self.recent: list[tuple[np.ndarray, np.ndarray, int]] = []  # (backward gates' input part, forward state, rotation)

    def step(self, x: np.ndarray, r: int) -> np.ndarray | None:
        """x, r: `hindsight_features` of the beat just over. The chord of the beat `lookahead` before it."""
        e = gelu(self.w_in @ x + self.b_in)
        w_ih, w_hh, bias = self.fwd
        self.h, self.c = lstm_step(w_ih @ e + bias, w_hh, self.h, self.c)
        w_ih, w_hh, bias = self.bwd
        self.recent = [*self.recent[-self.lookahead:], (w_ih @ e + bias, self.h, r)]
        if len(self.recent) <= self.lookahead:
            return None
        h, c = np.zeros_like(self.h), np.zeros_like(self.c)
        for gates_in, _, _ in reversed(self.recent):
            h, c = lstm_step(gates_in, w_hh, h, c)
        _, forward, rotation = self.recent[0]
        logits = self.w_out @ np.concatenate([forward, h]) + self.b_out
        logits -= logits.max()
        relative = logits - np.log(np.exp(logits).sum())
        return relative[chords.ROTATE[(-rotation) % 12]]
