"""The examples run, at a tiny size, and show what they claim."""
import runpy
from pathlib import Path

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_regression_example_loss_falls_with_every_rule(tmp_path, capsys):
    plot = tmp_path / "loss.png"
    module = runpy.run_path(str(EXAMPLES / "regression.py"))
    results = module["main"](["--epochs", "8", "--plot", str(plot)])
    assert set(results) == {"sgd", "nag", "adam"}
    for rule, losses in results.items():
        assert losses[-1] < 0.05 * losses[0], rule
    assert plot.stat().st_size > 10_000
    assert "mean squared error by epoch" in capsys.readouterr().out


def _run(name, argv):
    return runpy.run_path(str(EXAMPLES / name))["main"](argv)


def test_synapse_example_error_falls_with_every_rule(tmp_path):
    curves = _run("hebbian_synapse.py", ["--steps", "60", "--plot", str(tmp_path / "s.png")])
    for rule, errors in curves.items():
        assert errors[-1] < 0.2 * errors[0], rule
    assert (tmp_path / "s.png").stat().st_size > 10_000


def test_pcn_example_learns(tmp_path):
    history = _run("train_pcn.py", ["--epochs", "2", "--T", "5", "--figures", str(tmp_path)])
    assert history[-1]["accuracy"] > 0.5 > history[0]["accuracy"]
    assert (tmp_path / "pcn_training.png").stat().st_size > 10_000


def test_compare_example_writes_every_figure(tmp_path):
    pcn, coding = _run("compare_optimizers.py", ["--epochs", "1", "--figures", str(tmp_path)])
    assert set(pcn) == set(coding) == {"sgd", "nag", "adam"}
    for rule in pcn:
        assert pcn[rule][-1]["test_energy"] < pcn[rule][0]["test_energy"], rule
        assert coding[rule][-1]["test_energy"] < coding[rule][0]["test_energy"], rule
    names = {p.name for p in tmp_path.iterdir()}
    assert {"compare_pcn.png", "compare_sparse_coding.png",
            "sparse_coding_filters_sgd.png"} <= names


def test_inference_example_writes_its_figures(tmp_path):
    traces, _ = _run("inference_trace.py", ["--epochs", "1", "--T", "5", "--figures",
                                            str(tmp_path)])
    assert all(len(trace) == 6 and trace[-1] < trace[0] for trace in traces.values())
    assert {p.name for p in tmp_path.iterdir()} == {"inference_trace.png",
                                                    "inference_overview.png"}


def test_spiking_digits_example_learns_without_labels(tmp_path):
    result = _run("spiking_digits.py", ["--neurons", "20", "--steps", "100", "--epochs", "1",
                                        "--train", "300", "--figures", str(tmp_path)])
    assert result["accuracy"] > 0.4  # chance: 0.1
    assert len(set(result["assignments"].tolist()) - {-1}) >= 5
    thresholds = result["watch"]["thresholds"]
    assert thresholds[-1].mean() > thresholds[0].mean()  # the thresholds adapt upwards
    for name in ("spiking_filters.png", "spiking_raster.png", "spiking_thresholds.png"):
        assert (tmp_path / name).stat().st_size > 10_000, name


def test_stdp_rules_example_compares_the_rules(tmp_path):
    curves = _run("stdp_rules.py", ["--neurons", "12", "--steps", "100", "--samples", "60",
                                    "--chunk", "30", "--test-every", "60", "--train", "200",
                                    "--figures", str(tmp_path)])
    assert set(curves) == {"additive", "momentum", "adam"}
    for rule, curve in curves.items():
        assert [row["epoch"] for row in curve] == [0, 30, 60], rule
        assert curve[-1]["test_accuracy"] > max(0.2, curve[0]["test_accuracy"]), rule
        assert curve[-1]["spikes"] >= 5, rule
    assert {p.name for p in tmp_path.iterdir()} == {"stdp_rules.png",
                                                    "stdp_rules_filters.png"}
    assert all((tmp_path / name).stat().st_size > 10_000 for name in
               ("stdp_rules.png", "stdp_rules_filters.png"))
