"""Small screens over the editor: help, the offer to recover unsaved text, save as."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

KEYS = [
    ("ctrl+r", "evaluate the block under the cursor (or the selection)"),
    ("f5", "evaluate the whole patch"),
    ("f7", "stop / start the transport (the clock; what sounds rings out)"),
    ("f8", "hush: silence every channel"),
    ("f9", "panic: all sound off, now"),
    ("ctrl+t", "comment / uncomment the line or selection"),
    ("alt+1..9", "mute / unmute d1..d9 (the meters show M)"),
    ("alt+shift+1..9", "solo / unsolo d1..d9 (US layout: alt+! .. alt+()"),
    ("ctrl+z / ctrl+y", "undo / redo"),
    ("alt+q w e r t", "rate the last four bars 1 .. 5 (kept in your profile, with the bars)"),
    ("ctrl+up / ctrl+down", "more like this (5) / not that (1)"),
    ("f6", "the band: play along / stop (it follows your MIDI input and your melodic channels)"),
    ("f3", "tell the band what to do, in words: \"switch to jazz\", \"more syncopation\", \"add brass\""),
    ("f4", "say it instead: listen for one spoken direction (again to stop)"),
    ("alt+z", "undo the last direction (or rating)"),
    ("ctrl+f", "freeze the band: its last bars become text in the patch, yours to edit"),
    ("ctrl+o", "open a patch: a path, a recent one or a demo"),
    ("f12", "the computer keyboard as an instrument: z s x d c v g b h n j m, q 2 w 3 e r 5 t 6 y 7 u"),
    ("ctrl+s", "save"),
    ("f2", "save as"),
    ("ctrl+p", "command palette: the pattern functions with their docs"),
    ("f1", "this help"),
    ("ctrl+q", "quit (stops the engine `jam` started)"),
]


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: auto; max-width: 90%; height: auto; border: round $accent;
                            padding: 0 1; background: $surface; }
    """

    def compose(self) -> ComposeResult:
        width = max(len(k) for k, _ in KEYS)
        lines = ["[b]Jam Console keys[/b]", ""] + [f"{k.ljust(width)}  {d}" for k, d in KEYS]
        lines += ["", "Blocks are separated by blank lines. An error leaves the old pattern playing.",
                  "escape closes this"]
        with Vertical():
            yield Static("\n".join(lines), markup=True)


class RecoverScreen(ModalScreen[bool]):
    """Offer text that was typed but not saved (the console was killed or the link dropped)."""

    BINDINGS = [Binding("y", "answer(True)", "Recover"), Binding("n,escape", "answer(False)", "Discard")]
    DEFAULT_CSS = """
    RecoverScreen { align: center middle; }
    RecoverScreen > Vertical { width: 70; max-width: 95%; height: auto; border: round $warning;
                               padding: 0 1; background: $surface; }
    """

    def __init__(self, name: str, lines: int):
        super().__init__()
        self.patch_name, self.lines = name, lines

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Unsaved text of {self.patch_name} was found ({self.lines} lines), newer than the file.\n"
                         "Recover it? [b]y[/b] recover · [b]n[/b] keep the file as it is", markup=True)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class SaveAsScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    SaveAsScreen { align: center middle; }
    SaveAsScreen > Vertical { width: 70; max-width: 95%; height: auto; border: round $accent;
                              background: $surface; }
    """

    def __init__(self, current: str):
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Save as (enter to save, escape to cancel):")
            yield Input(value=self.current, id="path")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class OpenScreen(ModalScreen[str | None]):
    """Open a patch: type a path, or pick one of the recent patches and the shipped demos."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    OpenScreen { align: center middle; }
    OpenScreen > Vertical { width: 76; max-width: 95%; height: auto; max-height: 90%; border: round $accent;
                            background: $surface; }
    OpenScreen OptionList { height: auto; max-height: 14; }
    """

    def __init__(self, choices: list[str]):
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Open (a path and enter, or pick one with the arrows; escape cancels):")
            yield Input(placeholder="path/to/patch.jam", id="path")
            yield OptionList(*self.choices, id="choices")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
