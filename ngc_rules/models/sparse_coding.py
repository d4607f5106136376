"""Sparse coding (Olshausen & Field, 1996) as a predictive-coding circuit."""
import numpy as np

from .. import initializers
from ..neurons import GaussianErrorCell, RateCell
from ..synapses import HebbianSynapse
from ._base import Model, rule_config


class SparseCoding(Model):
    """A dictionary ``W`` and sparse latent causes ``z`` that explain the inputs.

    Inference runs ``T`` steps of iterative soft thresholding (ISTA) on
    ``F = ||x - z W||^2 / 2 + lambda ||z||_1``:

    .. math::
        e = x - z W, \\qquad
        z \\leftarrow \\text{shrink}_{\\lambda dt/\\tau}(z + \\tfrac{dt}{\\tau}\\, e W^\\top)

    then the dictionary takes one Hebbian step with ``pre = z``, ``post = e``,
    ``sign_value = -1``, and each filter (row of ``W``) is scaled back to unit length, which
    stops the dictionary from growing to shrink the code.

    Args:
        n_inputs, n_latents: the sizes of the inputs and of the code.
        optim_type, eta, optim_params: the learning rule of the dictionary; ``eta=None``
            takes the rule's entry in :attr:`DEFAULT_ETA`.
        lmbda: the sparsity penalty.
        T, tau_m, dt: inference steps, the latents' time constant and the Euler step.
        seed: seed of the initial dictionary.

    Example:
        >>> from ngc_rules.data import bars
        >>> from ngc_rules.models import SparseCoding
        >>> data = bars(n=256, size=4)
        >>> model = SparseCoding(16, 8, optim_type="sgd", eta=0.05, seed=0)
        >>> first = model.learn(data.x[:64])["energy"]
        >>> for _ in range(30):
        ...     last = model.learn(data.x[:64])["energy"]
        >>> last < first
        True
    """

    DEFAULT_ETA = {"sgd": 0.01, "nag": 0.003, "adam": 0.01}
    """Learning rates that converge on the built-in bars with 32 latents, at least 3x
    below where each rule fails (the dictionary's updates are summed over the batch)."""

    def __init__(self, n_inputs, n_latents, optim_type="sgd", eta=None, optim_params=None,
                 lmbda=0.1, T=40, tau_m=5.0, dt=1.0, seed=0):
        if not isinstance(T, int) or T < 1:
            raise ValueError(f"T must be a positive integer, got {T!r}")
        eta = self.default_eta(optim_type, eta, optim_params)
        self.config = dict(n_inputs=n_inputs, n_latents=n_latents,
                           **rule_config(optim_type, eta, optim_params), lmbda=lmbda, T=T,
                           tau_m=tau_m, dt=dt, seed=seed)
        self.T, self.dt = T, float(dt)
        self.dictionary = HebbianSynapse(
            "W", (n_latents, n_inputs), eta=eta, optim_type=optim_type,
            optim_params=optim_params, weight_init=initializers.gaussian(0.0, 1.0),
            w_bound=0.0, sign_value=-1.0, seed=seed)
        self._normalize()
        self.synapses = [self.dictionary]
        self.latents = RateCell("z", n_latents, tau_m,
                                threshold=("soft_threshold", lmbda * dt / tau_m))
        self.error = GaussianErrorCell("e", n_inputs)
        self.errors = [self.error]

    def _normalize(self):
        w = self.dictionary.weights
        w /= np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-12)

    def infer(self, x, trace=False):
        """``T`` steps of inference from ``z = 0``.

        Returns:
            The latent code (a view); with ``trace``, the code and a float64 array of the
            ``T + 1`` reconstruction energies ``||x - zW||^2 / 2`` per sample, before the
            first step and after each step.

        Example:
            >>> from ngc_rules.data import bars
            >>> from ngc_rules.models import SparseCoding
            >>> model = SparseCoding(16, 8, T=20, seed=0)
            >>> code, energies = model.infer(bars(n=64, size=4).x, trace=True)
            >>> code.shape, len(energies), bool(energies[-1] < energies[0])
            ((64, 8), 21, True)
        """
        x = np.ascontiguousarray(x, np.float32)
        if self.error.batch_size != len(x):
            self.latents.reset(len(x))
            self.error.reset(len(x))
        self.latents.z[...] = 0
        self.latents.zF[...] = 0
        synapse = self.dictionary
        synapse.inputs, self.error.target = self.latents.zF, x
        energies = []
        for _ in range(self.T):
            synapse.advance_state()
            self.error.mu = synapse.outputs
            self.error.advance_state()
            if trace:
                energies.append(-self.error.L)
            np.matmul(self.error.dmu, synapse.weights.T, out=self.latents.j)
            self.latents.advance_state(self.dt)
        synapse.advance_state()
        self.error.mu = synapse.outputs
        self.error.advance_state()
        if trace:
            energies.append(-self.error.L)
            return self.latents.zF, np.array(energies) / len(x)
        return self.latents.zF

    def learn(self, x):
        """Infer, then one dictionary step; returns the reconstruction energy per sample and
        the fraction of active latents."""
        code = self.infer(x)
        self.dictionary.pre, self.dictionary.post = code, self.error.dmu
        self.dictionary.evolve()
        self._normalize()
        return self._metrics(code)

    def evaluate(self, x):
        """Reconstruction energy per sample and the fraction of active latents on ``x``."""
        return self._metrics(self.infer(x))

    def _metrics(self, code):
        return {"energy": -self.error.L / len(code), "active": float(np.mean(code != 0))}

    def learn_batch(self, data):
        return self.learn(data.x)

    def evaluate_data(self, data):
        return self.evaluate(data.x)

    @property
    def filters(self):
        """The dictionary's rows: one filter per latent cause."""
        return self.dictionary.weights
