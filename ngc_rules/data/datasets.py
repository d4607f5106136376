"""Built-in data sets (no download, ever)."""
import os
from typing import NamedTuple

import numpy as np

_HERE = os.path.dirname(__file__)


class Dataset(NamedTuple):
    """Inputs ``x`` (float32, one row per sample), one-hot ``y`` and integer ``labels``
    (empty when the data has no classes), and ``image_shape`` for plotting rows as images."""
    x: np.ndarray
    y: np.ndarray
    labels: np.ndarray
    image_shape: tuple

    def __len__(self):
        return len(self.x)

    def take(self, rows):
        """The samples at ``rows``."""
        has_labels = len(self.labels) > 0
        return Dataset(self.x[rows], self.y[rows] if has_labels else self.y,
                       self.labels[rows] if has_labels else self.labels, self.image_shape)


def _one_hot(labels, n_classes):
    y = np.zeros((len(labels), n_classes), np.float32)
    y[np.arange(len(labels)), labels] = 1.0
    return y


def _labelled(x, labels, image_shape):
    labels = np.asarray(labels, np.int64)
    return Dataset(np.ascontiguousarray(x, np.float32), _one_hot(labels, labels.max() + 1),
                   labels, image_shape)


def digits(path=None):
    """1,797 handwritten digits, 8x8 pixels scaled to ``[0, 1]``, labels 0..9.

    Args:
        path: a ``.npz`` with ``images`` (n, 64) and ``labels`` (n,); default the copy
            shipped with the package (UCI "Optical Recognition of Handwritten Digits",
            Alpaydin & Kaynak, CC BY 4.0).
    """
    path = path or os.path.join(_HERE, "digits.npz")
    with np.load(path, allow_pickle=False) as archive:
        images, labels = archive["images"], archive["labels"]
    return _labelled(images.reshape(len(images), -1) / 16.0, labels, (8, 8))


def gaussian_clusters(n=1200, n_classes=4, dim=16, spread=0.6, seed=0):
    """``n`` points around ``n_classes`` random centres in ``[0, 1]^dim``, labelled by
    centre; ``spread`` is the noise's standard deviation relative to the centres' spacing."""
    rng = np.random.default_rng(seed)
    centres = rng.random((n_classes, dim))
    labels = rng.integers(0, n_classes, n)
    spacing = np.min([np.linalg.norm(a - b) for i, a in enumerate(centres)
                      for b in centres[i + 1:]]) if n_classes > 1 else 1.0
    x = centres[labels] + rng.normal(0, spread * spacing / np.sqrt(dim), (n, dim))
    return _labelled(np.clip(x, 0.0, 1.0), labels, (1, dim))


def bars(n=2000, size=8, p=None, seed=0):
    """Foldiak's bars: ``size x size`` images, each of the ``2 * size`` horizontal and
    vertical bars on with probability ``p`` (default ``1 / size``); pixels are 0 or 1.
    No labels: the data for learning sparse features."""
    rng = np.random.default_rng(seed)
    p = 1.0 / size if p is None else p
    rows = rng.random((n, size)) < p
    cols = rng.random((n, size)) < p
    images = rows[:, :, None] | cols[:, None, :]
    empty = np.zeros(0, np.int64)
    return Dataset(images.reshape(n, -1).astype(np.float32),
                   np.zeros((n, 0), np.float32), empty, (size, size))


def split(data, test_fraction=0.2, seed=0):
    """A shuffled ``(train, test)`` split."""
    order = np.random.default_rng(seed).permutation(len(data))
    n_test = int(round(len(data) * test_fraction))
    return data.take(order[n_test:]), data.take(order[:n_test])


NAMES = {"digits": digits, "clusters": gaussian_clusters, "bars": bars}
"""Data sets by the names the command line uses."""


def load(name, **kwargs):
    """The built-in data set ``name`` ("digits", "clusters" or "bars")."""
    if name not in NAMES:
        raise ValueError(f"unknown data set {name!r}; expected one of {sorted(NAMES)}")
    return NAMES[name](**kwargs)
