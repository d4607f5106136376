"""Checkpoints: arrays to and from ``.npz`` files that load without pickle.

A file holds named arrays plus a small JSON header (the structure and versions), stored as
a unicode array, so :func:`numpy.load` reads it with ``allow_pickle=False``: loading a file
never runs code, and a file that carries a pickled object is refused. Every array is read
and checked before anything is copied, so a truncated, corrupted or mismatched file
changes nothing. :func:`save_state` and :func:`load_state` do this for optimizer states;
synapses and models have their own ``save`` and ``load``/``restore``.

Example:
    >>> import os, tempfile
    >>> import numpy as np
    >>> from ngc_rules import checkpoint, optim
    >>> theta = [np.ones(3, np.float32)]
    >>> state, theta = optim.adam_step(optim.adam_init(theta), theta, [np.ones(3, np.float32)])
    >>> path = os.path.join(tempfile.mkdtemp(), "adam.npz")
    >>> checkpoint.save_state(path, state)
    >>> restored = checkpoint.load_state(path, like=optim.adam_init(theta))
    >>> int(restored.t), np.array_equal(restored.m[0], state.m[0])
    (1, True)
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
    return read_json(str(arrays.pop(_HEADER)), path), arrays


def write_json(path, value):
    """Write ``value`` as JSON to ``path``, through a temporary file renamed over it."""
    temporary = f"{path}.partial"
    with open(temporary, "w") as file:
        json.dump(value, file, indent=1)
    os.replace(temporary, path)


def read_json(text, path):
    """The JSON object in ``text`` (read from ``path``), or a clear error."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ValueError(f"{path} has a damaged header: {error}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path} has a damaged header: expected a JSON object")
    return value


def state_leaves(state):
    """The arrays of an optimizer state, in a fixed order: depth first through its fields
    (nested states, lists, tuples and dicts)."""
    if isinstance(state, dict):
        return [leaf for value in state.values() for leaf in state_leaves(value)]
    if isinstance(state, (list, tuple)):
        return [leaf for value in state for leaf in state_leaves(value)]
    return [state]


def describe(state):
    """The layout of an optimizer state as text, e.g. ``AdamState(m=list[2], v=list[2],
    t)``: what a file must match to be loaded into it."""
    if isinstance(state, tuple) and hasattr(state, "_fields"):
        fields = ", ".join(f"{name}={describe(value)}" if describe(value) != "array" else name
                           for name, value in zip(state._fields, state))
        return f"{type(state).__name__}({fields})"
    if isinstance(state, dict):
        return "dict[" + ", ".join(f"{k!r}: {describe(v)}" for k, v in state.items()) + "]"
    if isinstance(state, (list, tuple)):
        inner = {describe(value) for value in state}
        kind = type(state).__name__
        return f"{kind}[{len(state)}]" if inner <= {"array"} else \
            f"{kind}[" + ", ".join(describe(value) for value in state) + "]"
    return "array"


def save_state(path, opt_params):
    """Write an optimizer state (host arrays) to ``path``, readable without pickle."""
    leaves = state_leaves(opt_params)
    for k, leaf in enumerate(leaves):
        if not isinstance(leaf, np.ndarray):
            raise TypeError(f"opt_params: leaf {k} is a {type(leaf).__name__}; save_state "
                            f"takes host (NumPy) arrays: copy device states to the host first")
    save_arrays(path, {f"leaf_{k}": leaf for k, leaf in enumerate(leaves)},
                {"kind": "optimizer state", "layout": describe(opt_params)})


def load_state(path, like):
    """The optimizer state saved in ``path``, as new arrays laid out like ``like`` (a state
    from the same init function for the same parameters). A file for another rule,
    layout, shape or dtype is refused with a clear error."""
    header, arrays = load_arrays(path)
    if header.get("kind") != "optimizer state":
        raise ValueError(f"{path} holds a {header.get('kind', 'checkpoint of another kind')}, "
                         f"not an optimizer state")
    if header.get("layout") != describe(like):
        raise ValueError(f"{path} holds an optimizer state laid out as {header.get('layout')}, "
                         f"expected {describe(like)}")
    targets = [np.array(leaf, copy=True) for leaf in state_leaves(like)]
    names = [f"leaf_{k}" for k in range(len(targets))]
    if sorted(arrays) != sorted(names):
        raise ValueError(f"{path} holds the arrays {sorted(arrays)}, expected {names}")
    copy_into(targets, [arrays[name] for name in names], path)
    return _rebuild(like, iter(targets))


def _rebuild(like, leaves):
    if isinstance(like, dict):
        return {key: _rebuild(value, leaves) for key, value in like.items()}
    if isinstance(like, tuple) and hasattr(like, "_fields"):
        return type(like)(*[_rebuild(value, leaves) for value in like])
    if isinstance(like, (list, tuple)):
        return type(like)(_rebuild(value, leaves) for value in like)
    return next(leaves)


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
