"""The arranger: a chord plan (one chord per beat) becomes a band, written as patch text.

Every part comes out as a line of the pattern language (`d3 $ n "<[...] [...]>" # s "bass"`),
so the band plays through the same scheduler as anything the performer types, and can be
frozen into the patch and edited from there. Styles set the instruments, the tempo range, the
drum grid, the bass rhythm, and the comping rhythm; the knobs bend them.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

STEPS = 16  # per bar of 4/4


@dataclass(frozen=True)
class Style:
    bpm: tuple[int, int]
    drums: dict[str, str]  # sound -> 16-step grid ("x" hit, "o" accent, "." rest)
    bass: str  # 16-step grid of bass notes
    comp: str  # 16-step grid of chord hits
    comp_sound: str
    bass_sound: str = "bass"
    pad_sound: str | None = None
    swing: float = 0.0  # beats: `swingBy x 4` delays the second half of each beat by x (1/6: triplets)


STYLES: dict[str, Style] = {
    "pop": Style((90, 120), {"bd": "x.......x.x.....", "sn": "....x.......x...", "hh": "x.x.x.x.x.x.x.x."},
                 "x.......x.x.....", "x.....x...x.....", "piano"),
    "funk": Style((90, 110), {"bd": "x..x..x...x..x..", "sn": "....x..x.x..x..x", "hh": "xxxxxxxxxxxxxxxx"},
                  "x..x..x.x..x.x..", "..x...x...x..x..", "epiano"),
    "jazz": Style((110, 180), {"ride": "x...x.x.x...x.x.", "hh": "....x.......x...", "bd": "x..............."},
                  "x...x...x...x...", "......x..x......", "piano", pad_sound=None, swing=1 / 6),
    "rock": Style((100, 140), {"bd": "x.....x.x.......", "sn": "....x.......x...", "hh": "x.x.x.x.x.x.x.x."},
                  "x.x.x.x.x.x.x.x.", "x.x.x.x.x.x.x.x.", "electric_guitar"),
    "blues": Style((70, 110), {"bd": "x.....x.x.....x.", "sn": "....x.......x...", "ride": "x.x.x.x.x.x.x.x."},
                   "x...x...x...x...", "..x...x...x...x.", "organ", swing=1 / 6),
    "electronic": Style((118, 132), {"bd": "x...x...x...x...", "cp": "....x.......x...", "hh": "..x...x...x...x."},
                        "..x...x...x...x.", "x...............", "synth", bass_sound="saw", pad_sound="pad"),
    "latin": Style((90, 120), {"claves": "x..x...x..x.x...", "conga": "..x.x..x..x.x.xx", "shaker": "xxxxxxxxxxxxxxxx",
                               "bd": "x.....x.x.....x."}, "x..x..x.x..x..x.", "..x..x..x..x..x.", "piano"),
    "reggae": Style((70, 90), {"bd": "........x.......", "rim": "........x.......", "hh": "x.x.x.x.x.x.x.x."},
                    "x.....x.x.......", "..x...x...x...x.", "organ"),
    "country": Style((100, 130), {"bd": "x.......x.......", "sn": "....x.......x...", "hh": "x.x.x.x.x.x.x.x."},
                     "x.......x.......", "....x.......x...", "acoustic_guitar"),
    "classical": Style((60, 100), {}, "x.......x.......", "x.......x.......", "violin", bass_sound="cello",
                       pad_sound="violin"),
}
MOODS = {"happy": (1.1, 0.0), "sad": (0.85, -0.2), "energetic": (1.2, 0.25), "relaxed": (0.9, -0.25),
         "dramatic": (1.0, 0.15)}  # tempo factor, energy shift


@dataclass
class Knobs:
    """The performer's knobs, 0..1 (0.5 is the style as written)."""

    busyness: float = 0.5
    syncopation: float = 0.5
    swing: float = 0.5
    energy: float = 0.5
    complexity: float = 0.5
    register: float = 0.5
    follow: float = 0.5  # not the arranger's: how closely the harmony follows what the band hears


def voicing(pcs: list[int], previous: list[int] | None, low: int, high: int) -> list[int]:
    """The chord's notes in [low, high] closest to the previous voicing (smooth voice leading)."""
    candidates = []
    for bottom in range(low, high - 6):
        notes, n = [], bottom
        for pc in sorted(pcs, key=lambda p: (p - bottom) % 12):
            while n % 12 != pc:
                n += 1
            notes.append(n)
        if notes[-1] <= high:
            candidates.append(notes)
    if not candidates:
        return [low + (pc - low) % 12 for pc in pcs]
    if previous is None:
        return min(candidates, key=lambda c: abs(sum(c) / len(c) - (low + high) / 2))
    return min(candidates, key=lambda c: sum(min(abs(a - b) for b in previous) for a in c))


def _chance(bar: int, step: int, salt: int) -> float:
    """A fixed pseudo-random number in [0, 1) for a place in the arrangement: the same knobs give
    the same band every time, and moving a knob moves the output a little at a time."""
    x = (bar * 73856093) ^ (step * 19349663) ^ (salt * 83492791)
    x = (x ^ (x >> 13)) * 0x5BD1E995 & 0xFFFFFFFF
    return ((x ^ (x >> 15)) & 0xFFFF) / 65536.0


def _hits(grid: str, knobs: Knobs, bar: int = 0, salt: int = 0) -> list[int]:
    """The steps that play. Busyness adds eighths (or thins to the beats); syncopation above the
    middle pushes hits from the beat to the "and" before it, below it drops off-beat hits, each
    place by its own fixed chance, so the output changes smoothly with the knob."""
    steps = {i for i, c in enumerate(grid) if c in "xo"}
    if knobs.busyness > 0.5:
        steps |= {i for i in range(0, STEPS, 2) if _chance(bar, i, salt + 1) < (knobs.busyness - 0.5) * 2}
    elif knobs.busyness < 0.5:
        steps = {i for i in steps if i % 4 == 0 or _chance(bar, i, salt + 2) >= (0.5 - knobs.busyness) * 2}
    push = max(0.0, knobs.syncopation - 0.5) * 2
    calm = max(0.0, 0.5 - knobs.syncopation) * 2
    moved = set()
    for i in sorted(steps):
        if i % 4 == 0 and i and _chance(bar, i, salt + 3) < push:
            moved.add(i - 2)  # anticipate the beat
        elif i % 4 and _chance(bar, i, salt + 4) < calm:
            continue
        else:
            moved.add(i)
    return sorted(moved) or [0]


def syncopation(lines: list[str]) -> float:
    """How syncopated a band is: the share of its onsets that fall off the beat."""
    from dsl import parse_patch  # the arranger's output is patch text: measure it as the engine would

    patch = parse_patch("\n".join(lines))
    onsets = [e.whole.begin for p in patch.channels.values() for e in p.onsets(0, 64)]
    return sum(1 for t in onsets if (t * 4) % 1 != 0) / max(len(onsets), 1)


def _bar_text(events: dict[int, str], lengths: dict[int, int]) -> str:
    """A bar of 16 steps as mini-notation: each event with its length (`@n`), rests as `~`."""
    out, step = [], 0
    while step < STEPS:
        if step in events:
            length = max(1, min(lengths.get(step, 1), STEPS - step))
            out.append(events[step] + (f"@{length}" if length > 1 else ""))
            step += length
        else:
            out.append("~")
            step += 1
    return "[" + " ".join(out) + "]"


def _chord_at(plan: list[tuple[int, list[int]] | None], bar: int, step: int):
    return plan[min(bar * 4 + step // 4, len(plan) - 1)]


def _cycles(texts: list[str], first_bar: int) -> str:
    """Bars as one `< >` list placed so that absolute bar b plays entry b % len: a window of bars
    arranged live plays each bar in its own cycle, whenever it is swapped in."""
    placed = [""] * len(texts)
    for i, text in enumerate(texts):
        placed[(first_bar + i) % len(texts)] = text
    return "<" + " ".join(placed) + ">"


SUSTAINED = {"violin", "strings", "cello", "pad", "pad_synth", "organ", "flute"}  # extras that hold chords


def arrange_parts(plan: list[tuple[int, list[int]] | None], style_name: str, knobs: Knobs | None = None,
                  first_bar: int = 0, extras: tuple[str, ...] = (), fills: frozenset[int] = frozenset(),
                  breaks: frozenset[int] = frozenset(), keep: int | None = None,
                  section: int = 0) -> list[tuple[str, str]]:
    """(part, pattern text) for the band over len(plan) beats from bar `first_bar`; plan[b] is
    (root pc, pitch classes) or None. Parts: each drum sound, crash, bass, comp, pad, then one per
    extra sound (the performer's "add brass").

    The performer's directions, by absolute bar: `fills` get a drum fill, `breaks` leave the drums
    alone; `keep` is a bar whose variation every bar repeats ("keep this groove"); each `section`
    varies the bars anew ("next section")."""
    knobs = knobs or Knobs()
    style = STYLES[style_name]
    bars = max(1, (len(plan) + 3) // 4)
    absolute = range(first_bar, first_bar + bars)
    energy = 0.55 + 0.4 * knobs.energy
    parts: list[tuple[str, str]] = []
    swing = style.swing * (knobs.swing * 2)
    exact = Fraction(swing).limit_denominator(96)  # written exactly: 1/6 is a triplet, 0.167 is not
    swung = f"swingBy ({exact.numerator}/{exact.denominator}) 4 $ " if swing > 0.01 else ""

    def varied(bar: int) -> int:  # the bar number that seeds a bar's variation
        return (bar if keep is None else keep) + 1009 * section

    for sound, grid in style.drums.items():
        bar_texts = []
        for bar in absolute:
            hits = _hits(grid, knobs if sound in ("hh", "ride", "shaker") else Knobs(syncopation=knobs.syncopation),
                         varied(bar), salt=len(sound))
            events = {i: sound for i in hits}
            if sound in ("sn", "cp") and (bar % 4 == 3 or bar in fills):  # a fill ends each four-bar phrase
                events.update({i: sound for i in range(12, 16)})
            bar_texts.append(_bar_text(events, {}))
        parts.append((sound, f'{swung}s "{_cycles(bar_texts, first_bar)}" # gain {0.8 * energy:.2f}'))
    crashes = ["crash" if bar % 4 == 0 and bar else "~" for bar in absolute]
    if style.drums and (bars > 4 or (first_bar and "crash" in crashes)):
        parts.append(("crash", f's "{_cycles(crashes, first_bar)}" # gain {0.6 * energy:.2f}'))

    low_bass = 28 + int(8 * knobs.register)
    bass_bars, comp_bars, pad_bars = [], [], []
    extra_bars: dict[str, list[str]] = {sound: [] for sound in extras}
    previous: list[int] | None = None
    for index, bar in enumerate(absolute):
        def chord_at(step: int, offset: int = 0):
            return _chord_at(plan, index + offset, step)

        bass_events, bass_len, comp_events, comp_len, pad_events, pad_len = {}, {}, {}, {}, {}, {}
        hits = [] if bar in breaks else _hits(style.bass, knobs, varied(bar), salt=101)
        for n, step in enumerate(hits):
            chord = chord_at(step)
            if chord is None:
                continue
            root = low_bass + (chord[0] - low_bass) % 12
            note = root
            nxt = chord_at(step + 2) if step + 2 < STEPS else chord_at(0, 1)
            if step % 8 == 4 and knobs.complexity > 0.3:
                note = root + 7  # the fifth on the weak beat
            if nxt is not None and nxt != chord and step % 4 >= 2 and knobs.complexity > 0.5:
                note = low_bass + (nxt[0] - low_bass) % 12 - 1  # a chromatic approach into the change
            bass_events[step] = str(note - 60)
            following = hits[n + 1] if n + 1 < len(hits) else STEPS
            bass_len[step] = max(1, following - step)
        for step in [] if bar in breaks else _hits(style.comp, knobs, varied(bar), salt=202):
            chord = chord_at(step)
            if chord is None:
                continue
            low = 52 + int(10 * knobs.register)
            previous = voicing(chord[1], previous, low, low + 16)
            comp_events[step] = "[" + ",".join(str(x - 60) for x in previous) + "]"
            comp_len[step] = 2 if style_name in ("funk", "reggae", "jazz") else 4
        for beat in range(4):  # held chords, a new one at each change
            chord = chord_at(beat * 4)
            if chord is not None and bar not in breaks and (beat == 0 or chord != chord_at(beat * 4 - 4)):
                voiced = voicing(chord[1], None, 60, 76)
                pad_events[beat * 4] = "[" + ",".join(str(x - 60) for x in voiced) + "]"
        starts = sorted(pad_events)
        for i, step in enumerate(starts):
            pad_len[step] = (starts[i + 1] if i + 1 < len(starts) else STEPS) - step
        bass_bars.append(_bar_text(bass_events, bass_len))
        comp_bars.append(_bar_text(comp_events, comp_len))
        pad_bars.append(_bar_text(pad_events, pad_len))
        for sound in extras:  # held like a pad, or stabs an octave above the comping
            if sound in SUSTAINED:
                extra_bars[sound].append(pad_bars[-1])
            else:
                stabs = {s: "[" + ",".join(str(int(x) + 12) for x in v[1:-1].split(",")) + "]"
                         for s, v in comp_events.items()}
                extra_bars[sound].append(_bar_text(stabs, {s: 1 for s in stabs}))
    gain = f"{0.75 * energy:.2f}"
    parts.append(("bass", f'{swung}n "{_cycles(bass_bars, first_bar)}" # s "{style.bass_sound}" # legato 0.9 # gain {gain}'
                  + (" # cutoff 900 # resonance 0.3" if style.bass_sound == "saw" else "")))
    parts.append(("comp", f'{swung}n "{_cycles(comp_bars, first_bar)}" # s "{style.comp_sound}" # legato 0.8 '
                  f'# gain {0.6 * energy:.2f}' + (" # room 0.2" if style_name in ("jazz", "blues", "classical") else "")))
    if style.pad_sound:
        parts.append(("pad", f'n "{_cycles(pad_bars, first_bar)}" # s "{style.pad_sound}" # legato 1 '
                      f'# gain {0.4 * energy:.2f} # room 0.3'))
    for sound, texts in extra_bars.items():
        held = sound in SUSTAINED
        parts.append((sound, f'{"" if held else swung}n "{_cycles(texts, first_bar)}" # s "{sound}" '
                      f'# legato {1 if held else 0.7} # gain {(0.35 if held else 0.5) * energy:.2f} # room 0.25'))
    return parts


def arrange(plan: list[tuple[int, list[int]] | None], style_name: str, knobs: Knobs | None = None,
            first_channel: int = 2) -> list[str]:
    """The band as patch lines on channels d2, d3, ... (what `jam accompany --melody` writes)."""
    return [f"d{first_channel + i} $ {text}" for i, (_, text) in enumerate(arrange_parts(plan, style_name, knobs))]
