"""A small piano roll of the last bars: the performer's notes and the band's, as they sounded."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

NAMES = ["c", "c#", "d", "eb", "e", "f", "f#", "g", "ab", "a", "bb", "b"]
YOU, BAND = ("█", "bold yellow"), ("▒", "cyan")  # the glyphs differ too: readable without colour


class PianoRoll(Static):
    """Time runs left to right over the last two cycles (now at the right edge); each row holds
    a few semitones, the highest at the top. The performer's notes win a cell they share."""

    DEFAULT_CSS = """
    PianoRoll { height: 1fr; padding: 0 1; }
    """

    def show_notes(self, now: float, notes: list[list], cycles: float = 2.0) -> None:
        width = max(self.size.width - 6, 8)
        rows = max(self.size.height - 1, 3)
        if not notes:
            self.update(Text("piano roll: no notes yet\n█ you  ▒ band", style="dim"))
            return
        low = min(n[2] for n in notes)
        high = max(max(n[2] for n in notes), low + rows - 1)
        per_row = max(1, -(-(high - low + 1) // rows))
        grid = [[None] * width for _ in range(rows)]
        start = now - cycles
        for begin, end, pitch, who in notes:
            row = rows - 1 - min((pitch - low) // per_row, rows - 1)
            first = int((begin - start) / cycles * width)
            last = max(first, int((end - start) / cycles * width) - 1)
            for col in range(max(first, 0), min(last, width - 1) + 1):
                if grid[row][col] != "you":
                    grid[row][col] = who
        text = Text()
        for i, cells in enumerate(grid):
            pitch = low + (rows - 1 - i) * per_row
            text.append(f"{NAMES[pitch % 12]}{pitch // 12 - 1:<3}"[:5].ljust(5), style="dim")
            for cell in cells:
                glyph, style = YOU if cell == "you" else BAND if cell == "band" else ("·", "dim")
                text.append(glyph, style=style)
            text.append("\n")
        text.append("█ you  ▒ band", style="dim")
        self.update(text)
