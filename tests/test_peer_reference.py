"""Every Keras, PyTorch and Optax trajectory that our step functions reproduce by
themselves."""
import numpy as np
import pytest

from peers import core_cases, keras_wrapped_cases, run_core, run_keras_wrapped, tolerance
from reference import assert_close

CASES = core_cases()


def test_every_core_option_of_the_peers_is_covered():
    names = {c["name"] for c in CASES}
    assert {"keras-adam-epshat-1", "keras-adam-amsgrad-1", "keras-adam-weightdecay-1",
            "keras-adam-clipnorm-1", "keras-adam-clipvalue-1", "keras-adam-globalclipnorm-1",
            "keras-adam-lossscale-1", "keras-adam-schedule-1", "keras-adam-combo-1",
            "torch-adam-amsgrad-2", "torch-adam-l2-2", "torch-adamw-2",
            "torch-adam-maximize-2", "torch-adam-f32-2", "optax-adam-epsroot-2",
            "optax-amsgrad-2", "optax-adamw-2", "optax-nadam-2", "optax-adamax-2",
            "torch-sgd-nesterov-2"} <= names


@pytest.mark.parametrize("inplace", [False, True], ids=["functional", "inplace"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_matches_peer(case, inplace):
    for s, theta in enumerate(run_core(case, inplace=inplace)):
        for i, expected in enumerate(case["theta"][s]):
            assert theta[i].dtype == np.dtype(case["dtype"])
            assert_close(theta[i], expected, case["dtype"], ulps=tolerance(case))


@pytest.mark.parametrize("inplace", [False, True], ids=["functional", "inplace"])
@pytest.mark.parametrize("case", keras_wrapped_cases(), ids=lambda c: c["name"])
def test_matches_keras_through_ema_and_accumulation(case, inplace):
    for s, (theta, average) in enumerate(run_keras_wrapped(case, inplace=inplace)):
        for i, expected in enumerate(case["theta"][s]):
            assert_close(theta[i], expected, case["dtype"], ulps=tolerance(case))
        if "ema" in case:
            for i, expected in enumerate(case["ema"][s]):
                assert_close(average[i], expected, case["dtype"], ulps=tolerance(case))
