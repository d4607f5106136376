"""Bernoulli spike trains (ngc-learn's ``BernoulliCell``), and :class:`Population`, the base
the encoders and traces share: units over a batch whose compartments are NumPy arrays."""
import numbers
import operator
import os

import numpy as np

from .. import _component, _random
from ..checkpoint import component_path, load_into, npz_writer, write_file
from ..optim import _checks
from . import _kernels

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _described(value):
    """What ``value`` is, for an error message: ``a float64 array of shape (1, 3)``."""
    if not isinstance(value, np.ndarray):
        return f"{type(value).__name__} {_component._shown(value)}"
    layout = "" if value.flags.c_contiguous else "non-contiguous "
    access = "" if value.flags.writeable else "read-only "
    return f"a {access}{layout}{value.dtype} array of shape {value.shape}"


class Population(_component.Component):
    """``n_units`` units over a batch. ``inputs`` and the compartments named in ``_zeroed``
    are ``(batch_size, n_units)`` arrays of ``dtype`` that :meth:`reset` zeroes; those and
    the ones in ``_kept`` (which :meth:`reset` keeps) are the state that :meth:`save`
    writes. ``inputs`` is not saved: it is set before every step.

    A step reads every compartment from its attribute, so assigning one between steps takes
    effect. ``inputs`` may be any real array of the right shape (it is converted); the
    other compartments are updated in place and must keep their dtype, shape and layout.
    """

    _zeroed = ()
    _kept = ()

    def __init__(self, name, n_units, batch_size, dtype):
        self.name = str(name)
        self.n_units = _checks.whole_number(self._label("n_units"), n_units, 1)
        self.dtype = np.dtype(dtype)
        if self.dtype not in _FLOAT_DTYPES:
            raise TypeError(f"{self._label('dtype')} must be float32 or float64, got "
                            f"{self.dtype}")
        self._views = {}
        self.reset(batch_size)

    @property
    def shape(self):
        """``(batch_size, n_units)``, the shape of ``inputs`` and of the state."""
        return self.batch_size, self.n_units

    def _label(self, what):
        return f"{type(self).__name__} {self.name!r}: {what}"

    def reset(self, batch_size=None):
        """Zero ``inputs`` and the state (new arrays), optionally for a new batch size."""
        if batch_size is not None:
            self.batch_size = _checks.whole_number(self._label("batch_size"), batch_size, 1)
        for name in ("inputs", *self._zeroed):
            setattr(self, name, np.zeros(self.shape, self.dtype))

    # -- checks, before anything changes -------------------------------------------------

    def _layout(self, name):
        """``(dtype, shape)`` that the compartment ``name`` must have."""
        return self.dtype, self.shape

    def _check_compartment(self, name, array):
        dtype, shape = self._layout(name)
        typed = isinstance(array, np.ndarray) and array.dtype == dtype
        if typed and array.shape == shape and array.flags.c_contiguous \
                and array.flags.writeable:
            return
        raise (ValueError if typed else TypeError)(
            f"{self._label(name)} must be a writable C-contiguous {dtype} array of shape "
            f"{shape}, got {_described(array)}")

    def _state_views(self, *names):
        """Flat views of the compartments ``names``, after checking them (the views are
        remade only when a compartment was replaced)."""
        arrays = tuple(getattr(self, name) for name in names)
        for name, array in zip(names, arrays):
            self._check_compartment(name, array)
        cached = self._views.get(names)
        if cached is None or not all(map(operator.is_, arrays, cached[0])):
            cached = self._views[names] = arrays, tuple(a.reshape(-1) for a in arrays)
        return cached[1]

    def _input_view(self):
        """``inputs`` as a flat array of ``dtype`` (converted if need be), checked to be
        finite and of shape ``(batch_size, n_units)``."""
        inputs = self.inputs
        if not (isinstance(inputs, np.ndarray) and inputs.dtype == self.dtype):
            array = np.asarray(inputs)
            if array.dtype.kind not in "biuf":
                raise TypeError(f"{self._label('inputs')} must hold real numbers, got "
                                f"{_described(inputs)}")
            inputs = array.astype(self.dtype)
        if inputs.shape != self.shape:
            raise ValueError(f"{self._label('inputs')} must have shape {self.shape} "
                             f"(batch_size, n_units), got {inputs.shape}")
        finite = np.isfinite(inputs)
        if not finite.all():
            where = tuple(int(i) for i in np.argwhere(~finite)[0])
            raise ValueError(f"{self._label('inputs')} must be finite, got {inputs[where]} "
                             f"at {where}")
        return np.ascontiguousarray(inputs).reshape(-1)

    # -- checkpoints ---------------------------------------------------------------------

    def _arrays(self):
        names = (*self._zeroed, *self._kept)
        for name in names:
            self._check_compartment(name, getattr(self, name))
        return {name: getattr(self, name) for name in names}

    def _header(self):
        return {"component": type(self).__name__}

    def path(self, directory):
        """The checkpoint file of this component in ``directory``: ``<name>.npz``."""
        return component_path(directory, self.name, ".npz")

    def writer(self, directory):
        """A function writing this component's checkpoint to an open file; the state is
        checked now, so a bad compartment fails before anything is written."""
        return npz_writer(self.path(directory), self._arrays(), self._header())

    def save(self, directory):
        """Write the state to ``directory/<name>.npz``, atomically, readable without
        pickle."""
        write = self.writer(directory)
        os.makedirs(directory, exist_ok=True)
        write_file(self.path(directory), write)

    def load(self, directory):
        """Restore what :meth:`save` wrote, in place; a file of another component, batch
        size or dtype, or a damaged one, is refused with nothing changed."""
        load_into(self.path(directory), self._arrays(), self._header())


def _step_key(label, seed):
    """The ``key`` compartment of a drawing cell: ``[seed, 0]`` (seed, step count)."""
    if seed is None:
        seed = _random.new_seed()
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) \
            or not 0 <= seed < 2**64:
        raise ValueError(f"{label} must be an integer in [0, 2**64), got "
                         f"{_component._shown(seed)}")
    return np.array([seed, 0], np.uint64)


class BernoulliCell(Population):
    """Spikes drawn from the inputs as probabilities, ngc-learn's ``BernoulliCell``.

    At every :meth:`advance_state` (time ``t``), with ``U_i`` uniform on ``[0, 1)``,

    .. math::
        s_i = [\\, U_i < x_i \\,], \\qquad
        \\text{tols}_i \\leftarrow (1 - s_i)\\, \\text{tols}_i + s_i\\, t

    then the step count advances. Inputs outside ``[0, 1]`` act as probabilities clipped to
    it. ``U_i`` is ``uniform32(seed, step, i)`` of :mod:`ngc_rules._random`, ``i`` the
    unit's flat index in the batch: the draws follow from ``key = [seed, step]`` alone, so
    the same seed gives the same spikes, also inside a compiled network step.

    Compartments:
        inputs: ``(batch_size, n_units)``, the spike probabilities (set before a step).
        outputs: ``(batch_size, n_units)``, this step's spikes (0 or 1).
        tols: ``(batch_size, n_units)``, the time of each unit's last spike (0 before any).
        key: ``[seed, step]`` (uint64), the state of the draws; :meth:`reset` keeps it, so
            a new sample gets new draws.

    Args:
        name: the component's name (also its checkpoint's file name).
        n_units: the number of units.
        batch_size: the rows of the compartments (:meth:`reset` can change it).
        key: ngc-learn's PRNG key, standing for ``seed``: an int or a JAX key
            (``jax.random.PRNGKey(s)`` is the seed ``s``).
        seed: the seed of the draws, an integer in ``[0, 2**64)``; default: fresh entropy.
        dtype: the compartments' dtype, float32 (default) or float64.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.encoders import BernoulliCell
        >>> cell = BernoulliCell("x", 3, seed=7)
        >>> cell
        BernoulliCell(name='x', n_units=3, batch_size=1)
        >>> cell.inputs = np.array([[0.0, 0.5, 1.0]], np.float32)
        >>> counts = np.zeros(3)
        >>> for k in range(1000):
        ...     cell.advance_state(t=float(k), dt=1.0)
        ...     counts += cell.outputs[0]
        >>> counts.tolist(), int(cell.key[1])  # about 500 spikes in the middle
        ([0.0, 486.0, 1000.0], 1000)
        >>> cell.tols.tolist()  # the last unit spiked at every step
        [[0.0, 999.0, 999.0]]
    """

    _shown_fields = ("n_units", "batch_size")
    _zeroed = ("outputs", "tols")
    _kept = ("key",)

    def __init__(self, name, n_units, batch_size=1, key=None, *, seed=None, dtype=np.float32,
                 **kwargs):
        self._refuse_unknown(kwargs)
        self.key = _step_key(f"{type(self).__name__} {str(name)!r}: seed",
                             _component.seed_from(seed, key))
        super().__init__(name, n_units, batch_size, dtype)

    def _layout(self, name):
        return (np.dtype(np.uint64), (2,)) if name == "key" else super()._layout(name)

    def _step_scalars(self, dt):
        """``(dt_factor, rate)`` with ``p = inputs * dt_factor * rate`` (1 and 1 here)."""
        one = self.dtype.type(1)
        return one, one

    def advance_state(self, *times, t=None, dt=None):
        """Draw this step's spikes from ``inputs``; ``t`` (default 0) is recorded in
        ``tols``. Takes ``(dt)`` or ``(t, dt)``, positionally or by keyword."""
        t, dt = _component.step_time(times, t, dt)
        inputs = self._input_view()
        outputs, tols, key = self._state_views("outputs", "tols", "key")
        _kernels.bernoulli_spikes(inputs, outputs, tols, key, self.dtype.type(t),
                                  *self._step_scalars(dt))
