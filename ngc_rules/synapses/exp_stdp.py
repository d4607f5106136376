"""A synapse learning by exponentially weight-dependent STDP, ngc-learn's
``ExpSTDPSynapse``."""
from .._views import flat
from ..optim import _checks
from . import _plastic, _stdp_kernels
from .trace_stdp import TRACE_SIGNALS, trace_signals

_EPS = 0.01  # ngc-learn's margin of the weights from 0 and from w_bound


class ExpSTDPSynapse(_plastic.PlasticSynapse):
    """A dense synapse whose weights follow trace-based STDP with an exponential weight
    dependence (Nessler et al. 2013; Diehl and Cook's equation 4).

    :meth:`evolve` computes, from the spikes ``s`` and traces ``x`` (summed over the batch),

    .. math::
        \\Delta W &= A_+ \\big(e^{-\\beta W} \\odot x_{pre}^\\top s_{post}
                   - e^{-\\beta (w_b - W)} \\odot x_{tar}^\\top s_{post}\\big)
                   - A_- \\, e^{-\\beta W} \\odot s_{pre}^\\top x_{post} \\\\
        W &\\leftarrow \\text{clip}(W + \\eta\\, \\Delta W,\\ 0.01,\\ w_b - 0.01) \\odot
            \\text{mask}

    in this order: ``dWeights = dW`` (from the weights before the step), then the weights
    (the depression term only when ``A_minus > 0``). ``tau_w`` is accepted and has no
    effect, as in ngc-learn. With ``optim_type`` the rule takes the step instead:
    ``W <- rule(W; -dW)``, then ``W <- clip(W, 0.01, w_b - 0.01) * mask``.

    Compartments:
        inputs, outputs, weights, mask, preSpike, postSpike, preTrace, postTrace,
            dWeights, opt_params: as for :class:`TraceSTDPSynapse`.

    Args:
        name, shape, A_plus, A_minus, eta, pretrace_target, weight_init, g_conduct_factor,
            p_conn, weight_mask, batch_size, optim_type, optim_params: as for
            :class:`TraceSTDPSynapse`.
        exp_beta: ``beta``, the strength of the exponential weight dependence.
        w_bound: the weight bound ``w_b`` (at least 0.02: the clip keeps 0.01 from it).
        tau_w: accepted (>= 0) and unused, as in ngc-learn.
        **kwargs: the arguments of :class:`DenseSynapse` (``seed``, ``dtype``, ...).

    Example:
        >>> import numpy as np
        >>> from ngc_rules.synapses import ExpSTDPSynapse
        >>> from ngc_rules.initializers import constant
        >>> syn = ExpSTDPSynapse("W", (1, 2), A_plus=0.1, A_minus=0.0, exp_beta=1.0,
        ...                      weight_init=constant(0.5))
        >>> syn.preTrace = np.array([[1.]], np.float32)
        >>> syn.postSpike = np.array([[1., 0.]], np.float32)
        >>> syn.evolve()
        >>> syn.dWeights.astype(float).round(5).tolist()  # 0.1 * exp(-0.5)
        [[0.06065, 0.0]]
    """

    _signals = TRACE_SIGNALS
    _shown_fields = ("shape", "Aplus", "Aminus", "exp_beta", "eta", "optim_type")

    def __init__(self, name, shape, A_plus, A_minus, exp_beta, eta=1.0, pretrace_target=0.0,
                 weight_init=None, g_conduct_factor=None, p_conn=1.0, w_bound=1.0, tau_w=0.0,
                 weight_mask=None, batch_size=1, *, optim_type=None, optim_params=None,
                 **kwargs):
        self.w_bound = _checks.real("w_bound", w_bound)
        super().__init__(name, shape, weight_init, g_conduct_factor, p_conn, batch_size, eta,
                         optim_type, optim_params, (_EPS, self.w_bound - _EPS),
                         weight_mask=weight_mask, **kwargs)
        self.Aplus = _checks.real("A_plus", A_plus)
        self.Aminus = _checks.real("A_minus", A_minus)
        self.exp_beta = _checks.real("exp_beta", exp_beta)
        self.preTrace_target = _checks.real("pretrace_target", pretrace_target)
        self.tau_w = _checks.at_least("tau_w", tau_w, 0.0)

    def _step(self, t, dt):
        signals = trace_signals(self)
        weights, dweights = _plastic.keep(self, weights=self.shape, dWeights=self.shape)
        scalars = self._scalars(self.Aplus, self.Aminus, self.preTrace_target,
                                -self.exp_beta, self.w_bound, self.eta)
        _, low, high = self._bounds
        return lambda direction, before: _stdp_kernels.exp_stdp_evolve(
            weights, dweights, flat(self.mask), *signals, *scalars, low, high,
            direction), 0
