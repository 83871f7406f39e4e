"""The patch editor: a TextArea highlighted by dsl's own lexer, showing what plays and what is wrong.

Three layers of highlights share TextArea's per-line map: the language's tokens, the
atoms sounding right now (from the engine, by source location), and error places.
"""

from __future__ import annotations

from rich.style import Style
from textual.widgets import TextArea
from textual.widgets.text_area import TextAreaTheme

from dsl.tokens import highlight_spans

# ANSI colour names, so that 16-colour terminals show them; NO_COLOR keeps bold/reverse/underline.
JAM_THEME = TextAreaTheme(
    name="jam",
    syntax_styles={
        "keyword": Style(color="magenta", bold=True),
        "channel": Style(color="cyan", bold=True),
        "function": Style(color="green"),
        "control": Style(color="blue"),
        "string": Style(color="yellow"),
        "atom": Style(color="bright_yellow", bold=True),
        "number": Style(color="magenta"),
        "rest": Style(color="bright_black"),
        "operator": Style(color="red"),
        "comment": Style(color="bright_black", italic=True),
        "playing": Style(reverse=True, bold=True),
        "error": Style(color="red", underline=True, bold=True),
    },
)


class PatchEditor(TextArea):
    """A TextArea for patches."""

    def __init__(self, text: str = "", **kwargs):
        self.playing: list[tuple[int, int, int]] = []  # (line, first column, end column), 1-based
        self.error_places: list[tuple[int, int]] = []  # (line, column), 1-based
        super().__init__(text, **kwargs)
        self.register_theme(JAM_THEME)
        self.theme = "jam"
        self.cursor_blink = False  # over SSH every blink is a redraw sent down the line

    def _build_highlight_map(self) -> None:
        self._line_cache.clear()
        highlights = self._highlights
        highlights.clear()
        lines = self.text.split("\n")

        def add(row: int, start: int, end: int | None, name: str) -> None:
            if 0 <= row < len(lines):
                line = lines[row]
                to_bytes = lambda col: len(line[:col].encode())  # noqa: E731  (TextArea counts bytes)
                highlights[row].append((to_bytes(start), None if end is None else to_bytes(end), name))

        for row, start, end, kind in highlight_spans(self.text):
            add(row, start, end, kind)
        for line, column in self.error_places:
            row = line - 1
            if 0 <= row < len(lines):
                end = column
                text = lines[row]
                while end < len(text) and not text[end].isspace():
                    end += 1
                add(row, column - 1, max(end, column), "error")
        for line, start, end in self.playing:
            add(line - 1, start - 1, end - 1, "playing")

    def show_playing(self, places: list[tuple[int, int, int]]) -> None:
        """Highlight the atoms sounding now; redraw only when they changed."""
        if places != self.playing:
            self.playing = places
            self._build_highlight_map()
            self.refresh()

    def show_errors(self, places: list[tuple[int, int]]) -> None:
        self.error_places = places
        self._build_highlight_map()
        self.refresh()

    def toggle_comment(self) -> None:
        """Comment out the lines of the selection (or the cursor's line), or uncomment them."""
        start, end = sorted([self.selection.start, self.selection.end])
        rows = range(start[0], end[0] + 1)
        lines = self.text.split("\n")
        commented = all(lines[r].lstrip().startswith("--") for r in rows if lines[r].strip())
        for r in rows:
            line = lines[r]
            if commented:
                at = line.index("--")
                cut = 3 if line[at:at + 3] == "-- " else 2
                self.replace("", (r, at), (r, at + cut))
            elif line.strip():
                self.insert("-- ", (r, 0))
