"""Every trajectory recorded from ngc-learn's own ``ngclearn.utils.optim``."""
import numpy as np
import pytest

from ngc_rules.optim import get_opt_init_fn, get_opt_step_fn
from reference import assert_close, load_cases, trajectory

CASES = load_cases("ngclearn.json")


def _id(case):
    return f"{case['optimizer']}-{'-'.join(f'{k}={v}' for k, v in case['hyperparams'].items()) or 'defaults'}"


@pytest.mark.parametrize("inplace", [False, True], ids=["functional", "inplace"])
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_matches_ngclearn(case, inplace):
    dtype = np.dtype(case["dtype"])
    theta = [np.array(p, dtype) for p in case["theta0"]]
    opt_params = get_opt_init_fn(case["optimizer"])(theta)
    step = get_opt_step_fn(case["optimizer"], **case["hyperparams"])
    for s, updates in enumerate(case["updates"]):
        opt_params, theta = step(opt_params, theta, [np.array(u, dtype) for u in updates],
                                 inplace=inplace)
        for i, expected in enumerate(case["theta"][s]):
            assert theta[i].dtype == dtype
            assert_close(theta[i], expected, dtype)
    counter = opt_params if case["optimizer"] == "sgd" else opt_params.t
    assert int(counter) == len(case["updates"])


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_numpy_reference_agrees_with_ngclearn(case):
    """The float64 NumPy reference used elsewhere reproduces the recorded trajectory."""
    ours = trajectory(case["optimizer"], case["theta0"], case["updates"], **case["hyperparams"])
    for s, expected in enumerate(case["theta"]):
        for i, p in enumerate(expected):
            assert_close(ours[s][i], p, np.float32)
