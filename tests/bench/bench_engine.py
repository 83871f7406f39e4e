"""Engine speed (issue 4): prints figures, asserts nothing.

    .venv/bin/python tests/bench/bench_engine.py

- W1 'poly synth' (tests/bench/w1.jam) through `jam render`, 60 s, whole process: x real time,
  and steady x real time with the start-up removed ((60 - 1) / (T60 - T1), as WORKLOADS.md does)
- the same kernel in-process: µs per voice per 128-frame block (what `jam bench` prints)
- warm start: a fresh process to the first rendered sample (kernels from numba's cache, the
  project's bytecode from Python's)
- W1 side by side with SuperCollider's `scsynth -N` (tests/bench/supercollider.py writes its job),
  when supercollider-server is installed
- W2 'groove' (../shared/bench/w2_groove.mid) through `jam render --midi-in`, and side by side
  with `fluidsynth -F` when fluidsynth and fluid-soundfont-gm are installed
- sample voices: µs per voice per 128-frame block, stereo files at speed 1 (whole frames) and at
  other speeds (Hermite interpolation), from a SampleBank loaded in-process
Reference figures on this kind of machine, from ../shared/bench/WORKLOADS.md: scsynth -N 39x
(about 1.0 µs per voice per block), Csound 28.5x, a fused numba kernel 0.30-0.45 µs.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # supercollider.py beside this file
W1 = ROOT / "tests" / "bench" / "w1.jam"


def timed(cmd: list[str], runs: int = 5) -> float:
    subprocess.run(cmd, check=True, capture_output=True)  # warm-up (fills numba's cache)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def side_by_side(ours: list[str], theirs: list[str], runs: int = 5) -> tuple[float, float, float]:
    """Both commands in turn (A B A B ..., after a warm-up of each), so that a drift of the
    machine's speed hits both: (our median, their median, median of the pairwise ratios)."""
    for cmd in (ours, theirs):
        subprocess.run(cmd, check=True, capture_output=True)
    a, b = [], []
    for _ in range(runs):
        for cmd, times in ((ours, a), (theirs, b)):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b), statistics.median(x / y for x, y in zip(a, b))


def main() -> None:
    # Python keeps the bytecode of what it imports, except where PYTHONDONTWRITEBYTECODE is set (as
    # in some sandboxes): then every `jam` process compiles the project's sources again (about
    # 0.05 s of CPU). Compile them once, as the first run does elsewhere.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "console", "dsl", "engine"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "w1.wav")
        jam = [sys.executable, "-m", "console", "render", str(W1), "-o", out, "--format", "float32"]
        t60 = timed(jam + ["--seconds", "60"])
        t1 = timed(jam + ["--seconds", "1"])
        print(f"W1 via jam render, 60 s: median {t60:.2f} s = {60 / t60:.1f}x real time (whole process); "
              f"1 s: {t1:.2f} s; steady {(60 - 1) / (t60 - t1):.1f}x real time")
        print(f"warm start, process to last sample of a 1 s render: {t1:.2f} s")
        if shutil.which("scsynth"):  # Debian's supercollider-server
            from supercollider import command

            ours, theirs, ratio = side_by_side(jam + ["--seconds", "60"], command(Path(tmp), 60.0))
            print(f"W1 side by side, 60 s: jam render {ours:.2f} s, scsynth -N {theirs:.2f} s (medians); "
                  f"jam / scsynth {ratio:.2f} (target <= 1)")
        w2 = ROOT.parent / "shared" / "bench" / "w2_groove.mid"
        font = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")  # Debian's fluid-soundfont-gm
        if w2.exists():
            jam_w2 = [sys.executable, "-m", "console", "render", "--midi-in", str(w2), "-o", out,
                      "--format", "float32", "--seconds", "60"]
            t_w2 = timed(jam_w2)
            print(f"W2 via jam render --midi-in, 60 s: median {t_w2:.2f} s = {60 / t_w2:.1f}x real time "
                  "(ours sends to its reverb by CC 91)")
            if shutil.which("fluidsynth") and font.exists():
                fluid = ["fluidsynth", "-ni", "-F", str(Path(tmp) / "w2_fs.wav"), str(font), str(w2)]
                ours, theirs, ratio = side_by_side(jam_w2, fluid)
                print(f"W2 side by side: jam render --midi-in {ours:.2f} s, fluidsynth -F (defaults: reverb and "
                      f"chorus on) {theirs:.2f} s (medians); jam / fluidsynth {ratio:.2f} (target <= 1)")

    sample_voices()

    from engine.bench import headroom

    figures = headroom()
    for n, us in figures["us_per_voice_per_block"].items():
        print(f"in-process W1 voices, {n:4d} sounding: {us:.3f} µs per voice per 128-frame block")
    print(f"1000 voices: {figures['share_of_a_core_for_1000_voices'] * 100:.0f}% of one core "
          f"(target: 0.65 µs per voice per block, 1000 voices in a quarter of a core)")


def sample_voices(count: int = 256, block: int = 128, rate: int = 48000, blocks: int = 400, runs: int = 5) -> None:
    """Time `count` sample voices per block: a 10 s stereo file, played at speed 1 and at varied speeds."""
    import numpy as np
    import soundfile

    from engine.kernel import EventRing, warm_up
    from engine.samples import SampleBank
    from engine.voices import (EV_BANK_CHANNELS, EV_BANK_FRAMES, EV_BANK_START, EV_END, EV_GAIN, EV_GATE, EV_KIND,
                               EV_PAN, EV_RELEASE, EV_SPEED, EVENT_FIELDS, HELD, SAMPLE)

    warm_up(float(rate))
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "loop").mkdir()
        noise = np.random.default_rng(1).uniform(-0.5, 0.5, (10 * rate, 2))
        soundfile.write(Path(tmp) / "loop" / "loop.wav", noise, rate, subtype="FLOAT")
        bank = SampleBank(tmp, rate)
        start, frames, channels = bank.get("loop", 0)
        for label, speeds in (("speed 1", np.ones(count)), ("speeds 0.5-2", np.linspace(0.5, 2.0, count) + 1e-3)):
            times = []
            for _ in range(runs):
                rows = np.zeros((count, EVENT_FIELDS))
                rows[:, EV_KIND], rows[:, EV_GAIN], rows[:, EV_PAN] = SAMPLE, 0.01, 0.5
                rows[:, EV_BANK_START], rows[:, EV_BANK_FRAMES], rows[:, EV_BANK_CHANNELS] = start, frames, channels
                rows[:, EV_END], rows[:, EV_SPEED], rows[:, EV_GATE], rows[:, EV_RELEASE] = 1.0, speeds, HELD, 240
                ring = EventRing(capacity=max(16, count), voices=count, max_block=block, samples=bank)
                ring.push(rows)
                out = np.zeros((block, 2), dtype=np.float32)
                ring.render(out, 0, float(rate))
                begin = time.perf_counter()
                for b in range(1, blocks + 1):
                    ring.render(out, b * block, float(rate))
                times.append((time.perf_counter() - begin) / blocks / count)
                assert ring.active_voices() == count
            print(f"sample voices, {count} sounding, stereo, {label}: "
                  f"{statistics.median(times) * 1e6:.3f} µs per voice per {block}-frame block")


if __name__ == "__main__":
    main()
