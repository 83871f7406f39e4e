"""The performance screen: the patch in an editor, keys to evaluate it, what the engine is doing.

The console is only a client: the engine runs in its own process, so a slow
redraw or a dead terminal never touches the audio. Screen updates are capped
(status 4 per second, playing atoms 10 per second) so a slow SSH link stays usable.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, Static

from . import recovery
from .client import EngineClient, EngineUnavailable, start_engine, stop_engine
from .band_panel import BandPanel
from .direction_line import DirectionLine
from .editor import PatchEditor
from .meters import Meters
from .piano_roll import PianoRoll
from .palette import FunctionsProvider
from .keys_screen import KeysScreen
from .recent import recent, remember
from .screens import HelpScreen, OpenScreen, RecoverScreen, SaveAsScreen


DEMOS = Path(__file__).resolve().parent.parent / "patches"


def playing_names(channels: list[str], silenced: list[str]) -> list[str]:
    """The audible channels for the status line, the band's folded into one name."""
    audible = [c for c in channels if c not in silenced]
    band = [c for c in audible if c.startswith("band-")]
    return (["band"] if band else []) + [c for c in audible if not c.startswith("band-")]


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
    COMMANDS = App.COMMANDS | {FunctionsProvider}
    BINDINGS = [
        Binding("ctrl+r", "eval_block", "Eval", priority=True),
        Binding("f5", "eval_all", "Eval all", priority=True, show=False),
        Binding("f7", "transport", "Stop/start", priority=True, show=False),
        Binding("f8", "hush", "Hush", priority=True),
        Binding("f9", "panic", "Panic", priority=True),
        Binding("ctrl+t", "toggle_comment", "Comment", priority=True, show=False),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+o", "open", "Open", priority=True, show=False),
        Binding("f2", "save_as", "Save as", priority=True, show=False),
        Binding("f6", "band", "Band", priority=True),
        Binding("f3", "direct", "Direct", priority=True, show=False),
        Binding("f4", "listen", "Listen", priority=True, show=False),
        Binding("alt+z", "undo_direction", "Undo direction", priority=True, show=False),
        Binding("ctrl+f", "freeze", "Freeze the band", priority=True, show=False),
        Binding("f12", "keys", "Keys", priority=True, show=False),
        Binding("f1", "help", "Help", priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
    ] + [Binding(f"alt+{i}", f"toggle('mute', 'd{i}')", f"mute d{i}", show=False, priority=True) for i in range(1, 10)] \
      + [Binding(f"alt+{symbol}", f"toggle('solo', 'd{i}')", f"solo d{i}", show=False, priority=True)
         for i, symbol in enumerate(("exclamation_mark", "at", "number_sign", "dollar_sign", "percent_sign",
                                     "circumflex_accent", "ampersand", "asterisk", "left_parenthesis"), 1)]
    BINDINGS += [Binding("ctrl+up", "rate(5)", "More like this", priority=True, show=False),
                 Binding("ctrl+down", "rate(1)", "Not that", priority=True, show=False)] \
        + [Binding(f"alt+{key}", f"rate({value})", "Rate" if key == "q" else f"rate {value}", show=key == "q",
                   key_display="alt+q..t" if key == "q" else None, priority=True)
           for value, key in enumerate("qwert", 1)]
    WIDE = 100  # columns from which the meters are shown beside the editor
    TALL = 36  # rows from which the piano roll is shown under them
    STATUS_INTERVAL = 0.25
    PLAYING_INTERVAL = 0.1
    AUTOSAVE_INTERVAL = 2.0

    def __init__(self, patch_path: Path, client: EngineClient):
        super().__init__()
        self.patch_path = Path(patch_path)
        self.client = client
        self.engine_message_shown = False
        self.autosaved_text: str | None = None
        try:
            self.initial_text = self.patch_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.initial_text = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="side"):
            yield Meters(id="meters")
            yield PianoRoll(id="roll")
        yield PatchEditor(self.initial_text, id="editor", show_line_numbers=True, tab_behavior="indent")
        yield Static("", id="messages")
        yield DirectionLine(placeholder="tell the band: switch to jazz, more syncopation, add brass… (escape: back)",
                            id="direct")
        yield BandPanel(id="band")
        yield Static("starting…", id="status")
        yield Footer(show_command_palette=False)  # ctrl+p is in the help: the room goes to the rating keys

    def base(self, selector: str, kind: type):
        """A widget of the main screen, whatever modal is over it."""
        return self.screen_stack[0].query_one(selector, kind)

    @property
    def editor(self) -> PatchEditor:
        return self.base("#editor", PatchEditor)

    def on_resize(self) -> None:
        self.base("#side", Vertical).display = self.size.width >= self.WIDE  # the editor always wins
        self.base("#roll", PianoRoll).display = self.size.height >= self.TALL

    def on_mount(self) -> None:
        self.on_resize()
        self.sub_title = str(self.patch_path)
        self.editor.focus()
        self.autosaved_text = self.editor.text
        remember(self.patch_path)
        recovered = recovery.pending_recovery(self.patch_path)
        if recovered is not None:
            self.push_screen(RecoverScreen(self.patch_path.name, recovered.count("\n") + 1),
                             lambda yes: self._recovered(recovered if yes else None))
        else:
            self.evaluate(self.editor.text, 1)
        self.set_interval(self.STATUS_INTERVAL, self.refresh_status)
        self.set_interval(self.PLAYING_INTERVAL, self.refresh_playing)
        self.set_interval(self.AUTOSAVE_INTERVAL, self.autosave)

    def _recovered(self, text: str | None) -> None:
        if text is None:
            recovery.discard_recovery(self.patch_path)
        else:
            self.editor.load_text(text)
        self.evaluate(self.editor.text, 1)
        if text is not None and not self.editor.error_places:
            self.show("recovered the unsaved text (ctrl+s to keep it)")

    # -- evaluation ------------------------------------------------------------
    def evaluate(self, text: str, first_line: int) -> None:
        try:
            reply = self.client.request("eval", text=text, first_line=first_line)
        except EngineUnavailable as err:
            self.show(str(err), error=True)
            return
        errors = reply.get("errors", [])
        last = first_line + text.count("\n")
        # keep the marks of errors outside the evaluated lines; replace those inside
        kept = [p for p in self.editor.error_places if not first_line <= p[0] <= last]
        self.editor.show_errors(kept + [(e["line"], e["column"]) for e in errors])
        if errors:
            name = self.patch_path.name
            self.show("\n".join(f"{name}:{e['line']}:{e['column']}: {e['message']}" for e in errors), error=True)
        else:
            playing = ", ".join(reply.get("channels", [])) or "nothing new"
            self.show(f"evaluated: {playing}")

    def action_eval_block(self) -> None:
        selection = self.editor.selected_text
        if selection.strip():
            first = min(self.editor.selection.start, self.editor.selection.end)[0] + 1
            self.evaluate(selection, first)
            return
        block, first = block_at(self.editor.text, self.editor.cursor_location[0])
        if block.strip():
            self.evaluate(block, first)

    def action_eval_all(self) -> None:
        self.evaluate(self.editor.text, 1)

    def action_transport(self) -> None:
        try:
            stopped = self.client.request("status").get("stopped")
            self.client.request("transport", action="start" if stopped else "stop")
            self.show("transport: playing" if stopped else "transport: stopped (f7 to go on)")
        except EngineUnavailable as err:
            self.show(str(err), error=True)

    def ask(self, op: str, **fields) -> dict | None:
        """The engine's answer to a request, or None when it has none to give (then the message
        line says why: the engine is gone, or the request was refused)."""
        try:
            reply = self.client.request(op, **fields)
        except EngineUnavailable as err:
            self.show(str(err), error=True)
            return None
        if "error" in reply:
            self.show(reply["error"], error=True)
            return None
        return reply

    def action_toggle(self, what: str, channel: str) -> None:
        reply = self.ask(what, channel=channel)
        if reply is not None:
            self.show(f"{channel} {what}d" if reply["on"] else f"{channel} un{what}d")

    def action_rate(self, value: int) -> None:
        """Rate the last four bars (1 not that .. 5 more like this) without leaving the editor."""
        self._direct("rate", value=value)

    def action_band(self) -> None:
        """The band plays along, or stops."""
        band = self.ask("band")
        if band is not None:
            self.show(f"the band plays {band['style']} (f3 to direct it, f6 to stop it)" if band["on"]
                      else "the band stopped")

    def action_direct(self) -> None:
        """Type a direction for the band, as it could be said."""
        self.base("#direct", DirectionLine).open()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "direct":
            return
        event.stop()
        text = event.value.strip()
        event.input.action_close()
        if text:
            self._direct("say", text=text, source="typed")

    def action_listen(self) -> None:
        """Listen for one spoken direction (it ends when you stop talking); again to stop listening."""
        voice = self.ask("listen")
        if voice is not None:
            self.show("listening: say what the band should do (f4 stops)" if voice["state"] == "listening"
                      else "stopped listening")

    def action_freeze(self) -> None:
        """The band's last bars become text at the end of the patch, playing on free channels."""
        reply = self.ask("freeze")
        if reply is None:
            return
        editor = self.editor
        text = editor.text
        gap = "" if not text.strip() else "\n" if text.endswith("\n\n") else "\n\n" if not text.endswith("\n") else "\n"
        first = text.count("\n") + gap.count("\n") + 1
        editor.insert(gap + reply["text"], editor.document.end)
        self.evaluate(reply["text"].rstrip("\n"), first)  # the same parts, now placed in the editor
        self.show(f"the band's bars are yours: {' '.join(reply['channels'])} (ctrl+z takes the text out)")

    def action_keys(self) -> None:
        """Play notes on the computer keyboard (no MIDI keyboard needed)."""
        if not isinstance(self.screen, KeysScreen):
            self.push_screen(KeysScreen(self.client))

    def action_undo_direction(self) -> None:
        self._direct("undo")

    def _direct(self, op: str, **fields) -> None:
        """A direction (typed, a rating, an undo): what the engine did with it, and how to undo it."""
        entry = self.ask(op, **fields)
        if entry is None:
            return
        said = f'"{entry["text"]}": ' if op == "say" else ""
        self.show(said + entry["did"] + ("" if entry["did"].startswith("nothing") else " · alt+z undoes it"),
                  error=entry["did"].startswith("nothing changed"))

    def action_hush(self) -> None:
        self._send("hush", "hush: all channels silent")

    def action_panic(self) -> None:
        self._send("panic", "panic: all sound off")

    def _send(self, op: str, done: str) -> None:
        if self.ask(op) is not None:
            self.show(done)

    def action_toggle_comment(self) -> None:
        self.editor.toggle_comment()

    # -- files -------------------------------------------------------------------
    def action_open(self) -> None:
        demos = sorted(str(p) for p in DEMOS.glob("*.jam"))
        choices = [str(p) for p in recent() if p.resolve() != self.patch_path.resolve()]
        self.push_screen(OpenScreen(choices + [d for d in demos if d not in choices]),
                         lambda path: path and self.open_patch(Path(path)))

    def open_patch(self, path: Path) -> None:
        """Edit another patch; the one open now keeps playing until the new one is evaluated (f5).
        Unsaved text of the old one stays in its recovery file."""
        self.autosave()
        try:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
        except (OSError, UnicodeDecodeError) as err:
            self.show(f"cannot open {path}: {err}", error=True)
            return
        self.patch_path = path
        self.sub_title = str(path)
        self.editor.load_text(text)
        self.editor.show_errors([])
        self.autosaved_text = text
        remember(path)
        recovered = recovery.pending_recovery(path)
        if recovered is not None:
            self.push_screen(RecoverScreen(path.name, recovered.count("\n") + 1),
                             lambda yes: yes and self.editor.load_text(recovered))
        self.show(f"opened {path} (f5 plays it; what plays now goes on until then)")

    def action_save(self) -> None:
        self.save_to(self.patch_path)

    def action_save_as(self) -> None:
        self.push_screen(SaveAsScreen(str(self.patch_path)), lambda path: path and self.save_to(Path(path)))

    def save_to(self, path: Path) -> None:
        try:
            path.write_text(self.editor.text, encoding="utf-8")
        except OSError as err:
            self.show(f"cannot save {path}: {err.strerror}", error=True)
            return
        recovery.discard_recovery(self.patch_path)
        remember(path)
        self.patch_path = path
        self.sub_title = str(path)
        self.autosaved_text = self.editor.text
        self.show(f"saved {path}")

    def autosave(self) -> None:
        text = self.editor.text
        if text != self.autosaved_text:
            try:
                recovery.write_recovery(self.patch_path, text)
                self.autosaved_text = text
            except OSError as err:
                self.show(f"autosave failed: {err.strerror}", error=True)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # -- display -----------------------------------------------------------------
    def show(self, message: str, error: bool = False) -> None:
        widget = self.base("#messages", Static)
        widget.update(message)
        widget.set_class(error, "error")

    def refresh_playing(self) -> None:
        if not self.screen_stack or not self.screen_stack[0].query("#editor"):
            return  # the app is closing: nothing to light
        try:
            places = self.client.request("playing")["places"]
        except (EngineUnavailable, KeyError):
            return
        self.editor.show_playing([tuple(p) for p in places])

    def refresh_status(self) -> None:
        if not self.screen_stack or not self.screen_stack[0].query("#status"):
            return  # the app is closing: its widgets are gone
        try:
            s = self.client.request("status")
        except EngineUnavailable:
            self.base("#status", Static).update("engine not answering")
            return
        if s.get("message") and not self.engine_message_shown:
            self.engine_message_shown = True
            self.show(s["message"])
        cycle = s["cycle"]
        beat = int((cycle % 1) * 4) + 1
        audio = "silent" if s.get("audio") != "audio" else f"out {s['latency'] * 1000:.0f} ms"
        parts = [f"{s['bpm']:.0f} bpm", ("■ " if s.get("stopped") else "") + f"cyc {int(cycle)}.{beat}"]
        if s.get("key"):
            names = ["c", "c#", "d", "eb", "e", "f", "f#", "g", "ab", "a", "bb", "b"]
            parts.append(f"{names[s['key']['tonic']]} {s['key']['mode']}")
        if s.get("style"):
            parts.append(s["style"])
        parts += [audio, f"cpu {s.get('load', 0) * 100:.0f}%", f"xrun {s['xruns']}",
                  "▶ " + (" ".join(playing_names(s["channels"], s.get("silenced", []))) or "–")]
        midi = s.get("midi")
        if midi:
            names = ["c", "c#", "d", "eb", "e", "f", "f#", "g", "ab", "a", "bb", "b"]
            heard = " ".join(f"{names[n % 12]}{n // 12 - 1}" for n, _ in midi["recent"][-4:])
            parts.append(f"midi {len(midi['ports'])} in" + (f" ♪ {heard}" if heard else ""))
        if s.get("runtime_errors"):
            parts.append(s["runtime_errors"][-1])
        self.base("#status", Static).update(" · ".join(parts))
        self.base("#band", BandPanel).show_band(s.get("band"), s.get("directions", []), s.get("voice"))
        if self.base("#side", Vertical).display:
            self.base("#meters", Meters).show_levels(s["channels"], s.get("levels", {}), s.get("muted", []),
                                                     s.get("soloed", []))
            roll = self.base("#roll", PianoRoll)
            if roll.display:
                try:
                    notes = self.client.request("roll", cycles=2)
                    roll.show_notes(notes["now"], notes["notes"])
                except (EngineUnavailable, KeyError):
                    pass


def run_console(patch_path: Path, socket_path: Path, start: bool, audio: bool = True,
                device: str | None = None, midi: str | None = None, voice_input: str | None = None,
                midi_file: str | None = None) -> int:
    """Run the console; with start, own an engine process and stop it on the way out."""
    proc = None
    log = socket_path.with_suffix(".log")
    if start:
        print("starting the engine…", flush=True)
        try:
            proc = start_engine(socket_path, audio=audio, device=device, log=log, midi=midi, voice_input=voice_input,
                                midi_file=midi_file)
        except EngineUnavailable as err:
            print(f"jam: {err}")
            return 1
    client = EngineClient(socket_path)
    try:
        JamApp(patch_path, client).run()
    finally:
        if proc is not None:
            stop_engine(proc, client)
            log.unlink(missing_ok=True)
        else:
            client.close()
    return 0
