"""The computer keyboard as an instrument, for when no MIDI keyboard is plugged in.

Two rows of a tracker layout: z s x d c v g b h n j m play C to B, q 2 w 3 e r 5 t 6 y 7 u the
octave above; - and = move the octaves. Terminals send no key release, so each note lasts a
fixed time. The notes sound through the engine like MIDI input, and the band follows them.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

LOWER = "zsxdcvgbhnjm"
UPPER = "q2w3er5t6y7u"
NAMES = ["c", "c#", "d", "eb", "e", "f", "f#", "g", "ab", "a", "bb", "b"]


def pitch_of(key: str, octave: int) -> int | None:
    """The MIDI pitch a key plays with the lower row at `octave` (4: z = middle C, 60)."""
    base = 12 * (octave + 1)
    if key in LOWER:
        return base + LOWER.index(key)
    if key in UPPER:
        return base + 12 + UPPER.index(key)
    return None


class KeysScreen(ModalScreen):
    BINDINGS = [Binding("escape,f12", "dismiss", "Back to the editor")]
    DEFAULT_CSS = """
    KeysScreen { align: center bottom; }
    KeysScreen > Vertical { width: 64; max-width: 100%; height: auto; border: round $accent;
                            padding: 0 1; background: $surface; }
    """

    def __init__(self, client, octave: int = 4):
        super().__init__()
        self.client, self.octave = client, octave
        self.played: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="keys")

    def on_mount(self) -> None:
        self._draw()

    def on_key(self, event) -> None:
        key = event.character or ""
        if key in ("-", "="):
            self.octave = min(max(self.octave + (1 if key == "=" else -1), 1), 7)
        else:
            pitch = pitch_of(key.lower(), self.octave)
            if pitch is None:
                return
            self.client.request("note", pitch=pitch, velocity=0.8)
            self.played = (self.played + [f"{NAMES[pitch % 12]}{pitch // 12 - 1}"])[-12:]
        event.stop()
        self._draw()

    def _draw(self) -> None:
        self.query_one("#keys", Static).update(
            f"[b]keys[/b]: z s x d c v g b h n j m = c{self.octave}..b{self.octave} · q 2 w 3 e r 5 t 6 y 7 u = "
            f"the octave above · - = octave · escape back\n♪ {' '.join(self.played) or '…'}")
