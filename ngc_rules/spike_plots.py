"""Figures of spiking networks, drawn as :mod:`ngc_rules.plots` draws: into the axes given
or a new :class:`~matplotlib.figure.Figure`, never through pyplot's state."""
import numpy as np
from matplotlib.ticker import MaxNLocator

from .optim import _checks
from .plots import _axes, _finish


def plot_raster(spikes, dt=1.0, ax=None, path=None, title=None):
    """A spike raster: a mark at ``(time, neuron)`` for every spike, one colour per
    population, the populations stacked from the bottom up in the order given.

    Step ``k`` is drawn at ``k * dt`` ms, the time a model passes to that step.

    Args:
        spikes: a ``(steps, neurons)`` array of 0 and 1, or population name -> such an
            array (the same number of steps each), e.g. ``{"excitatory": e,
            "inhibitory": i}`` from :meth:`~ngc_rules.models.DiehlCook.raster`.
        dt: the length of a step (ms), ``> 0``.
        ax: the Axes to draw into; by default a new figure.
        path: also save the figure to this file.
        title: the title of the axes.

    Returns:
        The :class:`~matplotlib.figure.Figure` drawn into.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.spike_plots import plot_raster
        >>> excitatory = np.zeros((50, 4)); excitatory[[3, 20, 41], [0, 2, 2]] = 1
        >>> inhibitory = np.zeros((50, 4)); inhibitory[[5, 22], [0, 2]] = 1
        >>> fig = plot_raster({"excitatory": excitatory, "inhibitory": inhibitory})
        >>> [len(marks.get_offsets()) for marks in fig.axes[0].collections]
        [3, 2]
        >>> fig.axes[0].collections[1].get_offsets().tolist()   # (ms, neuron)
        [[5.0, 4.0], [22.0, 6.0]]
    """
    populations = _populations(spikes)
    dt = _checks.positive("plot_raster: dt", dt)
    fig, (ax,) = _axes(ax, 1, (8.0, 4.0))
    steps = next(iter(populations.values())).shape[0]
    first = 0
    for k, (name, values) in enumerate(populations.items()):
        step, neuron = np.nonzero(values)
        ax.scatter(step * dt, first + neuron, marker="|", s=30, linewidths=1.2,
                   color=f"C{k}", label=f"{name} ({values.shape[1]})" if name else None)
        first += values.shape[1]
        if k < len(populations) - 1:
            ax.axhline(first - 0.5, color="gray", linewidth=0.5)
    ax.set(xlim=(-dt, steps * dt), ylim=(-0.5, first - 0.5), xlabel="time (ms)",
           ylabel="neuron")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        ax.set_title(title)
    if len(populations) > 1:
        ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    return _finish(fig, path)


def _populations(spikes):
    """``spikes`` as name -> 2-D array of 0 and 1, all of one length, or a clear error."""
    named = isinstance(spikes, dict)
    populations = dict(spikes) if named else {"": spikes}
    if not populations:
        raise ValueError("plot_raster: spikes must name at least one population, got {}")
    checked = {}
    for name, values in populations.items():
        label = f"spikes[{name!r}]" if named else "spikes"
        values = np.asarray(values)
        if values.dtype.kind not in "biuf" or values.ndim != 2 or 0 in values.shape:
            raise ValueError(f"plot_raster: {label} must be a (steps, neurons) array of 0 "
                             f"and 1, got shape {values.shape} and dtype {values.dtype}")
        wrong = values[(values != 0) & (values != 1)]
        if wrong.size:
            raise ValueError(f"plot_raster: {label} must hold only 0 and 1 (spikes), got "
                             f"{wrong.flat[0]}")
        checked[name] = values
    lengths = {name: values.shape[0] for name, values in checked.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"plot_raster: the populations must span the same steps, got "
                         f"{lengths}")
    return checked
