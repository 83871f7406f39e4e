"""Learning from ratings, with simulated raters listening to the arranger's actual output."""

from __future__ import annotations

import random
import statistics

from engine.accompanist.arranger import arrange, syncopation
from engine.accompanist.learner import Learner

C, F, G, AM = (0, [0, 4, 7]), (5, [5, 9, 0]), (7, [7, 11, 2]), (9, [9, 0, 4])
PLAN = ([C] * 4 + [AM] * 4 + [F] * 4 + [G] * 4) * 2


def output_syncopation(knobs) -> float:
    return syncopation(arrange(PLAN, "funk", knobs))


def session(rater, seed: int, ratings: int = 20) -> tuple[float, float]:
    """(output syncopation before, after) `ratings` rating periods with this rater."""
    learner = Learner(seed=seed)
    before = output_syncopation(learner.mean("funk"))
    for _ in range(ratings):
        played = learner.propose("funk")
        learner.rate("funk", rater(output_syncopation(played)), played)
    return before, output_syncopation(learner.mean("funk"))


SEEDS = range(16)


def test_raters_who_like_syncopation_get_more_and_random_raters_move_nothing():
    """Sixteen performers who like syncopation each give 20 ratings: every one of them hears more
    of it (the share of off-beat onsets). Sixteen who rate at random change it, on average, by
    less than half as much, in no direction."""
    start = output_syncopation(Learner().mean("funk"))
    likes = lambda s: max(1, min(5, round(3 + 25 * (s - start))))  # noqa: E731
    gains = [after - before for before, after in (session(likes, seed) for seed in SEEDS)]
    assert all(g > 0 for g in gains) and statistics.mean(gains) > 0.05, gains
    pick = random.Random(7)
    random_rater = lambda s: pick.randint(1, 5)  # noqa: E731
    changes = [after - before for before, after in (session(random_rater, seed) for seed in SEEDS)]
    assert abs(statistics.mean(changes)) < min(0.05, statistics.mean(gains) / 2), changes


def test_the_profile_is_saved_and_reloaded(tmp_path):
    learner = Learner(seed=1)
    played = learner.propose("jazz")
    learner.rate("jazz", 5, played, bars=[12, 13, 14, 15])
    learner.save(tmp_path / "profile.json")
    again = Learner.load(tmp_path / "profile.json")
    assert again.mean("jazz") == learner.mean("jazz")
    assert again.history[-1].bars == [12, 13, 14, 15] and again.history[-1].value == 5
    assert again.mean("pop") == Learner().mean("pop")  # other styles untouched
