"""An attached rule takes the same steps, bit for bit, as its step function, and refuses
what the step function refuses, with nothing changed."""
import numpy as np
import pytest

from ngc_rules import optim
from ngc_rules.optim import IndexedSlices, LearningRule
from ngc_rules.optim._engine import Prepared
from rules import RULES, SHAPES, random_problem, state_arrays

STEPS = 4


def layouts(dtype):
    """theta in several structures and memory orders, with a tensor of each dtype."""
    theta0, updates = random_problem(7, SHAPES, dtype, STEPS)
    theta0[4] = np.asfortranarray(theta0[4])
    return {"list": (theta0, updates),
            "dict": ({f"p{k}": p for k, p in enumerate(theta0)},
                     [{f"p{k}": u for k, u in enumerate(us)} for us in updates]),
            "array": (theta0[6], [us[6] for us in updates]),
            "mixed dtypes": ([theta0[5], theta0[6].astype(np.float64)],
                             [[us[5], us[6].astype(np.float64)] for us in updates])}


def copy(tree):
    if isinstance(tree, dict):
        return {k: v.copy(order="K") for k, v in tree.items()}
    return tree.copy(order="K") if isinstance(tree, np.ndarray) else [p.copy("K") for p in tree]


def assert_same(actual, expected):
    for a, b in zip(state_arrays(actual), state_arrays(expected), strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype and a.shape == b.shape and a.flags.f_contiguous == \
            b.flags.f_contiguous


@pytest.mark.parametrize("layout", ["list", "dict", "array", "mixed dtypes"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rule", RULES)
def test_attached_steps_are_the_step_functions_bit_for_bit(rule, dtype, layout,
                                                          monkeypatch):
    monkeypatch.setattr(Prepared, "_general", None)  # every step here takes the short path
    init, step, hp = RULES[rule]
    theta0, updates = layouts(dtype)[layout]
    theta = copy(theta0)
    opt_params = init(theta)
    learner = LearningRule(step, **hp).attach(copy(theta0))
    for u in updates:
        opt_params, theta = step(opt_params, theta, u, inplace=True, **hp)
        learner.step(u)
        assert_same(learner.theta, theta)
        assert_same(learner.state, opt_params)


def test_updates_to_convert_or_of_rows_take_the_general_path():
    theta0, updates = random_problem(8, [(5, 3), (3,)], np.float32, 3)
    kinds = [[w.astype(np.float64), b.tolist()] for w, b in updates]  # to be converted
    kinds.append([IndexedSlices(updates[0][0][[1, 3]], [1, 3], (5, 3)), updates[0][1]])
    theta = copy(theta0)
    opt_params = optim.adam_init(theta)
    learner = LearningRule("adam", eta=0.1).attach(copy(theta0))
    for u in kinds:
        opt_params, theta = optim.adam_step(opt_params, theta, u, eta=0.1, inplace=True)
        learner.step(u)
        assert_same(learner.theta, theta)
        assert_same(learner.state, opt_params)


def test_the_arrays_given_are_updated_whatever_their_list_becomes():
    theta = [np.zeros(2), np.zeros(3)]
    first = theta[0]
    learner = LearningRule("sgd", eta=1.0).attach(theta)
    theta[0] = np.zeros(2)
    learner.step([np.ones(2), np.ones(3)])
    np.testing.assert_array_equal(first, [-1.0, -1.0])
    np.testing.assert_array_equal(theta[0], [0.0, 0.0])
    assert learner.theta[0] is first


def test_hyperparameters_changed_after_attaching_take_effect():
    rule = LearningRule("sgd", eta=0.5)
    w = np.ones(2)
    learner = rule.attach(w)
    learner.step(np.ones(2))
    rule.hyperparameters["eta"] = 0.25
    learner.step(np.ones(2))
    np.testing.assert_array_equal(w, [0.25, 0.25])


def _refused(learner, updates, error, words):
    before = [a.copy() for a in state_arrays([learner.theta, learner.state])]
    with pytest.raises(error, match=words):
        learner.step(updates)
    for a, b in zip(state_arrays([learner.theta, learner.state]), before, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("spoil, error, words", [
    (lambda w, b: [w, b[:2]], ValueError, r"updates\[1\] has shape \(2,\)"),
    (lambda w, b: [w.astype(np.int32), b], TypeError, r"updates\[0\] has dtype int32"),
    (lambda w, b: [w], ValueError, "updates has 1 arrays but theta has 2"),
])
def test_bad_updates_are_refused_with_nothing_changed(spoil, error, words):
    theta = [np.ones((2, 3), np.float32), np.ones(3, np.float32)]
    learner = LearningRule("adam").attach(theta)
    learner.step([np.ones((2, 3), np.float32), np.ones(3, np.float32)])
    _refused(learner, spoil(np.ones((2, 3), np.float32), np.ones(3, np.float32)), error,
             words)


def test_arrays_changed_after_attaching_are_checked_again():
    theta = [np.ones((2, 3), np.float32)]
    learner = LearningRule("adam").attach(theta)
    theta[0].flags.writeable = False
    _refused(learner, [np.ones((2, 3), np.float32)], ValueError, r"theta\[0\] is read-only")
    theta[0].flags.writeable = True
    learner.state.m[0].shape = (3, 2)
    _refused(learner, [np.ones((2, 3), np.float32)], ValueError,
             r"opt_params.m\[0\] has shape \(3, 2\)")


def test_attaching_refuses_a_state_of_other_arrays_and_keeps_the_old_one():
    w = np.zeros(3, np.float32)
    learner = LearningRule("adam").attach(w)
    state = learner.state
    with pytest.raises(ValueError, match=r"opt_params.m has shape \(4,\), expected \(3,\)"):
        learner.state = optim.adam_init(np.zeros(4, np.float32))
    read_only = np.zeros(3, np.float32)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="theta is read-only"):
        learner.theta = read_only
    assert learner.state is state and learner.theta is w


def test_a_state_that_cannot_advance_in_place_is_replaced_each_step():
    w = np.zeros(2)
    learner = LearningRule("sgd", eta=1.0).attach(w, opt_params=0.0)  # ngc-learn's counter
    for _ in range(2):
        learner.step(np.ones(2))
    np.testing.assert_array_equal(w, [-2.0, -2.0])
    assert int(learner.state) == 2


def test_attached_rule_with_nonfinite_guard_skips_bad_updates():
    w = np.zeros(2, np.float32)
    rule = LearningRule("sgd", eta=1.0, on_nonfinite="skip")
    learner = rule.attach(w)
    learner.step(np.array([np.nan, 1.0], np.float32))
    learner.step(np.ones(2, np.float32))
    np.testing.assert_array_equal(w, [-1.0, -1.0])
    assert rule.skipped_steps(learner.state) == 1
    assert repr(learner) == "<LearningRule('sgd', eta=1.0, on_nonfinite='skip') " \
        "attached, 1 steps taken>"
