"""STDP with a rule attached: the Diehl & Cook network on the built-in digits, its input
weights moved by ngc-learn's additive update, by SGD with momentum or by Adam, each on the
same trace-STDP direction and the same training samples.

    python examples/stdp_rules.py [--neurons 50] [--steps 150] [--samples 1200]
                                  [--chunk 100] [--test-every 200] [--train N]
                                  [--eta RULE=VALUE] [--rules additive momentum adam]
                                  [--figures DIR]

With a rule attached each sample runs component by component from Python, about 50 times
slower than the compiled presentation of the additive update here: hence the smaller
network and fewer samples than in examples/spiking_digits.py.
"""
import argparse
import os
import time

import numpy as np
from matplotlib.figure import Figure

from ngc_rules import data
from ngc_rules.models import DiehlCook
from ngc_rules.plots import plot_filters, plot_learning_curves

RULES = {"additive": {"optim_type": None, "eta": 1.0},  # ngc-learn's W + eta dW
         "momentum": {"optim_type": "momentum", "eta": 0.03},
         "adam": {"optim_type": "adam", "eta": 3e-4}}
"""Each rule and the learning rate found for it (see docs/tutorials/stdp_rules.md)."""


def labelled_accuracy(model, train, test):
    """Label the network with ``train`` and return its accuracy on ``test``, then put back
    the read-out's record kept while learning (``label`` replaces it); the presentations
    themselves leave the model as it was."""
    kept = model.responses.copy(), model.seen.copy()
    model.label(train)
    accuracy = model.evaluate_data(test)["accuracy"]
    model.responses, model.seen = kept
    return accuracy


def train_rule(rule, eta, train, test, args):
    """Train a fresh network with ``rule`` at rate ``eta`` on ``args.samples`` training
    samples, in chunks of ``args.chunk``; returns the model and its learning curve, one row
    per chunk (samples seen, the read-out's accuracy while learning, spikes per sample, and
    the test accuracy every ``args.test_every`` samples)."""
    model = DiehlCook(n_inputs=64, n_neurons=args.neurons, steps=args.steps,
                      image_shape=(8, 8), seed=0, **{**RULES[rule], "eta": eta})
    curve, seconds = [{"epoch": 0, "test_accuracy": labelled_accuracy(model, train, test)}], 0.0
    for start in range(0, args.samples, args.chunk):
        rows = np.arange(start, min(start + args.chunk, args.samples)) % len(train)
        started = time.perf_counter()
        metrics = model.learn_batch(train.take(rows))
        seconds += time.perf_counter() - started
        row = {"epoch": start + len(rows), "spikes": metrics["spikes"],
               # the read-out as it stood before the chunk: none before the first one
               "accuracy": metrics["train_accuracy"] if start else float("nan")}
        if row["epoch"] % args.test_every == 0 or row["epoch"] == args.samples:
            row["test_accuracy"] = labelled_accuracy(model, train, test)
        curve.append(row)
    curve[-1]["seconds"] = seconds
    return model, curve


def plot_fields(models, curves, path):
    """The receptive fields of each rule's network, side by side, by assigned class."""
    columns = 5
    rows = -(-max(model.n_neurons for model in models.values()) // columns)
    fig = Figure(figsize=(4.6 * len(models), 0.95 * rows + 1.0), layout="constrained")
    for subfig, (rule, model) in zip(fig.subfigures(1, len(models)), models.items()):
        assigned = model.assignments()
        order = np.argsort(assigned, kind="stable")
        plot_filters(model.W1.weights.T[order], (8, 8), fig=subfig, columns=columns,
                     title=f"{rule}: test accuracy "
                           f"{100 * curves[rule][-1]['test_accuracy']:.1f}%")
        for ax, label in zip(subfig.axes, assigned[order]):
            ax.set_title(str(label) if label >= 0 else "-", fontsize="x-small", pad=1)
            for picture in ax.images:   # weights are >= 0: black 0, white the largest
                picture.set_clim(0, picture.get_array().max())
    fig.suptitle("Receptive fields by assigned class, by rule on the STDP direction")
    fig.savefig(path, dpi=110)
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=50, help="excitatory neurons")
    parser.add_argument("--steps", type=int, default=150, help="ms per presentation")
    parser.add_argument("--samples", type=int, default=1200,
                        help="training samples shown (cycling through the training set)")
    parser.add_argument("--train", type=int,
                        help="use only the first N training samples, to learn and to label")
    parser.add_argument("--chunk", type=int, default=100,
                        help="samples per point of the learning curve")
    parser.add_argument("--test-every", type=int, default=200,
                        help="label and test the network every so many samples")
    parser.add_argument("--rules", nargs="+", choices=tuple(RULES), default=tuple(RULES))
    parser.add_argument("--eta", action="append", default=[], metavar="RULE=VALUE",
                        help="another learning rate for a rule, e.g. momentum=0.1")
    parser.add_argument("--figures", help="write stdp_rules.png and stdp_rules_filters.png "
                                          "here")
    args = parser.parse_args(argv)

    etas = {rule: settings["eta"] for rule, settings in RULES.items()}
    for given in args.eta:
        rule, _, value = given.partition("=")
        try:
            if rule not in RULES:
                raise ValueError(rule)
            etas[rule] = float(value)
        except ValueError:
            parser.error(f"--eta {given}: expected RULE=VALUE, RULE one of "
                         f"{', '.join(RULES)}")
    train, test = data.split(data.digits(), test_fraction=0.2, seed=0)
    if args.train:
        train = train.take(np.arange(min(args.train, len(train))))
    models, curves = {}, {}
    for rule in args.rules:
        models[rule], curves[rule] = train_rule(rule, etas[rule], train, test, args)
        last = curves[rule][-1]
        tests = ", ".join(f"{row['epoch']}: {100 * row['test_accuracy']:.1f}%"
                          for row in curves[rule] if "test_accuracy" in row)
        print(f"{rule:>8} (eta {etas[rule]:g}): test accuracy by samples seen {tests}; "
              f"{last['spikes']:.1f} spikes per sample at the end, "
              f"{100 * np.mean(models[rule].W1.weights < 1e-3):.0f}% of the weights below "
              f"0.001, "
              f"{last['seconds']:.0f} s of learning")
    if args.figures:
        os.makedirs(args.figures, exist_ok=True)
        plot_learning_curves(
            curves, ["accuracy", "test_accuracy", "spikes"],
            os.path.join(args.figures, "stdp_rules.png"),
            f"Diehl & Cook, {args.neurons} neurons, {args.steps} ms per digit: learning "
            f"by rule on the STDP direction",
            configs={rule: {**models[rule].config, "optim_type": models[rule].config[
                "optim_type"] or "additive"} for rule in models},
            ylabels={"accuracy": "read-out accuracy: while learning (train),\n"
                                 "after labelling with the training set (test)",
                     "spikes": "excitatory spikes per sample (while learning)"},
            xlabel="training samples seen")
        plot_fields(models, curves, os.path.join(args.figures, "stdp_rules_filters.png"))
    return curves


if __name__ == "__main__":
    main()
