"""What the spiking cells share: compartments checked once per new array, the scalars of
their step checked once per new hyperparameter value or ``dt``, ``reset`` and
checkpoints.

A cell names its compartments in the order its compiled step takes them
(``_compartments``), the values :meth:`SpikingCell.reset` gives them (``_resting``) and
those it keeps (``_kept``); it turns its hyperparameters into the step's scalars in
``_step_scalars(dt)``, which refuses bad values with the cell's name, the argument and
the value.
"""
import math
import numbers
import operator
import os

import numpy as np

from .. import _component
from ..checkpoint import component_path, load_into, npz_writer, write_file

INTEGRATORS = {"euler": False, "rk1": False, "midpoint": True, "rk2": True}
"""The integration types ngc-learn's spiking cells run, by name: True for the midpoint
method (RK-2)."""

_KEY = "key"  # the compartment of a cell that draws: [seed, draws made so far]


def _positive_integer(name, value):
    """``value`` as an int >= 1, or a ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class SpikingCell(_component.Component):
    """Base of the spiking cells (see the module's docstring); ``kernel`` is the cell's
    compiled step, called as ``kernel(t, *cell.kernel_arguments(dt))``."""

    _compartments = ()
    _kept = ()
    _hyperparameters = ()
    kernel = None

    def _setup(self, name, n_units, batch_size, dtype):
        """Set what every cell has, before its hyperparameters."""
        self.name = str(name)
        self.n_units = _positive_integer(f"{self._who}: n_units", n_units)
        self.batch_size = _positive_integer(f"{self._who}: batch_size", batch_size)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"{self._who}: dtype must be float32 or float64, got {self.dtype}")
        self._checked = (None,) * len(self._compartments)  # nothing checked yet
        self._scalars_key = self._scalars_value = None
        self._values = operator.attrgetter(*self._hyperparameters)
        self._arrays_of = operator.attrgetter(*self._compartments)

    @property
    def _who(self):
        return f"{type(self).__name__} {self.name!r}"

    # -- hyperparameters ---------------------------------------------------------------

    def _number(self, name, low=-math.inf, above=False, value=None):
        """The hyperparameter ``name`` (or ``value``) as a scalar of the cell's dtype,
        refused unless it is a real number, finite in that dtype, and >= ``low`` (>
        with ``above``)."""
        value = getattr(self, name) if value is None else value
        ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
        with np.errstate(over="ignore"):  # too large for the dtype: refused as inf below
            number = self.dtype.type(value) if ok else None
        if not ok or not math.isfinite(number) or number < low or (above and number <= low):
            bound = "" if low == -math.inf else f" {'>' if above else '>='} {low:g}"
            raise ValueError(f"{self._who}: {name} must be a finite number{bound}, "
                             f"got {value!r}")
        return number

    def _flag(self, name):
        """The hyperparameter ``name`` as a bool, refused unless True, False, 1 or 0."""
        value = getattr(self, name)
        if isinstance(value, (bool, np.bool_)) or \
                (isinstance(value, numbers.Integral) and value in (0, 1)):
            return bool(value)
        raise ValueError(f"{self._who}: {name} must be True or False, got {value!r}")

    def _midpoint(self):
        """Whether ``integration_type`` names the midpoint method (else Euler)."""
        kind = self.integration_type
        if not isinstance(kind, str) or kind not in INTEGRATORS:
            raise ValueError(f"{self._who}: integration_type must be one of "
                             f"{sorted(INTEGRATORS)}, got {kind!r} (ngc-learn's cells "
                             f"integrate only with Euler or the midpoint method)")
        return INTEGRATORS[kind]

    def _inverse(self, name):
        """``1 / value`` of the time constant ``name`` (> 0), rounded in the dtype."""
        return self.dtype.type(1) / self._number(name, 0.0, above=True)

    def _step_scalars(self, dt):
        raise NotImplementedError

    def _scalars(self, dt):
        """The step's scalars, remade when ``dt`` or a hyperparameter changed."""
        key = (dt, self._values(self))
        try:
            same = key == self._scalars_key
        except ValueError:  # an array was assigned: _step_scalars refuses it
            same = False
        if not same:
            self._scalars_value = self._step_scalars(dt)
            self._scalars_key = key
        return self._scalars_value

    # -- compartments ------------------------------------------------------------------

    def _layout(self, name):
        """The shape and dtype the compartment ``name`` must have."""
        if name == _KEY:
            return (2,), np.dtype(np.uint64)
        return (self.batch_size, self.n_units), self.dtype

    def _checked_array(self, name, value):
        """``value`` if it is a writable C-contiguous array laid out as ``name`` must be,
        else a converted copy; refused unless it holds real numbers of that shape."""
        shape, dtype = self._layout(name)
        if type(value) is np.ndarray and value.dtype == dtype and value.shape == shape \
                and value.flags.c_contiguous and value.flags.writeable:
            return value
        try:
            array = np.asarray(value)
        except (TypeError, ValueError):  # ragged nested lists
            array = np.array(None)
        kinds = "iu" if name == _KEY else "biuf"
        if array.dtype.kind not in kinds or array.shape != shape or \
                (name == _KEY and array.min() < 0):
            what = "[seed, draws], two integers >= 0" if name == _KEY else \
                "(batch_size, n_units), real numbers"
            raise ValueError(f"{self._who}: {name} must be an array of shape {shape} "
                             f"({what}), got {array.dtype}{list(array.shape)}")
        return np.array(array, dtype, order="C")

    def _arrays(self):
        """The compartments in the step's order, each checked (converted and stored back
        when needed) the first time it is seen; all are checked before any is stored."""
        arrays = self._arrays_of(self)
        if all(map(operator.is_, arrays, self._checked)):
            return arrays
        arrays = tuple(self._checked_array(name, value)
                       for name, value in zip(self._compartments, arrays))
        for name, array in zip(self._compartments, arrays):
            if getattr(self, name) is not array:
                setattr(self, name, array)
        self._checked = arrays
        return arrays

    def kernel_arguments(self, dt):
        """The arguments after ``t`` of ``kernel`` for a step of length ``dt``: ``dt``,
        the compartments (in place) and the scalars, all checked. A compiled network
        step calls ``kernel(t, *arguments)`` with the same bits as
        :meth:`advance_state`."""
        _, dt = _component.step_time((), 0.0, dt)
        return self._kernel_arguments(dt)

    def _kernel_arguments(self, dt):
        return (self.dtype.type(dt), *self._arrays(), *self._scalars(dt))

    def advance_state(self, *times, t=None, dt=None):
        """One step of length ``dt`` (default 1) at time ``t`` (default 0), the time
        ``tols`` records. Takes ``(t, dt)`` or ``(dt)``, positionally or by keyword."""
        if times or type(t) is not float or type(dt) is not float or \
                not (dt > 0 and math.isfinite(dt) and math.isfinite(t)):
            t, dt = _component.step_time(times, t, dt)  # the general (slower) check
        arguments = self._kernel_arguments(dt)
        self.kernel(self.dtype.type(t), *arguments)

    def reset(self, batch_size=None):
        """Set every compartment to its resting value (``j``, ``s`` and ``tols`` to 0),
        except those ngc-learn keeps; optionally for a new batch size, where kept
        per-unit rows are repeated. Checked arrays of the same size are filled in place,
        so arguments taken by :meth:`kernel_arguments` stay valid."""
        size = self.batch_size if batch_size is None else \
            _positive_integer(f"{self._who}: batch_size", batch_size)
        self._scalars(1.0)  # the resting values are hyperparameters: checked first
        resting = self._resting()
        kept = {}
        for name in self._kept:
            if name != _KEY:
                value = self._checked_array(name, getattr(self, name))
                try:
                    kept[name] = value if size == self.batch_size else \
                        np.array(np.broadcast_to(value, (size, self.n_units)))
                except ValueError:
                    raise ValueError(f"{self._who}: cannot keep {name} of shape "
                                     f"{value.shape} for batch_size={size}") from None
        shape = (size, self.n_units)
        self.batch_size = size
        for name, checked in zip(self._compartments, self._checked):
            if name in kept:
                setattr(self, name, kept[name])
            elif name not in self._kept:
                value = resting.get(name, 0.0)
                current = getattr(self, name, None)
                if current is not None and current is checked and current.shape == shape:
                    checked.fill(value)
                else:
                    setattr(self, name, np.full(shape, value, self.dtype))

    def _resting(self):
        """The values :meth:`reset` gives, by compartment (others get 0)."""
        return {}

    # -- checkpoints -------------------------------------------------------------------

    def path(self, directory):
        """The checkpoint file of this cell in ``directory``."""
        return component_path(directory, self.name, ".npz")

    def _header(self):
        return {"component": type(self).__name__}

    def writer(self, directory):
        """A function writing this cell's checkpoint (for :meth:`path`) to an open file;
        the compartments are checked now, so a bad one fails before anything is
        written."""
        return npz_writer(self.path(directory), dict(zip(self._compartments, self._arrays())),
                          self._header())

    def save(self, directory):
        """Write every compartment to ``directory/<name>.npz`` (as ngc-learn saves a
        component), atomically and readable without pickle."""
        write = self.writer(directory)
        os.makedirs(directory, exist_ok=True)
        write_file(self.path(directory), write)

    def load(self, directory):
        """Restore what :meth:`save` wrote; a file for another cell, shape or dtype, or
        a damaged one, is refused with nothing changed."""
        load_into(self.path(directory), dict(zip(self._compartments, self._arrays())),
                  self._header())
