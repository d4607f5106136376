"""Data in: built-in data sets that work offline (generated ones, and 8x8 handwritten digits
shipped with the package, see ``DIGITS.txt`` for their source and license), and researchers'
own data from arrays, ``.npz`` archives or IDX files (MNIST's format).

Every loader returns a :class:`Dataset`: float32 inputs, one row per sample, one-hot targets
and integer labels (when there are classes), checked on the way in; :func:`split` divides
one into training and test parts.
"""
from .arrays import Dataset, as_dataset, from_arrays
from .datasets import NAMES, bars, digits, gaussian_clusters, load, split
from .files import read_idx, read_npz

__all__ = ["Dataset", "as_dataset", "bars", "digits", "from_arrays", "gaussian_clusters",
           "load", "read_idx", "read_npz", "split", "NAMES"]
