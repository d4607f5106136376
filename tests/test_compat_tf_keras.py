"""``compat.tf_keras.Adam`` against TensorFlow 2's update rules, written in NumPy float32.

Dense: the fused kernel ``m += (g - m)*(1 - b1)``; IndexedSlices: rows summed, then
``m = m*b1 + g*(1 - b1)`` on all rows (``_resource_apply_sparse``); both with epsilon hat.
"""
import warnings

import numpy as np
import pytest

from ngc_rules import IndexedSlices, schedules
from ngc_rules.compat.tf_keras import Adam
from reference import assert_close
from sparse_cases import dense, row_problem

f32 = np.float32


def tf_adam(variables, steps, lr=0.001, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False,
            clipnorm=None, clipvalue=None):
    """TensorFlow's trajectory: ``steps`` is a list of gradient lists (arrays or slices)."""
    variables = [np.array(v, f32) for v in variables]
    m = [np.zeros_like(v) for v in variables]
    v = [np.zeros_like(x) for x in variables]
    v_hat = [np.zeros_like(x) for x in variables]
    lr, b1, b2, eps, one = f32(lr), f32(b1), f32(b2), f32(eps), f32(1)
    out = []
    for t, grads in enumerate(steps, start=1):
        b1_power, b2_power = b1 ** f32(t), b2 ** f32(t)
        for k, g in enumerate(grads):
            sparse = isinstance(g, IndexedSlices)
            values = np.array(g.values if sparse else g, f32)
            if clipnorm is not None:
                norm = np.sqrt(np.sum(values * values))
                values = values * f32(clipnorm) / np.maximum(norm, f32(clipnorm))
            if clipvalue is not None:
                values = np.clip(values, f32(-clipvalue), f32(clipvalue))
            if sparse:
                g = dense(IndexedSlices(values, g.indices, g.dense_shape), f32)
                alpha = lr * (np.sqrt(one - b2_power) / (one - b1_power))
                m[k] = m[k] * b1 + g * (one - b1)
                v[k] = v[k] * b2 + (g * g) * (one - b2)
            else:
                g = values
                alpha = lr * np.sqrt(one - b2_power) / (one - b1_power)
                m[k] = m[k] + (g - m[k]) * (one - b1)
                v[k] = v[k] + (g * g - v[k]) * (one - b2)
            v_hat[k] = np.maximum(v_hat[k], v[k])
            denominator = np.sqrt(v_hat[k] if amsgrad else v[k]) + eps
            variables[k] = variables[k] - (m[k] * alpha) / denominator
        out.append([x.copy() for x in variables])
    return out


def replay(optimizer, variables, steps):
    variables = [np.array(v, f32) for v in variables]
    out = []
    for grads in steps:
        optimizer.apply_gradients(zip(grads, variables))
        out.append([x.copy() for x in variables])
    return out


def test_documented_example_gives_9_9():
    var = np.array(10.0, f32)
    opt = Adam(learning_rate=0.1)
    opt.apply_gradients([(var.copy(), var)])  # d(var**2 / 2)/dvar = var
    assert var == f32(9.9) and opt.iterations == 1


OPTIONS = {"default": {}, "amsgrad": {"amsgrad": True}, "clipnorm": {"clipnorm": 0.7},
           "clipvalue": {"clipvalue": 0.3}, "both-clips": {"clipnorm": 1.5, "clipvalue": 0.5},
           "tuned": {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-3}}


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_dense_and_sparse_gradients_match_tensorflow(options):
    theta0, slices = row_problem(21, f32)
    rng = np.random.default_rng(22)
    bias0 = rng.standard_normal(3).astype(f32)
    steps = [[s, rng.standard_normal(3).astype(f32)] for s in slices]
    kwargs = dict(OPTIONS[options])
    expected = tf_adam([theta0, bias0], steps,
                       **{{"learning_rate": "lr", "beta_1": "b1", "beta_2": "b2",
                           "epsilon": "eps"}.get(k, k): x for k, x in kwargs.items()})
    actual = replay(Adam(**kwargs), [theta0, bias0], steps)
    for s in range(len(steps)):
        for a, e in zip(actual[s], expected[s]):
            assert_close(a, e, np.float32, ulps=2)


def test_clipvalue_acts_before_repeated_rows_are_summed():
    var = np.zeros((2, 1), f32)
    g = IndexedSlices(np.array([[0.8], [0.8]], f32), np.array([0, 0]), (2, 1))
    expected = tf_adam([var], [[g]], lr=0.1, clipvalue=1.0)
    Adam(learning_rate=0.1, clipvalue=1.0).apply_gradients([(g, var)])
    np.testing.assert_array_equal(var, expected[0][0])
    assert var[1, 0] == 0  # a row without gradient does not move on the first step


def test_a_variable_first_updated_later_uses_the_shared_step_count():
    a, b = np.zeros(2, f32), np.zeros(2, f32)
    opt = Adam(learning_rate=0.1)
    opt.apply_gradients([(np.ones(2, f32), a)])
    opt.apply_gradients([(np.ones(2, f32), b)])
    # b's first update at t = 2: alpha = lr * sqrt(1 - b2^2) / (1 - b1^2)
    expected = tf_adam([np.zeros(2)], [[np.zeros(2, f32)], [np.ones(2, f32)]], lr=0.1)
    np.testing.assert_array_equal(b, expected[1][0])
    assert opt.iterations == 2


def test_missing_gradients_are_skipped_with_a_warning():
    a, b = np.zeros(2, f32), np.zeros(2, f32)
    opt = Adam(learning_rate=0.1)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(np.ones(2, f32), a), (None, b)])
    assert a[0] != 0 and not b.any()
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply_gradients([(None, a)])


def test_decay_and_lr_alias():
    with pytest.warns(UserWarning, match="`lr` argument is deprecated"):
        opt = Adam(lr=0.5, decay=0.1)
    w = np.zeros(1, f32)
    for _ in range(2):
        opt.apply_gradients([(np.ones(1, f32), w)])
    assert opt.learning_rate == pytest.approx(0.5 / 1.2)
    expected = 0.0 - 0.5 / 1.0 - 0.5 / 1.1  # each step moves lr_t (|m_hat/sqrt(v_hat)| = 1)
    assert w[0] == pytest.approx(expected, rel=1e-5)


def test_schedule_and_config_round_trip():
    opt = Adam(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.5), clipnorm=1.0,
               amsgrad=True, name="mine")
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "ExponentialDecay"
    assert config["clipnorm"] == 1.0 and "clipvalue" not in config
    again = Adam.from_config(config)
    assert again.get_config() == config
    assert again.learning_rate == pytest.approx(0.1)


BAD = [
    ({"global_clipnorm": 1.0}, TypeError, "Unexpected keyword argument passed to optimizer: "
                                          "global_clipnorm"),
    ({"clipnorm": -1.0}, ValueError, "Expected clipnorm >= 0, received: -1.0"),
    ({"clipvalue": -0.5}, ValueError, "Expected clipvalue >= 0, received: -0.5"),
    ({"learning_rate": 1}, ValueError, "Argument `learning_rate` should be float"),
]


@pytest.mark.parametrize("kwargs, error, message", BAD, ids=lambda x: str(x)[:30])
def test_bad_arguments(kwargs, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=message.replace("(", r"\(")):
            Adam(**kwargs)


def test_a_bad_gradient_moves_no_variable():
    a, b = np.zeros(2, f32), np.zeros((3, 1), f32)
    opt = Adam(learning_rate=0.1)
    bad_rows = IndexedSlices(np.ones((1, 1), f32), np.array([5]), (3, 1))
    with pytest.raises(ValueError, match=r"gradient 1.indices must be in \[0, 3\)"):
        opt.apply_gradients([(np.ones(2, f32), a), (bad_rows, b)])
    with pytest.raises(ValueError, match="gradient 0 has shape"):
        opt.apply_gradients([(np.ones(3, f32), a)])
    assert not a.any() and not b.any() and opt.iterations == 0
