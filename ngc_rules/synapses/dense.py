"""A dense synaptic cable: ``outputs = (inputs @ W) * resist_scale + b``."""
import os

import numpy as np

from .. import _component, initializers
from ..checkpoint import component_path, load_into, npz_writer, write_file


def _shape(shape):
    if not (isinstance(shape, (tuple, list)) and len(shape) == 2
            and all(isinstance(n, (int, np.integer)) and n > 0 for n in shape)):
        raise ValueError(f"shape must be (inputs, outputs), two positive integers, got {shape!r}")
    return int(shape[0]), int(shape[1])


def _probability(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ValueError(f"{name} must be a probability in (0, 1], got {value!r}")
    return float(value)


class DenseSynapse(_component.Component):
    """A dense synaptic cable with ngc-learn's compartments as plain attributes.

    .. math:: \\text{outputs} = (\\text{inputs} \\cdot W) \\, R + b

    Set ``inputs`` (``(batch, shape[0])``), call :meth:`advance_state`, read ``outputs``.
    With ``p_conn < 1`` each connection exists with that probability; the missing ones are
    held at zero (``mask``).

    Compartments:
        inputs: ``(batch, shape[0])``, the signal carried across.
        outputs: ``(batch, shape[1])``, the transformed signal.
        weights: ``shape``, the synaptic efficacies ``W``.
        biases: ``(1, shape[1])``, or None without ``bias_init``.
        mask: ``shape``, the connections that exist (empty when ``p_conn == 1``).

    Args:
        name: the component's name (also its checkpoint's file name).
        shape: ``(inputs, outputs)``.
        weight_init: an initializer (see :mod:`ngc_rules.initializers`) or ngc-learn's
            tuple or dict form; default ``uniform(0.025, 0.8)``, as in ngc-learn.
        bias_init: an initializer for the ``(1, outputs)`` biases, or None for no biases.
        resist_scale: the factor ``R`` applied to ``inputs @ W`` (default 1).
        p_conn: the probability that a connection exists.
        batch_size: the rows of the initial ``inputs``/``outputs`` (any batch works later).
        seed: seed of the initial weights, biases and connection mask: an int or a
            sequence of ints, as :func:`numpy.random.default_rng` takes.
        dtype: the weights' dtype (default float32).
        g_conduct_factor: ngc-learn 3.2's name for ``resist_scale`` (give one of them).
        key: ngc-learn's PRNG key, instead of ``seed``: an int or a JAX key, whose words
            make the seed (``jax.random.PRNGKey(s)`` gives the weights of ``seed=s``).
        p_release_mean, max_delay_steps: accepted at ngc-learn's defaults, 1 and 0 (no
            stochastic release, no delays), the only behaviour implemented.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.synapses import DenseSynapse
        >>> from ngc_rules.initializers import constant
        >>> syn = DenseSynapse("W", (2, 3), weight_init=constant(0.5), bias_init=constant(1.))
        >>> syn
        DenseSynapse(name='W', shape=(2, 3), resist_scale=1.0, p_conn=1.0)
        >>> syn.inputs = np.array([[1., 2.]], np.float32)
        >>> syn.advance_state()
        >>> syn.outputs.tolist()
        [[2.5, 2.5, 2.5]]
    """

    _shown_fields = ("shape", "resist_scale", "p_conn")
    _fixed = {"p_release_mean": 1.0, "max_delay_steps": 0}

    def __init__(self, name, shape, weight_init=None, bias_init=None, resist_scale=None,
                 p_conn=1.0, batch_size=1, seed=None, dtype=np.float32, *,
                 g_conduct_factor=None, key=None, **kwargs):
        self._refuse_unknown(kwargs)
        self.name = str(name)
        self.shape = _shape(shape)
        self.resist_scale = float(_component.either(1.0, resist_scale=resist_scale,
                                                    g_conduct_factor=g_conduct_factor))
        self.p_conn = _probability("p_conn", p_conn)
        self.batch_size = int(batch_size)
        self.dtype = np.dtype(dtype)
        rng = np.random.default_rng(_component.seed_from(seed, key))
        self.weight_init = initializers.resolve(
            initializers.uniform(0.025, 0.8) if weight_init is None else weight_init,
            "weight_init")
        self.bias_init = None if bias_init is None else initializers.resolve(bias_init,
                                                                             "bias_init")
        self.weights = np.ascontiguousarray(self.weight_init(self.shape, rng, self.dtype))
        self.mask = np.empty(0, self.dtype)
        if self.p_conn < 1:
            self.mask = (rng.random(self.shape) < self.p_conn).astype(self.dtype)
            self.weights *= self.mask
        self.biases = None if self.bias_init is None else np.ascontiguousarray(
            self.bias_init((1, self.shape[1]), rng, self.dtype))
        self.inputs = np.zeros((self.batch_size, self.shape[0]), self.dtype)
        self.outputs = np.zeros((self.batch_size, self.shape[1]), self.dtype)

    def advance_state(self, *times, t=None, dt=None):
        """Carry ``inputs`` across the cable into ``outputs``.

        Takes ``(dt)`` or ngc-learn's ``(t, dt)``, positionally or by keyword; both are
        unused: the transform is instantaneous.
        """
        _component.step_length(times, t, dt)
        inputs = np.asarray(self.inputs, self.dtype)
        if inputs.ndim != 2 or inputs.shape[1] != self.shape[0]:
            raise ValueError(f"{self.name}.inputs must have shape (batch, {self.shape[0]}), "
                             f"got {inputs.shape}")
        if self.outputs.shape != (inputs.shape[0], self.shape[1]):
            self.outputs = np.empty((inputs.shape[0], self.shape[1]), self.dtype)
        np.matmul(inputs, self.weights, out=self.outputs)
        if self.resist_scale != 1.0:
            self.outputs *= self.dtype.type(self.resist_scale)
        if self.biases is not None:
            self.outputs += self.biases

    def reset(self):
        """Zero the signals (``inputs``, ``outputs``), keeping the weights."""
        self.inputs[...] = 0
        self.outputs[...] = 0

    # -- checkpoints ---------------------------------------------------------------------

    def _arrays(self):
        """The arrays a checkpoint holds, by name."""
        arrays = {"weights": self.weights, "mask": self.mask}
        if self.biases is not None:
            arrays["biases"] = self.biases
        return arrays

    def _header(self):
        """What a checkpoint records besides the arrays; a file must match it to load."""
        return {"component": type(self).__name__}

    def path(self, directory):
        """The checkpoint file of this synapse in ``directory``; a name that would leave
        it (``../x``, an absolute path) is refused."""
        return component_path(directory, self.name, ".npz")

    def writer(self, directory):
        """A function writing this synapse's checkpoint (for :meth:`path`) to an open
        file; the arrays are checked now, so a bad one fails before anything is written."""
        return npz_writer(self.path(directory), self._arrays(), self._header())

    def save(self, directory):
        """Write the weights (and biases, mask and learning state) to
        ``directory/<name>.npz``, atomically and readable without pickle."""
        write = self.writer(directory)
        os.makedirs(directory, exist_ok=True)
        write_file(self.path(directory), write)

    def load(self, directory):
        """Restore what :meth:`save` wrote; a file for another component, rule, shape or
        dtype, or a damaged one, is refused with nothing changed."""
        load_into(self.path(directory), self._arrays(), self._header())
