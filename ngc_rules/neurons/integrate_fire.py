"""Integrate-and-fire neurons, ngc-learn's ``IFCell``."""
import numpy as np

from .. import _component
from . import _spiking
from ._spiking_cell import SpikingCell


class IFCell(SpikingCell):
    """Integrate-and-fire neurons: no leak, a fixed threshold.

    .. math::
        \\tau_m \\frac{dv}{dt} = R\\, j \\cdot [\\text{rfr} \\ge T_{refract}]

    One :meth:`advance_state` at time ``t`` does, per unit: integrate ``v`` over ``dt``
    (the input masked while ``rfr < refract_time``); spike where ``v > thr``; ``rfr = 0``
    where it spiked, else ``rfr + dt``; ``v = v_reset`` and ``tols = t`` where it
    spiked; then, with ``lower_clamp_voltage``, ``v = max(v, v_rest)``.

    Compartments (``(batch_size, n_units)`` arrays of ``dtype``):
        j: the input current (set it before each step).
        v: the membrane potential; starts at ``v_rest``.
        s: the spikes emitted (0/1).
        rfr: the time since the last spike; starts at ``refract_time``.
        tols: the time of the last spike (0 before any).

    Args:
        name: the cell's name (also its checkpoint's file name).
        n_units: the number of neurons.
        tau_m: the membrane time constant (> 0).
        resist_m: the membrane resistance ``R`` (> 0).
        thr: the threshold (mV).
        v_rest: the resting potential (mV).
        v_reset: the potential after a spike (mV).
        refract_time: the refractory period (>= 0).
        integration_type: "euler" (or "rk1"), or "midpoint" (or "rk2").
        surrogate_type: accepted as "straight_through", ngc-learn's default.
        lower_clamp_voltage: keep ``v >= v_rest`` after each step.
        batch_size: the rows of the compartments (:meth:`reset` changes it).
        dtype: the compartments' dtype, float32 (default) or float64.
        key: ngc-learn's PRNG key, accepted and unused: the cell draws nothing.
        thr_jitter: accepted as 0 (ngc-learn 3.2.1 ignores it).

    Example:
        >>> from ngc_rules.neurons import IFCell
        >>> cell = IFCell("f", 2, tau_m=5.0)
        >>> cell
        IFCell(name='f', n_units=2, tau_m=5.0, thr=-52.0)
        >>> for k in range(10):
        ...     cell.j[...] = [-3.0, 10.0]
        ...     cell.advance_state(t=float(k), dt=1.0)
        >>> cell.v.tolist(), float(cell.tols[0, 1])  # v_rest bounds the first unit
        ([[-65.0, -54.0]], 6.0)
    """

    _compartments = ("j", "v", "s", "rfr", "tols")
    _hyperparameters = ("tau_m", "resist_m", "thr", "v_rest", "v_reset", "refract_time",
                        "integration_type", "lower_clamp_voltage")
    _shown_fields = ("n_units", "tau_m", "thr")
    _fixed = {"surrogate_type": "straight_through", "thr_jitter": 0.0}
    kernel = staticmethod(_spiking.if_step)

    def __init__(self, name, n_units, tau_m, resist_m=1.0, thr=-52.0, v_rest=-65.0,
                 v_reset=-60.0, refract_time=0.0, integration_type="euler",
                 surrogate_type="straight_through", lower_clamp_voltage=True, batch_size=1,
                 dtype=np.float32, *, key=None, **kwargs):
        self._refuse_unknown({"surrogate_type": surrogate_type, **kwargs})
        _component.seed_from(key=key)  # checked like a synapse's key, then unused
        self._setup(name, n_units, batch_size, dtype)
        self.tau_m, self.resist_m, self.thr = tau_m, resist_m, thr
        self.v_rest, self.v_reset, self.refract_time = v_rest, v_reset, refract_time
        self.integration_type = integration_type
        self.lower_clamp_voltage = lower_clamp_voltage
        self._scalars(1.0)
        self.reset()

    def _step_scalars(self, dt):
        number = self._number
        return (number("resist_m", 0.0, above=True), number("thr"), number("v_rest"),
                number("v_reset"), self._inverse("tau_m"), number("refract_time", 0.0),
                self._flag("lower_clamp_voltage"), self._midpoint())

    def _resting(self):
        return {"v": self.v_rest, "rfr": self.refract_time}
