"""A Gaussian error (mismatch) population, ngc-learn's ``GaussianErrorCell``."""
import numpy as np

from .. import _component
from .._views import FlatViews
from . import _kernels


class GaussianErrorCell(_component.Component):
    """Error neurons at the fixed point of a Gaussian mismatch.

    .. math:: e = \\text{target} - \\mu, \\qquad L = -\\tfrac{1}{2} \\sum e^2

    :meth:`advance_state` writes ``dmu = e``, ``dtarget = -e`` and the energy ``L`` (the
    log-likelihood under a unit-variance Gaussian, summed over the batch).

    Compartments:
        mu: ``(batch, n_units)``, the prediction.
        target: ``(batch, n_units)``, the value predicted.
        dmu: ``(batch, n_units)``, the error ``target - mu`` (``dL/dmu``).
        dtarget: ``(batch, n_units)``, ``mu - target`` (``dL/dtarget``).
        L: a float, the energy ``-sum(e**2) / 2``.

    Args:
        name: the component's name.
        n_units: the number of error neurons.
        batch_size: rows of the initial compartments (:meth:`reset` changes it).
        dtype: the compartments' dtype (default float32).
        key: ngc-learn's PRNG key (an int or a JAX key), accepted and unused: the cell
            draws no random numbers.
        sigma: accepted as 1, ngc-learn's default and the only variance implemented.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.neurons import GaussianErrorCell
        >>> e = GaussianErrorCell("e", 2)
        >>> e
        GaussianErrorCell(name='e', n_units=2)
        >>> e.mu[...] = [[0.1, 0.9]]; e.target[...] = [[1.0, -1.0]]
        >>> e.advance_state()
        >>> e.dmu.astype(float).round(2).tolist(), round(e.L, 3)
        ([[0.9, -1.9]], -2.21)
    """

    _shown_fields = ("n_units",)
    _fixed = {"sigma": 1.0}

    def __init__(self, name, n_units, batch_size=1, dtype=np.float32, *, key=None, **kwargs):
        self._refuse_unknown(kwargs)
        _component.seed_from(key=key)  # checked like a synapse's key, then unused
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

    def advance_state(self, *times, t=None, dt=None):
        """Compute the errors and the energy.

        Takes ``(dt)`` or ngc-learn's ``(t, dt)``, positionally or by keyword; both are
        unused: the cell computes a fixed point.
        """
        _component.step_length(times, t, dt)
        if self.mu.shape != self.dmu.shape or self.target.shape != self.dmu.shape:
            raise ValueError(f"{self.name}: mu and target must have shape {self.dmu.shape}, "
                             f"got {np.shape(self.mu)} and {np.shape(self.target)}")
        self.L = _kernels.gaussian_error(*self._views(self.target, self.mu, self.dmu,
                                                      self.dtarget))
