"""A synapse learning by event-driven STDP, ngc-learn's ``EventSTDPSynapse``."""
from .._views import flat
from ..optim import _checks
from . import _plastic, _stdp_kernels

_LOW = 0.01  # ngc-learn's smallest weight after a step


class EventSTDPSynapse(_plastic.PlasticSynapse):
    """A dense synapse learning by event-driven, post-synaptic STDP (Tavanaei, Masquelier
    and Maida 2018, a generalization of their equation 18), one sample at a time.

    A pre-synaptic unit counts as having spiked when its time of last spike ``t_pre`` is
    > 0 (0: no spike yet) and falls in the window ``(t - presyn_win_len, t]`` (when
    ``presyn_win_len > 0``; else ``t_pre == t``). At each post-synaptic spike,
    :meth:`evolve` moves every weight onto that unit:

    .. math::
        \\Delta W_{ij} &= s_{post,j} \\cdot \\begin{cases}
            A_+ \\big(w_b - W_{ij}(1 + \\lambda)\\big) & \\text{pre } i \\text{ spiked} \\\\
            A_- \\big(-W_{ij}(1 + \\lambda)\\big) & \\text{else} \\end{cases} \\\\
        W &\\leftarrow \\text{clip}(W + \\eta\\, \\Delta W,\\ 0.01,\\ w_b) \\odot \\text{mask}

    ``dWeights = dW``, from the weights before the step. With ``optim_type`` the rule takes
    the step instead: ``W <- rule(W; -dW)``, then the clip and mask. :meth:`evolve` needs
    the time: ``evolve(t, dt)`` or ``evolve(t=..., dt=...)``.

    Compartments:
        inputs, outputs, weights, mask, dWeights, opt_params: as for
            :class:`TraceSTDPSynapse`.
        pre_tols: ``(1, shape[0])``, the pre-synaptic times of last spike.
        postSpike: ``(1, shape[1])``, the post-synaptic spikes (0/1).

    Args:
        name, shape, eta, weight_init, g_conduct_factor, p_conn, optim_type,
            optim_params: as for :class:`TraceSTDPSynapse`.
        lmbda: ``lambda``, how far the weights are pulled below their bound.
        A_plus, A_minus: the strengths of potentiation and depression.
        presyn_win_len: how far back a pre-synaptic spike counts (>= 0; 0: this step).
        w_bound: the largest weight (at least 0.01).
        batch_size: the rows of the initial signals; a step takes one sample.
        **kwargs: the arguments of :class:`DenseSynapse` (``seed``, ``dtype``, ...).

    Example:
        >>> import numpy as np
        >>> from ngc_rules.synapses import EventSTDPSynapse
        >>> from ngc_rules.initializers import constant
        >>> syn = EventSTDPSynapse("W", (2, 1), eta=0.5, lmbda=0.0,
        ...                        weight_init=constant(0.5))
        >>> syn.pre_tols = np.array([[4., 1.]], np.float32)  # unit 0 fired within 2 ms
        >>> syn.postSpike = np.array([[1.]], np.float32)
        >>> syn.evolve(t=5.0, dt=1.0)
        >>> syn.weights.tolist()  # 0.5 + 0.5 * (1 - 0.5), 0.5 + 0.5 * -0.5
        [[0.75], [0.25]]
    """

    _signals = {"pre_tols": 0, "postSpike": 1}
    _shown_fields = ("shape", "eta", "lmbda", "presyn_win_len", "optim_type")

    def __init__(self, name, shape, eta, lmbda=0.01, A_plus=1.0, A_minus=1.0,
                 presyn_win_len=2.0, w_bound=1.0, weight_init=None, g_conduct_factor=None,
                 p_conn=1.0, batch_size=1, *, optim_type=None, optim_params=None, **kwargs):
        self.w_bound = _checks.real("w_bound", w_bound)
        super().__init__(name, shape, weight_init, g_conduct_factor, p_conn, batch_size, eta,
                         optim_type, optim_params, (_LOW, self.w_bound), **kwargs)
        self.lmbda = _checks.real("lmbda", lmbda)
        self.Aplus = _checks.real("A_plus", A_plus)
        self.Aminus = _checks.real("A_minus", A_minus)
        self.presyn_win_len = _checks.at_least("presyn_win_len", presyn_win_len, 0.0)

    def evolve(self, *times, t=None, dt=None):
        """One learning step at time ``t``: ``evolve(t, dt)`` or ``evolve(t=..., dt=...)``
        (``dt`` defaults to 1 and is unused); every compartment is checked before any
        changes."""
        if t is None and len(times) < 2:
            raise TypeError(f"{type(self).__name__} {self.name!r}: evolve needs the time: "
                            f"evolve(t, dt) or evolve(t=..., dt=...), got positional "
                            f"{times}")
        super().evolve(*times, t=t, dt=dt)

    def _step(self, t, dt):
        n_pre, n_post = self.shape
        pre_tols = _plastic.compartment(self, "pre_tols", (1, n_pre))
        post_spike = _plastic.spikes(self, "postSpike", (1, n_post))
        weights, dweights = _plastic.keep(self, weights=self.shape, dWeights=self.shape)
        window = self.presyn_win_len > 0
        since, t, factor, w_bound, a_plus, a_minus, eta = self._scalars(
            t - self.presyn_win_len, t, 1.0 + self.lmbda, self.w_bound, self.Aplus,
            self.Aminus, self.eta)
        _, low, high = self._bounds
        return lambda direction, before: _stdp_kernels.event_stdp_evolve(
            weights, dweights, flat(self.mask), pre_tols, post_spike, window, since, t,
            factor, w_bound, a_plus, factor * a_minus, eta, low, high, direction), 0
