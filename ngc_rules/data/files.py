"""Readers for data files: IDX, the format of MNIST, Fashion-MNIST and EMNIST (plain or
gzipped), and NumPy ``.npz`` archives.

The readers return arrays; :func:`~ngc_rules.data.load` checks them and makes the Dataset.
Formats are told apart by their first bytes, not by the file's name.

Example:
    >>> import os, struct, tempfile
    >>> import numpy as np
    >>> from ngc_rules.data import read_idx
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "tiny-images-idx3-ubyte")
    >>> with open(path, "wb") as file:  # magic: 0, 0, type 0x08 (uint8), 3 dimensions
    ...     _ = file.write(bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 2, 1, 3))
    ...     _ = file.write(bytes([0, 128, 255, 1, 2, 3]))
    >>> read_idx(path)
    array([[[  0, 128, 255]],
    <BLANKLINE>
           [[  1,   2,   3]]], dtype=uint8)
    >>> folder.cleanup()
"""
import gzip
import math
import os
import struct
import zipfile
import zlib
from typing import NamedTuple, Optional

import numpy as np

IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
             0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
"""IDX data type codes and the big-endian types of their values."""

NPZ_KEYS = (("x", "y"), ("x", "labels"), ("x_train", "y_train"), ("images", "labels"),
            ("X", "y"), ("data", "target"))
"""The (inputs, targets) key pairs looked for, in this order, in a ``.npz`` archive."""

_GZIP, _ZIP, _IDX = b"\x1f\x8b", b"PK\x03\x04", b"\x00\x00"


class Arrays(NamedTuple):
    """Inputs and targets read from files, with their names for error messages."""
    x: np.ndarray
    targets: Optional[np.ndarray]
    x_name: str
    targets_name: Optional[str]


def read(path, labels=None, x_key=None, labels_key=None):
    """The :class:`Arrays` in ``path``, a ``.npz`` archive or an IDX file.

    Args:
        path: the file; its format is recognised by its first bytes.
        labels: for IDX inputs, the IDX file of their labels. Default: the file named
            like ``path`` with "labels" for "images" and "idx1" for "idx3", plain or
            ``.gz``, when it exists (``train-images-idx3-ubyte.gz`` pairs with
            ``train-labels-idx1-ubyte.gz``); else no labels.
        x_key, labels_key: for a ``.npz``, the keys of the inputs and of the targets; see
            :func:`read_npz`.
    """
    with open(path, "rb") as file:
        head = file.read(4)
    if head.startswith(_ZIP):
        if labels is not None:
            raise ValueError(f"labels={labels!r} names the label file of IDX images, but "
                             f"'{path}' is a .npz archive; choose its labels with labels_key")
        return read_npz(path, x_key, labels_key)
    if head[:2] in (_GZIP, _IDX):
        if x_key is not None or labels_key is not None:
            raise ValueError(f"x_key and labels_key choose arrays in a .npz archive, but "
                             f"'{path}' is an IDX file; name its label file with labels")
        if labels is not None and not isinstance(labels, (str, os.PathLike)):
            raise TypeError(f"labels must be the path of an IDX label file, got "
                            f"{type(labels).__name__}")
        labels = _labels_beside(path) if labels is None else labels
        return Arrays(read_idx(path), None if labels is None else read_idx(labels),
                      f"'{path}'", None if labels is None else f"'{labels}'")
    raise ValueError(f"'{path}' is neither a .npz archive nor an IDX file (plain or gzipped): "
                     f"it starts with bytes {head.hex(' ') or 'none, it is empty'}")


def read_idx(path):
    """The array in the IDX file ``path`` (plain or gzipped), in native byte order.

    An IDX file is a magic number (two zero bytes, a data type code from
    :data:`IDX_TYPES`, the number of dimensions), each dimension as a big-endian 32-bit
    integer, then the values, big-endian, in C order.
    """
    raw = _contents(path)
    if len(raw) < 4:
        raise ValueError(f"IDX file '{path}' is truncated: {len(raw)} bytes, fewer than the 4 "
                         f"of its magic number")
    if raw[:2] != _IDX:
        raise ValueError(f"'{path}' is not an IDX file: it starts with bytes "
                         f"{raw[:4].hex(' ')}, expected 00 00 <type code> <dimensions>")
    code, ndim = raw[2], raw[3]
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X} ({t.newbyteorder('=').name})"
                          for c, t in IDX_TYPES.items())
        raise ValueError(f"IDX file '{path}' has unknown data type code 0x{code:02X}; "
                         f"expected one of {known}")
    if ndim == 0:
        raise ValueError(f"IDX file '{path}' has 0 dimensions; expected at least 1")
    start = 4 + 4 * ndim
    if len(raw) < start:
        raise ValueError(f"IDX file '{path}' is truncated: its header needs {start} bytes for "
                         f"{ndim} dimensions, the file has {len(raw)}")
    shape = struct.unpack(f">{ndim}I", raw[4:start])
    dtype = IDX_TYPES[code]
    need, have = math.prod(shape) * dtype.itemsize, len(raw) - start
    if have != need:
        problem = "is truncated" if have < need else "is longer than its header says"
        raise ValueError(f"IDX file '{path}' {problem}: shape {shape} of "
                         f"{dtype.newbyteorder('=').name} needs {need} bytes of values, it "
                         f"has {have}")
    return np.frombuffer(raw, dtype, offset=start).reshape(shape).astype(
        dtype.newbyteorder("="))


def read_npz(path, x_key=None, labels_key=None):
    """The inputs and targets in the ``.npz`` archive ``path``, as :class:`Arrays`.

    Args:
        path: the archive; it is read without unpickling, so object arrays are refused.
        x_key: the key of the inputs. Default: the first pair of :data:`NPZ_KEYS` whose
            keys are both in the archive gives the inputs and the targets.
        labels_key: the key of the targets (with ``x_key``); none means no labels.
    """
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"'{path}' is not a readable .npz archive: {error}") from None
    with archive:
        x_key, labels_key = _npz_keys(path, archive.files, x_key, labels_key)
        return Arrays(_member(archive, path, x_key),
                      None if labels_key is None else _member(archive, path, labels_key),
                      f"'{path}'[{x_key!r}]",
                      None if labels_key is None else f"'{path}'[{labels_key!r}]")


def _contents(path):
    with open(path, "rb") as file:
        raw = file.read()
    if raw[:2] != _GZIP:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"'{path}' is a corrupt gzip file: {error}") from None


def _labels_beside(path):
    folder, name = os.path.split(os.fspath(path))
    if "images" not in name:
        return None
    twin = name.replace("images", "labels").replace("idx3", "idx1")
    for candidate in (twin, twin[:-3] if twin.endswith(".gz") else twin + ".gz"):
        if os.path.isfile(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    return None


def _npz_keys(path, keys, x_key, labels_key):
    if x_key is None and labels_key is None:
        for pair in NPZ_KEYS:
            if pair[0] in keys and pair[1] in keys:
                return pair
        pairs = ", ".join("/".join(pair) for pair in NPZ_KEYS)
        raise ValueError(f"'{path}' has none of the key pairs {pairs}: its keys are {keys}; "
                         f"choose them with x_key and labels_key")
    if x_key is None:
        raise ValueError(f"labels_key={labels_key!r} needs x_key, the key of the inputs in "
                         f"'{path}' (its keys are {keys})")
    for argument, key in (("x_key", x_key), ("labels_key", labels_key)):
        if key is not None and key not in keys:
            raise ValueError(f"{argument}={key!r} is not in '{path}': its keys are {keys}")
    return x_key, labels_key


def _member(archive, path, key):
    try:
        return archive[key]
    except ValueError as error:  # numpy's refusal of object arrays, or a bad header
        raise ValueError(f"'{path}'[{key!r}] cannot be read as an array of numbers: {error} "
                         f"(object arrays are refused: loading them would unpickle code)"
                         ) from None
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as error:
        raise ValueError(f"'{path}' is a corrupt .npz archive: {error}") from None
