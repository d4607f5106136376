"""Gradients that touch only some rows of a parameter: :class:`IndexedSlices`.

Any step function takes an ``IndexedSlices`` in place of a dense update. Repeated
indices are summed first, in the order they appear (TensorFlow's deduplication). Then,
by default, the step is the one the dense gradient gives (tf.keras): every row's
moments decay and every row moves. ``adam_step(..., lazy=True)`` instead reads and
writes only the listed rows (PyTorch's ``SparseAdam``, TensorFlow Addons' ``LazyAdam``).
"""
import numpy as np

from . import _checks


class IndexedSlices:
    """Rows of a gradient: row ``indices[k]`` of a ``dense_shape`` array receives
    ``values[k]``, and repeated indices add up (TensorFlow's ``tf.IndexedSlices``).

    Args:
        values: an array of shape ``(len(indices),) + dense_shape[1:]`` (NumPy, or a
            device array for device parameters).
        indices: the rows, integers in ``[0, dense_shape[0])`` (NumPy or device).
        dense_shape: the shape of the parameter the rows belong to.

    Example:
        >>> import numpy as np
        >>> from ngc_rules import IndexedSlices, sgd_init, sgd_step
        >>> w = np.zeros((3, 2))
        >>> g = IndexedSlices(np.ones((2, 2)), np.array([2, 2]), (3, 2))
        >>> _, w = sgd_step(sgd_init(w), w, g, eta=0.5)
        >>> w.tolist()
        [[0.0, 0.0], [0.0, 0.0], [-1.0, -1.0]]
    """
    __slots__ = ("values", "indices", "dense_shape")

    def __init__(self, values, indices, dense_shape):
        self.values, self.indices = values, indices
        self.dense_shape = tuple(int(n) for n in dense_shape)

    def __repr__(self):
        return (f"IndexedSlices(values of shape {tuple(self.values.shape)}, "
                f"{len(self.indices)} indices, dense_shape={self.dense_shape})")


def prepare(slices, p, label, target, lazy):
    """Check ``slices`` against the parameter ``p`` and sum repeated rows.

    Returns ``(update, None)``, the dense equivalent of the update, or with ``lazy``
    ``(summed, rows)``: the distinct rows (sorted) and their summed values. ``target``
    is the kernels' module (``_cpu`` or ``_cuda``), which holds the row operations for
    arrays where ``p`` lives.
    """
    indices = check(slices, p, label)
    rows, inverse = np.unique(indices, return_inverse=True)
    summed = target.sum_rows(slices.values, inverse, len(rows))
    rows = target.index_array(rows)
    if lazy:
        return summed, rows
    dense = target.zeros(p.shape, summed.dtype)
    target.put_rows(dense, rows, summed)
    return dense, None


def check(slices, p, label):
    """Refuse ``slices`` that do not fit the parameter ``p``; returns the host indices."""
    if len(p.shape) == 0:
        raise ValueError(f"{label} is an IndexedSlices, but its parameter is 0-d: rows "
                         f"need at least one dimension")
    if slices.dense_shape != tuple(p.shape):
        raise ValueError(f"{label} has dense_shape {slices.dense_shape}, expected "
                         f"{tuple(p.shape)} like theta")
    indices = slices.indices
    indices = indices.copy_to_host() if hasattr(indices, "copy_to_host") else np.asarray(indices)
    if indices.ndim != 1 or indices.dtype.kind not in "iu":
        raise TypeError(f"{label}.indices must be a 1-D integer array, got shape "
                        f"{indices.shape} and dtype {indices.dtype}")
    values = slices.values
    expected = (len(indices),) + tuple(p.shape[1:])
    if not hasattr(values, "dtype") or tuple(values.shape) != expected:
        raise ValueError(f"{label}.values must have shape {expected} (one row per index), "
                         f"got {getattr(values, 'shape', type(values).__name__)}")
    if np.dtype(values.dtype).kind != "f":
        raise TypeError(f"{label}.values has dtype {values.dtype}, expected a float dtype")
    _checks.unmasked(f"{label}.values", values)
    outside = indices[(indices < 0) | (indices >= p.shape[0])]
    if outside.size:
        raise ValueError(f"{label}.indices must be in [0, {p.shape[0]}), got "
                         f"{outside[:5].tolist()}")
    return indices
