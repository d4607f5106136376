"""Gradient accumulation around any step function, with Keras' counting rules."""
from typing import Any, NamedTuple

import numpy as np

from . import _checks
from ._engine import check_step, check_tree, elementwise, state_full
from ._state import advance_in_place, counter, read_counter
from ._targets import on_device
from ._tree import flatten, flatten_like
from .adam import adam_step


class AccumulationState(NamedTuple):
    """State of :func:`accumulation_step`."""
    inner: Any
    """The wrapped rule's state (its counter counts applied updates)."""
    grad_sum: Any
    """Sum of the updates since the last applied one (theta's structure)."""
    calls: np.ndarray
    """Number of calls so far, applied or not (0-d int64 array)."""


def accumulation_init(theta, inner):
    """Wrap ``inner``, the state of the rule that :func:`accumulation_step` will call."""
    return AccumulationState(inner, state_full(theta), counter(0))


def accumulation_step(opt_params, theta, updates, *, every, step=adam_step, loss_scale=1.0,
                      inplace=False, **hyperparameters):
    """Apply the mean of ``every`` calls' updates on every ``every``-th call (Keras'
    ``gradient_accumulation_steps``).

    On call ``c`` (counted from 0) the updates, divided by ``loss_scale``, are added to
    ``grad_sum``. When ``(c + 1) % every == 0``, ``step`` is applied to
    ``(grad_sum + u / loss_scale) / every`` and ``grad_sum`` is emptied; the wrapped
    rule's counter thus counts applied updates, while a learning-rate schedule given as
    ``eta`` sees the raw call count ``c``, as in Keras.

    Every call checks every argument, those of ``step`` included, before anything
    moves: a call that only accumulates refuses what the applying call would refuse.

    Args:
        opt_params: from :func:`accumulation_init`.
        theta: the parameters: an array, or a list, tuple or dict of arrays.
        updates: this call's updates, in theta's structure.
        every: how many calls make one update, an integer ``>= 2``.
        step: the step function to apply, one of ours (or a partial or wrapper of one),
            :func:`adam_step` by default.
        loss_scale: the factor the loss was multiplied by, ``> 0``.
        inplace: update theta and the state in place. An applied call then needs one
            temporary array per tensor for the mean, so a refused step changes nothing.
        **hyperparameters: passed on to ``step``.

    Returns:
        ``(opt_params, theta)`` after the call.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.optim import accumulation_init, accumulation_step, sgd_init, sgd_step
        >>> theta = np.zeros(2)
        >>> state = accumulation_init(theta, sgd_init(theta))
        >>> for u in (1.0, 3.0):
        ...     state, theta = accumulation_step(state, theta, np.full(2, u), every=2,
        ...                                      step=sgd_step, eta=0.5)
        >>> theta.tolist(), int(state.inner), int(state.calls)
        ([-1.0, -1.0], 1, 2)
    """
    every = _checks.whole_number("every", every, 2)
    loss_scale = _checks.positive("loss_scale", loss_scale)
    if not isinstance(opt_params, AccumulationState):
        raise TypeError(f"opt_params must be an AccumulationState from accumulation_init, "
                        f"got {type(opt_params).__name__}")
    calls = read_counter(opt_params.calls, "opt_params.calls")
    check_state(opt_params.grad_sum, theta, "opt_params.grad_sum", inplace)
    if "eta" in hyperparameters:  # a schedule sees the raw call count, as in Keras
        hyperparameters["eta"] = _checks.learning_rate("eta", hyperparameters["eta"], calls)
    inner, grad_sum = opt_params.inner, opt_params.grad_sum
    if (calls + 1) % every:
        # the sum stands in for the mean that the every-th call will apply
        check_step(step, inner, theta, grad_sum, inplace=inplace, **hyperparameters)
        grad_sum = elementwise("accumulate", grad_sum, updates,
                               lambda dtype: (loss_scale, 1.0), inplace)
    else:
        mean = elementwise("accumulate", grad_sum, updates,
                           lambda dtype: (loss_scale, float(every)), inplace=False)
        inner, theta = step(inner, theta, mean, inplace=inplace, **hyperparameters)
        grad_sum = elementwise("fill", grad_sum, grad_sum, lambda dtype: (0.0,), inplace)
    if inplace and advance_in_place(opt_params.calls):
        return opt_params._replace(inner=inner) if inner is not opt_params.inner \
            else opt_params, theta
    return AccumulationState(inner, grad_sum, counter(calls + 1)), theta


def check_state(tree, theta, name, inplace):
    """Refuse, before anything moves, a wrapper's state tree that is not laid out like
    ``theta`` or, for a step ``inplace``, that cannot be written in place (stands in for
    an in-place option of the engine's ``check_tree``)."""
    check_tree(tree, theta, name)
    if not inplace:
        return
    _, structure = flatten(theta, "theta")
    for k, array in enumerate(flatten_like(tree, structure, name)):
        if not on_device(array):  # a device array cannot be read-only
            label = structure.label(name, k)
            _checks.writable(label, _checks.host_array(label, array, written=True).flags)
