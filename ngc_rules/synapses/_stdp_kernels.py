"""The step math of the STDP family of synapses, as Numba kernels updating compartments in
place.

Every kernel takes the compartments as 2-D C-contiguous arrays (signals ``(batch, n)``,
weight-shaped arrays ``(n_pre, n_post)``), the connection mask flat (empty when every
connection exists) and scalars in the arrays' dtype; it allocates nothing and can be
called from other ``@njit`` code, so a network step compiled as one call computes the bits
of the component-by-component path.

Rounding follows ngc-learn 3.2.1 as XLA compiles it on the CPU (what the reference
trajectories show): each operation rounds to the arrays' dtype, in ngc-learn's order,
except that a product feeding an addition is fused into it (one rounding, :func:`_fma`),
a division by a hyperparameter is a multiplication by its reciprocal, products of two
hyperparameters are formed first (``W * ((1 + lmbda) * A_minus)``) and a factor of 1 is
dropped. A batch sum (``pre.T @ post``) fuses each product into the running sum, in batch
order. The weights themselves step as ``W + eta * dW`` rounded twice, as our learning
rules step (so that ``optim_type="sgd"`` gives the same bits), then the decay is fused:
``W - W_before * factor``.

A plastic kernel computes ``dWeights`` (and its other compartments), then
:func:`step_weights` either applies ngc-learn's own update (``direction`` empty) or, for
an attached learning rule, leaves the weights as they are and writes the descent direction
into ``direction`` and the weights before the step into ``before`` (the decay needs them);
:func:`settle` finishes that step after the rule's. Per-element helpers take numbers only
(an array passed into an inlined helper costs reference counting in the loop).
"""
import math

import numba
import numpy as np

from .._jit import cached_njit
from ..neurons.activations import like


@numba.njit(inline="always")
def _fma(a, b, c):
    """``a * b + c`` rounded once for float32 (the float64 product of two float32 is
    exact; the sum rounds in float64, then to float32); for float64, twice."""
    return like(a, np.float64(a) * np.float64(b) + np.float64(c))


@numba.njit(inline="always")
def _batch_dot(left, i, shift, right, j, scale):
    """``sum_b (left[b, i] - shift) * (right[b, j] * scale)``, each product after the
    first fused into the running sum (batches of several only: it takes arrays)."""
    total = (left[0, i] - shift) * (right[0, j] * scale)
    for b in range(1, left.shape[0]):
        total = _fma(left[b, i] - shift, right[b, j] * scale, total)
    return total


@numba.njit(inline="always")
def _settled(w, before, decay, clip, low, high):
    """The end of every step: ``w - before * decay`` (when ``decay != 0``), then limited
    to ``[low, high]`` (when ``clip``; NaN passes, as ``jnp.clip``)."""
    if decay != 0:
        w = _fma(-before, decay, w)
    if clip and w < low:
        return low
    if clip and w > high:
        return high
    return w


@numba.njit(inline="always")
def _power(x, mu):
    """``x ** mu``; ``x`` itself for ``mu == 1`` (XLA's simplification, and faster)."""
    return x if mu == 1 else x ** mu


@numba.njit(inline="always")
def _weighted_trace(w, ltp_sum, ltd_sum, a_plus, a_minus, mu, w_bound):
    """Trace STDP's ``dW`` with the weight dependence ``mu > 0``, from the batch sums
    ``(x_pre - x_tar)^T s_post`` and ``s_pre^T x_post``."""
    ltp = _power(w_bound - w, mu) * ltp_sum
    if a_minus > 0:
        return _fma(-(_power(w, mu) * ltd_sum), a_minus, ltp * a_plus)
    return ltp * a_plus


@numba.njit(inline="always")
def _trace_one(w, shifted_trace, post_spike, pre_spike, post_trace, a_plus, a_minus, mu,
               w_bound):
    """Trace STDP's ``dW[i, j]`` for a batch of one (``shifted_trace = x_pre - x_tar``):
    its products fuse into the sum of potentiation and depression."""
    if mu > 0:
        return _weighted_trace(w, shifted_trace * post_spike, pre_spike * post_trace,
                               a_plus, a_minus, mu, w_bound)
    if a_minus > 0:
        return _fma(shifted_trace, post_spike * a_plus, -(pre_spike * (post_trace * a_minus)))
    return shifted_trace * (post_spike * a_plus)


@numba.njit(inline="always")
def _trace_batch(i, j, w, pre_spike, post_spike, pre_trace, post_trace, a_plus, a_minus,
                 x_tar, mu, w_bound):
    """Trace STDP's ``dW[i, j]`` summed over a batch of several."""
    one, zero = like(w, 1.0), like(w, 0.0)
    if mu > 0:
        return _weighted_trace(w, _batch_dot(pre_trace, i, x_tar, post_spike, j, one),
                               _batch_dot(pre_spike, i, zero, post_trace, j, one),
                               a_plus, a_minus, mu, w_bound)
    ltp = _batch_dot(pre_trace, i, x_tar, post_spike, j, a_plus)
    if a_minus > 0:
        return ltp - _batch_dot(pre_spike, i, zero, post_trace, j, a_minus)
    return ltp


@numba.njit(inline="always")
def _exp_delta(w, ltp_sum, target_sum, ltd_sum, a_plus, a_minus, neg_beta, w_bound):
    """Exponential STDP's ``dW`` from the batch sums ``x_pre^T s_post``,
    ``x_tar^T s_post`` and ``s_pre^T x_post``."""
    depression = math.exp(neg_beta * w)
    ltp = _fma(depression, ltp_sum, -(math.exp(neg_beta * (w_bound - w)) * target_sum))
    if a_minus <= 0:
        return ltp * a_plus
    ltd = -depression * ltd_sum
    return _fma(ltd, a_minus, ltp) if a_plus == 1 else _fma(ltp, a_plus, ltd * a_minus)


@numba.njit(inline="always")
def _stdp_delta(t_pre, t_post, pre_spike, post_spike, a_plus, a_minus, inv_tau_plus,
                inv_tau_minus):
    """Spike-time STDP's ``dW`` of one pair of times of last spike (0: none yet)."""
    gap = t_post - t_pre
    if t_pre > 0 and t_post > 0 and gap > 0:
        return math.exp(-gap * inv_tau_plus) * (post_spike * a_plus)
    if t_pre > 0 and t_post > 0 and gap < 0 and a_minus > 0:
        return -math.exp(-gap * inv_tau_minus) * (pre_spike * a_minus)
    return like(gap, 0.0)


@numba.njit(inline="always")
def _bcm_delta(w, pre_sum, post_term, w_bound, w_decay):
    """BCM's ``dW = x^T post_term (w_bound - |W|) - W w_decay`` (``pre_sum * post_term``
    is the batch sum: ``x`` and ``post_term`` for one sample, the sum and 1 for more)."""
    decay = -w * w_decay
    if w_bound > 0:
        return _fma(pre_sum * post_term, w_bound - abs(w), decay)
    return _fma(pre_sum, post_term, decay)


@cached_njit(error_model="numpy")
def dense_forward(inputs, weights, scale, biases, outputs):
    """``outputs = (inputs @ weights) * scale + biases`` (``biases`` ``(1, n_post)`` or
    empty), each product fused into the running sum; only the inputs that are not 0 are
    summed, so a spike vector costs one row addition per spike."""
    n_post = weights.shape[1]
    for b in range(inputs.shape[0]):
        for j in range(n_post):
            outputs[b, j] = 0
        for i in range(weights.shape[0]):
            x = inputs[b, i]
            if x == 1:
                for j in range(n_post):
                    outputs[b, j] = outputs[b, j] + weights[i, j]
            elif x != 0:
                for j in range(n_post):
                    outputs[b, j] = _fma(x, weights[i, j], outputs[b, j])
        for j in range(n_post):
            if biases.size != 0:
                outputs[b, j] = _fma(outputs[b, j], scale, biases[0, j])
            elif scale != 1:
                outputs[b, j] = outputs[b, j] * scale


@cached_njit(error_model="numpy")
def is_binary(values):
    """Whether every value of the 2-D array is 0 or 1."""
    for b in range(values.shape[0]):
        for i in range(values.shape[1]):
            if values[b, i] != 0 and values[b, i] != 1:
                return False
    return True


@cached_njit(error_model="numpy")
def step_weights(weights, steps, scale, column, unit, eta, decay, mask, clip, low, high,
                 direction, before):
    """Step the weights along ``u = ((steps * scale) * column[0, j]) * unit`` (``column``
    ``(1, n_post)``, or ``(1, 0)`` for none): ngc-learn's way, ``W <- clip(W + u eta -
    W decay)`` with absent connections 0 (``direction`` empty), or leave the step to a
    rule: ``direction = -u``, and ``before = W`` when ``decay != 0``."""
    by_column = column.shape[1] != 0
    for i in range(weights.shape[0]):
        for j in range(weights.shape[1]):
            u = steps[i, j] * scale
            if by_column:
                u = u * column[0, j]
            u = u * unit
            w = weights[i, j]
            if direction.size != 0:
                direction[i, j] = -u
                if decay != 0:
                    before[i, j] = w
            elif mask.size != 0 and mask[i * weights.shape[1] + j] == 0:
                weights[i, j] = 0
            else:
                weights[i, j] = _settled(w + u * eta, w, decay, clip, low, high)


@cached_njit(error_model="numpy")
def settle(weights, before, decay, mask, clip, low, high):
    """Finish a step a learning rule took: ``W - before * decay`` (when ``before`` is not
    empty), clipped to ``[low, high]`` (when ``clip``), absent connections 0."""
    for i in range(weights.shape[0]):
        for j in range(weights.shape[1]):
            if mask.size != 0 and mask[i * weights.shape[1] + j] == 0:
                weights[i, j] = 0
            elif before.size != 0:
                weights[i, j] = _settled(weights[i, j], before[i, j], decay, clip, low, high)
            else:
                weights[i, j] = _settled(weights[i, j], weights[i, j], like(decay, 0.0), clip,
                                         low, high)


@cached_njit(error_model="numpy")
def trace_stdp_delta(dweights, weights, pre_spike, post_spike, pre_trace, post_trace, a_plus,
                     a_minus, x_tar, mu, w_bound):
    """Trace STDP's ``dW`` into ``dweights``, from the weights and the batch's spikes and
    traces (one loop per case: a batch of one runs on numbers only)."""
    if pre_spike.shape[0] == 1:
        for i in range(weights.shape[0]):
            for j in range(weights.shape[1]):
                dweights[i, j] = _trace_one(weights[i, j], pre_trace[0, i] - x_tar,
                                            post_spike[0, j], pre_spike[0, i],
                                            post_trace[0, j], a_plus, a_minus, mu, w_bound)
        return
    for i in range(weights.shape[0]):
        for j in range(weights.shape[1]):
            dweights[i, j] = _trace_batch(i, j, weights[i, j], pre_spike, post_spike,
                                          pre_trace, post_trace, a_plus, a_minus, x_tar, mu,
                                          w_bound)


@cached_njit(error_model="numpy")
def trace_stdp_evolve(weights, dweights, mask, pre_spike, post_spike, pre_trace, post_trace,
                      a_plus, a_minus, x_tar, mu, w_bound, eta, decay, low, high,
                      direction, before):
    """Trace STDP: ``dW``; then ``W <- clip(W + dW eta - W decay, low, high)``
    (``decay`` is ``1 / tau_w``, 0 for none)."""
    trace_stdp_delta(dweights, weights, pre_spike, post_spike, pre_trace, post_trace, a_plus,
                     a_minus, x_tar, mu, w_bound)
    one = like(eta, 1.0)
    step_weights(weights, dweights, one, dweights[:1, :0], one, eta, decay, mask, True, low,
                 high, direction, before)


@cached_njit(error_model="numpy")
def mstdpet_evolve(weights, dweights, eligibility, mask, outmask, modulator, pre_spike,
                   post_spike, pre_trace, post_trace, a_plus, a_minus, x_tar, mu, w_bound,
                   eta, decay, elg_exponent, inv_tau_elg, elg_decay, low, high, direction,
                   before):
    """Modulated trace STDP: the eligibility integrates the previous step's ``dWeights``
    (``E <- E exp(elg_exponent) elg_decay + dW_prev / tau_elg`` when ``inv_tau_elg > 0``,
    else ``E = dW_prev``); ``dWeights`` becomes this step's trace-STDP update; then
    ``W <- clip(W + (r E outmask) eta - W decay)``, from the weights before the step.
    ``elg_exponent`` is ``-dt / tau_elg``."""
    fading = math.exp(elg_exponent)
    for i in range(weights.shape[0]):
        for j in range(weights.shape[1]):
            previous = dweights[i, j]
            if inv_tau_elg > 0 and elg_decay != 1:
                previous = _fma(eligibility[i, j] * fading, elg_decay, previous * inv_tau_elg)
            elif inv_tau_elg > 0:
                previous = _fma(eligibility[i, j], fading, previous * inv_tau_elg)
            eligibility[i, j] = previous
    trace_stdp_delta(dweights, weights, pre_spike, post_spike, pre_trace, post_trace, a_plus,
                     a_minus, x_tar, mu, w_bound)
    step_weights(weights, eligibility, modulator[0, 0], outmask, like(eta, 1.0), eta, decay,
                 mask, True, low, high, direction, before)


@cached_njit(error_model="numpy")
def _exp_stdp_batch(dweights, weights, pre_spike, post_spike, pre_trace, post_trace, a_plus,
                    a_minus, x_tar, neg_beta, w_bound):
    """Exponential STDP's ``dW`` summed over a batch of several."""
    one, zero = like(w_bound, 1.0), like(w_bound, 0.0)
    for i in range(weights.shape[0]):
        for j in range(weights.shape[1]):
            target_sum = x_tar * post_spike[0, j]
            for b in range(1, post_spike.shape[0]):
                target_sum = _fma(x_tar, post_spike[b, j], target_sum)
            dweights[i, j] = _exp_delta(
                weights[i, j], _batch_dot(pre_trace, i, zero, post_spike, j, one), target_sum,
                _batch_dot(pre_spike, i, zero, post_trace, j, one), a_plus, a_minus,
                neg_beta, w_bound)


@cached_njit(error_model="numpy")
def exp_stdp_evolve(weights, dweights, mask, pre_spike, post_spike, pre_trace, post_trace,
                    a_plus, a_minus, x_tar, neg_beta, w_bound, eta, low, high, direction):
    """Exponentially weight-dependent STDP: ``dW``; then ``W <- clip(W + dW eta)``.
    ``neg_beta`` is ``-exp_beta``."""
    one, zero = like(eta, 1.0), like(eta, 0.0)
    if pre_spike.shape[0] == 1:
        for i in range(weights.shape[0]):
            for j in range(weights.shape[1]):
                dweights[i, j] = _exp_delta(
                    weights[i, j], pre_trace[0, i] * post_spike[0, j],
                    x_tar * post_spike[0, j], pre_spike[0, i] * post_trace[0, j], a_plus,
                    a_minus, neg_beta, w_bound)
    else:
        _exp_stdp_batch(dweights, weights, pre_spike, post_spike, pre_trace, post_trace,
                        a_plus, a_minus, x_tar, neg_beta, w_bound)
    step_weights(weights, dweights, one, dweights[:1, :0], one, eta, zero, mask, True, low,
                 high, direction, direction)


@cached_njit(error_model="numpy")
def stdp_evolve(weights, dweights, mask, pre_spike, post_spike, pre_tols, post_tols,
                a_plus, a_minus, inv_tau_plus, inv_tau_minus, eta, decay, low, high,
                direction, before):
    """Spike-time STDP over times of last spike (0: no spike yet), one sample: with
    ``d = t_post - t_pre``, ``dW = A+ exp(-d/tau+) s_post`` for ``d > 0`` and
    ``-A- exp(-d/tau-) s_pre`` for ``d < 0``; then ``W <- clip(W + dW eta - W decay)``
    (``decay`` is ``dt / tau_w`` or ``w_decay``)."""
    for i in range(weights.shape[0]):
        for j in range(weights.shape[1]):
            dweights[i, j] = _stdp_delta(pre_tols[0, i], post_tols[0, j], pre_spike[0, i],
                                         post_spike[0, j], a_plus, a_minus, inv_tau_plus,
                                         inv_tau_minus)
    one = like(eta, 1.0)
    step_weights(weights, dweights, one, dweights[:1, :0], one, eta, decay, mask, True, low,
                 high, direction, before)


@cached_njit(error_model="numpy")
def event_stdp_evolve(weights, dweights, mask, pre_tols, post_spike, window, since, t,
                      lmbda_factor, w_bound, a_plus, depression, eta, low, high, direction):
    """Event-driven STDP, one sample: a pre-synaptic spike counts when its time of last
    spike is > 0 and after ``since`` (``window``) or equal to ``t``; where one counts
    ``dW = (w_bound - W lmbda_factor) A+``, elsewhere ``-W depression`` (``lmbda_factor``
    is ``1 + lmbda``, ``depression`` is ``(1 + lmbda) A-``), both times the post-synaptic
    spike; then ``W <- clip(W + dW eta)``."""
    for i in range(weights.shape[0]):
        tol = pre_tols[0, i]
        spiked = tol > 0 and (since < tol if window else tol == t)
        for j in range(weights.shape[1]):
            w = weights[i, j]
            if spiked:
                shift = _fma(-w, lmbda_factor, w_bound) * a_plus
            else:
                shift = -w * depression
            dweights[i, j] = shift * post_spike[0, j]
    one, zero = like(eta, 1.0), like(eta, 0.0)
    step_weights(weights, dweights, one, dweights[:1, :0], one, eta, zero, mask, True, low,
                 high, direction, direction)


@cached_njit(error_model="numpy")
def _bcm_batch(dweights, weights, pre, post_term, w_bound, w_decay):
    """BCM's ``dW`` summed over a batch of several."""
    one, zero = like(w_bound, 1.0), like(w_bound, 0.0)
    for i in range(weights.shape[0]):
        for j in range(weights.shape[1]):
            dweights[i, j] = _bcm_delta(weights[i, j],
                                        _batch_dot(pre, i, zero, post_term, j, one), one,
                                        w_bound, w_decay)


@cached_njit(error_model="numpy")
def bcm_evolve(weights, dweights, mask, pre, post, theta, post_term, w_bound, w_decay, dt,
               inv_tau_w, inv_tau_theta, direction):
    """BCM: ``post_term = y (y - theta) / (theta + 1e-7)``, ``dW = x^T post_term`` (times
    ``w_bound - |W|`` when ``w_bound > 0``) ``- W w_decay``, ``theta <- theta + (mean_b y^2
    - theta) dt / tau_theta``, ``W <- W + dW dt / tau_w`` (the rule's direction:
    ``-(dW dt / tau_w)``). ``theta`` has one row or a row per sample."""
    one, zero, eps = like(dt, 1.0), like(dt, 0.0), like(dt, 1e-7)
    shared, rows = theta.shape[0] == 1, post.shape[0]
    for b in range(rows):
        for j in range(post.shape[1]):
            y, threshold = post[b, j], theta[0 if shared else b, j]
            post_term[b, j] = (y * (y - threshold)) * (one / (threshold + eps))
    if rows == 1:
        for i in range(weights.shape[0]):
            for j in range(weights.shape[1]):
                dweights[i, j] = _bcm_delta(weights[i, j], pre[0, i], post_term[0, j],
                                            w_bound, w_decay)
    else:
        _bcm_batch(dweights, weights, pre, post_term, w_bound, w_decay)
    for j in range(post.shape[1]):
        power = post[rows - 1, j] * post[rows - 1, j]
        for b in range(rows - 2, -1, -1):
            power = _fma(post[b, j], post[b, j], power)
        for k in range(theta.shape[0]):
            if rows == 1:
                change = _fma(post[0, j], post[0, j], -theta[k, j])
            else:
                change = _fma(power, one / like(dt, rows), -theta[k, j])
            theta[k, j] = _fma(change * dt, inv_tau_theta, theta[k, j])
    step_weights(weights, dweights, dt, dweights[:1, :0], inv_tau_w, one, zero, mask, False,
                 zero, zero, direction, direction)
