"""Leaky integrate-and-fire neurons, ngc-learn's ``LIFCell``."""
import math
import numbers

import numpy as np

from .. import _component, _random
from . import _spiking
from ._spiking_cell import SpikingCell


class LIFCell(SpikingCell):
    """Leaky integrate-and-fire neurons with an optional adaptive threshold.

    .. math::
        \\tau_m \\frac{dv}{dt} = (v_{rest} - v)\\, g_L + R\\, j \\cdot
        [\\text{rfr} \\ge T_{refract}]

    One :meth:`advance_state` at time ``t`` does, per unit, in ngc-learn's order:

    1. integrate ``v`` over ``dt`` (Euler, or the midpoint method), the input masked
       while the cell is refractory (``rfr < refract_time``);
    2. spike where ``v > thr + thr_theta`` (the pre-step ``thr_theta``): ``s_raw``;
    3. ``rfr = 0`` where it spiked, else ``rfr + dt``; ``v = v_reset`` where it spiked;
    4. keep at most one spike per row in ``s`` (``max_one_spike``: the unit with the
       largest pre-step ``v``, if it spiked; ``one_spike``: one spiking unit drawn at
       random), else ``s = s_raw``;
    5. when ``tau_theta > 0``:
       :math:`\\theta \\leftarrow \\theta\\, e^{-dt/\\tau_\\theta} + \\theta_+ s_{raw}`;
    6. ``tols = t`` where ``s`` spiked; ``v = max(v, v_min)`` when ``v_min`` is set.

    Compartments (``(batch_size, n_units)`` arrays of ``dtype``):
        j: the input current (set it before each step).
        v: the membrane potential; starts at ``v_rest``.
        s: the spikes emitted (0/1).
        s_raw: every threshold crossing, before ``one_spike``/``max_one_spike``.
        rfr: the time since the last spike; starts at ``refract_time``.
        thr_theta: the adaptive threshold shift; :meth:`reset` keeps it.
        tols: the time of the last spike (0 before any).
        key: ``[seed, draws made]`` (uint64), the state of the random draws of
            ``one_spike`` and ``thr_jitter``.

    Args:
        name: the cell's name (also its checkpoint's file name).
        n_units: the number of neurons.
        tau_m: the membrane time constant (> 0).
        resist_m: the membrane resistance ``R`` (> 0).
        thr: the base threshold (mV).
        v_rest: the resting potential (mV).
        v_reset: the potential after a spike (mV).
        conduct_leak: the leak conductance ``g_L`` (>= 0; 0 gives integrate-and-fire).
        tau_theta: the time constant of the threshold's decay (>= 0; 0 turns the
            adaptive threshold off).
        theta_plus: the threshold increment per spike.
        refract_time: the refractory period (>= 0).
        one_spike: keep one spike per row, drawn at random among the spiking units.
        integration_type: "euler" (or "rk1"), or "midpoint" (or "rk2").
        surrogate_type: accepted as "straight_through", ngc-learn's default (no surrogate
            derivative is computed).
        v_min: the lowest potential after a step, or None.
        max_one_spike: keep one spike per row: the unit with the largest pre-step ``v``
            (takes precedence over ``one_spike``).
        key: ngc-learn's PRNG key (an int or a JAX key), instead of ``seed``.
        batch_size: the rows of the compartments (:meth:`reset` changes it).
        dtype: the compartments' dtype, float32 (default) or float64.
        seed: the seed of the random draws (default: from the operating system).
        thr_jitter: draw each unit's initial ``thr_theta`` uniformly in
            ``[-thr_jitter, thr_jitter)`` (ngc-learn 1's argument; default 0).
        lower_clamp_voltage: also keep ``v >= v_rest`` after each step (ngc-learn 2's
            argument; default False).

    Example:
        >>> import numpy as np
        >>> from ngc_rules.neurons import LIFCell
        >>> cell = LIFCell("z", 3, tau_m=10.0, refract_time=2.0, tau_theta=0.0)
        >>> cell
        LIFCell(name='z', n_units=3, tau_m=10.0, integration_type='euler')
        >>> spikes = []
        >>> for k in range(40):
        ...     cell.j[...] = [0.0, 15.0, 30.0]
        ...     cell.advance_state(t=k * 1.0, dt=1.0)
        ...     spikes.append(cell.s[0].copy())
        >>> np.sum(spikes, axis=0).tolist()  # no input, v settles just over thr, strong
        [0.0, 2.0, 5.0]
        >>> float(cell.tols[0, 2])  # the time of the last spike
        33.0
    """

    _compartments = ("j", "v", "s", "s_raw", "rfr", "thr_theta", "tols", "key")
    _kept = ("thr_theta", "key")
    _hyperparameters = ("tau_m", "resist_m", "thr", "v_rest", "v_reset", "conduct_leak",
                        "tau_theta", "theta_plus", "refract_time", "one_spike",
                        "integration_type", "v_min", "max_one_spike", "lower_clamp_voltage")
    _shown_fields = ("n_units", "tau_m", "integration_type")
    _fixed = {"surrogate_type": "straight_through"}
    kernel = staticmethod(_spiking.lif_step)

    def __init__(self, name, n_units, tau_m, resist_m=1.0, thr=-52.0, v_rest=-65.0,
                 v_reset=-60.0, conduct_leak=1.0, tau_theta=1e7, theta_plus=0.05,
                 refract_time=5.0, one_spike=False, integration_type="euler",
                 surrogate_type="straight_through", v_min=None, max_one_spike=False,
                 key=None, batch_size=1, dtype=np.float32, *, seed=None, thr_jitter=0.0,
                 lower_clamp_voltage=False, **kwargs):
        self._refuse_unknown({"surrogate_type": surrogate_type, **kwargs})
        self._setup(name, n_units, batch_size, dtype)
        self.tau_m, self.resist_m, self.thr = tau_m, resist_m, thr
        self.v_rest, self.v_reset, self.conduct_leak = v_rest, v_reset, conduct_leak
        self.tau_theta, self.theta_plus, self.refract_time = tau_theta, theta_plus, refract_time
        self.one_spike, self.max_one_spike = one_spike, max_one_spike
        self.integration_type, self.v_min = integration_type, v_min
        self.lower_clamp_voltage = lower_clamp_voltage
        self._scalars(1.0)  # every hyperparameter checked before anything is made
        jitter = self._number("thr_jitter", 0.0, value=thr_jitter)
        seed = _component.seed_from(seed, key)
        seed = _random.new_seed() if seed is None else seed
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) \
                or not 0 <= seed < 2**64:
            raise ValueError(f"{self._who}: seed must be an integer in [0, 2**64), "
                             f"got {seed!r}")
        self.key = np.array([seed, 0], np.uint64)
        self.thr_theta = np.zeros((self.batch_size, self.n_units), self.dtype)
        if jitter > 0:
            self.thr_theta[...] = self._uniform(-jitter, jitter)
        self.reset()

    def _uniform(self, low, high):
        """One draw per unit, uniform in ``[low, high)``, counted in ``key``."""
        draws = np.empty(self.n_units, np.float32)
        _spiking.uniform_draws(self.key[0], self.key[1], draws)
        self.key[1] += np.uint64(1)
        return low + (high - low) * draws.astype(self.dtype)

    def _leak(self):
        """``(g_leak, quadratic, v_c, a0)`` of the kernel: a linear leak."""
        zero = self.dtype.type(0)
        return self._number("conduct_leak", 0.0), False, zero, zero

    def _step_scalars(self, dt):
        number = self._number
        tau_theta = number("tau_theta", 0.0)
        decay = math.exp(-dt / float(self.tau_theta)) if tau_theta > 0 else 1.0
        v_rest = number("v_rest")
        floors = ([number("v_min")] if self.v_min is not None else []) + \
            ([v_rest] if self._flag("lower_clamp_voltage") else [])
        return (number("resist_m", 0.0, above=True), number("thr"), v_rest,
                number("v_reset"), *self._leak(), self._inverse("tau_m"),
                number("refract_time", 0.0), bool(tau_theta > 0), self.dtype.type(decay),
                number("theta_plus"), bool(floors), max(floors, default=v_rest),
                self._midpoint(), self._flag("one_spike"), self._flag("max_one_spike"))

    def _resting(self):
        return {"v": self.v_rest, "rfr": self.refract_time}
