"""Synapses: every case recorded from ngc-learn's ``HebbianSynapse``, a NumPy reference of
the Hebbian rule, checkpoints, and bad arguments."""
import functools
import tracemalloc

import numpy as np
import pytest

from ngc_rules import initializers
from ngc_rules.optim import LearningRule, adam_step, get_opt_step_fn
from ngc_rules.synapses import DenseSynapse, HebbianSynapse
from reference import assert_close, load_cases

CASES = load_cases("hebbian.json")


def _synapse(case, **overrides):
    kwargs = dict(case["kwargs"], **overrides)
    if "prior" in kwargs:
        kwargs["prior"] = tuple(kwargs["prior"])
    syn = HebbianSynapse(case["name"], tuple(case["shape"]),
                         bias_init=initializers.constant(0.0) if case["with_bias"] else None,
                         **kwargs)
    syn.weights[...] = np.array(case["W0"], np.float32)
    if case["with_bias"]:
        syn.biases[...] = np.array(case["b0"], np.float32)
    return syn


def _run(syn, case, step):
    syn.inputs = np.array(case["inputs"][step], np.float32)
    syn.advance_state()
    outputs = syn.outputs.copy()
    syn.pre = np.array(case["pre"][step], np.float32)
    syn.post = np.array(case["post"][step], np.float32)
    syn.evolve(dt=1.0)
    return outputs


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_matches_ngclearn_hebbian_synapse(case):
    syn = _synapse(case)
    for step in range(len(case["inputs"])):
        assert_close(_run(syn, case, step), case["outputs"][step], np.float32)
        assert_close(syn.weights, case["weights"][step], np.float32)
        assert_close(syn.dWeights, case["dWeights"][step], np.float32)
        assert_close(syn.dBiases, case["dBiases"][step], np.float32)
        if case["with_bias"]:
            assert_close(syn.biases, case["biases"][step], np.float32)
        assert syn.weights.dtype == np.float32


def _numpy_evolve(w, b, pre, post, eta, w_bound, prior, l1_ratio, sign, nonneg):
    """Float64 SGD Hebbian step, written from the definition."""
    dw = pre.T @ post
    if w_bound > 0:
        dw = dw * (w_bound - np.abs(w))
    reg = {"none": 0.0, "l2": -w * prior[1], "l1": -np.sign(w) * prior[1],
           "l1l2": -prior[1] * (np.sign(w) * l1_ratio + w * (1 - l1_ratio) / 2)}[prior[0]]
    dw = (dw + reg) * sign
    db = post.sum(axis=0, keepdims=True) * sign
    w, b = w - eta * dw, b - eta * db
    if w_bound > 0:
        w = np.clip(w, 0.0 if nonneg else -w_bound, w_bound)
    return w, b


@pytest.mark.parametrize("prior", [("none", 0.0), ("l2", 0.05), ("l1", 0.01), ("l1l2", 0.1)])
@pytest.mark.parametrize("w_bound,nonneg", [(0.0, False), (0.3, False), (0.3, True)])
def test_sgd_synapse_matches_numpy_reference(prior, w_bound, nonneg):
    rng = np.random.default_rng(3)
    arg = (prior[0], (prior[1], 0.25)) if prior[0] == "l1l2" else \
        ("constant", 0.0) if prior[0] == "none" else prior
    syn = HebbianSynapse("W", (5, 4), eta=0.05, w_bound=w_bound, is_nonnegative=nonneg,
                         prior=arg, sign_value=-1.0, bias_init=initializers.constant(0.1),
                         weight_init=initializers.gaussian(0.0, 0.2), seed=1, dtype=np.float64)
    w, b = syn.weights.copy(), syn.biases.copy()
    for _ in range(4):
        syn.pre, syn.post = rng.random((3, 5)), rng.standard_normal((3, 4))
        syn.evolve()
        w, b = _numpy_evolve(w, b, syn.pre, syn.post, 0.05, w_bound, prior, 0.25, -1.0, nonneg)
        np.testing.assert_allclose(syn.weights, w, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(syn.biases, b, rtol=1e-12, atol=1e-14)


def test_dense_synapse_transform_with_resistance_and_mask():
    syn = DenseSynapse("W", (6, 3), weight_init=initializers.uniform(-1, 1),
                       bias_init=initializers.constant(0.5), resist_scale=2.0, p_conn=0.5,
                       seed=4)
    assert 0 < np.count_nonzero(syn.mask) < syn.mask.size
    assert np.all(syn.weights[syn.mask == 0] == 0)
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    syn.inputs = x
    syn.advance_state()
    np.testing.assert_allclose(syn.outputs, x @ syn.weights * 2.0 + 0.5, rtol=1e-6)


def test_masked_connections_stay_absent_while_learning():
    syn = HebbianSynapse("W", (4, 4), eta=0.5, p_conn=0.5, w_bound=0.0, seed=2)
    syn.pre, syn.post = np.ones((2, 4), np.float32), np.ones((2, 4), np.float32)
    for _ in range(3):
        syn.evolve()
    assert np.all(syn.weights[syn.mask == 0] == 0)
    assert np.any(syn.weights[syn.mask == 1] != 0)


@pytest.mark.parametrize("optim_type", [
    "adam", adam_step, get_opt_step_fn("adam", eta=0.02, beta2=0.99),
    LearningRule("adam", eta=0.02, beta2=0.99), functools.partial(adam_step, beta2=0.99)])
def test_rule_can_be_a_name_function_partial_or_object(optim_type):
    syn = HebbianSynapse("W", (3, 2), eta=0.02, optim_type=optim_type, w_bound=0.0, seed=0)
    assert syn.rule.step_fn is adam_step and syn.eta == 0.02
    before = syn.weights.copy()
    syn.pre, syn.post = np.ones((1, 3), np.float32), np.ones((1, 2), np.float32)
    syn.evolve()
    np.testing.assert_allclose(before - syn.weights, 0.02, rtol=1e-5)


def test_rule_hyperparameters_reach_the_step():
    syn = HebbianSynapse("W", (3, 2), eta=0.1, optim_type="nag", optim_params={"mu": 0.5},
                         w_bound=0.0)
    assert syn.rule.hyperparameters == {"mu": 0.5, "eta": 0.1}
    assert HebbianSynapse("W", (3, 2), optim_type=LearningRule("sgd", eta=0.3)).eta == 0.3


def test_replaced_weights_rule_or_state_are_the_ones_that_learn():
    def synapse():
        syn = HebbianSynapse("W", (3, 2), eta=0.1, optim_type="adam", w_bound=0.0, seed=0)
        syn.pre, syn.post = np.ones((1, 3), np.float32), np.ones((1, 2), np.float32)
        syn.evolve()
        return syn

    syn = synapse()
    old, syn.weights = syn.weights, np.zeros((3, 2), np.float32)
    kept = old.copy()
    syn.evolve()
    np.testing.assert_array_equal(old, kept)
    np.testing.assert_allclose(np.abs(syn.weights), 0.1, rtol=1e-4)  # about eta a step
    syn = synapse()
    syn.rule = LearningRule("sgd", eta=0.0)
    syn.opt_params = syn.rule.init([syn.weights, syn.biases])
    before = syn.weights.copy()
    syn.evolve()
    np.testing.assert_array_equal(syn.weights, before)
    assert int(syn.opt_params) == 1


def test_evolve_allocates_no_parameter_sized_memory():
    syn = HebbianSynapse("W", (400, 300), eta=0.01, optim_type="adam", w_bound=1.0,
                         prior=("l2", 0.01), bias_init=initializers.constant(0.0), seed=0)
    syn.pre = np.ones((8, 400), np.float32)
    syn.post = np.ones((8, 300), np.float32)
    syn.evolve()  # compile and settle
    tracemalloc.start()
    for _ in range(3):
        syn.evolve()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < syn.weights.nbytes / 20, f"evolve allocated {peak} bytes"


def test_save_load_restores_weights_and_learning_state(tmp_path):
    def make():
        return HebbianSynapse("W1", (4, 3), eta=0.05, optim_type="adam", w_bound=0.0,
                              bias_init=initializers.constant(0.0), seed=7)
    rng = np.random.default_rng(0)
    signals = [(rng.random((2, 4), np.float32), rng.random((2, 3), np.float32))
               for _ in range(6)]
    straight, resumed = make(), make()
    for pre, post in signals:
        straight.pre, straight.post = pre, post
        straight.evolve()
    for pre, post in signals[:3]:
        resumed.pre, resumed.post = pre, post
        resumed.evolve()
    resumed.save(tmp_path)
    fresh = make()
    fresh.load(tmp_path)
    assert int(fresh.opt_params.t) == 3
    for pre, post in signals[3:]:
        fresh.pre, fresh.post = pre, post
        fresh.evolve()
    np.testing.assert_array_equal(fresh.weights, straight.weights)
    np.testing.assert_array_equal(fresh.biases, straight.biases)


def test_load_refuses_another_shape_and_changes_nothing(tmp_path):
    HebbianSynapse("W", (4, 3), optim_type="adam", seed=0).save(tmp_path)
    other = HebbianSynapse("W", (3, 4), optim_type="adam", seed=1)
    before = other.weights.copy()
    with pytest.raises(ValueError, match="expected float32"):
        other.load(tmp_path)
    np.testing.assert_array_equal(other.weights, before)


@pytest.mark.parametrize("kwargs,message", [
    ({"shape": (3,)}, "shape must be"),
    ({"p_conn": 0.0}, "p_conn must be a probability"),
    ({"prior": ("l3", 0.1)}, "unknown prior 'l3'"),
    ({"prior": ("l1l2", 0.1)}, "takes \\(scale, l1_ratio\\)"),
    ({"w_bound": float("nan")}, "w_bound must be finite"),
    ({"optim_type": "rmsprop"}, "unknown rule 'rmsprop'"),
    ({"optim_type": "adam", "optim_params": {"beta3": 1}}, "not \\['beta3'\\]"),
    ({"weight_init": ("normal", 0, 1)}, "unknown initializer 'normal'"),
    ({"colour": "red"}, "unknown arguments \\['colour'\\]"),
])
def test_bad_arguments_are_named(kwargs, message):
    kwargs = {"shape": (3, 2), **kwargs}
    with pytest.raises((ValueError, TypeError), match=message):
        HebbianSynapse("W", **kwargs)


def test_evolve_refuses_mismatched_signals():
    syn = HebbianSynapse("W", (3, 2), eta=0.1, seed=0)
    before = syn.weights.copy()
    syn.pre, syn.post = np.ones((2, 3), np.float32), np.ones((3, 2), np.float32)
    with pytest.raises(ValueError, match="pre and post must have shapes"):
        syn.evolve()
    np.testing.assert_array_equal(syn.weights, before)
