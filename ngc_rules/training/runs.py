"""Training runs saved to a folder and loaded back, to continue bit for bit.

A run's folder holds the model (``model.save``: its configuration, weights and learning
states) and ``run.json``: the history so far, where an interrupted epoch stopped, and the
settings that fix the batches (seed, batch size and a checksum of the training data).
A save is written beside the folder and swapped in, so a crash leaves the previous save
whole.
"""
import math
import os
import shutil
import zlib
from typing import NamedTuple

import numpy as np

from ..checkpoint import read_json, write_json
from ..models import restore


class Progress(NamedTuple):
    """How far an unfinished epoch got: the next batch to learn and the sums of the
    batches' metrics so far."""
    epoch: int
    batch: int
    totals: dict
    seconds: float


class Run(NamedTuple):
    """A model with its training history (row 0: before training), the unfinished
    epoch's :class:`Progress` (or None) and the settings the batches depend on."""
    model: object
    history: list
    progress: Progress = None
    settings: dict = {}


def data_checksum(dataset):
    """A CRC-32 of a dataset's inputs and labels: a resumed run must see the same data."""
    checksum = zlib.crc32(np.ascontiguousarray(dataset.x).view(np.uint8))
    return zlib.crc32(np.ascontiguousarray(dataset.labels).view(np.uint8), checksum)


def strict_json(value):
    """``value`` with every NaN and infinity replaced by None, as strict JSON requires."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: strict_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(item) for item in value]
    return value


def _floats(value):
    """The inverse of :func:`strict_json` for metric rows: None back to NaN."""
    return {key: math.nan if item is None else item for key, item in value.items()}


def save_run(directory, run):
    """Write ``run`` to ``directory`` atomically."""
    directory = os.path.normpath(directory)
    partial, old = f"{directory}.partial", f"{directory}.old"
    shutil.rmtree(partial, ignore_errors=True)
    run.model.save(partial)
    progress = None if run.progress is None else run.progress._asdict()
    write_json(os.path.join(partial, "run.json"),
               strict_json({"history": run.history, "progress": progress,
                            "settings": run.settings}))
    if os.path.isdir(directory):
        shutil.rmtree(old, ignore_errors=True)
        os.replace(directory, old)
    os.replace(partial, directory)
    shutil.rmtree(old, ignore_errors=True)


def load_run(directory):
    """The :class:`Run` saved in ``directory`` (by ``fit(..., checkpoint_dir=...)`` or
    :func:`save_run`), its model rebuilt with its weights and learning states."""
    directory = os.path.normpath(directory)
    if not os.path.isdir(directory) and os.path.isdir(f"{directory}.old"):
        directory = f"{directory}.old"  # a save was cut off between its two renames
    path = os.path.join(directory, "run.json")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{directory} holds no saved run (no run.json)")
    with open(path) as file:
        saved = read_json(file.read(), path)
    history, progress = saved.get("history"), saved.get("progress")
    try:
        history = [_floats(row) for row in history]
        progress = None if progress is None else Progress(
            **{**progress, "totals": _floats(progress["totals"])})
    except (TypeError, KeyError, AttributeError):
        history = None
    if not history or not isinstance(saved.get("settings"), dict):
        raise ValueError(f"{path} is damaged: its history, progress or settings are "
                         f"missing or malformed")
    return Run(restore(directory), history, progress, saved["settings"])
