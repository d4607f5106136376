"""Plain NumPy (float64) reference implementations and the peers' recorded trajectories.

Written from the published update rules, independent of ngc_rules' kernels.
"""
import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"
DEFAULTS = {"sgd": {"eta": 0.001}, "nag": {"eta": 0.01, "mu": 0.9},
            "adam": {"eta": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
            "momentum": {"eta": 0.01, "mu": 0.9}}
DEFAULTS["nadam"] = DEFAULTS["adamax"] = DEFAULTS["adam"]


def load_cases(filename):
    return json.loads((DATA / filename).read_text())["cases"]


def sgd(theta, u, state, t, eta):
    return theta - eta * u, state


def nag(theta, u, state, t, eta, mu):
    (phi_prev,) = state
    phi = theta - eta * u
    momentum = mu if t > 1 else 0.0
    return phi + momentum * (phi - phi_prev), (phi,)


def adam(theta, u, state, t, eta, beta1, beta2, eps):
    m, v = state
    m = beta1 * m + (1 - beta1) * u
    v = beta2 * v + (1 - beta2) * u ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return theta - eta * m_hat / (np.sqrt(v_hat) + eps), (m, v)


def momentum(theta, u, state, t, eta, mu, nesterov=False, l2=0.0):
    """PyTorch's SGD with momentum (no dampening): the buffer starts as the first u."""
    (buf,) = state
    u = u + l2 * theta
    buf = mu * buf + u if t > 1 else u
    return theta - eta * (u + mu * buf if nesterov else buf), (buf,)


def nadam(theta, u, state, t, eta, beta1, beta2, eps):
    """Optax's nadam: Adam with the look-ahead first moment."""
    m, v = state
    m = beta1 * m + (1 - beta1) * u
    v = beta2 * v + (1 - beta2) * u ** 2
    m_hat = beta1 * m / (1 - beta1 ** (t + 1)) + (1 - beta1) * u / (1 - beta1 ** t)
    return theta - eta * m_hat / (np.sqrt(v / (1 - beta2 ** t)) + eps), (m, v)


def adamax(theta, u, state, t, eta, beta1, beta2, eps):
    """Optax's adamax: the second moment is an infinity norm, eps inside the maximum."""
    m, v = state
    m = beta1 * m + (1 - beta1) * u
    v = np.maximum(beta2 * v, np.abs(u) + eps)
    return theta - eta * m / (1 - beta1 ** t) / v, (m, v)


RULES = {"sgd": (sgd, 0), "nag": (nag, 1), "adam": (adam, 2), "momentum": (momentum, 1),
         "nadam": (nadam, 2), "adamax": (adamax, 2)}


def trajectory(rule, theta0, updates, t0=0, **hyperparameters):
    """Parameters after each step, in float64: ``out[s][i]``; the first step is number
    ``t0 + 1`` (from zero state)."""
    step, n_state = RULES[rule]
    hp = dict(DEFAULTS[rule], **hyperparameters)
    thetas = [np.asarray(p, np.float64) for p in theta0]
    states = [tuple(np.zeros_like(p) for _ in range(n_state)) for p in thetas]
    out = []
    for t, us in enumerate(updates, start=t0 + 1):
        for i, u in enumerate(us):
            thetas[i], states[i] = step(thetas[i], np.asarray(u, np.float64), states[i], t, **hp)
        out.append([p.copy() for p in thetas])
    return out


def _clip_multipliers(us, clip_norm=None, global_clip_norm=None):
    """Each tensor's factor from a per-tensor or a global norm clip (ones without)."""
    norms = [np.sqrt(np.sum(u ** 2)) for u in us]
    if clip_norm is not None:
        return [clip_norm / max(n, clip_norm) for n in norms]
    if global_clip_norm is not None:
        total = np.sqrt(sum(n ** 2 for n in norms))
        return [global_clip_norm / max(total, global_clip_norm)] * len(us)
    return [1.0] * len(us)


def adam_with_options(theta0, updates, eta=0.001, beta1=0.9, beta2=0.999, eps=1e-8, *,
                      epsilon_hat=False, eps_root=0.0, amsgrad=False, nesterov=False,
                      infinity_norm=False, moments="ema", scalar_precision="float64",
                      weight_decay=0.0, l2=0.0, maximize=False, loss_scale=1.0,
                      clip_value=None, clip_norm=None, global_clip_norm=None,
                      step_clip_norm=None, param_clip=None):
    """The Adam family in float64, in the order ``docs/adam.md`` states; the parameters
    after each step, as :func:`trajectory` returns them. ``moments`` and
    ``scalar_precision`` change only roundings, which float64 does not show."""
    out = []
    thetas = [np.asarray(p, np.float64) for p in theta0]
    m = [np.zeros_like(p) for p in thetas]
    v = [np.zeros_like(p) for p in thetas]
    v_max = [np.zeros_like(p) for p in thetas]
    for t, us in enumerate(updates, start=1):
        us = [np.asarray(u, np.float64) * (-1.0 if maximize else 1.0) / loss_scale
              for u in us]
        step_scale = 1.0
        if step_clip_norm is not None:
            total = np.sqrt(sum(np.sum(u ** 2) for u in us))
            step_scale = step_clip_norm / max(total, step_clip_norm)
        multipliers = _clip_multipliers(us, clip_norm, global_clip_norm)
        bias1, bias2 = 1 - beta1 ** t, 1 - beta2 ** t
        for i, (theta, u) in enumerate(zip(thetas, us)):
            u = u * multipliers[i]
            if clip_value is not None:
                u = np.clip(u, -clip_value, clip_value)
            u = u + l2 * theta
            m[i] = beta1 * m[i] + (1 - beta1) * u
            if infinity_norm:
                v[i] = np.maximum(beta2 * v[i], np.abs(u) + eps)
                step = eta * m[i] / bias1 / v[i]
            else:
                v[i] = beta2 * v[i] + (1 - beta2) * u ** 2
                second = v[i] if epsilon_hat else v[i] / bias2
                if amsgrad:
                    v_max[i] = np.maximum(v_max[i], v[i] / bias2 if amsgrad == "corrected"
                                          else v[i])
                    second = v_max[i] if amsgrad == "corrected" or epsilon_hat \
                        else v_max[i] / bias2
                first = beta1 * m[i] / (1 - beta1 ** (t + 1)) + (1 - beta1) * u / bias1 \
                    if nesterov else m[i] / bias1
                rate = eta * np.sqrt(bias2) if epsilon_hat else eta
                step = rate * first / (np.sqrt(second + eps_root) + eps)
            theta = theta - eta * weight_decay * theta - step_scale * step
            if param_clip is not None:
                theta = np.clip(theta, -param_clip, param_clip)
            thetas[i] = theta
        out.append([p.copy() for p in thetas])
    return out


def assert_close(actual, expected, dtype, ulps=4):
    """Equal within ``ulps`` units in the last place of ``dtype`` at magnitude >= 1."""
    actual = np.asarray(actual, np.float64)
    expected = np.asarray(expected, np.float64)
    eps = np.finfo(dtype).eps
    scale = np.maximum(1.0, np.abs(expected))
    worst = np.max(np.abs(actual - expected) / (eps * scale), initial=0.0)
    assert worst <= ulps, f"off by {worst:.1f} ulps (allowed {ulps})"
