"""Stochastic gradient descent as a decoupled step function (``ngclearn.utils.optim``)."""
from . import _checks
from ._engine import apply
from ._state import counter


def sgd_init(theta):
    """The state of :func:`sgd_step`: the step counter ``t = 0`` (a 0-d int64 array).

    Args:
        theta: the parameters (an array, or a list, tuple or dict of arrays).
    """
    return counter(0)


def sgd_step(opt_params, theta, updates, eta=0.001, *, inplace=False):
    """One step of stochastic gradient descent.

    .. math:: t \\leftarrow t + 1, \\qquad \\theta \\leftarrow \\theta - \\eta\\, u

    Args:
        opt_params: the step counter from :func:`sgd_init` (or a previous step).
        theta: the parameters: an array, or a list, tuple or dict of arrays.
        updates: the updates ``u`` (gradients), in theta's structure and shapes.
        eta: the step size, ``>= 0``: a number, a schedule of
            :mod:`ngc_rules.schedules` (called with the steps taken before this one),
            or a callable with no arguments.
        inplace: update ``theta`` and the counter in place and return them (no
            allocation); by default new arrays are returned and the inputs are untouched.

    Returns:
        ``(opt_params, theta)`` after the step, with theta in its input structure.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.optim import sgd_init, sgd_step
        >>> theta = [np.array([1.0, 2.0], np.float32)]
        >>> t, theta = sgd_step(sgd_init(theta), theta, [np.ones(2, np.float32)], eta=0.5)
        >>> int(t), theta[0].tolist()
        (1, [0.5, 1.5])
    """
    def coefficients(t, sq_norms):
        rate = _checks.learning_rate("eta", eta, t - 1)
        return lambda dtype: (_checks.fits("eta", rate, dtype),), None

    return apply("sgd", None, opt_params, theta, updates, coefficients, inplace)
