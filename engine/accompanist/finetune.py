"""Fine-tuning the shipped next-chord network on the performer's own MIDI files.

    jam train --from DIR [--epochs 6] [--out PATH] [--seed 0] [--lr 5e-4]

1. Every standard MIDI file under DIR (`.mid .midi .kar .smf`, recursively, symlinked folders not
   followed) becomes a piece (`leadsheets.midi_piece`): the melody is the track named like one
   (melody, lead, vocal, solo...) or else the highest voice; the chords are labelled per beat from
   the other voices by template matching over the vocabulary. A file with only a melody line is
   skipped and said so: labelling chords from the melody itself would only teach the network what
   the ear already scores from those notes (the same template matching), not the performer's
   harmony. Unreadable files and files without usable harmony are skipped, each with a message.
2. With four files or more, a fifth of them (at least one, chosen with the seed) is held out and
   reported before and after every epoch; with fewer, that there is no held-out check is said.
3. The shipped network (always the shipped one, so running it again on a grown folder does not
   stack fine-tunes) is trained for a few epochs with a small learning rate (AdamW 5e-4, cosine
   decay, batches of 16 windows) on the pieces' replays through the `--online` Session and Ear,
   exactly as `train` does: half of the windows carry the network's own rolled-out choices, half
   the true chords (late and wrong at times). Each epoch sees every file in all 12 transpositions:
   the inputs are key-relative, so a transposed replay gives identical features and targets
   except for the chord targets before the first note, whose key is unknown (`transpose`, checked
   against real transposed replays in `tests/test_finetune.py`); so the replay runs once and each
   file's windows are drawn twelve times, transposed, with their own random offsets and history
   noise, across the styles the shipped network knows ("any", "pop", "rock"), so that the
   fine-tune plays whatever style is asked.
4. The result goes to the performer's weights file (`$XDG_STATE_HOME/jam/chord_lstm.pt`, which
   `model.Predictor()` prefers from then on) or `--out`; never over the shipped weights. The
   shipped fusion (ear weight, stay bonus) is kept. Seeded: the same files give the same weights.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np

from . import leadsheets
from .leadsheets import Piece, Unusable

MIDI_SUFFIXES = {".mid", ".midi", ".kar", ".smf"}
EPOCHS = 6
LR = 5e-4
BATCH = 16
TRANSPOSITIONS = 12


class Refused(Exception):
    """Input that leaves nothing to train on; the message says what to do."""


def find_midi(root: Path, log: Callable[[str], None]) -> list[Path]:
    """Every MIDI file under `root` (or `root` itself when it is one), sorted by path."""
    if not root.exists():
        raise Refused(f"{root} does not exist (give the folder that holds your MIDI files)")
    if root.is_file():
        if root.suffix.lower() in MIDI_SUFFIXES:
            return [root]
        raise Refused(f"{root} is not a folder or a MIDI file")

    def unreadable(error: OSError) -> None:
        log(f"jam train: cannot read the folder {error.filename} ({error.strerror}); skipped")

    found = []
    for folder, dirs, files in os.walk(root, onerror=unreadable):
        dirs.sort()
        found += [Path(folder) / f for f in files if Path(f).suffix.lower() in MIDI_SUFFIXES]
    if not found:
        raise Refused(f"no MIDI files (.mid, .midi, .kar, .smf) under {root}")
    return sorted(found)


def read_pieces(root: Path, log: Callable[[str], None]) -> list[Piece]:
    """The usable pieces under `root`; every skipped file is named with the reason."""
    files = find_midi(root, log)
    log(f"{len(files)} MIDI file{'s' * (len(files) != 1)} under {root}")
    pieces = []
    for path in files:
        name = str(path.relative_to(root)) if path != root else path.name
        try:
            piece, how = leadsheets.midi_piece(path, name)
        except Unusable as e:
            log(f"  skipped {path}: {e}")
            continue
        except Exception as e:  # noqa: BLE001 - a file mido chokes on in a way we did not foresee
            log(f"  skipped {path}: cannot read it ({type(e).__name__}: {e})")
            continue
        log(f"  {name}: {piece.length:.0f} beats; {how}")
        pieces.append(piece)
    if not pieces:
        which = "the MIDI file" if len(files) == 1 else f"none of the {len(files)} MIDI files"
        raise Refused(f"{which} under {root} {'has no' if len(files) == 1 else 'has a'} melody with harmony to "
                      f"learn from (a file needs a melody and chords or an accompaniment in other voices)")
    return pieces


def hold_out(pieces: list[Piece], seed: int) -> list[Piece]:
    """Mark a fifth of the files (at least one) 'valid' when there are four or more; the held-out ones."""
    if len(pieces) < 4:
        return []
    order = np.random.default_rng(seed).permutation(len(pieces))
    held = [pieces[i] for i in sorted(order[:max(1, round(len(pieces) / 5))])]
    for p in held:
        p.split = "valid"
    return held


def transpose(song, k: int):
    """The replay of the song played k semitones higher, without replaying it: the ear's features are
    key-relative, so they are the same; the chords move by k, and so does the rotation wherever the
    ear has heard something (before the first note it is 0 whatever the key). Checked against real
    transposed replays in tests/test_finetune.py."""
    from . import chords
    from .model import HEARD

    heard = song.feats[:, HEARD] > 0
    chord = np.where(song.chord >= 0, chords.ROTATE[k % 12, np.maximum(song.chord, 0)], -1)
    return replace(song, rot=np.where(heard, (song.rot + k) % 12, song.rot), chord=chord)


def chord_logp(predictor, piece: Piece) -> float:
    """Mean log-probability per beat the network gives the piece's true chord, played strictly online
    through the `--online` Session (the previous-chord input is the accompanist's own choice)."""
    from .decide import ModelDecider
    from .online import Session

    decider = ModelDecider(predictor, memory=0.0)  # the network's own probabilities, no memory added
    session = Session(decider)
    session.handle({"reset": {"style": piece.style, "time_signature": f"{piece.beats_per_bar}/4"}})
    events = [(n.onset, 2, {"note_on": {"t": n.onset, "pitch": n.pitch, "velocity": n.velocity}}) for n in piece.notes]
    events += [(n.offset, 1, {"note_off": {"t": n.offset, "pitch": n.pitch}}) for n in piece.notes]
    truth = {}
    for onset, offset, c in piece.chords:
        for b in range(int(np.ceil(onset - 1e-9)), int(np.ceil(offset - 1e-9))):
            truth[b] = c
    events += [(float(b), 0, {"decide": float(b)}) for b in range(int(np.ceil(piece.length)))]
    total, count = 0.0, 0
    for t, order, msg in sorted(events, key=lambda e: (e[0], e[1])):
        session.handle(msg)
        c = truth.get(int(t)) if order == 0 else None
        if c is not None and decider.prior_logp is not None:
            total, count = total + float(decider.prior_logp[c]), count + 1
    return total / count if count else float("nan")


def agreement(predictors: dict, pieces: list[Piece]) -> dict[str, dict]:
    """Per system: the online evaluation's metrics (nic, root, triad, changes_per_bar) and `logp`."""
    from .decide import ModelDecider
    from .evaluate import evaluate
    from .online import Session

    overall = evaluate(pieces, {name: (lambda p, pr=pr: Session(ModelDecider(pr))) for name, pr in predictors.items()})
    return {name: {**overall["overall"][name], "logp": float(np.mean([chord_logp(pr, p) for p in pieces]))}
            for name, pr in predictors.items()}


def _compare(label: str, result: dict, log) -> None:
    a, b = result["shipped"], result["fine-tuned"]
    log(f"{label}: same root+triad {a['triad']:.3f} -> {b['triad']:.3f}, note-in-chord {a['nic']:.3f} -> {b['nic']:.3f}, "
        f"changes/bar {a['changes_per_bar']:.2f} -> {b['changes_per_bar']:.2f}, "
        f"log P(your chord) per beat {a['logp']:.2f} -> {b['logp']:.2f}")


def finetune(root: Path, out: Path, epochs: int = EPOCHS, seed: int = 0, lr: float = LR,
             log: Callable[[str], None] = print) -> dict:
    """Read, fine-tune, save to `out`, report. Raises Refused when there is nothing to train on."""
    import torch
    from torch import nn

    from . import chords
    from .model import STYLES, WEIGHTS, Predictor, load
    from .train import batches, replay, rollout, train_epoch, validate

    if out.resolve() == WEIGHTS.resolve():
        raise Refused(f"{out} is the shipped weights file; fine-tuned weights go elsewhere (leave out --out "
                      f"for your own weights file)")
    if epochs < 1:
        raise Refused("--epochs must be 1 or more")
    start = time.perf_counter()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    pieces = read_pieces(root, log)
    held = hold_out(pieces, seed)
    train_pieces = [p for p in pieces if p.split == "train"]
    net, shipped = load(WEIGHTS)
    styles = ["any"] + [s for s in shipped.get("styles", []) if s != "any"]
    songs = {p.id: replay(p) for p in pieces}
    # one song per file and style; the twelve transpositions as twelve draws of each file's windows
    per_style = {p.id: [replace(songs[p.id], id=f"{p.id}#{s}", style=STYLES.index(s)) for s in styles] for p in pieces}
    unique = [s for p in train_pieces for s in per_style[p.id]]
    copies = [transpose(per_style[p.id][k % len(styles)], k) for p in train_pieces for k in range(TRANSPOSITIONS)]
    valid = [s for p in held for s in per_style[p.id]]
    log(f"training on {len(train_pieces)} file{'s' * (len(train_pieces) != 1)} x {TRANSPOSITIONS} transpositions"
        + (f"; held out: {', '.join(p.id for p in held)}" if held else
           f"; no held-out check (fewer than 4 usable files)") + f"; replayed in {time.perf_counter() - start:.1f} s")

    def held_out_line(tag: str) -> dict:
        if not valid:
            return {}
        m = {**{f"valid_{k}": v for k, v in validate(net, valid).items()},
             **{f"alone_{k}": v for k, v in validate(net, valid, rollout(net, valid)).items()}}
        log(f"{tag}  held out: loss {m['valid_loss']:.3f} acc {m['valid_acc']:.3f} triad {m['valid_triad_acc']:.3f}"
            f"  | playing alone: loss {m['alone_loss']:.3f} acc {m['alone_acc']:.3f} triad {m['alone_triad_acc']:.3f}")
        return m

    net.train()
    history = [{"epoch": 0, **held_out_line("before   ")}]
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 0.5 * (1 + np.cos(np.pi * e / epochs)))
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    for epoch in range(1, epochs + 1):
        began = time.perf_counter()
        # a network fed its own last chord trains on its own choices from the first epoch (it plays already)
        own = rollout(net, unique) if net.feedback else None
        total, count = train_epoch(net, opt, loss_fn, batches(copies, rng, batch=BATCH, own=own))
        sched.step()
        line = f"epoch {epoch:2d}/{epochs}  train loss {total / count:.3f}  {time.perf_counter() - began:.1f} s"
        metrics = {"epoch": epoch, "train_loss": total / count, "steps": count}
        if valid:
            metrics.update(held_out_line(line))
        else:
            log(line)
        metrics["seconds"] = time.perf_counter() - began
        history.append(metrics)
    net.eval()
    saved = {"config": net.config, "state": net.state_dict(), "fusion": dict(shipped.get("fusion", {})),
             "styles": shipped.get("styles", STYLES), "base": {"file": str(WEIGHTS), "sha256": _sha256(WEIGHTS)},
             "finetune": {"dir": str(root), "files": [p.id for p in train_pieces], "held_out": [p.id for p in held],
                          "epochs": history, "seed": seed, "lr": lr, "batch": BATCH,
                          "seconds": time.perf_counter() - start}}
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    torch.save(saved, partial)
    os.replace(partial, out)  # a crash mid-write never leaves a half file where Predictor looks
    log(f"saved {out} ({out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - start:.1f} s; "
        f"fusion kept from the shipped model {saved['fusion']}")
    before, after = Predictor(WEIGHTS), Predictor(out)
    result = {"train": agreement({"shipped": before, "fine-tuned": after}, train_pieces)}
    _compare("your files (trained on)", result["train"], log)
    if held:
        result["held_out"] = agreement({"shipped": before, "fine-tuned": after}, held)
        _compare("held-out files", result["held_out"], log)
        if history[-1]["alone_loss"] > history[0]["alone_loss"]:
            log("warning: the held-out files fit worse than before fine-tuning (too few files, or too many epochs?)")
    return {"saved": saved, "agreement": result, "seconds": time.perf_counter() - start}


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(root: Path, out: Path | None, epochs: int | None, seed: int, lr: float | None) -> int:
    """`jam train --from DIR`: 0 when weights were saved, 1 (with a message) when nothing could be."""
    import torch

    from .model import performer_weights

    torch.set_num_threads(1)  # as `train`: on shared cores a second thread mostly waits
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    try:
        finetune(root, out or performer_weights(), EPOCHS if epochs is None else epochs, seed,
                 LR if lr is None else lr, log)
    except Refused as e:
        log(f"jam train: {e}; nothing saved")
        return 1
    except OSError as e:
        log(f"jam train: cannot write {e.filename or out}: {e.strerror or e}; nothing saved")
        return 1
    return 0
