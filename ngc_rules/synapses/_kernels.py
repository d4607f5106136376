"""Element-wise synaptic kernels, compiled with Numba and applied in place.

Scalars arrive in the weights' dtype, so float32 synapses compute in float32 exactly as
ngc-learn's JAX arrays do.
"""
import numpy as np

from .._jit import cached_njit

NO_PRIOR, L2_PRIOR, L1_PRIOR, ELASTIC_PRIOR = 0, 1, 2, 3


@cached_njit
def shape_hebbian_update(dw, w, w_bound, prior, lmbda, l1_ratio, half_l2_ratio, sign):
    """``dw <- sign * (dw * (w_bound - |w|) + prior(w))`` (the bound only when
    ``w_bound > 0``), over flat views of the update ``dw`` and the weights ``w``.

    ``half_l2_ratio`` is ``(1 - l1_ratio) / 2``; halving is exact, so this rounds as
    ngc-learn's ``w * (1 - l1_ratio) / 2`` does.
    """
    for i in range(dw.size):
        d = dw[i]
        x = w[i]
        if w_bound > 0:
            d = d * (w_bound - abs(x))
        if prior == L2_PRIOR:
            d = d + -x * lmbda
        elif prior == L1_PRIOR:
            d = d + -np.sign(x) * lmbda
        elif prior == ELASTIC_PRIOR:
            d = d + (-np.sign(x) * l1_ratio - x * half_l2_ratio) * lmbda
        dw[i] = d * sign


@cached_njit
def constrain_weights(w, clip, low, high, mask):
    """Clip ``w`` to ``[low, high]`` (when ``clip``) and multiply by ``mask`` (empty when
    every connection exists), in place over flat views."""
    if clip:
        for i in range(w.size):
            w[i] = min(max(w[i], low), high)
    if mask.size:
        for i in range(w.size):
            w[i] = w[i] * mask[i]

