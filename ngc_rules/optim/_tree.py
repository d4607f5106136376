"""Parameter structures: a single array, or a flat list, tuple or dict of arrays.

A step flattens ``theta`` into leaves, checks that ``updates`` and every state field have
the same structure, and rebuilds each result in ``theta``'s structure.
"""
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np


class Structure(NamedTuple):
    """How leaves were arranged: ``kind`` is "array", "list", "tuple" or "dict"; ``keys``
    are the dict's keys or the sequence's indices."""
    kind: str
    keys: tuple | range

    def label(self, name, index):
        """How the user would write leaf ``index`` of argument ``name``."""
        if self.kind == "array":
            return name
        key = self.keys[index]
        return f"{name}[{key!r}]" if self.kind == "dict" else f"{name}[{key}]"

    def build(self, leaves):
        if self.kind == "array":
            return leaves[0]
        if self.kind == "dict":
            return dict(zip(self.keys, leaves))
        return tuple(leaves) if self.kind == "tuple" else list(leaves)


def _is_array(leaf):
    return hasattr(leaf, "shape") and hasattr(leaf, "dtype")


def flatten(tree, name):
    """Leaves of ``tree`` and its structure; ``name`` is used in error messages.

    Every leaf must be an array: a list inside the structure would otherwise become an
    array of its own (``[[1., 2.], [3., 4.]]`` two parameters, or one stacked 2-D one).
    """
    if isinstance(tree, (list, tuple)):  # before the Mapping check, which is slower
        kind = "tuple" if isinstance(tree, tuple) else "list"
        leaves, structure = list(tree), Structure(kind, range(len(tree)))
    elif isinstance(tree, Mapping):
        leaves, structure = list(tree.values()), Structure("dict", tuple(tree.keys()))
    elif _is_array(tree):
        return [tree], Structure("array", (None,))
    else:
        raise TypeError(f"{name} must be an array or a list, tuple or dict of arrays, "
                        f"got {type(tree).__name__}")
    for k, leaf in enumerate(leaves):
        if type(leaf) is not np.ndarray and not _is_array(leaf):  # NumPy's without a call
            raise TypeError(f"{structure.label(name, k)} must be a NumPy array (or a device "
                            f"array), got {type(leaf).__name__}: {name} is an array or a "
                            f"flat list, tuple or dict of arrays")
    return leaves, structure


def flatten_like(tree, structure, name, reference="theta"):
    """Leaves of ``tree``, which must have the same structure as ``reference``."""
    if structure.kind == "dict":
        if not isinstance(tree, Mapping):
            raise TypeError(f"{name} must be a dict like {reference}, got {type(tree).__name__}")
        missing = [k for k in structure.keys if k not in tree]
        extra = [k for k in tree if k not in set(structure.keys)]
        if missing or extra:
            raise ValueError(f"{name} must have the keys of {reference}: "
                             f"missing {missing}, unexpected {extra}")
        return [tree[k] for k in structure.keys]
    if structure.kind == "array":
        if isinstance(tree, (Mapping, list, tuple)):
            raise TypeError(f"{name} must be a single array like {reference}, "
                            f"got {type(tree).__name__}")
        return [tree]
    if not isinstance(tree, (list, tuple)):
        raise TypeError(f"{name} must be a list or tuple like {reference}, "
                        f"got {type(tree).__name__}")
    if len(tree) != len(structure.keys):
        raise ValueError(f"{name} has {len(tree)} arrays but {reference} has "
                         f"{len(structure.keys)}")
    return list(tree)
