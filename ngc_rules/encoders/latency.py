"""Latency (time-to-first-spike) codes, ngc-learn's ``LatencyCell``."""
import numpy as np

from .. import _component
from ..optim import _checks
from . import _kernels
from .bernoulli import Population

_LOG_EPS = 1e-7  # ngc-learn's eps of the logarithmic code: d >= threshold + eps


class LatencyCell(Population):
    """Each input fires one spike, the stronger the earlier, ngc-learn's ``LatencyCell``.

    :meth:`calc_spike_times` turns ``inputs`` into target spike times, linearly
    (``linearize=True``) or logarithmically (the default):

    .. math::
        T_i^{lin} = t_0 + \\min\\big(-\\tau (x_i - 1),\\; -\\tau (\\theta - 1)\\big), \\qquad
        T_i^{log} = t_0 + \\tau \\log \\frac{d_i}{d_i - \\theta}, \\quad
        d_i = \\max(x_i, \\theta + 10^{-7})

    with ``t0 = first_spike_time`` and ``theta = threshold``. With ``normalize`` the code
    spans ``[t0, num_steps - 1]``: the linear code uses ``tau = num_steps - 1 - t0``; the
    logarithmic code is stretched so that its latest spike falls at ``num_steps - 1``
    (over the whole batch). With ``clip_spikes``, ``clip_mask`` marks the inputs below
    ``threshold``, whose spikes are suppressed from ``outputs``.

    Every :meth:`advance_state` at time ``t`` then fires each unit whose target time,
    rounded to the nearest integer (halves to even), is ``<= t`` and that has not fired
    yet (``mask``): ``s = [round(T) <= t] (1 - mask)``; ``tols <- (1 - s) tols + s t``
    (clipped spikes too); ``outputs = s (1 - clip_mask)``; ``mask <- mask + (1 - mask) s``.
    The inputs are read only by :meth:`calc_spike_times`; call it after setting them.

    Compartments:
        inputs: ``(batch_size, n_units)``, the intensities to encode, typically in ``[0, 1]``.
        outputs: ``(batch_size, n_units)``, this step's spikes (0 or 1).
        tols: ``(batch_size, n_units)``, the time of each unit's last spike (0 before any).
        mask: ``(batch_size, n_units)``, 1 where the unit has fired.
        clip_mask: ``(batch_size, n_units)``, 1 where ``clip_spikes`` suppresses the spike.
        targ_sp_times: ``(batch_size, n_units)``, the target spike times.

    Args:
        name: the component's name (also its checkpoint's file name).
        n_units: the number of units.
        tau: the time constant of the code (> 0, ms).
        threshold: inputs below it fire last (logarithmic code: > 0).
        first_spike_time: the earliest spike time ``t0`` (ms).
        linearize: the linear code instead of the logarithmic one.
        normalize: make the code span ``[t0, num_steps - 1]`` (needs
            ``num_steps > t0 + 1``).
        clip_spikes: suppress the spikes of inputs below ``threshold``.
        num_steps: the number of simulation steps the normalized code spans.
        batch_size: the rows of the compartments (:meth:`reset` can change it).
        key: ngc-learn's PRNG key (an int or a JAX key), accepted and unused: the cell
            draws no random numbers.
        dtype: the compartments' dtype, float32 (default) or float64.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.encoders import LatencyCell
        >>> cell = LatencyCell("x", 4, tau=10.0, linearize=True)
        >>> cell
        LatencyCell(name='x', n_units=4, tau=10.0, threshold=0.01, linearize=True, normalize=False)
        >>> cell.inputs = np.array([[1.0, 0.75, 0.5, 0.0]], np.float32)
        >>> cell.calc_spike_times()
        >>> cell.targ_sp_times.tolist()  # tau (1 - x), at most tau (1 - threshold)
        [[0.0, 2.5, 5.0, 9.899999618530273]]
        >>> fired = []
        >>> for t in range(12):
        ...     cell.advance_state(t=float(t), dt=1.0)
        ...     fired += [(t, int(i)) for i in np.flatnonzero(cell.outputs[0])]
        >>> fired  # 2.5 rounds to 2 (halves go to even)
        [(0, 0), (2, 1), (5, 2), (10, 3)]
    """

    _shown_fields = ("n_units", "tau", "threshold", "linearize", "normalize")
    _zeroed = ("outputs", "tols", "mask", "clip_mask", "targ_sp_times")

    def __init__(self, name, n_units, tau=1.0, threshold=0.01, first_spike_time=0.0,
                 linearize=False, normalize=False, clip_spikes=False, num_steps=1.0,
                 batch_size=1, key=None, *, dtype=np.float32, **kwargs):
        self._refuse_unknown(kwargs)
        _component.seed_from(key=key)  # checked like a drawing cell's key, then unused
        super().__init__(name, n_units, batch_size, dtype)
        label = self._label
        self.tau = _checks.positive(label("tau"), tau)
        self.threshold = _checks.real(label("threshold"), threshold)
        self.first_spike_time = _checks.real(label("first_spike_time"), first_spike_time)
        self.num_steps = _checks.real(label("num_steps"), num_steps)
        self.linearize, self.normalize = bool(linearize), bool(normalize)
        self.clip_spikes = bool(clip_spikes)
        if not self.linearize and self.threshold <= 0:
            raise ValueError(f"{label('threshold')} must be > 0 for the logarithmic code "
                             f"(linearize=False), got {self.threshold}")
        if self.normalize and self.num_steps - 1 - self.first_spike_time <= 0:
            raise ValueError(f"{label('num_steps')} must exceed first_spike_time + 1 to "
                             f"normalize the code, got num_steps={self.num_steps}, "
                             f"first_spike_time={self.first_spike_time}")

    def calc_spike_times(self):
        """Compute ``targ_sp_times`` (and ``clip_mask``) from ``inputs``."""
        inputs = self._input_view()
        targ_sp_times, clip_mask = self._state_views("targ_sp_times", "clip_mask")
        number = self.dtype.type
        _kernels.latency_spike_times(
            inputs, targ_sp_times, clip_mask, self.linearize, self.normalize,
            self.clip_spikes, number(self.tau), number(self.threshold),
            number(self.first_spike_time), number(_LOG_EPS), number(self.num_steps))

    def advance_state(self, *times, t=None, dt=None):
        """Emit the spikes due at time ``t`` (default 0). Takes ``(dt)`` or ``(t, dt)``,
        positionally or by keyword; ``dt`` is unused: the times are absolute."""
        t, _ = _component.step_time(times, t, dt)
        views = self._state_views("targ_sp_times", "mask", "clip_mask", "tols", "outputs")
        _kernels.latency_spikes(*views, self.dtype.type(t))
