"""Non-finite updates: skipped (and counted) or refused, with nothing changed, for every rule,
in place and functional, through the step functions, rules, synapses and models."""
import numpy as np
import pytest

from ngc_rules import optim
from ngc_rules.models import PCN
from ngc_rules.optim import finite_init, finite_step
from ngc_rules.synapses import HebbianSynapse
from rules import RULES, random_problem, state_arrays

BAD_VALUES = [np.nan, np.inf, -np.inf]


def _snapshot(*trees):
    return [a.copy() for tree in trees for a in state_arrays(tree)]


def _assert_same(before, *trees):
    after = [a for tree in trees for a in state_arrays(tree)]
    assert len(before) == len(after)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("inplace", [False, True], ids=["functional", "inplace"])
@pytest.mark.parametrize("bad", BAD_VALUES, ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("rule", RULES)
def test_a_skipped_step_changes_nothing_but_the_counters(rule, bad, inplace):
    init, step, hp = RULES[rule]
    theta, (good, spoiled, later) = random_problem(3, [(4, 3), (5,)], np.float32, 3)
    spoiled[1][2] = bad
    plain_params, plain_theta = init(theta), [p.copy() for p in theta]
    state, theta = finite_init(init(theta)), [p.copy() for p in theta]
    for updates, finite in ((good, True), (spoiled, False), (later, True)):
        before = _snapshot(state.inner, theta)
        state, theta = finite_step(state, theta, updates, step=step, inplace=inplace, **hp)
        if finite:
            plain_params, plain_theta = step(plain_params, plain_theta, updates, **hp)
        else:
            _assert_same(before, state.inner, theta)
            assert int(state.skipped) == 1 and int(state.consecutive) == 1
    assert int(state.skipped) == 1 and int(state.consecutive) == 0
    for ours, expected in zip(theta, plain_theta):  # the skip left no trace
        np.testing.assert_array_equal(ours, expected)
    _assert_same(_snapshot(plain_params), state.inner)


@pytest.mark.parametrize("inplace", [False, True], ids=["functional", "inplace"])
def test_raise_refuses_and_names_the_tensor(inplace):
    theta = {"w": np.ones((2, 2), np.float32), "b": np.ones(2, np.float32)}
    state = finite_init(optim.adam_init(theta))
    updates = {"w": np.ones((2, 2), np.float32), "b": np.array([1.0, np.nan], np.float32)}
    before = _snapshot(state.inner, theta)
    with pytest.raises(FloatingPointError, match=r"updates\['b'\] \(1 of them\).*nothing"):
        finite_step(state, theta, updates, on_nonfinite="raise", inplace=inplace)
    _assert_same(before, state.inner, theta)
    assert int(state.skipped) == int(state.consecutive) == 0


def test_max_consecutive_stops_a_diverged_run():
    theta = np.zeros(3)
    state = finite_init(optim.sgd_init(theta))
    nan = np.full(3, np.nan)
    for _ in range(2):
        state, theta = finite_step(state, theta, nan, step=optim.sgd_step, max_consecutive=2)
    with pytest.raises(FloatingPointError, match="3 non-finite steps in a row"):
        finite_step(state, theta, nan, step=optim.sgd_step, max_consecutive=2)
    assert int(state.skipped) == 2


@pytest.mark.parametrize("kwargs, message", [
    (dict(on_nonfinite="ignore"), "on_nonfinite must be one of"),
    (dict(max_consecutive=-1), "max_consecutive must be None or an integer >= 0, got -1"),
    (dict(max_consecutive=1.5), "max_consecutive"),
])
def test_bad_options_are_named(kwargs, message):
    theta = np.zeros(2)
    with pytest.raises(ValueError, match=message):
        finite_step(finite_init(optim.sgd_init(theta)), theta, np.ones(2),
                    step=optim.sgd_step, **kwargs)


def test_state_of_another_kind_is_refused():
    theta = np.zeros(2)
    with pytest.raises(TypeError, match="FiniteState from finite_init, got AdamState"):
        finite_step(optim.adam_init(theta), theta, np.ones(2))


def test_sparse_updates_are_checked_by_their_values():
    theta = np.zeros((4, 2), np.float32)
    state = finite_init(optim.adam_init(theta))
    slices = optim.IndexedSlices(np.array([[1.0, np.inf]], np.float32), np.array([2]), (4, 2))
    state, theta = finite_step(state, theta, slices, inplace=True)
    assert int(state.skipped) == 1 and not theta.any()


def test_nonfinite_counts_every_bad_element_of_large_and_strided_updates():
    from ngc_rules.optim._engine import nonfinite_counts
    big = np.zeros(100_000, np.float32)
    big[[0, 5, 99_999]] = [np.nan, np.inf, -np.inf]
    strided = np.zeros((6, 4))[:, ::2]
    strided[1, 1] = np.nan
    assert nonfinite_counts([big, big, strided], [big, np.zeros_like(big), strided]) == [
        ("updates[0]", 3), ("updates[1]", 0), ("updates[2]", 1)]


def test_a_synapse_skips_nonfinite_steps_and_counts_them():
    synapse = HebbianSynapse("W", (3, 2), optim_type="adam", eta=0.1,
                             optim_params={"on_nonfinite": "skip"})
    weights = synapse.weights.copy()
    synapse.pre, synapse.post = np.ones((1, 3), np.float32), np.full((1, 2), np.nan, np.float32)
    synapse.evolve()
    np.testing.assert_array_equal(synapse.weights, weights)
    assert synapse.skipped_steps == 1
    synapse.post = np.ones((1, 2), np.float32)
    synapse.evolve()
    assert synapse.skipped_steps == 1 and not np.array_equal(synapse.weights, weights)
    assert "on_nonfinite='skip'" in repr(synapse.rule)


def test_a_model_guards_every_synapse_and_keeps_the_option_in_its_checkpoint(tmp_path):
    model = PCN((4, 6, 2), optim_params={"on_nonfinite": "skip"}, T=2, seed=0)
    x, y = np.ones((3, 4), np.float32), np.eye(2, dtype=np.float32)[[0, 1, 0]]
    before = [s.weights.copy() for s in model.synapses]
    model.learn(np.full((3, 4), np.nan, np.float32), y)
    assert model.skipped_steps == {"W1": 1, "W2": 1}
    for synapse, weights in zip(model.synapses, before):
        np.testing.assert_array_equal(synapse.weights, weights)
    model.learn(x, y)
    model.save(tmp_path)
    restored = PCN.restore(tmp_path)
    assert restored.skipped_steps == {"W1": 1, "W2": 1}
    assert restored.synapses[0].rule.on_nonfinite == "skip"


def test_a_rule_raising_on_nonfinite_updates():
    rule = optim.LearningRule("sgd", eta=0.1, on_nonfinite="raise")
    w = np.ones(2, np.float32)
    state = rule.init([w])
    with pytest.raises(FloatingPointError, match=r"updates\[0\]"):
        rule.step(state, [w], [np.array([np.inf, 0], np.float32)])
    assert w.tolist() == [1.0, 1.0] and rule.skipped_steps(state) == 0
    with pytest.raises(ValueError, match="on_nonfinite must be one of"):
        optim.LearningRule("sgd", on_nonfinite=True)
