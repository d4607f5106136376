"""Adam as a decoupled step function (``ngclearn.utils.optim``)."""
from . import _checks
from ._engine import apply, state_zeros
from ._state import AdamState, counter


def adam_init(theta):
    """The state of :func:`adam_step`: ``m = v = 0`` in theta's structure and ``t = 0``.

    Args:
        theta: the parameters (an array, or a list, tuple or dict of arrays).
    """
    return AdamState(state_zeros(theta), state_zeros(theta), counter(0))


def adam_step(opt_params, theta, updates, eta=0.001, beta1=0.9, beta2=0.999, eps=1e-8, *,
              inplace=False):
    """One step of Adam (Kingma & Ba, 2015), as in ngc-learn.

    .. math::
        t &\\leftarrow t + 1 \\\\
        m &\\leftarrow \\beta_1 m + (1 - \\beta_1)\\, u \\\\
        v &\\leftarrow \\beta_2 v + (1 - \\beta_2)\\, u^2 \\\\
        \\theta &\\leftarrow \\theta - \\eta\\, \\frac{m / (1 - \\beta_1^t)}
                                         {\\sqrt{v / (1 - \\beta_2^t)} + \\epsilon}

    The bias corrections are computed once per step on the host; the kernel makes one
    pass over theta, u, m and v.

    Args:
        opt_params: ``(m, v, t)`` from :func:`adam_init` (or a previous step).
        theta: the parameters: an array, or a list, tuple or dict of arrays.
        updates: the updates ``u`` (gradients), in theta's structure and shapes.
        eta: the step size, ``>= 0``.
        beta1: decay of the first moment, in ``[0, 1)``.
        beta2: decay of the second moment, in ``[0, 1)``.
        eps: added to the root of the second moment, ``> 0``.
        inplace: update ``theta`` and the state in place and return them (no allocation).

    Returns:
        ``(opt_params, theta)`` after the step.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.optim import adam_init, adam_step
        >>> theta = {"W": np.zeros((2, 2))}
        >>> state = adam_init(theta)
        >>> state, theta = adam_step(state, theta, {"W": np.ones((2, 2))}, eta=0.1)
        >>> int(state.t), theta["W"].round(6).tolist()
        (1, [[-0.1, -0.1], [-0.1, -0.1]])
    """
    eta = _checks.at_least("eta", eta, 0.0)
    beta1 = _checks.unit_interval("beta1", beta1)
    beta2 = _checks.unit_interval("beta2", beta2)
    eps = _checks.positive("eps", eps)

    def coefficients(t):
        return (eta, beta1, 1.0 - beta1, beta2, 1.0 - beta2,
                1.0 - beta1 ** t, 1.0 - beta2 ** t, eps)

    return apply("adam", AdamState, opt_params, theta, updates, coefficients, inplace)
