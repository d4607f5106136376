"""Optimizer states and the step counter.

States unpack like ngc-learn's tuples: SGD's state is the counter ``t`` itself, NAG's is
``(phi, t)`` and Adam's ``(m, v, t)`` (``(m, v, v_max, t)`` with AMSGrad). The counter
is a 0-d int64 array, so an in-place step can advance it without allocating and it stays
exact over any run length.
"""
import math
from typing import Any, NamedTuple

import numpy as np


class NagState(NamedTuple):
    """State of :func:`nag_step`: the last look-ahead point and the step counter."""
    phi: Any
    """Look-ahead parameters ``theta - eta * update`` of the last step (theta's structure)."""
    t: np.ndarray
    """Number of steps taken (0-d int64 array)."""


class MomentumState(NamedTuple):
    """State of :func:`momentum_step`: the momentum buffer and the step counter."""
    buf: Any
    """Momentum buffer (theta's structure)."""
    t: np.ndarray
    """Number of steps taken (0-d int64 array)."""


class AdamState(NamedTuple):
    """State of :func:`adam_step`: the two moment estimates and the step counter."""
    m: Any
    """First-moment estimate (theta's structure)."""
    v: Any
    """Second-moment estimate (theta's structure)."""
    t: np.ndarray
    """Number of steps taken (0-d int64 array)."""


class AmsgradState(NamedTuple):
    """State of :func:`adam_step` with ``amsgrad``: Adam's, plus the running maximum."""
    m: Any
    """First-moment estimate (theta's structure)."""
    v: Any
    """Second-moment estimate (theta's structure)."""
    v_max: Any
    """Running maximum of the (raw or bias-corrected) second moment (theta's structure)."""
    t: np.ndarray
    """Number of steps taken (0-d int64 array)."""


_INT64 = np.dtype(np.int64)
_LAST_COUNT = int(np.iinfo(np.int64).max)  # one more step would wrap around


def counter(value=0):
    """A step counter holding ``value``."""
    return np.array(value, dtype=np.int64)


def read_counter(t, name):
    """The step count held by ``t`` (an integer, or ngc-learn's float counter)."""
    value = t.item() if isinstance(t, np.ndarray) and t.ndim == 0 else t
    if type(value) is int and 0 <= value < _LAST_COUNT:  # our counters, checked first
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) \
            or not math.isfinite(value) or value < 0 or value != int(value) \
            or value >= _LAST_COUNT:
        raise TypeError(f"{name} must be the step counter from the init function "
                        f"(a whole number >= 0 and below {_LAST_COUNT}), got {t!r}")
    return int(value)


def unpack(opt_params, state_type):
    """``(state trees, counter)`` of a state of ``state_type`` (None: the counter alone),
    refusing any other state."""
    if state_type is None:
        return (), opt_params
    if not isinstance(opt_params, tuple) or len(opt_params) != len(state_type._fields) or \
            getattr(opt_params, "_fields", state_type._fields) != state_type._fields:
        raise TypeError(f"opt_params must be the {state_type.__name__} "
                        f"({', '.join(state_type._fields)}) from the init function, got "
                        f"{type(opt_params).__name__}")
    return opt_params[:-1], opt_params[-1]


def writable_counter(t):
    """Whether ``t`` is a counter an in-place step can advance."""
    return type(t) is np.ndarray and t.shape == () and t.dtype == _INT64 and \
        t.flags.writeable


def advance_in_place(t):
    """Add one to a counter in place; False when ``t`` cannot be written."""
    if writable_counter(t):
        t[()] += 1
        return True
    return False


def set_in_place(t, value):
    """Set a counter to ``value`` in place; False when ``t`` cannot be written."""
    if writable_counter(t):
        t[()] = value
        return True
    return False


def steps_taken(opt_params):
    """The number of updates a state has applied (its counter ``t``; for a wrapper's
    state, that of the state it wraps)."""
    while hasattr(opt_params, "inner"):
        opt_params = opt_params.inner
    t = opt_params if isinstance(opt_params, np.ndarray) else getattr(opt_params, "t", None)
    return read_counter(t, "opt_params.t")
