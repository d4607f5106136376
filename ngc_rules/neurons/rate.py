"""A rate-coded (graded) neuron population, ngc-learn's ``RateCell``."""
import math

import numpy as np

from .. import _component
from .._views import FlatViews
from . import _kernels
from .activations import code_of

_PRIORS = {"gaussian": _kernels.GAUSSIAN, "laplacian": _kernels.LAPLACIAN,
           "cauchy": _kernels.CAUCHY, "exp": _kernels.EXP}


class RateCell(_component.Component):
    """Neurons whose state ``z`` follows leaky dynamics driven by input currents.

    .. math::
        \\tau_m \\frac{dz}{dt} = -\\gamma\\, \\text{leak}(z) + R\\, j \\odot f'(z) + j_{td},
        \\qquad z_F = f(z) \\cdot \\text{output\\_scale}

    integrated with one Euler step per :meth:`advance_state` call. ``leak`` is the
    derivative of the prior's negative log density: ``z`` (gaussian), ``sign(z)``
    (laplacian), ``2z/(1+z^2)`` (cauchy), ``2z e^{-z^2}`` (exp). With ``tau_m <= 0`` the cell
    is stateless: ``z = j + j_td``. Set ``j`` (bottom-up, modulated by ``f'(z)``) and
    ``j_td`` (top-down) before each step.

    Compartments:
        j: ``(batch, n_units)``, the bottom-up current.
        j_td: ``(batch, n_units)``, the top-down current.
        z: ``(batch, n_units)``, the state.
        zF: ``(batch, n_units)``, the output ``f(z) * output_scale``.

    Args:
        name: the component's name.
        n_units: the number of neurons.
        tau_m: the membrane time constant (same unit as ``dt``).
        prior: ``(name, gamma)``; default ``("gaussian", 0.)``, no leak.
        act_fx: "identity", "relu", "tanh", "sigmoid", "lrelu" or "softplus".
        output_scale: the factor applied to ``f(z)``.
        threshold: ``("soft_threshold", lambda)`` shrinks ``z`` toward 0 after each step
            (iterative soft thresholding), or ``("none", 0.)``.
        batch_size: rows of the initial compartments (:meth:`reset` changes it).
        resist_scale: the factor ``R`` of the bottom-up current.
        dtype: the compartments' dtype (default float32).
        key: ngc-learn's PRNG key (an int or a JAX key), accepted and unused: the cell
            draws no random numbers.
        integration_type: accepted as "euler", ngc-learn's default and the only scheme
            implemented.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.neurons import RateCell
        >>> cell = RateCell("z", 2, tau_m=10.0, prior=("gaussian", 1.0))
        >>> cell
        RateCell(name='z', n_units=2, tau_m=10.0, act_fx='identity', prior=('gaussian', 1.0))
        >>> cell.j_td[...] = 1.0
        >>> for _ in range(200):
        ...     cell.advance_state(dt=1.0)
        >>> cell.z.round(3).tolist()  # the fixed point of dz/dt = -z + 1
        [[1.0, 1.0]]
    """

    _shown_fields = ("n_units", "tau_m", "act_fx", "prior")
    _fixed = {"integration_type": "euler"}

    def __init__(self, name, n_units, tau_m, prior=("gaussian", 0.0), act_fx="identity",
                 output_scale=1.0, threshold=("none", 0.0), batch_size=1, resist_scale=1.0,
                 dtype=np.float32, *, key=None, **kwargs):
        self._refuse_unknown(kwargs)
        _component.seed_from(key=key)  # checked like a synapse's key, then unused
        self.name = str(name)
        if not isinstance(n_units, (int, np.integer)) or n_units < 1:
            raise ValueError(f"n_units must be a positive integer, got {n_units!r}")
        self.n_units = int(n_units)
        self.tau_m = float(tau_m)
        if not (isinstance(prior, (tuple, list)) and len(prior) == 2
                and prior[0] in _PRIORS and math.isfinite(prior[1])):
            raise ValueError(f"prior must be (name, leak) with name in {sorted(_PRIORS)}, "
                             f"got {prior!r}")
        self.prior = (prior[0], float(prior[1]))
        self.act_fx = act_fx
        self._act = code_of(act_fx)
        self.output_scale = float(output_scale)
        if not (isinstance(threshold, (tuple, list)) and len(threshold) == 2
                and threshold[0] in ("none", "soft_threshold") and threshold[1] >= 0):
            raise ValueError(f"threshold must be ('soft_threshold', lambda >= 0) or "
                             f"('none', 0.), got {threshold!r}")
        self.threshold = (threshold[0], float(threshold[1]))
        self.resist_scale = float(resist_scale)
        self.dtype = np.dtype(dtype)
        self._views = FlatViews(self.name)
        self.reset(batch_size)

    def reset(self, batch_size=None):
        """Zero every compartment (``j``, ``j_td``, ``z``, ``zF``), optionally resizing the
        batch."""
        if batch_size is not None:
            self.batch_size = int(batch_size)
        shape = (self.batch_size, self.n_units)
        self.j, self.j_td, self.z, self.zF = (np.zeros(shape, self.dtype) for _ in range(4))

    def set_state(self, z):
        """Set ``z`` (and ``zF = f(z)``), e.g. to a feed-forward guess before inference."""
        np.copyto(self.z, z)
        self._output()

    def _output(self):
        z, z_out = self._views(self.z, self.zF)
        _kernels.rate_cell_output(z, z_out, self._act, self.dtype.type(self.output_scale))

    def advance_state(self, *times, t=None, dt=None):
        """One Euler step of length ``dt`` (default 1).

        Takes ``(dt)`` or ngc-learn's ``(t, dt)``, positionally or by keyword; ``t`` is
        unused: the dynamics do not depend on the time itself.
        """
        dt = _component.step_length(times, t, dt)
        if self.tau_m <= 0:
            np.add(self.j, self.j_td, out=self.z)
            self._output()
            return
        lmbda = self.threshold[1] if self.threshold[0] == "soft_threshold" else 0.0
        number = self.dtype.type  # scalars in the states' precision keep the kernel in it
        _kernels.rate_cell_step(*self._views(self.z, self.zF, self.j, self.j_td), self._act,
                                _PRIORS[self.prior[0]], number(self.prior[1]),
                                number(dt / self.tau_m), number(self.resist_scale),
                                number(self.output_scale), number(lmbda))
