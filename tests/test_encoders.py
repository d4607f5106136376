"""Encoders: the Poisson and Bernoulli rate cases and every LatencyCell case recorded from
ngc-learn 3.2.1, the documented latency code where ngc-learn 3.2.1 departs from it, the
counter-based draws, the kernels called from compiled code, checkpoints and bad input."""
import math

import numba
import numpy as np
import pytest

from ngc_rules._random import uniform32
from ngc_rules.encoders import BernoulliCell, LatencyCell, PoissonCell
from ngc_rules.encoders._kernels import bernoulli_spikes, latency_spike_times, latency_spikes
from reference import load_cases

SPIKING = load_cases("spiking.json")
RATE_CASES = [c for c in SPIKING if c.get("kind") == "rate"]
LATENCY_CASES = [c for c in SPIKING if c["component"] == "LatencyCell"]
EXACT_LATENCY = [c for c in LATENCY_CASES if "quirk" not in c]
QUIRK_LATENCY = [c for c in LATENCY_CASES if "quirk" in c]
CELLS = {"PoissonCell": PoissonCell, "BernoulliCell": BernoulliCell}
_F32 = np.float32


def _f32(value):
    return np.array(value, _F32)


def test_every_case_is_covered():
    kinds = [c["component"] for c in RATE_CASES]
    assert kinds.count("PoissonCell") == 6 and kinds.count("BernoulliCell") == 4
    assert len(EXACT_LATENCY) == 6 and len(QUIRK_LATENCY) == 4


# -- Poisson and Bernoulli: rates, draws, seeds ------------------------------------------

@pytest.mark.parametrize("case", RATE_CASES, ids=lambda c: c["name"])
def test_rates_match_ngclearn_within_four_standard_errors(case):
    cell = CELLS[case["component"]]("c", **case["kwargs"], seed=case["seed"])
    for call in case["init_calls"]:
        getattr(cell, call)()
    inputs, dt, n = _f32(case["set"]["inputs"]), case["dt"], case["n_steps"]
    expected = np.array(case["expected_rate"])
    factor, rate = cell._step_scalars(dt)  # p as the cell forms it, in float32
    np.testing.assert_array_equal(np.clip(inputs * factor * rate, 0, 1), expected.astype(_F32))
    counts, last_spike = np.zeros(inputs.shape), np.zeros(inputs.shape, _F32)
    for k in range(n):
        cell.inputs = inputs
        for call in case["calls"]:
            getattr(cell, call)(t=k * dt, dt=dt)
        spikes = cell.outputs
        assert np.all((spikes == 0) | (spikes == 1))
        counts += spikes
        last_spike[spikes == 1] = _F32(k * dt)
        np.testing.assert_array_equal(cell.tols, last_spike)  # time of the last spike
    standard_error = np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(counts / n - expected) <= 4 * standard_error)
    assert int(cell.key[1]) == n


@pytest.mark.parametrize("cls,kwargs", [(BernoulliCell, {}),
                                        (PoissonCell, dict(target_freq=300.0))])
def test_spikes_are_the_documented_draws(cls, kwargs):
    cell = cls("c", 5, batch_size=2, seed=11, **kwargs)
    rng = np.random.default_rng(0)
    for step in range(20):
        cell.inputs = rng.random((2, 5)).astype(_F32)
        p = cell.inputs.reshape(-1) * np.prod(cell._step_scalars(2.0)) if cls is PoissonCell \
            else cell.inputs.reshape(-1)
        cell.advance_state(t=2.0 * step, dt=2.0)
        draws = np.array([uniform32(11, step, i) for i in range(10)], _F32)
        np.testing.assert_array_equal(cell.outputs.reshape(-1), (draws < p).astype(_F32))


def _spike_train(cell, steps=60):
    cell.inputs = np.full(cell.shape, 0.5, _F32)
    train = []
    for k in range(steps):
        cell.advance_state(t=float(k), dt=1.0)
        train.append(cell.outputs.copy())
    return np.array(train)


def test_same_seed_same_spikes_other_seed_other_spikes():
    first = _spike_train(BernoulliCell("a", 8, seed=5))
    np.testing.assert_array_equal(_spike_train(BernoulliCell("b", 8, seed=5)), first)
    np.testing.assert_array_equal(_spike_train(BernoulliCell("b", 8, key=[0, 5])), first)
    assert not np.array_equal(_spike_train(BernoulliCell("c", 8, seed=6)), first)
    assert 0.3 < first.mean() < 0.7


def test_draws_follow_from_the_key_compartment():
    cell = PoissonCell("p", 6, target_freq=400.0, seed=9)
    train = _spike_train(cell, 30)
    saved_key = cell.key.copy()
    later = _spike_train(cell, 10)
    cell.reset()  # keeps the key: a new sample gets new draws
    assert int(cell.key[1]) == 40
    cell.key = saved_key.copy()  # an assigned key takes effect
    np.testing.assert_array_equal(_spike_train(cell, 10), later)
    cell.key[...] = [9, 0]
    np.testing.assert_array_equal(_spike_train(cell, 30), train)


@numba.njit
def _compiled_draws(inputs, outputs, tols, key, dt, dt_factor, rate, n_steps):
    for k in range(n_steps):
        bernoulli_spikes(inputs, outputs, tols, key, np.float32(k * dt), dt_factor, rate)


@pytest.mark.parametrize("cls", [BernoulliCell, PoissonCell])
def test_compiled_loop_gives_the_component_bits(cls):
    inputs = np.random.default_rng(2).random((3, 4)).astype(_F32)
    cell, twin = cls("c", 4, batch_size=3, seed=21), cls("c", 4, batch_size=3, seed=21)
    for k in range(25):
        cell.inputs = inputs
        cell.advance_state(t=k * 0.5, dt=0.5)
    _compiled_draws(inputs.reshape(-1), twin.outputs.reshape(-1), twin.tols.reshape(-1),
                    twin.key, 0.5, *twin._step_scalars(0.5), 25)
    for name in ("outputs", "tols", "key"):
        np.testing.assert_array_equal(getattr(twin, name), getattr(cell, name))


def test_float64_cells_draw_the_same_spikes():
    cell32 = PoissonCell("p", 5, target_freq=500.0, seed=4)
    cell64 = PoissonCell("p", 5, target_freq=500.0, seed=4, dtype=np.float64)
    np.testing.assert_array_equal(_spike_train(cell64, 40), _spike_train(cell32, 40))
    assert cell64.outputs.dtype == cell64.tols.dtype == np.float64


def test_max_freq_is_ngclearns_deprecated_name():
    with pytest.warns(DeprecationWarning, match="max_freq is deprecated"):
        cell = PoissonCell("p", 2, max_freq=20.0)
    assert cell.target_freq == 20.0
    with pytest.raises(TypeError, match="give target_freq or max_freq"):
        PoissonCell("p", 2, target_freq=30.0, max_freq=20.0)


# -- LatencyCell ---------------------------------------------------------------------------

def _latency_replay(case, skip_calc=False):
    """Run ``case`` step by step from the recorded state; assert every compartment bit
    for bit. With ``skip_calc``, the recorded spike times stand in for our
    ``calc_spike_times`` (the one method ngc-learn's quirk concerns)."""
    cell = LatencyCell("c", **case["kwargs"])
    for call in case["init_calls"]:
        getattr(cell, call)()
    previous = case["initial"]
    for key in case["record_keys"]:
        np.testing.assert_array_equal(getattr(cell, key), _f32(previous[key]))
    for step in case["steps"]:
        for key in case["state_keys"]:
            setattr(cell, key, _f32(previous[key]))
        for key, value in step["set"].items():
            setattr(cell, key, _f32(value))
        for call in step["calls"]:
            if call == "calc_spike_times" and skip_calc:
                cell.targ_sp_times = _f32(step["record"]["targ_sp_times"])
                cell.clip_mask = _f32(step["record"]["clip_mask"])
            elif call == "advance_state":
                cell.advance_state(t=step["t"], dt=step["dt"])
            else:
                getattr(cell, call)()
        for key in case["record_keys"]:
            np.testing.assert_array_equal(getattr(cell, key), _f32(step["record"][key]),
                                          err_msg=f"{key} at t={step['t']}")
        previous = step["record"]


@pytest.mark.parametrize("case", EXACT_LATENCY, ids=lambda c: c["name"])
def test_linear_latency_matches_ngclearn_exactly(case):
    _latency_replay(case)


@pytest.mark.parametrize("case", QUIRK_LATENCY, ids=lambda c: c["name"])
def test_latency_steps_match_ngclearn_from_its_spike_times(case):
    _latency_replay(case, skip_calc=True)


def _ulps(actual, expected):
    """Distance in ulps of max(|expected|, 1), float32."""
    expected = np.asarray(expected, _F32)
    unit = np.spacing(np.maximum(np.abs(expected), _F32(1)))
    return float(np.max(np.abs(actual.astype(np.float64) - expected) / unit))


def _documented_times(x, tau, threshold, first, num_steps, normalize):
    """ngc-learn's documented logarithmic code (eps = 1e-7), in float64 from the float32
    threshold and floor (the floor's distance to the threshold is a few float32 ulps)."""
    threshold = float(_F32(threshold))
    d = np.maximum(np.asarray(x, np.float64), float(_F32(threshold) + _F32(1e-7)))
    times = first + tau * np.log(d / (d - threshold))
    if normalize:
        times = (times - first) * (num_steps - first - 1) / np.max(times - first) + first
    return times


_LATENCY_DEFAULTS = dict(tau=1.0, threshold=0.01, first_spike_time=0.0, num_steps=1.0,
                         normalize=False, clip_spikes=False)


def _documented_run(kw, inputs, times_t):
    """Outputs per step of the documented code (arguments ``kw``), with the smallest
    distance of a spike time to a rounding boundary."""
    times = _documented_times(inputs, kw["tau"], kw["threshold"], kw["first_spike_time"],
                              kw["num_steps"], kw["normalize"])
    rounded = np.round(times)
    margin = np.min(np.abs(np.abs(times - np.floor(times)) - 0.5))
    clipped = (inputs < kw["threshold"]) if kw["clip_spikes"] else np.zeros(inputs.shape, bool)
    fired = np.zeros(inputs.shape, bool)
    outputs = []
    for t in times_t:
        spikes = (rounded <= t) & ~fired
        fired |= spikes
        outputs.append((spikes & ~clipped).astype(_F32))
    return times, outputs, margin


@pytest.mark.parametrize("case", QUIRK_LATENCY, ids=lambda c: c["name"])
def test_logarithmic_latency_follows_the_documentation(case):
    """ngc-learn 3.2.1 clamps the inputs at threshold + num_steps (its quirk); we clamp at
    threshold + 1e-7 as documented, and spread the spikes."""
    kwargs = {k: v for k, v in case["kwargs"].items() if k != "n_units"}
    kw = {**_LATENCY_DEFAULTS, **kwargs}
    steps = case["steps"]
    inputs = _f32(steps[0]["set"]["inputs"])
    times, outputs, margin = _documented_run(kw, inputs, [s["t"] for s in steps])
    assert margin > 1e-3  # no spike decision is a rounding call
    cell = LatencyCell("c", case["kwargs"]["n_units"], **kwargs)
    cell.inputs = inputs
    cell.calc_spike_times()
    np.testing.assert_allclose(cell.targ_sp_times, times, rtol=2e-5)
    for step, expected in zip(steps, outputs):
        cell.advance_state(t=step["t"], dt=step["dt"])
        np.testing.assert_array_equal(cell.outputs, expected)
    np.testing.assert_array_equal(cell.mask, np.round(times) <= steps[-1]["t"])
    recorded = _f32(steps[0]["record"]["targ_sp_times"])
    unclamped = inputs > _F32(kw["threshold"]) + _F32(kw["num_steps"])
    if unclamped.any():  # where ngc-learn's clamp does not bind, its numbers and ours agree
        assert _ulps(cell.targ_sp_times[unclamped], recorded[unclamped]) <= 1
    assert (~unclamped).any() and np.all(cell.targ_sp_times[~unclamped] != recorded[~unclamped])


@pytest.mark.parametrize("case", QUIRK_LATENCY, ids=lambda c: c["name"])
def test_log_kernel_given_ngclearns_effective_arguments_gives_its_times(case):
    """The kernel with eps = num_steps and no normalization (what ngc-learn 3.2.1 runs)
    reproduces its recorded spike times within 1 ulp (its float32 log vs ours)."""
    kw = {**_LATENCY_DEFAULTS, **case["kwargs"]}
    step = case["steps"][0]
    inputs = _f32(step["set"]["inputs"])
    times, clip_mask = np.zeros_like(inputs), np.zeros_like(inputs)
    latency_spike_times(inputs.reshape(-1), times.reshape(-1), clip_mask.reshape(-1), False,
                        False, kw["clip_spikes"], _F32(kw["tau"]), _F32(kw["threshold"]),
                        _F32(kw["first_spike_time"]), _F32(kw["num_steps"]),
                        _F32(kw["num_steps"]))
    assert _ulps(times, step["record"]["targ_sp_times"]) <= 1
    np.testing.assert_array_equal(clip_mask, _f32(step["record"]["clip_mask"]))


def test_normalized_logarithmic_code_spans_num_steps():
    inputs = np.random.default_rng(3).random((2, 9)).astype(_F32)
    cell = LatencyCell("c", 9, tau=4.0, threshold=0.05, first_spike_time=2.0, normalize=True,
                       num_steps=40.0, batch_size=2)
    cell.inputs = inputs
    cell.calc_spike_times()
    expected = _documented_times(inputs, 4.0, 0.05, 2.0, 40.0, True)
    np.testing.assert_allclose(cell.targ_sp_times, expected, rtol=2e-5)
    assert cell.targ_sp_times.min() >= 2.0
    assert cell.targ_sp_times.max() == pytest.approx(39.0, rel=1e-6)


def test_linear_normalized_code_and_clipping():
    cell = LatencyCell("c", 4, threshold=0.2, first_spike_time=1.0, linearize=True,
                       normalize=True, clip_spikes=True, num_steps=11.0)
    cell.inputs = np.array([[1.0, 0.5, 0.25, 0.1]], _F32)
    cell.calc_spike_times()
    np.testing.assert_allclose(cell.targ_sp_times, [[1.0, 5.5, 7.75, 8.2]], rtol=1e-6)
    np.testing.assert_array_equal(cell.clip_mask, [[0, 0, 0, 1]])
    fired = []
    for t in range(11):
        cell.advance_state(t=float(t), dt=1.0)
        fired.append(cell.outputs[0].copy())
    np.testing.assert_array_equal(np.argmax(fired, axis=0), [1, 6, 8, 0])  # 5.5 -> 6 (even)
    assert np.sum(fired) == 3  # the clipped unit's spike is suppressed ...
    np.testing.assert_array_equal(cell.tols, [[1.0, 6.0, 8.0, 8.0]])  # ... but recorded


@numba.njit
def _compiled_latency(inputs, targ, clip_mask, mask, tols, outputs, scalars, times):
    tau, threshold, first, eps, num_steps = scalars
    latency_spike_times(inputs, targ, clip_mask, False, True, True, tau, threshold, first,
                        eps, num_steps)
    for t in times:
        latency_spikes(targ, mask, clip_mask, tols, outputs, t)


def test_compiled_latency_gives_the_component_bits():
    inputs = np.random.default_rng(4).random((2, 6)).astype(_F32)
    kwargs = dict(tau=3.0, threshold=0.1, normalize=True, clip_spikes=True, num_steps=20.0,
                  batch_size=2)
    cell, twin = LatencyCell("c", 6, **kwargs), LatencyCell("c", 6, **kwargs)
    cell.inputs = inputs
    cell.calc_spike_times()
    times = np.arange(15, dtype=_F32)
    for t in times:
        cell.advance_state(t=float(t), dt=1.0)
    scalars = tuple(_F32(v) for v in (3.0, 0.1, 0.0, 1e-7, 20.0))
    views = [twin.__dict__[n].reshape(-1) for n in
             ("targ_sp_times", "clip_mask", "mask", "tols", "outputs")]
    _compiled_latency(inputs.reshape(-1), *views, scalars, times)
    for name in ("targ_sp_times", "clip_mask", "mask", "tols", "outputs"):
        np.testing.assert_array_equal(getattr(twin, name), getattr(cell, name))


# -- every encoder: repr, reset, checkpoints, bad input ----------------------------------

def test_repr():
    assert repr(BernoulliCell("b", 3)) == "BernoulliCell(name='b', n_units=3, batch_size=1)"
    assert repr(PoissonCell("p", 3)) == "PoissonCell(name='p', n_units=3, target_freq=63.75)"
    assert repr(LatencyCell("l", 3)) == ("LatencyCell(name='l', n_units=3, tau=1.0, "
                                         "threshold=0.01, linearize=False, normalize=False)")


def test_reset_zeroes_the_signals_and_can_resize_the_batch():
    cell = LatencyCell("l", 3, linearize=True)
    cell.inputs = np.ones((1, 3), _F32)
    cell.calc_spike_times()
    cell.advance_state(t=0.0, dt=1.0)
    assert cell.mask.all()
    cell.reset(batch_size=4)
    for name in ("inputs", "outputs", "tols", "mask", "clip_mask", "targ_sp_times"):
        assert getattr(cell, name).shape == (4, 3) and not getattr(cell, name).any()


@pytest.mark.parametrize("make", [lambda: PoissonCell("enc", 4, target_freq=500.0, seed=1),
                                  lambda: BernoulliCell("enc", 4, seed=1),
                                  lambda: LatencyCell("enc", 4, tau=5.0, linearize=True)])
def test_save_and_load_round_trip(tmp_path, make):
    cell = make()
    names = cell._zeroed + cell._kept
    cell.inputs = np.full((1, 4), 0.5, _F32)
    if isinstance(cell, LatencyCell):
        cell.calc_spike_times()
    for k in range(3):
        cell.advance_state(t=float(k), dt=1.0)
    cell.save(tmp_path)
    saved = {name: getattr(cell, name).copy() for name in names}
    after = []
    for k in range(3, 6):
        cell.advance_state(t=float(k), dt=1.0)
        after.append(cell.outputs.copy())
    cell.load(tmp_path)
    for name in names:
        np.testing.assert_array_equal(getattr(cell, name), saved[name])
    for k, expected in zip(range(3, 6), after):  # the same draws again
        cell.advance_state(t=float(k), dt=1.0)
        np.testing.assert_array_equal(cell.outputs, expected)
    stranger = LatencyCell("enc", 4) if not isinstance(cell, LatencyCell) else \
        BernoulliCell("enc", 4, seed=2)
    before = {name: getattr(stranger, name).copy() for name in stranger._zeroed}
    with pytest.raises(ValueError, match="enc.npz"):
        stranger.load(tmp_path)
    for name, value in before.items():
        np.testing.assert_array_equal(getattr(stranger, name), value)


def _snapshot(cell):
    names = ("inputs", *cell._zeroed, *cell._kept)
    return {name: np.array(getattr(cell, name), copy=True) for name in names}


def _assert_unchanged(cell, snapshot):
    for name, before in snapshot.items():
        after = np.asarray(getattr(cell, name))
        assert after.dtype == before.dtype and after.tobytes() == before.tobytes(), name


_BAD_STATE = [
    (lambda c: setattr(c, "inputs", np.ones((2, 3), _F32)), {}, ValueError,
     r"inputs must have shape \(1, 3\) \(batch_size, n_units\), got \(2, 3\)"),
    (lambda c: setattr(c, "inputs", np.ones((1, 3), np.complex64)), {}, TypeError,
     "inputs must hold real numbers"),
    (lambda c: setattr(c, "inputs", np.array([[0.5, np.inf, 0.1]])), {}, ValueError,
     r"inputs must be finite, got inf at \(0, 1\)"),
    (lambda c: setattr(c, "inputs", np.array([[0.5, np.nan, 0.1]], _F32)), {}, ValueError,
     r"inputs must be finite, got nan at \(0, 1\)"),
    (lambda c: setattr(c, "tols", np.zeros((1, 3))), {}, TypeError,
     "tols must be a writable C-contiguous float32 array of shape \\(1, 3\\), got a "
     "float64 array"),
    (lambda c: setattr(c, "outputs", np.zeros((1, 4), _F32)), {}, ValueError,
     r"outputs must be a writable C-contiguous float32 array of shape \(1, 3\)"),
    (lambda c: None, dict(t=float("nan"), dt=1.0), ValueError, "t must be a finite number"),
    (lambda c: None, dict(t=1.0, dt=0.0), ValueError, "dt must be a finite number > 0"),
]


@pytest.mark.parametrize("change,times,error,match", _BAD_STATE)
@pytest.mark.parametrize("make", [lambda: PoissonCell("enc", 3, target_freq=900.0, seed=0),
                                  lambda: BernoulliCell("enc", 3, seed=0)])
def test_bad_state_is_refused_before_anything_changes(make, change, times, error, match):
    cell = make()
    cell.inputs = np.full((1, 3), 0.5, _F32)
    cell.advance_state(t=0.0, dt=1.0)
    change(cell)
    snapshot = _snapshot(cell)
    with pytest.raises(error, match=match):
        cell.advance_state(**(times or dict(t=1.0, dt=1.0)))
    _assert_unchanged(cell, snapshot)


@pytest.mark.parametrize("key,match", [(np.zeros(2, np.int64), "key must be a writable "
                                        "C-contiguous uint64 array of shape \\(2,\\)"),
                                       (np.zeros(3, np.uint64), "got a uint64 array of shape")])
def test_bad_key_compartment_is_refused(key, match):
    cell = BernoulliCell("enc", 3, seed=0)
    cell.inputs[...] = 0.5
    cell.key = key
    snapshot = _snapshot(cell)
    with pytest.raises((TypeError, ValueError), match=match):
        cell.advance_state(t=0.0, dt=1.0)
    _assert_unchanged(cell, snapshot)


@pytest.mark.parametrize("change,method,error,match", [
    (lambda c: setattr(c, "inputs", np.full((1, 3), np.nan, _F32)), "calc_spike_times",
     ValueError, "LatencyCell 'enc': inputs must be finite"),
    (lambda c: setattr(c, "clip_mask", np.zeros((1, 3), np.float16)), "calc_spike_times",
     TypeError, "clip_mask must be a writable C-contiguous float32 array"),
    (lambda c: setattr(c, "mask", np.zeros((3, 1), _F32)), "advance_state", ValueError,
     r"mask must be a writable C-contiguous float32 array of shape \(1, 3\)"),
    (lambda c: c.targ_sp_times.setflags(write=False), "advance_state", ValueError,
     "targ_sp_times must be a writable .* got a read-only float32 array"),
])
def test_bad_latency_state_is_refused_before_anything_changes(change, method, error, match):
    cell = LatencyCell("enc", 3, tau=4.0, linearize=True)
    cell.inputs = np.array([[0.9, 0.5, 0.1]], _F32)
    cell.calc_spike_times()
    cell.advance_state(t=0.0, dt=1.0)
    change(cell)
    snapshot = _snapshot(cell)
    with pytest.raises(error, match=match):
        getattr(cell, method)(**({"t": 1.0, "dt": 1.0} if method == "advance_state" else {}))
    _assert_unchanged(cell, snapshot)


@pytest.mark.parametrize("make,error,match", [
    (lambda: PoissonCell("p", 3, target_freq=0.0), ValueError,
     "PoissonCell 'p': target_freq must be > 0, got 0.0"),
    (lambda: PoissonCell("p", 3, target_freq=float("nan")), ValueError,
     "target_freq must be finite"),
    (lambda: PoissonCell("p", 3, seed=-1), ValueError,
     r"PoissonCell 'p': seed must be an integer in \[0, 2\*\*64\), got -1"),
    (lambda: BernoulliCell("b", 3, seed=2**64), ValueError, "seed must be an integer"),
    (lambda: BernoulliCell("b", 3, seed=1.5), ValueError, "seed must be an integer"),
    (lambda: BernoulliCell("b", 3, seed=1, key=[0, 1]), TypeError, "give seed or key"),
    (lambda: BernoulliCell("b", 0), ValueError, "n_units must be an integer >= 1"),
    (lambda: BernoulliCell("b", 3, batch_size=0), ValueError, "batch_size must be an integer"),
    (lambda: BernoulliCell("b", 3, dtype=np.float16), TypeError, "float32 or float64"),
    (lambda: BernoulliCell("b", 3, p=0.5), TypeError, r"unknown arguments \['p'\]"),
    (lambda: LatencyCell("l", 3, tau=0.0), ValueError, "LatencyCell 'l': tau must be > 0"),
    (lambda: LatencyCell("l", 3, threshold=float("nan")), ValueError,
     "threshold must be finite"),
    (lambda: LatencyCell("l", 3, threshold=0.0), ValueError,
     "threshold must be > 0 for the logarithmic code"),
    (lambda: LatencyCell("l", 3, normalize=True, num_steps=1.0), ValueError,
     "num_steps must exceed first_spike_time \\+ 1"),
    (lambda: LatencyCell("l", 3, key="k"), ValueError, "key must be"),
    (lambda: LatencyCell("l", 3, eps=0.1), TypeError, r"unknown arguments \['eps'\]"),
])
def test_bad_arguments_are_refused(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_a_linear_code_takes_any_threshold():
    cell = LatencyCell("l", 2, tau=2.0, threshold=0.0, linearize=True)
    cell.inputs = np.array([[0.0, 1.0]], _F32)
    cell.calc_spike_times()
    assert cell.targ_sp_times.tolist() == [[2.0, 0.0]]
    assert math.isclose(PoissonCell("p", 1, target_freq=1).target_freq, 1.0)
