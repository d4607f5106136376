"""The ``train`` command's output folder: checked before training, written after it."""
import json
import os
import shutil

from ..checkpoint import write_json
from ..training.runs import strict_json

OUTPUTS = ("checkpoint", "checkpoint.partial", "checkpoint.old", "command.json",
           "metrics.json", "learning_curves.png", "filters.png")
"""What a run writes into its folder (and ``--overwrite`` removes)."""


def prepare(out, overwrite):
    """Make sure ``out`` can take a new run before any training: it must be new or empty
    (or, with ``overwrite``, lose the run it holds) and writable."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise OSError(f"--out {out} is a file, not a folder")
    present = sorted(os.listdir(out)) if os.path.isdir(out) else []
    if present and not overwrite:
        what = "a run" if "command.json" in present else f"files ({', '.join(present[:3])})"
        raise OSError(f"--out {out} already holds {what}; pass --resume {out} to continue "
                      f"it, --overwrite to replace it, or another --out")
    created = not os.path.isdir(out)
    probe = os.path.join(out, ".write-test")
    try:
        os.makedirs(out, exist_ok=True)
        with open(probe, "w"):
            pass
        os.remove(probe)
    except OSError as error:
        if created and os.path.isdir(out):
            os.rmdir(out)
        raise OSError(f"--out {out} is not writable: {error.strerror}") from None
    for name in set(present) & set(OUTPUTS):
        path = os.path.join(out, name)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def save_command(out, settings):
    """Record the run's settings, for ``--resume``."""
    write_json(os.path.join(out, "command.json"), settings)


def load_command(out):
    """The settings recorded by :func:`save_command` in ``out``."""
    path = os.path.join(out, "command.json")
    if not os.path.isfile(path) or not os.path.isdir(os.path.join(out, "checkpoint")):
        raise OSError(f"--resume {out}: no run to continue there (no command.json and "
                      f"checkpoint/)")
    with open(path) as file:
        try:
            return json.load(file)
        except ValueError as error:
            raise ValueError(f"{path} is damaged: {error}") from None


def save_metrics(out, value):
    """``metrics.json``: strict JSON, non-finite numbers written as null."""
    write_json(os.path.join(out, "metrics.json"), strict_json(value))
