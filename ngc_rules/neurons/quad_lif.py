"""Quadratic leaky integrate-and-fire neurons, ngc-learn's ``QuadLIFCell``."""
import numpy as np

from .lif import LIFCell


class QuadLIFCell(LIFCell):
    """Leaky integrate-and-fire neurons with a quadratic membrane term.

    .. math::
        \\tau_m \\frac{dv}{dt} = a_0 (v_{rest} - v)(v - v_c) + R\\, j \\cdot
        [\\text{rfr} \\ge T_{refract}]

    Everything else (refractory period, spikes, adaptive threshold, ``one_spike`` and
    ``max_one_spike``, ``v_min``, ``reset``) is :class:`~ngc_rules.neurons.LIFCell`'s.
    As in ngc-learn 3.2.1, ``v_scale`` is the critical voltage ``v_c`` and
    ``critical_v`` the scale ``a0``.

    Compartments:
        j, v, s, s_raw, rfr, thr_theta, tols, key: as for
            :class:`~ngc_rules.neurons.LIFCell`.

    Args:
        name, n_units, tau_m, resist_m, thr, v_rest, v_reset, tau_theta, theta_plus,
            refract_time, one_spike, integration_type, surrogate_type, v_min,
            max_one_spike, key, batch_size, dtype, seed, thr_jitter, lower_clamp_voltage:
            as for :class:`~ngc_rules.neurons.LIFCell`.
        v_scale: the critical voltage ``v_c`` (mV) above which ``v`` grows by itself.
        critical_v: the scale ``a0`` of the quadratic term (ngc-learn's old name
            ``critical_V`` is accepted too).

    Example:
        >>> import numpy as np
        >>> from ngc_rules.neurons import QuadLIFCell
        >>> cell = QuadLIFCell("q", 2, tau_m=10.0, critical_v=0.02, tau_theta=0.0)
        >>> cell
        QuadLIFCell(name='q', n_units=2, tau_m=10.0, integration_type='euler')
        >>> for k in range(12):
        ...     cell.j[...] = [0.0, 20.0]
        ...     cell.advance_state(t=float(k), dt=1.0)
        >>> np.round(cell.v.astype(float), 3).tolist(), float(cell.tols[0, 1])
        ([[-65.0, -59.032]], 6.0)
    """

    _hyperparameters = LIFCell._hyperparameters + ("v_scale", "critical_v")

    def __init__(self, name, n_units, tau_m, resist_m=1.0, thr=-52.0, v_rest=-65.0,
                 v_reset=-60.0, v_scale=-41.6, critical_v=1.0, tau_theta=1e7,
                 theta_plus=0.05, refract_time=5.0, one_spike=False,
                 integration_type="euler", surrogate_type="straight_through", v_min=None,
                 batch_size=1, dtype=np.float32, *, max_one_spike=False, key=None,
                 seed=None, thr_jitter=0.0, lower_clamp_voltage=False, critical_V=None,
                 **kwargs):
        if critical_V is not None:
            if critical_v != 1.0:
                raise TypeError(f"give critical_v or critical_V, not both; got "
                                f"critical_v={critical_v!r}, critical_V={critical_V!r}")
            critical_v = critical_V
        self.v_scale, self.critical_v = v_scale, critical_v
        super().__init__(name, n_units, tau_m, resist_m, thr, v_rest, v_reset, 1.0,
                         tau_theta, theta_plus, refract_time, one_spike, integration_type,
                         surrogate_type, v_min, max_one_spike, key, batch_size, dtype,
                         seed=seed, thr_jitter=thr_jitter,
                         lower_clamp_voltage=lower_clamp_voltage, **kwargs)

    def _leak(self):
        """``(g_leak, quadratic, v_c, a0)`` of the kernel: the quadratic term."""
        return (self.dtype.type(1), True, self._number("v_scale"),
                self._number("critical_v"))
