"""Adam as a decoupled step function (``ngclearn.utils.optim``), with every option of the
Adam family found in Keras, tf.keras, neon, OpenFL, PyTorch and Optax (``docs/adam.md``)."""
import math
from typing import NamedTuple

import numpy as np

from . import _checks
from ._engine import apply, state_full
from ._state import AdamState, AmsgradState, counter

_AMSGRAD = (False, True, "raw", "corrected")
_MOMENTS = ("ema", "lerp")
_PRECISIONS = ("float64", "param", "keras")
_FLOAT64 = np.dtype(np.float64)


def adam_init(theta, *, amsgrad=False, initial_accumulator_value=0.0):
    """The state of :func:`adam_step`: ``m = v = initial_accumulator_value`` and ``t = 0``.

    Args:
        theta: the parameters (an array, or a list, tuple or dict of arrays).
        amsgrad: also keep the running maximum ``v_max`` (zeros) for ``amsgrad=...``
            steps; the state is then an :class:`AmsgradState` ``(m, v, v_max, t)``.
        initial_accumulator_value: the starting value of both moments (OpenFL), ``>= 0``.
    """
    value = _checks.at_least("initial_accumulator_value", initial_accumulator_value, 0.0)
    _checks.one_of("amsgrad", amsgrad, _AMSGRAD)
    m, v = state_full(theta, value), state_full(theta, value)
    if amsgrad:
        return AmsgradState(m, v, state_full(theta), counter(0))
    return AdamState(m, v, counter(0))


def adam_step(opt_params, theta, updates, eta=0.001, beta1=0.9, beta2=0.999, eps=1e-8, *,
              epsilon_hat=False, eps_root=0.0, amsgrad=False, nesterov=False,
              infinity_norm=False, moments="ema", scalar_precision="float64",
              weight_decay=0.0, l2=0.0, maximize=False, loss_scale=1.0, clip_value=None,
              clip_norm=None, global_clip_norm=None, step_clip_norm=None, param_clip=None,
              stochastic_round=None, seed=0, lazy=False, inplace=False):
    """One step of Adam (Kingma & Ba, 2015): ngc-learn's rule, and every option of the
    Adam family, fused into one pass over theta, u, m and v.

    With the defaults this is ngc-learn's ``adam_step``:

    .. math::
        t &\\leftarrow t + 1 \\\\
        m &\\leftarrow \\beta_1 m + (1 - \\beta_1)\\, u \\\\
        v &\\leftarrow \\beta_2 v + (1 - \\beta_2)\\, u^2 \\\\
        \\theta &\\leftarrow \\theta - \\eta\\, \\frac{m / (1 - \\beta_1^t)}
                                         {\\sqrt{v / (1 - \\beta_2^t)} + \\epsilon}

    The options, applied in this order (``docs/adam.md`` has the table of which library
    does what):

    1. ``u <- u * sign / loss_scale`` (``-1`` when ``maximize``), then at most one norm
       clip: ``clip_norm`` (each tensor: ``u * c / max(||u||, c)``), ``global_clip_norm``
       (all tensors: ``u * c * min(1/||u||_global, 1/c)``, Keras' formula), or
       ``step_clip_norm`` (neon: the *step* is scaled by ``c / max(||u||_global, c)``).
    2. ``u <- clip(u, -clip_value, clip_value)``; ``u <- u + l2 * theta`` (coupled L2,
       PyTorch ``Adam(weight_decay=...)``).
    3. the moments, with ``moments="ema"`` as above or ``"lerp"``:
       ``m <- m + (u - m)(1 - beta1)`` (Keras and TensorFlow's arithmetic).
    4. ``amsgrad``: ``True``/``"raw"`` uses ``v_max <- max(v_max, v)`` in place of ``v``
       (Keras, PyTorch); ``"corrected"`` takes the maximum of ``v / (1 - beta2^t)``
       (Optax).
    5. ``theta <- theta - eta * weight_decay * theta`` (decoupled, AdamW), then the
       step, with ``epsilon_hat=False`` (the paper's Algorithm 1) or ``True`` (Keras,
       tf.keras, neon: ``theta -= eta * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)``);
       ``eps_root`` is added under the root (Optax).
    6. ``theta <- clip(theta, -param_clip, param_clip)`` (neon); with
       ``stochastic_round=b`` the new value is rounded to ``b`` mantissa bits, up with
       the probability of its remainder (neon), from a hash of ``(seed, t, element)``.

    Two variants replace the step (Optax's formulas, ``moments="ema"`` and the paper's
    epsilon only): ``nesterov=True`` is Nadam, whose step takes the look-ahead
    ``b1 * m/(1-b1^(t+1)) + (1-b1) * u/(1-b1^t)`` in place of ``m_hat``, and
    ``infinity_norm=True`` is Adamax: ``v <- max(b2*v, |u| + eps)`` and
    ``theta <- theta - eta * m_hat / v``.

    Scalar coefficients (bias corrections included) are computed once per step on the
    host, in float64 or in the parameters' precision (``scalar_precision``); the norms
    take one reduction pass first.

    Args:
        opt_params: ``(m, v, t)`` from :func:`adam_init`, or ``(m, v, v_max, t)`` from
            ``adam_init(theta, amsgrad=True)`` for AMSGrad.
        theta: the parameters: an array, or a list, tuple or dict of arrays.
        updates: the updates ``u`` (gradients), in theta's structure and shapes; any of
            them may be an :class:`~ngc_rules.IndexedSlices` (rows of a gradient).
        eta: the step size, ``>= 0``: a number, a schedule of :mod:`ngc_rules.schedules`
            (called with the steps taken before this one), or a callable with no
            arguments.
        beta1: decay of the first moment, in ``[0, 1)``.
        beta2: decay of the second moment, in ``[0, 1)``.
        eps: added to the root of the second moment, ``> 0``.
        epsilon_hat: Keras' placement of ``eps`` (see 5).
        eps_root: added to the bias-corrected second moment under the root, ``>= 0``.
        amsgrad: ``False``, ``True`` (same as ``"raw"``) or ``"corrected"`` (see 4).
        nesterov: Nadam's look-ahead first moment.
        infinity_norm: Adamax's infinity-norm second moment.
        moments: ``"ema"`` or ``"lerp"`` arithmetic for the moving averages (see 3).
        scalar_precision: where the scalars (bias corrections, step size, ``1 - beta``)
            are computed: ``"float64"`` (PyTorch, neon and OpenFL use Python floats),
            ``"param"``, the parameters' dtype (TensorFlow's kernels, tf.keras), or
            ``"keras"``, the same but ``1 - beta`` from Python floats (Keras 3, Optax).
        weight_decay: decoupled weight decay, ``>= 0``.
        l2: coupled L2 penalty added to the update, ``>= 0``.
        maximize: ascend instead of descend.
        loss_scale: the factor the loss was multiplied by, ``> 0``.
        clip_value: clip each update element to ``[-clip_value, clip_value]``.
        clip_norm: clip each update tensor's L2 norm.
        global_clip_norm: clip the L2 norm of all update tensors together.
        step_clip_norm: scale the step by ``c / max(global norm, c)`` (neon).
        param_clip: clip the parameters to ``[-param_clip, param_clip]`` after the step.
        stochastic_round: ``None`` (round to nearest when storing), ``True`` (float16's
            10 mantissa bits: float16 parameters on CUDA) or the number of mantissa bits
            to keep (``7`` stores bfloat16's values in float32 parameters).
        seed: the seed of the stochastic rounding (an integer): same seed, same run.
        lazy: an ``IndexedSlices`` update touches only its rows: the other rows' moments
            do not decay and the other rows do not move (PyTorch's ``SparseAdam``).
            By default it is the dense gradient with zero rows (tf.keras).
        inplace: update ``theta`` and the state in place and return them (no allocation).

    Returns:
        ``(opt_params, theta)`` after the step.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.optim import adam_init, adam_step
        >>> theta = {"W": np.zeros((2, 2))}
        >>> state = adam_init(theta)
        >>> state, theta = adam_step(state, theta, {"W": np.ones((2, 2))}, eta=0.1)
        >>> int(state.t), theta["W"].round(6).tolist()
        (1, [[-0.1, -0.1], [-0.1, -0.1]])
        >>> state = adam_init(theta, amsgrad=True)
        >>> state, theta = adam_step(state, theta, {"W": np.full((2, 2), 9.0)}, eta=0.1,
        ...                          amsgrad=True, clip_value=1.0, epsilon_hat=True)
        >>> theta["W"].round(6).tolist()
        [[-0.2, -0.2], [-0.2, -0.2]]
    """
    o = _options(beta1, beta2, eps, epsilon_hat, eps_root, amsgrad, nesterov, infinity_norm,
                 moments, scalar_precision, weight_decay, l2, maximize, loss_scale, clip_value,
                 clip_norm, global_clip_norm, step_clip_norm, param_clip, stochastic_round,
                 seed, lazy)
    if isinstance(opt_params, (AdamState, AmsgradState)) and \
            type(opt_params) is not o.state_type:
        raise TypeError(f"amsgrad={amsgrad!r} needs the state of "
                        f"adam_init(theta, amsgrad={bool(amsgrad)}), got "
                        f"{type(opt_params).__name__}")

    def coefficients(t, sq_norms):
        rate = _checks.learning_rate("eta", eta, t - 1)
        clip_scales, step_scale = _norm_scales(sq_norms, o.loss_scale, *o.norms)
        sign = o.sign / o.loss_scale
        multipliers = [sign * w for w in clip_scales] if clip_scales is not None else \
            None if sign == 1.0 else sign

        def of_dtype(dtype):
            if o.unfit[dtype]:
                raise ValueError(o.unfit[dtype])
            scalars = _FLOAT64 if o.scalar_precision == "float64" else dtype
            # Python floats are float64 arithmetic without NumPy's per-operation cost
            f = float if scalars == _FLOAT64 else scalars.type
            one = f(1)
            b1, new1, b2, new2, root, epsilon, penalty, bound, limit = o.constants[scalars]
            bias1 = one - f(b1) ** f(t)
            bias2 = one - f(b2) ** f(t)
            if o.variant:
                lr, scale2 = f(rate), one / bias2
            elif o.epsilon_hat:
                lr, scale2 = f(rate) * np.sqrt(bias2) / bias1, one
            else:
                lr, scale2 = f(rate) / bias1, one / bias2
            max_scale = one
            if o.amsgrad == "corrected":
                max_scale, scale2 = scale2, one
            step = float(lr if step_scale == 1.0 else f(step_scale) * lr)
            # eta, the bias correction and a norm clip meet here: one check covers them
            _checks.fits("a step size", step, dtype, of=(("eta", rate), ("t", t)))
            # Python floats hold these float32 values exactly and convert much faster
            return (b1, new1, b2, new2, step,
                    float(scale2), root, epsilon,
                    float(f(o.weight_decay) * f(rate)) if o.weight_decay else 0.0,
                    penalty, bound, limit, float(max_scale), float(bias1),
                    float(one - f(b1) ** f(t + 1)), o.round_bits,
                    -14.0 if o.round_bits == 10 else -126.0,
                    _round_key(o.seed, t) if o.round_bits else 0.0)

        return of_dtype, multipliers

    return apply(o.rule, o.state_type, opt_params, theta, updates, coefficients, inplace,
                 needs_norms=o.norms != (None, None, None), lazy=o.lazy)


class _AdamOptions(NamedTuple):
    """The checked options of one :func:`adam_step` setting, and the rule they select."""
    rule: str
    state_type: type
    constants: dict
    """The step-independent coefficients in each compute dtype (:func:`_constants`)."""
    unfit: dict
    """Why each compute dtype cannot run this setting (:func:`_unfit`), or None."""
    epsilon_hat: bool
    amsgrad: bool | str
    variant: str | None
    round_bits: float
    seed: int
    scalar_precision: str
    weight_decay: float
    sign: float
    loss_scale: float
    norms: tuple
    """``(clip_norm, global_clip_norm, step_clip_norm)``, at most one set."""
    lazy: bool


@_checks.memoized
def _options(beta1, beta2, eps, epsilon_hat, eps_root, amsgrad, nesterov, infinity_norm,
             moments, scalar_precision, weight_decay, l2, maximize, loss_scale, clip_value,
             clip_norm, global_clip_norm, step_clip_norm, param_clip, stochastic_round, seed,
             lazy):
    """Check the options of :func:`adam_step` (once per setting: a training loop repeats
    the same arguments)."""
    beta1 = _checks.unit_interval("beta1", beta1)
    beta2 = _checks.unit_interval("beta2", beta2)
    eps = _checks.positive("eps", eps)
    eps_root = _checks.at_least("eps_root", eps_root, 0.0)
    amsgrad = _checks.one_of("amsgrad", amsgrad, _AMSGRAD)
    nesterov = _checks.one_of("nesterov", nesterov, (False, True))
    lazy = _checks.one_of("lazy", lazy, (False, True))
    round_bits = _round_bits(stochastic_round)
    seed = _checks.integer("seed", seed)
    infinity_norm = _checks.one_of("infinity_norm", infinity_norm, (False, True))
    moments = _checks.one_of("moments", moments, _MOMENTS)
    scalar_precision = _checks.one_of("scalar_precision", scalar_precision, _PRECISIONS)
    weight_decay = _checks.at_least("weight_decay", weight_decay, 0.0)
    l2 = _checks.at_least("l2", l2, 0.0)
    loss_scale = _checks.positive("loss_scale", loss_scale)
    clip_value = _checks.optional_positive("clip_value", clip_value)
    param_clip = _checks.optional_positive("param_clip", param_clip)
    norms = {name: _checks.optional_positive(name, value) for name, value in
             [("clip_norm", clip_norm), ("global_clip_norm", global_clip_norm),
              ("step_clip_norm", step_clip_norm)]}
    chosen = [f"{name}={value}" for name, value in norms.items() if value is not None]
    if len(chosen) > 1:
        raise ValueError(f"only one of clip_norm, global_clip_norm and step_clip_norm can "
                         f"be set, got {', '.join(chosen)}")
    if amsgrad == "corrected" and epsilon_hat:
        raise ValueError("amsgrad='corrected' takes the maximum of the bias-corrected "
                         "second moment, which epsilon_hat=True never forms; use "
                         "amsgrad=True with epsilon_hat")
    variant = "nadam" if nesterov else "adamax" if infinity_norm else None
    if variant:
        others = {"nesterov": nesterov and infinity_norm, "amsgrad": amsgrad,
                  "epsilon_hat": epsilon_hat, "eps_root": eps_root and infinity_norm,
                  'moments="lerp"': moments == "lerp"}
        refused = [name for name, on in others.items() if on]
        if refused:
            raise ValueError(f"{'nesterov' if nesterov else 'infinity_norm'}=True follows "
                             f"Optax's formulas and cannot be combined with "
                             f"{', '.join(refused)}")
    plain = clip_value is None and not l2 and not weight_decay and param_clip is None
    rule = (variant or ("amsgrad" if amsgrad else "adam") +
            ("_lerp" if moments == "lerp" else "")) + \
        ("_sr" if round_bits else "_plain" if plain else "")
    dtypes = _checks.HOST_DTYPES  # every compute dtype (float16 computes in float32)
    constants = {dtype: _constants(dtype, scalar_precision == "keras", beta1, beta2, eps_root,
                                   eps, l2, clip_value, param_clip) for dtype in dtypes}
    unfit = {dtype: _unfit(dtype, beta1, beta2, eps, eps_root, l2, weight_decay, clip_value,
                           param_clip, loss_scale) for dtype in dtypes}
    return _AdamOptions(rule, AmsgradState if amsgrad else AdamState, constants, unfit,
                        bool(epsilon_hat), amsgrad, variant, round_bits, seed,
                        scalar_precision, weight_decay, -1.0 if maximize else 1.0,
                        loss_scale, tuple(norms.values()), lazy)


def _constants(dtype, python_complements, beta1, beta2, eps_root, eps, l2, clip_value,
               param_clip):
    """The step-independent coefficients in ``dtype`` (computed once per setting).

    ``1 - beta`` is computed in ``dtype``, or from the Python floats when
    ``python_complements`` (Keras 3 writes ``1 - beta_1`` in Python).
    """
    f = dtype.type
    one = f(1)
    new1, new2 = (1.0 - beta1, 1.0 - beta2) if python_complements else \
        (one - f(beta1), one - f(beta2))
    numbers = (beta1, new1, beta2, new2, eps_root, eps, l2,
               math.inf if clip_value is None else clip_value,
               math.inf if param_clip is None else param_clip)
    return tuple(float(f(x)) for x in numbers)


def _unfit(dtype, beta1, beta2, eps, eps_root, l2, weight_decay, clip_value, param_clip,
           loss_scale):
    """Why the kernels, computing in ``dtype``, cannot take these hyperparameters (None
    when they can): each must meet in ``dtype`` what it met in float64."""
    try:
        _checks.below_one("beta1", beta1, dtype)
        _checks.below_one("beta2", beta2, dtype)
        for name, value in (("eps_root", eps_root), ("l2", l2), ("weight_decay", weight_decay)):
            _checks.fits(name, value, dtype)
        for name, value in (("eps", eps), ("clip_value", clip_value), ("param_clip", param_clip)):
            if value is not None:
                _checks.fits(name, value, dtype, positive=True)
        # the kernels multiply the updates by 1 / loss_scale
        _checks.fits("1/loss_scale", 1 / loss_scale, dtype, positive=True,
                     of=(("loss_scale", loss_scale),))
    except ValueError as refusal:
        return str(refusal)
    return None


def _round_bits(stochastic_round):
    """Mantissa bits kept by stochastic rounding (0.0: off)."""
    if stochastic_round is None or stochastic_round is False:
        return 0.0
    if stochastic_round is True:
        return 10.0
    bits = _checks.integer("stochastic_round", stochastic_round)
    if not 1 <= bits <= 23:
        raise ValueError(f"stochastic_round must be True, None or a number of mantissa bits "
                         f"in [1, 23], got {stochastic_round}")
    return float(bits)


def _round_key(seed, t):
    """The step's key of the rounding hash: 24 bits, exact in float32."""
    return float(((seed * 0x9E3779B1) ^ (t * 0x85EBCA77)) % (1 << 24))


def _norm_scales(sq_norms, loss_scale, clip_norm, global_clip_norm, step_clip_norm):
    """Per-tensor gradient multipliers (None: all ones) and the step scale of the norm
    clip options.

    ``sq_norms`` are the sums of squares of the raw updates (None when no norm is
    clipped); the norms are those of ``u / loss_scale``.
    """
    if sq_norms is None:
        return None, 1.0
    norms = np.sqrt(sq_norms) / loss_scale
    if clip_norm is not None:
        return [clip_norm / max(n, clip_norm) for n in norms], 1.0
    total = math.sqrt(float(np.sum(sq_norms))) / loss_scale
    if global_clip_norm is not None:
        if not math.isfinite(total):  # Keras turns every gradient into NaN
            return [math.nan] * len(norms), 1.0
        scale = global_clip_norm * min(math.inf if total == 0 else 1 / total,
                                       1 / global_clip_norm)
        return [scale] * len(norms), 1.0
    return None, step_clip_norm / max(total, step_clip_norm)
