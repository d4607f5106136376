"""Built-in data sets (no download, ever), and :func:`load` for them or for data files."""
import os

import numpy as np

from . import files
from .arrays import build, from_arrays, split_targets

_HERE = os.path.dirname(__file__)


def digits():
    """1,797 handwritten digits, 8x8 pixels scaled to ``[0, 1]``, labels 0..9: the copy
    shipped with the package of UCI "Optical Recognition of Handwritten Digits" (Alpaydin &
    Kaynak, CC BY 4.0). Other data goes through :func:`load` or :func:`from_arrays`."""
    with np.load(os.path.join(_HERE, "digits.npz"), allow_pickle=False) as archive:
        return from_arrays(archive["images"], archive["labels"], image_shape=(8, 8), scale=16)


def gaussian_clusters(n=1200, n_classes=4, dim=16, spread=0.6, seed=0):
    """``n`` points around ``n_classes`` random centres in ``[0, 1]^dim``, labelled by
    centre; ``spread`` is the noise's standard deviation relative to the centres' spacing."""
    rng = np.random.default_rng(seed)
    centres = rng.random((n_classes, dim))
    labels = rng.integers(0, n_classes, n)
    spacing = np.min([np.linalg.norm(a - b) for i, a in enumerate(centres)
                      for b in centres[i + 1:]]) if n_classes > 1 else 1.0
    x = centres[labels] + rng.normal(0, spread * spacing / np.sqrt(dim), (n, dim))
    return from_arrays(np.clip(x, 0.0, 1.0), labels, image_shape=(1, dim), n_classes=n_classes)


def bars(n=2000, size=8, p=None, seed=0):
    """Foldiak's bars: ``size x size`` images, each of the ``2 * size`` horizontal and
    vertical bars on with probability ``p`` (default ``1 / size``); pixels are 0 or 1.
    No labels: the data for learning sparse features."""
    rng = np.random.default_rng(seed)
    p = 1.0 / size if p is None else p
    rows = rng.random((n, size)) < p
    cols = rng.random((n, size)) < p
    return from_arrays(rows[:, :, None] | cols[:, None, :])


def split(data, test_fraction=0.2, seed=0):
    """A shuffled ``(train, test)`` split."""
    order = np.random.default_rng(seed).permutation(len(data))
    n_test = int(round(len(data) * test_fraction))
    return data.take(order[n_test:]), data.take(order[:n_test])


NAMES = {"digits": digits, "clusters": gaussian_clusters, "bars": bars}
"""Data sets by the names the command line uses."""


def load(source, labels=None, x_key=None, labels_key=None, image_shape=None, n_classes=None,
         scale=None, **options):
    """A built-in data set by name, or a checked Dataset from a ``.npz`` or IDX file.

    Args:
        source: a name in :data:`NAMES` ("digits", "clusters", "bars"), or the path of a
            ``.npz`` archive or an IDX file (plain or ``.gz``), told apart by their first
            bytes.
        labels: for IDX images, the IDX file of their labels. Default: the file named
            like ``source`` with "labels" for "images" and "idx1" for "idx3", plain or
            ``.gz``, when it exists (MNIST's ``train-images-idx3-ubyte.gz`` pairs with
            ``train-labels-idx1-ubyte.gz``); else the data has no labels.
        x_key, labels_key: for a ``.npz``, the keys of the inputs and of the labels (1-D)
            or one-hot targets (2-D). Default: the first pair present among
            :data:`~ngc_rules.data.files.NPZ_KEYS`: ``x``/``y``, ``x``/``labels``,
            ``x_train``/``y_train`` (Keras' ``mnist.npz``), ``images``/``labels``,
            ``X``/``y``, ``data``/``target``. Given ``x_key`` alone: no labels.
        image_shape, n_classes, scale: as in :func:`from_arrays`.
        **options: the keyword arguments of a built-in data set, e.g. ``n`` or ``seed``.

    Raises:
        FileNotFoundError: ``source`` is a path to a file that does not exist.
        ValueError: an unknown name, or a file that is corrupt or fails the checks of
            :func:`from_arrays` (the message names the file and, for a ``.npz``, the key).

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from ngc_rules import data
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = os.path.join(folder.name, "mine.npz")
        >>> np.savez(path, x=np.array([[0, 10], [20, 40]]), y=np.array([1, 0]))
        >>> ds = data.load(path, scale=40)
        >>> ds.x.tolist(), ds.labels.tolist(), ds.image_shape
        ([[0.0, 0.25], [0.5, 1.0]], [1, 0], (1, 2))
        >>> folder.cleanup()
        >>> len(data.load("bars", n=10))
        10
    """
    if isinstance(source, str) and source in NAMES:
        given = dict(labels=labels, x_key=x_key, labels_key=labels_key,
                     image_shape=image_shape, n_classes=n_classes, scale=scale)
        return NAMES[source](**{k: v for k, v in given.items() if v is not None}, **options)
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"source must be a built-in name or a path, got "
                        f"{type(source).__name__}")
    if not os.path.exists(source) and not _looks_like_path(source):
        raise ValueError(f"unknown data set {source!r}: expected one of {sorted(NAMES)}, or "
                         f"the path of a .npz or IDX file (no file {source!r} exists)")
    if options:
        raise TypeError(f"load() got {sorted(options)} for the file '{source}'; a file takes "
                        f"labels, x_key, labels_key, image_shape, n_classes and scale")
    arrays = files.read(source, labels, x_key, labels_key)
    return build(arrays.x, *split_targets(arrays.targets), image_shape, n_classes, scale,
                 (arrays.x_name, arrays.targets_name, arrays.targets_name))


def _looks_like_path(source):
    """Whether a missing ``source`` was meant as a file: a path object, a folder or a
    suffix in it. A bare word like "mnist" is taken for a misspelt built-in name."""
    text = os.fspath(source)
    return (not isinstance(source, str) or os.sep in text or "/" in text
            or os.path.splitext(text)[1] != "")
