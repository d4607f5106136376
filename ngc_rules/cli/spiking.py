"""``ngc-rules train --model diehl-cook``: the spiking model, Diehl & Cook's read-out after
training, and its figures."""
import os

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..models import DiehlCook, readout
from ..plots import plot_filters, plot_learning_curves
from ..spike_plots import plot_raster
from ..training import describe_rule

CURVES = ["accuracy", "rate_hz", "spikes", "threshold"]
YLABELS = {"accuracy": "test accuracy\n(classes read out while learning)",
           "rate_hz": "test firing rate per excitatory neuron (Hz)",
           "spikes": "excitatory spikes per training sample",
           "threshold": r"mean adaptive threshold $\theta$ (mV)"}
FILTERS_SHOWN = 100
"""At most this many receptive fields are drawn (a 10 x 10 grid)."""


def new_model(args, rule, train):
    """The model the arguments describe, sized for ``train``."""
    return DiehlCook(n_inputs=train.x.shape[1], n_neurons=args.neurons, steps=args.steps,
                     n_classes=train.y.shape[1], image_shape=train.image_shape,
                     seed=args.seed, **rule)


def rule_text(config):
    """How the model learns, e.g. ``STDP (eta=1)`` or ``STDP + momentum (eta=0.1)``."""
    if config["optim_type"] is None:
        return f"STDP (eta={config['eta']:g})"
    return f"STDP + {describe_rule(config)}"


def read_out(model, train, test):
    """Diehl & Cook's assignment step: each neuron takes the class it fires most for over
    ``train`` (learning and thresholds frozen), then ``test`` is classified by it."""
    model.label(train)
    assignments = model.assignments()
    return {**model.evaluate_data(test), "neurons_per_class":
            np.bincount(assignments[assignments >= 0], minlength=model.n_classes).tolist(),
            "silent_neurons": int((assignments < 0).sum())}


def write_plots(out, model, history, title, test, final=None, curves_only=False):
    """``learning_curves.png``, then unless ``curves_only`` (a run that diverged)
    ``filters.png`` and ``raster.png``; ``final``: the metrics of :func:`read_out`, if it
    ran. Returns the names of the files written."""
    run = rule_text(model.config)
    curves = [metric for metric in CURVES if any(metric in row for row in history)]
    fig = plot_learning_curves({run: history}, curves, ylabels=YLABELS)
    for ax in fig.axes[1:]:  # the training metrics start at epoch 1: keep epoch 0 in view
        ax.set_xlim(fig.axes[0].get_xlim())
    if final is not None:
        _mark_readout(fig.axes[0], history[-1]["epoch"], final["accuracy"])
    fig.suptitle(f"{title}: learning per epoch")
    fig.savefig(os.path.join(out, "learning_curves.png"), dpi=110)
    if curves_only:
        return ["learning_curves.png"]
    weights = model.W1.weights.T[:FILTERS_SHOWN]
    shown = f"the first {len(weights)} of {model.n_neurons}" if model.n_neurons > \
        len(weights) else f"the {model.n_neurons}"
    classes = ["-" if c < 0 else str(c) for c in model.assignments()[:FILTERS_SHOWN]]
    silent = " (-: never fired)" if "-" in classes else ""
    plot_filters(weights, test.image_shape, os.path.join(out, "filters.png"),
                 f"{title}: receptive fields of {shown} excitatory neurons,\neach titled "
                 f"with the class it codes{silent}", titles=classes)
    _raster_figure(model, test, title).savefig(os.path.join(out, "raster.png"), dpi=110)
    return ["learning_curves.png", "filters.png", "raster.png"]


def _mark_readout(ax, epoch, accuracy):
    """The test accuracy after the read-out, a star at the last epoch."""
    ax.plot([epoch], [accuracy], linestyle="none", marker="*", markersize=12, color="C3")
    star = Line2D([], [], linestyle="none", marker="*", markersize=10, color="C3",
                  label=f"after the read-out: {accuracy:.3f}")
    ax.legend(handles=[*ax.get_legend().legend_handles, star], fontsize="small")


def _raster_figure(model, test, title):
    """The first test sample beside the spikes it drives, learning off."""
    x, label = test.x[0], int(test.labels[0])
    excitatory, inhibitory = model.raster(x)
    fig = Figure(figsize=(10.0, 4.5), layout="constrained")
    image, raster = fig.subplots(1, 2, width_ratios=[1, 5])
    image.imshow(x.reshape(test.image_shape), cmap="gray", vmin=0, vmax=1,
                 interpolation="nearest")
    image.set_axis_off()
    image.set_title(f"input: class {label}\n(intensity 1: {model.target_freq:.4g} Hz)",
                    fontsize="small")
    plot_raster({"excitatory": excitatory, "inhibitory": inhibitory}, dt=model.dt,
                ax=raster)
    fired = excitatory.sum(axis=0)
    predicted = readout.predict(fired[None], model.assignments(), model.n_classes)[0]
    raster.set_title(f"{int(fired.sum())} excitatory and {int(inhibitory.sum())} inhibitory "
                     f"spikes, read out as class {predicted}", fontsize="medium")
    fig.suptitle(f"{title}: one test sample shown for {model.steps} steps, learning off")
    return fig
