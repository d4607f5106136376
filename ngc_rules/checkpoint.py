"""Arrays to and from ``.npz`` files that load without pickle.

A file holds named arrays plus a small JSON header (the structure and versions), stored as
a unicode array, so :func:`numpy.load` can read it with ``allow_pickle=False``.
"""
import json
import os

import numpy as np

_HEADER = "__header__"


def save_arrays(path, arrays, header):
    """Write ``arrays`` (name -> array) and the JSON-serialisable ``header`` to ``path``.

    The file is written next to its destination and renamed over it, so a crash never
    leaves a half-written checkpoint behind.
    """
    from . import __version__
    text = json.dumps({"ngc_rules": __version__, **header})
    temporary = f"{path}.partial.npz"
    np.savez(temporary, **{_HEADER: np.array(text)}, **arrays)
    os.replace(temporary, path)


def load_arrays(path):
    """The header and the arrays of a file written by :func:`save_arrays`."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except FileNotFoundError:  # a missing file keeps its own, clearer, error
        raise
    except Exception as error:  # zip, format and pickle errors all mean the same to a user
        raise ValueError(f"{path} is not a readable ngc_rules checkpoint: {error}") from None
    if _HEADER not in arrays:
        raise ValueError(f"{path} is not an ngc_rules checkpoint (it has no header)")
    return json.loads(str(arrays.pop(_HEADER))), arrays


def state_leaves(state):
    """The arrays of an optimizer state, in a fixed order (fields, then their leaves)."""
    if isinstance(state, np.ndarray):
        return [state]
    leaves = []
    for field in state:
        if isinstance(field, dict):
            leaves.extend(field.values())
        elif isinstance(field, (list, tuple)):
            leaves.extend(field)
        else:
            leaves.append(field)
    return leaves


def copy_into(targets, sources, what):
    """Copy each array of ``sources`` into the matching array of ``targets``, after checking
    every shape and dtype, so a mismatched file changes nothing."""
    if len(targets) != len(sources):
        raise ValueError(f"{what}: the checkpoint holds {len(sources)} arrays, "
                         f"expected {len(targets)}")
    for k, (target, source) in enumerate(zip(targets, sources)):
        if target.shape != source.shape or target.dtype != source.dtype:
            raise ValueError(f"{what}: array {k} of the checkpoint is {source.dtype}"
                             f"{list(source.shape)}, expected {target.dtype}"
                             f"{list(target.shape)}")
    for target, source in zip(targets, sources):
        np.copyto(target, source)
