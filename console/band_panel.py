"""The band at a glance: what it plays, what it hears, what it weighs next, the last direction."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

SHORT = {"maj": "", "min": "m", "7": "7", "maj7": "maj7", "min7": "m7", "dim": "°", "aug": "+", "sus4": "sus4",
         "sus2": "sus2", "hdim7": "ø7", "dim7": "°7", "min6": "m6", "maj6": "6"}


def chord_symbol(name: str | None) -> str:
    """"A:min" -> "Am" (the brain's names to a lead sheet's)."""
    if not name or ":" not in name:
        return name or "–"
    root, quality = name.split(":", 1)
    return root + SHORT.get(quality, quality)


class BandPanel(Static):
    """Two lines over the status line: the band, and the last direction (typed or heard) with what
    it did. Off, it says which keys bring the band in."""

    DEFAULT_CSS = """
    BandPanel { height: auto; max-height: 2; padding: 0 1; }
    """

    def show_band(self, band: dict | None, directions: list[dict], voice: dict | None = None) -> None:
        text = Text()
        if not band or not band.get("on"):
            text.append("band off", style="dim")
            text.append(" · f6 plays along · f3 tells it what to do", style="dim")
        else:
            text.append("band ", style="bold")
            text.append(band["style"], style="bold")
            brain = band.get("brain", "")
            if brain != "ready":
                text.append(f" · {brain}", style="dim" if brain == "loading" else "bold red")
            text.append(" · plays ")
            text.append(chord_symbol(band.get("chord")), style="bold reverse")
            text.append(f" · hears {band.get('key') or '–'}")
            weighed = band.get("weighed") or []
            if weighed:
                text.append(" · next " + " ".join(f"{chord_symbol(w['name'])} {w['p']:.0%}" for w in weighed[:3]))
            if band.get("ratings"):
                text.append(" · rated " + " ".join(map(str, band["ratings"])))
            knobs = band.get("knobs", {})
            if knobs:
                text.append(" · " + " ".join(f"{k[:4]} {v:.1f}" for k, v in knobs.items()), style="dim")
        if voice and voice.get("state") == "listening":
            level = voice.get("level", -90.0)
            bars = max(0, min(10, round((level + 60) / 5)))
            text.append("\n")
            text.append("listening ", style="bold")
            text.append("▮" * bars + "·" * (10 - bars), style="green" if voice.get("speech") else "dim")
        elif voice and voice.get("state", "").startswith("error"):
            text.append("\n")
            text.append(f"voice: {voice['state'][7:]}", style="bold red")
        elif directions:
            last = directions[-1]
            text.append("\n")
            who = {"voice": "heard", "typed": "typed", "key": "key"}.get(last.get("source"), "")
            text.append(f'{who} "{last["text"]}" → ', style="dim")
            text.append(last["did"], style="dim" if last["did"].startswith("nothing") else "")
        text.no_wrap, text.overflow = True, "ellipsis"  # one line each, whatever the width
        self.update(text)
