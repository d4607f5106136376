"""The predictive-coding and sparse-coding models: their dynamics against NumPy, that they
learn, and that checkpoints restore them."""
import numpy as np
import pytest

from ngc_rules.data import bars, gaussian_clusters, split
from ngc_rules.models import PCN, SparseCoding
from ngc_rules.training import fit


def _numpy_pcn_learn(weights, biases, x, y, T, beta, eta):
    """One training batch of the PCN (tanh hidden layers, SGD), from its equations."""
    zs, mus = [x], []
    for l, (w, b) in enumerate(zip(weights, biases)):
        mus.append((zs[-1] if l == 0 else np.tanh(zs[-1])) @ w + b)
        zs.append(mus[-1].copy())
    zs[-1] = y

    def errors():
        inputs = [x] + [np.tanh(z) for z in zs[1:-1]]
        mus[:] = [a @ w + b for a, w, b in zip(inputs, weights, biases)]
        return [z - mu for z, mu in zip(zs[1:], mus)], inputs

    es, inputs = errors()
    for _ in range(T):
        for l in range(1, len(zs) - 1):
            z = zs[l]
            zs[l] = z + beta * ((es[l] @ weights[l].T) * (1 - np.tanh(z) ** 2) - es[l - 1])
        es, inputs = errors()
    for w, b, a, e in zip(weights, biases, inputs, es):
        w += eta * a.T @ e
        b += eta * e.sum(axis=0, keepdims=True)
    return sum(0.5 * np.sum(e ** 2) for e in es) / len(x)


def test_pcn_inference_and_learning_match_numpy():
    rng = np.random.default_rng(0)
    model = PCN((6, 5, 4, 3), optim_type="sgd", eta=0.05, T=7, tau_m=5.0, dt=1.0, seed=1)
    weights = [s.weights.astype(np.float64) for s in model.synapses]
    biases = [s.biases.astype(np.float64) for s in model.synapses]
    for _ in range(3):
        x = rng.random((4, 6))
        y = np.eye(3)[rng.integers(0, 3, 4)]
        expected = _numpy_pcn_learn(weights, biases, x, y, 7, 1.0 / 5.0, 0.05)
        energy = model.learn(x.astype(np.float32), y)["energy"]
        assert energy == pytest.approx(expected, rel=1e-4)
        for s, w, b in zip(model.synapses, weights, biases):
            np.testing.assert_allclose(s.weights, w, rtol=1e-4, atol=1e-5)
            np.testing.assert_allclose(s.biases, b, rtol=1e-4, atol=1e-5)


def test_inference_lowers_the_energy():
    data = gaussian_clusters(n=64, n_classes=3, dim=8)
    model = PCN((8, 12, 12, 3), optim_type="adam", eta=0.01, T=30, seed=0)
    start, end = model.infer(data.x, data.y)
    assert end < 0.9 * start


def test_pcn_inference_trace_runs_from_start_to_end():
    data = gaussian_clusters(n=64, n_classes=3, dim=8)
    model = PCN((8, 12, 12, 3), optim_type="adam", eta=0.01, T=30, seed=0)
    start, end = model.infer(data.x, data.y)
    trace = model.infer(data.x, data.y, trace=True)
    assert trace.dtype == np.float64 and trace.shape == (31,)
    assert trace[0] == start and trace[-1] == end
    assert np.all(np.diff(trace) < 0)


def test_sparse_coding_inference_trace_ends_at_the_evaluated_energy():
    x = bars(n=64, size=4, seed=0).x
    model = SparseCoding(16, 8, optim_type="sgd", eta=0.05, T=20, seed=0)
    plain = model.infer(x).copy()
    code, trace = model.infer(x, trace=True)
    np.testing.assert_array_equal(code, plain)
    assert trace.dtype == np.float64 and trace.shape == (21,)
    # inference starts from z = 0, which reconstructs nothing
    assert trace[0] == pytest.approx(np.sum(x.astype(np.float64) ** 2) / 2 / len(x), rel=1e-5)
    assert trace[-1] == model.evaluate(x)["energy"]
    assert trace[-1] < 0.6 * trace[0]


@pytest.mark.parametrize("rule,eta", [("sgd", 0.01), ("nag", 0.005), ("adam", 0.005)])
def test_pcn_learns_clusters_with_every_rule(rule, eta):
    train, test = split(gaussian_clusters(n=600, n_classes=4, dim=16, seed=2))
    model = PCN((16, 32, 4), optim_type=rule, eta=eta, T=10, seed=0)
    history = fit(model, train, test, epochs=8, batch_size=32, progress=False)
    assert history[0]["accuracy"] < 0.5
    assert history[-1]["accuracy"] > 0.9
    assert history[-1]["test_energy"] < 0.5 * history[0]["test_energy"]


def test_sparse_coding_learns_sparse_bar_filters():
    train, test = split(bars(n=1000, size=6, seed=0))
    model = SparseCoding(36, 16, optim_type="sgd", eta=0.02, lmbda=0.2, seed=0)
    history = fit(model, train, test, epochs=10, batch_size=50, progress=False)
    assert history[-1]["test_energy"] < 0.25 * history[0]["test_energy"]
    assert history[-1]["test_active"] < 0.3
    np.testing.assert_allclose(np.linalg.norm(model.filters, axis=1), 1.0, rtol=1e-5)
    # most filters concentrate on one bar: their six largest pixels share a row or column
    bar_like = 0
    for f in model.filters:
        top = np.argsort(np.abs(f))[-6:]
        bar_like += len(set(top // 6)) == 1 or len(set(top % 6)) == 1
    assert bar_like >= 12


@pytest.mark.parametrize("make,batch", [
    (lambda: PCN((8, 10, 3), optim_type="adam", eta=0.01, T=5, seed=3), "xy"),
    (lambda: SparseCoding(16, 6, optim_type="nag", eta=0.01, T=5, seed=3), "x"),
])
def test_restored_model_continues_bit_for_bit(tmp_path, make, batch):
    data = gaussian_clusters(n=40, n_classes=3, dim=8) if batch == "xy" else bars(n=40, size=4)
    straight, resumed = make(), make()
    for _ in range(4):
        straight.learn_batch(data)
    for _ in range(2):
        resumed.learn_batch(data)
    resumed.save(tmp_path)
    restored = type(resumed).restore(tmp_path)
    for _ in range(2):
        restored.learn_batch(data)
    for a, b in zip(straight.synapses, restored.synapses):
        np.testing.assert_array_equal(a.weights, b.weights)


def test_restore_refuses_another_model(tmp_path):
    PCN((4, 3, 2), seed=0).save(tmp_path)
    with pytest.raises(ValueError, match="holds a PCN, not a SparseCoding"):
        SparseCoding.restore(tmp_path)


@pytest.mark.parametrize("make,message", [
    (lambda: PCN((4,)), "at least two positive layer sizes"),
    (lambda: PCN((4, 2), T=0), "T must be a positive integer"),
    (lambda: SparseCoding(4, 2, T=1.5), "T must be a positive integer"),
    (lambda: fit(PCN((4, 2)), None, None, epochs=-1), "epochs must be"),
])
def test_bad_model_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()
