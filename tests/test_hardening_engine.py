"""The step engine under attack: the kernels write exactly the memory that was checked, a
step happens whole or not at all (Ctrl-C included), hyperparameters and updates are
checked as the kernels will see them, arrays that share memory are refused, and a skipped
step still checks every argument. Every refusal names the argument and leaves every byte
of theta, the updates and the state (counter included) as it was."""
import os
import re
import signal
import threading

import numpy as np
import pytest

from ngc_rules import optim
from ngc_rules.optim import IndexedSlices, LearningRule, _cpu, finite_init, finite_step
from ngc_rules.synapses import HebbianSynapse
from rules import RULES, random_problem, state_arrays

ADAM = {"eta": 0.01, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6}
pytestmark = [  # np.matrix is deprecated; updates made to overflow warn when they do
    pytest.mark.filterwarnings("ignore::PendingDeprecationWarning"),
    pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")]


def snapshot(*trees):
    """The bytes of every array in ``trees`` (parents of views included)."""
    return [(a.dtype, a.shape, a.tobytes()) for tree in trees for a in state_arrays(tree)]


def refused(call, error, words, *trees):
    """Assert that ``call()`` raises ``error`` holding every one of ``words`` and leaves
    every byte of ``trees`` as it was."""
    before = snapshot(*trees)
    with pytest.raises(error) as raised:
        call()
    for word in words:
        assert word in str(raised.value), f"{word!r} not in {str(raised.value)!r}"
    assert snapshot(*trees) == before


def assert_same_bits(actual, expected):
    for a, b in zip(state_arrays(actual), state_arrays(expected), strict=True):
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()


def adam_problem(dtypes=(np.float32, np.float32)):
    """Adam over a (3, 4) weight and a (1, 4) bias of ``dtypes``, its state and updates."""
    theta0, (updates,) = random_problem(5, [(3, 4), (1, 4)], np.float64, 1)
    theta = [p.astype(d) for p, d in zip(theta0, dtypes)]
    updates = [u.astype(d) for u, d in zip(updates, dtypes)]
    return optim.adam_init(theta), theta, updates


def matrix_row(values):
    """Row 1 of a matrix over a (3, n) parent, holding ``values``; returns (row, parent)."""
    parent = np.zeros((3, values.size), values.dtype)
    parent[1] = values.ravel()
    return np.asmatrix(parent)[1], parent


class PastTheEnd(np.ndarray):
    """A subclass whose ravel and reshape reach past its memory, as a careless one might."""

    def ravel(self, order="C"):
        return np.lib.stride_tricks.as_strided(np.asarray(self), shape=(2 * self.size,))

    def reshape(self, *shape, **kwargs):
        return self.ravel()


def past_the_end(values):
    """``values`` as a PastTheEnd over the first half of a parent; returns (it, parent)."""
    parent = np.zeros(2 * values.size, values.dtype)
    parent[:values.size] = values.ravel()
    return parent[:values.size].reshape(values.shape).view(PastTheEnd), parent


# --- 1. memory safety ---------------------------------------------------------------------

def _spoil_with(kind, where):
    """An in-place Adam problem whose bias (theta[1], opt_params.m[1] or updates[1]) is
    a subclass ``kind``; returns (opt_params, theta, updates, parents)."""
    state, theta, updates = adam_problem()
    make = {"matrix row": matrix_row, "past the end": past_the_end,
            "masked": lambda v: (np.ma.array(v, mask=[[0, 1, 0, 0]]), None)}[kind]
    if where == "theta":
        theta[1], parent = make(theta[1])
    elif where == "state":
        odd, parent = make(state.m[1])
        state = state._replace(m=[state.m[0], odd])
    else:
        updates[1], parent = make(updates[1])
    return state, theta, updates, [] if parent is None else [parent]


@pytest.mark.parametrize("kind, name", [("matrix row", "matrix"),
                                        ("past the end", "PastTheEnd")])
@pytest.mark.parametrize("where, label", [("theta", "theta[1]"), ("state", "opt_params.m[1]")])
def test_in_place_steps_refuse_subclasses_they_would_write(kind, name, where, label):
    state, theta, updates, parents = _spoil_with(kind, where)
    refused(lambda: optim.adam_step(state, theta, updates, inplace=True, **ADAM), TypeError,
            [label, f"is a {name}", "np.asarray"], state, theta, updates, parents)


@pytest.mark.parametrize("where, label", [("theta", "theta[1]"), ("state", "opt_params.m[1]"),
                                          ("updates", "updates[1]")])
@pytest.mark.parametrize("inplace", [False, True])
def test_masked_arrays_are_refused_anywhere(where, label, inplace):
    state, theta, updates, parents = _spoil_with("masked", where)
    refused(lambda: optim.adam_step(state, theta, updates, inplace=inplace, **ADAM),
            TypeError, [label, "masked array", "mask"], state, theta, updates, parents)


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("inplace", [False, True])
def test_masked_rows_of_a_sparse_update_are_refused(lazy, inplace):
    state, theta, updates = adam_problem()
    values = np.ma.array(np.ones((2, 4), np.float32), mask=[[0, 1, 0, 0], [0, 0, 0, 0]])
    updates[0] = IndexedSlices(values, np.array([2, 0]), (3, 4))
    refused(lambda: optim.adam_step(state, theta, updates, inplace=inplace, lazy=lazy, **ADAM),
            TypeError, ["updates[0].values", "masked array", "mask"], state, theta,
            updates[1], [values.data, values.mask])


@pytest.mark.parametrize("kind", ["matrix row", "past the end"])
@pytest.mark.parametrize("where, inplace", [("theta", False), ("state", False),
                                            ("updates", False), ("updates", True)])
def test_subclasses_read_as_numpy_sees_them_give_the_plain_arrays_bits(kind, where, inplace):
    state, theta, updates, parents = _spoil_with(kind, where)

    def plain(arrays):
        return [np.asarray(a).copy() for a in arrays]

    before = snapshot(parents)
    expected = optim.adam_step(state._replace(m=plain(state.m)), plain(theta), plain(updates),
                               **ADAM)
    result = optim.adam_step(state, theta, updates, inplace=inplace, **ADAM)
    assert_same_bits(result, expected)
    assert snapshot(parents) == before  # nothing beyond the views was read into or written


@pytest.mark.parametrize("rule", RULES)
def test_memmap_is_stepped_in_place_like_a_plain_array(rule, tmp_path):
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(9, [(3, 4), (4,)], np.float32, 3)
    mapped = [np.lib.format.open_memmap(tmp_path / f"p{k}.npy", mode="w+", dtype=p.dtype,
                                        shape=p.shape) for k, p in enumerate(theta0)]
    for m, p in zip(mapped, theta0):
        m[...] = p
    opt_params, plain = init(theta0), [p.copy() for p in theta0]
    state = init(mapped)
    learner = LearningRule(step, **hp).attach(
        [np.lib.format.open_memmap(tmp_path / f"a{k}.npy", mode="w+", dtype=p.dtype,
                                   shape=p.shape) for k, p in enumerate(theta0)])
    for m, p in zip(learner.theta, theta0):
        m[...] = p
    for u in updates:
        opt_params, plain = step(opt_params, plain, u, inplace=True, **hp)
        state, theta = step(state, mapped, u, inplace=True, **hp)
        learner.step(u)
        assert theta is mapped
        assert_same_bits([theta, state], [plain, opt_params])
        assert_same_bits([learner.theta, learner.state], [plain, opt_params])


def test_attaching_refuses_subclasses_with_nothing_changed():
    state, theta, updates = adam_problem()
    theta[1], parent = matrix_row(theta[1])
    refused(lambda: LearningRule("adam").attach(theta), TypeError,
            ["theta[1] is a matrix", "inplace=True"], theta, parent)
    state, theta, updates, parents = _spoil_with("past the end", "state")
    refused(lambda: LearningRule("adam").attach(theta, state), TypeError,
            ["opt_params.m[1] is a PastTheEnd"], theta, state, parents)


def test_a_synapse_refuses_a_subclass_in_its_state_and_steps_memmap_weights(tmp_path):
    def synapse():
        s = HebbianSynapse("W", (3, 4), optim_type="adam", eta=0.1, seed=1)
        s.pre, s.post = np.ones((1, 3), np.float32), np.full((1, 4), 0.5, np.float32)
        return s

    spoiled = synapse()
    row, parent = matrix_row(spoiled.opt_params.m[0].ravel())
    spoiled.opt_params = spoiled.opt_params._replace(m=[row.reshape(3, 4)])
    refused(spoiled.evolve, TypeError, ["opt_params.m[0] is a matrix"],
            spoiled.weights, spoiled.opt_params, parent)
    plain, mapped = synapse(), synapse()
    weights = np.lib.format.open_memmap(tmp_path / "w.npy", mode="w+", dtype=np.float32,
                                        shape=(3, 4))
    weights[...] = mapped.weights
    mapped.weights = weights
    for _ in range(2):
        plain.evolve()
        mapped.evolve()
    assert mapped.weights is weights
    assert_same_bits([mapped.weights, mapped.opt_params], [plain.weights, plain.opt_params])


# --- 2. all or nothing --------------------------------------------------------------------

@pytest.mark.parametrize("spoil, error, words", [
    (lambda s, t, u: (s, [t[0], matrix_row(t[1])[0]], u), TypeError, ["theta[1] is a matrix"]),
    (lambda s, t, u: (s, t, u, {"eps": 1e-50}), ValueError, ["eps=1e-50", "0 in float32"]),
    (lambda s, t, u: (s._replace(v=[s.v[0], s.m[1]]), t, u), ValueError,
     ["opt_params.m[1] and opt_params.v[1] share memory"]),
], ids=["subclass", "eps-underflows-in-float32", "state-aliasing"])
def test_a_refused_group_of_one_dtype_leaves_the_other_untouched(spoil, error, words):
    state, theta, updates = adam_problem((np.float64, np.float32))
    state, theta, updates, *hp = spoil(state, theta, updates)
    hp = dict(ADAM, **(hp[0] if hp else {}))
    refused(lambda: optim.adam_step(state, theta, updates, inplace=True, **hp), error, words,
            state, theta, updates)


def _interrupting_run(monkeypatch):
    """Make the first kernel launch send SIGINT to this process once it has run."""
    real_run, launches = _cpu.run, []

    def run(*args):
        real_run(*args)
        launches.append(args[0])
        if len(launches) == 1:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(_cpu, "run", run)
    return launches


STEPPERS = {
    "step function": lambda s, t, u: optim.adam_step(s, t, u, inplace=True, **ADAM)[0],
    "attached rule": lambda s, t, u: LearningRule("adam", **ADAM).attach(t, s).step(u),
    "finite_step": lambda s, t, u: finite_step(s, t, u, inplace=True, **ADAM)[0],
}


@pytest.mark.parametrize("dtypes, n_launches", [
    ((np.float32, np.float64), 2),  # Ctrl-C held back between the launches
    ((np.float32, np.float32), 1),  # the kernel advances the counter itself
], ids=["two-dtypes", "one-dtype"])
@pytest.mark.parametrize("stepper", STEPPERS)
def test_ctrl_c_inside_an_in_place_step_lands_after_it_whole(stepper, dtypes, n_launches,
                                                             monkeypatch):
    state, theta, updates = adam_problem(dtypes)
    if stepper == "finite_step":
        state = finite_init(state)
    expected = optim.adam_step(optim.adam_init(theta), [p.copy() for p in theta], updates,
                               **ADAM)
    launches = _interrupting_run(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        STEPPERS[stepper](state, theta, updates)
    assert len(launches) == n_launches
    inner = state.inner if stepper == "finite_step" else state
    assert_same_bits([inner, theta], list(expected))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_goes_to_the_handler_in_place_once_the_step_is_done(monkeypatch):
    state, theta, updates = adam_problem((np.float32, np.float64))
    _interrupting_run(monkeypatch)
    seen = []

    def handler(signum, frame):
        seen.append(int(state.t))

    previous = signal.signal(signal.SIGINT, handler)
    try:
        optim.adam_step(state, theta, updates, inplace=True, **ADAM)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen == [1]


def test_steps_in_other_threads_leave_the_handlers_alone():
    state, theta, updates = adam_problem()
    worker = threading.Thread(target=optim.adam_step, args=(state, theta, updates),
                              kwargs=dict(inplace=True, **ADAM))
    worker.start()
    worker.join()
    assert int(state.t) == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# --- 3a. the non-finite guard sees what the kernels will read -----------------------------

@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize("updates, label", [
    (lambda u: [u[0], np.array([[1e39, 0, 0, 0]])], "updates[1] (1 of them)"),
    (lambda u: [IndexedSlices(np.full((2, 4), 2e38, np.float32), np.array([1, 1]), (3, 4)),
                u[1]], "updates[0] (4 of them)"),
], ids=["float64-beyond-float32", "rows-summing-beyond-float32"])
def test_updates_that_overflow_on_the_way_to_the_kernel_are_not_finite(updates, label,
                                                                       inplace):
    state, theta, good = adam_problem()
    state, updates = finite_init(state), updates(good)
    refused(lambda: finite_step(state, theta, updates, on_nonfinite="raise", inplace=inplace,
                                **ADAM), FloatingPointError, [label, "nothing changed"],
            state, theta)
    before = snapshot(state.inner, theta)
    state, theta = finite_step(state, theta, updates, inplace=inplace, **ADAM)
    assert snapshot(state.inner, theta) == before and int(state.skipped) == 1


# --- 3b. hyperparameters must hold in the compute dtype -----------------------------------

@pytest.mark.parametrize("rule, hp, words", [
    ("adam", {"eps": 1e-50}, ["eps=1e-50 is 0 in float32"]),
    ("adam", {"beta1": 1 - 1e-9}, ["beta1=0.999999999 is 1.0 in float32", "1 - beta1**t"]),
    ("adam", {"beta2": 1 - 1e-9, "scalar_precision": "param"},
     ["beta2=0.999999999 is 1.0 in float32"]),
    ("adam", {"loss_scale": 1e-40}, ["loss_scale=1e-40", "1/loss_scale=1e+40", "inf in float32"]),
    ("adam", {"clip_value": 1e-50}, ["clip_value=1e-50 is 0 in float32"]),
    ("adam", {"eta": 1e39}, ["eta=1e+39, t=1 give a step size", "inf in float32"]),
    ("adam", {"eta": 1e34, "beta1": 0.99999}, ["eta=1e+34, t=1 give a step size",
                                                "inf in float32"]),
    ("sgd", {"eta": 1e39}, ["eta=1e+39 is inf in float32"]),
    ("nag", {"mu": 1e39}, ["mu=1e+39 is inf in float32"]),
    ("momentum", {"l2": 1e39}, ["l2=1e+39 is inf in float32"]),
    ("momentum", {"dampening": 1e39, "nesterov": False}, ["dampening=1e+39 is inf"]),
], ids=lambda v: str(v) if isinstance(v, str) else None)
@pytest.mark.parametrize("inplace", [False, True])
def test_hyperparameters_that_break_in_float32_are_refused(rule, hp, words, inplace):
    init, step, defaults = RULES[rule]
    theta0, (updates,) = random_problem(2, [(3, 2), (2,)], np.float64, 1)
    theta = [theta0[0], theta0[1].astype(np.float32)]  # float64 first: refused before it runs
    updates = [updates[0], updates[1].astype(np.float32)]
    state = init(theta)
    refused(lambda: step(state, theta, updates, inplace=inplace, **dict(defaults, **hp)),
            ValueError, words, state, theta, updates)
    step(init(theta0), theta0, [updates[0], updates[1].astype(np.float64)],
         **dict(defaults, **hp))  # float64 holds them


# --- 3c. arrays that share memory ---------------------------------------------------------

def _share(case):
    """An in-place Adam problem whose arrays share memory as ``case`` says."""
    state, theta, updates = adam_problem()
    buffer = np.zeros(12, np.float32)
    spoil = {
        "theta twice": lambda: (optim.adam_init([theta[0]] * 2), [theta[0], theta[0]],
                                [updates[0], updates[0]]),
        "overlapping views": lambda: (optim.adam_init([buffer[:8], buffer[4:]]),
                                      [buffer[:8], buffer[4:]], [np.ones(8, np.float32)] * 2),
        "state is theta": lambda: (state._replace(m=[theta[0], state.m[1]]), theta, updates),
        "m is v": lambda: (state._replace(v=state.m), theta, updates),
        "update overlaps theta": lambda: (state, theta, [updates[0], theta[0][1:2]]),
        "update overlaps a state": lambda: (state, theta, [updates[0], state.m[0][1:2]]),
        "update is another tensor's": lambda: (optim.adam_init([theta[1], theta[1].copy()]),
                                               [theta[1], theta[1].copy()],
                                               [updates[1], theta[1]]),
    }
    return spoil[case]()


@pytest.mark.parametrize("case, words", [
    ("theta twice", ["theta[0] and theta[1] share memory"]),
    ("overlapping views", ["theta[0] and theta[1] share memory"]),
    ("state is theta", ["theta[0] and opt_params.m[0] share memory"]),
    ("m is v", ["opt_params.m[", "and opt_params.v[", "share memory"]),
    ("update overlaps theta", ["updates[1] shares memory with theta[0]"]),
    ("update overlaps a state", ["updates[1] shares memory with opt_params.m[0]"]),
    ("update is another tensor's", ["updates[1] shares memory with theta[0]"]),
])
@pytest.mark.parametrize("via", ["step function", "attached rule"])
def test_in_place_steps_refuse_arrays_that_share_memory(case, words, via):
    state, theta, updates = _share(case)

    def call():
        if via == "step function":
            optim.adam_step(state, theta, updates, inplace=True, **ADAM)
        elif case.startswith("update"):  # theta and the state are fine to attach
            learner.step(updates)
        else:  # refused when attached
            LearningRule("adam", **ADAM).attach(theta, state)

    if via == "attached rule" and case.startswith("update"):
        learner = LearningRule("adam", **ADAM).attach(theta, state)
    refused(call, ValueError, words, state, theta, updates)


@pytest.mark.parametrize("rule, field", [(rule, None) for rule in RULES] +
                         [(rule, 0) for rule in RULES if rule != "sgd"])  # SGD: no state
def test_an_update_that_is_theta_or_a_state_array_gives_the_functional_bits(rule, field):
    """Every rule reads element i of the update before it writes element i of anything."""
    init, step, hp = RULES[rule]
    theta, (warm,) = random_problem(4, [(3, 4), (5,)], np.float32, 1)
    state, theta = step(init(theta), theta, warm, **hp)  # non-zero states
    same = theta if field is None else state[field]
    expected = step(state, [p.copy() for p in theta], [a.copy() for a in same], **hp)
    for attached in (False, True):
        run_state = _copy(state)
        run_theta = [p.copy() for p in theta]
        alias = run_theta if field is None else run_state[field]
        if attached:
            LearningRule(step, **hp).attach(run_theta, run_state).step(alias)
        else:
            step(run_state, run_theta, alias, inplace=True, **hp)
        assert_same_bits([run_state, run_theta], list(expected))


def _copy(tree):
    if isinstance(tree, tuple):
        return type(tree)(*[_copy(t) for t in tree])
    if isinstance(tree, list):
        return [_copy(t) for t in tree]
    return tree.copy()


@pytest.mark.parametrize("mapped", [False, True])
def test_disjoint_views_of_one_buffer_step_like_separate_arrays(mapped, tmp_path):
    def views(name):
        """A (3, 4) weight and a (4,) bias, views of one buffer."""
        buffer = np.lib.format.open_memmap(tmp_path / name, mode="w+", dtype=np.float32,
                                           shape=(16,)) if mapped else np.empty(16, np.float32)
        buffer[...] = np.arange(16)
        return [buffer[:12].reshape(3, 4), buffer[12:]]

    theta, separate = views("a.npy"), [p.copy() for p in views("b.npy")]
    updates = [np.ones((3, 4), np.float32), np.ones(4, np.float32)]
    state, plain = optim.adam_init(theta), optim.adam_init(separate)
    learner = LearningRule("adam", **ADAM).attach(views("c.npy"))
    for _ in range(2):
        optim.adam_step(state, theta, updates, inplace=True, **ADAM)
        learner.step(updates)
        optim.adam_step(plain, separate, updates, inplace=True, **ADAM)
    assert_same_bits([state, theta], [plain, separate])
    assert_same_bits([learner.state, learner.theta], [plain, separate])


# --- 3d. nested structures ----------------------------------------------------------------

@pytest.mark.parametrize("theta", [[[1.0, 2.0], [3.0, 4.0]], [[[1.0, 2.0], [3.0, 4.0]]],
                                   {"w": [1.0, 2.0]}, (np.ones(2), [np.ones(2)])],
                         ids=["list-of-lists", "nested-2d", "dict-of-list", "tuple-with-list"])
@pytest.mark.parametrize("inplace", [False, True])
def test_nested_structures_are_refused(theta, inplace):
    label = "theta['w']" if isinstance(theta, dict) else "theta[1]" \
        if isinstance(theta, tuple) else "theta[0]"
    with pytest.raises(TypeError, match=re.escape(f"{label} must be a NumPy array (or a "
                                                  f"device array), got list")):
        optim.sgd_step(optim.sgd_init(None), theta, theta, inplace=inplace)
    with pytest.raises(TypeError, match="flat list, tuple or dict of arrays"):
        optim.adam_init(theta)


# --- 4. a skipped step checks everything first --------------------------------------------

@pytest.mark.parametrize("on_nonfinite", ["skip", "raise"])
@pytest.mark.parametrize("spoil, error, words", [
    (lambda s, t, u: (s, t, u, {"eta": -1.0}), ValueError, ["eta", ">= 0", "-1.0"]),
    (lambda s, t, u: (s, t, u, {"eps": 1e-50}), ValueError, ["eps=1e-50 is 0 in float32"]),
    (lambda s, t, u: (s._replace(inner=optim.nag_init(t)), t, u, {}), TypeError,
     ["opt_params", "NagState"]),
    (lambda s, t, u: (s, t, [u[0], np.full(3, np.nan, np.float32)], {}), ValueError,
     ["updates[1] has shape (3,)"]),
    (lambda s, t, u: (s._replace(inner=optim.adam_init([t[0]] * 2)), [t[0], t[0]],
                      [u[0], u[0]], {}), ValueError,
     ["theta[0] and theta[1] share memory"]),
    (lambda s, t, u: (s, [t[0], matrix_row(t[1])[0]], u, {}), TypeError,
     ["theta[1] is a matrix"]),
], ids=["eta", "eps-in-float32", "state-type", "shape", "aliasing", "subclass"])
def test_a_step_with_nan_updates_still_checks_every_argument(spoil, error, words,
                                                             on_nonfinite):
    state, theta, updates = adam_problem()
    updates[0][0, 0] = np.nan
    state, theta, updates, hp = spoil(finite_init(state), theta, updates)
    refused(lambda: finite_step(state, theta, updates, on_nonfinite=on_nonfinite,
                                inplace=True, **dict(ADAM, **hp)), error, words,
            state, theta, updates)
