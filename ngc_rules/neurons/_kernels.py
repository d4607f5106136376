"""Neuron dynamics as Numba kernels over flat views, updated in place.

Arithmetic stays in the arrays' precision (callers pass scalars of the arrays' dtype), the
activation and prior are fixed per compiled copy (:func:`rate_cell_step` and
:func:`rate_cell_output` pick it), and ``error_model="numpy"`` drops division checks: so the
loops carry no branches or library calls they do not need, and vectorize.
"""
import functools
import math

import numba
import numpy as np

from .._functions import copy_function
from .._jit import cached_njit
from .activations import activate, derivative, like

GAUSSIAN, LAPLACIAN, CAUCHY, EXP = 0, 1, 2, 3
ACT = PRIOR = 0  # each compiled copy of the kernels below binds its own


@numba.njit(inline="always")
def _leak(prior, z):
    """The derivative of the prior's negative log density (up to scale) at ``z``."""
    if prior == LAPLACIAN:
        return np.sign(z)
    if prior == CAUCHY:
        return (z + z) / (like(z, 1.0) + z * z)
    if prior == EXP:
        return (z + z) * math.exp(-z * z)
    return z


def _step(z, z_out, j, j_td, gamma, dt_over_tau, resist, out_scale, threshold):
    for i in range(z.size):
        x = z[i]
        drive = j[i] * derivative(ACT, x) * resist + j_td[i]
        x = x + dt_over_tau * (drive - gamma * _leak(PRIOR, x))
        if threshold > 0:
            x = like(x, 0.0) if abs(x) <= threshold else (
                x - threshold if x > 0 else x + threshold)
        z[i] = x
        z_out[i] = activate(ACT, x) * out_scale


def _output(z, z_out, out_scale):
    for i in range(z.size):
        z_out[i] = activate(ACT, z[i]) * out_scale


@functools.cache
def _compiled(kernel, act, prior=GAUSSIAN):
    namespace = dict(kernel.__globals__, ACT=act, PRIOR=prior)
    name = f"{kernel.__name__.lstrip('_')}_{act}_{prior}"
    return cached_njit(error_model="numpy")(copy_function(kernel, namespace, name))


def rate_cell_step(z, z_out, j, j_td, act, prior, gamma, dt_over_tau, resist, out_scale,
                   threshold):
    """One Euler step of ``tau dz/dt = -gamma leak(z) + j f'(z) R + j_td``; then the soft
    threshold ``sign(z) max(|z| - threshold, 0)`` (when ``threshold > 0``) and
    ``z_out = f(z) * out_scale``."""
    _compiled(_step, act, prior)(z, z_out, j, j_td, gamma, dt_over_tau, resist, out_scale,
                                 threshold)


def rate_cell_output(z, z_out, act, out_scale):
    """``z_out = f(z) * out_scale``."""
    _compiled(_output, act)(z, z_out, out_scale)


# Reassociation lets the float64 energy sum vectorize with the rest of the loop.
@cached_njit(fastmath={"reassoc"})
def gaussian_error(target, mu, dmu, dtarget):
    """``dmu = target - mu``, ``dtarget = -dmu``; returns ``-sum(dmu^2) / 2`` (float64)."""
    energy = 0.0
    for i in range(mu.size):
        e = target[i] - mu[i]
        dmu[i] = e
        dtarget[i] = -e
        energy += float(e) * float(e)
    return -0.5 * energy
