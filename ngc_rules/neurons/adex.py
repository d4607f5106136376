"""Adaptive exponential integrate-and-fire neurons, ngc-learn's ``AdExCell``."""
import numpy as np

from .. import _component
from . import _spiking
from ._spiking_cell import SpikingCell


class AdExCell(SpikingCell):
    """Adaptive exponential integrate-and-fire neurons (Brette and Gerstner, 2005).

    .. math::
        \\tau_m \\frac{dv}{dt} &= -(v - v_{rest}) + \\Delta\\,
            e^{(v - v_T)/\\Delta} - R\\, w + R\\, j \\\\
        \\tau_w \\frac{dw}{dt} &= -w + a\\, (v - v_{rest})

    One :meth:`advance_state` at time ``t`` integrates ``v`` (with the pre-step ``w``)
    and ``w`` (with the pre-step ``v``) over ``dt``; where ``v > thr`` the unit spikes:
    ``v = v_reset``, ``w = w + b`` and ``tols = t``. No refractory period.

    Compartments (``(batch_size, n_units)`` arrays of ``dtype``):
        j: the input current (set it before each step).
        v: the membrane potential; starts at ``v0``.
        w: the adaptation (recovery) current; starts at ``w0``.
        s: the spikes emitted (0/1).
        tols: the time of the last spike (0 before any).

    Args:
        name: the cell's name (also its checkpoint's file name).
        n_units: the number of neurons.
        tau_m: the membrane time constant (> 0).
        resist_m: the membrane resistance ``R`` (> 0).
        tau_w: the adaptation time constant (> 0).
        v_sharpness: the slope factor ``Delta`` (> 0).
        intrinsic_mem_thr: the intrinsic threshold ``v_T`` (mV).
        thr: the spike threshold (mV; ngc-learn's old name ``v_thr`` is accepted too).
        v_rest: the resting potential (mV).
        v_reset: the potential after a spike (mV).
        a: the coupling of ``w`` to ``v``.
        b: the jump of ``w`` at a spike.
        v0: the initial (and reset) ``v``.
        w0: the initial (and reset) ``w``.
        integration_type: "euler" (or "rk1"), or "midpoint" (or "rk2").
        batch_size: the rows of the compartments (:meth:`reset` changes it).
        dtype: the compartments' dtype, float32 (default) or float64.
        key: ngc-learn's PRNG key, accepted and unused: the cell draws nothing.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.neurons import AdExCell
        >>> cell = AdExCell("a", 2)
        >>> cell
        AdExCell(name='a', n_units=2, tau_m=15.0, tau_w=400.0)
        >>> for k in range(60):
        ...     cell.j[...] = [0.0, 25.0]
        ...     cell.advance_state(t=float(k), dt=1.0)
        >>> float(cell.tols[0, 1]), np.round(cell.w.astype(float), 3).tolist()
        (53.0, [[0.007, 1.61]])
    """

    _compartments = ("j", "v", "w", "s", "tols")
    _hyperparameters = ("tau_m", "resist_m", "tau_w", "v_sharpness", "intrinsic_mem_thr",
                        "thr", "v_rest", "v_reset", "a", "b", "v0", "w0", "integration_type")
    _shown_fields = ("n_units", "tau_m", "tau_w")
    kernel = staticmethod(_spiking.adex_step)

    def __init__(self, name, n_units, tau_m=15.0, resist_m=1.0, tau_w=400.0, v_sharpness=2.0,
                 intrinsic_mem_thr=-55.0, thr=5.0, v_rest=-72.0, v_reset=-75.0, a=0.1,
                 b=0.75, v0=-70.0, w0=0.0, integration_type="euler", batch_size=1,
                 dtype=np.float32, *, key=None, v_thr=None, **kwargs):
        self._refuse_unknown(kwargs)
        _component.seed_from(key=key)  # checked like a synapse's key, then unused
        if v_thr is not None:
            if thr != 5.0:
                raise TypeError(f"give thr or v_thr, not both; got thr={thr!r}, "
                                f"v_thr={v_thr!r}")
            thr = v_thr
        self._setup(name, n_units, batch_size, dtype)
        self.tau_m, self.resist_m, self.tau_w = tau_m, resist_m, tau_w
        self.v_sharpness, self.intrinsic_mem_thr, self.thr = v_sharpness, intrinsic_mem_thr, thr
        self.v_rest, self.v_reset, self.a, self.b = v_rest, v_reset, a, b
        self.v0, self.w0, self.integration_type = v0, w0, integration_type
        self._scalars(1.0)
        self.reset()

    def _step_scalars(self, dt):
        number = self._number
        return (number("resist_m", 0.0, above=True), self._inverse("tau_m"),
                self._inverse("tau_w"), number("v_sharpness", 0.0, above=True),
                self._inverse("v_sharpness"), number("intrinsic_mem_thr"), number("thr"),
                number("v_rest"), number("v_reset"), number("a"), number("b"),
                self._midpoint())

    def _resting(self):
        return {"v": self._number("v0"), "w": self._number("w0")}
