"""Sample folders laid out like Tidal's Dirt-Samples, and the flat bank the kernel plays them from.

A sample folder holds one folder per sound: its name is the sound's name (`bd`, `arpy`, ...), its
audio files (WAV, FLAC, OGG, AIFF), sorted by name, are that sound's `n` 0, 1, 2, ...; the index
wraps modulo their count, as in SuperDirt (`s "bd:3"` or `s "bd" # n 3` is the fourth file).
The folders come from JAM_SAMPLES (one path, or several separated by os.pathsep) unless a path
is given; the same name in several paths lists the files of each, in the paths' order. A folder
named like a built-in sound wins over it: performers bring their own `bd`.

Files load on their first use, in the thread that schedules events (never in the audio
callback): read with soundfile, brought to the engine's rate (windowed sinc), kept mono or
stereo (more channels: the first two), and appended to one flat float32 array, `bank.array`,
that the kernel reads. The array only grows by a new one: when a file does not fit in the spare
room at its end, a larger array is built, filled, and then put in place of the reference the
audio callback reads once per block, so that no block ever sees a half-written bank; a file
written into spare room is in place before any event that names it is queued.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Iterable

import numpy as np

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".aif", ".aiff", ".aifc")
ENV = "JAM_SAMPLES"


def sample_roots(paths: str | os.PathLike | Iterable[str | os.PathLike] | None = None) -> list[Path]:
    """The sample folders to use: `paths` (a path, several joined by os.pathsep, or a list), or
    JAM_SAMPLES when it is None."""
    if paths is None:
        paths = os.environ.get(ENV, "")
    if isinstance(paths, (str, os.PathLike)):
        parts: list = str(paths).split(os.pathsep)
    else:
        parts = [str(p) for p in paths]
    return [Path(p).expanduser() for p in parts if p]


def scan(roots: list[Path]) -> dict[str, list[Path]]:
    """Sound name -> its audio files, sorted by name, over all roots."""
    sounds: dict[str, list[Path]] = {}
    for root in roots:
        try:
            folders = sorted(p for p in root.iterdir() if p.is_dir())
        except OSError:
            continue
        for folder in folders:
            try:
                files = sorted((f for f in folder.iterdir()
                                if f.suffix.lower() in AUDIO_EXTENSIONS and f.is_file() and not f.name.startswith(".")),
                               key=lambda f: f.name)
            except OSError:
                continue
            if files:
                sounds.setdefault(folder.name, []).extend(files)
    return sounds


class SampleBank:
    """The sounds of the sample folders and the flat bank their loaded files live in.

    `array` is what the kernel reads: float32, one dimension. `get(name, n)` returns where a
    file lies in it, (start, frames, channels), loading it first if it must."""

    def __init__(self, paths: str | os.PathLike | Iterable | None = None, rate: int = 48000):
        self.rate = rate
        self.roots = sample_roots(paths)
        self.sounds = scan(self.roots)
        self.array = np.zeros(16, dtype=np.float32)
        self.used = 0
        self.loaded: dict[Path, tuple[int, int, int] | None] = {}  # None: it could not be read
        self.problems: list[str] = []  # files that could not be read, for the performer (newest last)
        self._lock = threading.Lock()

    def __contains__(self, name: object) -> bool:
        return name in self.sounds

    def __len__(self) -> int:
        return len(self.sounds)

    def names(self) -> list[str]:
        return sorted(self.sounds)

    def file(self, name: str, n: int = 0) -> Path:
        files = self.sounds[name]
        return files[n % len(files)]

    def get(self, name: str, n: int = 0) -> tuple[int, int, int] | None:
        """Where file n (modulo the count) of sound `name` lies in the bank, loading it on first use;
        None when it cannot be read (said once in `problems`)."""
        path = self.file(name, n)
        if path in self.loaded:
            return self.loaded[path]
        with self._lock:
            if path not in self.loaded:
                self.loaded[path] = self._load(path)
        return self.loaded[path]

    def preload(self, names: Iterable[str] | None = None) -> None:
        """Load every file of the given sounds (all of them when None) now."""
        for name in self.names() if names is None else names:
            for n in range(len(self.sounds.get(name, ()))):
                self.get(name, n)

    def _load(self, path: Path) -> tuple[int, int, int] | None:
        import soundfile

        from .dsp.sampler import resample

        try:
            data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        except Exception as err:  # unreadable, truncated, unknown format: say so, play nothing
            self.problems.append(f"cannot read sample {path}: {err}")
            return None
        data = data[:, :2]
        data = np.nan_to_num(data, nan=0.0, posinf=0.0, neginf=0.0)
        if rate != self.rate and len(data):
            data = resample(np.ascontiguousarray(data, dtype=np.float64), self.rate / rate)
        frames, channels = data.shape
        if frames == 0:
            self.problems.append(f"sample {path} is empty")
            return None
        values = np.ascontiguousarray(data, dtype=np.float32).reshape(-1)  # interleaved
        start = self._append(values)
        return start, frames, channels

    def _append(self, values: np.ndarray) -> int:
        start, end = self.used, self.used + len(values)
        bank = self.array
        if end > len(bank):
            # a new, larger array, filled before the kernel is given it (old contents included)
            grown = np.zeros(max(end, 2 * len(bank), 1 << 16), dtype=np.float32)
            grown[:self.used] = bank[:self.used]
            grown[start:end] = values
            self.array = grown  # one reference swap: the callback reads it once per block
        else:
            bank[start:end] = values  # spare room no queued event names yet
        self.used = end
        return start
