"""An exponential moving average of the weights around any step function (Keras'
``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``)."""
from typing import Any, NamedTuple

import numpy as np

from . import _checks
from ._engine import check_tree, elementwise, state_full
from ._state import steps_taken
from .accumulation import check_state
from .adam import adam_step


class EmaState(NamedTuple):
    """State of :func:`ema_step`."""
    inner: Any
    """The wrapped rule's state."""
    average: Any
    """The moving average of theta (theta's structure)."""


def ema_init(theta, inner):
    """Wrap ``inner``, the state of the rule that :func:`ema_step` will call."""
    return EmaState(inner, state_full(theta))


def ema_step(opt_params, theta, updates, *, momentum=0.99, overwrite_every=None,
             step=adam_step, inplace=False, **hyperparameters):
    """Apply ``step``, then average the new weights; every ``overwrite_every`` updates
    the weights take the average.

    With ``n`` the number of updates applied before this call (the wrapped counter, so
    an accumulating wrapper counts as Keras does)::

        average <- mu * average + (1 - mu) * theta,   mu = 0 if n == 0 else momentum
        theta   <- average                           if (n + 1) % overwrite_every == 0

    Call :func:`ema_finalize` at the end of training to give theta the average.

    Args:
        opt_params: from :func:`ema_init`.
        theta: the parameters: an array, or a list, tuple or dict of arrays.
        updates: the updates, in theta's structure.
        momentum: the averaging momentum, in ``[0, 1]``.
        overwrite_every: None, or an integer ``>= 1``.
        step: the step function to apply, :func:`adam_step` by default (any step
            function of ours, or :func:`accumulation_step`).
        inplace: update theta and the state in place.
        **hyperparameters: passed on to ``step``.

    Returns:
        ``(opt_params, theta)`` after the call.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.optim import ema_init, ema_step, sgd_init, sgd_step
        >>> theta = np.zeros(1)
        >>> state = ema_init(theta, sgd_init(theta))
        >>> for _ in range(2):
        ...     state, theta = ema_step(state, theta, np.ones(1), momentum=0.5,
        ...                             step=sgd_step, eta=1.0)
        >>> theta.tolist(), state.average.tolist()
        ([-2.0], [-1.5])
    """
    momentum = _checks.real("momentum", momentum)
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    overwrite_every = _checks.whole_number("overwrite_every", overwrite_every, 1,
                                           optional=True)
    if not isinstance(opt_params, EmaState):
        raise TypeError(f"opt_params must be an EmaState from ema_init, got "
                        f"{type(opt_params).__name__}")
    # the average moves after the wrapped step, so it is checked before that step runs
    check_state(opt_params.average, theta, "opt_params.average", inplace)
    n = steps_taken(opt_params.inner)
    inner, theta = step(opt_params.inner, theta, updates, inplace=inplace, **hyperparameters)
    mu = momentum if n else 0.0
    average = elementwise("blend", opt_params.average, theta,
                          lambda dtype: (dtype.type(mu), dtype.type(1) - dtype.type(mu)),
                          inplace)
    if overwrite_every and (n + 1) % overwrite_every == 0:
        theta = elementwise("assign", theta, average, _no_coefficients, inplace)
    if inplace and inner is opt_params.inner:
        return opt_params, theta
    return EmaState(inner, average), theta


def ema_finalize(opt_params, theta, *, inplace=False):
    """theta with the values of the moving average (Keras' ``finalize_variable_values``)."""
    check_tree(opt_params.average, theta, "opt_params.average")
    return elementwise("assign", theta, opt_params.average, _no_coefficients, inplace)


def _no_coefficients(dtype):
    return ()
