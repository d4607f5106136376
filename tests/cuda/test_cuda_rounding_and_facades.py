"""On device arrays: stochastic rounding of float16 parameters, and the tf.keras and neon
facades."""
import numpy as np
import pytest
from numba import cuda

from ngc_rules import IndexedSlices, optim
from ngc_rules.compat import neon, tf_keras
from reference import assert_close
from rounding import round_stochastically
from sparse_cases import row_problem


@pytest.mark.parametrize("variant", [{}, {"amsgrad": True}, {"moments": "lerp"}], ids=str)
def test_float16_parameters_round_stochastically_as_defined(variant):
    rng = np.random.default_rng(51)
    theta = rng.standard_normal(300).astype(np.float16)
    g = rng.standard_normal(300).astype(np.float16)
    amsgrad = bool(variant.get("amsgrad"))
    # the float32 values before storing: the same step on float32 parameters
    exact = optim.adam_step(optim.adam_init(theta.astype(np.float32), amsgrad=amsgrad),
                            theta.astype(np.float32), g.astype(np.float32), eta=0.01,
                            **variant)[1]
    d_theta = cuda.to_device(theta)
    optim.adam_step(optim.adam_init(d_theta, amsgrad=amsgrad), d_theta, cuda.to_device(g),
                    eta=0.01, stochastic_round=True, seed=9, inplace=True, **variant)
    expected = round_stochastically(exact, 10, seed=9, t=1, emin=-14)
    assert_close(d_theta.copy_to_host().astype(np.float32), expected, np.float16, ulps=1)


def test_tf_keras_facade_on_device_dense_and_sparse():
    theta0, slices = row_problem(52, np.float32, steps=3)
    bias0 = np.ones(3, np.float32)
    host = [theta0.copy(), bias0.copy()]
    device = [cuda.to_device(theta0), cuda.to_device(bias0)]
    h_opt, d_opt = tf_keras.Adam(learning_rate=0.05), tf_keras.Adam(learning_rate=0.05)
    for s in slices:
        g = np.full(3, 0.5, np.float32)
        h_opt.apply_gradients(zip([s, g], host))
        d_slices = IndexedSlices(cuda.to_device(s.values), s.indices, s.dense_shape)
        d_opt.apply_gradients(zip([d_slices, cuda.to_device(g)], device))
        for h, d in zip(host, device):
            assert_close(d.copy_to_host(), h, np.float32, ulps=4)


def test_neon_facade_on_device():
    theta0 = np.linspace(-1, 1, 40, dtype=np.float32)
    host, device = theta0.copy(), cuda.to_device(theta0)
    h_opt = neon.Adam(learning_rate=0.05, gradient_clip_norm=0.3, batch_size=2)
    d_opt = neon.Adam(learning_rate=0.05, gradient_clip_norm=0.3, batch_size=2)
    h_states, d_states = [], []
    for step in range(3):
        g = np.cos(theta0 * (step + 1)).astype(np.float32)
        h_opt.optimize([((host, g), h_states)], epoch=0)
        d_opt.optimize([((device, cuda.to_device(g)), d_states)], epoch=0)
        assert_close(device.copy_to_host(), host, np.float32, ulps=4)


def test_tf_keras_refuses_to_clip_device_slices():
    var = cuda.to_device(np.zeros((2, 1), np.float32))
    g = IndexedSlices(cuda.to_device(np.ones((1, 1), np.float32)), np.array([0]), (2, 1))
    with pytest.raises(NotImplementedError, match="host arrays"):
        tf_keras.Adam(clipvalue=1.0).apply_gradients([(g, var)])
    assert not var.copy_to_host().any()
