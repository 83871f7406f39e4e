"""Per-channel level meters, with each channel's mute and solo state beside its bar."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

FLOOR_DB = -48.0
WIDTH = 12


class Meters(Static):
    """A bar per channel: peak level since the last update, M for muted, S for soloed."""

    DEFAULT_CSS = """
    Meters { height: auto; max-height: 60%; padding: 0 1; }
    """

    def show_levels(self, channels: list[str], levels: dict[str, float], muted: list[str], soloed: list[str]) -> None:
        text = Text()
        for name in channels:
            db = levels.get(name, FLOOR_DB * 2)
            filled = max(0, min(WIDTH, round((db - FLOOR_DB) / -FLOOR_DB * WIDTH)))
            silenced = name in muted or (soloed and name not in soloed)
            shown = "»" + name[5:] if name.startswith("band-") else name  # the band's channels
            text.append(f"{shown[:5]:<5} ", style="bold" if not silenced else "dim")
            text.append("█" * filled, style="green" if db < -6 else "yellow" if db < -1 else "red")
            text.append("·" * (WIDTH - filled), style="dim")
            text.append(" M" if name in muted else "  ", style="bold red")
            text.append("S" if name in soloed else " ", style="bold yellow")
            text.append("\n")
        self.update(text)
