"""Use Jam Console from Python: parse a patch, look at its events, render it to a WAV file.

    .venv/bin/python examples/api_render.py [OUT.wav]
"""

import sys

from dsl import parse_patch
from engine.offline import render_patch
from engine.wavfile import write_wav

PATCH = """
tempo 96
d1 $ s "bd(3,8,2)" # gain 1.1
d4 $ s "~ sn" # gain 0.9
d2 $ every 4 (fast 2) $ s "hh*8" # gain 0.5 # pan sine
d3 $ n (scale "minPent" "<0 2 4 [3 5]>") # s "saw" # octave 3 # legato 0.9 # gain 0.4
"""


def main() -> None:
    patch = parse_patch(PATCH)
    for error in patch.errors:
        print(error.format("PATCH"), file=sys.stderr)
    print(f"{float(patch.cps * 240):.0f} bpm, channels {', '.join(patch.channels)}")
    for event in patch.channels["d1"].onsets(0, 1):
        print(f"  d1 at cycle {event.whole.begin}: {event.value}")
    audio = render_patch(patch, cycles=4, seed=1)
    out = sys.argv[1] if len(sys.argv) > 1 else "api_render.wav"
    write_wav(out, audio, 48000)
    print(f"wrote {out}: {len(audio) / 48000:.2f} s")


if __name__ == "__main__":
    main()
