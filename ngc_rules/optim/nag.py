"""Nesterov's accelerated gradient as a decoupled step function (``ngclearn.utils.optim``)."""
from . import _checks
from ._engine import apply, state_full
from ._state import NagState, counter


def nag_init(theta):
    """The state of :func:`nag_step`: ``phi = 0`` in theta's structure and ``t = 0``.

    Args:
        theta: the parameters (an array, or a list, tuple or dict of arrays).
    """
    return NagState(state_full(theta), counter(0))


def nag_step(opt_params, theta, updates, eta=0.01, mu=0.9, *, inplace=False):
    """One step of Nesterov's accelerated gradient (NAG), as in ngc-learn.

    .. math::
        t \\leftarrow t + 1, \\qquad \\phi = \\theta - \\eta\\, u, \\qquad
        \\theta \\leftarrow \\phi + \\mu_t (\\phi - \\phi_{prev}), \\qquad
        \\mu_t = \\mu \\text{ if } t > 1 \\text{ else } 0

    ``phi`` is stored as the next step's ``phi_prev``.

    Args:
        opt_params: ``(phi, t)`` from :func:`nag_init` (or a previous step).
        theta: the parameters: an array, or a list, tuple or dict of arrays.
        updates: the updates ``u`` (gradients), in theta's structure and shapes.
        eta: the step size, ``>= 0``: a number, a schedule of
            :mod:`ngc_rules.schedules` (called with the steps taken before this one),
            or a callable with no arguments.
        mu: the momentum factor, ``>= 0``.
        inplace: update ``theta`` and the state in place and return them (no allocation).

    Returns:
        ``(opt_params, theta)`` after the step.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.optim import nag_init, nag_step
        >>> theta = np.array([1.0], np.float64)
        >>> state = nag_init(theta)
        >>> for _ in range(2):
        ...     state, theta = nag_step(state, theta, np.array([1.0]), eta=0.1, mu=0.5)
        >>> int(state.t), round(float(theta[0]), 6)
        (2, 0.75)
    """
    mu = _checks.at_least("mu", mu, 0.0)

    def coefficients(t, sq_norms):
        rate = _checks.learning_rate("eta", eta, t - 1)

        def of_dtype(dtype):
            _checks.fits("mu", mu, dtype)
            return _checks.fits("eta", rate, dtype), mu if t > 1 else 0.0

        return of_dtype, None

    return apply("nag", NagState, opt_params, theta, updates, coefficients, inplace)
