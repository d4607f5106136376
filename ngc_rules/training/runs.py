"""Training runs saved to a folder and loaded back, to continue bit for bit.

A run's folder holds the model (``model.save``: its configuration, weights and learning
states) and ``run.json``: the history so far, where an interrupted epoch stopped, and the
settings that fix the batches (seed, batch size and a checksum of the training data).
A save is written beside the folder and swapped in as one, so a crash leaves the previous
save whole (see ``Model.save``).
"""
import math
import os
import zlib
from typing import NamedTuple

import numpy as np

from .._atomic import saved_directory
from ..checkpoint import read_json_file
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

    def __repr__(self):
        stopped = "" if self.progress is None else \
            f", stopped in epoch {self.progress.epoch} after batch {self.progress.batch}"
        return f"Run({self.model!r}, {len(self.history) - 1} epochs done{stopped})"


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
    """Write ``run`` to ``directory`` atomically: its model and ``run.json`` replace what
    the folder held as one checkpoint (see ``Model.save``)."""
    progress = None if run.progress is None else run.progress._asdict()
    run.model.save(directory, extras={"run.json": strict_json(
        {"history": run.history, "progress": progress, "settings": run.settings})})


def load_run(directory):
    """The :class:`Run` saved in ``directory`` (by ``fit(..., checkpoint_dir=...)`` or
    :func:`save_run`), its model rebuilt with its weights and learning states."""
    with saved_directory(directory) as directory:
        path = os.path.join(directory, "run.json")
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{directory} holds no saved run (no run.json)")
        saved = read_json_file(path)
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
