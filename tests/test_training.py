"""The training loop: resumed and interrupted runs continue bit for bit, divergence is
caught at the batch where it happens, and nothing good is overwritten."""
import json
import os
import signal

import numpy as np
import pytest

from ngc_rules import data
from ngc_rules.checkpoint import state_leaves
from ngc_rules.models import PCN, SparseCoding
from ngc_rules.training import Diverged, Interrupted, Progress, Run, fit, load_run
from ngc_rules.training.runs import strict_json

CLUSTERS = data.split(data.gaussian_clusters(n=300, n_classes=3, dim=8))
BARS = data.split(data.bars(n=300, size=4))
MODELS = {
    "pcn": (lambda: PCN((8, 16, 3), optim_type="adam", T=5, seed=1), CLUSTERS),
    "sparse-coding": (lambda: SparseCoding(16, 8, optim_type="nag", T=10, seed=1), BARS),
}


def _without_seconds(history):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in history]


def _assert_same_model(a, b):
    for mine, theirs in zip(a.synapses, b.synapses):
        for x, y in zip([mine.weights, mine.biases, *state_leaves(mine.opt_params)],
                        [theirs.weights, theirs.biases, *state_leaves(theirs.opt_params)]):
            np.testing.assert_array_equal(x, y)


def _interrupt_at(model, call):
    """Make ``model`` receive a Ctrl-C during its ``call``-th batch."""
    learn, calls = model.learn_batch, []

    def learn_batch(batch):
        calls.append(1)
        if len(calls) == call:
            os.kill(os.getpid(), signal.SIGINT)
        return learn(batch)
    model.learn_batch = learn_batch


def _continues_exactly(name, run, epochs):
    """Continue ``run`` to ``epochs`` and compare it with a run that never stopped."""
    make, (train, test) = MODELS[name]
    straight = make()
    expected = fit(straight, train, test, epochs=epochs, batch_size=32, progress=False)
    history = fit(run.model, train, test, epochs=epochs, progress=False, resume=run)
    assert _without_seconds(history) == _without_seconds(expected)
    _assert_same_model(run.model, straight)


@pytest.mark.parametrize("name", MODELS)
def test_three_plus_three_epochs_equal_six(tmp_path, name):
    make, (train, test) = MODELS[name]
    fit(make(), train, test, epochs=3, batch_size=32, progress=False, checkpoint_dir=tmp_path)
    run = load_run(tmp_path)
    assert [row["epoch"] for row in run.history] == [0, 1, 2, 3] and run.progress is None
    _continues_exactly(name, run, 6)


@pytest.mark.parametrize("name", MODELS)
def test_ctrl_c_stops_between_batches_and_the_run_continues_exactly(tmp_path, name):
    make, (train, test) = MODELS[name]
    model = make()
    _interrupt_at(model, 13)  # 8 batches an epoch: the 5th batch of epoch 2
    with pytest.raises(Interrupted, match="interrupted at epoch 2, after batch 5 of 8") as stop:
        fit(model, train, test, epochs=3, batch_size=32, progress=False,
            checkpoint_dir=tmp_path)
    assert stop.value.run.progress.epoch == 2 and stop.value.run.progress.batch == 5
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    run = load_run(tmp_path)
    assert run.progress == stop.value.run.progress
    _continues_exactly(name, run, 3)


def test_an_interrupted_run_also_continues_in_memory():
    make, (train, test) = MODELS["pcn"]
    expected = fit(make(), train, test, epochs=2, progress=False)
    model = make()
    _interrupt_at(model, 3)
    with pytest.raises(Interrupted) as stop:
        fit(model, train, test, epochs=2, progress=False)
    del model.learn_batch
    history = fit(model, train, test, epochs=2, progress=False, resume=stop.value.run)
    assert _without_seconds(history) == _without_seconds(expected)


def test_a_second_ctrl_c_raises_at_once():
    make, (train, test) = MODELS["pcn"]
    model = make()
    learn = model.learn_batch

    def twice(batch):
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)
        return learn(batch)
    model.learn_batch = twice
    with pytest.raises(KeyboardInterrupt) as stop:
        fit(model, train, test, epochs=1, progress=False)
    assert not isinstance(stop.value, Interrupted)


def test_divergence_names_epoch_batch_layer_and_rule():
    train, test = data.split(data.digits())
    model = PCN((64, 128, 10), optim_type="nag", eta=0.1, seed=0)
    with pytest.raises(Diverged) as error:
        fit(model, train, test, epochs=3, progress=False)
    message = str(error.value)
    assert message.startswith("training diverged at epoch 1, batch ")
    assert "became NaN or inf with nag (eta=0.1); try a smaller learning rate" in message
    assert ("the energy of e" in message or "of W" in message) and "\n" not in message
    assert [row["epoch"] for row in error.value.history] == [0]


def test_divergence_leaves_the_last_good_checkpoint(tmp_path):
    make, (train, test) = MODELS["pcn"]
    model = make()
    fit(model, train, test, epochs=2, progress=False, checkpoint_dir=tmp_path)
    saved = {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)}
    learn = model.learn_batch

    def poisoned(batch):
        metrics = learn(batch)
        model.synapses[1].weights[0, 0] = np.inf
        return metrics
    model.learn_batch = poisoned
    with pytest.raises(Diverged, match="epoch 3, batch 1 of 4: the weights of W2 became NaN"):
        fit(model, train, test, epochs=5, progress=False, checkpoint_dir=tmp_path,
            checkpoint_every=1, resume=load_run(tmp_path)._replace(model=model))
    assert {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)} == saved


def test_fit_takes_arrays_as_well_as_datasets():
    (train, test), make = CLUSTERS, MODELS["pcn"][0]
    expected = fit(make(), train, test, epochs=2, progress=False)
    history = fit(make(), (train.x, train.labels), (test.x, test.labels), epochs=2,
                  progress=False)
    assert _without_seconds(history) == _without_seconds(expected)


@pytest.mark.parametrize("change,message", [
    (dict(batch_size=16), "resume: the run used batch_size=64, got 16"),
    (dict(seed=3), "resume: the run used seed=0, got 3"),
    (dict(epochs=1), "epochs=1, but the run has already trained 2 epochs"),
    (dict(train=CLUSTERS[1]), "resume: train is not the data the run was trained on"),
    (dict(model="other"), "resume: pass the run's own model"),
])
def test_a_resume_that_cannot_continue_exactly_is_refused(tmp_path, change, message):
    make, (train, test) = MODELS["pcn"]
    fit(make(), train, test, epochs=2, progress=False, checkpoint_dir=tmp_path)
    run = load_run(tmp_path)
    arguments = {**dict(model=run.model, train=train, test=test, epochs=4, progress=False,
                        resume=run), **change}
    if arguments["model"] == "other":
        arguments["model"] = make()
    before = [s.weights.copy() for s in run.model.synapses]
    with pytest.raises(ValueError, match=message):
        fit(**arguments)
    for weights, synapse in zip(before, run.model.synapses):
        np.testing.assert_array_equal(weights, synapse.weights)


@pytest.mark.parametrize("arguments,message", [
    (dict(epochs=-1), "epochs must be an integer >= 0, got -1"),
    (dict(epochs=2.5), "epochs must be an integer >= 0, got 2.5"),
    (dict(batch_size=0), "batch_size must be None or an integer >= 1, got 0"),
    (dict(seed=-2), "seed must be None or an integer >= 0, got -2"),
    (dict(checkpoint_every=0), "checkpoint_every must be None or an integer >= 1, got 0"),
])
def test_bad_arguments_are_named(arguments, message):
    make, (train, test) = MODELS["pcn"]
    with pytest.raises(ValueError, match=message):
        fit(make(), train, test, **{"epochs": 1, **arguments})


def test_a_damaged_or_missing_run_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="holds no saved run"):
        load_run(tmp_path)
    make, (train, test) = MODELS["pcn"]
    fit(make(), train, test, epochs=1, progress=False, checkpoint_dir=tmp_path)
    good = (tmp_path / "run.json").read_text()
    for damaged in ('{"history": 3}', good.replace('"progress": null', '"progress": {"a": 1}'),
                    good.replace('"settings"', '"other"'), '[1, 2]', good[:-20]):
        (tmp_path / "run.json").write_text(damaged)
        with pytest.raises(ValueError, match="is damaged|damaged header"):
            load_run(tmp_path)


def test_strict_json_writes_null_for_non_finite_numbers():
    text = json.dumps(strict_json({"a": [1.0, float("nan")], "b": float("-inf")}),
                      allow_nan=False)
    assert json.loads(text) == {"a": [1.0, None], "b": None}


@pytest.mark.parametrize("model,rule", [(m, r) for m in ("pcn", "sparse-coding")
                                        for r in ("sgd", "nag", "adam")])
def test_every_model_and_rule_converges_at_its_defaults(model, rule):
    if model == "pcn":
        train, test = data.split(data.digits())
        network = PCN((64, 128, 10), optim_type=rule)
    else:
        train, test = data.split(data.bars())
        network = SparseCoding(64, 32, optim_type=rule)
    history = fit(network, train, test, epochs=4, progress=False)
    assert all(np.isfinite(v) for row in history for v in row.values())
    assert history[-1]["test_energy"] < 0.5 * history[0]["test_energy"]
    if model == "pcn":
        assert history[-1]["accuracy"] > 0.8  # chance is 0.1


def test_models_datasets_and_runs_read_well():
    assert repr(data.bars(n=10, size=4)) == ("Dataset(10 samples of 16 features, no classes, "
                                             "image_shape=(4, 4))")
    model = PCN((4, 3, 2), optim_type="nag", seed=1)
    assert repr(model) == ("PCN(sizes=[4, 3, 2], optim_type='nag', eta=0.001, optim_params={}, "
                           "act_fx='tanh', T=20, tau_m=10.0, dt=1.0, weight_scale=1.0, seed=1)")
    assert repr(Run(model, [{}, {}])) == f"Run({model!r}, 1 epochs done)"
    stopped = Run(model, [{}], Progress(1, 5, {}, 0.0))
    assert repr(stopped) == f"Run({model!r}, 0 epochs done, stopped in epoch 1 after batch 5)"
