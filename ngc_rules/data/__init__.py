"""Data sets that work offline: generated ones, and 8x8 handwritten digits shipped with the
package (see ``DIGITS.txt`` for their source and license).

Every loader returns a :class:`Dataset` of float32 inputs in ``[0, 1]``, one-hot targets
(when there are classes) and integer labels, split into training and test parts.
"""
from .datasets import Dataset, bars, digits, gaussian_clusters, load, split, NAMES

__all__ = ["Dataset", "bars", "digits", "gaussian_clusters", "load", "split", "NAMES"]
