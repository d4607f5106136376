"""Activation functions of rate cells and their derivatives, as scalar Numba functions
selected by a small integer code (so one compiled kernel serves every activation)."""
import math

import numba

CODES = {"identity": 0, "relu": 1, "tanh": 2, "sigmoid": 3, "lrelu": 4, "softplus": 5}
"""Activation names accepted by the rate cell, with their kernel codes."""


@numba.njit(inline="always")
def activate(code, x):
    """``f(x)`` of activation ``code``."""
    if code == 1:
        return max(x, 0.0)
    if code == 2:
        return math.tanh(x)
    if code == 3:
        return 1.0 / (1.0 + math.exp(-x))
    if code == 4:
        return x if x > 0 else 0.01 * x
    if code == 5:
        return math.log1p(math.exp(-abs(x))) + max(x, 0.0)
    return x


@numba.njit(inline="always")
def derivative(code, x):
    """``f'(x)`` of activation ``code`` (ReLU's is 0 at 0)."""
    if code == 1:
        return 1.0 if x > 0 else 0.0
    if code == 2:
        y = math.tanh(x)
        return 1.0 - y * y
    if code == 3:
        y = 1.0 / (1.0 + math.exp(-x))
        return y * (1.0 - y)
    if code == 4:
        return 1.0 if x > 0 else 0.01
    if code == 5:
        return 1.0 / (1.0 + math.exp(-x))
    return 1.0


def code_of(name):
    """The kernel code of activation ``name``, or a clear error."""
    if name not in CODES:
        raise ValueError(f"act_fx: unknown activation {name!r}; expected one of {sorted(CODES)}")
    return CODES[name]
