"""The benchmark compares like with like: its NumPy steps, its roofline twin and its PCNs
compute what they claim (no timing here)."""
import importlib.util
import pathlib

import numpy as np
import pytest

from ngc_rules import data, optim


def _load(name):
    """``benchmarks/<name>.py``, under a name of its own (the tests have a ``peers``)."""
    spec = importlib.util.spec_from_file_location(
        f"benchmark_{name}", pathlib.Path(__file__).parents[1] / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


peers, pcn_epoch = _load("peers"), _load("pcn_epoch")


@pytest.mark.parametrize("rule", ["sgd", "nag", "adam"])
def test_numpy_step_matches_ngc_rules(rule):
    rng = np.random.default_rng(0)
    theta = rng.standard_normal((7, 5)).astype(np.float32)
    p, ours, state = theta.copy(), [theta.copy()], optim.get_opt_init_fn(rule)([theta])
    s = [np.zeros_like(p) for _ in range(peers.STATE_ARRAYS[rule])]
    work = np.empty_like(p)
    for t in range(1, 5):
        g = rng.standard_normal(p.shape).astype(np.float32)
        peers._NUMPY[rule](p, g, s, work, t, **peers.HYPERPARAMETERS[rule])
        state, ours = getattr(optim, f"{rule}_step")(state, ours, [g],
                                                      **peers.HYPERPARAMETERS[rule])
    np.testing.assert_allclose(p, ours[0], rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("rule", ["sgd", "nag", "adam"])
@pytest.mark.parametrize("shapes", [[(3, 4), (4,)], [(1 << 15,)]])
def test_roofline_twin_moves_every_array(rule, shapes):
    theta = [np.zeros(s, np.float32) for s in shapes]
    grads = [np.full(s, 2.0, np.float32) for s in shapes]
    call = peers.roofline_twin(rule, theta, grads)
    call()
    call()
    written, _, states = call.args[:3]
    arrays = list(written) + [a for leaf in states for a in leaf]
    assert len(arrays) == len(shapes) * (1 + peers.STATE_ARRAYS[rule])
    for array in arrays:
        np.testing.assert_array_equal(array, 4.0)


def test_bytes_per_parameter():
    assert [peers.bytes_per_parameter(r) for r in ("sgd", "nag", "adam")] == [12, 20, 28]


def test_pcn_benchmark_uses_full_disjoint_batches_and_the_models_prediction():
    rows = np.concatenate(pcn_epoch.batches(100, 32, epoch=3))
    assert len(rows) == 96 and len(set(rows)) == 96
    network = pcn_epoch.NgcRulesPCN(pcn_epoch.SETTINGS)
    x = data.digits().x[:50]
    np.testing.assert_allclose(pcn_epoch.feed_forward(*network.parameters(), x),
                               network.model.predict(x), rtol=1e-5, atol=1e-6)


def test_pcn_benchmark_networks_learn_alike():
    """ngc-learn's network, wired from its components, follows ours to float32 rounding."""
    pytest.importorskip("ngclearn")
    settings = pcn_epoch.SETTINGS
    train = data.digits()
    ours = pcn_epoch.NgcRulesPCN(settings)
    theirs = pcn_epoch.NgclearnPCN(*([a.copy() for a in arrays] for arrays in
                                     ours.parameters()), settings["T"],
                                   settings["batch_size"], settings["eta"], settings["tau_m"],
                                   settings["dt"])
    for rows in pcn_epoch.batches(len(train), settings["batch_size"], epoch=0)[:3]:
        ours.learn(train.x[rows], train.y[rows])
        theirs.learn(train.x[rows], train.y[rows])
    for a, b in zip(sum(ours.parameters(), []), sum(theirs.parameters(), [])):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-7)
