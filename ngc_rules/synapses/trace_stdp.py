"""A synapse learning by trace-based STDP, ngc-learn's ``TraceSTDPSynapse``."""
from .._views import flat
from ..optim import _checks
from . import _plastic, _stdp_kernels

TRACE_SIGNALS = {"preSpike": 0, "postSpike": 1, "preTrace": 0, "postTrace": 1}


def trace_signals(synapse):
    """A trace rule's spikes and traces, checked: ``(pre_spike, post_spike, pre_trace,
    post_trace)``, one batch."""
    n_pre, n_post = synapse.shape
    pre_spike = _plastic.spikes(synapse, "preSpike", (None, n_pre))
    rows = pre_spike.shape[0]
    return (pre_spike, _plastic.spikes(synapse, "postSpike", (rows, n_post)),
            _plastic.compartment(synapse, "preTrace", (rows, n_pre)),
            _plastic.compartment(synapse, "postTrace", (rows, n_post)))


class TraceSTDPSynapse(_plastic.PlasticSynapse):
    """A dense synapse whose weights follow trace-based spike-timing-dependent plasticity
    (Morrison, Aertsen and Diesmann 2007), with an optional power-law weight dependence.

    :meth:`evolve` computes, from the spikes ``s`` and traces ``x`` (summed over the batch),

    .. math::
        \\Delta W &= A_+ \\,(x_{pre} - x_{tar})^\\top s_{post}
                  - A_- \\, s_{pre}^\\top x_{post} \\qquad (\\mu = 0) \\\\
        \\Delta W &= A_+ (w_b - W)^{\\mu} \\odot (x_{pre} - x_{tar})^\\top s_{post}
                  - A_- W^{\\mu} \\odot s_{pre}^\\top x_{post} \\qquad (\\mu > 0) \\\\
        W &\\leftarrow \\text{clip}\\big(W + \\eta\\, \\Delta W - W / \\tau_w,\\ 0,\\ w_b\\big)
            \\odot \\text{mask}

    in this order: ``dWeights = dW`` (from the weights before the step), then the weights
    (the decay only when ``tau_w > 0``, the depression term only when ``A_minus > 0``).
    With ``optim_type`` the rule takes the step instead: ``W <- rule(W; -dW)``, then
    ``W <- clip(W - W_before / tau_w, 0, w_b) * mask``; ``optim_type="sgd"`` gives the
    bits of the default.

    Compartments:
        inputs, outputs, weights, mask: as for :class:`DenseSynapse`.
        preSpike, preTrace: ``(batch, shape[0])``, pre-synaptic spikes (0/1) and traces.
        postSpike, postTrace: ``(batch, shape[1])``, post-synaptic spikes and traces.
        dWeights: ``shape``, the last update ``dW``.
        opt_params: the attached rule's state (None without one).

    Args:
        name, shape: the component's name and ``(inputs, outputs)``.
        A_plus, A_minus: the strengths of potentiation and depression.
        eta: the learning rate (given to the rule, unless ``optim_type`` has its own).
        mu: the power of the weight dependence (0: none).
        pretrace_target: ``x_tar``, subtracted from the pre-synaptic trace.
        weight_init, p_conn: as for :class:`DenseSynapse` (absent connections stay 0).
        g_conduct_factor: the output factor ``R`` (default 1; ``resist_scale`` too).
        w_bound: the largest weight (> 0).
        tau_w: the weight decay time constant (0: no decay).
        weight_mask: 0/1, broadcast to ``shape``: connections held at 0.
        batch_size: the rows of the initial signals.
        optim_type: None (ngc-learn's update), a rule name ("sgd", "nag", "adam",
            "momentum"), one of our step functions or a
            :class:`~ngc_rules.optim.LearningRule`.
        optim_params: the rule's further hyperparameters, e.g. ``{"beta2": 0.99}``.
        seed, key, dtype, resist_scale, p_release_mean, max_delay_steps: as for
            :class:`DenseSynapse`.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.synapses import TraceSTDPSynapse
        >>> from ngc_rules.initializers import constant
        >>> syn = TraceSTDPSynapse("W", (2, 2), A_plus=0.1, A_minus=0.05,
        ...                        weight_init=constant(0.5))
        >>> syn.preSpike = np.array([[0., 1.]], np.float32)
        >>> syn.postSpike = np.array([[1., 0.]], np.float32)
        >>> syn.preTrace = np.array([[0.5, 1.]], np.float32)
        >>> syn.postTrace = np.array([[1., 0.2]], np.float32)
        >>> syn.evolve()
        >>> syn.dWeights.astype(float).round(3).tolist()
        [[0.05, 0.0], [0.05, -0.01]]
        >>> syn.weights.astype(float).round(3).tolist()
        [[0.55, 0.5], [0.55, 0.49]]
    """

    _signals = TRACE_SIGNALS
    _shown_fields = ("shape", "Aplus", "Aminus", "eta", "mu", "optim_type")

    def __init__(self, name, shape, A_plus, A_minus, eta=1.0, mu=0.0, pretrace_target=0.0,
                 weight_init=None, g_conduct_factor=None, p_conn=1.0, w_bound=1.0, tau_w=0.0,
                 weight_mask=None, batch_size=1, *, optim_type=None, optim_params=None,
                 **kwargs):
        self.w_bound = _checks.positive("w_bound", w_bound)
        self.w_eps = 0.0
        super().__init__(name, shape, weight_init, g_conduct_factor, p_conn, batch_size, eta,
                         optim_type, optim_params, (self.w_eps, self.w_bound - self.w_eps),
                         weight_mask=weight_mask, **kwargs)
        self.Aplus = _checks.real("A_plus", A_plus)
        self.Aminus = _checks.real("A_minus", A_minus)
        self.mu = _checks.at_least("mu", mu, 0.0)
        self.preTrace_target = _checks.real("pretrace_target", pretrace_target)
        self.tau_w = _checks.at_least("tau_w", tau_w, 0.0)

    def _trace_scalars(self):
        """``(A_plus, A_minus, x_tar, mu, w_bound)`` in the synapse's dtype."""
        return self._scalars(self.Aplus, self.Aminus, self.preTrace_target, self.mu,
                             self.w_bound)

    def _step(self, t, dt):
        signals = trace_signals(self)
        weights, dweights = _plastic.keep(self, weights=self.shape, dWeights=self.shape)
        eta, decay = self.dtype.type(self.eta), self._reciprocal(self.tau_w)
        _, low, high = self._bounds
        return lambda direction, before: _stdp_kernels.trace_stdp_evolve(
            weights, dweights, flat(self.mask), *signals, *self._trace_scalars(), eta, decay,
            low, high, direction, before), decay
