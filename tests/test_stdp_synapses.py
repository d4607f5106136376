"""The STDP family of synapses: every synapse case recorded from ngc-learn 3.2.1 replayed
step by step, a float64 NumPy reference of each documented rule, attached learning rules
(SGD gives the default's bits, Adam and momentum the rule applied by hand), checkpoints,
bad input (nothing changes), and the kernels called from compiled code."""
import os
import tracemalloc

import numba
import numpy as np
import pytest

from ngc_rules.initializers import constant
from ngc_rules.optim import adam_init, adam_step, momentum_init, momentum_step
from ngc_rules.synapses import (BCMSynapse, EventSTDPSynapse, ExpSTDPSynapse, MSTDPETSynapse,
                                STDPSynapse, StaticSynapse, TraceSTDPSynapse, _stdp_kernels)
from ngc_rules.synapses._plastic import nothing
from reference import load_cases

CLASSES = {cls.__name__: cls for cls in (TraceSTDPSynapse, ExpSTDPSynapse, STDPSynapse,
                                         EventSTDPSynapse, BCMSynapse, MSTDPETSynapse)}
CASES = [c for c in load_cases("spiking.json") if c.get("module") == "synapses"]
F32 = np.float32


def test_every_recorded_synapse_case_is_here():
    counts = {}
    for case in CASES:
        counts[case["component"]] = counts.get(case["component"], 0) + 1
    assert counts == {"TraceSTDPSynapse": 10, "ExpSTDPSynapse": 6, "STDPSynapse": 6,
                      "EventSTDPSynapse": 4, "BCMSynapse": 6, "MSTDPETSynapse": 8}


def _ulps(actual, expected):
    """The largest error in float32 ulps of ``max(|x|, 1)`` (the reference README's
    measure) and in ulps of ``|x|`` itself."""
    actual, expected = np.asarray(actual, F32), np.asarray(expected, F32)
    error = np.abs(actual.astype(np.float64) - expected)
    wide = error / np.spacing(np.maximum(np.abs(expected), F32(1)))
    tight = error / np.spacing(np.maximum(np.abs(expected), np.finfo(F32).tiny))
    return float(wide.max(initial=0)), float(tight.max(initial=0))


def _replay(case):
    """Yield ``(synapse, step, record)`` after each recorded step, every ``state_keys``
    compartment set from the previous record first."""
    kwargs = dict(case["kwargs"])
    shape = tuple(kwargs.pop("shape"))
    syn = CLASSES[case["component"]](case["name"], shape, **kwargs)
    for method in case["init_calls"]:
        getattr(syn, method)()
    for key, value in case["init_set"].items():
        setattr(syn, key, np.array(value, F32))
    previous = case["initial"]
    for step in case["steps"]:
        for key in case["state_keys"]:
            setattr(syn, key, np.array(previous[key], F32))
        for key, value in step["set"].items():
            setattr(syn, key, np.array(value, F32))
        for method in step["calls"]:
            getattr(syn, method)(t=step["t"], dt=step["dt"])
        yield syn, step, previous
        previous = step["record"]


@pytest.mark.parametrize("case", [c for c in CASES if not c.get("quirk")],
                         ids=lambda c: c["name"])
def test_matches_ngclearn_step_by_step(case):
    """Within 1 ulp of max(|x|, 1) everywhere (most values bit for bit; the weights step
    unfused, as our rules do; XLA's exp and pow differ from libm's by an ulp)."""
    for syn, step, _ in _replay(case):
        for key in case["record_keys"]:
            wide, tight = _ulps(getattr(syn, key), step["record"][key])
            assert wide <= 1.0 and tight <= 8.0, (key, step["t"], wide, tight)
            assert getattr(syn, key).dtype == F32


@pytest.mark.parametrize("case", [c for c in CASES if c.get("quirk")], ids=lambda c: c["name"])
def test_mstdpet_without_reset_learns_as_documented(case):
    """ngc-learn 3.2.1 leaves ``outmask`` at zeros until reset(): its weights never move.
    Ours start with ones, as documented: the weights move by eta * r * E; the other
    compartments match the recording."""
    assert case["init_calls"] == [] and not case["weights_changed"]
    moved = False
    for syn, step, previous in _replay(case):
        for key in ("outputs", "dWeights", "eligibility"):
            assert _ulps(getattr(syn, key), step["record"][key])[0] <= 1.0, key
        before = np.array(previous["weights"], F32)
        modulated = (syn.eligibility * syn.modulator[0, 0]) * F32(syn.eta)
        expected = np.clip(before + modulated, F32(0), F32(syn.w_bound))
        np.testing.assert_array_equal(syn.weights, expected)
        moved |= not np.array_equal(syn.weights, before)
    assert moved


# -- a float64 NumPy reference of each documented rule, run free -------------------------

def _trace_dw(w, s_pre, s_post, x_pre, x_post, a_plus, a_minus, mu, x_tar, w_bound):
    ltp, ltd = (x_pre - x_tar).T @ s_post, s_pre.T @ x_post
    if mu > 0:
        ltp, ltd = (w_bound - w) ** mu * ltp, w ** mu * ltd
    return a_plus * ltp - (a_minus * ltd if a_minus > 0 else 0.0)


def _numpy_step(name, kw, w, sig, state, t, dt):
    """One step of the documented rule in float64: ``(W, dW)``, updating ``state``."""
    if name == "TraceSTDPSynapse":
        dw = _trace_dw(w, *sig, kw["A_plus"], kw["A_minus"], kw["mu"], kw["x_tar"], 1.0)
        return np.clip(w + kw["eta"] * dw - w / kw["tau_w"], 0, 1), dw
    if name == "ExpSTDPSynapse":
        s_pre, s_post, x_pre, x_post = sig
        b = kw["exp_beta"]
        targets = np.full_like(x_pre, kw["x_tar"])
        dw = kw["A_plus"] * (np.exp(-b * w) * (x_pre.T @ s_post)
                             - np.exp(-b * (1 - w)) * (targets.T @ s_post)) \
            - kw["A_minus"] * np.exp(-b * w) * (s_pre.T @ x_post)
        return np.clip(w + kw["eta"] * dw, 0.01, 0.99), dw
    if name == "STDPSynapse":
        s_pre, s_post, t_pre, t_post = sig
        gap = (t_post - t_pre.T) * (t_post > 0) * (t_pre.T > 0)
        dw = np.where(gap > 0, kw["A_plus"] * np.exp(-gap / kw["tau_plus"]) * s_post, 0.0) \
            - np.where(gap < 0, kw["A_minus"] * np.exp(-gap / kw["tau_minus"]) * s_pre.T, 0.0)
        return np.clip(w + kw["eta"] * dw - w * dt / kw["tau_w"], 0.001, 0.999), dw
    if name == "EventSTDPSynapse":
        t_pre, s_post = sig
        spiked = (t_pre > 0) & (t_pre > t - kw["presyn_win_len"])
        c = 1 + kw["lmbda"]
        dw = np.where(spiked.T, kw["A_plus"] * (1 - w * c), -w * c * kw["A_minus"]) * s_post
        return np.clip(w + kw["eta"] * dw, 0.01, 1.0), dw
    if name == "BCMSynapse":
        x, y = sig
        theta = state["theta"]
        dw = x.T @ (y * (y - theta) / (theta + 1e-7)) * (1 - np.abs(w)) - w * kw["w_decay"]
        power = np.mean(y * y, axis=0, keepdims=True)
        state["theta"] = theta + (power - theta) * dt / kw["tau_theta"]
        return w + dw * dt / kw["tau_w"], dw
    # MSTDPETSynapse: the eligibility takes the previous step's dW
    tau = kw["tau_elg"]
    trace = state["E"] * np.exp(-dt / tau) * kw["elg_decay"] + state["dW"] / tau
    w_new = np.clip(w + kw["eta"] * state["r"] * trace - w / kw["tau_w"], 0, 1)
    state["E"], state["dW"] = trace, _trace_dw(w, *sig, kw["A_plus"], kw["A_minus"], 0.0, 0.0, 1.0)
    return w_new, state["dW"]


FREE_RUNS = {
    "TraceSTDPSynapse": (dict(A_plus=0.1, A_minus=0.05, eta=0.7, mu=0.6, pretrace_target=0.1,
                              tau_w=30.0, batch_size=2),
                         dict(x_tar=0.1), ("preSpike", "postSpike", "preTrace", "postTrace")),
    "ExpSTDPSynapse": (dict(A_plus=0.1, A_minus=0.05, exp_beta=1.5, eta=0.5, pretrace_target=0.2,
                            batch_size=2), dict(x_tar=0.2),
                       ("preSpike", "postSpike", "preTrace", "postTrace")),
    "STDPSynapse": (dict(A_plus=0.1, A_minus=0.08, tau_plus=8.0, tau_minus=12.0, eta=0.5,
                         tau_w=40.0), {}, ("preSpike", "postSpike", "pre_tols", "post_tols")),
    "EventSTDPSynapse": (dict(eta=0.2, lmbda=0.05, A_plus=0.8, A_minus=0.3,
                              presyn_win_len=3.0), {}, ("pre_tols", "postSpike")),
    "BCMSynapse": (dict(tau_w=30.0, tau_theta=10.0, theta0=0.4, w_bound=1.0, w_decay=0.01,
                        batch_size=2), {}, ("pre", "post")),
    "MSTDPETSynapse": (dict(A_plus=0.1, A_minus=0.05, eta=0.5, tau_elg=6.0, elg_decay=0.9,
                            tau_w=50.0), {}, ("preSpike", "postSpike", "preTrace", "postTrace")),
}


def _signal(syn, name, rng, t):
    rows, width = getattr(syn, name).shape
    if "Spike" in name:
        return (rng.random((rows, width)) < 0.4).astype(syn.dtype)
    if "tols" in name:
        return rng.integers(0, int(t) + 1, (rows, width)).astype(syn.dtype)
    return rng.random((rows, width)).astype(syn.dtype) * 1.5


def _feed(syn, names, rng, t):
    """Random signals for one step; also a modulator for M-STDP-ET."""
    syn.inputs = _signal(syn, "inputs", rng, t)
    for name in names:
        setattr(syn, name, _signal(syn, name, rng, t))
    if isinstance(syn, MSTDPETSynapse):
        syn.modulator = rng.normal(size=(1, 1)).astype(syn.dtype)
    return [getattr(syn, name).astype(np.float64) for name in names]


@pytest.mark.parametrize("name", sorted(FREE_RUNS))
def test_float64_free_run_matches_a_numpy_reference(name):
    kwargs, extra, names = FREE_RUNS[name]
    syn = CLASSES[name]("W", (5, 4), seed=2, dtype=np.float64, **kwargs)
    w = syn.weights.copy()
    reference = {"mu": 0.0, "x_tar": 0.0, "tau_w": np.inf, **kwargs, **extra}
    state = {"theta": syn.theta.copy() if name == "BCMSynapse" else None,
             "E": np.zeros_like(w), "dW": np.zeros_like(w)}
    rng = np.random.default_rng(5)
    for k in range(1, 21):
        signals = _feed(syn, names, rng, k)
        state["r"] = float(getattr(syn, "modulator", [[0.0]])[0][0])
        syn.advance_state()
        np.testing.assert_allclose(syn.outputs, syn.inputs @ w, rtol=1e-13, atol=1e-13)
        syn.evolve(float(k), 1.0)
        w, dw = _numpy_step(name, reference, w, signals, state, float(k), 1.0)
        np.testing.assert_allclose(syn.dWeights, dw, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(syn.weights, w, rtol=1e-12, atol=1e-13)
        w = syn.weights.copy()
        if name == "BCMSynapse":
            np.testing.assert_allclose(syn.theta, state["theta"], rtol=1e-12)
            state["theta"] = syn.theta.copy()


# -- attached learning rules --------------------------------------------------------------

RULE_RUNS = {
    **FREE_RUNS,
    "STDPSynapse+decay": (dict(A_plus=0.1, A_minus=0.05, eta=0.3, w_decay=0.02), {},
                          ("preSpike", "postSpike", "pre_tols", "post_tols")),
    "TraceSTDPSynapse+mu0": (dict(A_plus=0.1, A_minus=0.05, eta=0.3, tau_w=20.0), {},
                             ("preSpike", "postSpike", "preTrace", "postTrace")),
}


def _pair(name, seed=3, **rule):
    kwargs, _, names = RULE_RUNS[name]
    cls = CLASSES[name.split("+")[0]]
    return (cls("a", (7, 5), seed=seed, **kwargs), cls("b", (7, 5), seed=seed, **kwargs, **rule),
            names)


@pytest.mark.parametrize("name", sorted(RULE_RUNS))
def test_sgd_gives_the_bits_of_the_default_update(name):
    plain, sgd, names = _pair(name, optim_type="sgd")
    assert plain.optim_type is None and sgd.optim_type == "sgd"
    for k in range(1, 11):
        for syn in (plain, sgd):
            _feed(syn, names, np.random.default_rng(k), k)
            syn.advance_state()
            syn.evolve(float(k), 1.0)
        for key in ("weights", "dWeights", "outputs"):
            np.testing.assert_array_equal(getattr(sgd, key).view(np.uint32),
                                          getattr(plain, key).view(np.uint32))
    assert int(sgd.opt_params) == 10


def _decay_factor(syn, dt):
    """The factor of the weights before the step that each synapse subtracts after it."""
    if isinstance(syn, MSTDPETSynapse):
        return F32(1 / syn.tau_w) if syn.tau_w else F32(0)
    if isinstance(syn, TraceSTDPSynapse):
        return F32(1) / F32(syn.tau_w) if syn.tau_w else F32(0)
    if isinstance(syn, STDPSynapse):
        return F32(dt) * (F32(1) / F32(syn.tau_w)) if syn.tau_w else F32(syn.w_decay)
    return F32(0)


def _by_hand(syn, plain, w0, step_fn, state):
    """The rule applied by hand to ngc-learn's ascent direction, then the decay (fused)
    and the clip the synapse documents."""
    if isinstance(syn, BCMSynapse):
        direction = (plain.dWeights * F32(1.0)) * (F32(1) / F32(syn.tau_w))
    elif isinstance(syn, MSTDPETSynapse):
        direction = (plain.eligibility * plain.modulator[0, 0]) * plain.outmask
    else:
        direction = plain.dWeights
    _, (w,) = step_fn(state, [w0.copy()], [-direction], eta=0.01)
    factor = _decay_factor(syn, 1.0)
    w = (w.astype(np.float64) - w0.astype(np.float64) * np.float64(factor)).astype(F32)
    clip, low, high = syn._bounds
    return np.clip(w, low, high) if clip else w


@pytest.mark.parametrize("rule", ["adam", "momentum"])
@pytest.mark.parametrize("name", sorted(RULE_RUNS))
def test_one_rule_step_is_the_rule_applied_by_hand_to_the_update(name, rule):
    plain, learner, names = _pair(name, optim_type=rule, optim_params={"eta": 0.01})
    w0 = learner.weights.copy()
    for syn in (plain, learner):
        _feed(syn, names, np.random.default_rng(11), 3)
        syn.evolve(3.0, 1.0)
    step_fn, init = {"adam": (adam_step, adam_init),
                     "momentum": (momentum_step, momentum_init)}[rule]
    expected = _by_hand(learner, plain, w0, step_fn, init([w0]))
    np.testing.assert_array_equal(learner.dWeights, plain.dWeights)
    np.testing.assert_array_equal(learner.weights, expected)
    assert not np.array_equal(learner.weights, w0)


def test_rule_state_is_kept_and_the_rule_reattached_when_weights_are_replaced():
    syn = TraceSTDPSynapse("W", (4, 3), A_plus=0.1, A_minus=0.05, optim_type="adam",
                           optim_params={"eta": 0.01}, seed=0)
    names = FREE_RUNS["TraceSTDPSynapse"][2]
    for k in range(1, 4):
        _feed(syn, names, np.random.default_rng(k), k)
        syn.evolve()
    syn.weights = syn.weights.astype(np.float64)  # replaced (and converted on the next step)
    _feed(syn, names, np.random.default_rng(9), 9)
    syn.evolve()
    assert syn.weights.dtype == F32 and int(syn.opt_params.t) == 4
    assert syn._learner().theta[0] is syn.weights


def test_a_rule_step_allocates_nothing_weight_sized():
    syn = TraceSTDPSynapse("W", (300, 200), A_plus=0.1, A_minus=0.05, tau_w=50.0,
                           optim_type="adam", optim_params={"eta": 0.01}, seed=0)
    names = FREE_RUNS["TraceSTDPSynapse"][2]
    _feed(syn, names, np.random.default_rng(1), 1)
    syn.evolve()
    syn.advance_state()
    tracemalloc.start()
    for _ in range(5):
        syn.advance_state()
        syn.evolve()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < syn.weights.nbytes / 8


# -- compiled from other code: the same bits -----------------------------------------------

@numba.njit
def _compiled_run(inputs, post_spikes, pre_traces, post_traces, weights, dweights, mask,
                  outputs, lateral, lateral_outputs, scalars, none):
    """A spiking loop as a model compiles it: input synapse forward, trace STDP, and a
    lateral static synapse, every step in one call."""
    a_plus, a_minus, x_tar, mu, w_bound, eta, decay, low, high = scalars
    one = scalars[0] / scalars[0]
    for k in range(inputs.shape[0]):
        spikes = inputs[k:k + 1]
        _stdp_kernels.dense_forward(spikes, weights, one, none, outputs[k:k + 1])
        _stdp_kernels.dense_forward(post_spikes[k:k + 1], lateral, one, none,
                                    lateral_outputs[k:k + 1])
        _stdp_kernels.trace_stdp_evolve(weights, dweights, mask, spikes, post_spikes[k:k + 1],
                                        pre_traces[k:k + 1], post_traces[k:k + 1], a_plus,
                                        a_minus, x_tar, mu, w_bound, eta, decay, low, high,
                                        none, none)


def test_kernels_called_from_compiled_code_give_the_component_bits():
    rng = np.random.default_rng(4)
    steps, n_pre, n_post = 12, 30, 8
    inputs = (rng.random((steps, n_pre)) < 0.2).astype(F32)
    post_spikes = (rng.random((steps, n_post)) < 0.2).astype(F32)
    pre_traces = rng.random((steps, n_pre)).astype(F32)
    post_traces = rng.random((steps, n_post)).astype(F32)
    syn = TraceSTDPSynapse("W", (n_pre, n_post), A_plus=0.1, A_minus=0.05, eta=0.5,
                           pretrace_target=0.2, tau_w=25.0, seed=1)
    lateral = StaticSynapse("L", (n_post, n_post), weight_init=constant(-0.5))
    weights, dweights = syn.weights.copy(), syn.dWeights.copy()
    outputs, lateral_outputs = np.zeros((steps, n_post), F32), np.zeros((steps, n_post), F32)
    expected, expected_lateral = np.zeros_like(outputs), np.zeros_like(outputs)
    for k in range(steps):
        syn.inputs, lateral.inputs = inputs[k:k + 1], post_spikes[k:k + 1]
        syn.preSpike, syn.postSpike = inputs[k:k + 1], post_spikes[k:k + 1]
        syn.preTrace, syn.postTrace = pre_traces[k:k + 1], post_traces[k:k + 1]
        syn.advance_state()
        lateral.advance_state()
        syn.evolve()
        expected[k], expected_lateral[k] = syn.outputs[0], lateral.outputs[0]
    scalars = np.array([0.1, 0.05, 0.2, 0.0, 1.0, 0.5, F32(1) / F32(25.0), 0.0, 1.0], F32)
    _compiled_run(inputs, post_spikes, pre_traces, post_traces, weights, dweights,
                  syn.mask.reshape(-1), outputs, lateral.weights, lateral_outputs, scalars,
                  nothing(F32))
    for got, want in ((weights, syn.weights), (dweights, syn.dWeights), (outputs, expected),
                      (lateral_outputs, expected_lateral)):
        np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))


# -- the static synapse --------------------------------------------------------------------

def test_static_synapse_sums_the_spiking_rows_in_order_and_scales_with_biases():
    syn = StaticSynapse("L", (6, 3), bias_init=constant(0.25), g_conduct_factor=2.0, seed=3)
    spikes = np.array([[1, 0, 1, 1, 0, 0], [0, 0, 0, 0, 0, 0]], F32)
    syn.inputs = spikes
    syn.advance_state(dt=1.0)
    total = syn.weights[0] + syn.weights[2] + syn.weights[3]
    np.testing.assert_array_equal(syn.outputs[0],
                                  (total.astype(np.float64) * 2 + 0.25).astype(F32))
    np.testing.assert_array_equal(syn.outputs[1], np.full(3, 0.25, F32))
    rates = np.random.default_rng(0).random((2, 6)).astype(F32)
    syn.inputs = rates
    syn.advance_state()
    np.testing.assert_allclose(syn.outputs, (rates @ syn.weights) * 2 + 0.25, rtol=1e-6)
    assert repr(syn) == "StaticSynapse(name='L', shape=(6, 3), resist_scale=2.0, p_conn=1.0)"


def test_static_synapse_takes_ngclearn_arguments_at_their_defaults_only():
    StaticSynapse("L", (2, 2), None, None, 1.0, 1.0, 1.0, 0, None, 1)
    with pytest.raises(ValueError, match="mask=.* is not implemented"):
        StaticSynapse("L", (2, 2), mask=np.ones((2, 2)))
    with pytest.raises(ValueError, match="p_release_mean"):
        StaticSynapse("L", (2, 2), p_release_mean=0.5)
    with pytest.raises(TypeError, match="unknown arguments"):
        StaticSynapse("L", (2, 2), delay=3)


# -- ngc-learn's behaviour kept, and its documented intent --------------------------------

def test_bcm_theta_survives_reset_and_the_checkpoint():
    syn = BCMSynapse("B", (3, 2), tau_w=10.0, tau_theta=5.0, theta0=0.5, seed=0)
    syn.pre, syn.post = np.ones((1, 3), F32), np.full((1, 2), 2.0, F32)
    syn.evolve(1.0, 1.0)
    theta = syn.theta.copy()
    assert not np.array_equal(theta, np.full((1, 2), 0.5, F32))
    syn.reset()
    np.testing.assert_array_equal(syn.theta, theta)
    assert not syn.pre.any() and not syn.post.any() and not syn.post_term.any()


def test_mstdpet_reset_sets_outmask_and_clears_the_eligibility():
    syn = MSTDPETSynapse("M", (3, 2), A_plus=0.1, A_minus=0.05, tau_elg=5.0)
    np.testing.assert_array_equal(syn.outmask, np.ones((1, 2), F32))  # ngc-learn: zeros
    syn.eligibility[...] = 1.0
    syn.outmask[...] = 0.0
    syn.modulator[...] = 0.3
    syn.preSpike = np.ones((4, 3), F32)  # a larger batch, undone by reset
    syn.reset()
    assert not syn.eligibility.any() and syn.outmask.all() and syn.modulator[0, 0] == F32(0.3)
    assert syn.preSpike.shape == (1, 3)


def test_exp_stdp_ignores_tau_w_and_stdp_ignores_times_of_zero():
    runs = [ExpSTDPSynapse("E", (4, 3), A_plus=0.1, A_minus=0.05, exp_beta=1.0, tau_w=tau_w,
                           seed=0) for tau_w in (0.0, 10.0)]
    for syn in runs:
        _feed(syn, FREE_RUNS["ExpSTDPSynapse"][2], np.random.default_rng(2), 1)
        syn.evolve()
    np.testing.assert_array_equal(runs[0].weights, runs[1].weights)
    syn = STDPSynapse("S", (2, 2), A_plus=0.1, A_minus=0.1)
    syn.preSpike, syn.postSpike = np.ones((1, 2), F32), np.ones((1, 2), F32)
    syn.pre_tols, syn.post_tols = np.array([[0.0, 3.0]], F32), np.array([[5.0, 0.0]], F32)
    syn.evolve(5.0, 1.0)
    np.testing.assert_array_equal(syn.dWeights != 0, [[False, False], [True, False]])


@pytest.mark.parametrize("optim_type", [None, "adam"])
def test_absent_connections_stay_zero(optim_type):
    mask = np.ones((4, 3), F32)
    mask[:, 1] = 0
    syn = TraceSTDPSynapse("W", (4, 3), A_plus=0.5, A_minus=0.0, weight_mask=mask,
                           optim_type=optim_type, seed=0)
    sparse = TraceSTDPSynapse("P", (4, 3), A_plus=0.5, A_minus=0.0, p_conn=0.5, seed=0)
    for k in range(1, 4):
        for one in (syn, sparse):
            _feed(one, FREE_RUNS["TraceSTDPSynapse"][2], np.random.default_rng(k), k)
            one.evolve()
    assert not syn.weights[:, 1].any() and syn.weights[:, 0].any()
    assert not sparse.weights[sparse.mask == 0].any()


def test_event_stdp_needs_the_time():
    syn = EventSTDPSynapse("E", (2, 2), eta=0.1)
    with pytest.raises(TypeError, match="needs the time"):
        syn.evolve(1.0)
    syn.evolve(2.0, 1.0)
    syn.evolve(t=2.0)


# -- bad input: a clear error, and nothing changes -----------------------------------------

def _snapshot(syn):
    return {name: (value, value.copy()) for name, value in vars(syn).items()
            if isinstance(value, np.ndarray)}


def _unchanged(syn, before):
    now = _snapshot(syn)
    assert now.keys() == before.keys()
    for name, (array, copy) in before.items():
        assert now[name][0] is array and array.tobytes() == copy.tobytes(), name


PAIR = dict(A_plus=0.1, A_minus=0.05)
ARGS = {TraceSTDPSynapse: PAIR, MSTDPETSynapse: PAIR, STDPSynapse: PAIR,
        EventSTDPSynapse: dict(eta=0.1), BCMSynapse: dict(tau_w=10.0, tau_theta=5.0),
        ExpSTDPSynapse: dict(PAIR, exp_beta=1.0)}
BAD_STEPS = [
    (TraceSTDPSynapse, {}, {"preSpike": [[0.5, 0, 0, 1]]}, ValueError,
     r"preSpike must hold spikes \(0 or 1\), got \[0.5\]"),
    (TraceSTDPSynapse, {}, {"postSpike": np.zeros((1, 4))}, ValueError,
     r"postSpike must have shape \(1, 3\)"),
    (TraceSTDPSynapse, {}, {"preTrace": np.zeros((1, 4), complex)}, TypeError, "real numbers"),
    (TraceSTDPSynapse, {}, {"preTrace": np.zeros((2, 4))}, ValueError,
     r"preTrace must have shape \(1, 4\)"),
    (TraceSTDPSynapse, {}, {"weights": np.zeros((3, 4))}, ValueError,
     r"weights must have shape \(4, 3\)"),
    (TraceSTDPSynapse, {"optim_type": "adam"}, {"postSpike": [[1, 1, 3]]}, ValueError, "spikes"),
    (MSTDPETSynapse, {}, {"modulator": np.ones((2, 1))}, ValueError,
     r"modulator must have shape \(1, 1\)"),
    (MSTDPETSynapse, {}, {"outmask": np.ones((1, 4))}, ValueError, "outmask"),
    (STDPSynapse, {}, {"pre_tols": np.ones((2, 4))}, ValueError,
     r"pre_tols must have shape \(1, 4\)"),
    (EventSTDPSynapse, {}, {"postSpike": [[0, 2, 0]]}, ValueError, "postSpike must hold spikes"),
    (BCMSynapse, {}, {"theta": np.ones((3, 3))}, ValueError, "theta must have shape"),
    (BCMSynapse, {}, {"post": np.ones((2, 3))}, ValueError, r"post must have shape \(1, 3\)"),
    (ExpSTDPSynapse, {}, {"postTrace": np.array([["a", "b", "c"]])}, TypeError, "real numbers"),
]


@pytest.mark.parametrize("cls, extra, given, error, message", BAD_STEPS,
                         ids=lambda v: v.__name__ if isinstance(v, type) else None)
def test_bad_compartments_are_refused_before_anything_changes(cls, extra, given, error, message):
    syn = cls("bad", (4, 3), seed=0, **ARGS[cls], **extra)
    syn.evolve(1.0, 1.0)  # the learning state exists
    for name, value in given.items():
        setattr(syn, name, value)
    before = _snapshot(syn)
    with pytest.raises(error, match=message):
        syn.evolve(2.0, 1.0)
    _unchanged(syn, before)


@pytest.mark.parametrize("times, keywords", [((1.0, 0.0), {}), ((), {"dt": -1.0}),
                                             ((), {"t": 1.0, "dt": float("nan")})])
def test_a_bad_time_step_is_refused(times, keywords):
    syn = STDPSynapse("S", (4, 3), A_plus=0.1, A_minus=0.05, tau_w=10.0)
    before = _snapshot(syn)
    with pytest.raises(ValueError, match="dt must be a finite number > 0"):
        syn.evolve(*times, **keywords)
    _unchanged(syn, before)


def test_bad_inputs_to_advance_state_are_refused():
    syn = TraceSTDPSynapse("W", (4, 3), A_plus=0.1, A_minus=0.05)
    syn.inputs = np.ones((1, 5), F32)
    before = _snapshot(syn)
    with pytest.raises(ValueError,
                       match=r"TraceSTDPSynapse 'W': inputs must have shape \(batch, 4\)"):
        syn.advance_state()
    _unchanged(syn, before)


@pytest.mark.parametrize("cls, kwargs, error, message", [
    (TraceSTDPSynapse, dict(PAIR, A_plus=float("nan")), ValueError, "A_plus must be finite"),
    (TraceSTDPSynapse, dict(PAIR, tau_w=-1.0), ValueError, "tau_w must be >= 0"),
    (TraceSTDPSynapse, dict(PAIR, mu=-0.5), ValueError, "mu must be >= 0"),
    (TraceSTDPSynapse, dict(PAIR, w_bound=0.0), ValueError, "w_bound must be > 0"),
    (TraceSTDPSynapse, dict(PAIR, weight_mask=np.full((4, 3), 0.5)), ValueError,
     "weight_mask must hold 0"),
    (TraceSTDPSynapse, dict(PAIR, optim_params={"eta": 0.1}), TypeError, "without an optim_type"),
    (TraceSTDPSynapse, dict(PAIR, optim_type="rmsprop"), ValueError, "unknown rule"),
    (TraceSTDPSynapse, dict(PAIR, batch_size=0), ValueError, "batch_size"),
    (STDPSynapse, dict(PAIR, tau_plus=0.0), ValueError, "tau_plus must be > 0"),
    (STDPSynapse, dict(PAIR, batch_size=2), ValueError, "batch_size must be 1"),
    (ExpSTDPSynapse, dict(PAIR, exp_beta=1.0, w_bound=0.015), ValueError, "is empty"),
    (EventSTDPSynapse, dict(eta=0.1, presyn_win_len=-1.0), ValueError,
     "presyn_win_len must be >= 0"),
    (BCMSynapse, dict(tau_w=0.0, tau_theta=1.0), ValueError, "tau_w must be > 0"),
    (BCMSynapse, dict(tau_w=1.0, tau_theta=float("inf")), ValueError, "tau_theta must be finite"),
    (MSTDPETSynapse, dict(PAIR, tau_elg=-2.0), ValueError, "tau_elg must be >= 0"),
    (MSTDPETSynapse, dict(PAIR, elg_decay=float("nan")), ValueError, "elg_decay"),
    (MSTDPETSynapse, dict(PAIR, spike_gate=1), TypeError, "unknown arguments"),
    (BCMSynapse, dict(tau_w=1.0, tau_theta=1.0, max_delay_steps=2), ValueError, "max_delay_steps"),
])
def test_bad_arguments_are_refused(cls, kwargs, error, message):
    with pytest.raises(error, match=message):
        cls("bad", (4, 3), **kwargs)


# -- ngc-learn's calling conventions, checkpoints, repr ------------------------------------

def test_ngclearn_arguments_positionally_and_by_their_other_names():
    syn = TraceSTDPSynapse("W", (2, 3), 0.1, 0.05, 0.5, 0.0, 0.1, constant(0.4), 2.0, 1.0,
                           1.0, 0.0, None, 1, key=[0, 7])
    assert (syn.eta, syn.preTrace_target, syn.resist_scale) == (0.5, 0.1, 2.0)
    assert TraceSTDPSynapse("W", (2, 3), 0.1, 0.05, resist_scale=3.0).resist_scale == 3.0
    np.testing.assert_array_equal(TraceSTDPSynapse("a", (2, 3), 0.1, 0.05, key=[0, 7]).weights,
                                  TraceSTDPSynapse("b", (2, 3), 0.1, 0.05, seed=7).weights)
    syn.preSpike = np.array([[True, False]])  # spikes given as booleans
    syn.evolve()


@pytest.mark.parametrize("name", ["TraceSTDPSynapse", "BCMSynapse", "MSTDPETSynapse"])
@pytest.mark.parametrize("optim_type", [None, "adam"])
def test_checkpoint_round_trip(tmp_path, name, optim_type):
    kwargs, _, names = FREE_RUNS[name]
    kwargs = {**kwargs, "batch_size": 1}
    make = lambda seed: CLASSES[name]("syn", (5, 4), seed=seed, optim_type=optim_type, **kwargs)
    trained, restored = make(1), make(2)
    for k in range(1, 4):
        _feed(trained, names, np.random.default_rng(k), k)
        trained.evolve(float(k), 1.0)
    trained.save(tmp_path)
    assert os.path.exists(trained.path(tmp_path))
    restored.load(tmp_path)
    np.testing.assert_array_equal(restored.weights, trained.weights)
    if name == "BCMSynapse":
        np.testing.assert_array_equal(restored.theta, trained.theta)
    restored.dWeights[...] = trained.dWeights  # what reset() clears is not saved
    if name == "MSTDPETSynapse":
        restored.eligibility[...] = trained.eligibility
    for syn in (trained, restored):  # they go on alike
        _feed(syn, names, np.random.default_rng(7), 7)
        syn.evolve(7.0, 1.0)
    np.testing.assert_array_equal(restored.weights, trained.weights)
    other = CLASSES[name]("syn", (5, 4), optim_type="sgd" if optim_type else "adam", **kwargs)
    weights = other.weights.copy()
    with pytest.raises(ValueError, match="syn.npz"):
        other.load(tmp_path)
    np.testing.assert_array_equal(other.weights, weights)


def test_repr_shows_the_rule_and_its_settings():
    assert repr(TraceSTDPSynapse("W", (2, 3), A_plus=0.1, A_minus=0.05)) == (
        "TraceSTDPSynapse(name='W', shape=(2, 3), Aplus=0.1, Aminus=0.05, eta=1.0, mu=0.0, "
        "optim_type=None)")
    assert repr(BCMSynapse("B", (2, 3), tau_w=10.0, tau_theta=5.0, optim_type="adam")) == (
        "BCMSynapse(name='B', shape=(2, 3), tau_w=10.0, tau_theta=5.0, theta0=-1.0, "
        "optim_type='adam')")
    assert repr(MSTDPETSynapse("M", (2, 3), 0.1, 0.05, tau_elg=5.0)) == (
        "MSTDPETSynapse(name='M', shape=(2, 3), Aplus=0.1, Aminus=0.05, eta=1.0, tau_elg=5.0, "
        "optim_type=None)")
    for cls in (ExpSTDPSynapse, STDPSynapse, EventSTDPSynapse):
        syn = cls("S", (2, 3), **ARGS[cls])
        assert repr(syn).startswith(f"{cls.__name__}(name='S', shape=(2, 3), ")


@pytest.mark.parametrize("guard", ["raise", "skip"])
def test_a_nonfinite_update_leaves_the_weights_to_the_rule_guard(guard):
    syn = TraceSTDPSynapse("W", (3, 2), A_plus=0.1, A_minus=0.05, optim_type="adam",
                           optim_params={"on_nonfinite": guard, "eta": 0.01}, seed=0)
    syn.preTrace = np.array([[np.inf, 0, 0]], F32)
    syn.postSpike = np.ones((1, 2), F32)
    weights = syn.weights.copy()
    if guard == "raise":
        with pytest.raises(FloatingPointError, match="TraceSTDPSynapse 'W': .*NaN or inf"):
            syn.evolve()
    else:
        syn.evolve()
        assert syn.rule.skipped_steps(syn.opt_params) == 1
    np.testing.assert_array_equal(syn.weights, weights)
