"""What the components share: a readable ``repr`` and the ways an ngc-learn script calls
them (``key=`` for ``seed=``, a renamed argument, ``advance_state(t, dt)``)."""
import math
import numbers

import numpy as np


def _shown(value):
    """``repr(value)`` on one line (an array's spans several), for error messages."""
    return " ".join(repr(value).split())


class Component:
    """Base of the components.

    ``repr`` shows the class, ``name`` and the attributes named in ``_shown_fields``.
    ``_fixed`` maps each ngc-learn argument that a component implements at one value only
    (ngc-learn's default) to that value: a script may pass it at that value.
    """

    _shown_fields = ()
    _fixed = {}

    def __repr__(self):
        fields = ", ".join(f"{field}={getattr(self, field)!r}"
                           for field in ("name", *self._shown_fields))
        return f"{type(self).__name__}({fields})"

    def _refuse_unknown(self, kwargs):
        """Refuse the keyword arguments left over, but ``_fixed`` ones at their value."""
        for name, value in kwargs.items():
            if name in self._fixed and not np.array_equal(value, self._fixed[name]):
                raise ValueError(f"{type(self).__name__}: {name}={_shown(value)} is not "
                                 f"implemented; only {name}={self._fixed[name]!r} is")
        unknown = sorted(set(kwargs) - set(self._fixed))
        if unknown:
            given = ", ".join(f"{name}={_shown(kwargs[name])}" for name in unknown)
            raise TypeError(f"{type(self).__name__} got unknown arguments {unknown}: {given}")


def either(default, **names):
    """The value given under one of two names (None: not given), else ``default``.

    Example:
        >>> either(1.0, resist_scale=None, g_conduct_factor=2.0)
        2.0
        >>> either(1.0, resist_scale=3.0, g_conduct_factor=2.0)
        Traceback (most recent call last):
        ...
        TypeError: give resist_scale or g_conduct_factor, not both; got resist_scale=3.0, ...
    """
    given = {name: value for name, value in names.items() if value is not None}
    if len(given) > 1:
        shown = ", ".join(f"{name}={_shown(value)}" for name, value in given.items())
        raise TypeError(f"give {' or '.join(names)}, not both; got {shown}")
    return next(iter(given.values()), default)


def seed_from(seed=None, key=None):
    """The seed given as ``seed=`` or as ngc-learn's ``key=`` (not both).

    A key is an int seed or a JAX PRNG key: an array of uint32 words, read as one number,
    most significant word first. ``jax.random.PRNGKey(s)`` is ``[s >> 32, s & 0xFFFFFFFF]``,
    so it stands for the seed ``s`` itself.

    Example:
        >>> seed_from(key=[0, 1234]), seed_from(key=[1, 2]), seed_from(seed=7)
        (1234, 4294967298, 7)
    """
    either(None, seed=seed, key=key)
    if key is None:
        return seed
    integer = isinstance(key, numbers.Integral) and not isinstance(key, (bool, np.bool_))
    if integer and key >= 0:
        return int(key)
    words = np.asarray(key)
    if words.ndim != 1 or words.size == 0 or words.dtype.kind not in "iu" \
            or words.min() < 0 or words.max() >= 2**32:
        raise ValueError(f"key must be a non-negative int or a JAX PRNG key (uint32 words), "
                         f"got {_shown(key)}")
    number = 0
    for word in words.tolist():
        number = number << 32 | word
    return number


def step_time(times, t, dt):
    """``(t, dt)`` of a step method called the ways ngc-learn calls it (see
    :func:`step_length`), for dynamics that record times (a spike's time is ``t``);
    ``t`` defaults to 0 and ``dt`` to 1, and ``dt`` must be a finite number > 0.

    Example:
        >>> step_time((3, 0.5), None, None), step_time((), 2.0, 0.25), step_time((), None, None)
        ((3.0, 0.5), (2.0, 0.25), (0.0, 1.0))
    """
    rest = times[:-1] if dt is None else times
    dt = step_length(times, t, dt)
    if t is None:
        t = rest[0] if rest else 0.0
    for name, value, low in (("t", t, -math.inf), ("dt", dt, 0.0)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
                or not math.isfinite(value) or value <= low:
            raise ValueError(f"{name} must be a finite number{' > 0' if low == 0 else ''}, "
                             f"got {_shown(value)}")
    return float(t), float(dt)


def step_length(times, t, dt):
    """``dt`` of a step method called the ways ngc-learn calls it: positionally ``(dt)``
    (ngc-learn 3's ``advance_state(dt)``) or ``(t, dt)`` (ngc-learn 1's ``advance_state(t,
    dt)``), or by keyword (ngc-learn's ``process.run(t=..., dt=...)``); default 1.

    ``times`` are the positional arguments. ``t`` only fills its place: no dynamics here
    depend on the time itself.

    Example:
        >>> step_length((0.5,), None, None), step_length((3, 0.5), None, None)
        (0.5, 0.5)
        >>> step_length((), 3, 0.5), step_length((3,), None, 0.5), step_length((), None, None)
        (0.5, 0.5, 1.0)
    """
    rest = times[:-1] if dt is None else times
    if len(rest) + (t is not None) > 1:
        raise TypeError(f"a step takes (dt) or (t, dt), got positional {times}, t={t!r}, "
                        f"dt={dt!r}")
    if dt is None:
        return times[-1] if times else 1.0
    return dt
