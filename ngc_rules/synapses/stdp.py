"""A synapse learning by STDP over spike times, ngc-learn's ``STDPSynapse``."""
from .._views import flat
from ..optim import _checks
from . import _plastic, _stdp_kernels

_EPS = 0.001  # ngc-learn's margin of the weights from 0 and from w_bound


class STDPSynapse(_plastic.PlasticSynapse):
    """A dense synapse whose weights follow spike-timing-dependent plasticity over the times
    of last spike (Markram et al. 1997; Bi and Poo 2001), one sample at a time.

    With ``d_ij = t_post_j - t_pre_i`` (pairs where either time is 0, "no spike yet",
    count as no pair), :meth:`evolve` computes

    .. math::
        \\Delta W_{ij} &= A_+ e^{-d_{ij}/\\tau_+}\\, s_{post,j} \\quad (d_{ij} > 0), \\qquad
        -A_- e^{-d_{ij}/\\tau_-}\\, s_{pre,i} \\quad (d_{ij} < 0), \\qquad 0 \\text{ else} \\\\
        W &\\leftarrow \\text{clip}\\big(W + \\eta\\, \\Delta W - W \\Delta t/\\tau_w,\\
            0.001,\\ w_b - 0.001\\big) \\odot \\text{mask} \\quad (\\tau_w > 0) \\\\
        W &\\leftarrow \\text{clip}\\big(W + \\eta\\, \\Delta W - W w_{decay},\\
            0.001,\\ w_b - 0.001\\big) \\odot \\text{mask} \\quad (\\tau_w = 0)

    in this order: ``dWeights = dW`` (from the weights before the step), then the weights.
    The depression factor ``e^{-d/\\tau_-}`` with ``d < 0`` grows with the gap, as
    ngc-learn writes and documents it; it applies only when ``A_minus > 0``. With
    ``optim_type`` the rule takes the step instead: ``W <- rule(W; -dW)``, then
    ``W <- clip(W - W_before * (dt/tau_w or w_decay)) * mask``; ``optim_type="sgd"`` gives
    the bits of the default.

    Compartments:
        inputs, outputs, weights, mask, dWeights, opt_params: as for
            :class:`TraceSTDPSynapse`.
        preSpike, pre_tols: ``(1, shape[0])``, pre-synaptic spikes (0/1) and times of
            last spike.
        postSpike, post_tols: ``(1, shape[1])``, the same post-synaptically.

    Args:
        name, shape, A_plus, A_minus, eta, weight_init, g_conduct_factor, p_conn,
            optim_type, optim_params: as for :class:`TraceSTDPSynapse`.
        tau_plus, tau_minus: the time constants of potentiation and depression (> 0).
        w_decay: the weight decay factor when ``tau_w = 0``.
        tau_w: the time constant of the weights' Euler-style decay (0: none).
        w_bound: the weight bound (at least 0.002: the clip keeps 0.001 from it).
        batch_size: 1, the only batch the rule takes (as in ngc-learn).
        **kwargs: the arguments of :class:`DenseSynapse` (``seed``, ``dtype``, ...).

    Example:
        >>> import numpy as np
        >>> from ngc_rules.synapses import STDPSynapse
        >>> from ngc_rules.initializers import constant
        >>> syn = STDPSynapse("W", (1, 1), A_plus=0.1, A_minus=0.1, tau_plus=10.0,
        ...                   weight_init=constant(0.5))
        >>> syn.pre_tols = np.array([[3.]], np.float32)  # pre fired at t=3,
        >>> syn.post_tols = np.array([[5.]], np.float32)  # then post at t=5
        >>> syn.postSpike = np.array([[1.]], np.float32)
        >>> syn.evolve(5.0, 1.0)
        >>> syn.dWeights.astype(float).round(5).tolist()  # 0.1 * exp(-2/10)
        [[0.08187]]
    """

    _signals = {"preSpike": 0, "postSpike": 1, "pre_tols": 0, "post_tols": 1}
    _shown_fields = ("shape", "Aplus", "Aminus", "tau_plus", "tau_minus", "eta",
                     "optim_type")

    def __init__(self, name, shape, A_plus, A_minus, tau_plus=10.0, tau_minus=10.0,
                 w_decay=0.0, eta=1.0, tau_w=0.0, weight_init=None, g_conduct_factor=None,
                 p_conn=1.0, w_bound=1.0, batch_size=1, *, optim_type=None,
                 optim_params=None, **kwargs):
        if _plastic.positive_count("batch_size", batch_size) != 1:
            raise ValueError(f"STDPSynapse learns from one sample at a time: batch_size "
                             f"must be 1, got {batch_size}")
        self.w_bound = _checks.real("w_bound", w_bound)
        super().__init__(name, shape, weight_init, g_conduct_factor, p_conn, batch_size, eta,
                         optim_type, optim_params, (_EPS, self.w_bound - _EPS), **kwargs)
        self.Aplus = _checks.real("A_plus", A_plus)
        self.Aminus = _checks.real("A_minus", A_minus)
        self.tau_plus = _checks.positive("tau_plus", tau_plus)
        self.tau_minus = _checks.positive("tau_minus", tau_minus)
        self.w_decay = _checks.real("w_decay", w_decay)
        self.tau_w = _checks.at_least("tau_w", tau_w, 0.0)

    def _step(self, t, dt):
        n_pre, n_post = self.shape
        signals = (_plastic.spikes(self, "preSpike", (1, n_pre)),
                   _plastic.spikes(self, "postSpike", (1, n_post)),
                   _plastic.compartment(self, "pre_tols", (1, n_pre)),
                   _plastic.compartment(self, "post_tols", (1, n_post)))
        weights, dweights = _plastic.keep(self, weights=self.shape, dWeights=self.shape)
        number = self.dtype.type
        decay = number(dt) * self._reciprocal(self.tau_w) if self.tau_w > 0 else \
            number(self.w_decay)
        scalars = (number(self.Aplus), number(self.Aminus), self._reciprocal(self.tau_plus),
                   self._reciprocal(self.tau_minus), number(self.eta), decay)
        _, low, high = self._bounds
        return lambda direction, before: _stdp_kernels.stdp_evolve(
            weights, dweights, flat(self.mask), *signals, *scalars, low, high, direction,
            before), decay
