"""The bound to approach for ``benchmarks/diehl_cook.py``: the Diehl & Cook network of
``dc_peer`` written by hand as one Numba function over a whole presentation.

Every component is inlined into one loop over the steps, in the peer's order (synapses
from the previous step's spikes, then z0, z1e, z1i, the traces, then STDP), in float32,
with sparse spike handling: only pixels above zero draw, the input current adds only the
rows of W1 whose input spiked, inhibition is ``-120`` times the inhibitory spike count
(hollow matrix) and excitation of the inhibitory layer the one excitatory spike (``22.5``
on the diagonal), and STDP touches only the column of the spiking excitatory neuron and
the rows of the spiking inputs. The random draws are the toolkit's counter-based ``uniform32``. Not bit-identical to the peer
(other random numbers, other summation order): the same network, as fast as it goes.
"""
import math

import numpy as np
from numba import njit

from ngc_rules._random import uniform32

F = np.float32
TAU_M, TAU_TRACE, TAU_THETA = 100.500896468, 20.0, 1e7
REFRACT, THETA_PLUS, A_PLUS, A_MINUS = F(5.0), F(0.05), F(1e-2), F(1e-4)
E_THR, E_REST, E_RESET = F(-52.0), F(-65.0), F(-60.0)
I_THR, I_REST, I_RESET = F(-40.0), F(-60.0), F(-45.0)
W_IE, W_EI = F(-120.0), F(22.5)


@njit(inline="always")
def _lif(v, rfr, j, k, dt, inv_tau, resist, rest, reset, thr):
    """Euler step of neuron ``k``; True if it crossed ``thr`` (voltage reset, refractory
    clock restarted), else its refractory clock advances."""
    drive = j * resist if rfr[k] >= REFRACT else F(0.0)
    new_v = v[k] + ((rest - v[k]) + drive) * inv_tau * dt
    if new_v > thr:
        v[k], rfr[k] = reset, F(0.0)
        return True
    v[k], rfr[k] = new_v, rfr[k] + dt
    return False


@njit(inline="always")
def _unit(weight):
    """ngc-learn's clip of W1 to ``[0, w_bound = 1]``."""
    return min(max(weight, F(0.0)), F(1.0))


@njit(error_model="numpy")
def present(w, theta, x, key, counts, learn, steps, rest_steps, dt, p_factor, w_norm):
    """One presentation: ``steps`` steps with input ``x`` then ``rest_steps`` without;
    ``w`` (STDP when ``learn``, then column L1 norm ``w_norm``), ``theta`` and ``key[1]``
    (the step counter of the draws) updated in place, ``counts`` set to the excitatory
    spikes of the ``steps``."""
    n_in, n = w.shape
    inv_tau, resist = F(1.0 / TAU_M), F(TAU_M / dt)
    trace_decay, theta_decay = F(math.exp(-dt / TAU_TRACE)), F(math.exp(-dt / TAU_THETA))
    v_e, v_i = np.full(n, E_REST), np.full(n, I_REST)
    rfr_e, rfr_i = np.full(n, REFRACT), np.full(n, REFRACT)
    tr0, tr1, j_e = np.zeros(n_in, F), np.zeros(n, F), np.empty(n, F)
    pre, inh = np.empty(n_in, np.int64), np.empty(n, np.int64)
    lit = np.flatnonzero(x > F(0.0))  # only these pixels can spike: the others draw nothing
    n_pre = n_inh = 0
    post, fired = -1, False
    counts[:] = 0
    seed = key[0]
    for t in range(steps + rest_steps):
        step = key[1]
        # W1 and W1ie carry the previous step's spikes into the excitatory current
        j_e[:] = W_IE * n_inh
        for m in range(n_inh):
            j_e[inh[m]] -= W_IE
        for m in range(n_pre):
            j_e += w[pre[m]]
        j_i_post = W_EI if post >= 0 else F(0.0)  # W1ei: one excitatory spike at most
        i_post = post
        # z0: Poisson input spikes
        n_pre = 0
        if t < steps:
            for i in lit:
                if uniform32(seed, step, i) < x[i] * p_factor:
                    pre[n_pre] = i
                    n_pre += 1
        # z1e: every crossing raises its threshold; one crossing, drawn at random, spikes
        post, best = -1, F(-1.0)
        for k in range(n):
            crossed = _lif(v_e, rfr_e, j_e[k], k, dt, inv_tau, resist, E_REST, E_RESET,
                           E_THR + theta[k])
            theta[k] = theta[k] * theta_decay + (THETA_PLUS if crossed else F(0.0))
            if crossed:
                draw = uniform32(seed, step, n_in + k)
                if draw > best:
                    post, best = k, draw
        # z1i
        n_inh = 0
        for k in range(n):
            if _lif(v_i, rfr_i, j_i_post if k == i_post else F(0.0), k, dt, inv_tau, resist,
                    I_REST, I_RESET, I_THR):
                inh[n_inh] = k
                n_inh += 1
        # tr0, tr1: decay, then 1 where a spike arrived
        tr0 *= trace_decay
        tr1 *= trace_decay
        for m in range(n_pre):
            tr0[pre[m]] = F(1.0)
        if post >= 0:
            tr1[post], fired = F(1.0), True
            if t < steps:
                counts[post] += F(1.0)
        if learn:  # W1.evolve: LTP on the spiking column, then LTD on the spiking rows
            if post >= 0:
                for i in range(n_in):
                    w[i, post] += A_PLUS * tr0[i]
            if fired:  # tr1 is zero until the first excitatory spike
                for m in range(n_pre):
                    for k in range(n):
                        w[pre[m], k] = _unit(w[pre[m], k] - A_MINUS * tr1[k])
            if t == 0:  # the normalisation may have left weights above 1
                for i in range(n_in):
                    for k in range(n):
                        w[i, k] = _unit(w[i, k])
            elif post >= 0:
                for i in range(n_in):
                    w[i, post] = _unit(w[i, post])
        key[1] = step + np.uint64(1)
    if learn:
        norms = np.zeros(n, F)
        for i in range(n_in):
            for k in range(n):
                norms[k] += abs(w[i, k])
        for k in range(n):
            norms[k] = w_norm / max(norms[k], F(1e-8))
        for i in range(n_in):
            w[i] *= norms


class BoundDiehlCook:
    """The hand-written network with ``dc_peer.NgclearnDiehlCook``'s arguments."""

    def __init__(self, n_inputs, n_neurons=100, steps=250, dt=1.0, weights=None, seed=0,
                 target_freq=63.75, w_norm=None, rest_steps=0):
        self.steps, self.rest_steps, self.dt = steps, rest_steps, F(dt)
        self.p_factor = F(dt / 1000.0 * target_freq)
        self.w_norm = F(78.4 * n_inputs / 784 if w_norm is None else w_norm)
        self.weights = (np.array(weights, F) if weights is not None else
                        np.random.default_rng(seed).uniform(0.0, 0.3, (n_inputs, n_neurons))
                        .astype(F))
        self.theta = np.zeros(n_neurons, F)
        self.key = np.array([seed, 0], np.uint64)

    def present(self, x, learn=True):
        """One presentation (as ``NgclearnDiehlCook.present``); the excitatory spike counts."""
        theta, counts = self.theta.copy(), np.empty_like(self.theta)
        present(self.weights, self.theta, np.asarray(x, F), self.key, counts, learn,
                self.steps, self.rest_steps, self.dt, self.p_factor, self.w_norm)
        if not learn:
            self.theta[:] = theta
        return counts
