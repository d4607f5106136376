"""Diehl & Cook (2015), one training presentation: ngc_rules's ``DiehlCook`` against the same
network built from ngc-learn 3.2.1's components (``dc_peer``, at its best: a presentation
is one jitted call, its steps one ``lax.scan``) and a hand-written Numba bound
(``dc_bound``), in one run, as samples per second.

    python benchmarks/diehl_cook.py [--samples N] [--rounds R] [--json out.json]
                                    [--mnist-size] [--steps T] [--rest S] [--rate HZ]
                                    [--no-accuracy]

All networks start from the same weights (W1 drawn from ``uniform(0, 0.3)`` as ngc-learn's
museum draws it, copied into each) and see the same inputs: the built-in 8x8 digits
(64 inputs, 100 excitatory neurons), or with ``--mnist-size`` random 784-pixel images of
MNIST's sparsity. Each network is built and presented once (that compiles; reported
apart), warmed up, then timed in interleaved rounds of ``N`` learning presentations (ours,
peer, bound, ours, ...): samples per second, the median over rounds ± half the
interquartile range, and speed ratios per round. On the digits, each network whose
``present`` returns the excitatory spike counts then learns one epoch (unsupervised) and is
scored (:func:`accuracy`). ngc-learn runs where it is importable (with the same numpy, e.g.
``PYTHONPATH=<ngc-learn's site-packages>``); a network that is missing is reported and the
others still run.
"""
import argparse
import json
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from dc_bound import BoundDiehlCook  # noqa: E402
from run import machine  # noqa: E402
from timing import summary  # noqa: E402

from ngc_rules import data  # noqa: E402

OURS, PEER, BOUND = "ngc_rules DiehlCook", "ngc-learn 3.2.1 (jit, scan)", "Numba bound"
MUSEUM_RATE = 63.75
"""ngc-learn's museum rate (Hz) for MNIST (784 inputs, ``w_norm`` 78.4)."""
DIGITS_RATE = 4 * MUSEUM_RATE
"""For the 8x8 digits (``w_norm`` 6.4, twelve times less input than MNIST's 78.4): the
lowest rate tried (63.75 to 781 Hz) at which no digit needs a repeat and the accuracy
reaches its plateau; the input drive ``rate * w_norm * mean intensity`` is then close to
MNIST's at 63.75 Hz (255 * 6.4 * 0.31 = 506 against 63.75 * 78.4 * 0.13 = 650)."""
MIN_SPIKES, BOOST_HZ, MAX_PRESENTATIONS = 5, 32.0, 20
"""Diehl & Cook: fewer than 5 excitatory spikes, and the input is shown again 32 Hz faster."""


class Ours:
    """``ngc_rules.models.DiehlCook`` behind the harness's ``present(x, learn)``."""

    def __init__(self, model):
        self.model = model

    def present(self, x, learn=True):
        return self.model.present(x, learn=learn)


def ours(n_inputs, n_neurons, steps, dt, weights, seed, target_freq=MUSEUM_RATE, w_norm=None,
         rest_steps=0):
    """Our network with these weights, or ImportError when ``DiehlCook`` is not there."""
    from ngc_rules.models import DiehlCook
    model = DiehlCook(n_inputs=n_inputs, n_neurons=n_neurons, steps=steps, dt=dt, seed=seed,
                      rest_time=rest_steps * dt, target_freq=target_freq,
                      w_norm=78.4 * n_inputs / 784 if w_norm is None else w_norm)
    model.W1.weights[...] = weights
    return Ours(model)


def _unavailable(reason):
    def factory(*args, **kwargs):
        raise ImportError(reason)
    return factory


try:  # imported here, so that building a network is timed without the imports
    from dc_peer import NgclearnDiehlCook
except ImportError as error:  # no ngc-learn here
    NgclearnDiehlCook = _unavailable(str(error))

FACTORIES = {OURS: ours, PEER: NgclearnDiehlCook, BOUND: BoundDiehlCook}


def breakdown(network, x):
    """HOOK: where our presentation spends its time, if the model reports it:
    ``model.time_breakdown(x)`` -> ``{part: seconds per presentation}``; else None."""
    model = getattr(network, "model", None)
    return model.time_breakdown(x) if hasattr(model, "time_breakdown") else None


def wait(network):
    """Waits for work still queued (JAX dispatches asynchronously)."""
    getattr(network, "wait", lambda: None)()


def images(mnist_size, seed=0):
    """``(train, test)`` inputs: the digits' fixed 80/20 split, or random images with
    MNIST's sparsity (19% of the pixels on, mean intensity 0.13) and no labels."""
    if not mnist_size:
        return data.split(data.digits(), seed=0)
    rng = np.random.default_rng(seed)
    x = (rng.random((2000, 784)) < 0.19) * rng.uniform(0.36, 1.0, (2000, 784))
    return data.from_arrays(x.astype(np.float32), None, image_shape=(28, 28)), None


def build(name, settings, weights, first=True):
    """``(network, {build_s, first_presentation_s})``: a network of ``FACTORIES`` with these
    weights, presented ``settings["x0"]`` once (when ``first``: that compiles)."""
    started = time.perf_counter()
    network = FACTORIES[name](settings["n_inputs"], settings["n_neurons"], settings["steps"],
                              settings["dt"], weights.copy(), settings["seed"],
                              target_freq=settings["rate"], rest_steps=settings["rest"])
    built = time.perf_counter()
    if first:
        network.present(settings["x0"])
        wait(network)
    return network, {"build_s": built - started,
                     "first_presentation_s": time.perf_counter() - built}


def build_all(settings, weights, first=True):
    """``{name: network}``, ``{name: startup times}``, ``{name: why it is missing}`` (not
    importable, or not offering what the adapter uses)."""
    networks, startup, missing = {}, {}, {}
    for name in FACTORIES:
        try:
            networks[name], startup[name] = build(name, settings, weights, first)
        except (ImportError, AttributeError, TypeError) as error:
            missing[name] = f"{type(error).__name__}: {error}"
    return networks, startup, missing


def time_rounds(networks, pool, samples, rounds, warm_up=3):
    """Samples per second of each network in each of the interleaved rounds, and its mean
    excitatory spikes per presentation (when ``present`` returns the counts)."""
    for network in networks.values():
        for x in pool[:warm_up]:
            network.present(x)
        wait(network)
    speeds, spikes = {name: [] for name in networks}, {name: [] for name in networks}
    for r in range(rounds):
        batch = pool[np.arange(r * samples, (r + 1) * samples) % len(pool)]
        for name, network in networks.items():
            started = time.perf_counter()
            counts = [network.present(x) for x in batch]
            wait(network)
            speeds[name].append(samples / (time.perf_counter() - started))
            if all(np.ndim(c) == 1 for c in counts):
                spikes[name].append(float(np.mean([np.sum(c) for c in counts])))
    return speeds, {name: float(np.mean(s)) if s else None for name, s in spikes.items()}


def ratios(speeds):
    """Speed ratios per round pair, ``{"a / b": (median, spread)}``."""
    pairs = [(OURS, PEER), (BOUND, PEER), (OURS, BOUND)]
    return {f"{a} / {b}": summary([x / y for x, y in zip(speeds[a], speeds[b])])
            for a, b in pairs if a in speeds and b in speeds}


def spike_counts(network, x, learn, rate):
    """Diehl & Cook's presentation: shown again ``BOOST_HZ`` faster (the intensities scaled)
    while the excitatory layer fires fewer than ``MIN_SPIKES``; the last counts (None if
    ``present`` returns no counts) and the number of presentations."""
    for shown in range(1, MAX_PRESENTATIONS + 1):
        boost = 1.0 + (shown - 1) * BOOST_HZ / rate
        counts = network.present(x * np.float32(boost), learn=learn)
        if np.ndim(counts) != 1:
            return None, shown
        if np.sum(counts) >= MIN_SPIKES:
            break
    return np.asarray(counts), shown


def accuracy(network, train, test, rate):
    """One unsupervised epoch on ``train``; every neuron labelled with the class it fires
    most for (mean counts, learning off); a test digit's class the one whose neurons fire
    most on average. None when ``present`` does not return the excitatory spike counts.
    The times include the compilations of a fresh network."""
    started = time.perf_counter()
    first, shown = spike_counts(network, train.x[0], True, rate)
    if first is None:
        return None
    presentations = [shown] + [spike_counts(network, x, True, rate)[1] for x in train.x[1:]]
    trained = time.perf_counter()
    responses = np.array([spike_counts(network, x, False, rate)[0] for x in train.x])
    per_class = np.array([responses[train.labels == c].mean(axis=0) for c in range(10)])
    assigned = per_class.argmax(axis=0)
    test_counts = np.array([spike_counts(network, x, False, rate)[0] for x in test.x])
    votes = np.stack([test_counts[:, assigned == c].mean(axis=1) if np.any(assigned == c)
                      else np.full(len(test.x), -1.0) for c in range(10)], axis=1)
    return {"accuracy": float(np.mean(votes.argmax(axis=1) == test.labels)),
            "train_s": trained - started, "label_and_test_s": time.perf_counter() - trained,
            "train_presentations": int(sum(presentations)),
            "shown_again": int(sum(p > 1 for p in presentations)),
            "mean_train_spikes": float(responses.sum(axis=1).mean()),
            "classes_with_neurons": int(len(set(assigned.tolist())))}


def measure(samples=20, rounds=9, mnist_size=False, steps=250, rest=0, rate=None,
            with_accuracy=True, n_neurons=100, dt=1.0, seed=0):
    train, test = images(mnist_size, seed)
    n_inputs = train.x.shape[1]
    rate = rate or (MUSEUM_RATE if mnist_size else DIGITS_RATE)
    settings = {"n_inputs": n_inputs, "n_neurons": n_neurons, "steps": steps, "dt": dt,
                "rest": rest, "rate": rate, "seed": seed, "w_norm": 78.4 * n_inputs / 784,
                "samples_per_round": samples, "rounds": rounds, "batch_size": 1,
                "inputs": "random MNIST-sized images" if mnist_size else "8x8 digits",
                "x0": train.x[0]}
    weights = np.random.default_rng(seed).uniform(0.0, 0.3, (n_inputs, n_neurons))
    weights = weights.astype(np.float32)
    networks, startup, missing = build_all(settings, weights)
    speeds, spikes = time_rounds(networks, train.x, samples, rounds)
    results = {"machine": machine(),
               "settings": {k: v for k, v in settings.items() if k != "x0"},
               "startup": startup, "missing": missing, "per_round": speeds,
               "samples_per_s": {name: summary(s) for name, s in speeds.items()},
               "spikes_per_presentation": spikes,
               "ratios": ratios(speeds),
               "breakdown": breakdown(networks[OURS], train.x[0]) if OURS in networks else None,
               "accuracy": {}}
    if with_accuracy and not mnist_size:
        fresh, _, _ = build_all(settings, weights, first=False)
        results["accuracy"] = {name: accuracy(network, train, test, rate)
                               for name, network in fresh.items()}
    return results


def report(results):
    s, m = results["settings"], results["machine"]
    lines = [f"Diehl & Cook, {s['n_inputs']} inputs ({s['inputs']}) x {s['n_neurons']} "
             f"excitatory neurons, {s['steps']} steps of {s['dt']} ms + {s['rest']} rest, "
             f"input {s['rate']:g} Hz, w_norm {s['w_norm']:g}, batch 1, learning on; "
             f"{s['rounds']} interleaved rounds of {s['samples_per_round']} presentations.",
             f"Machine: {m['processor']} ({m['cores']} cores), {m['platform']}; " +
             ", ".join(f"{k} {v}" for k, v in m["versions"].items()
                       if v != "not installed") + ".", "",
             "| network | samples/s (median ± half IQR) | build | first presentation "
             "(compiles) | excitatory spikes per presentation |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for name, (median, spread) in results["samples_per_s"].items():
        st, spikes = results["startup"][name], results["spikes_per_presentation"][name]
        lines.append(f"| {name} | {median:,.1f} ± {spread:,.1f} | {st['build_s']:.2f} s | "
                     f"{st['first_presentation_s']:.2f} s | "
                     f"{'—' if spikes is None else f'{spikes:.1f}'} |")
    lines += [f"| {name} | {why} | | | |" for name, why in results["missing"].items()]
    if results["ratios"]:
        lines += ["", "| speed ratio (per round) | median ± half IQR |", "| --- | ---: |"]
        lines += [f"| {pair} | {median:.2f}x ± {spread:.2f} |"
                  for pair, (median, spread) in results["ratios"].items()]
    if results["breakdown"]:
        lines += ["", "| ngc_rules: part of a presentation | µs |", "| --- | ---: |"]
        lines += [f"| {part} | {1e6 * sec:.1f} |" for part, sec in results["breakdown"].items()]
    if results["accuracy"]:
        lines += ["", f"Digits, one unsupervised epoch ({MIN_SPIKES}-spike minimum, "
                      f"+{BOOST_HZ:g} Hz per repeat), neurons labelled on the training set:", "",
                  "| network | test accuracy | train | label + test | shown again "
                  "| spikes per digit | classes with neurons |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for name, row in results["accuracy"].items():
            lines.append(f"| {name} | n/a: present() gives no spike counts | | | | | |"
                         if row is None else
                         f"| {name} | {100 * row['accuracy']:.1f}% | {row['train_s']:.1f} s | "
                         f"{row['label_and_test_s']:.1f} s | {row['shown_again']} | "
                         f"{row['mean_train_spikes']:.1f} | {row['classes_with_neurons']} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20, help="presentations per round")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--mnist-size", action="store_true", help="784 inputs")
    parser.add_argument("--steps", type=int, default=250)
    parser.add_argument("--rest", type=int, default=0, help="steps without input after")
    parser.add_argument("--rate", type=float, help="input rate in Hz of an intensity of 1")
    parser.add_argument("--no-accuracy", action="store_true")
    args = parser.parse_args(argv)
    results = measure(args.samples, args.rounds, args.mnist_size, args.steps, args.rest,
                      args.rate, not args.no_accuracy)
    print(report(results))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
