"""Poisson spike trains, ngc-learn's ``PoissonCell``."""
import warnings

import numpy as np

from ..optim import _checks
from .bernoulli import BernoulliCell

_DEFAULT_FREQ = 63.75


class PoissonCell(BernoulliCell):
    """Spikes of a homogeneous Poisson process whose rate is the input times
    ``target_freq`` (Hz), ngc-learn's ``PoissonCell``.

    At every :meth:`advance_state` (time ``t``, step ``dt`` in ms), with ``U_i`` uniform on
    ``[0, 1)``,

    .. math::
        p_i = x_i \\cdot \\frac{dt}{1000} \\cdot f, \\qquad s_i = [\\, U_i < p_i \\,],
        \\qquad \\text{tols}_i \\leftarrow (1 - s_i)\\, \\text{tols}_i + s_i\\, t

    then the step count advances: a unit of input ``x`` fires at ``x f`` Hz, at most once a
    step (``p >= 1`` fires every step). In float32, ``p`` is rounded after each product, as
    ngc-learn forms it: ``(x * float32(dt/1000)) * float32(f)``. The draws are those of
    :class:`~ngc_rules.encoders.BernoulliCell`: ``uniform32(seed, step, i)``.

    Compartments:
        inputs, outputs, tols, key: as for :class:`~ngc_rules.encoders.BernoulliCell`
        (``inputs`` are intensities, typically in ``[0, 1]``).

    Args:
        name: the component's name (also its checkpoint's file name).
        n_units: the number of units.
        target_freq: the firing rate, in Hz, of a unit whose input is 1 (> 0).
        batch_size: the rows of the compartments (:meth:`reset` can change it).
        key: ngc-learn's PRNG key, standing for ``seed`` (see ``BernoulliCell``).
        seed: the seed of the draws, an integer in ``[0, 2**64)``; default: fresh entropy.
        dtype: the compartments' dtype, float32 (default) or float64.
        max_freq: ngc-learn's deprecated name for ``target_freq`` (with a warning).

    Example:
        >>> import numpy as np
        >>> from ngc_rules.encoders import PoissonCell
        >>> cell = PoissonCell("x", 2, target_freq=100.0, seed=3)
        >>> cell
        PoissonCell(name='x', n_units=2, target_freq=100.0)
        >>> cell.inputs = np.array([[0.5, 1.0]], np.float32)  # 50 Hz and 100 Hz
        >>> counts = np.zeros(2)
        >>> for k in range(10000):  # 10 s in steps of 1 ms
        ...     cell.advance_state(t=float(k), dt=1.0)
        ...     counts += cell.outputs[0]
        >>> (counts / 10.0).tolist()  # spikes per second
        [48.9, 97.4]
    """

    _shown_fields = ("n_units", "target_freq")

    def __init__(self, name, n_units, target_freq=_DEFAULT_FREQ, batch_size=1, key=None, *,
                 seed=None, dtype=np.float32, max_freq=None, **kwargs):
        super().__init__(name, n_units, batch_size, key, seed=seed, dtype=dtype, **kwargs)
        if max_freq is not None:
            if target_freq != _DEFAULT_FREQ:
                raise TypeError(f"{self._label('give target_freq or max_freq')}, not both; "
                                f"got target_freq={target_freq!r}, max_freq={max_freq!r}")
            warnings.warn("PoissonCell: max_freq is deprecated, use target_freq",
                          DeprecationWarning, stacklevel=2)
            target_freq = max_freq
        self.target_freq = _checks.positive(self._label("target_freq"), target_freq)

    def _step_scalars(self, dt):
        number = self.dtype.type
        return number(dt / 1000.0), number(self.target_freq)
