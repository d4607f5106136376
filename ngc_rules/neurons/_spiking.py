"""Spiking neuron dynamics as Numba kernels over ``(batch, n_units)`` compartments,
updated in place.

Each ``*_step`` function advances one population by one step of length ``dt`` at time
``t``, allocating nothing, and can be called from other ``@njit`` code (a network's
compiled step). Callers pass scalars of the compartments' dtype, so float32 cells
compute in float32 with ngc-learn 3.2.1's roundings: one rounding per operation, except
the multiply-adds that XLA fuses inside its ODE steps (:func:`fma`). Flags (midpoint
integration, clamps, spike selection) are run-time arguments, the same for a whole step;
the per-unit choices (spike or not, refractory or not) are selections, not branches.
"""
import math

import numba
import numpy as np
from numba import types
from numba.extending import overload

from .._jit import cached_njit
from .._random import uniform32
from .activations import like


def fma(a, b, c):
    """``a * b + c`` rounded once (Numba only): float32 through float64, where the
    product of two float32 is exact; float64 rounds the product and the sum."""


@overload(fma)
def _fma(a, b, c):
    if a == types.float32:
        return lambda a, b, c: np.float32(np.float64(a) * np.float64(b) + np.float64(c))
    return lambda a, b, c: a * b + c


def exp(x):
    """``e**x`` correctly rounded to ``x``'s float type (Numba only): float32 through
    float64, as the exponential in ngc-learn's recorded steps rounds."""


@overload(exp)
def _exp(x):
    if x == types.float32:
        return lambda x: np.float32(math.exp(np.float64(x)))
    return lambda x: math.exp(x)


@numba.njit(inline="always")
def ode_step(slope, x, dt, inv_tau, midpoint, args):
    """One step of ``tau dx/dt = slope(x, args)``: Euler, or the midpoint method
    (ngc-learn's "rk2"), which takes the slope at ``x + slope(x) dt / (2 tau)``.

    Each update is ``x + slope * (dt / tau)`` with the factor formed first and the
    multiply-add rounded once, as XLA compiles ngc-learn's step.
    """
    if midpoint:
        x_mid = fma(slope(x, args), inv_tau * (dt * like(dt, 0.5)), x)
        return fma(slope(x_mid, args), inv_tau * dt, x)
    return fma(slope(x, args), inv_tau * dt, x)


@numba.njit(inline="always")
def refractory_input(j, rfr, refract_time):
    """The current ``j`` while the cell is out of its refractory period, else 0."""
    return j if rfr >= refract_time else like(j, 0.0)


@numba.njit(inline="always")
def refractory_time(spiked, rfr, dt):
    """The time since the last spike after this step: 0 on a spike."""
    return like(rfr, 0.0) if spiked else rfr + dt


@numba.njit(inline="always")
def emit(s, tols, b, i, spiked, t):
    """Write the spike ``s[b, i]`` and, on a spike, its time into ``tols[b, i]``."""
    s[b, i] = like(t, 1.0) if spiked else like(t, 0.0)
    tols[b, i] = t if spiked else tols[b, i]  # a select, not a branch


# -- leaky, quadratic and plain integrate-and-fire -------------------------------------

@numba.njit(inline="always")
def _leaky_slope(v, args):
    """``tau_m dv/dt``: ``(v_rest - v) g_L + j``, or the quadratic
    ``(v_rest - v)(v - v_c) a0 + j``."""
    j, quadratic, v_rest, g_leak, v_c, a0 = args
    if quadratic:
        return fma((v_rest - v) * (v - v_c), a0, j)
    return fma(v_rest - v, g_leak, j)


@numba.njit(inline="always")
def _input_slope(v, args):
    """``tau_m dv/dt = j`` (no leak)."""
    return args[0]


@numba.njit(inline="always")
def _max_index(row):
    """The index of the largest value of ``row`` (the first of ties)."""
    best = 0
    for i in range(1, row.size):
        if row[i] > row[best]:
            best = i
    return best


@numba.njit(inline="always")
def _random_spiker(s_raw, seed, draw, offset):
    """The unit of ``s_raw`` (a row) whose uniform draw ``(seed, draw, offset + i)`` is the
    largest among those that spiked (the first of ties), or -1 when none spiked."""
    chosen, best = -1, np.float32(-1.0)
    for i in range(s_raw.size):
        if s_raw[i] != 0:
            u = uniform32(seed, draw, offset + i)
            if u > best:
                chosen, best = i, u
    return chosen


@cached_njit(error_model="numpy")
def lif_step(t, dt, j, v, s, s_raw, rfr, thr_theta, tols, key, resist, thr, v_rest,
             v_reset, g_leak, quadratic, v_c, a0, inv_tau_m, refract_time, adapt,
             theta_decay, theta_plus, clamp, v_min, midpoint, one_spike, max_one_spike):
    """One step of leaky (or quadratic) integrate-and-fire cells, in ngc-learn's order.

    Per unit: ``v`` integrates ``j * resist`` (zero while ``rfr < refract_time``); a spike
    is ``v > thr + thr_theta``; it sets ``rfr = 0`` (else ``rfr += dt``) and ``v = v_reset``;
    with ``adapt``, ``thr_theta = thr_theta * theta_decay + s_raw * theta_plus``; with
    ``clamp``, ``v = max(v, v_min)``. ``s_raw`` holds every spike; ``s`` keeps, per row,
    only the unit with the largest pre-step ``v`` (``max_one_spike``) or one spiking
    unit drawn with ``uniform32(key[0], key[1], index)`` (``one_spike``; ``key[1]``
    then counts the draw), and ``tols`` takes ``t`` where ``s`` spiked.
    """
    random_pick = one_spike and not max_one_spike
    every_spike = not (one_spike or max_one_spike)
    for b in range(v.shape[0]):
        keep = _max_index(v[b]) if max_one_spike else -1
        for i in range(v.shape[1]):
            drive = refractory_input(j[b, i] * resist, rfr[b, i], refract_time)
            x = ode_step(_leaky_slope, v[b, i], dt, inv_tau_m, midpoint,
                         (drive, quadratic, v_rest, g_leak, v_c, a0))
            spiked = x > thr_theta[b, i] + thr
            rfr[b, i] = refractory_time(spiked, rfr[b, i], dt)
            x = v_reset if spiked else x
            if adapt:
                thr_theta[b, i] = fma(thr_theta[b, i], theta_decay,
                                      theta_plus if spiked else like(x, 0.0))
            v[b, i] = max(x, v_min) if clamp else x
            s_raw[b, i] = like(x, 1.0) if spiked else like(x, 0.0)
            emit(s, tols, b, i, spiked & (every_spike | (i == keep)), t)  # no branches
        if random_pick:  # the draw needs the whole row's spikes first
            keep = _random_spiker(s_raw[b], key[0], key[1], b * v.shape[1])
            if keep >= 0:
                emit(s, tols, b, keep, True, t)
    if random_pick:
        key[1] += np.uint64(1)


@cached_njit(error_model="numpy")
def if_step(t, dt, j, v, s, rfr, tols, resist, thr, v_rest, v_reset, inv_tau_m,
            refract_time, clamp, midpoint):
    """One step of integrate-and-fire cells: ``v += dt * j * resist / tau_m`` (zero
    input while ``rfr < refract_time``); a spike is ``v > thr`` and sets ``v = v_reset``,
    ``rfr = 0`` (else ``rfr += dt``) and ``tols = t``; with ``clamp``,
    ``v = max(v, v_rest)``."""
    for b in range(v.shape[0]):
        for i in range(v.shape[1]):
            drive = refractory_input(j[b, i] * resist, rfr[b, i], refract_time)
            x = ode_step(_input_slope, v[b, i], dt, inv_tau_m, midpoint, (drive,))
            spiked = x > thr
            rfr[b, i] = refractory_time(spiked, rfr[b, i], dt)
            x = v_reset if spiked else x
            v[b, i] = max(x, v_rest) if clamp else x
            emit(s, tols, b, i, spiked, t)


# -- two-variable cells: AdEx and Izhikevich ---------------------------------------------

@numba.njit(inline="always")
def _adex_v_slope(v, args):
    """``tau_m dv/dt = -(v - v_rest) + D exp((v - v_T) / D) - R w + R j``; the division
    is a product with ``1 / D`` and the exponential term a fused multiply-add, as XLA
    compiles it."""
    j, w, resist, v_rest, sharpness, inv_sharpness, v_intrinsic = args
    growth = exp((v - v_intrinsic) * inv_sharpness)
    return fma(sharpness, growth, -(v - v_rest)) - resist * w + resist * j


@numba.njit(inline="always")
def _adex_w_slope(w, args):
    """``tau_w dw/dt = -w + a (v - v_rest)``."""
    v, a, v_rest = args
    return fma(v - v_rest, a, -w)


@cached_njit(error_model="numpy")
def adex_step(t, dt, j, v, w, s, tols, resist, inv_tau_m, inv_tau_w, sharpness,
              inv_sharpness, v_intrinsic, thr, v_rest, v_reset, a, b_jump, midpoint):
    """One step of adaptive exponential integrate-and-fire cells: ``v`` integrates with
    the pre-step ``w`` and ``w`` with the pre-step ``v``; a spike is ``v > thr`` and sets
    ``v = v_reset``, ``w += b_jump`` and ``tols = t``."""
    for b in range(v.shape[0]):
        for i in range(v.shape[1]):
            x, y = v[b, i], w[b, i]
            x_next = ode_step(_adex_v_slope, x, dt, inv_tau_m, midpoint,
                              (j[b, i], y, resist, v_rest, sharpness, inv_sharpness,
                               v_intrinsic))
            y_next = ode_step(_adex_w_slope, y, dt, inv_tau_w, midpoint, (x, a, v_rest))
            spiked = x_next > thr
            v[b, i] = v_reset if spiked else x_next
            w[b, i] = y_next + b_jump if spiked else y_next
            emit(s, tols, b, i, spiked, t)


@numba.njit(inline="always")
def _izhikevich_v_slope(v, args):
    """``tau_m dv/dt = 0.04 v^2 + 5 v + 140 - w + j``."""
    j, w = args
    return fma(v, like(v, 5.0), v * v * like(v, 0.04)) + like(v, 140.0) - w + j


@numba.njit(inline="always")
def _izhikevich_w_slope(w, args):
    """``tau_w dw/dt = b v - w``."""
    v, coupling = args
    return fma(v, coupling, -w)


@cached_njit(error_model="numpy")
def izhikevich_step(t, dt, j, v, w, s, tols, resist, inv_tau_m, inv_tau_w, coupling, v_thr,
                    v_reset, w_reset, midpoint):
    """One step of Izhikevich cells: the spike is decided from the pre-step ``v``
    (``v > v_thr``); ``v`` integrates ``j * resist`` with the pre-step ``w``, ``w`` with
    the pre-step ``v``; a spiking unit gets ``v = v_reset``, ``w = w_pre + w_reset`` and
    ``tols = t``."""
    for b in range(v.shape[0]):
        for i in range(v.shape[1]):
            x, y = v[b, i], w[b, i]
            spiked = x > v_thr
            x_next = ode_step(_izhikevich_v_slope, x, dt, inv_tau_m, midpoint,
                              (j[b, i] * resist, y))
            y_next = ode_step(_izhikevich_w_slope, y, dt, inv_tau_w, midpoint, (x, coupling))
            v[b, i] = v_reset if spiked else x_next
            w[b, i] = y + w_reset if spiked else y_next
            emit(s, tols, b, i, spiked, t)


@cached_njit
def uniform_draws(seed, draw, out):
    """Fill ``out`` (flat) with ``uniform32(seed, draw, index)``."""
    for i in range(out.size):
        out[i] = uniform32(seed, draw, i)
