"""Neuron dynamics as Numba kernels over flat views, updated in place."""
import math

import numba
import numpy as np

from .activations import activate, derivative

GAUSSIAN, LAPLACIAN, CAUCHY, EXP = 0, 1, 2, 3


@numba.njit(inline="always")
def _leak(prior, z):
    """The derivative of the prior's negative log density (up to scale) at ``z``."""
    if prior == LAPLACIAN:
        return np.sign(z)
    if prior == CAUCHY:
        return 2.0 * z / (1.0 + z * z)
    if prior == EXP:
        return 2.0 * z * math.exp(-z * z)
    return z


@numba.njit(cache=True)
def rate_cell_step(z, z_out, j, j_td, act, prior, gamma, dt_over_tau, resist, out_scale,
                   threshold):
    """One Euler step of ``tau dz/dt = -gamma leak(z) + j f'(z) R + j_td``; then the soft
    threshold ``sign(z) max(|z| - threshold, 0)`` (when ``threshold > 0``) and
    ``z_out = f(z) * out_scale``."""
    for i in range(z.size):
        x = z[i]
        drive = j[i] * derivative(act, x) * resist + j_td[i]
        x = x + dt_over_tau * (drive - gamma * _leak(prior, x))
        if threshold > 0:
            x = np.sign(x) * max(abs(x) - threshold, 0.0)
        z[i] = x
        z_out[i] = activate(act, x) * out_scale


@numba.njit(cache=True)
def rate_cell_output(z, z_out, act, out_scale):
    """``z_out = f(z) * out_scale``."""
    for i in range(z.size):
        z_out[i] = activate(act, z[i]) * out_scale


@numba.njit(cache=True)
def gaussian_error(target, mu, dmu, dtarget):
    """``dmu = target - mu``, ``dtarget = -dmu``; returns ``-sum(dmu^2) / 2`` (float64)."""
    energy = 0.0
    for i in range(mu.size):
        e = target[i] - mu[i]
        dmu[i] = e
        dtarget[i] = -e
        energy += float(e) * float(e)
    return -0.5 * energy
