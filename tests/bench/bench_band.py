"""The live band's cost (issue 6): prints figures, asserts nothing.

    .venv/bin/python tests/bench/bench_band.py [--seconds 20]

Runs the engine on a silent clock with a busy patch and the band on (the brain in its own
process), then prints how long each beat's decision + arrangement + parse took (it must stay well
under LEAD, 350 ms, the time it is done ahead of the beat), the engine's render load with and
without the band, and the audio blocks that started late.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from console.client import EngineClient, start_engine, stop_engine

PATCH = '''tempo 124
style "funk"
d1 $ s "bd*4" # gain 0.9
d2 $ s "hh*16" # gain 0.5
d3 $ n "<[a4 c e a]*2 [f4 a c5 f]*2>" # s "epiano"
'''


def run(seconds: float, band: bool) -> dict:
    sock = Path(tempfile.mkdtemp(prefix="jam-bench-")) / "e.sock"
    proc = start_engine(sock, audio=False)
    client = EngineClient(sock)
    try:
        client.request("eval", text=PATCH)
        if band:
            client.request("band", on=True)
            deadline = time.monotonic() + 30
            while client.request("status")["band"]["brain"] != "ready" and time.monotonic() < deadline:
                time.sleep(0.2)
        first = client.request("status")
        time.sleep(seconds)
        last = client.request("status")
        return {"load": last["load"], "late": last["late_callbacks"] - first["late_callbacks"],
                "callbacks": last["callbacks"] - first["callbacks"], "band": last["band"]}
    finally:
        stop_engine(proc, client)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    seconds = parser.parse_args().seconds
    without, with_band = run(seconds, False), run(seconds, True)
    timing = with_band["band"]["beat_ms"]
    print(f"beat decision + arrangement + parse: median {timing.get('median')} ms, worst {timing.get('max')} ms "
          f"over {timing.get('beats')} beats (done 350 ms ahead)")
    for name, result in (("without the band", without), ("with the band", with_band)):
        print(f"{name:>17}: render load {result['load'] * 100:.1f}% of real time, "
              f"{result['late']} of {result['callbacks']} blocks started late")


if __name__ == "__main__":
    main()
