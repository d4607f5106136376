"""A synapse that learns with a two-factor Hebbian rule and an attached learning rule."""
import operator

import numpy as np

from .. import _component
from .._views import flat
from ..checkpoint import describe, state_leaves
from ..optim import _checks
from ..optim._engine import nonfinite_counts
from ..optim.rule import LearningRule
from . import _kernels
from .dense import DenseSynapse

_PRIORS = {"constant": _kernels.NO_PRIOR, "none": _kernels.NO_PRIOR,
           "l2": _kernels.L2_PRIOR, "ridge": _kernels.L2_PRIOR, "gaussian": _kernels.L2_PRIOR,
           "l1": _kernels.L1_PRIOR, "lasso": _kernels.L1_PRIOR, "laplacian": _kernels.L1_PRIOR,
           "l1l2": _kernels.ELASTIC_PRIOR, "elastic_net": _kernels.ELASTIC_PRIOR}

# ngc-learn's Adam inside a synapse computes 1 - beta from Python floats and the bias
# corrections in float32: our "keras" scalar precision, which matches it within 2 ulps.
_NGCLEARN_ARITHMETIC = {"adam": {"scalar_precision": "keras"}}


def _prior(prior, w_decay):
    """``(code, scale, l1_ratio)`` of ngc-learn's prior argument."""
    if _checks.real("w_decay", w_decay) > 0:
        prior = ("l2", w_decay)
    if prior is None:
        return _kernels.NO_PRIOR, 0.0, 0.0
    if not (isinstance(prior, (tuple, list)) and len(prior) == 2):
        raise ValueError(f"prior must be a (name, value) pair such as ('l2', 0.01), "
                         f"got {prior!r}")
    name, value = prior
    code = _PRIORS.get(str(name).lower())
    if code is None:
        raise ValueError(f"prior: unknown prior {name!r}; expected one of {sorted(_PRIORS)}")
    if code == _kernels.ELASTIC_PRIOR:
        if not (isinstance(value, (tuple, list)) and len(value) == 2):
            raise ValueError(f"prior {name!r} takes (scale, l1_ratio), got {value!r}")
        return code, _checks.real("prior scale", value[0]), _checks.real("prior l1_ratio", value[1])
    return code, _checks.real("prior value", value), 0.0


class HebbianSynapse(DenseSynapse):
    """A dense synapse whose weights follow a two-factor Hebbian rule, ngc-learn's
    ``HebbianSynapse``, with any of our learning rules applying the change in place.

    :meth:`evolve` computes, with ``x = pre * pre_wght`` and ``e = post * post_wght``
    summed over the batch,

    .. math::
        \\Delta W &= s\\,\\big(x^\\top e \\, (w_b - |W|) + \\text{prior}(W)\\big), \\qquad
        \\Delta b = s \\sum_n e_n \\\\
        W, b &\\leftarrow \\text{rule}(W, b;\\ \\Delta W, \\Delta b), \\qquad
        W \\leftarrow \\text{clip}(W, -w_b \\text{ or } 0, w_b) \\odot \\text{mask}

    where ``s = sign_value``, the soft bound ``(w_b - |W|)`` and the clip apply only when
    ``w_bound > 0``, and the priors are ``l2``: ``-lambda W``, ``l1``: ``-lambda sign(W)``,
    ``l1l2`` with ``(lambda, r)``: ``-lambda (r sign(W) + (1 - r) W / 2)``. The rule
    descends (``W - eta * update``), so ``sign_value=-1`` turns the Hebbian ascent
    direction ``x^T e`` into error-driven learning.

    Compartments:
        inputs, outputs, weights, biases, mask: as for :class:`DenseSynapse`.
        pre: ``(batch, shape[0])``, the pre-synaptic signal of the rule.
        post: ``(batch, shape[1])``, the post-synaptic signal of the rule.
        dWeights: ``shape``, the last update of the weights.
        dBiases: ``(1, shape[1])``, the last update of the biases.
        opt_params: the learning rule's state (Adam's moments, ...).

    Args:
        name, shape, weight_init, bias_init, resist_scale, p_conn, batch_size, seed, dtype:
            as for :class:`DenseSynapse`.
        g_conduct_factor, key, p_release_mean, max_delay_steps: ngc-learn's arguments, as
            for :class:`DenseSynapse`.
        eta: the learning rate, given to the rule (unless ``optim_type`` already has one).
        w_bound: the soft and hard weight bound (0 turns both off).
        is_nonnegative: clip to ``[0, w_bound]`` instead of ``[-w_bound, w_bound]``.
        prior: ``(name, value)``: "l2"/"ridge"/"gaussian", "l1"/"lasso"/"laplacian",
            "l1l2"/"elastic_net" with ``(scale, l1_ratio)``, or "constant" for none.
        w_decay: when > 0, shorthand for ``prior=("l2", w_decay)``.
        sign_value: the factor applied to the final update.
        optim_type: "sgd", "nag", "adam", "momentum", one of our step functions (or a
            partial of one) or a :class:`~ngc_rules.optim.LearningRule`.
        optim_params: further hyperparameters of the rule, such as ``{"beta2": 0.99}``;
            ``{"on_nonfinite": "skip"}`` (or ``"raise"``) guards every step against NaN
            and inf updates (see :class:`~ngc_rules.optim.LearningRule`).
        pre_wght, post_wght: the factors of the pre- and post-synaptic signals.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.synapses import HebbianSynapse
        >>> syn = HebbianSynapse("W", (3, 2), eta=0.1, sign_value=-1.0, optim_type="adam",
        ...                      w_bound=0.0, seed=0)
        >>> syn.pre = np.ones((4, 3), np.float32)
        >>> syn.post = np.full((4, 2), 0.5, np.float32)
        >>> before = syn.weights.copy()
        >>> syn.evolve()
        >>> np.allclose(syn.weights - before, 0.1)  # Adam's first step is +-eta
        True
    """

    _shown_fields = ("shape", "eta", "optim_type", "w_bound", "sign_value")

    def __init__(self, name, shape, eta=None, weight_init=None, bias_init=None, w_bound=1.0,
                 is_nonnegative=False, prior=("constant", 0.0), w_decay=0.0, sign_value=1.0,
                 optim_type="sgd", optim_params=None, pre_wght=1.0, post_wght=1.0,
                 p_conn=1.0, resist_scale=None, batch_size=1, seed=None, dtype=np.float32,
                 **kwargs):
        super().__init__(name, shape, weight_init=weight_init, bias_init=bias_init,
                         resist_scale=resist_scale, p_conn=p_conn, batch_size=batch_size,
                         seed=seed, dtype=dtype, **kwargs)
        self.w_bound = _checks.real("w_bound", w_bound)
        self.is_nonnegative = bool(is_nonnegative)
        self.prior = _prior(prior, w_decay)
        self.sign_value = _checks.real("sign_value", sign_value)
        self.pre_wght = _checks.real("pre_wght", pre_wght)
        self.post_wght = _checks.real("post_wght", post_wght)
        defaults = _NGCLEARN_ARITHMETIC.get(optim_type, {}) if isinstance(optim_type, str) else {}
        self.rule = LearningRule(optim_type, **{**defaults, **(optim_params or {})})
        if eta is not None or "eta" not in self.rule.hyperparameters:
            self.rule = LearningRule(self.rule, eta=0.0 if eta is None else eta)
        self.eta = self.rule.hyperparameters["eta"]
        self.pre = np.zeros((self.batch_size, self.shape[0]), self.dtype)
        self.post = np.zeros((self.batch_size, self.shape[1]), self.dtype)
        self.dWeights = np.zeros(self.shape, self.dtype)
        self.dBiases = np.zeros((1, self.shape[1]), self.dtype)
        self.opt_params = self.rule.init(self._parameters())
        self._attached = None
        self._scratch = {}

    @property
    def optim_type(self):
        """The name of the learning rule ("sgd", "nag", "adam" or "momentum")."""
        return self.rule.name

    def _parameters(self):
        return [self.weights] if self.biases is None else [self.weights, self.biases]

    def _learner(self):
        """The rule attached to the weights, biases and learning state, attached again
        when one of them (or the rule) was replaced."""
        theta, learner = self._parameters(), self._attached
        if learner is None or learner.rule is not self.rule or \
                learner.state is not self.opt_params or len(theta) != len(learner.theta) or \
                not all(map(operator.is_, theta, learner.theta)):
            learner = self._attached = self.rule.attach(theta, self.opt_params)
        return learner

    def _weighted(self, name, signal, factor):
        """``signal * factor`` in a buffer kept between calls (the signal itself when the
        factor is 1)."""
        signal = np.asarray(signal, self.dtype)
        if factor == 1.0:
            return signal
        buffer = self._scratch.get(name)
        if buffer is None or buffer.shape != signal.shape:
            buffer = self._scratch[name] = np.empty_like(signal)
        return np.multiply(signal, self.dtype.type(factor), out=buffer)

    def evolve(self, *times, t=None, dt=None):
        """One Hebbian update of the weights (and biases) from ``pre`` and ``post``.

        Takes ``(dt)`` or ngc-learn's ``(t, dt)``, positionally or by keyword; both are
        unused: one call is one learning step.
        """
        _component.step_length(times, t, dt)
        self.compute_update()
        self.check_update()
        self.apply_update()

    def compute_update(self):
        """This step's update from ``pre`` and ``post``, into ``dWeights`` and ``dBiases``;
        the weights, biases and learning state do not move."""
        pre = self._weighted("pre", self.pre, self.pre_wght)
        post = self._weighted("post", self.post, self.post_wght)
        if pre.ndim != 2 or post.ndim != 2 or pre.shape[0] != post.shape[0] \
                or pre.shape[1] != self.shape[0] or post.shape[1] != self.shape[1]:
            raise ValueError(f"{self.name}: pre and post must have shapes (batch, "
                             f"{self.shape[0]}) and (batch, {self.shape[1]}), got "
                             f"{pre.shape} and {post.shape}")
        scalar = self.dtype.type
        np.matmul(pre.T, post, out=self.dWeights)
        np.sum(post, axis=0, keepdims=True, out=self.dBiases)
        self.dBiases *= scalar(self.sign_value)
        code, scale, l1_ratio = self.prior
        _kernels.shape_hebbian_update(
            flat(self.dWeights), flat(self.weights), scalar(self.w_bound),
            code, scalar(scale), scalar(l1_ratio), scalar(1 - l1_ratio) / 2,
            scalar(self.sign_value))

    def check_update(self):
        """Refuse the computed update as applying it would, but before anything moves: with
        ``on_nonfinite="raise"``, a NaN or inf in ``dWeights`` or ``dBiases`` raises a
        ``FloatingPointError`` naming this synapse. A model checks every synapse's update
        this way before it applies any."""
        if self.rule.on_nonfinite != "raise":
            return
        counts = nonfinite_counts(self._parameters(), self._updates())
        bad = [f"{name} ({n} of them)" for name, (_, n) in zip(("dWeights", "dBiases"), counts)
               if n]
        if bad:
            raise FloatingPointError(f"{self.name}: the update holds NaN or inf in "
                                     f"{', '.join(bad)}; the step was refused and nothing "
                                     f"changed")

    def apply_update(self):
        """Apply ``dWeights`` and ``dBiases`` with the learning rule, then bound and mask the
        weights."""
        learner = self._learner()
        learner.step(self._updates())
        self.opt_params = learner.state
        scalar = self.dtype.type
        low = 0.0 if self.is_nonnegative else -self.w_bound
        _kernels.constrain_weights(flat(self.weights), self.w_bound > 0, scalar(low),
                                   scalar(self.w_bound), flat(self.mask))

    def _updates(self):
        return [self.dWeights] if self.biases is None else [self.dWeights, self.dBiases]

    @property
    def skipped_steps(self):
        """Learning steps skipped for non-finite updates (with
        ``optim_params={"on_nonfinite": "skip"}``; else 0)."""
        return self.rule.skipped_steps(self.opt_params)

    def reset(self):
        """Zero the signals and the last updates, keeping weights and learning state."""
        super().reset()
        for signal in (self.pre, self.post, self.dWeights, self.dBiases):
            signal[...] = 0

    def _arrays(self):
        arrays = super()._arrays()
        arrays.update({f"opt_params_{k}": leaf
                       for k, leaf in enumerate(state_leaves(self.opt_params))})
        return arrays

    def _header(self):
        """Also the rule (:meth:`~ngc_rules.optim.LearningRule.identity`) and its state's
        layout, so a file of another rule (NAG for momentum, Adam for AdaMax) is
        refused."""
        return {**super()._header(), "rule": self.rule.identity(),
                "layout": describe(self.opt_params)}
