"""Trace STDP for one sample, computed only where a spike is: an entry whose post-synaptic
neuron did not spike has ``dW = +-0`` unless its input spiked and the neuron's trace is
not 0, so ``W + eta * dW`` leaves the others as they are, and the clip too while every
weight lies within its bounds. A network stepping hundreds
of times per sample then pays per spike rather than per weight, for the same bits as
:func:`~ngc_rules.synapses._stdp_kernels.trace_stdp_evolve`.
"""
import numba

from .._jit import cached_njit
from ..neurons.activations import like
from ._stdp_kernels import _settled, _trace_one


@numba.njit(inline="always")
def _stepped(w, shifted_trace, post_spike, pre_spike, post_trace, a_plus, a_minus, mu,
             w_bound, eta, low, high):
    """One weight after trace STDP's step, as ``trace_stdp_evolve`` computes it."""
    dw = _trace_one(w, shifted_trace, post_spike, pre_spike, post_trace, a_plus, a_minus, mu,
                    w_bound)
    return _settled(w + dw * eta, w, like(w, 0.0), True, low, high)


@cached_njit(error_model="numpy")
def trace_stdp_evolve_spikes(weights, pre_spike, post_spike, pre_trace, post_trace, a_plus,
                             a_minus, x_tar, mu, w_bound, eta, low, high):
    """``trace_stdp_evolve`` of a batch of one without decay, mask or rule, for weights
    within ``[low, high]``; ``dWeights`` is not written."""
    n_pre, n_post = weights.shape
    for j in range(n_post):  # the columns of the neurons that spiked
        if post_spike[0, j] != 0:
            for i in range(n_pre):
                weights[i, j] = _stepped(weights[i, j], pre_trace[0, i] - x_tar,
                                         post_spike[0, j], pre_spike[0, i], post_trace[0, j],
                                         a_plus, a_minus, mu, w_bound, eta, low, high)
    for i in range(n_pre):  # the rows of the inputs that spiked, other traced columns
        if pre_spike[0, i] != 0:
            for j in range(n_post):
                if post_spike[0, j] == 0 and post_trace[0, j] != 0:
                    weights[i, j] = _stepped(weights[i, j], pre_trace[0, i] - x_tar,
                                             post_spike[0, j], pre_spike[0, i],
                                             post_trace[0, j], a_plus, a_minus, mu, w_bound,
                                             eta, low, high)
