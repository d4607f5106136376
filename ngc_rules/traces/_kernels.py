"""The trace's step math as a Numba kernel over flat compartment views, updated in place.

A plain ``njit`` function of arrays and scalars that allocates nothing, so a model's
compiled network step can call it and get the bits the component gets.
"""
import numpy as np
from numba import njit

from .._jit import cached_njit
from ..neurons.activations import like


@njit(inline="always")
def _fused(a, b, c):
    """``a * b + c`` rounded once in float32, as XLA:CPU fuses it (the float64 product of
    two float32 is exact); two roundings in float64."""
    return like(a, np.float64(a) * np.float64(b) + np.float64(c))


@cached_njit(error_model="numpy")
def var_trace_step(inputs, trace, outputs, decay, a_delta, p_scale, n_nearest_spikes):
    """One step of a variable trace; ``outputs`` is the new trace.

    ``decay`` is ``gamma_tr`` times the decay factor, rounded (XLA folds the two scalars
    first). With ``n_nearest_spikes > 0``: ``trace * decay + x (a_delta - trace / k)``;
    else with ``a_delta > 0``: ``trace * decay + x a_delta``; else (gated):
    ``(trace * decay)(1 - x) + x p_scale``. The final multiply-add is fused (one rounding).
    """
    one = like(decay, 1.0)
    for i in range(inputs.size):
        x = inputs[i]
        old = trace[i]
        if n_nearest_spikes > 0:
            new = _fused(old, decay, x * (a_delta - old / n_nearest_spikes))
        elif a_delta > 0:
            new = _fused(old, decay, x * a_delta)
        else:
            new = _fused(old * decay, one - x, x * p_scale)
        trace[i] = new
        outputs[i] = new
