"""The figures: drawn without touching pyplot, into the axes given, with the data, labels
and ticks they claim."""
import importlib
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from ngc_rules import plots, spike_plots
from ngc_rules.plots import plot_energy_trace, plot_filters, plot_learning_curves
from ngc_rules.spike_plots import plot_raster

HISTORIES = {
    "adam": [{"epoch": 0, "test_energy": 0.7, "accuracy": 0.1},
             {"epoch": 1, "energy": 0.3, "test_energy": 0.2, "accuracy": 0.8},
             {"epoch": 2, "energy": 0.05, "test_energy": 0.06, "accuracy": 0.9}],
    "sgd": [{"epoch": 0, "test_energy": 0.7, "accuracy": 0.1},
            {"epoch": 1, "energy": 0.5, "test_energy": 0.4, "accuracy": 0.6},
            {"epoch": 2, "energy": 0.2, "test_energy": 0.3, "accuracy": 0.7}]}
METRICS = ["energy", "test_energy", "accuracy"]
CONFIGS = {"adam": {"optim_type": "adam", "eta": 0.001, "optim_params": {"beta2": 0.99}},
           "sgd": {"optim_type": "sgd", "eta": 0.003, "optim_params": {}}}
TRACE = np.geomspace(1.2, 0.1, 21)
RASTER = {"excitatory": np.eye(30, 6), "inhibitory": np.eye(30, 4)[::-1]}

DRAWS = {
    "learning curves": lambda **kw: plots.plot_learning_curves(HISTORIES, METRICS, **kw),
    "energy trace": lambda **kw: plots.plot_energy_trace({"run": TRACE}, **kw),
    "filters": lambda **kw: plots.plot_filters(np.eye(16)[:5], (4, 4), **kw),
    "raster": lambda **kw: spike_plots.plot_raster(RASTER, **kw),
}


@pytest.fixture
def svg_backend():
    """A backend other than Agg, restored afterwards, so that a switch would show."""
    previous = matplotlib.get_backend()
    matplotlib.use("svg")
    yield
    matplotlib.use(previous)


@pytest.mark.parametrize("draw", DRAWS.values(), ids=DRAWS.keys())
def test_plots_keep_the_backend_and_return_a_saved_figure(svg_backend, draw, tmp_path):
    open_figures = plt.get_fignums()
    importlib.reload(plots)
    fig = draw(path=tmp_path / "plot.png")
    assert isinstance(fig, Figure)
    assert matplotlib.get_backend() == "svg"
    assert plt.get_fignums() == open_figures
    assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plots_draw_into_the_axes_given():
    fig = Figure()
    energy, accuracy, trace = fig.subplots(1, 3)
    assert plot_learning_curves(HISTORIES, METRICS, ax=[energy, accuracy]) is fig
    assert plot_energy_trace(TRACE, ax=trace) is fig
    assert accuracy.get_ylabel() == "test accuracy" and len(trace.get_lines()) == 1
    raster = Figure().subplots()
    assert plot_raster(RASTER, ax=raster) is raster.figure and len(raster.collections) == 2
    grid = fig.subfigures(1, 2)[1]
    assert plot_filters(np.eye(16)[:5], (4, 4), fig=grid) is fig
    assert len(grid.axes) == 6
    with pytest.raises(ValueError, match="expected 2 axes, one per panel, got 1"):
        plot_learning_curves(HISTORIES, METRICS, ax=energy)


def test_legend_names_each_rule_with_its_hyperparameters():
    energy, accuracy = plot_learning_curves(HISTORIES, METRICS, configs=CONFIGS).axes
    runs = ["adam (eta=0.001, beta2=0.99)", "sgd (eta=0.003)"]
    assert [t.get_text() for t in energy.get_legend().get_texts()] == runs + ["train", "test"]
    assert [t.get_text() for t in accuracy.get_legend().get_texts()] == runs
    unnamed = plot_learning_curves(HISTORIES, ["accuracy"]).axes[0]
    assert [t.get_text() for t in unnamed.get_legend().get_texts()] == ["adam", "sgd"]


def test_train_and_test_curves_share_a_panel_with_their_data():
    energy, accuracy = plot_learning_curves(HISTORIES, METRICS).axes
    assert "after inference" in energy.get_ylabel()
    lines = {line.get_label(): line for line in energy.get_lines()}
    for run, history in HISTORIES.items():
        train, test = lines[f"{run}: energy"], lines[f"{run}: test_energy"]
        assert (train.get_linestyle(), test.get_linestyle()) == ("-", "--")
        assert train.get_color() == test.get_color()
        np.testing.assert_array_equal(train.get_xdata(), [1, 2])
        np.testing.assert_array_equal(train.get_ydata(), [row["energy"] for row in history[1:]])
        np.testing.assert_array_equal(test.get_xdata(), [0, 1, 2])
        np.testing.assert_array_equal(test.get_ydata(), [row["test_energy"] for row in history])
    assert len(energy.get_lines()) == 4 and len(accuracy.get_lines()) == 2


def test_steps_are_whole_numbers():
    figures = [plot_learning_curves(HISTORIES, METRICS), plot_energy_trace(TRACE[:4])]
    for ax in [ax for fig in figures for ax in fig.axes]:
        ticks = ax.get_xticks()
        assert len(ticks) > 1 and np.all(ticks == np.round(ticks))


@pytest.mark.parametrize("values,scale", [
    ([0.9, 0.5, 0.05], "log"),      # positive, over a decade
    ([0.9, 0.5, 0.3], "linear"),    # within a decade: a log axis would barely be labelled
    ([0.9, 0.5, 0.0], "linear"),
    ([0.9, np.nan, np.inf, 0.05], "log"),
])
def test_log_scale_only_where_values_are_positive(values, scale):
    history = [{"epoch": k, "energy": v} for k, v in enumerate(values)]
    assert plot_learning_curves({"run": history}, ["energy"]).axes[0].get_yscale() == scale
    assert plot_energy_trace(values).axes[0].get_yscale() == scale


def test_non_finite_values_leave_gaps(tmp_path):
    history = [{"epoch": 0, "test_energy": np.nan, "accuracy": 0.1},
               {"epoch": 1, "energy": np.inf, "test_energy": 0.2, "accuracy": None},
               {"epoch": 2, "energy": -np.inf, "test_energy": 0.1, "accuracy": 0.8}]
    fig = plot_learning_curves({"run": history}, METRICS, tmp_path / "curves.png")
    assert np.isnan(fig.axes[0].get_lines()[0].get_ydata()).all()
    assert (tmp_path / "curves.png").stat().st_size > 0
    plot_energy_trace([np.nan, 1.0, np.inf], path=tmp_path / "trace.png")
    assert (tmp_path / "trace.png").stat().st_size > 0


def test_filters_carry_their_titles():
    fig = plot_filters(np.eye(16)[:3], (4, 4), titles=["7", "-", "0"])
    assert [ax.get_title() for ax in fig.axes] == ["7", "-", "0", ""]


def test_raster_marks_each_spike_at_its_time_and_neuron():
    rng = np.random.default_rng(0)
    excitatory = (rng.random((40, 7)) < 0.1).astype(np.float32)
    inhibitory = (rng.random((40, 3)) < 0.2).astype(np.float32)
    ax = plot_raster({"excitatory": excitatory, "inhibitory": inhibitory}, dt=0.5).axes[0]
    marks = [collection.get_offsets() for collection in ax.collections]
    assert [len(m) for m in marks] == [excitatory.sum(), inhibitory.sum()]
    for spikes, offsets, first in ((excitatory, marks[0], 0), (inhibitory, marks[1], 7)):
        step, neuron = np.nonzero(spikes)
        np.testing.assert_array_equal(offsets, np.column_stack([0.5 * step, first + neuron]))
    assert ax.get_xlabel() == "time (ms)" and ax.get_ylim() == (-0.5, 9.5)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["excitatory (7)",
                                                                   "inhibitory (3)"]
    single = plot_raster(excitatory[:, :2]).axes[0]
    assert len(single.collections[0].get_offsets()) == excitatory[:, :2].sum()
    assert single.get_legend() is None


@pytest.mark.parametrize("spikes,dt,message", [
    (np.ones(5), 1.0, "plot_raster: spikes must be a (steps, neurons) array of 0 and 1, got "
                      "shape (5,)"),
    (np.full((4, 2), 0.5), 1.0,
     "plot_raster: spikes must hold only 0 and 1 (spikes), got 0.5"),
    ({"e": np.zeros((4, 2)), "i": np.full((4, 2), np.nan)}, 1.0,
     "plot_raster: spikes['i'] must hold only 0 and 1 (spikes), got nan"),
    ({"e": np.zeros((4, 2)), "i": np.zeros((5, 2))}, 1.0,
     "plot_raster: the populations must span the same steps, got {'e': 4, 'i': 5}"),
    ({"e": np.zeros((0, 2))}, 1.0, "spikes['e'] must be a (steps, neurons) array"),
    (np.array([["a"]]), 1.0, "dtype <U1"),
    ({}, 1.0, "plot_raster: spikes must name at least one population"),
    (np.zeros((4, 2)), 0.0, "plot_raster: dt must be > 0, got 0.0"),
    (np.zeros((4, 2)), np.nan, "plot_raster: dt must be finite, got nan"),
])
def test_raster_refuses_what_is_not_spikes(spikes, dt, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        plot_raster(spikes, dt=dt)


@pytest.mark.parametrize("call,error,message", [
    (lambda: plots.plot_learning_curves(HISTORIES, ["acuracy"]), ValueError,
     "metrics ['acuracy'] are in no history; the histories hold"),
    (lambda: plots.plot_learning_curves(HISTORIES, "accuracy"), TypeError,
     "metrics must be a list of metric names, got 'accuracy'"),
    (lambda: plots.plot_filters(np.eye(16), (3, 5)), ValueError,
     "image_shape (3, 5) must hold one row of filters, shape (16, 16)"),
    (lambda: plots.plot_filters(np.eye(16)[:2], (4, 4), titles=["1"]), ValueError,
     "titles must hold one title per filter (2), got 1"),
])
def test_bad_input_is_refused_with_a_message(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()
