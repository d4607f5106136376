"""``compat.openfl.NumPyAdam`` against OpenFL's update rule in NumPy, and its errors."""
import numpy as np
import pytest

from ngc_rules.compat.openfl import NumPyAdam
from reference import assert_close
from rules import random_problem
from seed_references import openfl_adam


class ModelInterface:
    def __init__(self, tensors):
        self.tensors = tensors

    def get_tensor_dict(self):
        return self.tensors


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("source", ["params", "model_interface"])
def test_steps_match_openfl(source, dtype):
    theta0, updates = random_problem(31, [(4, 3), (5,)], dtype, 4)
    params = {"w": theta0[0].copy(), "b": theta0[1].copy()}
    given = {"params": params} if source == "params" else \
        {"model_interface": ModelInterface(params)}
    opt = NumPyAdam(**given, learning_rate=0.05, betas=(0.8, 0.99),
                    initial_accumulator_value=0.1, epsilon=1e-6)
    expected = openfl_adam([p.astype(np.float64) for p in theta0],
                           [[u.astype(np.float64) for u in us] for us in updates], lr=0.05,
                           b1=0.8, b2=0.99, eps=1e-6, initial=0.1)
    for s, us in enumerate(updates):
        opt.step({"w": us[0], "b": us[1]})
        assert opt.params["w"] is params["w"]  # updated in place
        assert_close(params["w"], expected[s][0], dtype, ulps=8)
        assert_close(params["b"], expected[s][1], dtype, ulps=8)
    assert opt.current_step == {"w": 4, "b": 4}


def test_each_parameter_counts_its_own_steps():
    params = {"a": np.zeros(2), "b": np.zeros(2)}
    opt = NumPyAdam(params=params, learning_rate=0.1)
    opt.step({"a": np.ones(2)})
    opt.step({"a": np.ones(2), "b": np.ones(2)})
    assert opt.current_step == {"a": 2, "b": 1}
    # b's first step is a first step: bias corrections of t = 1 move it by the full rate
    np.testing.assert_allclose(params["b"], -0.1, rtol=1e-6)
    expected = openfl_adam([np.zeros(2)], [[np.ones(2)], [np.ones(2)]], lr=0.1, b1=0.9,
                           b2=0.999, eps=1e-8, initial=0.0)
    np.testing.assert_allclose(params["a"], expected[1][0], rtol=1e-12)


ERRORS = [
    ({}, ValueError, "Should provide one of the params or model_interface"),
    ({"learning_rate": -1.0}, ValueError, "Invalid learning rate: -1.0. Learning rate must "
                                          "be >= 0."),
    ({"betas": (1.0, 0.999)}, ValueError, "Invalid betas[0] value: 1.0. betas[0] must be in "
                                          "[0, 1)."),
    ({"betas": (0.9, -0.1)}, ValueError, "Invalid betas[1] value: -0.1. betas[1] must be in "
                                         "[0, 1)."),
    ({"initial_accumulator_value": -0.5}, ValueError, "Invalid initial_accumulator_value "
                                                      "value: -0.5."),
    ({"epsilon": 0.0}, ValueError, "Invalid epsilon value: 0.0. Epsilon avalue must be > 0."),
]


@pytest.mark.parametrize("kwargs, error, message", ERRORS, ids=lambda x: str(x)[:24])
def test_the_six_value_errors(kwargs, error, message):
    if kwargs:
        kwargs = dict(kwargs, params={"w": np.zeros(2)})
    with pytest.raises(error) as raised:
        NumPyAdam(**kwargs)
    assert message in str(raised.value)


def test_unknown_key_is_a_key_error_and_changes_nothing():
    params = {"w": np.zeros(2)}
    opt = NumPyAdam(params=params)
    with pytest.raises(KeyError, match="Key v doesn't exist in optimized parameters"):
        opt.step({"w": np.ones(2), "v": np.ones(2)})
    assert not params["w"].any() and opt.current_step == {"w": 0}
