"""A synapse learning by the BCM rule, ngc-learn's ``BCMSynapse``."""
import numpy as np

from .._views import flat
from ..optim import _checks
from . import _plastic, _stdp_kernels


class BCMSynapse(_plastic.PlasticSynapse):
    """A dense synapse learning by Bienenstock-Cooper-Munro theory (1982), with a sliding
    modification threshold ``theta`` integrated as a leaky ODE.

    From the pre-synaptic signal ``x`` and post-synaptic signal ``y`` (rates),
    :meth:`evolve` computes, in this order,

    .. math::
        p &= y \\odot (y - \\theta) \\odot \\frac{1}{\\theta + 10^{-7}}
            \\qquad (\\text{post\\_term}) \\\\
        \\Delta W &= x^\\top p \\odot (w_b - |W|) - W w_{decay}
            \\qquad (\\text{the bound only when } w_b > 0) \\\\
        W &\\leftarrow W + \\Delta W \\, \\Delta t / \\tau_w \\\\
        \\theta &\\leftarrow \\theta + (\\langle y^2 \\rangle_{batch} - \\theta)\\,
            \\Delta t / \\tau_\\theta

    (``x^T p`` sums over the batch), then the weights times ``mask``; ``dWeights = dW``.
    The weights are not clipped, and :meth:`reset` keeps ``theta`` (both as in ngc-learn).
    BCM has no learning rate: with ``optim_type`` the rule takes the Euler step
    ``dt/tau_w * dW`` as its ascent direction, ``W <- rule(W; -dW dt / tau_w)``, with
    ``eta`` 1 unless ``optim_params`` gives one (``"sgd"`` then gives the bits of the
    default).

    Compartments:
        inputs, outputs, weights, mask, dWeights, opt_params: as for
            :class:`TraceSTDPSynapse`.
        pre: ``(batch, shape[0])``, the pre-synaptic signal ``x``.
        post: ``(batch, shape[1])``, the post-synaptic signal ``y``.
        theta: ``(batch_size, shape[1])`` (or one row), the modification thresholds;
            saved with the weights.
        post_term: ``(batch, shape[1])``, the last ``p``.

    Args:
        name, shape, weight_init, g_conduct_factor, p_conn, batch_size, optim_type,
            optim_params: as for :class:`TraceSTDPSynapse`.
        tau_w: the weights' time constant (> 0).
        tau_theta: the thresholds' time constant (> 0).
        theta0: the thresholds' initial value.
        w_bound: the soft bound of the update (0: none).
        w_decay: the weight decay factor.
        **kwargs: the arguments of :class:`DenseSynapse` (``seed``, ``dtype``, ...).

    Example:
        >>> import numpy as np
        >>> from ngc_rules.synapses import BCMSynapse
        >>> from ngc_rules.initializers import constant
        >>> syn = BCMSynapse("W", (1, 1), tau_w=10.0, tau_theta=2.0, theta0=1.0,
        ...                  weight_init=constant(0.5))
        >>> syn.pre = np.array([[1.]], np.float32)
        >>> syn.post = np.array([[2.]], np.float32)
        >>> syn.evolve(1.0, 1.0)
        >>> round(float(syn.dWeights[0, 0]), 4), syn.theta.tolist()  # 2*(2-1)/1; 1+(4-1)/2
        (2.0, [[2.5]])
    """

    _signals = {"pre": 0, "post": 1, "post_term": 1}
    _kept = ("theta",)
    _shown_fields = ("shape", "tau_w", "tau_theta", "theta0", "optim_type")

    def __init__(self, name, shape, tau_w, tau_theta, theta0=-1.0, w_bound=0.0, w_decay=0.0,
                 weight_init=None, g_conduct_factor=None, p_conn=1.0, batch_size=1, *,
                 optim_type=None, optim_params=None, **kwargs):
        super().__init__(name, shape, weight_init, g_conduct_factor, p_conn, batch_size, None,
                         optim_type, optim_params, None, **kwargs)
        self.tau_w = _checks.positive("tau_w", tau_w)
        self.tau_theta = _checks.positive("tau_theta", tau_theta)
        self.theta0 = _checks.real("theta0", theta0)
        self.w_bound = _checks.real("w_bound", w_bound)
        self.w_decay = _checks.real("w_decay", w_decay)
        self.theta = np.full((self.batch_size, self.shape[1]), self.theta0, self.dtype)

    def _step(self, t, dt):
        n_pre, n_post = self.shape
        pre = _plastic.compartment(self, "pre", (None, n_pre))
        rows = pre.shape[0]
        post = _plastic.compartment(self, "post", (rows, n_post))
        theta_rows = np.shape(self.theta)[0] if np.ndim(self.theta) == 2 else None
        theta_shape = (theta_rows if theta_rows in (1, rows) else rows, n_post)
        weights, dweights, theta = _plastic.keep(self, weights=self.shape,
                                                 dWeights=self.shape, theta=theta_shape)
        post_term = _plastic.output(self, "post_term", (rows, n_post))
        scalars = (*self._scalars(self.w_bound, self.w_decay, dt),
                   self._reciprocal(self.tau_w), self._reciprocal(self.tau_theta))
        return lambda direction, before: _stdp_kernels.bcm_evolve(
            weights, dweights, flat(self.mask), pre, post, theta, post_term, *scalars,
            direction), 0
