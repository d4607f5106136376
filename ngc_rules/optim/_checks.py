"""Hyperparameter checks: clear errors that name the argument, its value and the rule."""
import functools
import math
import numbers

import numpy as np

from ..schedules import LearningRateSchedule


def real(name, value):
    """``value`` as a finite Python float, or a TypeError/ValueError naming ``name``."""
    if type(value) is float:  # the common case, checked first: steps are called often
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    if isinstance(value, np.ndarray):
        if value.ndim != 0 or value.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be a real number, got an array of shape "
                            f"{value.shape} and dtype {value.dtype}")
        value = value.item()
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def at_least(name, value, low):
    value = real(name, value)
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return value


def positive(name, value):
    value = real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def unit_interval(name, value):
    """A decay rate in [0, 1)."""
    value = real(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


def integer(name, value):
    """``value`` as a Python int, or a TypeError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral)):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    return int(value)


def whole_number(name, value, low, optional=False):
    """``value`` as a Python int ``>= low`` (or None when ``optional``), else a ValueError
    naming ``name``: for counts such as ``every`` or ``max_consecutive``."""
    if optional and value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or value < low:
        raise ValueError(f"{name} must be {'None or ' if optional else ''}an integer >= {low}, "
                         f"got {value!r}")
    return int(value)


def one_of(name, value, choices):
    """``value`` if it is one of ``choices``, else a ValueError listing them."""
    if not any(value is c or (type(value) is type(c) and value == c) for c in choices):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, "
                         f"got {value!r}")
    return value


def optional_positive(name, value):
    """None (the option is off) or a number > 0."""
    return None if value is None else positive(name, value)


def learning_rate(name, value, steps_taken):
    """The rate for this step: a number, a schedule called with the number of steps
    taken so far, or a callable with no arguments; ``>= 0``."""
    if isinstance(value, LearningRateSchedule):
        value = value(steps_taken)
    elif callable(value):
        value = value()
    return at_least(name, value, 0.0)


def memoized(check):
    """``check`` remembering its results for hashable arguments (distinguished by type,
    so ``True`` and ``1`` are checked apart); other arguments are checked every call.
    Errors are never remembered."""
    remembered = functools.lru_cache(maxsize=256, typed=True)(check)

    @functools.wraps(check)
    def checked(*args):
        try:
            return remembered(*args)
        except TypeError:  # unhashable; a TypeError of the check itself recurs below
            return check(*args)

    return checked
