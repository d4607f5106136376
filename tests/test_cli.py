"""The ``ngc-rules`` command: the demo and training runs write what they promise; bad
arguments end in one clear line."""
import json
import os

import pytest

from ngc_rules.cli import main
from ngc_rules.models import PCN, SparseCoding


def test_demo_writes_table_plots_and_metrics(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--epochs", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "test accuracy" in out and all(rule in out for rule in ("sgd", "nag", "adam"))
    assert {"pcn_learning_curves.png", "sparse_coding_filters.png",
            "metrics.json"} <= set(os.listdir(tmp_path))
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for rule, history in metrics["pcn"]["histories"].items():
        assert [row["epoch"] for row in history] == [0, 1, 2]
        assert history[-1]["accuracy"] > 0.5, rule
    assert (tmp_path / "pcn_learning_curves.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("model,options", [
    ("pcn", ["--optim", "nag", "--eta", "0.001", "--mu", "0.8", "--hidden", "32",
             "--data", "clusters", "--T", "5"]),
    ("sparse-coding", ["--optim", "adam", "--eta", "0.01", "--beta2", "0.99",
                       "--latents", "8", "--T", "10"]),
])
def test_train_writes_metrics_plots_and_a_checkpoint(tmp_path, capsys, model, options):
    assert main(["train", "--model", model, *options, "--epochs", "2", "--out", str(tmp_path),
                 "--quiet"]) == 0
    assert {"metrics.json", "learning_curves.png", "filters.png",
            "checkpoint"} <= set(os.listdir(tmp_path))
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert len(metrics["history"]) == 3
    restored = (PCN if model == "pcn" else SparseCoding).restore(tmp_path / "checkpoint")
    assert restored.config == metrics["config"]
    assert int(restored.synapses[0].opt_params.t) > 0
    if model == "pcn":
        assert metrics["config"]["optim_params"] == {"mu": 0.8}
        assert restored.config["eta"] == 0.001


@pytest.mark.parametrize("argv,message", [
    ([], "the following arguments are required: {demo,train}"),
    (["train", "--model", "pcn", "--out", "x", "--optim", "adam", "--mu", "0.9"],
     "--mu is not a hyperparameter of adam"),
    (["train", "--model", "pcn", "--out", "x", "--eta", "-1"], "argument --eta: must be"),
    (["train", "--model", "gan", "--out", "x"], "invalid choice: 'gan'"),
    (["train", "--model", "pcn", "--out", "x", "--hidden", "10,a"], "argument --hidden"),
    (["train", "--model", "pcn", "--out", "x", "--data", "bars"], "has no labels"),
    (["demo", "--epochs", "0"], "argument --epochs: must be a positive integer"),
])
def test_bad_arguments_give_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_help_names_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "demo" in out and "train" in out
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    assert "--optim" in out and "--beta2" in out and "--epochs" in out


def test_checkpoint_directory_errors_are_one_line(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("not a folder")
    assert main(["train", "--model", "pcn", "--data", "clusters", "--epochs", "0",
                 "--out", str(target), "--quiet"]) == 1
    assert capsys.readouterr().err.startswith("ngc-rules: error:")
