"""``compat.keras.Adam``: every recorded Keras trajectory, Keras' validation and methods."""
import numpy as np
import pytest

from ngc_rules import schedules
from ngc_rules.compat.keras import Adam
from peers import replay_keras_facade
from reference import assert_close, load_cases

CASES = load_cases("keras.json")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_matches_keras(case):
    for s, (variables, optimizer) in enumerate(replay_keras_facade(case)):
        for i, expected in enumerate(case["theta"][s]):
            assert_close(variables[i], expected, case["dtype"], ulps=2)
        for i, expected in enumerate(case.get("ema", [[]] * (s + 1))[s]):
            assert_close(optimizer._state.average[i], expected, case["dtype"], ulps=2)


def test_iterations_count_applied_updates_under_accumulation():
    w = np.zeros(2, np.float32)
    opt = Adam(learning_rate=0.1, gradient_accumulation_steps=3)
    seen = []
    for _ in range(7):
        opt.apply_gradients([(np.ones(2, np.float32), w)])
        seen.append((opt.iterations, bool(w[0] != 0)))
    assert seen == [(0, False), (0, False), (1, True), (1, True), (1, True), (2, True),
                    (2, True)]


def test_finalize_gives_the_variables_their_average():
    w = np.zeros(3, np.float32)
    opt = Adam(learning_rate=0.1, use_ema=True, ema_momentum=0.5)
    for g in (1.0, -1.0, 2.0):
        opt.apply([np.full(3, g, np.float32)], [w])
    average = np.array(opt._state.average[0])
    assert not np.array_equal(w, average)
    opt.finalize_variable_values([w])
    np.testing.assert_array_equal(w, average)


def test_schedule_sees_the_raw_call_count():
    schedule = schedules.PiecewiseConstantDecay([1], [0.5, 0.0])
    w = np.zeros(1)
    opt = Adam(learning_rate=schedule, gradient_accumulation_steps=2)
    assert opt.learning_rate == 0.5
    for _ in range(4):
        opt.apply([np.ones(1)], [w])
    # the update at call 1 used rate(1) = 0.5, the one at call 3 used rate(3) = 0.0
    assert opt.learning_rate == 0.0
    assert w[0] == pytest.approx(-0.5, rel=1e-5)  # epsilon hat is not scaled


def test_config_round_trip():
    opt = Adam(learning_rate=schedules.CosineDecay(0.1, 100), amsgrad=True, clipnorm=1.0,
               use_ema=True, ema_overwrite_frequency=5, name="mine")
    config = opt.get_config()
    assert config["learning_rate"] == {"class_name": "CosineDecay",
                                       "config": schedules.CosineDecay(0.1, 100).get_config()}
    again = Adam.from_config(config)
    assert again.get_config() == config
    assert Adam().get_config()["epsilon"] == 1e-07


@pytest.mark.parametrize("kwargs, words", [
    (dict(clipnorm=1.0, clipvalue=0.5), ["Only one of", "clipnorm=1.0", "clipvalue=0.5"]),
    (dict(clipnorm=1.0, global_clipnorm=0.5), ["Only one of", "global_clipnorm=0.5"]),
    (dict(gradient_accumulation_steps=1), ["gradient_accumulation_steps", ">= 2", "=1"]),
    (dict(use_ema=True, ema_momentum=1.5), ["ema_momentum", "[0, 1]", "1.5"]),
    (dict(use_ema=True, ema_overwrite_frequency=0.5), ["ema_overwrite_frequency", "0.5"]),
    (dict(learning_rate=1), ["learning_rate", "float", "=1"]),
    (dict(momentum=0.9), ["not recognized", "momentum"]),
])
def test_keras_validation(kwargs, words):
    with pytest.raises(ValueError) as error:
        Adam(**kwargs)
    for word in words:
        assert word in str(error.value)


def test_apply_refuses_unknown_variables_and_missing_gradients():
    w, other = np.zeros(2), np.zeros(2)
    opt = Adam()
    with pytest.raises(ValueError, match="must already be built"):
        opt.apply([np.ones(2)])
    opt.apply([np.ones(2)], [w])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply([np.ones(2)], [other])
    before = w.copy()
    with pytest.raises(ValueError, match="No gradient"):
        opt.apply([None], [w])
    np.testing.assert_array_equal(w, before)
    assert opt.iterations == 1


def test_schedule_learning_rate_is_not_settable():
    opt = Adam(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.01
