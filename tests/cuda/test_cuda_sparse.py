"""IndexedSlices on device arrays: the same steps as on the host, dense and lazy."""
import numpy as np
import pytest
from numba import cuda

from ngc_rules import IndexedSlices, optim
from reference import assert_close
from rules import RULES
from sparse_cases import row_problem


def on_device(slices):
    return IndexedSlices(cuda.to_device(slices.values), cuda.to_device(slices.indices),
                         slices.dense_shape)


@pytest.mark.parametrize("inplace", [False, True], ids=["functional", "inplace"])
@pytest.mark.parametrize("rule", RULES)
def test_dense_equivalent_slices_on_device(rule, inplace):
    init, step, hp = RULES[rule]
    theta0, slices = row_problem(5, np.float32, steps=3)
    h_params, h_theta = init(theta0), theta0
    d_theta = cuda.to_device(theta0)
    d_params = init(d_theta)
    for s in slices:
        h_params, h_theta = step(h_params, h_theta, s, **hp)
        d_params, d_theta = step(d_params, d_theta, on_device(s), inplace=inplace, **hp)
        assert_close(d_theta.copy_to_host(), h_theta, np.float32, ulps=4)


@pytest.mark.parametrize("inplace", [False, True], ids=["functional", "inplace"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lazy_slices_on_device(dtype, inplace):
    theta0, slices = row_problem(6, dtype, steps=3)
    h_state, h_theta = optim.adam_init(theta0), theta0
    d_theta = cuda.to_device(theta0)
    d_state = optim.adam_init(d_theta)
    for s in slices:
        h_state, h_theta = optim.adam_step(h_state, h_theta, s, eta=0.1, lazy=True)
        d_state, d_theta = optim.adam_step(d_state, d_theta, on_device(s), eta=0.1, lazy=True,
                                           inplace=inplace)
        assert_close(d_theta.copy_to_host(), h_theta, dtype, ulps=4)
        assert_close(d_state.v.copy_to_host(), h_state.v, dtype, ulps=4)


def test_host_values_for_device_parameters_are_refused():
    theta0, slices = row_problem(7, np.float32, steps=1)
    d_theta = cuda.to_device(theta0)
    with pytest.raises(ValueError, match="updates.values is host memory"):
        optim.sgd_step(optim.sgd_init(d_theta), d_theta, slices[0])


def test_values_of_another_dtype_are_refused_on_device():
    theta0, slices = row_problem(8, np.float32, steps=1)
    d_theta = cuda.to_device(theta0)
    wrong = IndexedSlices(cuda.to_device(slices[0].values.astype(np.float64)),
                          slices[0].indices, slices[0].dense_shape)
    with pytest.raises(TypeError, match="float64, expected float32"):
        optim.sgd_step(optim.sgd_init(d_theta), d_theta, wrong)
