"""A variable trace (low-pass filter of pulses), ngc-learn's ``VarTrace``."""
import math

import numpy as np

from .. import _component
from ..encoders.bernoulli import Population
from ..optim import _checks
from . import _kernels

def _decay_kind(label, decay_type):
    """"exp" or "lin" where ``decay_type`` contains it (as ngc-learn matches them, "exp"
    first), or "step"; anything else is refused."""
    if isinstance(decay_type, str):
        if "exp" in decay_type:
            return "exp"
        if "lin" in decay_type:
            return "lin"
        if decay_type == "step":
            return "step"
    raise ValueError(f"{label} must be 'exp', 'lin' or 'step' (or a name containing 'exp' "
                     f"or 'lin'), got {decay_type!r}")


class VarTrace(Population):
    """A trace that jumps at each input pulse and decays between them, ngc-learn's
    ``VarTrace``.

    Every :meth:`advance_state` (step ``dt``) first decays the trace ``z`` by

    .. math::
        \\delta = \\gamma \\cdot \\begin{cases} e^{-dt/\\tau_{tr}} & \\text{exp} \\\\
        1 - dt/\\tau_{tr} & \\text{lin} \\\\ 0 & \\text{step} \\end{cases}

    then adds the input ``x``:

    .. math::
        z \\leftarrow \\begin{cases}
        \\delta z + x\\,(a_\\Delta - z / k) & k > 0 \\text{ (nearest-spike trace)} \\\\
        \\delta z + x\\, a_\\Delta & a_\\Delta > 0 \\text{ (additive)} \\\\
        \\delta z\\,(1 - x) + x\\, P & \\text{otherwise (gated: a pulse sets } z = P)
        \\end{cases}

    with ``k = n_nearest_spikes``, ``P = P_scale``; ``outputs`` is the new trace. ``z / k``
    uses the trace before the decay. In float32, ``delta`` is formed in float32 and the
    final multiply-add rounds once, as ngc-learn (XLA) computes it.

    Compartments:
        inputs: ``(batch_size, n_units)``, the pulses (spikes) or signal to filter.
        trace: ``(batch_size, n_units)``, the trace ``z``.
        outputs: ``(batch_size, n_units)``, the trace after the step (same as ``trace``).

    Args:
        name: the component's name (also its checkpoint's file name).
        n_units: the number of units.
        tau_tr: the trace's time constant (> 0, same unit as ``dt``).
        a_delta: the jump per unit of input; ``<= 0`` makes the trace gated.
        P_scale: the value a pulse sets a gated trace to (used when ``a_delta <= 0``).
        gamma_tr: an extra factor of the decay.
        decay_type: "exp", "lin" or "step"; as in ngc-learn, a name containing "exp" (checked
            first) or "lin" selects that decay.
        n_nearest_spikes: ``k``; ``k > 0`` makes a nearest-spike trace (``k = 1``: the trace
            jumps to ``a_delta`` at a spike).
        batch_size: the rows of the compartments (:meth:`reset` can change it).
        key: ngc-learn's PRNG key (an int or a JAX key), accepted and unused: the trace
            draws no random numbers.
        dtype: the compartments' dtype, float32 (default) or float64.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.traces import VarTrace
        >>> tr = VarTrace("tr", 2, tau_tr=10.0, a_delta=1.0)
        >>> tr
        VarTrace(name='tr', n_units=2, tau_tr=10.0, a_delta=1.0, decay_type='exp')
        >>> tr.inputs = np.array([[1.0, 0.0]], np.float32)
        >>> tr.advance_state(dt=1.0)
        >>> tr.trace.tolist()
        [[1.0, 0.0]]
        >>> tr.inputs = np.zeros((1, 2), np.float32)
        >>> for _ in range(10):
        ...     tr.advance_state(dt=1.0)
        >>> print(tr.trace.round(6))  # exp(-10 / 10)
        [[0.367879 0.      ]]
    """

    _shown_fields = ("n_units", "tau_tr", "a_delta", "decay_type")
    _zeroed = ("outputs", "trace")

    def __init__(self, name, n_units, tau_tr, a_delta, P_scale=1.0, gamma_tr=1,
                 decay_type="exp", n_nearest_spikes=0, batch_size=1, key=None, *,
                 dtype=np.float32):
        _component.seed_from(key=key)  # checked like a drawing cell's key, then unused
        super().__init__(name, n_units, batch_size, dtype)
        label = self._label
        self.tau_tr = _checks.positive(label("tau_tr"), tau_tr)
        self.a_delta = _checks.real(label("a_delta"), a_delta)
        self.P_scale = _checks.real(label("P_scale"), P_scale)
        self.gamma_tr = _checks.real(label("gamma_tr"), gamma_tr)
        self._decay = _decay_kind(label("decay_type"), decay_type)
        self.decay_type = decay_type
        self.n_nearest_spikes = _checks.whole_number(label("n_nearest_spikes"),
                                                     n_nearest_spikes, 0)

    def _step_scalars(self, dt):
        """The kernel's scalars after the arrays, for a step of length ``dt``: ``decay``
        (``gamma_tr`` times the decay factor, in the dtype), ``a_delta``, ``P_scale``,
        ``n_nearest_spikes``."""
        number = self.dtype.type
        if self._decay == "exp":  # exp of the rounded exponent, in float64, rounded once
            factor = number(math.exp(number(-dt / self.tau_tr)))
        elif self._decay == "lin":
            factor = number(1.0 - dt / self.tau_tr)
        else:
            factor = number(0.0)
        return (number(number(self.gamma_tr) * factor), number(self.a_delta),
                number(self.P_scale), number(self.n_nearest_spikes))

    def advance_state(self, *times, t=None, dt=None):
        """Decay the trace over ``dt`` (default 1) and add this step's ``inputs``. Takes
        ``(dt)`` or ``(t, dt)``, positionally or by keyword; ``t`` is unused."""
        _, dt = _component.step_time(times, t, dt)
        inputs = self._input_view()
        trace, outputs = self._state_views("trace", "outputs")
        _kernels.var_trace_step(inputs, trace, outputs, *self._step_scalars(dt))
