"""A synapse learning by reward-modulated trace STDP, ngc-learn's ``MSTDPETSynapse``."""
import numpy as np

from .._views import flat
from ..optim import _checks
from . import _plastic, _stdp_kernels
from .trace_stdp import TraceSTDPSynapse, trace_signals


class MSTDPETSynapse(TraceSTDPSynapse):
    """A dense synapse learning by modulated STDP (M-STDP) or modulated STDP with an
    eligibility trace (M-STDP-ET), after Florian (2007): trace STDP (see
    :class:`TraceSTDPSynapse`) proposes a change, which a modulator ``r`` (a reward)
    scales into the weights.

    :meth:`evolve` of step ``k``, with ``dW_{k-1}`` the ``dWeights`` of the step before:

    .. math::
        E_k &= E_{k-1}\\, e^{-\\Delta t/\\tau_{elg}}\\, \\gamma_{elg} + dW_{k-1}/\\tau_{elg}
            \\quad (\\tau_{elg} > 0), \\qquad E_k = dW_{k-1} \\quad (\\tau_{elg} = 0) \\\\
        W_k &= \\text{clip}\\big(W_{k-1} + \\eta\\, r_k E_k \\odot \\text{outmask}
            - W_{k-1}/\\tau_w,\\ 0,\\ w_b\\big) \\odot \\text{mask} \\\\
        dW_k &= \\text{trace STDP of this step's spikes and traces, from } W_{k-1}

    in this order (ngc-learn's): the eligibility integrates the previous step's update, the
    weights move, then ``dWeights`` becomes this step's update. This is the forward Euler
    step of the documented dynamics ``dW/dt = eta r E``, ``dE/dt = -E/tau_elg + dW_stdp``:
    this step's spikes enter the eligibility at the next step. The decay applies when
    ``tau_w > 0`` (as ``W * (1/tau_w)``). With ``optim_type`` the rule takes the step on
    the modulated update: ``W <- rule(W; -(r E outmask))``, then
    ``W <- clip(W - W_before / tau_w, 0, w_b) * mask``.

    ``outmask`` starts at ones (ngc-learn 3.2.1 leaves it at zeros until :meth:`reset`,
    so that its weights never move without a reset; its documentation says they do).

    Compartments:
        inputs, outputs, weights, mask, preSpike, postSpike, preTrace, postTrace,
            dWeights, opt_params: as for :class:`TraceSTDPSynapse`.
        modulator: ``(1, 1)``, the modulating signal ``r`` of this step.
        eligibility: ``shape``, the eligibility trace ``E``.
        outmask: ``(1, shape[1])``, the factor of each post-synaptic unit's update.

    Args:
        name, shape, A_plus, A_minus, eta, mu, pretrace_target, weight_init,
            g_conduct_factor, p_conn, w_bound, batch_size, optim_type, optim_params:
            as for :class:`TraceSTDPSynapse`.
        tau_elg: the eligibility time constant (0: M-STDP, no eligibility trace).
        elg_decay: the factor ``gamma_elg`` of the eligibility's decay.
        tau_w: the weight decay time constant (0: no decay).
        **kwargs: ``weight_mask`` and the arguments of :class:`DenseSynapse`.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.synapses import MSTDPETSynapse
        >>> from ngc_rules.initializers import constant
        >>> syn = MSTDPETSynapse("W", (2, 1), A_plus=0.1, A_minus=0.0,
        ...                      weight_init=constant(0.5))
        >>> syn.preTrace = np.array([[1., 0.]], np.float32)
        >>> syn.postSpike = np.array([[1.]], np.float32)
        >>> syn.modulator = np.array([[2.]], np.float32)
        >>> syn.evolve(1.0, 1.0)  # the update is proposed ...
        >>> syn.dWeights.astype(float).round(4).tolist(), syn.weights.tolist()
        ([[0.1], [0.0]], [[0.5], [0.5]])
        >>> syn.evolve(2.0, 1.0)  # ... and modulated into the weights a step later
        >>> syn.weights.astype(float).round(4).tolist()
        [[0.7], [0.5]]
    """

    _shown_fields = ("shape", "Aplus", "Aminus", "eta", "tau_elg", "optim_type")

    def __init__(self, name, shape, A_plus, A_minus, eta=1.0, mu=0.0, pretrace_target=0.0,
                 tau_elg=0.0, elg_decay=1.0, tau_w=0.0, weight_init=None,
                 g_conduct_factor=None, p_conn=1.0, w_bound=1.0, batch_size=1, *,
                 optim_type=None, optim_params=None, **kwargs):
        super().__init__(name, shape, A_plus, A_minus, eta=eta, mu=mu,
                         pretrace_target=pretrace_target, weight_init=weight_init,
                         g_conduct_factor=g_conduct_factor, p_conn=p_conn, w_bound=w_bound,
                         tau_w=tau_w, batch_size=batch_size, optim_type=optim_type,
                         optim_params=optim_params, **kwargs)
        self.tau_elg = _checks.at_least("tau_elg", tau_elg, 0.0)
        self.elg_decay = _checks.real("elg_decay", elg_decay)
        self.modulator = np.zeros((self.batch_size, 1), self.dtype)

    def reset(self):
        """Zero the signals, ``dWeights`` and ``eligibility``, and set ``outmask`` to ones;
        the weights, ``modulator`` and learning state stay."""
        super().reset()
        self._zero("eligibility", self.shape)
        self._zero("outmask", (1, self.shape[1]), fill=1)

    def _step(self, t, dt):
        signals = trace_signals(self)
        modulator = _plastic.compartment(self, "modulator", (1, 1))
        outmask = _plastic.compartment(self, "outmask", (1, self.shape[1]))
        weights, dweights, eligibility = _plastic.keep(
            self, weights=self.shape, dWeights=self.shape, eligibility=self.shape)
        # ngc-learn forms 1/tau_w and -dt/tau_elg in Python (float64, rounded once)
        decay, exponent = self._scalars(1.0 / self.tau_w if self.tau_w > 0 else 0.0,
                                        -dt / self.tau_elg if self.tau_elg > 0 else 0.0)
        scalars = (self.dtype.type(self.eta), decay, exponent,
                   self._reciprocal(self.tau_elg), self.dtype.type(self.elg_decay))
        _, low, high = self._bounds
        return lambda direction, before: _stdp_kernels.mstdpet_evolve(
            weights, dweights, eligibility, flat(self.mask), outmask, modulator, *signals,
            *self._trace_scalars(), *scalars, low, high, direction, before), decay
