"""Steps that refuse or skip non-finite updates, around any step function."""
from typing import Any, NamedTuple

import numpy as np

from . import _checks
from ._engine import checking_updates, nonfinite_counts
from ._signals import HELD
from ._state import advance_in_place, counter, read_counter, set_in_place
from .adam import adam_step

ON_NONFINITE = ("skip", "raise")
"""What :func:`finite_step` can do with a step whose updates hold NaN or inf."""


class FiniteState(NamedTuple):
    """State of :func:`finite_step`."""
    inner: Any
    """The wrapped rule's state (its counter counts applied updates)."""
    skipped: np.ndarray
    """Steps skipped so far because their updates were not finite (0-d int64 array)."""
    consecutive: np.ndarray
    """Of those, how many came in a row up to now (0-d int64 array)."""


def finite_init(inner):
    """Wrap ``inner``, the state of the rule that :func:`finite_step` will call."""
    return FiniteState(inner, counter(0), counter(0))


def finite_step(opt_params, theta, updates, *, step=adam_step, on_nonfinite="skip",
                max_consecutive=None, inplace=False, **hyperparameters):
    """Apply ``step`` only when every update is finite (Optax's ``apply_if_finite``).

    Every argument is checked first, as ``step`` checks it, and then every element of
    ``updates`` as the kernels would read it (converted to the compute dtype, so a
    float64 update beyond float32's range is infinite for float32 parameters; a sparse
    update's rows summed). A step whose updates hold a NaN or an infinity is skipped
    (``on_nonfinite="skip"``: theta and the wrapped state stay as they
    were, ``skipped`` and ``consecutive`` count it) or refused (``"raise"``: a
    ``FloatingPointError`` naming the tensor, and nothing changes). A finite step resets
    ``consecutive`` to 0. With ``max_consecutive``, a skip that would make more than that
    many in a row raises instead, so a run that has diverged stops with a clear error.

    Args:
        opt_params: from :func:`finite_init`.
        theta: the parameters: an array, or a list, tuple or dict of arrays.
        updates: this step's updates, in theta's structure.
        step: the step function to apply, :func:`adam_step` by default: one of
            ngc_rules' step functions, or a wrapper of one (the check runs inside it,
            before its first kernel).
        on_nonfinite: "skip" or "raise".
        max_consecutive: ``None`` (skip forever) or the most skips in a row, ``>= 0``.
        inplace: update theta and the state in place.
        **hyperparameters: passed on to ``step``.

    Returns:
        ``(opt_params, theta)`` after the step.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.optim import finite_init, finite_step, sgd_init, sgd_step
        >>> theta = np.zeros(2)
        >>> state = finite_init(sgd_init(theta))
        >>> for u in ([1.0, 1.0], [np.nan, 1.0], [1.0, 1.0]):
        ...     state, theta = finite_step(state, theta, np.array(u), step=sgd_step, eta=0.5)
        >>> theta.tolist(), int(state.inner), int(state.skipped)
        ([-1.0, -1.0], 2, 1)
    """
    _checks.one_of("on_nonfinite", on_nonfinite, ON_NONFINITE)
    max_consecutive = _checks.whole_number("max_consecutive", max_consecutive, 0,
                                           optional=True)
    if not isinstance(opt_params, FiniteState):
        raise TypeError(f"opt_params must be a FiniteState from finite_init, "
                        f"got {type(opt_params).__name__}")
    skipped = read_counter(opt_params.skipped, "opt_params.skipped")
    consecutive = read_counter(opt_params.consecutive, "opt_params.consecutive")
    with HELD:  # the wrapped step and these counters move together
        try:
            with checking_updates(_refuse_nonfinite):
                inner, theta = step(opt_params.inner, theta, updates, inplace=inplace,
                                    **hyperparameters)
        except _NonFinite as refused:
            bad = refused.bad
        else:
            if inplace and inner is opt_params.inner and \
                    set_in_place(opt_params.consecutive, 0):
                return opt_params, theta
            return FiniteState(inner, counter(skipped), counter(0)), theta
        # outside the handler, so that an error raised here does not chain onto it
        return _skip(opt_params, theta, bad, on_nonfinite, max_consecutive, skipped,
                     consecutive, inplace)


def _skip(opt_params, theta, bad, on_nonfinite, max_consecutive, skipped, consecutive,
          inplace):
    """Refuse, or skip and count, a step whose updates hold NaN or inf (``bad`` counts
    them by tensor)."""
    where = ", ".join(f"{label} ({n} of them)" for label, n in bad.items())
    if on_nonfinite == "raise":
        raise FloatingPointError(f"updates hold NaN or inf in {where}; the step was refused "
                                 f"and nothing changed")
    if max_consecutive is not None and consecutive + 1 > max_consecutive:
        raise FloatingPointError(f"updates hold NaN or inf in {where}: {consecutive + 1} "
                                 f"non-finite steps in a row, more than max_consecutive="
                                 f"{max_consecutive}; nothing changed")
    if inplace and advance_in_place(opt_params.skipped) \
            and advance_in_place(opt_params.consecutive):
        return opt_params, theta
    return FiniteState(opt_params.inner, counter(skipped + 1), counter(consecutive + 1)), theta


class _NonFinite(Exception):
    """A step's updates hold NaN or inf: ``bad`` maps each such tensor to its count."""

    def __init__(self, bad):
        super().__init__(bad)
        self.bad = bad


def _refuse_nonfinite(theta, updates):
    bad = {label: n for label, n in nonfinite_counts(theta, updates) if n}
    if bad:
        raise _NonFinite(bad)
