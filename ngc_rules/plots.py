"""Figures of learning and inference, drawn with Matplotlib's object-oriented API.

Nothing here touches pyplot's state: the backend stays the one the user chose (a notebook
keeps showing its own figures) and no figure is left open. Each function draws into the
axes it is given, or into a new :class:`~matplotlib.figure.Figure`, saves the figure when
given a ``path``, and returns it; in Jupyter, with the inline backend active (once pyplot
is imported), a figure returned as a cell's value shows itself.
"""
import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import LogFormatterSciNotation, MaxNLocator

from .training import describe_rule

PCN_ENERGY = r"energy $F = \Sigma_l\,\|e_l\|^2 / 2$ per sample"
"""What :class:`~ngc_rules.models.PCN` reports as its energy."""

SPARSE_CODING_ENERGY = r"reconstruction energy $\|x - zW\|^2 / 2$ per sample"
"""What :class:`~ngc_rules.models.SparseCoding` reports as its energy."""

LABELS = {"energy": PCN_ENERGY + "\nafter inference", "accuracy": "test accuracy",
          "mse": "test mean squared error", "active": "fraction of active latents"}
"""Y labels of the quantities the models report; ``X`` and ``test_X`` share one."""

LOG_SCALE = {"energy", "mse", "squared error"}
"""Quantities drawn on a log scale where their values are positive and span a decade."""

LINESTYLES = {"train": "-", "test": "--"}
"""The line style of a curve on training data and of one on held-out data."""


def plot_learning_curves(histories, metrics, path=None, title=None, *, configs=None,
                         ylabels=None, xlabel="epoch", ax=None):
    """Learning curves: one panel per quantity, one colour per run.

    A metric ``X`` and its test twin ``test_X`` share a panel: the training curve solid,
    the test curve dashed, in the run's colour. Non-finite values leave gaps.

    Args:
        histories: run name -> its list of per-epoch metric dicts, each with an ``"epoch"``,
            as :func:`~ngc_rules.training.fit` returns them (epoch 0: before training).
        metrics: the metrics to draw, e.g. ``["energy", "test_energy", "accuracy"]``.
        path: also save the figure to this file.
        title: the figure's title.
        configs: run name -> its rule, e.g. a model's ``config``; the legend then names the
            rule and its hyperparameters (:func:`~ngc_rules.training.describe_rule`), e.g.
            ``adam (eta=0.001, beta2=0.99)``.
        ylabels: quantity -> y label, in place of :data:`LABELS`.
        xlabel: the label of the x axis.
        ax: an Axes, or one per panel, to draw into; by default a new figure.

    Returns:
        The :class:`~matplotlib.figure.Figure` drawn into.

    Example:
        >>> from ngc_rules.plots import plot_learning_curves
        >>> history = [{"epoch": 0, "test_energy": 0.7, "accuracy": 0.2},
        ...            {"epoch": 1, "energy": 0.3, "test_energy": 0.2, "accuracy": 0.8}]
        >>> fig = plot_learning_curves({"adam": history}, ["energy", "test_energy", "accuracy"],
        ...                            configs={"adam": {"optim_type": "adam", "eta": 0.001}})
        >>> len(fig.axes), fig.axes[0].get_legend().get_texts()[0].get_text()
        (2, 'adam (eta=0.001)')
    """
    _check_metrics(histories, metrics)
    panels = {}
    for metric in metrics:
        panels.setdefault(metric.removeprefix("test_"), []).append(metric)
    fig, axes = _axes(ax, len(panels), (5.0, 4.0))
    ylabels = {**LABELS, **(ylabels or {})}
    configs = configs or {}
    runs = {name: describe_rule(configs[name]) if name in configs else name
            for name in histories}
    for ax, (quantity, names) in zip(axes, panels.items()):
        for metric in names:
            _draw_metric(ax, histories, metric)
        ax.set(xlabel=xlabel, ylabel=ylabels.get(quantity, quantity))
        _style(ax, log=quantity in LOG_SCALE)
        ax.legend(handles=_legend_handles(runs, names), fontsize="small")
    return _finish(fig, path, title)


def plot_energy_trace(traces, ax=None, path=None, title=None, ylabel=PCN_ENERGY):
    """The energy per sample at each inference step, as ``infer(..., trace=True)`` gives it.

    Args:
        traces: an array of ``T + 1`` energies (before the first step, then after each), or
            name -> such an array, one line each.
        ax: the Axes to draw into; by default a new figure.
        path: also save the figure to this file.
        title: the title of the axes.
        ylabel: what the energy is, e.g. :data:`SPARSE_CODING_ENERGY`.

    Returns:
        The :class:`~matplotlib.figure.Figure` drawn into.

    Example:
        >>> from ngc_rules.data import gaussian_clusters
        >>> from ngc_rules.models import PCN
        >>> from ngc_rules.plots import plot_energy_trace
        >>> data = gaussian_clusters(n=64, n_classes=3, dim=8)
        >>> model = PCN((8, 16, 3), T=10, seed=0)
        >>> fig = plot_energy_trace({"untrained": model.infer(data.x, data.y, trace=True)})
        >>> len(fig.axes[0].get_lines()[0].get_ydata())
        11
    """
    fig, (ax,) = _axes(ax, 1, (6.0, 4.0))
    named = isinstance(traces, dict)
    for name, trace in traces.items() if named else [(None, traces)]:
        ax.plot(_finite(trace), marker=".", label=name)
    ax.set(xlabel="inference step", ylabel=ylabel)
    if title:
        ax.set_title(title)
    _style(ax, log=True)
    if named:
        ax.legend(fontsize="small")
    return _finish(fig, path)


def plot_filters(filters, image_shape, path=None, title=None, columns=None, fig=None,
                 titles=None):
    """Each row of ``filters`` drawn as an ``image_shape`` image, in a grid, each scaled to
    its own range with gray at zero. A filter and its negative code the same feature, so
    each is shown with its strongest pixel bright.

    Args:
        filters: one filter per row.
        image_shape: the shape of one image, e.g. ``(8, 8)``.
        path: also save the figure to this file.
        title: the figure's title.
        columns: images per row; by default a near-square grid.
        fig: the Figure (or SubFigure) to draw the grid into; by default a new one.
        titles: a short title above each image (e.g. the class a neuron codes), one per
            filter.

    Returns:
        The :class:`~matplotlib.figure.Figure` drawn into.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.plots import plot_filters
        >>> fig = plot_filters(np.eye(16)[:5], (4, 4))   # a 3 x 2 grid
        >>> len(fig.axes), sum(len(ax.images) for ax in fig.axes)
        (6, 5)
    """
    filters = np.asarray(filters)
    if filters.ndim != 2 or math.prod(image_shape) != filters.shape[1]:
        raise ValueError(f"image_shape {tuple(image_shape)} must hold one row of filters, "
                         f"shape {filters.shape}: expected filters of shape (n, pixels) "
                         f"with height * width == pixels")
    if titles is not None and len(titles) != len(filters):
        raise ValueError(f"titles must hold one title per filter ({len(filters)}), got "
                         f"{len(titles)}")
    columns = columns or math.ceil(math.sqrt(len(filters)))
    rows = math.ceil(len(filters) / columns)
    if fig is None:
        fig = Figure(figsize=(1.2 * columns, 1.2 * rows + 0.6), layout="constrained")
    for k, ax in enumerate(fig.subplots(rows, columns, squeeze=False).flat):
        ax.set_axis_off()
        if k < len(filters):
            image = filters[k].reshape(image_shape)
            image = image * (1.0 if image.flat[np.argmax(np.abs(image))] >= 0 else -1.0)
            limit = max(float(np.abs(image).max()), 1e-12)
            ax.imshow(image, cmap="gray", vmin=-limit, vmax=limit, interpolation="nearest")
            if titles is not None:
                ax.set_title(titles[k], fontsize="small", pad=2)
    return _finish(fig, path, title)


def _check_metrics(histories, metrics):
    """Refuse a metric name given as a string, or one no history holds (a typo)."""
    if isinstance(metrics, str) or not all(isinstance(m, str) for m in metrics):
        raise TypeError(f"metrics must be a list of metric names, got {metrics!r}")
    known = {name for history in histories.values() for row in history for name in row}
    unknown = [metric for metric in metrics if metric not in known]
    if unknown:
        raise ValueError(f"metrics {unknown} are in no history; the histories hold "
                         f"{sorted(known - {'epoch', 'seconds'})}")


def _axes(ax, n, size):
    """The figure and ``n`` axes to draw into: those given, or a row of new ones of ``size``
    inches each."""
    if ax is None:
        fig = Figure(figsize=(size[0] * n, size[1]), layout="constrained")
        return fig, fig.subplots(1, n, squeeze=False)[0]
    axes = np.ravel(ax)
    if len(axes) != n:
        raise ValueError(f"expected {n} axes, one per panel, got {len(axes)}")
    return axes[0].figure, axes


def _finish(fig, path=None, title=None):
    """Title ``fig``, save it to ``path`` if given, and return the whole figure (the root of
    a SubFigure)."""
    if title:
        fig.suptitle(title)
    if path:
        fig.figure.savefig(path, dpi=110)
    return fig.figure


def _finite(values):
    """``values`` as floats, non-finite ones as NaN (drawn as gaps)."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def _split(metric):
    """``"test"`` for a metric on held-out data, named ``test_X``; else ``"train"``."""
    return "test" if metric.startswith("test_") else "train"


def _draw_metric(ax, histories, metric):
    """One line per run, in the run's colour and the line style of the metric's split."""
    for k, (name, history) in enumerate(histories.items()):
        rows = [row for row in history if metric in row]
        ax.plot([row["epoch"] for row in rows], _finite([row[metric] for row in rows]),
                color=f"C{k}", linestyle=LINESTYLES[_split(metric)], marker=".",
                label=f"{name}: {metric}")


def _style(ax, log):
    """Whole-number steps on x; on y a log scale if asked and the finite values drawn are
    positive and span a decade (a log axis over less has too few labels); a light grid."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    values = np.concatenate([np.empty(0)] + [line.get_ydata() for line in ax.get_lines()])
    values = values[np.isfinite(values)]
    if log and values.size and 0 < 10 * values.min() <= values.max():
        ax.set_yscale("log")
        # Over a decade or two the default labels only the powers of ten: label 2, 3, 5 too.
        ax.yaxis.set_minor_formatter(LogFormatterSciNotation(minor_thresholds=(2, 0.5)))
    ax.grid(alpha=0.3)


def _legend_handles(runs, metrics):
    """A colour per run, then, where the panel has test curves, the style of each split."""
    handles = [Line2D([], [], color=f"C{k}", marker=".", label=label)
               for k, label in enumerate(runs.values())]
    splits = [_split(metric) for metric in metrics]
    if "test" in splits:
        handles += [Line2D([], [], color="gray", linestyle=LINESTYLES[split], label=split)
                    for split in splits]
    return handles

