"""The ``ngc-rules`` command: the demo and training runs write what they promise; runs
resume exactly, stop with status 1 when they diverge and 130 on Ctrl-C; bad arguments
end in one clear line and change nothing on disk."""
import gzip
import json
import os
import signal
import struct

import numpy as np
import pytest

from ngc_rules.cli import main
from ngc_rules.cli.streams import Tolerant
from ngc_rules.models import PCN, SparseCoding

SMALL = ["--data", "clusters", "--hidden", "16", "--T", "5", "--quiet"]


def _history(out):
    rows = json.loads((out / "metrics.json").read_text())["history"]
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


def _files(folder):
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


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
def test_train_writes_metrics_plots_and_a_checkpoint(tmp_path, model, options):
    assert main(["train", "--model", model, *options, "--epochs", "2", "--out", str(tmp_path),
                 "--quiet"]) == 0
    assert {"metrics.json", "learning_curves.png", "filters.png", "command.json",
            "checkpoint"} <= set(os.listdir(tmp_path))
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert len(metrics["history"]) == 3 and metrics["status"] == "finished"
    restored = (PCN if model == "pcn" else SparseCoding).restore(tmp_path / "checkpoint")
    assert restored.config == metrics["config"]
    assert int(restored.synapses[0].opt_params.t) > 0
    if model == "pcn":
        assert metrics["config"]["optim_params"] == {"mu": 0.8}
        assert restored.config["eta"] == 0.001


@pytest.mark.parametrize("model", ["pcn", "sparse-coding"])
@pytest.mark.parametrize("rule", ["sgd", "nag", "adam"])
def test_every_model_and_rule_converges_at_the_command_defaults(tmp_path, model, rule):
    assert main(["train", "--model", model, "--optim", rule, "--epochs", "3", "--quiet",
                 "--out", str(tmp_path)]) == 0
    history = _history(tmp_path)
    assert all(np.isfinite(v) for row in history for v in row.values())
    assert history[-1]["test_energy"] < 0.5 * history[0]["test_energy"]
    if model == "pcn":
        assert history[-1]["accuracy"] > 0.8  # ten digits: chance is 0.1
    expected = (PCN if model == "pcn" else SparseCoding).DEFAULT_ETA[rule]
    assert json.loads((tmp_path / "metrics.json").read_text())["config"]["eta"] == expected


def test_three_plus_three_epochs_equal_six(tmp_path):
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    assert main(["train", "--model", "pcn", *SMALL, "--epochs", "6", "--out",
                 str(straight)]) == 0
    assert main(["train", "--model", "pcn", *SMALL, "--epochs", "3", "--out",
                 str(resumed)]) == 0
    assert main(["train", "--resume", str(resumed), "--epochs", "6", "--quiet"]) == 0
    assert _history(resumed) == _history(straight)
    for name in ("W1.npz", "W2.npz"):
        a, b = (np.load(folder / "checkpoint" / name) for folder in (straight, resumed))
        for key in a.files:
            if key != "__header__":
                np.testing.assert_array_equal(a[key], b[key])


def test_ctrl_c_saves_exits_130_and_resumes_to_the_same_run(tmp_path, capsys, monkeypatch):
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    assert main(["train", "--model", "pcn", *SMALL, "--epochs", "3", "--out",
                 str(straight)]) == 0
    learn, calls = PCN.learn_batch, []

    def interrupted(self, batch):
        calls.append(1)
        if len(calls) == 20:
            os.kill(os.getpid(), signal.SIGINT)
        return learn(self, batch)
    monkeypatch.setattr(PCN, "learn_batch", interrupted)
    capsys.readouterr()
    assert main(["train", "--model", "pcn", *SMALL, "--epochs", "3", "--out",
                 str(stopped)]) == 130
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == (f"ngc-rules: training interrupted at epoch 2, after batch 5 of 15; "
                       f"saved to {stopped / 'checkpoint'}; continue with: ngc-rules train "
                       f"--resume {stopped}")
    metrics = json.loads((stopped / "metrics.json").read_text())
    assert metrics["status"] == "interrupted" and len(metrics["history"]) == 2
    monkeypatch.setattr(PCN, "learn_batch", learn)
    assert main(["train", "--resume", str(stopped), "--quiet"]) == 0
    assert _history(stopped) == _history(straight)


def test_a_diverging_run_exits_1_with_one_line_and_keeps_its_metrics(tmp_path, capsys):
    assert main(["train", "--model", "pcn", "--optim", "nag", "--eta", "0.1", "--epochs", "3",
                 "--quiet", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("ngc-rules: training diverged at epoch 1, batch ")
    assert "became NaN or inf with nag (eta=0.1); try a smaller learning rate" in err[-1]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["status"] == "diverged" and len(metrics["history"]) == 1
    assert not (tmp_path / "checkpoint").exists() and not (tmp_path / "filters.png").exists()


def test_an_existing_run_is_refused_unless_resumed_or_overwritten(tmp_path, capsys):
    assert main(["train", "--model", "pcn", *SMALL, "--epochs", "1", "--out",
                 str(tmp_path)]) == 0
    before = _files(tmp_path)
    capsys.readouterr()
    assert main(["train", "--model", "pcn", *SMALL, "--epochs", "2", "--out",
                 str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"ngc-rules: error: --out {tmp_path} already holds a run; pass --resume {tmp_path} "
        f"to continue it, --overwrite to replace it, or another --out\n")
    assert _files(tmp_path) == before
    assert main(["train", "--model", "pcn", *SMALL, "--epochs", "2", "--out",
                 str(tmp_path), "--overwrite"]) == 0
    assert len(_history(tmp_path)) == 3


def test_a_file_as_out_is_refused_before_training(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("not a folder")
    assert main(["train", "--model", "pcn", "--data", "clusters", "--epochs", "0",
                 "--out", str(target), "--quiet"]) == 1
    assert capsys.readouterr().err == (f"ngc-rules: error: --out {target} is a file, not a "
                                       f"folder\n")
    assert target.read_text() == "not a folder"


def test_train_reads_a_npz_file_of_ones_own(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 240)
    x = rng.integers(0, 80, (240, 12)).astype(np.uint8)
    x[np.arange(240)[:, None], labels[:, None] * 4 + np.arange(4)] += 170  # a block a class
    np.savez(tmp_path / "mine.npz", x=x, y=labels)
    out = tmp_path / "run"
    assert main(["train", "--model", "pcn", "--data", str(tmp_path / "mine.npz"), "--scale",
                 "255", "--hidden", "16", "--T", "5", "--eta", "0.01", "--epochs", "4",
                 "--quiet", "--out", str(out)]) == 0
    history = _history(out)
    assert history[-1]["accuracy"] > 0.9
    assert json.loads((out / "command.json").read_text())["data"] == str(tmp_path /
                                                                          "mine.npz")


def _write_idx(path, array):
    """``array`` as a gzipped IDX file (MNIST's format)."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))


def test_train_reads_mnist_style_idx_files_and_their_labels(tmp_path):
    rng = np.random.default_rng(1)
    for part, n in (("train", 240), ("t10k", 60)):
        labels = rng.integers(0, 3, n)
        images = rng.integers(0, 60, (n, 4, 4))
        images[np.arange(n), labels, :] += 190  # class k lights row k
        _write_idx(tmp_path / f"{part}-images-idx3-ubyte.gz", images)
        _write_idx(tmp_path / f"{part}-labels-idx1-ubyte.gz", labels)
    out = tmp_path / "run"
    assert main(["train", "--model", "pcn", "--data",
                 str(tmp_path / "train-images-idx3-ubyte.gz"), "--test-data",
                 str(tmp_path / "t10k-images-idx3-ubyte.gz"), "--scale", "255", "--hidden",
                 "16", "--T", "5", "--eta", "0.01", "--epochs", "4", "--quiet", "--out",
                 str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["sizes"] == [16, 16, 3]
    assert metrics["history"][-1]["accuracy"] > 0.9


@pytest.mark.parametrize("argv,message", [
    ([], "the following arguments are required: {demo,train}"),
    (["train", "--model", "pcn", "--out", "x", "--optim", "adam", "--mu", "0.9"],
     "--mu is not a hyperparameter of adam"),
    (["train", "--model", "pcn", "--out", "x", "--eta", "-1"], "argument --eta: must be"),
    (["train", "--model", "pcn", "--out", "x", "--eta", "fast"],
     "argument --eta: must be a finite number > 0, got 'fast'"),
    (["train", "--model", "gan", "--out", "x"], "invalid choice: 'gan'"),
    (["train", "--model", "pcn", "--out", "x", "--hidden", "10,a"], "argument --hidden"),
    (["train", "--out", "x"], "the following arguments are required: --model"),
    (["train", "--model", "pcn"], "the following arguments are required: --out"),
    (["train", "--resume", "x", "--eta", "0.1"], "--eta cannot be given with it"),
    (["train", "--model", "pcn", "--out", "x", "--scale", "0"], "argument --scale"),
    (["demo", "--epochs", "0"], "argument --epochs: must be a positive integer"),
])
def test_bad_arguments_give_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


@pytest.mark.parametrize("argv,message", [
    (["--data", "bars"], "--data bars has no labels; the pcn learns to classify"),
    (["--data", "missing.npz"], "missing.npz"),
    (["--data", "digits", "--scale", "255"], "--scale, --x-key and --labels-key apply to "
                                             "files; the built-in 'digits' is ready to use"),
    (["--data", "mine.npz", "--test-data", "mine.npz", "--scale", "minmax"],
     "--scale minmax would map --data and --test-data each to its own range"),
    (["--data", "mine.npz", "--test-data", "small.npz"],
     "--test-data small.npz has 3 features per sample, --data mine.npz has 12"),
    (["--data", "nowhere/mine.npz"], "--data nowhere/mine.npz: no such file"),
    (["--resume", "nowhere"], "--resume nowhere: no run to continue there"),
])
def test_bad_data_or_runs_give_one_line_and_write_nothing(tmp_path, capsys, monkeypatch, argv,
                                                          message):
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    np.savez("mine.npz", x=rng.random((40, 12)), y=rng.integers(0, 2, 40))
    np.savez("small.npz", x=rng.random((10, 3)), y=rng.integers(0, 2, 10))
    before = sorted(os.listdir(tmp_path))
    model = [] if argv[0] == "--resume" else ["--model", "pcn", "--out", "run"]
    assert main(["train", *model, *argv, "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ngc-rules: error: ") and message in err and err.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == before


def test_help_states_the_defaults_really_used(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "demo" in out and "train" in out
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "pcn: sgd 0.003, nag 0.001, adam 0.001" in out
    assert "sparse-coding: sgd 0.01, nag 0.003, adam 0.01" in out
    assert "mu 0.9, beta1 0.9, beta2 0.999, eps 1e-08" in out
    assert "--resume DIR" in out and "--checkpoint-every N" in out


def test_an_unwritable_out_is_refused_before_training(tmp_path, capsys, monkeypatch):
    from ngc_rules.cli import outputs

    def refused(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", path)
    monkeypatch.setattr(outputs, "open", refused, raising=False)
    out = tmp_path / "run"
    assert main(["train", "--model", "pcn", *SMALL, "--out", str(out)]) == 1
    assert capsys.readouterr().err == (f"ngc-rules: error: --out {out} is not writable: "
                                       f"Permission denied\n")
    assert not out.exists()


def test_keras_mnist_npz_gives_its_own_test_part(tmp_path, capsys):
    rng = np.random.default_rng(2)
    parts = {}
    for part, n in (("train", 200), ("test", 50)):
        labels = rng.integers(0, 3, n)
        images = rng.integers(0, 60, (n, 4, 4))
        images[np.arange(n), labels, :] += 190
        parts.update({f"x_{part}": images.astype(np.uint8), f"y_{part}": labels})
    np.savez(tmp_path / "mnist.npz", **parts)
    assert main(["train", "--model", "pcn", "--data", str(tmp_path / "mnist.npz"), "--scale",
                 "255", "--hidden", "8", "--T", "5", "--epochs", "1", "--quiet", "--out",
                 str(tmp_path / "run")]) == 0
    assert "200 train / 50 test samples" in capsys.readouterr().err


def test_unscaled_pixels_get_a_note(tmp_path, capsys):
    labels = np.arange(60) % 3
    np.savez(tmp_path / "raw.npz", x=np.eye(3)[labels] * 255, y=labels)
    assert main(["train", "--model", "pcn", "--data", str(tmp_path / "raw.npz"), "--hidden",
                 "4", "--T", "2", "--epochs", "0", "--quiet", "--out",
                 str(tmp_path / "run")]) == 0
    assert "note: --data values reach 255; --scale 255 (or minmax) would map them to " \
           "[0, 1]" in capsys.readouterr().err


def test_a_run_that_never_checkpointed_says_how_to_start_again(tmp_path, capsys):
    assert main(["train", "--model", "pcn", "--optim", "nag", "--eta", "0.1", "--epochs", "2",
                 "--quiet", "--out", str(tmp_path)]) == 1
    capsys.readouterr()
    assert main(["train", "--resume", str(tmp_path), "--quiet"]) == 1
    assert capsys.readouterr().err == (
        f"ngc-rules: error: --resume {tmp_path}: the run there stopped before its first "
        f"checkpoint; start it again with --out {tmp_path} --overwrite\n")
    assert main(["train", "--model", "pcn", "--out", str(tmp_path), "--quiet"]) == 1
    assert "holds a run that stopped before its first checkpoint; pass --overwrite" in \
        capsys.readouterr().err


def test_resume_to_fewer_epochs_than_done_is_refused(tmp_path, capsys):
    assert main(["train", "--model", "pcn", *SMALL, "--epochs", "2", "--out",
                 str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["train", "--resume", str(tmp_path), "--epochs", "1", "--quiet"]) == 1
    assert capsys.readouterr().err == (f"ngc-rules: error: --epochs 1: the run in {tmp_path} "
                                       f"has already trained 2 epochs\n")


def test_a_second_ctrl_c_stops_at_once_and_says_what_is_left(tmp_path, capsys, monkeypatch):
    learn = PCN.learn_batch

    def twice(self, batch):
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)
        return learn(self, batch)
    monkeypatch.setattr(PCN, "learn_batch", twice)
    assert main(["train", "--model", "pcn", *SMALL, "--out", str(tmp_path)]) == 130
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"ngc-rules: stopped at once by a second Ctrl-C, without saving; the last checkpoint, "
        f"if any, is in {tmp_path / 'checkpoint'}")


def test_output_whose_reader_has_gone_is_dropped():
    read, write = os.pipe()
    os.close(read)
    stream = Tolerant(os.fdopen(write, "w"))
    stream.write("a line nobody reads\n")
    stream.flush()  # the pipe is broken: nothing is raised, later writes go nowhere
    stream.write("another\n")
    stream.flush()


# -- the spiking model ---------------------------------------------------------------------

SPIKING = ["--model", "diehl-cook", "--neurons", "20", "--steps", "60", "--quiet"]


def _digits_file(folder, n):
    """The first ``n`` built-in digits as a file of 8x8 images."""
    from ngc_rules import data
    digits = data.digits()
    path = folder / f"digits{n}.npz"
    np.savez(path, x=digits.x[:n].reshape(-1, 8, 8), y=digits.labels[:n])
    return path


@pytest.fixture
def digits_slice(tmp_path):
    """300 digits: 240 to train on, 60 to test."""
    return _digits_file(tmp_path, 300)


def _split(path):
    from ngc_rules import data
    return data.split(data.load(str(path)), seed=0)


def test_diehl_cook_trains_reads_out_and_writes_its_plots(tmp_path, digits_slice, capsys):
    from ngc_rules.models import DiehlCook
    out = tmp_path / "run"
    assert main(["train", *SPIKING, "--data", str(digits_slice), "--epochs", "1", "--out",
                 str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0] == ("training diehl-cook with STDP (eta=1) on "
                                            "digits300.npz: 240 train / 60 test samples, up "
                                            "to epoch 1")
    assert {"metrics.json", "learning_curves.png", "filters.png", "raster.png",
            "command.json", "checkpoint"} <= set(os.listdir(out))
    metrics = json.loads((out / "metrics.json").read_text())
    config, readout = metrics["config"], metrics["readout"]
    assert (config["n_neurons"], config["steps"], config["optim_type"], config["eta"],
            config["image_shape"]) == (20, 60, None, 1.0, [8, 8])
    assert [row["epoch"] for row in metrics["history"]] == [0, 1]
    last = metrics["history"][-1]
    assert last["spikes"] >= 5 and last["threshold"] > 0 and last["rate_hz"] > 0
    assert readout["accuracy"] > 0.4  # ten digits: chance is 0.1
    assert sum(readout["neurons_per_class"]) + readout["silent_neurons"] == 20
    assert f"test accuracy {readout['accuracy']:.4g}" in captured.out
    # The read-out is Diehl & Cook's step on the saved run: it can be done again from it.
    model = DiehlCook.restore(out / "checkpoint")
    train, test = _split(digits_slice)
    model.label(train)
    assert model.evaluate_data(test) == {k: readout[k] for k in ("accuracy", "rate_hz")}
    assert (model.W1.weights.sum(axis=0) == pytest.approx(6.4, rel=1e-5))  # w_norm, 64 px
    # The history holds the batches' mean threshold; thresholds only grow while learning.
    assert model.z1e.thr_theta.mean() > last["threshold"]


def test_diehl_cook_resumes_to_the_same_run(tmp_path):
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    common = [*SPIKING, "--data", str(_digits_file(tmp_path, 150)), "--batch-size", "50"]
    assert main(["train", *common, "--epochs", "2", "--out", str(straight)]) == 0
    assert main(["train", *common, "--epochs", "1", "--out", str(resumed)]) == 0
    assert main(["train", "--resume", str(resumed), "--epochs", "2", "--quiet"]) == 0
    assert _history(resumed) == _history(straight)
    a, b = (json.loads((run / "metrics.json").read_text()) for run in (straight, resumed))
    assert a["readout"] == b["readout"] and a["readout"]["accuracy"] > 0.2
    # A finished run resumed again trains no further and reads out the same.
    assert main(["train", "--resume", str(resumed), "--quiet"]) == 0
    assert json.loads((resumed / "metrics.json").read_text())["readout"] == a["readout"]
    for name in ("W1.npz", "z1e.npz", "readout.json"):
        assert (straight / "checkpoint" / name).read_bytes() == \
            (resumed / "checkpoint" / name).read_bytes(), name


def test_diehl_cook_learns_through_momentum(tmp_path):
    from ngc_rules.models import DiehlCook
    out = tmp_path / "run"  # a rule attached steps from Python: 100 digits, 80 to train on
    assert main(["train", *SPIKING, "--optim", "momentum", "--mu", "0.5", "--data",
                 str(_digits_file(tmp_path, 100)), "--epochs", "1", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    config = metrics["config"]
    assert (config["optim_type"], config["eta"], config["optim_params"]) == (
        "momentum", DiehlCook.DEFAULT_ETA["momentum"], {"mu": 0.5})
    assert metrics["status"] == "finished" and metrics["readout"]["accuracy"] > 0.3
    model = DiehlCook.restore(out / "checkpoint")
    steps = int(model.W1.opt_params.t)  # a step per time step of each showing
    assert model.W1.rule.name == "momentum" and steps % 60 == 0 and steps >= 80 * 60


def test_an_interrupted_read_out_is_redone_by_resume(tmp_path, capsys, monkeypatch):
    from ngc_rules.models import DiehlCook
    label = DiehlCook.label

    def interrupted(self, data):
        raise KeyboardInterrupt
    monkeypatch.setattr(DiehlCook, "label", interrupted)
    out = tmp_path / "run"
    argv = ["train", *SPIKING, "--data", str(_digits_file(tmp_path, 150)), "--epochs", "1"]
    assert main([*argv, "--out", str(out)]) == 130
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"ngc-rules: the read-out after training was interrupted; the trained run is saved; "
        f"read it out with: ngc-rules train --resume {out}")
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["status"] == "interrupted" and metrics["readout"] is None
    monkeypatch.setattr(DiehlCook, "label", label)
    assert main(["train", "--resume", str(out), "--quiet"]) == 0
    again = tmp_path / "again"
    assert main([*argv, "--out", str(again)]) == 0
    assert json.loads((out / "metrics.json").read_text())["readout"] == \
        json.loads((again / "metrics.json").read_text())["readout"]


@pytest.mark.parametrize("argv,message", [
    (["--neurons", "0"], "argument --neurons: must be a positive integer, got '0'"),
    (["--steps", "-1"], "argument --steps: must be a positive integer, got '-1'"),
    (["--steps", "many"], "argument --steps: must be a positive integer, got 'many'"),
    (["--optim", "nag"], "--optim nag does not train diehl-cook; it learns with none, sgd, "
                         "momentum, adam"),
    (["--optim", "none", "--mu", "0.9"], "--mu is not a hyperparameter of none (it takes "
                                         "--eta)"),
    (["--optim", "sgd", "--eta", "0"], "argument --eta: must be a finite number > 0, got '0'"),
    (["--T", "5"], "--T applies to pcn and sparse-coding, not diehl-cook"),
    (["--hidden", "64"], "--hidden applies to pcn, not diehl-cook"),
])
def test_bad_diehl_cook_arguments_give_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--model", "diehl-cook", "--out", "x", *argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


@pytest.mark.parametrize("argv,message", [
    (["--model", "pcn", "--optim", "none"], "--optim none does not train pcn; it learns "
                                            "with sgd, nag, adam"),
    (["--model", "sparse-coding", "--optim", "momentum"], "--optim momentum does not train "
                                                          "sparse-coding"),
    (["--model", "pcn", "--neurons", "10"], "--neurons applies to diehl-cook, not pcn"),
    (["--model", "sparse-coding", "--steps", "10"], "--steps applies to diehl-cook, not "
                                                    "sparse-coding"),
])
def test_options_of_one_model_are_refused_with_another(capsys, argv, message):
    with pytest.raises(SystemExit):
        main(["train", *argv, "--out", "x"])
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


@pytest.mark.parametrize("argv,message", [
    (["--data", "bars"], "--data bars has no labels; diehl-cook reads its neurons' classes "
                         "out from them"),
    (["--data", "raw.npz"], "--data raw.npz: diehl-cook takes intensities in [0, 1] (spike "
                            "rates), got values in [0, 255]; --scale 255 or minmax would map "
                            "them"),
    (["--data", "signed.npz", "--scale", "2"], "--data signed.npz: diehl-cook takes "
     "intensities in [0, 1] (spike rates), got values in [-0.25, 0.5]; --scale minmax would "
     "map them"),
])
def test_bad_spiking_data_gives_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch,
                                                            argv, message):
    monkeypatch.chdir(tmp_path)
    labels = np.arange(40) % 4
    np.savez("raw.npz", x=np.eye(4)[labels] * 255, y=labels)
    np.savez("signed.npz", x=np.eye(4)[labels] - 0.5 * np.eye(4)[3 - labels], y=labels)
    before = sorted(os.listdir(tmp_path))
    assert main(["train", "--model", "diehl-cook", *argv, "--out", "run", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err == f"ngc-rules: error: {message}\n"
    assert sorted(os.listdir(tmp_path)) == before


def test_help_states_the_spiking_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "diehl-cook: none 1, sgd 1, momentum 0.03, adam 0.0003" in out
    assert "mu 0.9, beta1 0.9, beta2 0.999, eps 1e-08" in out
    assert "(default: 100)" in out and "(default: 350)" in out
    assert "(default: 10; 2 for diehl-cook; or the resumed run's)" in out
    assert "(default: 64; 100 for diehl-cook)" in out
