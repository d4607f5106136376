"""Sparse (row) updates: random problems with repeated rows, and the lazy NumPy reference."""
import numpy as np

from ngc_rules import IndexedSlices

SHAPE = (7, 3)
STEPS = 4


def row_problem(seed, dtype, shape=SHAPE, steps=STEPS, rows_per_step=5):
    """theta0 and per-step IndexedSlices over varying rows, some repeated."""
    rng = np.random.default_rng(seed)
    theta0 = rng.standard_normal(shape).astype(dtype)
    slices = []
    for _ in range(steps):
        indices = rng.integers(0, shape[0], rows_per_step)
        values = rng.standard_normal((rows_per_step,) + shape[1:]).astype(dtype)
        slices.append(IndexedSlices(values, indices, shape))
    return theta0, slices


def dense(slices, dtype):
    """The dense gradient: repeated rows summed in order of appearance."""
    out = np.zeros(slices.dense_shape, dtype)
    for k, row in enumerate(slices.indices):
        out[row] += slices.values[k]
    return out


def lazy_adam(theta0, slices, eta, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam on the listed rows only (float64): other rows and their moments stay."""
    theta = np.asarray(theta0, np.float64).copy()
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    out = []
    for t, s in enumerate(slices, start=1):
        g = dense(s, np.float64)
        rows = np.unique(s.indices)
        m[rows] = beta1 * m[rows] + (1 - beta1) * g[rows]
        v[rows] = beta2 * v[rows] + (1 - beta2) * g[rows] ** 2
        m_hat, v_hat = m[rows] / (1 - beta1 ** t), v[rows] / (1 - beta2 ** t)
        theta[rows] -= eta * m_hat / (np.sqrt(v_hat) + eps)
        out.append(theta.copy())
    return out
