"""One PCN training epoch: ngc_rules against the same network built from ngc-learn's parts.

Both networks start from the same weights and see the same mini-batches in the same order:
the feed-forward guess sets the hidden states, ``T`` Euler steps relax them with the input
and label clamped, then every synapse takes one Hebbian Adam step. ngc-learn's network is
wired the way its own discriminative PCN is (rate cells, Gaussian error cells, Hebbian
synapses and transposed feedback synapses) and runs its ``T`` steps in one jitted
``lax.scan``. Only training is timed; accuracy is the arg-max of the feed-forward pass.

    python benchmarks/pcn_epoch.py [--epochs 3]
"""
import argparse
import time

import numpy as np

from ngc_rules import data
from ngc_rules.models import PCN

SETTINGS = dict(sizes=(64, 128, 10), T=20, batch_size=64, eta=0.001, tau_m=10.0, dt=1.0)


def batches(n_samples, batch_size, epoch):
    """The same shuffled, full mini-batches for both networks."""
    order = np.random.default_rng(epoch).permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples - batch_size + 1, batch_size)]


def feed_forward(weights, biases, x):
    z = np.asarray(x, np.float32)
    for l, (w, b) in enumerate(zip(weights, biases)):
        z = (np.tanh(z) if l else z) @ w + b
    return z


class NgclearnPCN:
    """The discriminative PCN of ngc-learn's components, started from ``weights``."""

    def __init__(self, weights, biases, T, batch_size, eta, tau_m, dt):
        from jax import numpy as jnp
        from ngclearn import Context, MethodProcess
        from ngclearn.components import GaussianErrorCell, HebbianSynapse, RateCell
        from ngclearn.components import StaticSynapse
        from ngclearn.utils.distribution_generator import DistributionGenerator
        self.jnp, self.T, self.dt = jnp, T, dt
        sizes = [weights[0].shape[0]] + [w.shape[1] for w in weights]
        hidden_layers = range(1, len(sizes) - 1)
        with Context("pcn_benchmark") as self.context:
            self.W = [HebbianSynapse(f"W{l}", shape=(sizes[l - 1], sizes[l]), eta=eta,
                                     bias_init=DistributionGenerator.constant(value=0.0), w_bound=0.0,
                                     optim_type="adam", sign_value=-1.0, batch_size=batch_size)
                      for l in range(1, len(sizes))]
            self.e = [GaussianErrorCell(f"e{l}", n_units=sizes[l], batch_size=batch_size)
                      for l in range(1, len(sizes))]
            self.z = [RateCell(f"z{l}", n_units=sizes[l], tau_m=tau_m, act_fx="tanh",
                               prior=("gaussian", 0.0), integration_type="euler",
                               batch_size=batch_size) for l in hidden_layers]
            self.E = [StaticSynapse(f"E{l + 1}", shape=(sizes[l + 1], sizes[l]),
                                    batch_size=batch_size) for l in hidden_layers]
            for l, cell in enumerate(self.z):
                cell.zF >> self.W[l + 1].inputs
                cell.zF >> self.W[l + 1].pre
                cell.z >> self.e[l].target
                self.e[l].dtarget >> cell.j_td
                self.e[l + 1].dmu >> self.E[l].inputs
                self.E[l].outputs >> cell.j
            for synapse, error in zip(self.W, self.e):
                synapse.outputs >> error.mu
                error.dmu >> synapse.post
            predict = MethodProcess("predict")
            for part in self.W + self.e:
                predict >> part.advance_state
            relax = MethodProcess("relax")
            for part in self.E + self.z + self.W + self.e:
                relax >> part.advance_state
            evolve = MethodProcess("evolve")
            for synapse in self.W:
                evolve >> synapse.evolve
            reset = MethodProcess("reset")
            for part in self.W + self.e + self.z + self.E:
                reset >> part.reset
        self.predict, self.relax, self.evolve, self.reset = predict, relax, evolve, reset
        for synapse, w, b in zip(self.W, weights, biases):
            synapse.weights.set(jnp.asarray(w))
            synapse.biases.set(jnp.asarray(b).reshape(1, -1))
        self._tie_feedback()

    def _tie_feedback(self):
        for feedback, synapse in zip(self.E, self.W[1:]):
            feedback.weights.set(self.jnp.transpose(synapse.weights.get()))

    def learn(self, x, y):
        from ngcsimlib.global_state import stateManager
        jnp = self.jnp
        self.reset.run()
        self.W[0].inputs.set(jnp.asarray(x))
        self.W[0].pre.set(jnp.asarray(x))
        self.e[-1].target.set(jnp.asarray(y))
        z = jnp.asarray(x)
        for synapse, cell in zip(self.W, self.z):
            z = z @ synapse.weights.get() + synapse.biases.get()
            cell.z.set(z)
            cell.zF.set(jnp.tanh(z))
        self.predict.run(dt=self.dt)
        rows = jnp.array(self.relax.pack_rows(self.T, dt=lambda _: self.dt))
        stateManager.state, _ = self.relax.scan(rows)
        self.evolve.run(t=float(self.T), dt=self.dt)
        self._tie_feedback()

    def parameters(self):
        return ([np.asarray(s.weights.get()) for s in self.W],
                [np.asarray(s.biases.get()).ravel() for s in self.W])


class NgcRulesPCN:
    def __init__(self, settings):
        self.model = PCN(settings["sizes"], optim_type="adam", eta=settings["eta"],
                         T=settings["T"], tau_m=settings["tau_m"], dt=settings["dt"], seed=0)

    def learn(self, x, y):
        self.model.learn(x, y)

    def parameters(self):
        synapses = self.model.synapses
        return [s.weights for s in synapses], [s.biases.ravel() for s in synapses]


def measure(epochs=3, settings=SETTINGS):
    """Both networks trained ``epochs`` epochs (plus one to compile) on the built-in digits,
    their epochs interleaved so that drifts of the machine hit both alike; a dict of
    results (ngc-learn's entry is ``None`` when it is not installed)."""
    train_set, test_set = data.split(data.digits(), seed=0)
    ours = NgcRulesPCN(settings)
    weights, biases = ours.parameters()
    networks = {"ngc_rules": ours}
    try:
        networks["ngc-learn"] = NgclearnPCN(
            [w.copy() for w in weights], [b.copy() for b in biases], settings["T"],
            settings["batch_size"], settings["eta"], settings["tau_m"], settings["dt"])
    except ImportError:
        networks["ngc-learn"] = None
    seconds = {name: [] for name, network in networks.items() if network is not None}
    for epoch in range(epochs + 1):
        for name in seconds:
            started = time.perf_counter()
            for rows in batches(len(train_set), settings["batch_size"], epoch):
                networks[name].learn(train_set.x[rows], train_set.y[rows])
            seconds[name].append(time.perf_counter() - started)
    results = {"settings": {**settings, "sizes": list(settings["sizes"]), "epochs": epochs,
                            "train": len(train_set), "test": len(test_set)},
               "ngc-learn": None}
    for name, times in seconds.items():
        prediction = feed_forward(*networks[name].parameters(), test_set.x)
        # the first epoch includes compilation; it is reported apart
        results[name] = {"first_epoch_s": times[0], "epoch_s": float(np.median(times[1:])),
                         "epoch_spread_s": [min(times[1:]), max(times[1:])],
                         "accuracy": float(np.mean(prediction.argmax(axis=1)
                                                   == test_set.labels))}
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    results = measure(parser.parse_args().epochs)
    for name in ("ngc_rules", "ngc-learn"):
        row = results[name]
        print(f"{name:10} " + ("not installed" if row is None else
                               f"{1e3 * row['epoch_s']:8.1f} ms/epoch  "
                               f"first {1e3 * row['first_epoch_s']:8.1f} ms  "
                               f"accuracy {100 * row['accuracy']:.1f}%"))


if __name__ == "__main__":
    main()
