"""Spiking cells: ngc-learn 3.2.1's recorded steps, a float64 NumPy transcription, the
random spike selection, reset, bad input, checkpoints and the compiled step."""
import json
from collections import Counter
from pathlib import Path

import numba
import numpy as np
import pytest
from numba.core.runtime import _nrt_python, rtsys

from ngc_rules.neurons import AdExCell, IFCell, IzhikevichCell, LIFCell, QuadLIFCell

CLASSES = {c.__name__: c for c in (LIFCell, IFCell, QuadLIFCell, AdExCell, IzhikevichCell)}
DATA = json.loads((Path(__file__).parent / "data" / "spiking.json").read_text())
CASES = [case for case in DATA["cases"] if case.get("module") == "neurons"]
F32 = np.float32


def _documented(case, record):
    """What our cells must record: ngc-learn's record, except where the case records
    a quirk: ``IFCell(lower_clamp_voltage=False)`` resets ``v`` after a spike."""
    expected = {name: np.array(value, F32) for name, value in record.items()}
    if case.get("quirk"):
        assert case["component"] == "IFCell"
        v_reset = case["kwargs"].get("v_reset", -60.0)
        expected["v"] = np.where(expected["s"] > 0, F32(v_reset), expected["v"])
    return expected


def test_every_neuron_case_is_replayed():
    assert Counter(case["component"] for case in CASES) == {
        "LIFCell": 14, "IFCell": 8, "QuadLIFCell": 6, "AdExCell": 6, "IzhikevichCell": 6}
    quirks = [(case["name"], case["spike_count"]) for case in CASES if case.get("quirk")]
    assert [name for name, _ in quirks] == ["if-noclamp-1", "if-noclamp-2"]
    assert all(count > 0 for _, count in quirks)  # so the documented reset is exercised


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["name"])
def test_reference_steps_match_bit_for_bit(case):
    """Each step starts from ngc-learn's recorded state; every compartment then matches
    exactly (0 ulps), spikes included."""
    cell = CLASSES[case["component"]]("c", **case["kwargs"])
    for call in case["init_calls"]:
        getattr(cell, call)()
    previous = case["initial"]
    for name, value in previous.items():
        np.testing.assert_array_equal(getattr(cell, name), np.array(value, F32), name)
    for k, step in enumerate(case["steps"]):
        for name in case["state_keys"]:
            setattr(cell, name, np.array(previous[name], F32))
        for name, value in step["set"].items():
            setattr(cell, name, np.array(value, F32))
        for call in step["calls"]:
            if call == "advance_state":
                cell.advance_state(t=step["t"], dt=step["dt"])
            else:
                getattr(cell, call)()
        for name, value in _documented(case, step["record"]).items():
            np.testing.assert_array_equal(getattr(cell, name), value, f"step {k}: {name}")
        previous = step["record"]


# -- a float64 NumPy transcription of the documented equations, run free --------------

def _integrate(slope, x, dt, cell):
    rate = slope(x)
    if cell.integration_type in ("rk2", "midpoint"):
        rate = slope(x + rate * dt / 2)
    return x + rate * dt


def _lif_reference(cell, state, t, dt):
    p, v = cell, state["v"]
    drive = state["j"] * p.resist_m * (state["rfr"] >= p.refract_time)
    if isinstance(cell, QuadLIFCell):
        def slope(x): return (p.critical_v * (p.v_rest - x) * (x - p.v_scale) + drive) / p.tau_m
    else:
        def slope(x): return ((p.v_rest - x) * p.conduct_leak + drive) / p.tau_m
    new = _integrate(slope, v, dt, p)
    raw = new > p.thr + state["thr_theta"]
    s = raw & (np.arange(v.shape[1]) == v.argmax(1)[:, None]) if p.max_one_spike else raw
    new = np.where(raw, p.v_reset, new)
    if p.tau_theta > 0:
        state["thr_theta"] = state["thr_theta"] * np.exp(-dt / p.tau_theta) + raw * p.theta_plus
    state.update(v=new if p.v_min is None else np.maximum(new, p.v_min), s=s * 1.0,
                 s_raw=raw * 1.0, rfr=np.where(raw, 0.0, state["rfr"] + dt),
                 tols=np.where(s, t, state["tols"]))


def _if_reference(cell, state, t, dt):
    p = cell
    drive = state["j"] * p.resist_m * (state["rfr"] >= p.refract_time)
    new = _integrate(lambda x: drive / p.tau_m, state["v"], dt, p)
    s = new > p.thr
    new = np.where(s, p.v_reset, new)
    state.update(v=np.maximum(new, p.v_rest) if p.lower_clamp_voltage else new, s=s * 1.0,
                 rfr=np.where(s, 0.0, state["rfr"] + dt), tols=np.where(s, t, state["tols"]))


def _adex_reference(cell, state, t, dt):
    p, v, w, j = cell, state["v"], state["w"], state["j"]
    new_v = _integrate(lambda x: (-(x - p.v_rest) + p.v_sharpness * np.exp(
        (x - p.intrinsic_mem_thr) / p.v_sharpness) - p.resist_m * w + p.resist_m * j) / p.tau_m,
        v, dt, p)
    new_w = _integrate(lambda y: (-y + p.a * (v - p.v_rest)) / p.tau_w, w, dt, p)
    s = new_v > p.thr
    state.update(v=np.where(s, p.v_reset, new_v), w=np.where(s, new_w + p.b, new_w),
                 s=s * 1.0, tols=np.where(s, t, state["tols"]))


def _izhikevich_reference(cell, state, t, dt):
    p, v, w, j = cell, state["v"], state["w"], state["j"] * cell.resist_m
    s = v > p.v_thr
    new_v = _integrate(lambda x: (0.04 * x * x + 5 * x + 140 - w + j) / p.tau_m, v, dt, p)
    new_w = _integrate(lambda y: (p.coupling_factor * v - y) / p.tau_w, w, dt, p)
    state.update(v=np.where(s, p.v_reset, new_v), w=np.where(s, w + p.w_reset, new_w),
                 s=s * 1.0, tols=np.where(s, t, state["tols"]))


REFERENCES = {"LIFCell": _lif_reference, "QuadLIFCell": _lif_reference,
              "IFCell": _if_reference, "AdExCell": _adex_reference,
              "IzhikevichCell": _izhikevich_reference}


@pytest.mark.parametrize("case", CASES[:len(CASES) // 2], ids=lambda case: case["name"])
def test_float64_cells_follow_a_numpy_transcription(case):
    """The reference cases' arguments and inputs, with the documented behaviour
    throughout (the IF reset too), in float64, each run on its own state."""
    cell = CLASSES[case["component"]]("c", **case["kwargs"], dtype=np.float64)
    state = {name: getattr(cell, name).copy() for name in case["record_keys"] + ["j"]}
    spikes = 0
    for step in case["steps"]:
        if step["calls"] == ["reset"]:
            cell.reset()
            state.update(v=cell.v.copy(), rfr=cell.rfr.copy(), tols=cell.tols.copy())
            continue
        cell.j = state["j"] = np.array(step["set"]["j"], np.float64)
        cell.advance_state(t=step["t"], dt=step["dt"])
        REFERENCES[case["component"]](cell, state, step["t"], step["dt"])
        for name in case["record_keys"]:
            np.testing.assert_allclose(getattr(cell, name), state[name], rtol=1e-12,
                                       atol=1e-10, err_msg=name)
        spikes += cell.s.sum()
    assert spikes > 0 and cell.v.dtype == np.float64


# -- random spike selection and threshold jitter --------------------------------------

def _busy_lif(**kwargs):
    """Cells that all cross the threshold at every step (no refractory period)."""
    cell = LIFCell("z", 4, tau_m=10.0, refract_time=0.0, **kwargs)
    cell.j[...] = 200.0
    return cell


def test_one_spike_keeps_one_random_spiking_unit_per_row():
    cell = _busy_lif(one_spike=True, seed=3, batch_size=2, theta_plus=0.0)
    picks = []
    for k in range(1, 2001):
        cell.advance_state(t=float(k), dt=1.0)
        assert cell.s_raw.all() and cell.s.sum(axis=1).tolist() == [1.0, 1.0]
        assert (cell.tols[cell.s > 0] == k).all() and (cell.tols[cell.s == 0] < k).all()
        picks.append(cell.s.argmax(axis=1))
    counts = np.bincount(np.array(picks).ravel(), minlength=4)
    assert np.abs(counts - 1000).max() < 4 * np.sqrt(4000 * 0.25 * 0.75)  # uniform
    assert (np.array(picks)[:, 0] != np.array(picks)[:, 1]).mean() > 0.6  # rows apart
    assert cell.key.tolist() == [3, 2000]


def test_one_spike_draws_follow_the_seed_and_only_choose_spiking_units():
    runs = {}
    for seed, key in ((5, None), (None, [0, 5]), (6, None)):
        cell = _busy_lif(one_spike=True, seed=seed, key=key)
        cell.j[0, 2] = 0.0  # this unit never spikes, so is never chosen
        runs[seed, key is None] = [cell.advance_state(t=float(k)) or cell.s.copy()
                                   for k in range(50)]
        assert sum(s[0, 2] for s in runs[seed, key is None]) == 0
    assert np.array_equal(runs[5, True], runs[None, False])  # key=[0, 5] is seed 5
    assert not np.array_equal(runs[5, True], runs[6, True])


def test_max_one_spike_keeps_the_unit_with_the_highest_pre_step_voltage():
    cell = _busy_lif(max_one_spike=True, one_spike=True, batch_size=2)
    cell.v[...] = [[-70.0, -61.0, -62.0, -61.0], [-70.0, -90.0, -80.0, -90.0]]
    cell.advance_state(t=1.0)
    assert cell.s.tolist() == [[0, 1, 0, 0], [1, 0, 0, 0]] and cell.s_raw[0].all()
    assert cell.key[1] == 0  # max_one_spike wins: nothing drawn


def test_threshold_jitter_draws_per_unit_offsets_from_the_seed():
    a, b = (LIFCell("z", 6, 10.0, thr_jitter=0.5, seed=9, batch_size=3) for _ in range(2))
    assert np.array_equal(a.thr_theta, b.thr_theta) and a.key.tolist() == [9, 1]
    assert (np.abs(a.thr_theta) <= 0.5).all() and len(np.unique(a.thr_theta)) == 6
    assert (a.thr_theta == a.thr_theta[0]).all()  # one offset per unit, every row
    assert not np.array_equal(a.thr_theta, LIFCell("z", 6, 10.0, thr_jitter=0.5,
                                                   seed=10).thr_theta[0])
    plain = LIFCell("z", 6, 10.0, seed=9)
    assert not plain.thr_theta.any() and plain.key.tolist() == [9, 0]


# -- reset, the documented IF reset, hyperparameters, call forms ----------------------

def test_reset_keeps_thr_theta_and_restores_resting_values():
    cell = _busy_lif(tau_theta=20.0, theta_plus=1.0)
    for k in range(3):
        cell.advance_state(t=float(k))
    theta, v, arguments = cell.thr_theta.copy(), cell.v, cell.kernel_arguments(1.0)
    cell.reset()
    assert cell.v is v and (v == -65).all() and np.array_equal(cell.thr_theta, theta)
    cell.j[...] = 200.0  # reset zeroed j, in the array the arguments hold
    _compiled_run(cell.kernel, 0, 1, 1.0, arguments)  # arguments taken before still apply
    assert cell.s.all()
    theta = cell.thr_theta.copy()
    cell.reset(batch_size=3)
    assert np.array_equal(cell.thr_theta, np.repeat(theta, 3, axis=0)) and theta.all()
    assert (cell.v == -65).all() and (cell.rfr == 0).all() and cell.v.shape == (3, 4)
    assert not (cell.j.any() or cell.s.any() or cell.s_raw.any() or cell.tols.any())
    kept, v = cell.thr_theta, cell.v
    with pytest.raises(ValueError, match="cannot keep thr_theta of shape .3, 4. for "
                                         "batch_size=2"):
        cell.reset(batch_size=2)
    assert cell.batch_size == 3 and cell.thr_theta is kept and cell.v is v
    izh = IzhikevichCell("i", 2, v0=-70.0, w0=-10.0)
    izh.v[...], izh.w[...] = 1.0, 2.0
    izh.reset()
    assert izh.v.tolist() == [[-70.0, -70.0]] and izh.w.tolist() == [[-10.0, -10.0]]


def test_if_cell_without_clamp_resets_after_a_spike():
    cell = IFCell("f", 2, tau_m=1.0, lower_clamp_voltage=False)
    cell.j[...] = [20.0, -5.0]
    cell.advance_state(t=1.0)
    assert cell.s.tolist() == [[1.0, 0.0]] and cell.v.tolist() == [[-60.0, -70.0]]
    cell.j[...] = 0.0
    cell.advance_state(t=2.0)  # ngc-learn 3.2.1 kept v = -45 and would fire again
    assert not cell.s.any() and cell.v.tolist() == [[-60.0, -70.0]]
    assert cell.tols.tolist() == [[1.0, 0.0]]


def test_hyperparameters_take_effect_and_are_checked_when_changed():
    cell = LIFCell("z", 2, tau_m=10.0)
    cell.advance_state()
    assert not cell.s.any()
    cell.thr = -70.0
    cell.advance_state()
    assert cell.s.all()
    cell.tau_m = -1.0
    before = cell.v.copy()
    with pytest.raises(ValueError, match="LIFCell 'z': tau_m must be a finite number > 0"):
        cell.advance_state()
    assert np.array_equal(cell.v, before)


def test_step_call_forms_and_converted_inputs():
    cells = [AdExCell("a", 3, batch_size=2) for _ in range(4)]
    j = np.linspace(0, 3000, 6).reshape(2, 3)
    cells[0].j = j  # float64: converted to the cell's float32
    cells[1].j = j.tolist()
    cells[2].j[...] = j
    cells[3].j = np.asfortranarray(j, np.float32)
    for cell, call in zip(cells, ((3.0, 0.5), (), (), ())):
        cell.advance_state(*call, **({} if call else {"t": 3.0, "dt": 0.5}))
    for cell in cells[1:]:
        np.testing.assert_array_equal(cell.v, cells[0].v)
    assert cells[0].j.dtype == np.float32 and cells[0].v.dtype == np.float32
    assert cells[0].s.any() and set(cells[0].tols.ravel()) == {0.0, 3.0}
    cells[2].advance_state(0.5)  # ngc-learn 3's advance_state(dt): t = 0
    cells[3].advance_state(t=0.0, dt=0.5)
    np.testing.assert_array_equal(cells[2].v, cells[3].v)


# -- bad input: refused before anything changes ---------------------------------------

def _snapshot(cell):
    values = {name: getattr(cell, name) for name in cell._compartments}
    return {name: (value, value.tobytes() if isinstance(value, np.ndarray) else repr(value))
            for name, value in values.items()}


@pytest.mark.parametrize("assign, call, message", [
    ({"j": np.zeros((1, 3))}, {}, r"j must be an array of shape \(1, 4\).*got float64\[1, 3\]"),
    ({"j": np.zeros((1, 4), complex)}, {}, r"j must be .* real numbers.*complex128"),
    ({"v": np.zeros(4)}, {}, r"v must be an array of shape \(1, 4\)"),
    ({"rfr": [[1, 2], [3]]}, {}, r"rfr must be an array of shape \(1, 4\).*got object\[\]"),
    ({"key": np.array([-1, 0])}, {}, r"key must be an array of shape \(2,\) \(\[seed, draws\]"),
    ({}, {"dt": 0.0}, "dt must be a finite number > 0, got 0.0"),
    ({}, {"dt": float("nan")}, "dt must be a finite number > 0, got nan"),
    ({}, {"t": float("inf")}, "t must be a finite number, got inf"),
    ({}, {"dt": "1"}, "dt must be a finite number > 0"),
])
def test_bad_steps_change_nothing(assign, call, message):
    cell = _busy_lif(one_spike=True, tau_theta=30.0)
    cell.advance_state(t=1.0)
    for name, value in assign.items():
        setattr(cell, name, value)
    before = _snapshot(cell)
    with pytest.raises(ValueError, match=message):
        cell.advance_state(**{"t": 2.0, **call})
    after = _snapshot(cell)
    assert all(after[name][0] is before[name][0] and after[name][1] == before[name][1]
               for name in before)


_LIF = {"tau_m": 10.0}


@pytest.mark.parametrize("cls, kwargs, message", [
    (LIFCell, {"tau_m": 0.0}, "LIFCell 'c': tau_m must be a finite number > 0, got 0.0"),
    (LIFCell, {**_LIF, "thr": float("nan")}, "thr must be a finite number, got nan"),
    (LIFCell, {**_LIF, "refract_time": -1.0}, "refract_time must be a finite number >= 0"),
    (LIFCell, {**_LIF, "tau_theta": -5.0}, "tau_theta must be a finite number >= 0"),
    (LIFCell, {**_LIF, "tau_theta": 1e40}, "tau_theta must be a finite number >= 0"),
    (LIFCell, {**_LIF, "resist_m": 0.0}, "resist_m must be a finite number > 0"),
    (LIFCell, {**_LIF, "conduct_leak": -1.0}, "conduct_leak must be a finite number >= 0"),
    (LIFCell, {**_LIF, "v_min": float("nan")}, "v_min must be a finite number"),
    (LIFCell, {**_LIF, "one_spike": "yes"}, "one_spike must be True or False"),
    (LIFCell, {**_LIF, "thr_jitter": -0.1}, "thr_jitter must be a finite number >= 0"),
    (LIFCell, {**_LIF, "integration_type": "rk4"}, "integration_type must be one of"),
    (LIFCell, {**_LIF, "surrogate_type": "arctan"}, "only surrogate_type='straight_through'"),
    (LIFCell, {**_LIF, "thr_jiter": 0.1}, "unknown arguments ['thr_jiter']"),
    (LIFCell, {**_LIF, "dtype": np.int32}, "dtype must be float32 or float64"),
    (LIFCell, {**_LIF, "n_units": 0}, "n_units must be a positive integer"),
    (LIFCell, {**_LIF, "seed": -1}, "seed must be an integer in [0, 2**64), got -1"),
    (LIFCell, {**_LIF, "key": [1, 0, 0]}, "seed must be an integer in [0, 2**64)"),
    (QuadLIFCell, {**_LIF, "critical_v": 2.0, "critical_V": 3.0}, "critical_v or critical_V"),
    (IFCell, {**_LIF, "thr_jitter": 0.1}, "only thr_jitter=0.0"),
    (IFCell, {**_LIF, "lower_clamp_voltage": 2}, "lower_clamp_voltage must be True or False"),
    (AdExCell, {"v_sharpness": 0.0}, "v_sharpness must be a finite number > 0"),
    (AdExCell, {"tau_w": -1.0}, "tau_w must be a finite number > 0"),
    (AdExCell, {"thr": 0.0, "v_thr": 1.0}, "give thr or v_thr, not both"),
    (IzhikevichCell, {"w0": float("inf")}, "w0 must be a finite number"),
    (IzhikevichCell, {"key": "seed"}, "key must be a non-negative int"),
])
def test_bad_arguments_are_refused(cls, kwargs, message):
    with pytest.raises((TypeError, ValueError)) as refused:
        cls("c", **{"n_units": 4, **kwargs})
    assert message in str(refused.value)


def test_deprecated_names_are_accepted():
    assert AdExCell("a", 2, v_thr=-40.0).thr == -40.0
    assert QuadLIFCell("q", 2, 10.0, critical_V=0.5).critical_v == 0.5


# -- checkpoints, repr, the compiled step --------------------------------------------

@pytest.mark.parametrize("make", [
    lambda seed: LIFCell("z", 3, 10.0, one_spike=True, thr_jitter=0.2, tau_theta=20.0,
                         seed=seed),
    lambda seed: AdExCell("z", 3, key=seed)])
def test_save_load_round_trip(tmp_path, make):
    cell = make(1)
    cell.j[...] = 300.0
    for k in range(3):
        cell.advance_state(t=float(k))
    cell.save(tmp_path)
    copy = make(2)
    copy.load(tmp_path)
    for name in cell._compartments:
        np.testing.assert_array_equal(getattr(copy, name), getattr(cell, name), name)
    cell.advance_state(t=3.0)
    copy.advance_state(t=3.0)
    np.testing.assert_array_equal(copy.s, cell.s)
    other = IFCell("z", 3, 10.0)
    before = _snapshot(other)
    with pytest.raises(ValueError, match="z.npz"):
        other.load(tmp_path)
    assert all(_snapshot(other)[name][1] == before[name][1] for name in before)


def test_repr():
    assert repr(LIFCell("z", 3, 10.0)) == \
        "LIFCell(name='z', n_units=3, tau_m=10.0, integration_type='euler')"
    assert repr(QuadLIFCell("q", 2, 5.0, integration_type="rk2")) == \
        "QuadLIFCell(name='q', n_units=2, tau_m=5.0, integration_type='rk2')"
    assert repr(IFCell("f", 2, 4.0)) == "IFCell(name='f', n_units=2, tau_m=4.0, thr=-52.0)"
    assert repr(AdExCell("a", 2)) == "AdExCell(name='a', n_units=2, tau_m=15.0, tau_w=400.0)"
    assert repr(IzhikevichCell("i", 2)) == \
        "IzhikevichCell(name='i', n_units=2, tau_m=1.0, tau_w=50.0)"


@numba.njit
def _compiled_run(kernel, start, stop, dt, arguments):
    """A network-style loop: the cell's step called from compiled code."""
    for k in range(start, stop):
        kernel(np.float32(k * dt), *arguments)


COMPILED = [
    lambda: LIFCell("z", 5, 8.0, one_spike=True, tau_theta=20.0, theta_plus=1.0,
                    integration_type="rk2", v_min=-63.0, batch_size=2, seed=4),
    lambda: LIFCell("z", 5, 8.0, max_one_spike=True, refract_time=2.0, batch_size=2, seed=0),
    lambda: QuadLIFCell("q", 5, 10.0, critical_v=0.02, tau_theta=25.0, batch_size=2, seed=0),
    lambda: IFCell("f", 5, 4.0, refract_time=1.5, lower_clamp_voltage=False, batch_size=2),
    lambda: AdExCell("a", 5, integration_type="rk2", batch_size=2),
    lambda: IzhikevichCell("i", 5, batch_size=2)]


@pytest.mark.parametrize("make", COMPILED)
def test_compiled_step_gives_the_same_bits_and_allocates_nothing(make):
    method, compiled = make(), make()
    j = np.random.default_rng(0).uniform(0, 40, method.j.shape).astype(F32)
    method.j[...] = compiled.j[...] = j
    for k in range(40):
        method.advance_state(t=k * 0.5, dt=0.5)
    arguments = compiled.kernel_arguments(0.5)
    _compiled_run(compiled.kernel, 0, 1, 0.5, arguments)
    _nrt_python.memsys_enable_stats()
    start = rtsys.get_allocation_stats().alloc
    _compiled_run(compiled.kernel, 1, 2, 0.5, arguments)  # only the arrays' entry wrappers
    entry = rtsys.get_allocation_stats().alloc - start
    _compiled_run(compiled.kernel, 2, 40, 0.5, arguments)
    assert rtsys.get_allocation_stats().alloc - start == 2 * entry  # nothing per step
    for name in method._compartments:
        np.testing.assert_array_equal(getattr(compiled, name), getattr(method, name), name)
    assert method.s.any() or method.tols.any()
