"""The command line for directions: the words a performer could say to the band, typed."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class DirectionLine(Input):
    """Hidden until f3 opens it; enter sends the words (the app handles Input.Submitted), escape
    closes it without sending. Either way the focus goes back to the editor."""

    BINDINGS = [Binding("escape", "close", "Back to the editor")]
    DEFAULT_CSS = """
    DirectionLine { display: none; height: 3; }
    """

    def open(self) -> None:
        self.display = True
        self.focus()

    def action_close(self) -> None:
        self.value = ""
        self.display = False
        self.app.query_one("#editor").focus()
