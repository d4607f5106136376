"""Activation functions of rate cells and their derivatives, as scalar Numba functions
selected by a small integer code (the neuron kernels compile one copy per code, so the
choice costs nothing inside their loops).

They compute in the precision of their argument: float32 states stay float32 (no silent
float64 detour), so kernels over float32 arrays vectorize. float32 ``tanh`` is a rational
approximation (the one Eigen and XLA use), within 6 ulp of the exact value and free of
library calls; float64 ``tanh`` is ``math.tanh``.
"""
import math

import numba
import numpy as np
from numba import types
from numba.extending import overload

CODES = {"identity": 0, "relu": 1, "tanh": 2, "sigmoid": 3, "lrelu": 4, "softplus": 5}
"""Activation names accepted by the rate cell, with their kernel codes."""

_TANH_CLAMP = 7.90531110763549805  # |tanh| rounds to 1 in float32 beyond this
_TANH_NUMERATOR = (-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11,
                   5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04,
                   4.89352455891786e-03)
_TANH_DENOMINATOR = (1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03,
                     4.89352518554385e-03)
_TANH_TINY = 0.0004  # below this, tanh(x) rounds to x


def _horner(coefficients):
    """A float32 polynomial in ``x`` with ``coefficients`` (highest power first)."""
    c = tuple(np.float32(value) for value in coefficients)

    @numba.njit(inline="always")
    def polynomial(x):
        p = c[0]
        for k in range(1, len(c)):
            p = p * x + c[k]
        return p
    return polynomial


_numerator, _denominator = _horner(_TANH_NUMERATOR), _horner(_TANH_DENOMINATOR)
_clamp, _tiny = np.float32(_TANH_CLAMP), np.float32(_TANH_TINY)


@numba.njit(inline="always")
def _tanh_float32(x):
    y = _clamp if x > _clamp else x
    y = -_clamp if y < -_clamp else y
    y2 = y * y
    return x if abs(x) < _tiny else y * _numerator(y2) / _denominator(y2)


def activate(code, x):
    """``f(x)`` of activation ``code``, in the precision of ``x`` (Numba only)."""


def derivative(code, x):
    """``f'(x)`` of activation ``code`` (ReLU's is 0 at 0), in the precision of ``x``."""


def like(x, value):
    """``value`` as a number of the same float type as ``x`` (Numba only), so float32
    arithmetic is not promoted to float64 by a Python literal."""


@overload(like)
def _like(x, value):
    kind = np.float32 if x == types.float32 else np.float64
    return lambda x, value: kind(value)


@overload(activate)
def _activate(code, x):
    tanh = _tanh_float32 if x == types.float32 else math.tanh

    def impl(code, x):
        zero, one = like(x, 0.0), like(x, 1.0)
        if code == 1:
            return zero if x < zero else x
        if code == 2:
            return tanh(x)
        if code == 3:
            return one / (one + math.exp(-x))
        if code == 4:
            return x if x > zero else like(x, 0.01) * x
        if code == 5:
            return math.log1p(math.exp(-abs(x))) + (zero if x < zero else x)
        return x
    return impl


@overload(derivative)
def _derivative(code, x):
    tanh = _tanh_float32 if x == types.float32 else math.tanh

    def impl(code, x):
        zero, one = like(x, 0.0), like(x, 1.0)
        if code == 1:
            return one if x > zero else zero
        if code == 2:
            y = tanh(x)
            return one - y * y
        if code == 3:
            y = one / (one + math.exp(-x))
            return y * (one - y)
        if code == 4:
            return one if x > zero else like(x, 0.01)
        if code == 5:
            return one / (one + math.exp(-x))
        return one
    return impl


def code_of(name):
    """The kernel code of activation ``name``, or a clear error."""
    if name not in CODES:
        raise ValueError(f"act_fx: unknown activation {name!r}; expected one of {sorted(CODES)}")
    return CODES[name]
