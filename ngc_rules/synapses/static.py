"""ngc-learn's non-plastic dense synapse, carried across by a Numba kernel."""
import numpy as np

from . import _plastic
from .dense import DenseSynapse


class StaticSynapse(DenseSynapse):
    """A dense synaptic cable that does not learn, ngc-learn's ``StaticSynapse``.

    .. math:: \\text{outputs} = (\\text{inputs} \\cdot W) \\, R + b

    :meth:`advance_state` runs :func:`~ngc_rules.synapses._stdp_kernels.dense_forward`,
    which adds only the rows of ``W`` whose input is not 0: a spike vector costs one row
    addition per spike, as the lateral synapses of a spiking network need every step.

    Compartments:
        inputs: ``(batch, shape[0])``, the signal carried across.
        outputs: ``(batch, shape[1])``, the transformed signal.
        weights: ``shape``, the synaptic efficacies ``W``.
        biases: ``(1, shape[1])``, or None without ``bias_init``.
        mask: ``shape``, the connections that exist (empty when ``p_conn == 1``).

    Args:
        name: the component's name (also its checkpoint's file name).
        shape: ``(inputs, outputs)``.
        weight_init: an initializer (see :mod:`ngc_rules.initializers`); default
            ``uniform(0.025, 0.8)``, as in ngc-learn.
        bias_init: an initializer of the biases, or None for none.
        g_conduct_factor: the factor ``R`` (default 1); ``resist_scale`` is its older name.
        p_release_mean, max_delay_steps, mask: accepted at ngc-learn's defaults (1, 0 and
            None: no stochastic release, no delays, no extra mask), the only behaviour
            implemented.
        p_conn: the probability that a connection exists.
        batch_size: the rows of the initial ``inputs``/``outputs``.
        seed: seed of the initial weights (``key``: ngc-learn's PRNG key, instead).
        dtype: the compartments' dtype (default float32).

    Example:
        >>> import numpy as np
        >>> from ngc_rules.synapses import StaticSynapse
        >>> from ngc_rules.initializers import constant
        >>> syn = StaticSynapse("W_lateral", (3, 2), weight_init=constant(0.5),
        ...                     g_conduct_factor=2.0)
        >>> syn.inputs = np.array([[1., 0., 1.]], np.float32)
        >>> syn.advance_state(1.0, 1.0)
        >>> syn.outputs.tolist()
        [[2.0, 2.0]]
    """

    _fixed = {**DenseSynapse._fixed, "mask": None}

    def __init__(self, name, shape, weight_init=None, bias_init=None, g_conduct_factor=None,
                 p_release_mean=1.0, p_conn=1.0, max_delay_steps=0, mask=None, batch_size=1,
                 *, seed=None, dtype=np.float32, key=None, resist_scale=None, **kwargs):
        self._refuse_unknown({"mask": mask})
        super().__init__(name, shape, weight_init=weight_init, bias_init=bias_init,
                         resist_scale=resist_scale, p_conn=p_conn,
                         batch_size=_plastic.positive_count("batch_size", batch_size),
                         seed=seed, dtype=dtype, g_conduct_factor=g_conduct_factor, key=key,
                         p_release_mean=p_release_mean, max_delay_steps=max_delay_steps,
                         **kwargs)

    def advance_state(self, *times, t=None, dt=None):
        """Carry ``inputs`` across into ``outputs``. Takes ``(dt)`` or ngc-learn's
        ``(t, dt)``, positionally or by keyword; both are unused."""
        _plastic.carry(self, times, t, dt)
