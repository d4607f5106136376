"""A spiking network that learns digits with STDP: Diehl & Cook (2015) on the built-in 8x8
digits, trained without labels, then labelled with the training set and tested.

    python examples/spiking_digits.py [--neurons 100] [--steps 350] [--epochs 2]
                                      [--train N] [--figures DIR]
"""
import argparse
import os

import numpy as np
from matplotlib.figure import Figure

from ngc_rules import data
from ngc_rules.models import DiehlCook
from ngc_rules.plots import plot_filters
from ngc_rules.training import fit


class WatchedDiehlCook(DiehlCook):
    """The network, also recording after every batch each neuron's adaptive threshold, the
    spikes per sample and the read-out's accuracy while learning (``fit``'s history keeps
    one row per epoch)."""

    def __init__(self, **settings):
        super().__init__(**settings)
        self.watch = {"samples": [0], "thresholds": [self.z1e.thr_theta[0].copy()],
                      "spikes": [np.nan], "accuracy": [np.nan]}

    def learn_batch(self, batch):
        metrics = super().learn_batch(batch)
        watch = self.watch
        watch["samples"].append(watch["samples"][-1] + len(batch))
        watch["thresholds"].append(self.z1e.thr_theta[0].copy())
        watch["spikes"].append(metrics["spikes"])
        watch["accuracy"].append(metrics["train_accuracy"])
        return metrics


def plot_raster(model, x, label, path):
    """The digit, then the spikes of one presentation (learning off): excitatory neurons
    sorted by their assigned class, and their inhibitory partners in the same rows."""
    excitatory, inhibitory = model.raster(x)
    assigned = model.assignments()
    order = np.argsort(assigned, kind="stable")
    rows = assigned[order]
    times = np.arange(model.steps) * model.dt
    fig = Figure(figsize=(12, 4.5), layout="constrained")
    image, exc, inh = fig.subplots(1, 3, width_ratios=[1, 3, 3])
    image.imshow(x.reshape(model.image_shape or (8, 8)), cmap="gray_r", vmin=0, vmax=1)
    image.set_title(f"input: a {label}")
    image.set_axis_off()
    bounds = [k for k in range(1, len(rows)) if rows[k] != rows[k - 1]]
    starts, ends = [0, *bounds], [*bounds, len(rows)]
    for ax, spikes, colour, name in ((exc, excitatory[:, order], "C0", "excitatory"),
                                     (inh, inhibitory[:, order], "C3", "inhibitory")):
        steps, neurons = np.nonzero(spikes)
        ax.scatter(times[steps], neurons, s=60, marker="|", linewidths=1.5, color=colour)
        for k in bounds:
            ax.axhline(k - 0.5, color="gray", lw=0.4)
        ax.set_yticks([(a + b - 1) / 2 for a, b in zip(starts, ends)],
                      [str(rows[a]) if rows[a] >= 0 else "-" for a in starts])
        active = int(spikes.any(axis=0).sum())
        ax.set(xlim=(0, times[-1] + model.dt), ylim=(-1, model.n_neurons),
               xlabel="time (ms)", title=f"{name} layer: {int(spikes.sum())} spikes from "
                                         f"{active} neuron{'s' * (active != 1)}")
        ax.grid(alpha=0.3, axis="x")
    exc.set_ylabel("neurons, grouped by assigned class")
    inh.set_ylabel("each in the row of the excitatory neuron it answers")
    counts = excitatory.sum(axis=0)
    scores = {c: counts[assigned == c].mean() for c in set(assigned.tolist()) - {-1}}
    exc.annotate(f"read-out: {max(scores, key=scores.get)} (the class whose neurons fire "
                 f"most on average)", xy=(0.01, 0.99), xycoords="axes fraction", va="top",
                 fontsize="small", backgroundcolor="white")
    fig.suptitle("One presentation of a test digit after training, learning off")
    fig.savefig(path, dpi=110)
    return fig


def plot_thresholds(watch, path):
    """Each neuron's adaptive threshold over training, the spikes per sample and the
    accuracy of the read-out while learning."""
    samples = np.array(watch["samples"])
    thresholds = np.array(watch["thresholds"])
    fig = Figure(figsize=(14, 4), layout="constrained")
    theta, spikes, accuracy = fig.subplots(1, 3)
    theta.plot(samples, thresholds, color="C0", lw=0.5, alpha=0.35)
    theta.plot(samples, thresholds.mean(axis=1), color="k", lw=2, label="mean")
    theta.set(xlabel="training samples seen", ylabel=r"adaptive threshold $\theta$ (mV)",
              title=r"$\theta$ of every excitatory neuron (+0.05 mV per spike)")
    theta.legend(fontsize="small")
    spikes.plot(samples[1:], np.array(watch["spikes"][1:]), marker=".", color="C2")
    spikes.set(xlabel="training samples seen", ylabel="excitatory spikes per sample",
               title="spikes per sample, mean over each batch", ylim=(0, None))
    accuracy.plot(samples[1:], 100 * np.array(watch["accuracy"][1:]), marker=".", color="C1")
    accuracy.set(xlabel="training samples seen", ylabel="accuracy (%)", ylim=(0, 100),
                 title="read-out accuracy while learning")
    for ax in (theta, spikes, accuracy):
        ax.grid(alpha=0.3)
    fig.savefig(path, dpi=110)
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=100, help="excitatory neurons")
    parser.add_argument("--steps", type=int, default=350, help="ms per presentation")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--train", type=int, help="train on the first N training samples")
    parser.add_argument("--figures", help="write spiking_filters.png, spiking_raster.png "
                                          "and spiking_thresholds.png here")
    args = parser.parse_args(argv)

    train, test = data.split(data.digits(), test_fraction=0.2, seed=0)
    if args.train:
        train = train.take(np.arange(min(args.train, len(train))))
    model = WatchedDiehlCook(n_inputs=64, n_neurons=args.neurons, steps=args.steps,
                             image_shape=(8, 8), seed=0)
    history = fit(model, train, test, args.epochs, batch_size=64, description="Diehl & Cook")
    model.label(train)                  # assign each neuron the class it fires most for
    result = model.evaluate_data(test)  # then read the test set out, learning off
    seconds = sum(row["seconds"] for row in history)
    for row in history[1:]:
        print(f"epoch {row['epoch']}: {row['spikes']:.1f} spikes per sample, mean threshold "
              f"{row['threshold']:.2f} mV, read-out accuracy {100 * row['train_accuracy']:.1f}% "
              f"while learning and {100 * row['accuracy']:.1f}% on the test set, "
              f"{row['seconds']:.1f} s")
    print(f"test accuracy {100 * result['accuracy']:.1f}% (chance 10%), "
          f"{len(set(model.assignments().tolist()) - {-1})} classes have neurons, "
          f"mean rate {result['rate_hz']:.2f} Hz per neuron")
    if args.figures:
        os.makedirs(args.figures, exist_ok=True)
        assigned = model.assignments()
        order = np.argsort(assigned, kind="stable")
        fig = plot_filters(model.W1.weights.T[order], (8, 8),
                           title="Receptive fields (input weights) by assigned class")
        for ax, label in zip(fig.axes, assigned[order]):
            ax.set_title(str(label) if label >= 0 else "-", fontsize="small", pad=2)
            for picture in ax.images:   # weights are >= 0: black 0, white the largest
                picture.set_clim(0, picture.get_array().max())
        fig.savefig(os.path.join(args.figures, "spiking_filters.png"), dpi=110)
        sample = int(np.flatnonzero(test.labels == 3)[0]) if (test.labels == 3).any() else 0
        plot_raster(model, test.x[sample], int(test.labels[sample]),
                    os.path.join(args.figures, "spiking_raster.png"))
        plot_thresholds(model.watch, os.path.join(args.figures, "spiking_thresholds.png"))
    return {"accuracy": result["accuracy"], "history": history, "watch": model.watch,
            "seconds": seconds, "assignments": model.assignments()}


if __name__ == "__main__":
    main()
