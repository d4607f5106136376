"""The Keras, PyTorch and Optax trajectories on device arrays, norms reduced on the device."""
import numpy as np
import pytest
from numba import cuda

from ngc_rules.optim import _cuda
from peers import (core_cases, keras_wrapped_cases, replay_keras_facade, run_core,
                   run_keras_wrapped)
from reference import assert_close, load_cases


@pytest.mark.parametrize("inplace", [False, True], ids=["functional", "inplace"])
@pytest.mark.parametrize("case", core_cases(), ids=lambda c: c["name"])
def test_peer_trajectories_on_device(case, inplace):
    for s, theta in enumerate(run_core(case, convert=cuda.to_device, inplace=inplace)):
        for i, expected in enumerate(case["theta"][s]):
            # a GPU may fuse a multiply-add that the peers rounded twice
            assert_close(theta[i].copy_to_host(), expected, case["dtype"], ulps=4)


def test_sum_of_squares_over_many_blocks(monkeypatch):
    monkeypatch.setattr(_cuda, "MAX_BLOCKS", 2)
    arrays = [np.arange(n, dtype=np.float32) - 3 for n in (0, 1, 70, 129)]
    got = _cuda.sum_squares(tuple(cuda.to_device(a) for a in arrays))
    np.testing.assert_allclose(got, [np.sum(a.astype(np.float64) ** 2) for a in arrays])


@pytest.mark.parametrize("case", keras_wrapped_cases(), ids=lambda c: c["name"])
def test_keras_ema_and_accumulation_on_device(case):
    for s, (theta, average) in enumerate(run_keras_wrapped(case, convert=cuda.to_device,
                                                           inplace=True)):
        for i, expected in enumerate(case["theta"][s]):
            assert_close(theta[i].copy_to_host(), expected, case["dtype"], ulps=4)
        for i, expected in enumerate(case.get("ema", [[]] * (s + 1))[s]):
            assert_close(average[i].copy_to_host(), expected, case["dtype"], ulps=4)


@pytest.mark.parametrize("case", load_cases("keras.json"), ids=lambda c: c["name"])
def test_keras_facade_on_device(case):
    for s, (variables, optimizer) in enumerate(replay_keras_facade(case, cuda.to_device)):
        for i, expected in enumerate(case["theta"][s]):
            assert_close(variables[i].copy_to_host(), expected, case["dtype"], ulps=4)
