"""Figures of learning dynamics (PNG files, drawn off-screen with Matplotlib)."""
import math

import numpy as np


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


LABELS = {"energy": "training energy per sample", "accuracy": "test accuracy",
          "train_accuracy": "training accuracy", "mse": "test mean squared error",
          "active": "fraction of active latents",
          "test_active": "fraction of active latents (test)",
          "test_energy": "test energy per sample"}
"""Axis labels of the metrics the models report."""


def plot_learning_curves(histories, metrics, path, title, xlabel="epoch"):
    """One panel per metric, one line per run: ``histories`` maps a run's name (e.g. the
    optimizer) to its list of per-epoch metric dicts (epoch 0 = before training)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.8), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for name, history in histories.items():
            epochs = [row["epoch"] for row in history if metric in row]
            ax.plot(epochs, [row[metric] for row in history if metric in row], marker=".",
                    label=name)
        ax.set(xlabel=xlabel, ylabel=LABELS.get(metric, metric))
        if metric in ("energy", "mse", "test_energy", "squared error"):
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_filters(filters, image_shape, path, title, columns=None):
    """Each row of ``filters`` drawn as an ``image_shape`` image, in a grid, each scaled to
    its own range with gray at zero. A filter and its negative code the same feature, so
    each is shown with its strongest pixel bright."""
    plt = _pyplot()
    filters = np.asarray(filters)
    n = len(filters)
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.2 * columns, 1.2 * rows + 0.6),
                             squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k < n:
            image = filters[k].reshape(image_shape)
            image = image * (1.0 if image.flat[np.argmax(np.abs(image))] >= 0 else -1.0)
            limit = max(float(np.abs(image).max()), 1e-12)
            ax.imshow(image, cmap="gray", vmin=-limit, vmax=limit, interpolation="nearest")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
