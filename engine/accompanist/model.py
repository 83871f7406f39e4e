"""The next-chord network: one LSTM step per beat, from what the ear heard and the chord just played.

Inputs and output are key-relative: every pitch class and chord is rotated so that the tonic of
the ear's current major scale is 0 (A minor and C major share the rotation, so confusing them
costs nothing). That makes the network transposition-invariant by construction — the twelve
transpositions of a song give it identical inputs — and it learns one table of functions (I, IV,
V/vi...) instead of twelve. It is conditioned on style through a small embedding.

At play time `Predictor` keeps the LSTM state between beats, so a beat costs one cell step
(about 50 microseconds, in numpy) and nothing is recomputed.

Which weights play: `load()` and `Predictor()` without a path take the performer's own weights
(`jam train --from DIR` writes them to `$XDG_STATE_HOME/jam/chord_lstm.pt`) when that file exists
and loads, and the shipped `weights/chord_lstm.pt` otherwise; a file that exists but does not
load is reported on stderr and the shipped weights play. `JAM_ACCOMPANIST_WEIGHTS=PATH` names the
weights to prefer instead (benchmarks and tests pin the shipped model with it).
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

from . import chords
from .ear import Snapshot, collection

WEIGHTS = Path(__file__).resolve().parent / "weights" / "chord_lstm.pt"
STYLES = ["any", "pop", "rock", "folk", "funk", "jazz", "blues", "electronic", "latin", "reggae",
          "country", "classical"]
MAX_BAR = 12
NO_CHORD = chords.NCHORDS  # the "previous chord" input before anything was played
FEATURES = 12 + 12 + 24 + 4 + MAX_BAR
HEARD = 12 + 12 + 24 + 1  # index of the "anything heard yet" feature


def style_index(style: str | None) -> int:
    return STYLES.index(style) if style in STYLES else 0


def beat_features(snap: Snapshot, beat: int, beats_per_bar: int, melody: bool = True) -> tuple[np.ndarray, int]:
    """(FEATURES,) float32 input for the step at boundary `beat`, and the rotation used (0-11)."""
    r = collection(snap.key)
    post = snap.key_posterior
    bar = np.zeros(MAX_BAR, dtype=np.float32)
    bar[(beat % beats_per_bar) % MAX_BAR] = 1.0
    x = np.concatenate([
        np.roll(snap.beat_pcs, -r), np.roll(snap.held_pcs, -r),
        np.roll(post[:12], -r), np.roll(post[12:], -r),
        [min(snap.onsets, 8) / 4.0, float(snap.heard), float(melody), beats_per_bar / MAX_BAR], bar,
    ]).astype(np.float32)
    return x, r


class ChordLSTM(nn.Module):
    """`feedback`: whether the chord played in the last beat is an input. The shipped network has
    none (`feedback=False`: the input is always NO_CHORD's embedding, a learnt bias), so it never
    sees its own mistakes and plays exactly the inputs it was trained on; files trained with the
    previous-chord input (`feedback=True`, the default of older files) still load and play."""

    def __init__(self, hidden: int = 160, chord_dim: int = 32, style_dim: int = 8, feedback: bool = True):
        super().__init__()
        self.feedback = feedback
        self.config = {"hidden": hidden, "chord_dim": chord_dim, "style_dim": style_dim, "feedback": feedback}
        self.chord = nn.Embedding(chords.NCHORDS + 1, chord_dim)
        self.style = nn.Embedding(len(STYLES), style_dim)
        self.inp = nn.Sequential(nn.Linear(FEATURES + chord_dim + style_dim, hidden), nn.GELU())
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.drop = nn.Dropout(0.2)
        self.out = nn.Linear(hidden, chords.NCHORDS)

    def forward(self, feats, prev, style, state=None):
        """feats (B, T, FEATURES), prev (B, T) relative chord or NO_CHORD, style (B,) -> logits (B, T, NCHORDS)."""
        if not self.feedback:
            prev = torch.full_like(prev, NO_CHORD)
        s = self.style(style)[:, None, :].expand(-1, feats.shape[1], -1)
        h, state = self.lstm(self.inp(torch.cat([feats, self.chord(prev), s], dim=-1)), state)
        return self.out(self.drop(h)), state


def performer_weights() -> Path:
    """Where `jam train --from DIR` keeps the performer's fine-tuned weights."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "jam" / "chord_lstm.pt"


def preferred_weights() -> Path:
    """The weights to try before the shipped ones: $JAM_ACCOMPANIST_WEIGHTS, else the performer's."""
    pinned = os.environ.get("JAM_ACCOMPANIST_WEIGHTS")
    return Path(pinned) if pinned else performer_weights()


def _load_file(path: Path) -> tuple[ChordLSTM, dict]:
    saved = torch.load(path, map_location="cpu", weights_only=False)
    if not isinstance(saved, dict) or "config" not in saved or "state" not in saved:
        raise ValueError("not a chord-network weights file")
    net = ChordLSTM(**saved["config"])
    net.load_state_dict(saved["state"])
    net.eval()
    return net, saved


def load(path: Path | None = None) -> tuple[ChordLSTM, dict]:
    """The network and the rest of the saved file (fusion parameters, metrics); `saved["path"]` says
    which file it came from. Without a path: the preferred weights when they exist and load, else
    the shipped ones (a preferred file that does not load is reported on stderr)."""
    if path is not None:
        net, saved = _load_file(Path(path))
        return net, {**saved, "path": Path(path)}
    preferred = preferred_weights()
    if preferred.exists() and preferred.resolve() != WEIGHTS.resolve():
        try:
            net, saved = _load_file(preferred)
            return net, {**saved, "path": preferred}
        except Exception as e:  # noqa: BLE001 - whatever is wrong with the file, the shipped weights play
            reason = f"{type(e).__name__}: {e}".splitlines()[0][:200]
            print(f"accompanist: cannot load the weights {preferred} ({reason}); playing the shipped weights "
                  f"instead (`jam train --from DIR` rebuilds your own)", file=sys.stderr, flush=True)
    net, saved = _load_file(WEIGHTS)
    return net, {**saved, "path": WEIGHTS}


class Predictor:
    """Steps the network one beat at a time, keeping its state between beats.

    The step runs in numpy on the trained weights: a torch call costs ~0.4 ms median but its
    p99 reached 4.6 ms between decisions (dispatch and allocator work on a busy shared core),
    while this step is ~0.05 ms. `tests/test_accompanist.py` checks it against the torch forward.
    """

    def __init__(self, path: Path | None = None):
        net, saved = load(path)
        self.path: Path = saved["path"]  # the weights file it plays
        self.fusion: dict = saved.get("fusion", {})
        self.feedback: bool = net.feedback  # False: the previous chord is not an input
        self.trained_styles = set(saved.get("styles", STYLES))
        w = {k: v.detach().numpy().astype(np.float64) for k, v in net.state_dict().items()}
        self.chord_emb, self.style_emb = w["chord.weight"], w["style.weight"]
        self.w_in, self.b_in = w["inp.0.weight"], w["inp.0.bias"]
        self.w_ih, self.w_hh = w["lstm.weight_ih_l0"], w["lstm.weight_hh_l0"]
        self.b_lstm = w["lstm.bias_ih_l0"] + w["lstm.bias_hh_l0"]
        self.w_out, self.b_out = w["out.weight"], w["out.bias"]
        self.reset(None)

    def reset(self, style: str | None) -> None:
        """A new performance; a style the network never saw plays as "any" (its embedding is untrained)."""
        hidden = self.w_hh.shape[1]
        self.h, self.c = np.zeros(hidden), np.zeros(hidden)
        self.style = self.style_emb[style_index(style if style in self.trained_styles else None)]

    def step(self, feats: np.ndarray, prev_relative: int) -> np.ndarray:
        """Log-probabilities (NCHORDS,) of the key-relative chord for the beat that starts now."""
        if not self.feedback:
            prev_relative = NO_CHORD
        x = gelu(self.w_in @ np.concatenate([feats, self.chord_emb[prev_relative], self.style]) + self.b_in)
        self.h, self.c = lstm_step(self.w_ih @ x + self.b_lstm, self.w_hh, self.h, self.c)
        logits = self.w_out @ self.h + self.b_out
        logits -= logits.max()
        return logits - np.log(np.exp(logits).sum())


_ERF = (0.3275911, 0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def gelu(a: np.ndarray) -> np.ndarray:
    """torch's exact GELU, 0.5 a (1 + erf(a / sqrt 2)), with erf to 1.5e-7 (Abramowitz and Stegun 7.1.26)."""
    p, a1, a2, a3, a4, a5 = _ERF
    z = np.abs(a) / math.sqrt(2.0)
    t = 1.0 / (1.0 + p * z)
    erf = 1.0 - t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5)))) * np.exp(-z * z)
    return 0.5 * a * (1.0 + np.sign(a) * erf)


def lstm_step(gates_in: np.ndarray, w_hh: np.ndarray, h: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One step of torch's LSTM cell (gates i, f, g, o) given the input's part of the gates
    (w_ih @ x + both biases): the new (h, c)."""
    n = len(h)
    z = gates_in + w_hh @ h
    c = _sigmoid(z[n:2 * n]) * c + _sigmoid(z[:n]) * np.tanh(z[2 * n:3 * n])
    return _sigmoid(z[3 * n:]) * np.tanh(c), c


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
