"""``tf.keras.optimizers.Adam`` (the TensorFlow 2 optimizer) on ngc_rules' kernels.

Dense gradients take TensorFlow's fused kernel's arithmetic (``m += (g - m)*(1 - b1)``);
:class:`~ngc_rules.IndexedSlices` gradients take its sparse path: repeated rows are
summed, then ``m <- b1*m + (1-b1)*g`` on every row, and every row moves. Both use
"epsilon hat" and float32 scalars. ``clipnorm`` and ``clipvalue`` act on the values of
an ``IndexedSlices`` before its rows are summed, as in TensorFlow.

Example (TensorFlow's documented one):
    >>> import numpy as np
    >>> from ngc_rules.compat.tf_keras import Adam
    >>> var = np.array(10.0, np.float32)
    >>> opt = Adam(learning_rate=0.1)
    >>> opt.apply_gradients([(var.copy(), var)])  # d(var**2/2)/dvar = var
    1
    >>> round(float(var), 6)
    9.9
"""
import warnings

import numpy as np

from .. import optim
from ..optim import sparse
from ..optim._targets import on_device
from ..optim._engine import check_step
from ..optim.sparse import IndexedSlices
from ._rates import (constructor_arguments, learning_rate_config, rate_at,
                     valid_learning_rate)

_ALLOWED = ("clipnorm", "clipvalue", "lr", "decay")


class Adam:
    """Adam with tf.keras' (TensorFlow 2) constructor, validation and methods.

    Args:
        learning_rate: a float, a :mod:`ngc_rules.schedules` schedule (called with
            ``iterations``) or a callable with no arguments.
        beta_1, beta_2: decay rates of the moments.
        epsilon: "epsilon hat"; ``None`` or ``0`` take ``1e-7``.
        amsgrad: use the maximum of the second moment so far.
        name: the optimizer's name.
        clipnorm: clip each gradient's L2 norm; clipvalue: clip each element.
        decay: the learning rate is ``learning_rate / (1 + decay * iterations)``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 amsgrad=False, name="Adam", **kwargs):
        for key, value in kwargs.items():
            if key not in _ALLOWED:
                raise TypeError(f"Unexpected keyword argument passed to optimizer: {key}")
            if value is not None and value < 0:
                raise ValueError(f"Expected {key} >= 0, received: {value}")
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.")
            learning_rate = kwargs["lr"]
        self._learning_rate = valid_learning_rate(learning_rate)
        self.beta_1, self.beta_2, self.amsgrad, self.name = beta_1, beta_2, amsgrad, name
        self.epsilon = epsilon or 1e-7
        self.clipnorm, self.clipvalue = kwargs.get("clipnorm"), kwargs.get("clipvalue")
        self.decay = kwargs.get("decay") or 0.0
        self.iterations = 0
        self._slots = {}  # id(variable) -> (variable, its moments)

    @property
    def learning_rate(self):
        """The learning rate of the next update, decay included."""
        rate = np.float32(rate_at(self._learning_rate, self.iterations))
        if self.decay:
            rate = rate / (np.float32(1) + np.float32(self.decay) * np.float32(self.iterations))
        return float(rate)

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self._learning_rate = valid_learning_rate(learning_rate)

    def apply_gradients(self, grads_and_vars, name=None):
        """Update each variable in place with its gradient (an array or an
        :class:`~ngc_rules.IndexedSlices`); pairs whose gradient is None are skipped.
        Returns ``iterations``."""
        pairs = list(grads_and_vars)
        given = [(g, v) for g, v in pairs if g is not None]
        if not given:
            raise ValueError(f"No gradients provided for any variable: "
                             f"{[getattr(v, 'shape', v) for _, v in pairs]}.")
        if len(given) < len(pairs):
            warnings.warn("Gradients do not exist for some variables when minimizing the "
                          "loss; they were left unchanged.")
        for k, (g, v) in enumerate(given):
            _check_gradient(g, v, f"gradient {k}")
            self._slot(v)  # every variable gets its moments before anything moves
        # keyed by position in ``given``, so that an error names the pair, as above
        dense = {k: (g, v) for k, (g, v) in enumerate(given) if not isinstance(g, IndexedSlices)}
        rows = {k: (self._clipped(g), v) for k, (g, v) in enumerate(given)
                if isinstance(g, IndexedSlices)}
        options = dict(eta=self.learning_rate, beta1=self.beta_1, beta2=self.beta_2,
                       eps=self.epsilon, epsilon_hat=True, amsgrad=self.amsgrad,
                       scalar_precision="param", inplace=True)
        paths = [(dense, dict(moments="lerp", clip_norm=self.clipnorm,
                              clip_value=self.clipvalue)),
                 (rows, {})]  # TensorFlow's dense and sparse arithmetic
        steps = [(self._step_arguments(chosen), path) for chosen, path in paths if chosen]
        for arguments, path in steps:  # both steps are checked before either runs
            check_step(optim.adam_step, *arguments, **options, **path)
        for arguments, path in steps:
            optim.adam_step(*arguments, **options, **path)
        self.iterations += 1
        return self.iterations

    def _slot(self, variable):
        if id(variable) not in self._slots:
            state = optim.adam_init(variable, amsgrad=self.amsgrad)
            self._slots[id(variable)] = (variable, state[:-1])
        return self._slots[id(variable)][1]

    def _step_arguments(self, pairs):
        """``(state, variables, gradients)`` of one step over ``{key: (gradient, variable)}``,
        each a dict with those keys."""
        slots = {k: self._slot(v) for k, (_, v) in pairs.items()}
        moments = [dict(zip(slots, field)) for field in zip(*slots.values())]
        state_type = optim.AmsgradState if self.amsgrad else optim.AdamState
        state = state_type(*moments, np.array(self.iterations, np.int64))
        variables = {k: v for k, (_, v) in pairs.items()}
        gradients = {k: g for k, (g, _) in pairs.items()}
        return state, variables, gradients

    def _clipped(self, slices):
        """tf.clip_by_norm and tf.clip_by_value on the values, before rows are summed."""
        if self.clipnorm is None and self.clipvalue is None:
            return slices
        if on_device(slices.values):
            raise NotImplementedError("clipnorm and clipvalue of IndexedSlices gradients are "
                                      "computed in NumPy: give their values as host arrays")
        values = np.asarray(slices.values)
        if self.clipnorm is not None:
            clip_norm = values.dtype.type(self.clipnorm)
            norm = np.sqrt(np.sum(values * values))
            values = values * clip_norm / np.maximum(norm, clip_norm)
        if self.clipvalue is not None:
            values = np.clip(values, -self.clipvalue, self.clipvalue).astype(values.dtype)
        return IndexedSlices(values, slices.indices, slices.dense_shape)

    def get_config(self):
        """The constructor arguments (a schedule serialized to a dict)."""
        config = {"name": self.name, "learning_rate": learning_rate_config(self._learning_rate),
                  "decay": self.decay, "beta_1": self.beta_1, "beta_2": self.beta_2,
                  "epsilon": self.epsilon, "amsgrad": self.amsgrad}
        config.update({k: getattr(self, k) for k in ("clipnorm", "clipvalue")
                       if getattr(self, k) is not None})
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The optimizer :meth:`get_config` described (without its moments)."""
        return cls(**constructor_arguments(config))



def _check_gradient(gradient, variable, label):
    """Refuse a gradient that does not fit its variable, before any variable moves."""
    if isinstance(gradient, IndexedSlices):
        sparse.check(gradient, variable, label)
    elif tuple(np.shape(gradient)) != tuple(np.shape(variable)):
        raise ValueError(f"{label} has shape {tuple(np.shape(gradient))}, but its variable "
                         f"has shape {tuple(np.shape(variable))}")
