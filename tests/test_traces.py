"""VarTrace: every case recorded from ngc-learn 3.2.1, replayed step by step and run free,
a float64 NumPy reference, the kernel called from compiled code, checkpoints and bad input."""
import math

import numba
import numpy as np
import pytest

from ngc_rules.traces import VarTrace
from ngc_rules.traces._kernels import var_trace_step
from reference import load_cases

CASES = [c for c in load_cases("spiking.json") if c["component"] == "VarTrace"]


def _f32(value):
    return np.array(value, np.float32)


def _replay(case, free):
    """Run ``case`` on our VarTrace and assert every recorded compartment bit for bit;
    unless ``free``, each step starts from the recorded state (``state_keys``)."""
    tr = VarTrace("c", **case["kwargs"])
    for call in case["init_calls"]:
        getattr(tr, call)()
    previous = case["initial"]
    for key in case["record_keys"]:
        np.testing.assert_array_equal(getattr(tr, key), _f32(previous[key]))
    for step in case["steps"]:
        if not free:
            for key in case["state_keys"]:
                setattr(tr, key, _f32(previous[key]))
        for key, value in step["set"].items():
            setattr(tr, key, _f32(value))
        for call in step["calls"]:
            getattr(tr, call)(t=step["t"], dt=step["dt"])
        for key in case["record_keys"]:
            assert getattr(tr, key).dtype == np.float32
            np.testing.assert_array_equal(getattr(tr, key), _f32(step["record"][key]),
                                          err_msg=f"{key} at t={step['t']}")
        previous = step["record"]


def test_every_trace_case_is_replayed():
    assert len(CASES) == 16


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_matches_ngclearn_step_by_step_exactly(case):
    """0 ulps: the decay factor is exp of the float32 exponent (float64, rounded once),
    folded with gamma_tr in float32, and the last multiply-add rounds once, as XLA does."""
    _replay(case, free=False)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_matches_ngclearn_run_free_exactly(case):
    _replay(case, free=True)


def _numpy_trace(z, x, dt, tau, a_delta, p_scale, gamma, decay_type, k):
    """One float64 step, written from ngc-learn's documentation."""
    factor = {"exp": math.exp(-dt / tau), "lin": 1 - dt / tau, "step": 0.0}[decay_type]
    decayed = gamma * z * factor
    if k > 0:
        return decayed + x * (a_delta - z / k)
    if a_delta > 0:
        return decayed + x * a_delta
    return decayed * (1 - x) + x * p_scale


@pytest.mark.parametrize("decay_type", ["exp", "lin", "step"])
@pytest.mark.parametrize("a_delta,p_scale,k", [(0.4, 1.0, 0), (0.0, 2.5, 0), (-1.0, 0.7, 0),
                                               (0.8, 1.0, 1), (0.5, 1.0, 3)])
def test_float64_trace_matches_numpy_reference(decay_type, a_delta, p_scale, k):
    rng = np.random.default_rng(4)
    kwargs = dict(tau_tr=7.0, a_delta=a_delta, P_scale=p_scale, gamma_tr=0.9,
                  decay_type=decay_type, n_nearest_spikes=k)
    tr = VarTrace("tr", 6, batch_size=3, dtype=np.float64, **kwargs)
    z = np.zeros((3, 6))
    for step in range(25):
        x = (rng.random((3, 6)) < 0.3).astype(np.float64)
        if step % 5 == 4:
            x = rng.random((3, 6))  # graded inputs too: the filter takes any signal
        tr.inputs = x
        tr.advance_state(t=float(step), dt=0.5)
        z = _numpy_trace(z, x, 0.5, 7.0, a_delta, p_scale, 0.9, decay_type, k)
        np.testing.assert_allclose(tr.trace, z, rtol=1e-13, atol=1e-14)
        np.testing.assert_array_equal(tr.outputs, tr.trace)
    assert tr.trace.dtype == np.float64


@numba.njit
def _compiled_run(spikes, trace, outputs, decay, a_delta, p_scale, k):
    """A compiled loop stepping the trace, as a model's network step would."""
    for step in range(spikes.shape[0]):
        var_trace_step(spikes[step], trace, outputs, decay, a_delta, p_scale, k)


@pytest.mark.parametrize("kwargs", [dict(tau_tr=5.0, a_delta=0.5),
                                    dict(tau_tr=5.0, a_delta=0.0, P_scale=2.0,
                                         decay_type="lin", gamma_tr=0.9),
                                    dict(tau_tr=3.0, a_delta=1.0, n_nearest_spikes=1)])
def test_compiled_loop_gives_the_component_bits(kwargs):
    rng = np.random.default_rng(5)
    spikes = (rng.random((40, 2, 7)) < 0.2).astype(np.float32)
    tr = VarTrace("tr", 7, batch_size=2, **kwargs)
    for x in spikes:
        tr.inputs = x
        tr.advance_state(dt=0.5)
    twin = VarTrace("tr", 7, batch_size=2, **kwargs)
    _compiled_run(spikes.reshape(40, -1), twin.trace.reshape(-1), twin.outputs.reshape(-1),
                  *twin._step_scalars(0.5))
    np.testing.assert_array_equal(twin.trace, tr.trace)
    np.testing.assert_array_equal(twin.outputs, tr.outputs)


def test_decay_types_match_as_ngclearn_matches_them():
    for name, kind in [("exp", "exp"), ("exponential", "exp"), ("lin", "lin"),
                       ("linear", "lin"), ("step", "step"), ("explin", "exp")]:
        tr = VarTrace("tr", 1, tau_tr=4.0, a_delta=1.0, decay_type=name)
        tr.trace[...] = 1.0
        tr.advance_state(dt=1.0)
        expected = {"exp": np.float32(math.exp(np.float32(-0.25))), "lin": 0.75,
                    "step": 0.0}[kind]
        assert tr.trace[0, 0] == np.float32(expected), name
        assert tr.decay_type == name


def test_call_forms_and_reset():
    tr = VarTrace("tr", 2, tau_tr=2.0, a_delta=0.0, decay_type="lin", batch_size=2)
    tr.trace[...] = 1.0
    tr.advance_state(0.5)  # (dt)
    tr.advance_state(3.0, 0.5)  # (t, dt)
    tr.advance_state(t=4.0, dt=0.5)
    np.testing.assert_array_equal(tr.trace, np.full((2, 2), 0.75 ** 3, np.float32))
    tr.inputs = [[1, 0], [0, 1]]  # any real array of the right shape
    tr.advance_state()
    np.testing.assert_array_equal(tr.trace, [[1.0, 0.5 * 0.75 ** 3], [0.5 * 0.75 ** 3, 1.0]])
    tr.reset()
    assert not tr.trace.any() and not tr.outputs.any() and not tr.inputs.any()
    tr.reset(batch_size=5)
    assert tr.trace.shape == tr.outputs.shape == tr.inputs.shape == (5, 2)


def test_repr():
    tr = VarTrace("pre", 3, tau_tr=20.0, a_delta=0.0, decay_type="lin")
    assert repr(tr) == "VarTrace(name='pre', n_units=3, tau_tr=20.0, a_delta=0.0, " \
                       "decay_type='lin')"


def test_save_and_load_round_trip(tmp_path):
    tr = VarTrace("pre", 3, tau_tr=20.0, a_delta=0.5, batch_size=2)
    tr.inputs = np.ones((2, 3), np.float32)
    tr.advance_state(dt=1.0)
    tr.save(tmp_path)
    saved = tr.trace.copy()
    tr.advance_state(dt=1.0)
    tr.load(tmp_path)
    np.testing.assert_array_equal(tr.trace, saved)
    np.testing.assert_array_equal(tr.outputs, saved)
    other = VarTrace("pre", 3, tau_tr=20.0, a_delta=0.5, batch_size=1)
    with pytest.raises(ValueError, match="pre.npz"):
        other.load(tmp_path)  # another batch size
    assert not other.trace.any()


def _snapshot(component, names):
    return {name: np.array(getattr(component, name), copy=True) for name in names}


def _assert_unchanged(component, snapshot):
    for name, before in snapshot.items():
        after = getattr(component, name)
        assert after.dtype == before.dtype and after.tobytes() == before.tobytes(), name


@pytest.mark.parametrize("change,error,match", [
    (lambda tr: setattr(tr, "inputs", np.ones((1, 3), np.float32)), ValueError,
     r"VarTrace 'tr': inputs must have shape \(2, 3\)"),
    (lambda tr: setattr(tr, "inputs", np.ones((2, 3), np.complex64)), TypeError,
     "inputs must hold real numbers"),
    (lambda tr: tr.inputs.__setitem__((1, 2), np.nan), ValueError,
     r"inputs must be finite, got nan at \(1, 2\)"),
    (lambda tr: setattr(tr, "trace", np.zeros((2, 3))), TypeError,
     "trace must be a writable C-contiguous float32 array of shape"),
    (lambda tr: setattr(tr, "trace", np.zeros((3, 2), np.float32).T), ValueError,
     "got a non-contiguous float32 array"),
    (lambda tr: tr.outputs.setflags(write=False), ValueError, "outputs must be a writable"),
])
def test_bad_state_is_refused_before_anything_changes(change, error, match):
    tr = VarTrace("tr", 3, tau_tr=4.0, a_delta=0.5, batch_size=2)
    tr.inputs[...] = 1.0
    tr.advance_state(dt=1.0)
    change(tr)
    snapshot = _snapshot(tr, ["inputs", "trace", "outputs"])
    with pytest.raises(error, match=match):
        tr.advance_state(dt=1.0)
    _assert_unchanged(tr, snapshot)


@pytest.mark.parametrize("times", [dict(dt=0.0), dict(t=0.0, dt=-1.0),
                                   dict(t=0.0, dt=float("nan"))])
def test_bad_step_length_is_refused_before_anything_changes(times):
    tr = VarTrace("tr", 3, tau_tr=4.0, a_delta=0.5)
    tr.inputs[...] = 1.0
    tr.advance_state(dt=1.0)
    snapshot = _snapshot(tr, ["inputs", "trace", "outputs"])
    with pytest.raises(ValueError, match="dt must be a finite number > 0"):
        tr.advance_state(**times)
    _assert_unchanged(tr, snapshot)


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(tau_tr=0.0), ValueError, "VarTrace 'tr': tau_tr must be > 0, got 0.0"),
    (dict(tau_tr=-2.0), ValueError, "tau_tr must be > 0"),
    (dict(a_delta=float("nan")), ValueError, "a_delta must be finite, got nan"),
    (dict(P_scale=float("inf")), ValueError, "P_scale must be finite"),
    (dict(gamma_tr="1"), TypeError, "gamma_tr must be a real number"),
    (dict(decay_type="cosine"), ValueError, "decay_type must be 'exp', 'lin' or 'step'"),
    (dict(n_nearest_spikes=-1), ValueError, "n_nearest_spikes must be an integer >= 0"),
    (dict(n_units=0), ValueError, "n_units must be an integer >= 1"),
    (dict(batch_size=1.5), ValueError, "batch_size must be an integer >= 1"),
    (dict(dtype=np.int32), TypeError, "dtype must be float32 or float64"),
    (dict(thr=1.0), TypeError, "unexpected keyword argument 'thr'"),
])
def test_bad_arguments_are_refused(kwargs, error, match):
    arguments = {**dict(name="tr", n_units=3, tau_tr=4.0, a_delta=0.5), **kwargs}
    with pytest.raises(error, match=match):
        VarTrace(**arguments)


def test_key_is_accepted_as_ngclearn_passes_it():
    assert VarTrace("tr", 2, 4.0, 0.5, key=[0, 42]).n_units == 2
    with pytest.raises(ValueError, match="key must be"):
        VarTrace("tr", 2, 4.0, 0.5, key="bad")
