"""Per-element update rules, written once as plain Python.

Every rule has the signature ``rule(i, p, g, s, c, w)``: it updates element ``i`` of the
parameter ``p`` and of each state array ``s[j]`` in place, given the update ``g``, scaled
by the tensor's gradient multiplier ``w`` (loss scale, norm clipping and sign folded into
one number on the host). A functional step runs the same rule on fresh copies. (Distinct
input and output arrays would leave the compiler unsure whether they overlap, and it then
does not vectorize.)

``c`` holds the coefficients computed once per step on the host (bias corrections
included), already in the compute dtype, so a new learning rate never recompiles: a small
array on the CPU, a tuple of scalars on CUDA; the rules unpack either the same way.
Every expression meets a coefficient before it meets another array element; that is
what makes half-precision parameters on CUDA compute in float32.

These functions are never called from Python: ``_retarget`` compiles every function of
this module for a target, once per entry of ``RULES``, with that entry's bindings of the
module's global names (``moment`` picks the moving-average arithmetic).
"""
import math


def clip(x, bound):
    """``x`` limited to ``[-bound, bound]``; NaN passes through (``bound = inf``: no-op)."""
    if x > bound:
        return bound
    if x < -bound:
        return -bound
    return x


def maximum(a, b):
    """The larger of ``a`` and ``b``; NaN in ``b`` propagates."""
    return a if a >= b else b


def ema(average, x, keep, new):
    """Moving average as ngc-learn, Optax and PyTorch write it: ``keep*avg + new*x``."""
    return keep * average + new * x


def lerp(average, x, keep, new):
    """Moving average as Keras and TensorFlow write it: ``avg + (x - avg)*new``."""
    return average + (x - average) * new


def nearest(x, i, c):
    """``x`` as computed: storing it rounds to the nearest value of the array's dtype."""
    return x


def uniform(i, key):
    """A number in ``[0, 1)`` hashed from the element index and the step's key (integer
    mixing in 32 bits, with constants small enough that int64 never overflows)."""
    h = (i + key * 0x3C6EF35) & 0xFFFFFFFF
    h = (((h >> 16) ^ h) * 0x45D9F3B) & 0xFFFFFFFF
    h = (((h >> 16) ^ h) * 0x45D9F3B) & 0xFFFFFFFF
    return ((h >> 16) ^ h) * 2.3283064365386963e-10


def stochastic(x, i, c):
    """``x`` rounded to ``c[ROUND_BITS]`` mantissa bits, up with the probability of its
    remainder (neon's stochastic rounding), so the rounding is unbiased on average.
    Below ``2**c[ROUND_EMIN]`` the spacing stays that of the smallest normal number."""
    if x == 0 or not math.isfinite(x):
        return x
    exponent = math.frexp(x)[1] - 1
    spacing = math.ldexp(1.0, max(exponent, int(c[ROUND_EMIN])) - int(c[ROUND_BITS]))
    scaled = x / spacing
    low = math.floor(scaled)
    if uniform(i, int(c[ROUND_KEY])) < scaled - low:
        low += 1.0
    return low * spacing


moment = ema
"""The moving average the Adam rules use; ``RULES`` rebinds it per variant."""
rounded = nearest
"""How the Adam rules store a new parameter; ``RULES`` rebinds it per variant."""


def sgd(i, p, g, s, c, w):
    """``p <- p - eta * w*g``. Coefficients: ``(eta,)``."""
    eta = c[0]
    p[i] = p[i] - eta * (g[i] * w)


def nag(i, p, g, s, c, w):
    """Nesterov step, state ``s[0] = phi``. Coefficients: ``(eta, mu_t)``.

    ``phi = p - eta * w*g;  p <- phi + mu_t * (phi - phi_prev)``, where the host passes
    ``mu_t = 0`` on the first step (ngc-learn switches momentum off while t <= 1).
    """
    eta, mu = c
    phi = p[i] - eta * (g[i] * w)
    p[i] = phi + mu * (phi - s[0][i])
    s[0][i] = phi


def momentum(i, p, g, s, c, w):
    """SGD with momentum as PyTorch writes it, state ``s[0] = buf``. Coefficients
    ``(eta, keep, new, now, ahead, l2)``:

    ``u = w*g + l2*p;  buf <- keep*buf + new*u;  p <- p - eta*(now*u + ahead*buf)``,
    with ``now = 1, ahead = mu`` for Nesterov momentum and ``now = 0, ahead = 1``
    without.
    """
    eta, keep, new, now, ahead, l2 = c
    theta = p[i]
    u = g[i] * w + l2 * theta
    buf = keep * s[0][i] + new * u
    s[0][i] = buf
    p[i] = theta - eta * (now * u + ahead * buf)


ADAM_COEFFICIENTS = ("keep1", "new1", "keep2", "new2", "lr", "scale2", "root", "eps",
                     "decay", "l2", "clip_value", "param_clip", "max_scale", "bias1",
                     "next_bias1", "round_bits", "round_emin", "round_key")
"""The Adam coefficient tuple, in order; ``adam.py`` computes it on the host."""
(KEEP1, NEW1, KEEP2, NEW2, LR, SCALE2, ROOT, EPS, DECAY, L2, CLIP_VALUE, PARAM_CLIP,
 MAX_SCALE, BIAS1, NEXT_BIAS1, ROUND_BITS, ROUND_EMIN,
 ROUND_KEY) = range(len(ADAM_COEFFICIENTS))


def gradient(i, theta, g, c, w):
    """The update Adam averages: ``u = clip(w*g, clip_value) + l2*theta``."""
    return clip(g[i] * w, c[CLIP_VALUE]) + c[L2] * theta


def adam_moments(i, u, s, c):
    """Both moments of Adam, ``m <- moment(m, u)``, ``v <- moment(v, u^2)`` (state
    ``s[0] = m``, ``s[1] = v``); returns the new ``(m, v)``."""
    m = moment(s[0][i], u, c[KEEP1], c[NEW1])
    v = moment(s[1][i], u * u, c[KEEP2], c[NEW2])
    s[0][i] = m
    s[1][i] = v
    return m, v


def descend(i, theta, step, c):
    """``rounded(clip(theta - decay*theta - step, param_clip))``."""
    return rounded(clip(theta - c[DECAY] * theta - step, c[PARAM_CLIP]), i, c)


def plain_gradient(i, theta, g, c, w):
    """``gradient`` without clipping or L2 (the ``_plain`` rules: those options off)."""
    return g[i] * w


def plain_descend(i, theta, step, c):
    """``descend`` without decay or clipping, rounding to nearest (the ``_plain`` rules)."""
    return theta - step


def adam_descend(i, theta, m, v, c):
    """Adam's step from ``m`` and ``v``: ``lr*m / (sqrt(scale2*v + root) + eps)``."""
    return descend(i, theta, (c[LR] * m) / (math.sqrt(c[SCALE2] * v + c[ROOT]) + c[EPS]), c)


def adam(i, p, g, s, c, w):
    """One Adam step of element ``i``; the coefficients are ``ADAM_COEFFICIENTS``.

    The epsilon placement is chosen on the host: the paper's ``m_hat/(sqrt(v_hat)+eps)``
    is ``lr = eta/(1-b1^t)``, ``scale2 = 1/(1-b2^t)``; Keras' "epsilon hat" is
    ``lr = eta*sqrt(1-b2^t)/(1-b1^t)``, ``scale2 = 1``.
    """
    theta = p[i]
    m, v = adam_moments(i, gradient(i, theta, g, c, w), s, c)
    p[i] = adam_descend(i, theta, m, v, c)


def amsgrad(i, p, g, s, c, w):
    """Adam whose denominator uses ``v_max <- max(v_max, max_scale*v)`` (state ``s[2]``).

    ``max_scale = 1`` keeps the maximum of the raw second moment (Keras, PyTorch);
    ``max_scale = 1/(1-b2^t)`` with ``scale2 = 1`` that of the bias-corrected one (Optax).
    """
    theta = p[i]
    m, v = adam_moments(i, gradient(i, theta, g, c, w), s, c)
    v_max = maximum(s[2][i], c[MAX_SCALE] * v)
    s[2][i] = v_max
    p[i] = adam_descend(i, theta, m, v_max, c)


def nadam(i, p, g, s, c, w):
    """Adam with Nesterov momentum (Optax's ``nadam``): the step takes the look-ahead
    ``b1 * m/(1-b1^(t+1)) + (1-b1) * u/(1-b1^t)`` in place of ``m_hat`` (``lr = eta``)."""
    theta = p[i]
    u = gradient(i, theta, g, c, w)
    m, v = adam_moments(i, u, s, c)
    look_ahead = c[KEEP1] * (m / c[NEXT_BIAS1]) + c[NEW1] * (u / c[BIAS1])
    p[i] = adam_descend(i, theta, look_ahead, v, c)


def adamax(i, p, g, s, c, w):
    """Adamax (Optax's formulas): ``v <- max(b2*v, |u| + eps)`` and
    ``theta <- theta - lr * (m/(1-b1^t)) / v`` (``lr = eta``)."""
    theta = p[i]
    u = gradient(i, theta, g, c, w)
    m = moment(s[0][i], u, c[KEEP1], c[NEW1])
    v = maximum(c[KEEP2] * s[1][i], abs(u) + c[EPS])
    s[0][i] = m
    s[1][i] = v
    p[i] = descend(i, theta, c[LR] * ((m / c[BIAS1]) / v), c)


def accumulate(i, p, g, s, c, w):
    """Gradient accumulation, ``p = sum``: ``sum <- (sum + g / loss_scale) / divisor``.

    Coefficients ``(loss_scale, divisor)``; Keras divides, so this divides too.
    """
    p[i] = (p[i] + g[i] / c[0]) / c[1]


def blend(i, p, g, s, c, w):
    """Moving average of the weights, ``p = average``, ``g = theta``:
    ``average <- moment(average, theta)``. Coefficients ``(keep, new)``."""
    p[i] = moment(p[i], g[i], c[0], c[1])


def assign(i, p, g, s, c, w):
    """``p <- g`` (the weights take their moving average)."""
    p[i] = g[i]


def fill(i, p, g, s, c, w):
    """``p <- c[0]`` (an accumulator is emptied)."""
    p[i] = c[0]


_ADAM_RULES = {
    "adam": (adam, {}),
    "adam_lerp": (adam, {"moment": lerp}),
    "amsgrad": (amsgrad, {}),
    "amsgrad_lerp": (amsgrad, {"moment": lerp}),
    "nadam": (nadam, {}),
    "adamax": (adamax, {}),
}
RULES = {
    "sgd": (sgd, {}),
    "nag": (nag, {}),
    "momentum": (momentum, {}),
    **_ADAM_RULES,
    **{f"{name}_sr": (rule, dict(bindings, rounded=stochastic))
       for name, (rule, bindings) in _ADAM_RULES.items()},
    # Options that are off still cost arithmetic in a kernel that is compute-bound while
    # the arrays fit in cache; these variants leave them out.
    **{f"{name}_plain": (rule, dict(bindings, gradient=plain_gradient, descend=plain_descend))
       for name, (rule, bindings) in _ADAM_RULES.items()},
    "accumulate": (accumulate, {}),
    "blend": (blend, {}),
    "assign": (assign, {}),
    "fill": (fill, {}),
}
"""Every compiled rule, by name: the function and its global bindings."""
