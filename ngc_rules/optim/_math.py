"""Per-element update rules, written once as plain Python.

Every rule has the signature ``rule(i, p, g, s, c)``: it updates element ``i`` of the
parameter ``p`` and of each state array ``s[j]`` in place, given the update ``g``. A
functional step runs the same rule on fresh copies. (Distinct input and output arrays
would leave the compiler unsure whether they overlap, and it then does not vectorize.)

``c`` holds the coefficients computed once per step on the host (bias corrections
included), already in the compute dtype, so a new learning rate never recompiles: a small
array on the CPU, a tuple of scalars on CUDA; the rules unpack either the same way.
Every expression meets a coefficient before it meets another array element; that is
what makes half-precision parameters on CUDA compute in float32.

These functions are never called from Python: ``_cpu`` compiles them with
``njit(inline="always")`` and ``_cuda`` with ``cuda.jit(device=True, inline="always")``.
"""
import math


def sgd(i, p, g, s, c):
    """``p <- p - eta * g``. Coefficients: ``(eta,)``."""
    eta = c[0]
    p[i] = p[i] - eta * g[i]


def nag(i, p, g, s, c):
    """Nesterov step, state ``s[0] = phi``. Coefficients: ``(eta, mu_t)``.

    ``phi = p - eta * g;  p <- phi + mu_t * (phi - phi_prev)``, where the host passes
    ``mu_t = 0`` on the first step (ngc-learn switches momentum off while t <= 1).
    """
    eta, mu = c
    phi = p[i] - eta * g[i]
    p[i] = phi + mu * (phi - s[0][i])
    s[0][i] = phi


def adam(i, p, g, s, c):
    """Adam with the paper's epsilon, state ``s = (m, v)``.

    Coefficients ``(eta, b1, 1-b1, b2, 1-b2, 1-b1^t, 1-b2^t, eps)``::

        m <- b1 m + (1-b1) g;   v <- b2 v + (1-b2) g^2
        p <- p - eta * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
    """
    eta, b1, one_minus_b1, b2, one_minus_b2, bias1, bias2, eps = c
    u = g[i]
    m = b1 * s[0][i] + one_minus_b1 * u
    v = b2 * s[1][i] + one_minus_b2 * u * u
    p[i] = p[i] - eta * (m / bias1) / (math.sqrt(v / bias2) + eps)
    s[0][i] = m
    s[1][i] = v


RULES = {"sgd": sgd, "nag": nag, "adam": adam}
"""Every rule, by name; both targets compile exactly these."""
