"""Directions by voice: a key in the console starts listening for one phrase; what is heard goes
to the same Directions as typed words.

Listening runs in its own process (engine/speech/listener.py); this keeps its state for the
console: listening or not, the input level (so the performer sees the mic hears them), and the
last error. Pressing the key again while listening stops it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading


class Voice:
    def __init__(self, directions, source: str | None = None):
        self.directions = directions
        self.source = source  # input device or WAV file; None: the default input
        self.process: subprocess.Popen | None = None
        self.state = "idle"
        self.level, self.speech = -120.0, False

    def toggle(self) -> dict:
        if self.process is not None:
            process, self.process = self.process, None
            process.kill()
            self.state = "idle"
            return self.status()
        cmd = [sys.executable, "-m", "engine.speech.listener"] + (["--input", self.source] if self.source else [])
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                        text=True, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"),
                                        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.state, self.level, self.speech = "listening", -120.0, False
        threading.Thread(target=self._read, args=(self.process,), daemon=True, name="voice").start()
        return self.status()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if process is not self.process:
                break  # toggled off: what it heard no longer counts
            if "level" in message:
                self.level, self.speech = message["level"], message["speech"]
            elif "error" in message:
                self.state = f"error: {message['error']}"
            elif "text" in message:
                if message["text"]:
                    self.directions.say(message["text"], "voice", message["confidence"])
                else:
                    self.directions.log.append({"text": "", "source": "voice", "intent": None,
                                                "did": "nothing changed: heard nothing"})
                self.state = "idle"  # after the direction is applied: "idle" means it is done
        process.wait()
        if process is self.process:
            self.process = None
            if self.state == "listening":
                self.state = "idle"

    def status(self) -> dict:
        return {"state": self.state, "level": self.level, "speech": self.speech}

    def stop(self) -> None:
        if self.process is not None:
            self.toggle()
