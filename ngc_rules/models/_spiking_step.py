"""The Diehl & Cook network's presentation of one sample as one compiled call.

Each step runs the components' own kernels in the order of the component-by-component
path (:meth:`~ngc_rules.models.DiehlCook.step`), over the components' own arrays: the
synapses carry the last step's spikes, then the encoder draws, the excitatory and the
inhibitory cells integrate, the traces follow the spikes and trace STDP moves the input
weights. No Python runs between two steps.
"""
from .. import _random
from .._jit import cached_njit
from ..encoders import _kernels as _encoder_kernels
from ..encoders._kernels import bernoulli_spikes
from ..neurons import _spiking, activations
from ..neurons._spiking import lif_step
from ..synapses import _spike_driven, _stdp_kernels
from ..synapses._spike_driven import trace_stdp_evolve_spikes
from ..synapses._stdp_kernels import dense_forward, trace_stdp_evolve
from ..traces import _kernels as _trace_kernels
from ..traces._kernels import var_trace_step


@cached_njit(error_model="numpy", depends=(_encoder_kernels, _spiking, activations, _random,
                                            _spike_driven, _stdp_kernels, _trace_kernels))
def present(first_step, n_steps, dt, learn, encoder, excitatory, inhibitory, synapses,
            input_trace, output_trace, plasticity, counts):
    """Run steps ``first_step`` to ``first_step + n_steps - 1`` (time ``k * dt``), adding
    each step's excitatory spikes to ``counts``.

    Args:
        encoder: the flat intensities, the encoder's ``outputs`` (2-D, then flat), flat
            ``tols``, ``key`` and its two scalars (:func:`bernoulli_spikes`).
        excitatory, inhibitory: :func:`lif_step`'s arguments after ``t``.
        synapses: ``W1``, ``W1ie`` and ``W1ei``'s weights and outputs, their output scale
            and an empty bias.
        input_trace, output_trace: the flat spikes a trace follows, its ``trace`` (2-D),
            then :func:`var_trace_step`'s arguments after the spikes (flat ``trace`` and
            ``outputs``, and the scalars). Flat views are made once, not per step.
        plasticity: ``W1``'s ``dWeights`` and mask and trace STDP's scalars. With
            ``learn``, the first step updates every weight (they may have been set out
            of bounds since the last one) and the later ones only where a spike is.
    """
    x, z0, z0_flat, z0_tols, z0_key, dt_factor, rate = encoder
    w1, w1_out, w1ie, w1ie_out, w1ei, w1ei_out, scale, no_biases = synapses
    dweights, mask, a_plus, a_minus, x_tar, mu, w_bound, eta, decay, low, high, none = \
        plasticity
    e_current, e_spikes = excitatory[1], excitatory[3]
    i_current, i_spikes = inhibitory[1], inhibitory[3]
    e_flat = output_trace[0]
    pre_trace, post_trace = input_trace[1], output_trace[1]
    for k in range(first_step, first_step + n_steps):
        t = dt * k
        dense_forward(z0, w1, scale, no_biases, w1_out)
        dense_forward(i_spikes, w1ie, scale, no_biases, w1ie_out)
        dense_forward(e_spikes, w1ei, scale, no_biases, w1ei_out)
        bernoulli_spikes(x, z0_flat, z0_tols, z0_key, t, dt_factor, rate)
        for j in range(e_current.shape[1]):  # element by element: nothing allocated
            e_current[0, j] = w1_out[0, j] + w1ie_out[0, j]
            i_current[0, j] = w1ei_out[0, j]
        lif_step(t, *excitatory)
        lif_step(t, *inhibitory)
        var_trace_step(z0_flat, *input_trace[2:])
        var_trace_step(e_flat, *output_trace[2:])
        if learn and k == first_step:
            trace_stdp_evolve(w1, dweights, mask, z0, e_spikes, pre_trace, post_trace,
                              a_plus, a_minus, x_tar, mu, w_bound, eta, decay, low, high,
                              none, none)
        elif learn:
            trace_stdp_evolve_spikes(w1, z0, e_spikes, pre_trace, post_trace, a_plus,
                                     a_minus, x_tar, mu, w_bound, eta, low, high)
        for j in range(counts.size):
            counts[j] += e_spikes[0, j]


@cached_njit(error_model="numpy")
def decay(values, factor, steps):
    """``values`` multiplied by ``factor`` ``steps`` times, rounding each time (as the
    adaptive thresholds decay step by step while the cells rest)."""
    flat = values.reshape(-1)
    for _ in range(steps):
        for i in range(flat.size):
            flat[i] = flat[i] * factor
