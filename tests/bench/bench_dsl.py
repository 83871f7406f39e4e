"""Speed of the pattern language (issue 3): prints figures, asserts nothing.

    .venv/bin/python tests/bench/bench_dsl.py

- parse + compile a 100-line patch (cold: caches cleared each run) — target < 10 ms
- the same patch evaluated again unchanged (warm: what a live coder's re-evaluation costs, with the
  parse trees, compiled strings and channel patterns kept from the run before)
- query one cycle of 16 busy channels (4 transformations each, 34 events a cycle, 68 on the cycles
  where `every` applies `fast 2`) — target < 1 ms
- the same query at cycle 1,000,000 (the cost must not grow with the show's length)
"""

from __future__ import annotations

import statistics
import time
from dsl.rational import Fraction

from dsl import parse_patch
from dsl.patch import _parse_statement, clear_caches, split_statements

CHANNEL = ('d{i} $ every {k} (fast 2) $ sometimesBy 0.3 (# speed 2) $ (1/16) ~> '
           's "[bd*4, hh*8, ~ sn:{i} ~ sn, cp(3,8,{r})]*2" # gain 0.9')


def busy_patch(channels: int = 16) -> str:
    return "\n".join(CHANNEL.format(i=i + 1, k=2 + i % 3, r=i % 4) for i in range(channels))


def hundred_lines() -> str:
    lines = ["tempo 120"]
    for i in range(99):
        lines.append(CHANNEL.format(i=1 + i % 16, k=2 + i % 3, r=i % 4).replace("d", "d", 1)
                     if i % 3 else f'  # pan {i % 10 / 10}' if lines[-1].startswith("d") else 'd1 $ s "bd sn"')
    return "\n".join(lines)


def median_ms(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    text = hundred_lines()
    assert len(text.splitlines()) == 100

    def cold_parse():
        clear_caches()
        patch = parse_patch(text)
        assert not patch.errors, patch.errors[:1]

    def cold_parse_only():
        clear_caches()
        for stmt in split_statements(text):
            _parse_statement(stmt.text)

    def warm_parse():
        patch = parse_patch(text)
        assert not patch.errors, patch.errors[:1]

    med, best = median_ms(cold_parse_only, 30)
    print(f"parse 100-line patch (lark, cold):    median {med:7.2f} ms  min {best:7.2f} ms")
    med, best = median_ms(cold_parse, 30)
    print(f"parse+compile+trial-query (cold):     median {med:7.2f} ms  min {best:7.2f} ms  (target < 10 ms)")
    clear_caches()
    warm_parse()
    med, best = median_ms(warm_parse, 30)
    print(f"the same again, unchanged (warm):     median {med:7.2f} ms  min {best:7.2f} ms")

    patch = parse_patch(busy_patch())
    patterns = list(patch.channels.values())

    for cycle in (0, 1_000_000):
        c = Fraction(cycle)
        events = sum(len(p.onsets(c, c + 1)) for p in patterns)
        med, best = median_ms(lambda: [p.query_span(c, c + 1) for p in patterns], 50)
        print(f"query 1 cycle x 16 channels @ cycle {cycle:>9,}: median {med:7.2f} ms  min {best:7.2f} ms "
              f"({events} onsets; target < 1 ms)")


if __name__ == "__main__":
    main()
