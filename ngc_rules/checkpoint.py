"""Checkpoints: arrays to and from ``.npz`` files that load without pickle.

A file holds named arrays plus a small JSON header (what it holds and for what), stored as
a unicode array. Loading never runs code and never trusts the file: its size, its zip
directory, the ``.npy`` header of every member and the JSON header are checked against
what the target expects before anything larger is read or allocated, and nothing is copied
unless the whole file matches. Every refusal is a ``ValueError`` naming the file.

Saving checks everything first, then writes under a new, unpredictable, exclusively
created name and renames it into place (:mod:`ngc_rules._atomic`): a crash, a kill or a
refused value leaves the previous checkpoint whole; a model's files are swapped in
together, as one directory. :func:`save_state` and :func:`load_state` do this for
optimizer states; synapses and models have their own ``save`` and ``load``/``restore``.

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
import contextlib
import json
import os
import re
import stat
import zipfile

import numpy as np

from ._atomic import write_file

_HEADER = "__header__"
_JSON_LIMIT = 1 << 23  # characters of a JSON file; a run's takes about 200 an epoch
_HEADER_LIMIT = 1 << 16  # characters of an .npz header; ours take a few hundred
_HEADER_BYTES = 4 * _HEADER_LIMIT  # stored as UCS-4
_NESTING_LIMIT = 32  # ours nest 4 deep; json.loads recurses once a level
_MEMBER_OVERHEAD = 8192  # zip and .npy header bytes allowed a member; ours take about 250
_NPY_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0}
# A JSON string; "? lets an unclosed one end the text, so no match is retried: linear time.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?')
_OPENERS, _CLOSERS = np.frombuffer(b"[{", np.uint8), np.frombuffer(b"]}", np.uint8)


def component_path(directory, name, suffix=""):
    """The file of the component ``name`` in ``directory``. A name that would leave the
    directory or name no file (empty, ``.``, ``..``, or with a path separator, which an
    absolute path has) is refused."""
    separators = {os.sep, os.altsep, "\0"} - {None}
    if name in ("", ".", "..") or any(s in name for s in separators):
        raise ValueError(f"the component name {name!r} cannot name a file in {directory}: "
                         f"expected a plain file name (no path separator, not empty, "
                         f"'.' or '..')")
    return os.path.join(directory, name + suffix)


# -- writing -----------------------------------------------------------------------------

def json_text(path, value, limit=_JSON_LIMIT):
    """``value`` as the JSON text of ``path``; refused now when it could not be read back."""
    try:
        text = json.dumps(value, indent=1)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: cannot be written as JSON: {error}") from None
    _check_json_bounds(text, limit, f"{path}: cannot be written")
    return text


def json_writer(path, value):
    """A function writing ``value`` to an open binary file as the JSON of ``path``; it is
    checked now, so a value that cannot be written fails before anything is."""
    data = json_text(path, value).encode()
    return lambda file: file.write(data)


def npz_writer(path, arrays, header):
    """A function writing ``arrays`` (name -> host array) and the JSON ``header`` to an
    open binary file as the ``.npz`` of ``path``; both are checked now, so a bad array or
    header fails before anything is written."""
    from . import __version__
    text = json_text(path, {"ngc_rules": __version__, **header}, _HEADER_LIMIT)
    for name, array in arrays.items():
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "biufc":
            what = f"of dtype {array.dtype}" if isinstance(array, np.ndarray) else \
                f"of type {type(array).__name__}"
            raise TypeError(f"{path}: the array {name!r} is {what}, expected host (NumPy) "
                            f"numbers: copy device arrays to the host first")
    return lambda file: np.savez(file, **{_HEADER: np.array(text)}, **arrays)


def save_arrays(path, arrays, header):
    """Write ``arrays`` (name -> array) and the JSON-serialisable ``header`` to ``path``,
    atomically (:func:`~ngc_rules._atomic.write_file`), after checking both."""
    write_file(path, npz_writer(path, arrays, header))


def write_json(path, value):
    """Write ``value`` as JSON to ``path``, atomically, after checking it can be."""
    write_file(path, json_writer(path, value))


# -- reading JSON ------------------------------------------------------------------------

def _nesting(text):
    """How deep the arrays and objects of the JSON ``text`` nest (strings skipped), in
    linear time: a hostile file must not stall the check either."""
    codes = np.frombuffer(_STRING.sub("", text).encode("utf-8", "ignore"), np.uint8)
    steps = np.isin(codes, _OPENERS).astype(np.int32) - np.isin(codes, _CLOSERS)
    return int(np.cumsum(steps, dtype=np.int32).max(initial=0))


def _check_json_bounds(text, limit, what):
    """Refuse JSON too long or too deep to parse safely (``json.loads`` recurses)."""
    if len(text) > limit:
        raise ValueError(f"{what}: its JSON is {len(text)} characters long, more than "
                         f"{limit}")
    depth = _nesting(text)
    if depth > _NESTING_LIMIT:
        raise ValueError(f"{what}: its JSON nests {depth} levels deep, more than "
                         f"{_NESTING_LIMIT}")


def read_json(text, path, limit=_JSON_LIMIT):
    """The JSON object in ``text`` (read from ``path``), or a clear error; too long or too
    deeply nested text is refused before it is parsed."""
    _check_json_bounds(text, limit, f"{path} has a damaged header")
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ValueError(f"{path} has a damaged header: {error}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path} has a damaged header: expected a JSON object")
    return value


def read_json_file(path):
    """The JSON object in the file ``path`` (see :func:`read_json`)."""
    with _open_bounded(path, _JSON_LIMIT) as file:
        data = file.read()
    try:
        return read_json(data.decode("utf-8"), path)
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} has a damaged header: {error}") from None


def _open_bounded(path, limit):
    """``path`` opened for binary reading if it is a regular file of at most ``limit``
    bytes (a FIFO or a device could block or never end)."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer (it changes nothing for files)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    file = os.fdopen(descriptor, "rb")
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        file.close()
        what = "not a regular file" if not stat.S_ISREG(info.st_mode) else \
            f"{info.st_size} bytes long"
        raise ValueError(f"{path} is {what}: expected a checkpoint file of at most {limit} "
                         f"bytes")
    return file


# -- reading arrays ----------------------------------------------------------------------

@contextlib.contextmanager
def _naming(path):
    """Turn any error while reading ``path`` (zip, format, checksum, or a refusal below)
    into one ``ValueError`` that names the file."""
    try:
        yield
    except Exception as error:
        raise ValueError(f"{path}: {error}") from None


def _entry(infos, name, size):
    """The zip entry of the array ``name``, checked to unpack to at most ``size`` bytes of
    data (and headers)."""
    found = [info for info in infos if info.filename == f"{name}.npy"]
    if len(found) != 1:
        raise ValueError(f"it holds {len(found)} members named {name}.npy, expected one")
    if found[0].file_size > size + _MEMBER_OVERHEAD:
        raise ValueError(f"its member {name}.npy unpacks to {found[0].file_size} bytes, "
                         f"more than the {size + _MEMBER_OVERHEAD} it can take")
    return found[0]


def _members(infos, like):
    """The zip entries of the arrays of ``like``, by name, after checking that the archive
    holds exactly these ``.npy`` members and the header."""
    names = sorted(info.filename for info in infos)
    expected = sorted(f"{name}.npy" for name in [_HEADER, *like])
    if names != expected:
        raise ValueError(f"it holds the members {names[:len(expected) + 1]}, expected "
                         f"{expected}")
    return {name: _entry(infos, name, target.nbytes) for name, target in like.items()}


def _read_npy(archive, info, check):
    """The array in the zip entry ``info``. Its ``.npy`` header is read first and given to
    ``check(shape, dtype)``, which raises unless it is expected, so no data of an
    unexpected size or kind (a pickle) is read."""
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version not in _NPY_HEADERS:
            raise ValueError(f"its member {info.filename} is .npy version {version}, "
                             f"expected 1.0 or 2.0")
        shape, fortran_order, dtype = _NPY_HEADERS[version](member)
        check(shape, dtype)
        size = int(np.prod(shape)) * dtype.itemsize
        data = member.read(size)
        if len(data) != size or member.read(1):  # reading to the end checks the zip CRC
            raise ValueError(f"its member {info.filename} holds other than the {size} bytes "
                             f"of data its header gives")
    return np.frombuffer(data, dtype).reshape(shape, order="F" if fortran_order else "C")


def _check_like(name, like):
    """A check for :func:`_read_npy` that the array ``name`` is shaped and typed as
    ``like``."""
    def check(shape, dtype):
        if shape != like.shape or dtype != like.dtype:
            raise ValueError(f"the array {name!r} is {dtype}{list(shape)}, expected "
                             f"{like.dtype}{list(like.shape)}")
    return check


def _check_text(shape, dtype):
    if shape != () or dtype.kind != "U":
        raise ValueError(f"its header is {dtype}{list(shape)}, expected a unicode string")


def _check_header(found, expected):
    """Refuse a file whose header differs from ``expected`` in any of its entries."""
    for key, value in expected.items():
        if found.get(key) != value:
            raise ValueError(f"the checkpoint's {key} is {found.get(key)!r}, expected "
                             f"{value!r}")


def _read_npz(path, like, header):
    """The arrays of ``path`` matching ``like`` (name -> array), read once its size, its
    members, its header (which must hold ``header``'s entries) and each array's shape and
    dtype are checked."""
    sizes = [_HEADER_BYTES, *(target.nbytes for target in like.values())]
    with _open_bounded(path, sum(sizes) + len(sizes) * _MEMBER_OVERHEAD) as file, \
            _naming(path), zipfile.ZipFile(file) as archive:
        infos = archive.infolist()
        text = _read_npy(archive, _entry(infos, _HEADER, _HEADER_BYTES), _check_text)
        _check_header(read_json(str(text[()]), "it", _HEADER_LIMIT), header)
        return {name: _read_npy(archive, info, _check_like(name, like[name]))
                for name, info in _members(infos, like).items()}


def load_into(path, targets, header):
    """Read the arrays saved in ``path`` into ``targets`` (name -> array). The whole file
    is checked first: its header must hold ``header``'s entries and its arrays be exactly
    ``targets``' names, shapes and dtypes; read-only targets are refused before the file
    is opened. Nothing is copied unless everything matches."""
    read_only = [name for name, target in targets.items() if not target.flags.writeable]
    if read_only:
        raise ValueError(f"cannot load {path} into the read-only arrays {read_only}")
    sources = _read_npz(path, targets, header)
    for name, target in targets.items():
        np.copyto(target, sources[name])


# -- optimizer states --------------------------------------------------------------------

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


def _state_header(state):
    return {"kind": "optimizer state", "layout": describe(state)}


def save_state(path, opt_params):
    """Write an optimizer state (host arrays) to ``path``, readable without pickle."""
    leaves = state_leaves(opt_params)
    save_arrays(path, {f"leaf_{k}": leaf for k, leaf in enumerate(leaves)},
                _state_header(opt_params))


def load_state(path, like):
    """The optimizer state saved in ``path``, as new arrays laid out like ``like`` (a state
    from the same init function for the same parameters). A file for another rule,
    layout, shape or dtype is refused with a clear error."""
    targets = {f"leaf_{k}": np.array(leaf, copy=True)
               for k, leaf in enumerate(state_leaves(like))}
    load_into(path, targets, _state_header(like))
    return _rebuild(like, iter(targets.values()))


def _rebuild(like, leaves):
    if isinstance(like, dict):
        return {key: _rebuild(value, leaves) for key, value in like.items()}
    if isinstance(like, tuple) and hasattr(like, "_fields"):
        return type(like)(*[_rebuild(value, leaves) for value in like])
    if isinstance(like, (list, tuple)):
        return type(like)(_rebuild(value, leaves) for value in like)
    return next(leaves)
