"""Speed of the pattern language (issue 3): prints figures, asserts nothing.

    .venv/bin/python tests/bench/bench_dsl.py

(it imports the checkout it lives in, not the package the virtual environment installed)

- parse + compile a 100-line patch (cold: caches cleared before each run, outside its timing) — target
  < 10 ms — without the trial query (a query of cycle 0 of each channel, so that a pattern that fails
  when played is reported at evaluation), and with it (what evaluating the patch costs in all)
- both for a patch with every statement and string distinct (the patch above repeats itself, and
  what was compiled for one line serves the same text at another)
- both for the first 100 lines of the shipped demo patches (a patch as performers write them)
- the same patch evaluated again unchanged (warm: what a live coder's re-evaluation costs, with the
  parse trees, compiled strings and channel patterns kept from the run before), and again with a
  line inserted at the top (every statement moved down: the patterns kept are moved, not made again)
- query one cycle of 16 channels — target < 1 ms — as the scheduler does: consecutive cycles, each
  queried once (nothing a pattern might remember from one query serves the next); the median over
  the cycles. Two workloads: the issue's (3 transformations, 32 events a cycle, 64 on the cycles
  where `every` applies `fast 2`) and a busier one (4 transformations, 34 events, 68)
- the same queries from cycle 1,000,000 (the cost must not grow with the show's length)
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's dsl, not the installed one

from dsl.rational import Fraction  # noqa: E402

import dsl.patch  # noqa: E402
from dsl import parse_patch  # noqa: E402
from dsl.patch import _parse_statement, clear_caches, split_statements  # noqa: E402

CHANNEL = ('d{i} $ every {k} (fast 2) $ sometimesBy 0.3 (# speed 2) $ (1/16) ~> '
           's "[bd*4, hh*8, ~ sn:{i} ~ sn, cp(3,8,{r})]*2" # gain 0.9')
ISSUE_CHANNEL = ('d{i} $ every {k} (fast 2) $ sometimesBy 0.3 (# speed 2) $ (1/16) ~> '
                 's "[bd*4, hh*8, ~ sn:{i} ~ sn, cp(2,8,{r})]*2"')  # 3 transformations, 32 events


def busy_patch(channels: int = 16, line: str = CHANNEL) -> str:
    return "\n".join(line.format(i=i + 1, k=2 + i % 3, r=i % 4) for i in range(channels))


def hundred_lines(distinct: bool = False) -> str:
    """The 100-line patch: 67 statements, 51 of them different, with 17 different strings (a patch
    repeats itself: its channels cycle through d1 .. d16). distinct: every statement and string
    different (sn:<its line>), where nothing compiled for one line serves another."""
    lines = ["tempo 120"]
    for i in range(99):
        line = (CHANNEL.format(i=1 + i % 16, k=2 + i % 3, r=i % 4)
                if i % 3 else f'  # pan {i % 10 / 10}' if lines[-1].startswith("d") else 'd1 $ s "bd sn"')
        lines.append(line.replace(f"sn:{1 + i % 16} ", f"sn:{i + 2} ") if distinct else line)
    return "\n".join(lines)


def shipped_hundred_lines() -> str:
    """The first 100 lines of the demo patches, one after another: a patch as performers write
    them (comments, blank lines, a few channels, let, stack, chords), not one made for the bench."""
    root = Path(__file__).resolve().parents[2]
    texts = [path.read_text() for path in sorted(root.glob("patches/*.jam"))]
    return "\n".join("\n\n".join(texts).splitlines()[:100])


def median_ms(fn, runs: int, cold: bool = False) -> tuple[float, float]:
    """fn's median and least time; cold: with every cache cleared first (and what the run before
    made freed), outside the timing."""
    times = []
    for _ in range(runs):
        if cold:
            clear_caches()
            gc.collect()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    text = hundred_lines()
    assert len(text.splitlines()) == 100

    def evaluate(patch_text: str = text):
        patch = parse_patch(patch_text)
        assert not patch.errors, patch.errors[:1]

    def evaluate_without_trial(patch_text: str = text):
        trial, dsl.patch.trial_query = dsl.patch.trial_query, lambda pattern, cycle=None: None
        try:
            evaluate(patch_text)
        finally:
            dsl.patch.trial_query = trial

    def parse_only():
        for stmt in split_statements(text):
            _parse_statement(stmt.text)

    med, best = median_ms(parse_only, 30, cold=True)
    print(f"parse 100-line patch (cold):           median {med:7.2f} ms  min {best:7.2f} ms")
    med, best = median_ms(evaluate_without_trial, 30, cold=True)
    print(f"parse+compile (cold, no trial query):  median {med:7.2f} ms  min {best:7.2f} ms  (target < 10 ms)")
    med, best = median_ms(evaluate, 30, cold=True)
    print(f"parse+compile+trial-query (cold):      median {med:7.2f} ms  min {best:7.2f} ms")
    distinct = hundred_lines(distinct=True)
    med, best = median_ms(lambda: evaluate_without_trial(distinct), 30, cold=True)
    print(f"  every line distinct, no trial query: median {med:7.2f} ms  min {best:7.2f} ms")
    med, best = median_ms(lambda: evaluate(distinct), 30, cold=True)
    print(f"  every line distinct, with it:        median {med:7.2f} ms  min {best:7.2f} ms")
    shipped = shipped_hundred_lines()
    med, best = median_ms(lambda: evaluate_without_trial(shipped), 30, cold=True)
    print(f"  the shipped demos' first 100 lines:  median {med:7.2f} ms  min {best:7.2f} ms")
    med, best = median_ms(lambda: evaluate(shipped), 30, cold=True)
    print(f"  the same with the trial query:       median {med:7.2f} ms  min {best:7.2f} ms")
    clear_caches()
    evaluate()
    med, best = median_ms(evaluate, 30)
    print(f"the same again, unchanged (warm):      median {med:7.2f} ms  min {best:7.2f} ms")

    def moved():  # the patch evaluated, then again with a line inserted above (every statement moved)
        clear_caches()
        evaluate()
        start = time.perf_counter()
        evaluate("-- a line inserted above\n" + text)
        return (time.perf_counter() - start) * 1000
    times = [moved() for _ in range(30)]
    print(f"again, a line inserted at the top:     median {statistics.median(times):7.2f} ms  "
          f"min {min(times):7.2f} ms")

    for name, line in (("issue's: 3 transformations, 32 events", ISSUE_CHANNEL),
                       ("busier: 4 transformations, 34 events", CHANNEL)):
        patterns = list(parse_patch(busy_patch(line=line)).channels.values())
        print(f"query 1 cycle x 16 channels, {name} (50 consecutive cycles, each once; target < 1 ms):")
        for first in (0, 1_000_000):
            times, onsets = [], 0
            for cycle in range(first, first + 50):
                begin, end = Fraction(cycle), Fraction(cycle + 1)
                start = time.perf_counter()
                events = [p.query_span(begin, end) for p in patterns]
                times.append((time.perf_counter() - start) * 1000)
                onsets += sum(e.has_onset for es in events for e in es)
            print(f"  from cycle {first:>9,}: median {statistics.median(times):7.2f} ms  min {min(times):7.2f} ms "
                  f"({onsets / 50:.0f} onsets a cycle)")


if __name__ == "__main__":
    main()
