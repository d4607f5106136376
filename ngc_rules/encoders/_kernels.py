"""The encoders' step math as Numba kernels over flat compartment views, updated in place.

Every kernel is a plain ``njit`` function of arrays and scalars that allocates nothing, so
a model's compiled network step can call it and get the bits the component gets. Scalars
arrive in the compartments' dtype and literals go through ``like``, so float32 cells
compute in float32, rounding each operation as ngc-learn's float32 arrays do.
"""
import math

import numpy as np
from numba import njit

from .._jit import cached_njit
from .._random import uniform32
from ..neurons.activations import like


@njit(inline="always")
def _time_of_last_spike(tols, spike, t):
    """ngc-learn's ``(1 - s) * tols + s * t``: ``t`` where the unit spiked."""
    return (like(spike, 1.0) - spike) * tols + spike * t


@cached_njit(error_model="numpy")
def bernoulli_spikes(inputs, outputs, tols, key, t, dt_factor, rate):
    """One step of a Bernoulli (or Poisson) spike train.

    ``p = (inputs * dt_factor) * rate``; unit ``i`` spikes iff ``U_i < p`` with
    ``U_i = uniform32(key[0], key[1], i)``; ``tols`` takes ``t`` where a unit spiked; then
    the step count ``key[1]`` advances. A Bernoulli cell passes ``dt_factor = rate = 1``
    (exact: ``p = inputs``).
    """
    seed, step = key[0], key[1]
    for i in range(inputs.size):
        p = inputs[i] * dt_factor * rate
        spike = like(p, 1.0) if uniform32(seed, step, i) < p else like(p, 0.0)
        outputs[i] = spike
        tols[i] = _time_of_last_spike(tols[i], spike, t)
    key[1] = step + np.uint64(1)


@cached_njit(error_model="numpy")
def latency_spike_times(inputs, targ_sp_times, clip_mask, linearize, normalize, clip_spikes,
                        tau, threshold, first_spike_time, eps, num_steps):
    """The spike time of every input (ngc-learn's ``calc_spike_times``), and the clip mask
    ``inputs < threshold`` (all zero without ``clip_spikes``).

    Linear: ``first + min(-T (x - 1), -T (threshold - 1))`` with ``T = tau``, or
    ``T = num_steps - 1 - first`` when ``normalize``. Logarithmic: ``first + tau
    log(d / (d - threshold))`` with ``d = max(x, threshold + eps)``; ``normalize`` then
    stretches the times so that the latest one falls at ``num_steps - 1`` (left as they are
    when every time equals ``first``).
    """
    one, zero = like(tau, 1.0), like(tau, 0.0)
    for i in range(inputs.size):
        x = inputs[i]
        clip_mask[i] = (one if x < threshold else zero) if clip_spikes else x * zero
    if linearize:
        span = (num_steps - one) - first_spike_time if normalize else tau
        latest = -span * (threshold - one)
        for i in range(inputs.size):
            time = -span * (inputs[i] - one)
            targ_sp_times[i] = (time if time < latest else latest) + first_spike_time
        return
    floor = threshold + eps
    for i in range(inputs.size):
        x = inputs[i]
        d = x if x > floor else floor
        ratio = d / (d - threshold)
        # the log in float64, rounded once: within an ulp of XLA's float32 log
        targ_sp_times[i] = like(x, math.log(np.float64(ratio))) * tau + first_spike_time
    if normalize:
        stretch = (num_steps - first_spike_time) - one
        longest = zero
        for i in range(targ_sp_times.size):
            longest = max(longest, targ_sp_times[i] - first_spike_time)
        if longest > zero:
            for i in range(targ_sp_times.size):
                delay = targ_sp_times[i] - first_spike_time
                targ_sp_times[i] = delay * (stretch / longest) + first_spike_time


@cached_njit(error_model="numpy")
def latency_spikes(targ_sp_times, mask, clip_mask, tols, outputs, t):
    """One step of a latency code: a unit whose spike time, rounded half to even, is
    ``<= t`` spikes once (``mask`` remembers it); ``tols`` takes ``t`` where it did and
    ``outputs`` is the spike unless ``clip_mask`` suppresses it. Written as ngc-learn's
    float formulas, so any mask values give its numbers."""
    one, zero = like(t, 1.0), like(t, 0.0)
    for i in range(targ_sp_times.size):
        seen = mask[i]
        due = one if np.rint(targ_sp_times[i]) <= t else zero
        spike = due * (one - seen)
        tols[i] = _time_of_last_spike(tols[i], spike, t)
        outputs[i] = spike * (one - clip_mask[i])
        mask[i] = seen + (one - seen) * spike
