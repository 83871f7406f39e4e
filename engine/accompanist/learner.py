"""Learning from ratings: the performer's taste, per style, as the arranger's knobs.

Each rating period the band plays the style's mean knobs plus a small random perturbation; a
rating of those bars moves the mean along the perturbation in proportion to how much better
(or worse) it was than this style's running average rating (an evolution-strategies step). A
rater who likes what the perturbation did pulls the knobs that way; one who rates at random
moves them nowhere in expectation. The means are saved in the profile file and reloaded.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .arranger import Knobs

KNOBS = [f.name for f in fields(Knobs)]


def profile_path() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "jam" / "profile.json"


@dataclass
class Rating:
    value: int  # 1 (not that) .. 5 (more like this)
    style: str
    bars: list[int]  # the bars it rates
    knobs: dict[str, float]  # what the band played in them


@dataclass
class Learner:
    sigma: float = 0.15  # how far a period's knobs stray from the mean
    step: float = 0.04  # learning rate: small, so a stray rating or two moves little
    means: dict[str, dict[str, float]] = field(default_factory=dict)
    baselines: dict[str, float] = field(default_factory=dict)
    history: list[Rating] = field(default_factory=list)
    seed: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._mirror: dict[str, dict[str, float]] = {}  # the last perturbation, to play mirrored next

    def mean(self, style: str) -> Knobs:
        return Knobs(**self.means.get(style, asdict(Knobs())))

    def propose(self, style: str) -> Knobs:
        """The knobs for the next rating period: the mean, perturbed. Perturbations come in mirrored
        pairs (+e, then -e), which halves the noise of what two ratings teach."""
        mean = self.mean(style)
        if style in self._mirror:
            offset = {k: -v for k, v in self._mirror.pop(style).items()}
        else:
            offset = {k: self._random.gauss(0.0, self.sigma) for k in KNOBS}
            self._mirror[style] = offset
        return Knobs(**{k: min(1.0, max(0.0, getattr(mean, k) + offset[k])) for k in KNOBS})

    def rate(self, style: str, value: int, played: Knobs, bars: list[int] | None = None) -> Knobs:
        """Take a rating of the bars that played `played`; returns the style's new mean."""
        if not 1 <= value <= 5:
            raise ValueError("a rating is 1 to 5")
        mean = self.mean(style)
        baseline = self.baselines.get(style, 3.0)
        advantage = (value - baseline) / 2.0
        updated = {k: min(1.0, max(0.0, getattr(mean, k)
                                   + self.step * advantage * (getattr(played, k) - getattr(mean, k)) / self.sigma))
                   for k in KNOBS}
        self.means[style] = updated
        self.baselines[style] = baseline + 0.2 * (value - baseline)
        self.history.append(Rating(value, style, bars or [], asdict(played)))
        return Knobs(**updated)

    def save(self, path: Path | None = None) -> None:
        path = path or profile_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"means": self.means, "baselines": self.baselines,
                "history": [asdict(r) for r in self.history[-200:]]}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path | None = None, seed: int = 0) -> Learner:
        path = path or profile_path()
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return cls(seed=seed)
        return cls(means=data.get("means", {}), baselines=data.get("baselines", {}),
                   history=[Rating(**r) for r in data.get("history", [])], seed=seed)
