"""What the STDP family of synapses shares: reading compartments (checked before anything
moves), the forward pass (also :class:`StaticSynapse`'s), the optional attached learning
rule with its buffers, reset and checkpoints."""
import functools
import numbers
import operator

import numpy as np

from .. import _component
from .._views import flat
from ..checkpoint import describe, state_leaves
from ..optim import _checks
from ..optim.rule import LearningRule
from . import _stdp_kernels
from .dense import DenseSynapse


@functools.cache
def nothing(dtype):
    """An empty 2-D array: a kernel's "none" for an optional array."""
    return np.empty((0, 0), dtype)


def _who(synapse):
    return f"{type(synapse).__name__} {synapse.name!r}"


def compartment(synapse, name, shape):
    """The compartment ``name`` as a C-contiguous array of the synapse's dtype (a copy only
    when it is not one), checked to hold real numbers in ``shape``; ``shape[0]`` None
    takes any batch of at least one row."""
    value = getattr(synapse, name)
    try:
        array = np.asarray(value)
    except ValueError as error:
        raise ValueError(f"{_who(synapse)}: {name} is not an array: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{_who(synapse)}: {name} must hold real numbers, got dtype "
                        f"{array.dtype}")
    rows = shape[0]
    if rows is None and array.ndim == 2 and array.shape[0] > 0:
        rows = array.shape[0]
    if array.shape != (rows, shape[1]):
        expected = ("batch" if shape[0] is None else shape[0], shape[1])
        raise ValueError(f"{_who(synapse)}: {name} must have shape "
                         f"({expected[0]}, {expected[1]}), got {array.shape}")
    return np.ascontiguousarray(array, synapse.dtype)


def spikes(synapse, name, shape):
    """:func:`compartment`, also checked to hold only 0 and 1."""
    array = compartment(synapse, name, shape)
    if not _stdp_kernels.is_binary(array):
        odd = array[(array != 0) & (array != 1)]
        raise ValueError(f"{_who(synapse)}: {name} must hold spikes (0 or 1), got "
                         f"{odd[:3].tolist()}{' ...' if odd.size > 3 else ''}")
    return array


def keep(synapse, **shapes):
    """The state compartments named (name -> shape), as writable arrays the kernels can
    update; each is checked first, then any converted copy replaces its compartment."""
    arrays = {}
    for name, shape in shapes.items():
        array = compartment(synapse, name, shape)
        arrays[name] = array if array.flags.writeable else array.copy()
    for name, array in arrays.items():
        if array is not getattr(synapse, name):
            setattr(synapse, name, array)
    return arrays.values()


def output(synapse, name, shape):
    """The compartment ``name`` if a kernel can overwrite it in ``shape``, else a new
    array of zeros that replaces it (call after every check)."""
    array = getattr(synapse, name)
    if not (isinstance(array, np.ndarray) and array.shape == shape
            and array.dtype == synapse.dtype and array.flags.c_contiguous
            and array.flags.writeable):
        array = np.zeros(shape, synapse.dtype)
        setattr(synapse, name, array)
    return array


def carry(synapse, times, t, dt):
    """``advance_state`` of a dense synapse: ``outputs = (inputs @ W) * R + b``."""
    _component.step_length(times, t, dt)
    n_pre, n_post = synapse.shape
    inputs = compartment(synapse, "inputs", (None, n_pre))
    shapes = {"weights": synapse.shape}
    if synapse.biases is not None:
        shapes["biases"] = (1, n_post)
    weights, *biases = keep(synapse, **shapes)
    outputs = output(synapse, "outputs", (inputs.shape[0], n_post))
    _stdp_kernels.dense_forward(inputs, weights, synapse.dtype.type(synapse.resist_scale),
                                biases[0] if biases else nothing(synapse.dtype), outputs)


def positive_count(name, value):
    """``value`` as an int >= 1, else a ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _rule(optim_type, optim_params, eta):
    """The attached rule (None: ngc-learn's own update); it takes ``eta`` unless it has
    its own."""
    if optim_type is None:
        if optim_params:
            raise TypeError(f"optim_params {optim_params!r} given without an optim_type")
        return None
    rule = LearningRule(optim_type, **(optim_params or {}))
    if "eta" not in rule.hyperparameters:
        rule = LearningRule(rule, eta=eta)
    return rule


class PlasticSynapse(DenseSynapse):
    """A dense synapse whose weights learn by a spike-timing rule (a base class).

    A subclass names its signal compartments in ``_signals`` (name -> 0 for pre-synaptic,
    1 for post-synaptic width), the state that survives :meth:`reset` in ``_kept``, and
    implements ``_step(t, dt)``: check every compartment, then return a function of
    ``(direction, before)`` running its kernel, and the decay factor of the weights
    (0: none), which a rule's step needs the weights before it for.
    """

    _signals = {}
    _kept = ()

    def __init__(self, name, shape, weight_init, g_conduct_factor, p_conn, batch_size, eta,
                 optim_type, optim_params, bounds, weight_mask=None, **kwargs):
        super().__init__(name, shape, weight_init=weight_init, p_conn=p_conn,
                         batch_size=positive_count("batch_size", batch_size),
                         g_conduct_factor=g_conduct_factor, **kwargs)
        if weight_mask is not None:
            self._mask_with(weight_mask)
        self.eta = _checks.real("eta", 1.0 if eta is None else eta)
        self.rule = _rule(optim_type, optim_params, self.eta)
        if self.rule is not None:  # a rule given with its own learning rate keeps it
            self.eta = self.rule.hyperparameters["eta"]
        self.opt_params = None if self.rule is None else self.rule.init([self.weights])
        low, high = (0.0, 0.0) if bounds is None else bounds
        if low > high:
            raise ValueError(f"w_bound must leave a weight range: the clip [{low}, {high}] "
                             f"is empty")
        self._bounds = (bounds is not None, self.dtype.type(low), self.dtype.type(high))
        self._attached = None
        self._scratch = {}
        self.reset()

    @property
    def optim_type(self):
        """The attached rule's name ("sgd", "nag", "adam", "momentum"), or None."""
        return None if self.rule is None else self.rule.name

    def _mask_with(self, weight_mask):
        """Fold ngc-learn's ``weight_mask`` (0/1, broadcast to ``shape``) into ``mask``."""
        values = np.asarray(weight_mask)
        if values.dtype.kind not in "biuf":
            raise TypeError(f"weight_mask must hold real numbers, got dtype {values.dtype}")
        try:
            values = np.broadcast_to(values, self.shape)
        except ValueError:
            raise ValueError(f"weight_mask of shape {values.shape} does not broadcast to "
                             f"the weights' {self.shape}") from None
        if not np.isin(values, (0, 1)).all():
            raise ValueError("weight_mask must hold 0 (no connection) and 1 only")
        mask = values.astype(self.dtype)
        if self.mask.size:
            mask *= self.mask
        self.mask = np.ascontiguousarray(mask)
        self.weights *= self.mask

    def _zero(self, name, shape, fill=0):
        """Set the compartment ``name`` to ``fill`` in ``shape``, in place when it can."""
        array = getattr(self, name, None)
        if isinstance(array, np.ndarray) and array.shape == shape and \
                array.dtype == self.dtype and array.flags.writeable:
            array[...] = fill
        else:
            setattr(self, name, np.full(shape, fill, self.dtype))

    def reset(self):
        """Zero the signals (``inputs``, ``outputs``, the rule's signals) and ``dWeights``,
        at ``batch_size`` rows; the weights, learning state and ``_kept`` stay."""
        for name, side in {"inputs": 0, "outputs": 1, **self._signals}.items():
            self._zero(name, (self.batch_size, self.shape[side]))
        self._zero("dWeights", self.shape)

    def advance_state(self, *times, t=None, dt=None):
        """Carry ``inputs`` across: ``outputs = (inputs @ W) * resist_scale``, before any
        learning. Takes ``(dt)`` or ``(t, dt)``, unused."""
        carry(self, times, t, dt)

    def evolve(self, *times, t=None, dt=None):
        """One learning step. Takes ``(dt)`` or ngc-learn's ``(t, dt)``, positionally or
        by keyword; every compartment is checked before any changes."""
        t, dt = _component.step_time(times, t, dt)
        run, decay = self._step(t, dt)
        none = nothing(self.dtype)
        if self.rule is None:
            run(none, none)
            return
        direction = self._buffer("direction")
        before = self._buffer("before") if decay != 0 else none
        run(direction, before)
        learner = self._learner()
        try:
            learner.step([direction])
        except FloatingPointError as error:  # on_nonfinite="raise": the weights stay
            raise FloatingPointError(f"{_who(self)}: {error}") from None
        self.opt_params = learner.state
        _stdp_kernels.settle(self.weights, before, decay, flat(self.mask), *self._bounds)

    def _buffer(self, name):
        """A weight-shaped buffer kept between calls."""
        buffer = self._scratch.get(name)
        if buffer is None:
            buffer = self._scratch[name] = np.zeros(self.shape, self.dtype)
        return buffer

    def _learner(self):
        """The rule attached to the weights and learning state, attached again when one
        of them (or the rule) was replaced."""
        learner = self._attached
        if learner is None or learner.rule is not self.rule or \
                learner.state is not self.opt_params or \
                not all(map(operator.is_, [self.weights], learner.theta)):
            learner = self._attached = self.rule.attach([self.weights], self.opt_params)
        return learner

    def _scalars(self, *values):
        """``values`` in the synapse's dtype, as the kernels take them."""
        return [self.dtype.type(value) for value in values]

    def _reciprocal(self, value):
        """``1 / value`` in the synapse's dtype, as XLA folds a division by a constant
        into a multiplication (0 for ``value`` 0: no such term)."""
        number = self.dtype.type
        return number(1) / number(value) if value else number(0)

    # -- checkpoints ---------------------------------------------------------------------

    def _arrays(self):
        arrays = super()._arrays()
        arrays.update({name: getattr(self, name) for name in self._kept})
        if self.rule is not None:
            arrays.update({f"opt_params_{k}": leaf
                           for k, leaf in enumerate(state_leaves(self.opt_params))})
        return arrays

    def _header(self):
        """Also the rule (None for ngc-learn's own update) and its state's layout, so a
        file of another rule is refused."""
        if self.rule is None:
            return {**super()._header(), "rule": None}
        return {**super()._header(), "rule": self.rule.identity(),
                "layout": describe(self.opt_params)}
