"""Every rule against the plain NumPy float64 reference, and functional/in-place semantics."""
import numpy as np
import pytest

from ngc_rules.optim import _cpu
from reference import assert_close, trajectory
from rules import RULES, SHAPES, random_problem, state_arrays

STEPS = 5


@pytest.fixture(params=["serial", "parallel"])
def kernel(request, monkeypatch):
    """Run each test once on the serial and once on the multi-threaded CPU kernel."""
    threshold = 0 if request.param == "parallel" else 1 << 62
    monkeypatch.setattr(_cpu, "PARALLEL_THRESHOLD", threshold)
    return request.param


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rule", RULES)
def test_steps_match_numpy_reference(rule, dtype, kernel):
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(1, SHAPES, dtype, STEPS)
    expected = trajectory(rule, theta0, updates, **hp)
    theta = [p.copy() for p in theta0]
    opt_params = init(theta)
    for s in range(STEPS):
        opt_params, theta = step(opt_params, theta, updates[s], **hp)
        for i in range(len(theta)):
            assert theta[i].dtype == dtype and theta[i].shape == SHAPES[i]
            assert_close(theta[i], expected[s][i], dtype, ulps=8)


@pytest.mark.parametrize("rule", RULES)
def test_default_hyperparameters_match_ngclearn(rule):
    init, step, _ = RULES[rule]
    theta0, updates = random_problem(2, [(4, 3)], np.float64, STEPS)
    expected = trajectory(rule, theta0, updates)
    opt_params, theta = init(theta0), theta0
    for s in range(STEPS):
        opt_params, theta = step(opt_params, theta, updates[s])
        assert_close(theta[0], expected[s][0], np.float64, ulps=8)


@pytest.mark.parametrize("structure", ["array", "list", "tuple", "dict"])
@pytest.mark.parametrize("rule", RULES)
def test_structures_are_kept(rule, structure):
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(3, [(3, 2), (2,)], np.float64, 2)
    expected = trajectory(rule, theta0, updates, **hp)

    def shape(arrays):
        return {"array": lambda a: a[0], "list": list, "tuple": tuple,
                "dict": lambda a: {"W": a[0], "b": a[1]}}[structure](arrays)

    def leaves(tree):
        return [tree] if structure == "array" else list(
            tree.values() if structure == "dict" else tree)

    theta = shape([p.copy() for p in theta0])
    opt_params = init(theta)
    for s in range(2):
        opt_params, theta = step(opt_params, theta, shape(updates[s]), **hp)
        assert type(theta) is type(shape(theta0))
        for field in (() if rule == "sgd" else opt_params[:-1]):
            assert type(field) is type(theta)
        for i, p in enumerate(leaves(theta)):
            assert_close(p, expected[s][i], np.float64, ulps=8)


@pytest.mark.parametrize("rule", RULES)
def test_functional_step_leaves_inputs_untouched(rule):
    init, step, hp = RULES[rule]
    theta, updates = random_problem(4, SHAPES, np.float32, 3)
    opt_params = init(theta)
    for s in range(3):
        before = [a.copy() for a in theta + updates[s] + state_arrays(opt_params)]
        new_params, new_theta = step(opt_params, theta, updates[s], **hp)
        after = theta + updates[s] + state_arrays(opt_params)
        for b, a in zip(before, after):
            np.testing.assert_array_equal(a, b)
        assert not any(np.shares_memory(n, o) for n in new_theta + state_arrays(new_params)
                       for o in after)
        opt_params, theta = new_params, new_theta


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rule", RULES)
def test_inplace_equals_functional_bit_for_bit(rule, dtype, kernel):
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(5, SHAPES, dtype, STEPS)
    f_params, f_theta = init(theta0), theta0
    i_theta = [p.copy() for p in theta0]
    i_params = init(i_theta)
    state_ids = [id(a) for a in state_arrays(i_params)]
    for s in range(STEPS):
        f_params, f_theta = step(f_params, f_theta, updates[s], **hp)
        returned_params, returned_theta = step(i_params, i_theta, updates[s], inplace=True, **hp)
        assert returned_theta is i_theta and returned_params is i_params
        assert [id(a) for a in state_arrays(i_params)] == state_ids
        for f, i in zip(f_theta + state_arrays(f_params), i_theta + state_arrays(i_params)):
            np.testing.assert_array_equal(i, f)


def _strided(a):
    """``a``'s values in a non-contiguous view."""
    wide = np.zeros(a.shape + (2,), a.dtype)
    wide[..., 0] = a
    return wide[..., 0]


def _read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


# (what differs from plain C-contiguous arrays, how to make theta, the updates, the state)
_UNUSUAL = {
    "strided updates": (np.copy, _strided, np.copy),
    "float64 updates": (np.copy, lambda u: u.astype(np.float64), np.copy),
    "updates as lists": (np.copy, lambda u: u.tolist(), np.copy),
    "Fortran-ordered theta": (np.asfortranarray, np.copy, np.copy),
    "read-only theta": (_read_only, np.copy, np.copy),
    "strided theta": (_strided, np.copy, np.copy),
    "strided state": (np.copy, np.copy, _strided),
}


@pytest.mark.parametrize("unusual", _UNUSUAL)
@pytest.mark.parametrize("rule", RULES)
def test_unusual_arrays_give_the_bits_of_plain_ones(rule, unusual):
    """Plain arrays take a short check; everything else the full one, which converts:
    both must give the same bits."""
    init, step, hp = RULES[rule]
    make_theta, make_update, make_state = _UNUSUAL[unusual]
    shapes = [(3, 5), (4,)]
    theta0, updates = random_problem(9, shapes, np.float32, 3)
    plain_params, plain = init(theta0), theta0
    params = init(theta0)
    if isinstance(params, tuple):  # every field but the counter t is a list like theta
        params = type(params)(*[[make_state(a) for a in field] for field in params[:-1]],
                              params.t)
    theta = [make_theta(p) for p in theta0]
    for u in updates:
        plain_params, plain = step(plain_params, plain, u, **hp)
        params, theta = step(params, theta, [make_update(x) for x in u], **hp)
        for got, want in zip(state_arrays(params) + theta, state_arrays(plain_params) + plain):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("rule", RULES)
def test_fortran_ordered_parameters(rule):
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(6, [(5, 4)], np.float64, 3)
    expected = trajectory(rule, theta0, updates, **hp)
    theta = [np.asfortranarray(theta0[0])]
    opt_params = init(theta)
    for s in range(3):
        opt_params, theta = step(opt_params, theta, updates[s], inplace=True, **hp)
        assert theta[0].flags.f_contiguous
        assert_close(theta[0], expected[s][0], np.float64, ulps=8)


@pytest.mark.parametrize("rule", RULES)
def test_memory_mapped_parameters_update_in_place(rule, tmp_path):
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(8, [(5, 4)], np.float64, 3)
    expected = trajectory(rule, theta0, updates, **hp)
    mapped = np.lib.format.open_memmap(tmp_path / "theta.npy", mode="w+", dtype=np.float64,
                                       shape=(5, 4), fortran_order=True)
    mapped[...] = theta0[0]
    theta = [mapped]
    opt_params = init(theta)
    for s in range(3):
        opt_params, theta = step(opt_params, theta, updates[s], inplace=True, **hp)
        assert theta[0] is mapped
        assert_close(np.asarray(mapped), expected[s][0], np.float64, ulps=8)


@pytest.mark.parametrize("rule", RULES)
def test_mixed_dtypes_in_one_step(rule):
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(7, [(4,), (3,)], np.float64, 2)
    theta = {"a": theta0[0].astype(np.float32), "b": theta0[1]}
    opt_params = init(theta)
    expected = trajectory(rule, theta0, updates, **hp)
    for s in range(2):
        opt_params, theta = step(opt_params, theta, {"a": updates[s][0], "b": updates[s][1]}, **hp)
    assert theta["a"].dtype == np.float32 and theta["b"].dtype == np.float64
    assert_close(theta["a"], expected[1][0], np.float32, ulps=8)
    assert_close(theta["b"], expected[1][1], np.float64, ulps=8)


def test_new_learning_rate_does_not_recompile():
    init, step, _ = RULES["adam"]
    theta = [np.ones(3, np.float32)]
    opt_params = init(theta)
    kernel = _cpu.KERNELS["adam", False]
    opt_params, theta = step(opt_params, theta, [np.ones(3, np.float32)], eta=0.1)
    compiled = len(kernel.signatures)
    for eta in (0.2, 0.3, 1e-5):
        opt_params, theta = step(opt_params, theta, [np.ones(3, np.float32)], eta=eta)
    assert len(kernel.signatures) == compiled


def test_counter_is_exact_far_beyond_float32():
    from ngc_rules.optim import adam_step, AdamState
    theta = np.zeros(2)
    state = AdamState(np.zeros(2), np.zeros(2), np.array(2 ** 40, np.int64))
    state, theta = adam_step(state, theta, np.ones(2), inplace=True)
    assert int(state.t) == 2 ** 40 + 1 and np.all(np.isfinite(theta))


@pytest.mark.parametrize("inplace", [False, True])
def test_states_made_by_ngclearn_are_accepted(inplace):
    """ngc-learn's states are plain tuples with a float counter."""
    from ngc_rules.optim import adam_step
    theta0, updates = random_problem(8, [(3,)], np.float64, 2)
    expected = trajectory("adam", theta0, updates)
    theta = [theta0[0].copy()]
    opt_params = ([np.zeros(3)], [np.zeros(3)], 0.0)
    for s in range(2):
        opt_params, theta = adam_step(opt_params, theta, updates[s], inplace=inplace)
        assert int(opt_params[2]) == s + 1
    assert_close(theta[0], expected[1][0], np.float64, ulps=8)
