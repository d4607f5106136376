"""The ``train`` command's output folder: checked before training, written after it."""
import fnmatch
import json
import os
import shutil

from ..checkpoint import write_json
from ..training.runs import strict_json

OUTPUTS = ("checkpoint", "checkpoint.*", "command.json", "metrics.json",
           "learning_curves.png", "filters.png", "raster.png")
"""What a run writes into its folder (and ``--overwrite`` removes): patterns of names."""


def _ours(name):
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in OUTPUTS)


def prepare(out, overwrite):
    """Make sure ``out`` can take a new run before any training: it must be new or empty
    (or, with ``overwrite``, lose the run it holds) and writable."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise OSError(f"--out {out} is a file, not a folder")
    present = sorted(os.listdir(out)) if os.path.isdir(out) else []
    if present and not overwrite:
        if "checkpoint" in present:
            raise OSError(f"--out {out} already holds a run; pass --resume {out} to continue "
                          f"it, --overwrite to replace it, or another --out")
        if "command.json" in present:
            raise OSError(f"--out {out} holds a run that stopped before its first "
                          f"checkpoint; pass --overwrite to start it again, or another --out")
        raise OSError(f"--out {out} already holds files ({', '.join(present[:3])}); pass "
                      f"--overwrite to write the run there anyway (other files are kept), "
                      f"or another --out")
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
    for name in filter(_ours, present):
        path = os.path.join(out, name)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def save_command(out, settings):
    """Record the run's settings, for ``--resume``."""
    write_json(os.path.join(out, "command.json"), settings)


def load_command(out):
    """The settings recorded by :func:`save_command` in ``out``."""
    path = os.path.join(out, "command.json")
    if not os.path.isfile(path):
        raise OSError(f"--resume {out}: no run to continue there (no command.json)")
    if not any(os.path.isdir(os.path.join(out, name)) for name in ("checkpoint",
                                                                    "checkpoint.old")):
        raise OSError(f"--resume {out}: the run there stopped before its first checkpoint; "
                      f"start it again with --out {out} --overwrite")
    with open(path) as file:
        try:
            return json.load(file)
        except ValueError as error:
            raise ValueError(f"{path} is damaged: {error}") from None


def save_metrics(out, value):
    """``metrics.json``: strict JSON, non-finite numbers written as null."""
    write_json(os.path.join(out, "metrics.json"), strict_json(value))
