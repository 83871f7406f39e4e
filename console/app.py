"""The performance screen: the patch in an editor, keys to evaluate it, what the engine is doing.

The console is only a client: the engine runs in its own process, so a slow
redraw or a dead terminal never touches the audio.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static, TextArea

from .client import EngineClient, EngineUnavailable, start_engine, stop_engine


def block_at(text: str, row: int) -> tuple[str, int]:
    """The paragraph (lines between blank lines) holding row, and its first line number (1-based)."""
    lines = text.split("\n")
    row = min(max(row, 0), len(lines) - 1)
    if not lines[row].strip():
        return "", row + 1
    first = row
    while first > 0 and lines[first - 1].strip():
        first -= 1
    last = row
    while last + 1 < len(lines) and lines[last + 1].strip():
        last += 1
    return "\n".join(lines[first:last + 1]), first + 1


class JamApp(App):
    """Jam Console."""

    TITLE = "Jam Console"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+r", "eval_block", "Eval block", priority=True),
        Binding("f5", "eval_all", "Eval all", priority=True),
        Binding("f8", "hush", "Hush", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]
    STATUS_INTERVAL = 0.25

    def __init__(self, patch_path: Path, client: EngineClient):
        super().__init__()
        self.patch_path = Path(patch_path)
        self.client = client
        self.engine_message_shown = False
        try:
            self.initial_text = self.patch_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.initial_text = ""

    def compose(self) -> ComposeResult:
        yield TextArea(self.initial_text, id="editor", show_line_numbers=True, tab_behavior="indent")
        yield Static("", id="messages")
        yield Static("starting…", id="status")
        yield Footer()

    @property
    def editor(self) -> TextArea:
        return self.query_one("#editor", TextArea)

    def on_mount(self) -> None:
        self.sub_title = str(self.patch_path)
        self.editor.focus()
        self.evaluate(self.editor.text, 1)
        self.set_interval(self.STATUS_INTERVAL, self.refresh_status)

    # -- evaluation ------------------------------------------------------------
    def evaluate(self, text: str, first_line: int) -> None:
        try:
            reply = self.client.request("eval", text=text, first_line=first_line)
        except EngineUnavailable as err:
            self.show(str(err), error=True)
            return
        if reply.get("errors"):
            name = self.patch_path.name
            self.show("\n".join(f"{name}:{e['line']}:{e['column']}: {e['message']}" for e in reply["errors"]),
                      error=True)
        else:
            playing = ", ".join(reply.get("channels", [])) or "nothing new"
            self.show(f"evaluated: {playing}")

    def action_eval_block(self) -> None:
        block, first = block_at(self.editor.text, self.editor.cursor_location[0])
        if block.strip():
            self.evaluate(block, first)

    def action_eval_all(self) -> None:
        self.evaluate(self.editor.text, 1)

    def action_hush(self) -> None:
        try:
            self.client.request("hush")
            self.show("hush: all channels silent")
        except EngineUnavailable as err:
            self.show(str(err), error=True)

    def action_save(self) -> None:
        try:
            self.patch_path.write_text(self.editor.text, encoding="utf-8")
            self.show(f"saved {self.patch_path}")
        except OSError as err:
            self.show(f"cannot save {self.patch_path}: {err.strerror}", error=True)

    # -- display -----------------------------------------------------------------
    def show(self, message: str, error: bool = False) -> None:
        widget = self.query_one("#messages", Static)
        widget.update(message)
        widget.set_class(error, "error")

    def refresh_status(self) -> None:
        try:
            s = self.client.request("status")
        except EngineUnavailable:
            self.query_one("#status", Static).update("engine not answering")
            return
        if s.get("message") and not self.engine_message_shown:
            self.engine_message_shown = True
            self.show(s["message"])
        audio = s["device"] if s.get("audio") == "audio" else "silent clock"
        cycle = s["cycle"]
        beat = int((cycle % 1) * 4) + 1
        parts = [f"{s['bpm']:.0f} bpm", f"cycle {int(cycle)} beat {beat}", audio, f"xruns {s['xruns']}",
                 "playing " + (" ".join(s["channels"]) or "nothing")]
        if s.get("runtime_errors"):
            parts.append(s["runtime_errors"][-1])
        self.query_one("#status", Static).update(" · ".join(parts))


def run_console(patch_path: Path, socket_path: Path, start: bool, audio: bool = True,
                device: str | None = None) -> int:
    """Run the console; with start, own an engine process and stop it on the way out."""
    proc = None
    if start:
        print("starting the engine…", flush=True)
        log = socket_path.with_suffix(".log")
        try:
            proc = start_engine(socket_path, audio=audio, device=device, log=log)
        except EngineUnavailable as err:
            print(f"jam: {err}")
            return 1
    client = EngineClient(socket_path)
    try:
        JamApp(patch_path, client).run()
    finally:
        if proc is not None:
            stop_engine(proc, client)
        else:
            client.close()
    return 0
