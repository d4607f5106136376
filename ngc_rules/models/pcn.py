"""A discriminative predictive-coding network (Whittington & Bogacz, 2017)."""
import numpy as np

from .. import initializers
from ..neurons import GaussianErrorCell, RateCell
from ..synapses import HebbianSynapse
from ._base import Model, rule_config


class PCN(Model):
    """Layers of rate cells and Gaussian error cells joined by Hebbian synapses.

    With the input ``z_0 = x`` clamped and layer ``l`` predicting the next,
    ``mu_l = f(z_{l-1}) W_l + b_l`` and ``e_l = z_l - mu_l``. Training clamps the output
    ``z_L = y``, starts the hidden states at the feed-forward guess ``z_l = mu_l``, and
    relaxes them for ``T`` Euler steps of

    .. math:: \\tau_m \\dot z_l = -e_l + f'(z_l) \\odot (e_{l+1} W_{l+1}^\\top)

    (the feedback weights are the transposed forward weights). Then each synapse takes
    one Hebbian step, ``pre = f(z_{l-1})``, ``post = e_l``, ``sign_value = -1``: descent on
    the energy ``F = sum_l ||e_l||^2 / 2``. Prediction is the feed-forward pass.

    Args:
        sizes: units per layer, input first, e.g. ``(64, 128, 10)``.
        optim_type, eta, optim_params: the learning rule of every synapse (see
            :class:`~ngc_rules.synapses.HebbianSynapse`); ``eta=None`` takes the rule's
            entry in :attr:`DEFAULT_ETA`.
        act_fx: the hidden layers' activation.
        T: inference steps per batch.
        tau_m, dt: the hidden cells' time constant and the Euler step.
        weight_scale: weights start Gaussian with std ``weight_scale / sqrt(fan_in)``.
        seed: seed of the initial weights.

    Example:
        >>> from ngc_rules.data import gaussian_clusters
        >>> from ngc_rules.models import PCN
        >>> data = gaussian_clusters(n=256, n_classes=3, dim=8)
        >>> model = PCN((8, 16, 3), optim_type="adam", eta=0.01, T=10, seed=0)
        >>> for _ in range(20):
        ...     metrics = model.learn(data.x[:64], data.y[:64])
        >>> model.evaluate(data.x, data.labels)["accuracy"] > 0.9
        True
    """

    DEFAULT_ETA = {"sgd": 0.003, "nag": 0.001, "adam": 0.001}
    """Learning rates that converge on the built-in digits, about 3x below where each rule
    diverges (updates are summed over the batch, as ngc-learn's synapses do)."""

    def __init__(self, sizes, optim_type="adam", eta=None, optim_params=None, act_fx="tanh",
                 T=20, tau_m=10.0, dt=1.0, weight_scale=1.0, seed=0):
        sizes = [int(n) for n in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two positive layer sizes, got {sizes}")
        if not isinstance(T, int) or T < 1:
            raise ValueError(f"T must be a positive integer, got {T!r}")
        eta = self.default_eta(optim_type, eta, optim_params)
        self.config = dict(sizes=sizes, **rule_config(optim_type, eta, optim_params),
                           act_fx=act_fx, T=T, tau_m=tau_m, dt=dt, weight_scale=weight_scale,
                           seed=seed)
        self.T, self.dt = T, float(dt)
        rng = np.random.default_rng(seed)
        init = initializers.fan_in_gaussian(weight_scale)
        rule = dict(optim_type=optim_type, eta=eta, optim_params=optim_params)
        self.synapses = [
            HebbianSynapse(f"W{l}", (sizes[l - 1], sizes[l]), weight_init=init,
                           bias_init=initializers.constant(0.0), w_bound=0.0, sign_value=-1.0,
                           seed=rng.integers(2**32), **rule)
            for l in range(1, len(sizes))]
        self.hidden = [RateCell(f"z{l}", sizes[l], tau_m, act_fx=act_fx)
                       for l in range(1, len(sizes) - 1)]
        self.errors = [GaussianErrorCell(f"e{l}", sizes[l]) for l in range(1, len(sizes))]

    def _resize(self, batch):
        if self.errors[0].batch_size != batch:
            for cell in self.hidden + self.errors:
                cell.reset(batch)

    def _predict_layers(self):
        """``mu_l`` from the current states, into each synapse's ``outputs``. ``mu_1`` sees
        only the clamped input, so it keeps its value from the feed-forward pass."""
        for synapse in self.synapses[1:]:
            synapse.advance_state()

    def _feed_forward(self, x):
        """Set every hidden state to its prediction, layer by layer; returns ``mu_L``."""
        self._resize(len(x))
        self.synapses[0].inputs = np.ascontiguousarray(x, np.float32)
        for synapse, cell, following in zip(self.synapses, self.hidden, self.synapses[1:]):
            synapse.advance_state()
            cell.set_state(synapse.outputs)
            following.inputs = cell.zF
        self.synapses[-1].advance_state()
        return self.synapses[-1].outputs

    def _wire(self, y):
        """Point each error cell at its prediction and target, and each hidden cell's
        top-down current at its error cell's ``dtarget = -e``, as ngc-learn's wiring
        does: the arrays are shared, so the steps copy nothing."""
        targets = [cell.z for cell in self.hidden] + [y]
        for error, synapse, target in zip(self.errors, self.synapses, targets):
            error.mu, error.target = synapse.outputs, target
        for cell, error in zip(self.hidden, self.errors):
            cell.j_td = error.dtarget

    def _errors(self):
        energy = 0.0
        for error in self.errors:
            error.advance_state()
            energy -= error.L
        return energy

    def infer(self, x, y, trace=False):
        """Relax the hidden states for ``T`` steps with ``x`` and ``y`` clamped.

        Returns:
            The energy ``F`` per sample before and after inference; with ``trace``, a
            float64 array of the ``T + 1`` energies per sample, before the first step and
            after each step.

        Example:
            >>> from ngc_rules.data import gaussian_clusters
            >>> from ngc_rules.models import PCN
            >>> data = gaussian_clusters(n=64, n_classes=3, dim=8)
            >>> model = PCN((8, 16, 3), T=10, seed=0)
            >>> energies = model.infer(data.x, data.y, trace=True)
            >>> len(energies), bool(energies[-1] < energies[0])
            (11, True)
        """
        self._feed_forward(x)
        self._wire(np.ascontiguousarray(y, np.float32))
        start = self._errors()
        energies = [start]
        for _ in range(self.T):
            for l, cell in enumerate(self.hidden):
                np.matmul(self.errors[l + 1].dmu, self.synapses[l + 1].weights.T, out=cell.j)
                cell.advance_state(self.dt)
            self._predict_layers()
            end = self._errors()
            if trace:
                energies.append(end)
        if trace:
            return np.array(energies) / len(x)
        return start / len(x), end / len(x)

    def learn(self, x, y):
        """Infer, then one Hebbian step per synapse; returns ``{"energy": F per sample}``
        (after inference, before the weights moved).

        Every synapse's update is computed and checked before any synapse moves. With
        ``optim_params={"on_nonfinite": "raise"}`` a NaN or inf in any update refuses the
        whole step: no weight, bias or learning state changes (``dWeights`` and
        ``dBiases`` keep the refused updates, to inspect). With ``"skip"`` each synapse
        skips its own non-finite update and the others learn: each synapse learns from
        its own local signals, as in ngc-learn, so a finite update is sound for its layer
        on its own, and :attr:`skipped_steps` then tells which layer diverged.
        """
        _, energy = self.infer(x, y)
        for synapse, error in zip(self.synapses, self.errors):
            synapse.pre, synapse.post = synapse.inputs, error.dmu
            synapse.compute_update()
        for synapse in self.synapses:
            synapse.check_update()
        for synapse in self.synapses:
            synapse.apply_update()
        return {"energy": energy}

    def predict(self, x):
        """The feed-forward prediction ``mu_L`` for inputs ``x`` (a new array)."""
        return self._feed_forward(x).copy()

    def evaluate(self, x, labels, batch_size=512):
        """Accuracy (arg-max of the prediction), mean squared error against the one-hot
        labels, and the energy per sample after inference with the labels clamped."""
        labels = np.asarray(labels)
        n_out = self.synapses[-1].shape[1]
        hits = squared_error = energy = 0.0
        for i in range(0, len(x), batch_size):
            one_hot = np.eye(n_out, dtype=np.float32)[labels[i:i + batch_size]]
            prediction = self._feed_forward(x[i:i + batch_size])
            hits += np.sum(prediction.argmax(axis=1) == labels[i:i + batch_size])
            squared_error += float(np.sum((prediction - one_hot) ** 2))
            energy += self.infer(x[i:i + batch_size], one_hot)[1] * len(one_hot)
        n = max(len(x), 1)
        return {"accuracy": float(hits) / n, "mse": squared_error / n, "energy": energy / n}

    def learn_batch(self, data):
        return self.learn(data.x, data.y)

    def evaluate_data(self, data):
        return self.evaluate(data.x, data.labels)
