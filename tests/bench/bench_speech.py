"""Speech recognition (issue 7): accuracy per synthesizer and voice, and decoding time. Prints, asserts nothing.

    .venv/bin/python -m tests.bench.bench_speech

The phrases of tests/test_speech.py (every intent) spoken by the test's voices and by the ones
it leaves out: flite's kal (an 8 kHz voice) and espeak-ng's British English (en, en+m3, en+f2).
Also: how much out-of-grammar chatter is taken for a command, and how often the free-form
fallback runs. Targets: flite >= 95%, espeak-ng >= 85% (US English voices), median decode < 150 ms.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from engine.speech.intents import parse_intent
from engine.speech.recognizer import PocketSphinxRecognizer, read_wav
from tests.test_speech import SPOKEN, VOICES, Voice, synthesize_all

OTHER_VOICES = [Voice("flite", "kal")] + [Voice("espeak-ng", name, speed) for name in ("en", "en+m3", "en+f2")
                                           for speed in (140, 190)]
CHATTER = ["make me a sandwich", "what time is it", "the weather is nice today", "hello world", "i am going home now",
           "can you hear me", "where did you put my keys", "this coffee is cold", "turn left at the next corner",
           "my phone battery is dead", "we need more chairs", "open the window please", "the train leaves at noon",
           "i forgot my password", "call me tomorrow morning", "it is raining again", "the dog is barking",
           "let me think about it", "how much does it cost", "see you later"]
CHATTER_VOICES = [Voice("flite", "slt"), Voice("flite", "rms"), Voice("flite", "awb"),
                  Voice("espeak-ng", "en-us", 160), Voice("espeak-ng", "en-us+f2", 160)]


def percent(flags: list[bool]) -> str:
    return f"{sum(flags) / len(flags):6.1%}"


def main() -> None:
    expected = dict(SPOKEN)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        spoken = synthesize_all([(v, p) for v in VOICES + OTHER_VOICES for p, _ in SPOKEN], Path(folder))
        chatter = synthesize_all([(v, t) for v in CHATTER_VOICES for t in CHATTER], Path(folder))
        print(f"synthesized {len(spoken) + len(chatter)} phrases in {time.perf_counter() - start:.1f} s")

        start = time.perf_counter()
        recognizer = PocketSphinxRecognizer()
        print(f"pocketsphinx loaded in {(time.perf_counter() - start) * 1000:.0f} ms")
        right, times, fallbacks = defaultdict(list), [], []
        for (voice, phrase), path in spoken.items():
            audio = read_wav(path)
            start = time.perf_counter()
            heard = recognizer.recognize(audio)
            times.append(time.perf_counter() - start)
            fallbacks.append(not heard.grammar)
            group = "test voices" if voice in VOICES else "other voices"
            ok = parse_intent(heard.text) == expected[phrase]
            for key in ((group, voice.synthesizer), (group, voice.synthesizer, str(voice))):
                right[key].append(ok)
        taken = [parse_intent(recognizer.recognize(read_wav(path)).text) is not None for path in chatter.values()]

    print(f"\nintent accuracy, pocketsphinx (command grammar, then free-form), {len(SPOKEN)} phrases a voice")
    for key, flags in right.items():
        label = f"  {key[0]}, {key[1]}" if len(key) == 2 else f"      {key[2]}"
        print(f"{label:34} {percent(flags)}  ({sum(flags)}/{len(flags)})")
    print(f"\nchatter taken for a command: {percent(taken)} of {len(taken)} (the rest: heard, nothing changed)")
    print(f"free-form fallback ran for {percent(fallbacks)} of the commands")
    times.sort()
    print(f"decode: median {statistics.median(times) * 1000:.0f} ms, p95 {times[int(0.95 * len(times))] * 1000:.0f} ms,"
          f" max {times[-1] * 1000:.0f} ms over {len(times)} phrases (target: median < 150 ms)")


if __name__ == "__main__":
    main()
