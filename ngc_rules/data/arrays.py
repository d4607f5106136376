"""Arrays in, a checked :class:`Dataset` out.

:func:`from_arrays` turns a researcher's own arrays into the :class:`Dataset` the models and
the training loop read; :func:`as_dataset` accepts a ``Dataset`` or arrays wherever data is
passed in. Each bad input fails at once, with a one-line error that names the argument, the
offending value and what was expected, rather than deep inside training.

Example:
    >>> import numpy as np
    >>> from ngc_rules import data
    >>> images = np.array([[[0, 255], [51, 102]], [[255, 0], [0, 255]]], np.uint8)
    >>> ds = data.from_arrays(images, labels=[1, 0], scale=255)
    >>> ds.x
    array([[0. , 1. , 0.2, 0.4],
           [1. , 0. , 0. , 1. ]], dtype=float32)
    >>> ds.y, ds.labels, ds.image_shape
    (array([[0., 1.],
           [1., 0.]], dtype=float32), array([1, 0]), (2, 2))
    >>> data.from_arrays([[0.0, 1.0], [2.0, np.nan]])
    Traceback (most recent call last):
    ...
    ValueError: x has 1 non-finite value, the first nan at index (1, 1); expected finite numbers ...
"""
import math
import numbers
from typing import NamedTuple

import numpy as np

from ..optim._checks import positive, whole_number


class Dataset(NamedTuple):
    """Inputs ``x`` (float32, one row per sample), one-hot ``y`` and integer ``labels``
    (``y`` of shape ``(n, 0)`` and empty ``labels`` when the data has no classes), and
    ``image_shape`` (height, width) for plotting rows as images."""
    x: np.ndarray
    y: np.ndarray
    labels: np.ndarray
    image_shape: tuple

    def __len__(self):
        return len(self.x)

    def __repr__(self):
        classes = f"{self.y.shape[1]} classes" if len(self.labels) else "no classes"
        return (f"Dataset({len(self)} samples of {self.x.shape[1]} features, {classes}, "
                f"image_shape={self.image_shape})")

    def take(self, rows):
        """The samples at ``rows``."""
        labels = self.labels[rows] if len(self.labels) else self.labels
        return Dataset(self.x[rows], self.y[rows], labels, self.image_shape)


def from_arrays(x, labels=None, y=None, image_shape=None, n_classes=None, scale=None, name="x"):
    """A checked :class:`Dataset` from arrays.

    Args:
        x: real numbers (bool, integer or float), one sample per row: ``(n, features)``,
            images ``(n, height, width)`` or ``(n, height, width, channels)``. Rows are
            flattened in C order to float32.
        labels: ``n`` class numbers in ``0..n_classes - 1``: integers, or floats that are
            whole numbers.
        y: instead of (or agreeing with) ``labels``, one-hot targets ``(n, classes)``.
            With neither, the data has no classes (``y`` of shape ``(n, 0)``, empty
            ``labels``), like :func:`~ngc_rules.data.bars`.
        image_shape: (height, width) for plotting a row as an image. Default: ``(h, w)``
            for images, ``(h, w * channels)`` for images with channels (each pixel's
            channels side by side), ``(s, s)`` for ``s * s`` features, else
            ``(1, features)``.
        n_classes: the number of classes; default ``labels.max() + 1``, or the columns of
            ``y``.
        scale: ``None`` keeps the values; a positive number divides by it (255 for uint8
            images); ``"minmax"`` maps the data's minimum..maximum to 0..1. Never guessed.
        name: what to call ``x`` in error messages.

    Returns:
        A :class:`Dataset`; ``x`` is float32 and C-contiguous, sharing memory with the
        ``x`` given when that already is and no ``scale`` is given.

    Example:
        >>> from ngc_rules import data
        >>> ds = data.from_arrays([[3, 1, 0], [0, 2, 6]], y=[[0, 1], [1, 0]], scale=6)
        >>> ds.x, ds.labels, ds.image_shape
        (array([[0.5       , 0.16666667, 0.        ],
               [0.        , 0.33333334, 1.        ]], dtype=float32), array([1, 0]), (1, 3))
        >>> data.from_arrays([[1.0], [2.0]], labels=[0, 2.5])
        Traceback (most recent call last):
        ...
        ValueError: labels has 1 non-whole label, the first 2.5 at index 1; expected whole numbers
    """
    return build(x, labels, y, image_shape, n_classes, scale, (name, "labels", "y"))


def as_dataset(value, name="data"):
    """``value`` as a checked :class:`Dataset`, for functions that take data.

    Args:
        value: a :class:`Dataset` (checked again: matching lengths, finite ``x``, one-hot
            ``y`` agreeing with ``labels``), an array ``x``, or a tuple ``(x,)`` or
            ``(x, targets)`` where 1-D targets are labels and 2-D ones one-hot ``y``.
        name: what to call ``value`` in error messages.

    Example:
        >>> import numpy as np
        >>> from ngc_rules import data
        >>> len(data.as_dataset((np.eye(3), [0, 1, 1]), "train"))
        3
        >>> x = np.zeros((3, 4), np.float32)
        >>> data.as_dataset(data.Dataset(x, np.eye(2), np.arange(2), (2, 2)), "train")
        Traceback (most recent call last):
        ...
        ValueError: train.y has length 2 but train.x has 3 samples; expected one entry per sample
    """
    if isinstance(value, Dataset):
        labels = None if value.labels is None or len(value.labels) == 0 else value.labels
        y = None if value.y is None else np.asarray(value.y)
        if labels is None and y is not None and y.shape[1:] == (0,):  # no classes: y (n, 0)
            _check_rows(y, f"{name}.y", len(value.x), f"{name}.x")
            y = None
        return build(value.x, labels, y, value.image_shape, None, None,
                     (f"{name}.x", f"{name}.labels", f"{name}.y"))
    if isinstance(value, tuple):
        if len(value) not in (1, 2):
            raise TypeError(f"{name} must be a tuple (x,) or (x, labels), got a tuple of "
                            f"{len(value)} items")
        x, targets = value[0], value[1] if len(value) == 2 else None
        return build(x, *split_targets(targets), None, None, None,
                     (f"{name}[0]", f"{name}[1]", f"{name}[1]"))
    if not isinstance(value, (np.ndarray, list)) and not hasattr(value, "__array__"):
        raise TypeError(f"{name} must be a Dataset, an array x or a tuple (x, labels), got "
                        f"{type(value).__name__}")
    return build(value, None, None, None, None, None, (name, "labels", "y"))


def split_targets(targets):
    """``(labels, y)`` from targets: 2-D ones are one-hot ``y``, others labels."""
    if targets is None:
        return None, None
    return (None, targets) if np.ndim(targets) == 2 else (targets, None)


def build(x, labels, y, image_shape, n_classes, scale, names):
    """:func:`from_arrays` with ``names`` for x, labels and y in the error messages."""
    x_name, labels_name, y_name = names
    original = _real_array(x, x_name)
    if original.ndim not in (2, 3, 4):
        raise ValueError(f"{x_name} must have one sample per row: shape (n, features), "
                         f"(n, height, width) or (n, height, width, channels), got shape "
                         f"{original.shape}")
    if original.size == 0:
        raise ValueError(f"{x_name} is empty: shape {original.shape}; expected at least one "
                         f"sample and one feature")
    image_shape = _image_shape(image_shape, original.shape, x_name)
    n_classes = whole_number("n_classes", n_classes, 1, optional=True)
    n = len(original)
    with np.errstate(over="ignore"):  # values beyond float32's range are reported below
        x = np.ascontiguousarray(original.reshape(n, -1), np.float32)
    _refuse(~np.isfinite(x).reshape(original.shape), original, x_name, "non-finite value",
            "finite numbers (nan, inf and values beyond float32's range are refused)")
    x = _scaled(x, scale, x_name)
    if labels is None and y is None:
        if n_classes is not None:
            raise ValueError(f"n_classes={n_classes} needs labels or y; without them "
                             f"{x_name} has no classes")
        return Dataset(x, np.zeros((n, 0), np.float32), np.zeros(0, np.int64), image_shape)
    if y is not None:
        y_labels, y_classes = _one_hot_classes(y, y_name, n, x_name)
        if n_classes is not None and n_classes != y_classes:
            raise ValueError(f"n_classes={n_classes} but {y_name} has {y_classes} columns; "
                             f"expected one column per class")
        n_classes = y_classes
    if labels is not None:
        labels = _labels(labels, labels_name, n, x_name, n_classes)
        n_classes = n_classes or int(labels.max()) + 1
        if y is not None:
            _agree(labels, labels_name, y_labels, y_name)
    else:
        labels = y_labels
    return Dataset(x, _one_hot(labels, n_classes), labels, image_shape)


def _real_array(value, name):
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers (bool, integer or float), got dtype "
                        f"{array.dtype}")
    return array


def _check_rows(array, name, n, x_name):
    if len(array) != n:
        raise ValueError(f"{name} has length {len(array)} but {x_name} has {n} samples; "
                         f"expected one entry per sample")


def _refuse(bad, values, name, what, expected):
    """A ValueError saying how many entries of ``values`` are ``bad`` and which is first."""
    count = int(np.count_nonzero(bad))
    if count:
        first = np.unravel_index(np.argmax(bad), bad.shape)
        index = first[0] if len(first) == 1 else tuple(int(i) for i in first)
        raise ValueError(f"{name} has {count} {what}{'s' * (count > 1)}, the first "
                         f"{_show(values[first])} at index {index}; expected {expected}")


def _show(value):
    """A value for a one-line message: numbers as NumPy prints them, long rows shortened."""
    if np.ndim(value) == 0:
        return str(value)
    return np.array2string(value, threshold=8, edgeitems=3, max_line_width=10**6)


def _scaled(x, scale, name):
    if scale is None:
        return x
    if isinstance(scale, str):
        if scale != "minmax":
            raise ValueError(f"scale must be None, a positive number or 'minmax', got "
                             f"{scale!r}")
        low, high = x.min(), x.max()
        if low == high:
            raise ValueError(f"scale='minmax' needs {name} to vary, but every value is "
                             f"{_show(low)}")
        with np.errstate(over="ignore"):
            scaled = (x - low) / (high - low)
    else:
        with np.errstate(over="ignore"):
            scaled = x / np.float32(positive("scale", scale))
    _refuse(~np.isfinite(scaled), x, f"{name} with scale={scale!r}", "overflowing value",
            "values whose scaled result is finite in float32")
    return scaled


def _image_shape(image_shape, shape, name):
    features = math.prod(shape[1:])
    if image_shape is None:
        if len(shape) > 2:
            return shape[1], math.prod(shape[2:])
        side = math.isqrt(features)
        return (side, side) if side * side == features else (1, features)
    if not (isinstance(image_shape, (tuple, list)) and len(image_shape) == 2
            and all(isinstance(s, numbers.Integral) and not isinstance(s, (bool, np.bool_))
                    and s > 0 for s in image_shape)):
        raise ValueError(f"image_shape must be (height, width), two positive integers, got "
                         f"{image_shape!r}")
    if math.prod(image_shape) != features:
        raise ValueError(f"image_shape {tuple(image_shape)} holds {math.prod(image_shape)} "
                         f"pixels but {name} has {features} features per sample; expected "
                         f"height * width == {features}")
    return int(image_shape[0]), int(image_shape[1])


def _labels(labels, name, n, x_name, n_classes):
    labels = _real_array(labels, name)
    if labels.dtype.kind == "b":
        raise TypeError(f"{name} must be class numbers (integers or whole-number floats), "
                        f"got dtype bool")
    if labels.ndim != 1:
        raise ValueError(f"{name} must be 1-D, one class number per sample, got shape "
                         f"{labels.shape}")
    _check_rows(labels, name, n, x_name)
    if labels.dtype.kind == "f":
        _refuse(~np.isfinite(labels) | (labels != np.round(labels)), labels, name,
                "non-whole label", "whole numbers")
    _refuse(labels < 0, labels, name, "negative label", "class numbers >= 0")
    if n_classes is not None:
        _refuse(labels >= n_classes, labels, name, "out-of-range label",
                f"class numbers in 0..{n_classes - 1} (n_classes={n_classes})")
    return labels.astype(np.int64)


def _one_hot_classes(y, name, n, x_name):
    """The labels in one-hot ``y`` and the number of classes, its columns."""
    y = _real_array(y, name)
    if y.ndim != 2 or y.shape[1] == 0:
        raise ValueError(f"{name} must be one-hot targets of shape (n, classes), got shape "
                         f"{y.shape}")
    _check_rows(y, name, n, x_name)
    one_hot = ((y == 0) | (y == 1)).all(axis=1) & (np.count_nonzero(y == 1, axis=1) == 1)
    _refuse(~one_hot, y, name, "non-one-hot row",
            "a single 1 and 0 elsewhere in each row")
    return y.argmax(axis=1).astype(np.int64), y.shape[1]


def _agree(labels, labels_name, from_y, y_name):
    differ = np.flatnonzero(labels != from_y)
    if len(differ):
        i = differ[0]
        raise ValueError(f"{labels_name} and {y_name} disagree at {len(differ)} of "
                         f"{len(labels)} samples, the first at index {i}: label {labels[i]} "
                         f"but the one-hot row says {from_y[i]}; expected the same classes")


def _one_hot(labels, n_classes):
    y = np.zeros((len(labels), n_classes), np.float32)
    y[np.arange(len(labels)), labels] = 1.0
    return y
