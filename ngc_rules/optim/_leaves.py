"""The tensors of a step as its kernels see them: flat views of exactly the memory that
was checked.

A leaf is made for each tensor of theta with its update and state arrays. Plain NumPy
arrays take one short pass (:func:`plain_leaf`); anything else is converted or refused
with an error naming the argument (:func:`host_leaf`, :func:`device_leaf`).
"""
import numpy as np

from . import _checks, _cpu, sparse
from ._checks import HOST_DTYPES, like, mismatch
from ._targets import device_target, on_device, state_dtype

_F32, _F64 = HOST_DTYPES


class Leaf:
    """One tensor: the flat views the kernel updates in place (``p``, ``s``) and reads
    (``g``), and in a functional step the new arrays handed back (``p_new``, ``s_new``).

    A lazy sparse update runs the kernel on copies of the touched ``rows`` only;
    ``write_back`` pairs each full array with its updated rows. ``owned``: ``p_new`` and
    ``s_new`` are known to be allocations of their own (see ``_checks.WrittenMemory``)."""
    __slots__ = ("p", "g", "s", "p_new", "s_new", "rows", "write_back", "owned")

    def __init__(self, p_new, s_new, p, g, s, rows=None, write_back=(), owned=False):
        self.p_new, self.s_new, self.p, self.g, self.s = p_new, s_new, p, g, s
        self.rows, self.write_back, self.owned = rows, write_back, owned

    @classmethod
    def of(cls, p_new, s_new, g, rows, target, order="C"):
        """The leaf over flat views of ``p_new`` and ``s_new`` in ``order``, or over
        copies of their ``rows``."""
        if rows is None:
            return cls(p_new, s_new, _flat(p_new, order), g,
                       tuple([_flat(a, order) for a in s_new]))
        write_back = tuple((full, target.take_rows(full, rows)) for full in [p_new] + s_new)
        p, *s = [_flat(touched, "C") for _, touched in write_back]
        return cls(p_new, s_new, p, g, tuple(s), rows, write_back)


def _flat(array, order):
    """A 1-D view of a contiguous host or device array."""
    return array.ravel(order) if isinstance(array, np.ndarray) else array.reshape(array.size)


def plain_leaf(p, g, states, inplace):
    """The leaf of the common case, checked in few operations: NumPy arrays of one
    shape and dtype (float32 or float64), theta C-contiguous, and for a step in place
    the state too and everything writeable. None for anything else, which
    :func:`host_leaf` then converts or refuses."""
    if type(p) is not np.ndarray or type(g) is not np.ndarray:
        return None
    shape, dtype = p.shape, p.dtype
    if g.shape != shape or g.dtype is not dtype or not (dtype is _F32 or dtype is _F64):
        return None
    for a in states:
        if type(a) is not np.ndarray or a.shape != shape or a.dtype is not dtype:
            return None
    owned = inplace
    for a in [p, *states] if inplace else [p]:
        flags = a.flags
        if not flags.c_contiguous or (inplace and not flags.writeable):
            return None
        owned = owned and flags.owndata and a.base is None  # read here at little cost
    if not inplace:  # the kernel then updates fresh copies
        p, states = p.copy(), [a.copy() for a in states]
    return Leaf(p, states, p.ravel(), g.ravel(), tuple([a.ravel() for a in states]),
                 owned=owned)


def host_leaf(structure, fields, k, p, g, states, inplace, lazy):
    leaf = plain_leaf(p, g, states, inplace)
    if leaf is not None:
        return leaf
    label = structure.label
    if on_device(p):
        raise mismatch(label("theta", k), device=False)
    p = _checks.host_array(label("theta", k), p, inplace)
    dtype, flags = p.dtype, p.flags
    if dtype not in HOST_DTYPES:
        _checks.param_dtype(label("theta", k), dtype, device=False)
    order = "F" if flags.f_contiguous and not flags.c_contiguous else "C"
    if inplace:
        _checks.writable(label("theta", k), flags)
    rows = None
    if type(g) is not np.ndarray:
        if on_device(g.values if isinstance(g, sparse.IndexedSlices) else g):
            raise mismatch(label("updates", k), device=False)
        if isinstance(g, sparse.IndexedSlices):
            g, rows = sparse.prepare(g, p, label("updates", k), _cpu, lazy)
        g = _checks.host_array(label("updates", k), g, written=False)
    if g.dtype.kind != "f":
        raise TypeError(f"{label('updates', k)} has dtype {g.dtype}, expected a float dtype")
    if rows is None and g.shape != p.shape:
        like(label("updates", k), g, p, g.dtype)
    checked = []
    for field, s in zip(fields, states):
        if on_device(s):
            raise mismatch(label(f"opt_params.{field}", k), device=False)
        s = _checks.host_array(label(f"opt_params.{field}", k), s, inplace)
        if s.shape != p.shape or s.dtype != dtype:
            like(label(f"opt_params.{field}", k), s, p, dtype)
        if inplace:
            _checks.laid_out_like(label(f"opt_params.{field}", k), s.flags, label("theta", k),
                                  order)
        checked.append(s)
    if not inplace:  # the kernel then updates fresh copies
        p = np.array(p, order=order)
        checked = [np.array(s, order=order) for s in checked]
    if g.dtype != dtype:
        g = g.astype(dtype)
    return Leaf.of(p, checked, g.ravel(order if rows is None else "C"), rows, _cpu, order)


def device_leaf(structure, fields, k, p, g, states, inplace, lazy):
    cuda = device_target()
    if not on_device(p):
        raise mismatch(structure.label("theta", k), device=True)
    p = cuda.as_device_array(p)
    _checks.param_dtype(structure.label("theta", k), p.dtype, device=True)
    rows = None
    if isinstance(g, sparse.IndexedSlices):
        label = structure.label("updates", k)
        if not on_device(g.values):
            raise mismatch(f"{label}.values", device=True)
        if g.values.dtype != p.dtype:
            raise TypeError(f"{label}.values has dtype {g.values.dtype}, expected {p.dtype} "
                            f"like theta")
        g, rows = sparse.prepare(g, p, label, cuda, lazy)

    def checked(what, array, dtype):
        if not on_device(array):
            raise mismatch(structure.label(what, k), device=True)
        array = cuda.as_device_array(array)
        like(structure.label(what, k), array, p, dtype)
        if not array.is_c_contiguous():
            raise ValueError(f"{structure.label(what, k)} must be a C-contiguous device array")
        return array

    p = checked("theta", p, p.dtype)
    g = checked("updates", g, p.dtype) if rows is None else g
    states = [checked(f"opt_params.{f}", s, state_dtype(p.dtype))
              for f, s in zip(fields, states)]
    if not inplace:  # the kernel then updates fresh copies, made on the device
        p = cuda.copy(p)
        states = [cuda.copy(s) for s in states]
    return Leaf.of(p, states, g.reshape(g.size), rows, cuda)
