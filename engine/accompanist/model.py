"""The next-chord network: one LSTM step per beat, from what the ear heard and the chord just played.

Inputs and output are key-relative: every pitch class and chord is rotated so that the tonic of
the ear's current major scale is 0 (A minor and C major share the rotation, so confusing them
costs nothing). That makes the network transposition-invariant by construction — the twelve
transpositions of a song give it identical inputs — and it learns one table of functions (I, IV,
V/vi...) instead of twelve. It is conditioned on style through a small embedding.

At play time `Predictor` keeps the LSTM state between beats, so a beat costs one cell step
(a fraction of a millisecond on one thread) and nothing is recomputed.
"""

from __future__ import annotations

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
    def __init__(self, hidden: int = 160, chord_dim: int = 32, style_dim: int = 8):
        super().__init__()
        self.config = {"hidden": hidden, "chord_dim": chord_dim, "style_dim": style_dim}
        self.chord = nn.Embedding(chords.NCHORDS + 1, chord_dim)
        self.style = nn.Embedding(len(STYLES), style_dim)
        self.inp = nn.Sequential(nn.Linear(FEATURES + chord_dim + style_dim, hidden), nn.GELU())
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.drop = nn.Dropout(0.2)
        self.out = nn.Linear(hidden, chords.NCHORDS)

    def forward(self, feats, prev, style, state=None):
        """feats (B, T, FEATURES), prev (B, T) relative chord or NO_CHORD, style (B,) -> logits (B, T, NCHORDS)."""
        s = self.style(style)[:, None, :].expand(-1, feats.shape[1], -1)
        h, state = self.lstm(self.inp(torch.cat([feats, self.chord(prev), s], dim=-1)), state)
        return self.out(self.drop(h)), state


def load(path: Path = WEIGHTS) -> tuple[ChordLSTM, dict]:
    """The network and the rest of the saved file (fusion parameters, metrics)."""
    saved = torch.load(path, map_location="cpu", weights_only=False)
    net = ChordLSTM(**saved["config"])
    net.load_state_dict(saved["state"])
    net.eval()
    return net, saved


class Predictor:
    """Steps the network one beat at a time, keeping its state between beats."""

    def __init__(self, path: Path = WEIGHTS):
        torch.set_num_threads(1)  # one decision at a time: threads only add hand-off latency
        self.net, saved = load(path)
        self.fusion: dict = saved.get("fusion", {})
        self.state = None
        self.style = torch.zeros(1, dtype=torch.long)

    def reset(self, style: str | None) -> None:
        self.state = None
        self.style = torch.tensor([style_index(style)])

    def step(self, feats: np.ndarray, prev_relative: int) -> np.ndarray:
        """Log-probabilities (NCHORDS,) of the key-relative chord for the beat that starts now."""
        with torch.inference_mode():
            x = torch.from_numpy(feats)[None, None, :]
            p = torch.tensor([[prev_relative]])
            logits, self.state = self.net(x, p, self.style, self.state)
            return torch.log_softmax(logits[0, 0], dim=-1).numpy()
