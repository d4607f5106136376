"""Random rules, hyperparameters, Adam options and shapes on the device give the CPU's
results; non-finite device updates are counted, skipped and refused like host ones."""
import functools

import numpy as np
import pytest
from hypothesis import given, settings
from numba import cuda

from ngc_rules import optim
from properties import adam_options, problems, rule_settings, unless_refused
from reference import assert_close
from rules import RULES, state_arrays


# The simulator runs every thread in Python: a third of the profile's examples.
SIMULATED = settings(max_examples=settings().max_examples // 3)


def _to_device(arrays):
    return [cuda.to_device(a) for a in arrays]


@SIMULATED
@given(setting=rule_settings(), problem=problems(max_steps=3))
def test_device_steps_match_the_cpu(setting, problem):
    rule, hp = setting
    init, step, _ = RULES[rule]
    _assert_device_matches_host(init, step, hp, *problem)


@SIMULATED
@given(options=adam_options(hyperparameters=True), problem=problems(max_steps=3))
def test_device_adam_options_match_the_cpu(options, problem):
    init = functools.partial(optim.adam_init, amsgrad=options.get("amsgrad", False))
    with unless_refused(options):
        optim.adam_step(init(problem[0]), problem[0], problem[1][0], **options)
    _assert_device_matches_host(init, optim.adam_step, options, *problem)


def _assert_device_matches_host(init, step, hp, theta0, updates):
    """In-place device steps give the host's functional results within 4 ulps."""
    host_state, host_theta = init(theta0), theta0
    device_theta = _to_device(theta0)
    device_state = init(device_theta)
    for u in updates:
        host_state, host_theta = step(host_state, host_theta, u, **hp)
        device_state, device_theta = step(device_state, device_theta, _to_device(u),
                                          inplace=True, **hp)
    for device, host in zip(state_arrays(device_state) + device_theta,
                            state_arrays(host_state) + host_theta):
        device = device if isinstance(device, np.ndarray) else device.copy_to_host()
        assert device.shape == host.shape and device.dtype == host.dtype
        if host.dtype.kind == "i":  # the step counter
            assert device == host
        else:
            assert_close(device, host, host.dtype, ulps=4)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_nonfinite_device_updates_are_skipped_or_refused(dtype):
    theta = _to_device([np.ones(70, dtype), np.ones(3, dtype)])
    state = optim.finite_init(optim.adam_init(theta))
    bad = np.ones(70, dtype)
    bad[[3, 69]] = [np.nan, -np.inf]
    updates = _to_device([bad, np.ones(3, dtype)])
    with pytest.raises(FloatingPointError, match=r"updates\[0\] \(2 of them\)"):
        optim.finite_step(state, theta, updates, on_nonfinite="raise", inplace=True)
    state, theta = optim.finite_step(state, theta, updates, inplace=True)
    assert int(state.skipped) == 1 and int(state.inner.t) == 0
    assert np.all(theta[0].copy_to_host() == 1)
    good = _to_device([np.ones(70, dtype), np.ones(3, dtype)])
    state, theta = optim.finite_step(state, theta, good, inplace=True)
    assert int(state.inner.t) == 1 and int(state.consecutive) == 0
    assert np.all(theta[0].copy_to_host() < 1)
