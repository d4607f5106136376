"""neon's and OpenFL's Adam in plain float64 NumPy, written from their published update
rules (no recorded trajectories exist for them)."""
import numpy as np


def neon_adam(thetas, grads_per_step, lr, b1, b2, eps, batch_size, clip_norm, clip_value,
              param_clip):
    """neon ``Adam.optimize``: gradients divided by the batch size and clipped by value,
    the global norm scales the *step*, epsilon hat, parameters clipped after."""
    thetas = [p.copy() for p in thetas]
    m = [np.zeros_like(p) for p in thetas]
    v = [np.zeros_like(p) for p in thetas]
    out = []
    for t, grads in enumerate(grads_per_step, start=1):
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads)) / batch_size
        scale = clip_norm / max(norm, clip_norm)
        rate = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        for i, g in enumerate(grads):
            g = np.clip(g / batch_size, -clip_value, clip_value)
            m[i] = m[i] * b1 + (1 - b1) * g
            v[i] = v[i] * b2 + (1 - b2) * g * g
            thetas[i] = thetas[i] - scale * rate * m[i] / (np.sqrt(v[i]) + eps)
            thetas[i] = np.clip(thetas[i], -param_clip, param_clip)
        out.append([p.copy() for p in thetas])
    return out


def openfl_adam(thetas, grads_per_step, lr, b1, b2, eps, initial):
    """OpenFL ``NumPyAdam.step``: moments start at ``initial_accumulator_value``."""
    thetas = [p.copy() for p in thetas]
    m = [np.full_like(p, initial) for p in thetas]
    v = [np.full_like(p, initial) for p in thetas]
    out = []
    for t, grads in enumerate(grads_per_step, start=1):
        for i, g in enumerate(grads):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g ** 2
            m_hat, v_hat = m[i] / (1 - b1 ** t), v[i] / (1 - b2 ** t)
            thetas[i] = thetas[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append([p.copy() for p in thetas])
    return out
