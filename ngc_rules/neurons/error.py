"""A Gaussian error (mismatch) population, ngc-learn's ``GaussianErrorCell``."""
import numpy as np

from .._views import FlatViews
from . import _kernels


class GaussianErrorCell:
    """Error neurons at the fixed point of a Gaussian mismatch.

    .. math:: e = \\text{target} - \\mu, \\qquad L = -\\tfrac{1}{2} \\sum e^2

    :meth:`advance_state` writes ``dmu = e``, ``dtarget = -e`` and the energy ``L`` (the
    log-likelihood under a unit-variance Gaussian, summed over the batch).

    Example:
        >>> import numpy as np
        >>> from ngc_rules.neurons import GaussianErrorCell
        >>> e = GaussianErrorCell("e", 2)
        >>> e.mu[...] = [[0.1, 0.9]]; e.target[...] = [[1.0, -1.0]]
        >>> e.advance_state()
        >>> e.dmu.astype(float).round(2).tolist(), round(e.L, 3)
        ([[0.9, -1.9]], -2.21)
    """

    def __init__(self, name, n_units, batch_size=1, dtype=np.float32):
        self.name = str(name)
        if not isinstance(n_units, (int, np.integer)) or n_units < 1:
            raise ValueError(f"n_units must be a positive integer, got {n_units!r}")
        self.n_units = int(n_units)
        self.dtype = np.dtype(dtype)
        self._views = FlatViews(self.name)
        self.reset(batch_size)

    def reset(self, batch_size=None):
        """Zero ``mu``, ``target``, ``dmu``, ``dtarget`` and ``L``, optionally resizing."""
        if batch_size is not None:
            self.batch_size = int(batch_size)
        shape = (self.batch_size, self.n_units)
        self.mu, self.target, self.dmu, self.dtarget = (np.zeros(shape, self.dtype)
                                                        for _ in range(4))
        self.L = 0.0

    def advance_state(self, dt=1.0):
        """Compute the errors and the energy (``dt`` is unused: a fixed point)."""
        if self.mu.shape != self.dmu.shape or self.target.shape != self.dmu.shape:
            raise ValueError(f"{self.name}: mu and target must have shape {self.dmu.shape}, "
                             f"got {np.shape(self.mu)} and {np.shape(self.target)}")
        self.L = _kernels.gaussian_error(*self._views(self.target, self.mu, self.dmu,
                                                      self.dtarget))
