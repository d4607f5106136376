"""The rules on CUDA arrays: same trajectories as the CPU, in place on the device."""
import numpy as np
import pytest
from numba import cuda

from ngc_rules import optim
from ngc_rules.optim import _cuda
from reference import DEFAULTS, RULES as REFERENCE, assert_close, load_cases, trajectory
from rules import RULES, random_problem, state_arrays

SIZES = [(), (1,), (7,), (33,), (5, 14)]  # 70 elements: three blocks of 32 threads
STEPS = 3


def to_device(arrays):
    return [cuda.to_device(a) for a in arrays]


def to_host(arrays):
    return [a.copy_to_host() for a in arrays]


@pytest.mark.parametrize("case", load_cases("ngclearn.json"), ids=lambda c: c["name"])
def test_ngclearn_trajectories_on_device(case):
    dtype = np.dtype(case["dtype"])
    theta = to_device([np.array(p, dtype) for p in case["theta0"]])
    opt_params = optim.get_opt_init_fn(case["optimizer"])(theta)
    step = optim.get_opt_step_fn(case["optimizer"], **case["hyperparams"])
    for s, updates in enumerate(case["updates"]):
        opt_params, theta = step(opt_params, theta, to_device([np.array(u, dtype) for u in updates]),
                                 inplace=True)
        for i, expected in enumerate(case["theta"][s]):
            assert_close(theta[i].copy_to_host(), expected, dtype)


@pytest.mark.parametrize("inplace", [False, True], ids=["functional", "inplace"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rule", RULES)
def test_device_matches_cpu_and_reference(rule, dtype, inplace):
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(11, SIZES, dtype, STEPS)
    expected = trajectory(rule, theta0, updates, **hp)
    host_params, host_theta = init(theta0), theta0
    dev_theta = to_device(theta0)
    dev_params = init(dev_theta)
    for s in range(STEPS):
        host_params, host_theta = step(host_params, host_theta, updates[s], **hp)
        dev_params, dev_theta = step(dev_params, dev_theta, to_device(updates[s]),
                                     inplace=inplace, **hp)
        for i, p in enumerate(to_host(dev_theta)):
            assert p.shape == SIZES[i] and p.dtype == dtype
            assert_close(p, host_theta[i], dtype, ulps=4)
            assert_close(p, expected[s][i], dtype, ulps=8)
    assert int(dev_params if rule == "sgd" else dev_params.t) == STEPS


@pytest.mark.parametrize("rule", RULES)
def test_attached_rule_steps_device_arrays_in_place(rule):
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(13, SIZES, np.float32, STEPS)
    host_params, host_theta = init(theta0), theta0
    dev_theta = to_device(theta0)
    learner = optim.LearningRule(step, **hp).attach(dev_theta)
    for u in updates:
        host_params, host_theta = step(host_params, host_theta, u, **hp)
        learner.step(to_device(u))
    for p, expected in zip(to_host(dev_theta), host_theta):
        assert_close(p, expected, np.float32, ulps=4)


@pytest.mark.parametrize("rule", RULES)
def test_functional_device_step_leaves_inputs_untouched(rule):
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(12, SIZES, np.float32, 1)
    theta, grads = to_device(theta0), to_device(updates[0])
    opt_params = init(theta)
    before = [a.copy_to_host() for a in theta + grads + _device_state(opt_params)]
    new_params, new_theta = step(opt_params, theta, grads, **hp)
    after = [a.copy_to_host() for a in theta + grads + _device_state(opt_params)]
    for a, b in zip(after, before):
        np.testing.assert_array_equal(a, b)
    assert all(n is not o for n in new_theta for o in theta)


@pytest.mark.parametrize("rule", RULES)
def test_grid_stride_covers_arrays_larger_than_the_grid(rule, monkeypatch):
    monkeypatch.setattr(_cuda, "MAX_BLOCKS", 2)  # 64 threads for 70 + 33 elements
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(13, [(5, 14), (33,)], np.float32, 2)
    expected = trajectory(rule, theta0, updates, **hp)
    theta = to_device(theta0)
    opt_params = init(theta)
    for s in range(2):
        opt_params, theta = step(opt_params, theta, to_device(updates[s]), inplace=True, **hp)
    for p, e in zip(to_host(theta), expected[-1]):
        assert_close(p, e, np.float32, ulps=8)


@pytest.mark.parametrize("rule", RULES)
def test_float16_parameters_use_float32_state_and_math(rule):
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(14, [(7,), (33,)], np.float16, STEPS)
    theta = to_device(theta0)
    opt_params = init(theta)
    assert all(a.dtype == np.float32 for a in _device_state(opt_params))
    reference_step, n_state = REFERENCE[rule]
    ref = [p.astype(np.float64) for p in theta0]
    ref_state = [tuple(np.zeros(p.shape) for _ in range(n_state)) for p in theta0]
    for s in range(STEPS):
        opt_params, theta = step(opt_params, theta, to_device(updates[s]), inplace=True, **hp)
        for i in range(len(ref)):
            new, ref_state[i] = reference_step(ref[i], updates[s][i].astype(np.float64),
                                               ref_state[i], s + 1, **dict(DEFAULTS[rule], **hp))
            ref[i] = new.astype(np.float16).astype(np.float64)
    for p, r in zip(to_host(theta), ref):
        assert p.dtype == np.float16
        assert_close(p, r, np.float16, ulps=1)


def test_host_and_device_arrays_are_not_mixed():
    theta = to_device([np.ones(3, np.float32)])
    with pytest.raises(ValueError, match=r"updates\[0\] is host memory but theta is a device"):
        optim.sgd_step(optim.sgd_init(theta), theta, [np.ones(3, np.float32)])
    state = optim.adam_init([np.ones(3, np.float32)])
    with pytest.raises(ValueError, match=r"opt_params.m\[0\] is host memory"):
        optim.adam_step(state, theta, to_device([np.ones(3, np.float32)]))
    with pytest.raises(ValueError, match=r"theta\[1\] is host memory"):
        optim.sgd_step(optim.sgd_init(theta), theta + [np.ones(2, np.float32)],
                       to_device([np.ones(3, np.float32), np.ones(2, np.float32)]))


def test_device_dtypes_must_agree():
    theta = to_device([np.ones(3, np.float32)])
    with pytest.raises(TypeError, match=r"updates\[0\] has dtype float64, expected float32"):
        optim.sgd_step(optim.sgd_init(theta), theta, to_device([np.ones(3)]))
    with pytest.raises(TypeError, match=r"theta\[0\] has dtype int32.*CUDA"):
        optim.sgd_step(optim.sgd_init(theta), to_device([np.ones(3, np.int32)]),
                       to_device([np.ones(3, np.int32)]))


def _device_state(opt_params):
    return [a for a in state_arrays(opt_params) if not isinstance(a, np.ndarray)]


def _shared_device_memory(case):
    """An in-place Adam problem on the device whose arrays share memory as ``case`` says."""
    buffer = cuda.to_device(np.zeros(12, np.float32))
    theta = to_device([np.ones(8, np.float32), np.ones(4, np.float32)])
    updates = to_device([np.full(8, 0.5, np.float32), np.full(4, 0.5, np.float32)])
    state = optim.adam_init(theta)
    return {
        "theta twice": lambda: (optim.adam_init([theta[0]] * 2), [theta[0]] * 2,
                                [updates[0]] * 2),
        "overlapping views": lambda: (optim.adam_init([buffer[:8], buffer[4:]]),
                                      [buffer[:8], buffer[4:]],
                                      to_device([np.ones(8, np.float32)] * 2)),
        "m is v": lambda: (state._replace(v=state.m), theta, updates),
        "update overlaps a state": lambda: (state, theta, [updates[0], state.m[0][:4]]),
    }[case]()


@pytest.mark.parametrize("case, message", [
    ("theta twice", r"theta\[0\] and theta\[1\] share memory"),
    ("overlapping views", r"theta\[0\] and theta\[1\] share memory"),
    ("m is v", r"opt_params\.m\[\d\] and opt_params\.v\[\d\] share memory"),
    ("update overlaps a state", r"updates\[1\] shares memory with opt_params\.m\[0\]"),
])
def test_in_place_device_steps_refuse_arrays_that_share_memory(case, message):
    state, theta, updates = _shared_device_memory(case)
    before = [a.copy_to_host() for a in _device_state(state) + theta]
    with pytest.raises(ValueError, match=message):
        optim.adam_step(state, theta, updates, inplace=True)
    after = [a.copy_to_host() for a in _device_state(state) + theta]
    assert all(a.tobytes() == b.tobytes() for a, b in zip(after, before, strict=True))
    assert int(state.t) == 0


def test_a_device_update_that_is_its_own_state_array_gives_the_functional_step():
    theta = to_device([np.linspace(-1, 1, 5).astype(np.float32)])
    state, theta = optim.adam_step(optim.adam_init(theta), theta,
                                   to_device([np.full(5, 0.25, np.float32)]))  # non-zero m
    expected = optim.adam_step(state, [cuda.to_device(theta[0].copy_to_host())],
                               [cuda.to_device(state.m[0].copy_to_host())])[1]
    optim.adam_step(state, theta, [state.m[0]], inplace=True)
    assert theta[0].copy_to_host().tobytes() == expected[0].copy_to_host().tobytes()
