"""Izhikevich neurons, ngc-learn's ``IzhikevichCell``."""
import numpy as np

from .. import _component
from . import _spiking
from ._spiking_cell import SpikingCell


class IzhikevichCell(SpikingCell):
    """Izhikevich's two-variable neurons (Izhikevich, 2003), with ``a = 1/tau_w``,
    ``b = coupling_factor``, ``c = v_reset``, ``d = w_reset``.

    .. math::
        \\tau_m \\frac{dv}{dt} &= 0.04 v^2 + 5 v + 140 - w + R\\, j \\\\
        \\tau_w \\frac{dw}{dt} &= b\\, v - w

    One :meth:`advance_state` at time ``t`` first decides the spikes from the pre-step
    ``v`` (``v > v_thr``), then integrates ``v`` (with the pre-step ``w``) and ``w``
    (with the pre-step ``v``) over ``dt``; a spiking unit gets ``v = v_reset``,
    ``w = w_pre + w_reset`` and ``tols = t``. So the recorded ``v`` can exceed ``v_thr``
    for one step: the spike follows it.

    Compartments (``(batch_size, n_units)`` arrays of ``dtype``):
        j: the input current (set it before each step).
        v: the membrane potential; starts at ``v0``.
        w: the recovery variable; starts at ``w0``.
        s: the spikes emitted (0/1).
        tols: the time of the last spike (0 before any).

    Args:
        name: the cell's name (also its checkpoint's file name).
        n_units: the number of neurons.
        tau_m: the membrane time constant (> 0).
        resist_m: the membrane resistance ``R`` (> 0).
        v_thr: the spike threshold (mV).
        v_reset: ``c``, the potential after a spike (mV).
        tau_w: ``1/a``, the recovery time constant (> 0).
        w_reset: ``d``, the jump of ``w`` at a spike.
        coupling_factor: ``b``, the coupling of ``w`` to ``v``.
        v0: the initial (and reset) ``v``.
        w0: the initial (and reset) ``w``.
        integration_type: "euler" (or "rk1"), or "midpoint" (or "rk2").
        batch_size: the rows of the compartments (:meth:`reset` changes it).
        dtype: the compartments' dtype, float32 (default) or float64.
        key: ngc-learn's PRNG key, accepted and unused: the cell draws nothing.

    Example:
        >>> from ngc_rules.neurons import IzhikevichCell
        >>> cell = IzhikevichCell("i", 2)  # regular spiking
        >>> cell
        IzhikevichCell(name='i', n_units=2, tau_m=1.0, tau_w=50.0)
        >>> count = 0
        >>> for k in range(200):
        ...     cell.j[...] = [0.0, 10.0]
        ...     cell.advance_state(t=k * 0.5, dt=0.5)
        ...     count += cell.s
        >>> count.tolist(), float(cell.tols[0, 1])
        ([[0.0, 3.0]], 71.0)
    """

    _compartments = ("j", "v", "w", "s", "tols")
    _hyperparameters = ("tau_m", "resist_m", "v_thr", "v_reset", "tau_w", "w_reset",
                        "coupling_factor", "v0", "w0", "integration_type")
    _shown_fields = ("n_units", "tau_m", "tau_w")
    kernel = staticmethod(_spiking.izhikevich_step)

    def __init__(self, name, n_units, tau_m=1.0, resist_m=1.0, v_thr=30.0, v_reset=-65.0,
                 tau_w=50.0, w_reset=8.0, coupling_factor=0.2, v0=-65.0, w0=-14.0,
                 integration_type="euler", batch_size=1, dtype=np.float32, *, key=None,
                 **kwargs):
        self._refuse_unknown(kwargs)
        _component.seed_from(key=key)  # checked like a synapse's key, then unused
        self._setup(name, n_units, batch_size, dtype)
        self.tau_m, self.resist_m, self.v_thr, self.v_reset = tau_m, resist_m, v_thr, v_reset
        self.tau_w, self.w_reset, self.coupling_factor = tau_w, w_reset, coupling_factor
        self.v0, self.w0, self.integration_type = v0, w0, integration_type
        self._scalars(1.0)
        self.reset()

    def _step_scalars(self, dt):
        number = self._number
        return (number("resist_m", 0.0, above=True), self._inverse("tau_m"),
                self._inverse("tau_w"), number("coupling_factor"), number("v_thr"),
                number("v_reset"), number("w_reset"), self._midpoint())

    def _resting(self):
        return {"v": self._number("v0"), "w": self._number("w0")}
