"""SGD with heavy-ball or Nesterov momentum, as ``torch.optim.SGD`` writes it."""
from . import _checks
from ._engine import apply, state_full
from ._state import MomentumState, counter


def momentum_init(theta):
    """The state of :func:`momentum_step`: the buffer ``buf = 0`` and ``t = 0``.

    Args:
        theta: the parameters (an array, or a list, tuple or dict of arrays).
    """
    return MomentumState(state_full(theta), counter(0))


def momentum_step(opt_params, theta, updates, eta=0.01, mu=0.9, *, nesterov=False,
                  dampening=0.0, l2=0.0, maximize=False, inplace=False):
    """One step of SGD with momentum, PyTorch's ``SGD(momentum=mu, nesterov=...)``.

    .. math::
        u &\\leftarrow \\pm u + l_2\\, \\theta \\\\
        b &\\leftarrow \\mu\\, b + (1 - d)\\, u \\quad (b = u \\text{ on the first step}) \\\\
        \\theta &\\leftarrow \\theta - \\eta\\, (u + \\mu\\, b) \\text{ (Nesterov) or }
            \\theta - \\eta\\, b

    Unlike ngc-learn's :func:`nag_step`, which moves from a look-ahead point, this is
    the form of PyTorch (and of Sutskever et al., 2013, rewritten for the gradient at
    the current parameters).

    Args:
        opt_params: ``(buf, t)`` from :func:`momentum_init` (or a previous step).
        theta: the parameters: an array, or a list, tuple or dict of arrays.
        updates: the updates ``u`` (gradients), in theta's structure and shapes.
        eta: the step size, ``>= 0``: a number, a schedule or a callable.
        mu: the momentum factor, ``>= 0``.
        nesterov: use Nesterov momentum (needs ``mu > 0`` and ``dampening = 0``).
        dampening: the buffer takes ``(1 - dampening) * u`` after the first step.
        l2: coupled L2 penalty added to the update (PyTorch's ``weight_decay``), ``>= 0``.
        maximize: ascend instead of descend.
        inplace: update ``theta`` and the state in place and return them (no allocation).

    Returns:
        ``(opt_params, theta)`` after the step.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.optim import momentum_init, momentum_step
        >>> theta = np.array([1.0])
        >>> state = momentum_init(theta)
        >>> for _ in range(2):
        ...     state, theta = momentum_step(state, theta, np.array([1.0]), eta=0.1, mu=0.5,
        ...                                  nesterov=True)
        >>> round(float(theta[0]), 6)
        0.675
    """
    mu = _checks.at_least("mu", mu, 0.0)
    dampening = _checks.at_least("dampening", dampening, 0.0)
    l2 = _checks.at_least("l2", l2, 0.0)
    nesterov = _checks.one_of("nesterov", nesterov, (False, True))
    maximize = _checks.one_of("maximize", maximize, (False, True))
    if nesterov and (mu <= 0 or dampening != 0):
        raise ValueError(f"nesterov=True needs mu > 0 and dampening = 0, got mu={mu}, "
                         f"dampening={dampening}")
    now, ahead = (1.0, mu) if nesterov else (0.0, 1.0)

    def coefficients(t, sq_norms):
        rate = _checks.learning_rate("eta", eta, t - 1)
        new = 1.0 if t == 1 else 1.0 - dampening

        def of_dtype(dtype):
            for name, value in (("mu", mu), ("dampening", dampening), ("l2", l2)):
                _checks.fits(name, value, dtype)
            return _checks.fits("eta", rate, dtype), mu, new, now, ahead, l2

        return of_dtype, -1.0 if maximize else None

    return apply("momentum", MomentumState, opt_params, theta, updates, coefficients,
                 inplace)
