"""The Diehl & Cook network: its compiled presentation gives the component path's bits, it
learns digits without labels, its read-out, checkpoints and refusals."""
import numpy as np
import pytest

from ngc_rules import data
from ngc_rules.models import DiehlCook, restore
from ngc_rules.synapses import ExpSTDPSynapse
from ngc_rules.synapses._spike_driven import trace_stdp_evolve_spikes
from ngc_rules.synapses._stdp_kernels import trace_stdp_evolve

DIGITS = data.digits()
SMALL = dict(n_neurons=12, steps=40, seed=3)


def state(model):
    """Every array a presentation may change."""
    arrays = [model.W1.weights, model.responses, model.seen]
    for component in (model.z0, model.z1e, model.z1i, model.tr0, model.tr1):
        arrays += [value for value in vars(component).values() if isinstance(value, np.ndarray)]
    return [a.copy() for a in arrays]


def persistent(model):
    """What carries from one sample to the next (the rest is reset at every showing)."""
    return [a.copy() for a in (model.W1.weights, model.responses, model.seen, model.z0.key,
                               model.z1e.thr_theta, model.z1e.key, model.z1i.key)]


def same(first, second):
    return all(a.dtype == b.dtype and a.tobytes() == b.tobytes()
               for a, b in zip(first, second, strict=True))


@pytest.mark.parametrize("learn", [True, False])
def test_the_compiled_presentation_gives_the_component_paths_bits(learn):
    compiled, stepped = DiehlCook(**SMALL), DiehlCook(**SMALL)
    for x in DIGITS.x[:8]:
        counts = compiled.present(x, learn=learn)
        assert np.array_equal(counts, stepped.present(x, learn=learn, compiled=False))
        assert same(state(compiled), state(stepped))
    assert compiled.W1.weights.sum() > 0


def test_spike_driven_stdp_equals_the_dense_step_where_weights_are_in_bounds():
    rng = np.random.default_rng(0)
    weights = rng.uniform(0, 1, (30, 7)).astype(np.float32)
    pre = (rng.random((1, 30)) < 0.2).astype(np.float32)
    post = np.zeros((1, 7), np.float32)
    post[0, 2] = 1
    pre_trace = (rng.random((1, 30)) * pre).astype(np.float32)
    post_trace = np.zeros((1, 7), np.float32)
    post_trace[0, [2, 5]] = [1.0, 0.4]
    scalars = [np.float32(v) for v in (0.01, 1e-4, 0.0, 0.0, 1.0, 1.0)]
    low, high, none = np.float32(0), np.float32(1), np.empty((0, 0), np.float32)
    dense = weights.copy()
    trace_stdp_evolve(dense, np.zeros_like(dense), np.empty(0, np.float32), pre, post,
                      pre_trace, post_trace, *scalars[:5], scalars[4], np.float32(0), low,
                      high, none, none)
    sparse = weights.copy()
    trace_stdp_evolve_spikes(sparse, pre, post, pre_trace, post_trace, *scalars[:5],
                             scalars[5], low, high)
    assert sparse.tobytes() == dense.tobytes()
    assert not np.array_equal(sparse, weights)


def test_it_learns_digits_without_labels():
    train, test = data.split(DIGITS, seed=0)
    model = DiehlCook(n_neurons=40, steps=150, seed=0)
    for start in range(0, len(train.labels), 200):
        model.learn_batch(data.from_arrays(train.x[start:start + 200],
                                           labels=train.labels[start:start + 200]))
    model.label(train)
    metrics = model.evaluate_data(test)
    assert metrics["accuracy"] > 0.6  # chance: 0.1
    assert 0 < metrics["rate_hz"] < 50
    assert len(set(model.assignments().tolist()) - {-1}) >= 8  # most classes have neurons


def test_presenting_without_learning_and_evaluating_change_nothing_they_should_not():
    model = DiehlCook(**SMALL)
    model.present(DIGITS.x[0])
    weights, thresholds = model.W1.weights.copy(), model.z1e.thr_theta.copy()
    model.present(DIGITS.x[1], learn=False)
    assert np.array_equal(model.W1.weights, weights)
    assert np.array_equal(model.z1e.thr_theta, thresholds)
    before = persistent(model)
    model.evaluate_data(data.from_arrays(DIGITS.x[:5], labels=DIGITS.labels[:5]))
    model.raster(DIGITS.x[2])
    assert same(persistent(model), before)


def test_a_quiet_sample_is_shown_again_faster():
    model = DiehlCook(**{**SMALL, "target_freq": 1.0, "min_spikes": 5})
    counts = model.present(DIGITS.x[0])
    assert counts.sum() >= 5
    assert model.z0.target_freq == 1.0  # the boost lasts one sample


def test_each_neurons_weights_sum_to_w_norm_after_a_sample():
    model = DiehlCook(**SMALL)
    model.present(DIGITS.x[0])
    np.testing.assert_allclose(model.W1.weights.sum(axis=0), model.w_norm, rtol=1e-5)


def test_a_checkpoint_continues_to_the_same_bits(tmp_path):
    model = DiehlCook(**SMALL)
    model.learn_batch(data.from_arrays(DIGITS.x[:20], labels=DIGITS.labels[:20]))
    model.save(tmp_path / "dc")
    again = restore(tmp_path / "dc")
    assert same(persistent(again), persistent(model))
    for x in DIGITS.x[20:23]:
        assert np.array_equal(again.present(x), model.present(x))
    assert same(state(again), state(model))


def test_a_damaged_readout_record_is_refused(tmp_path):
    DiehlCook(**SMALL).save(tmp_path / "dc")
    (tmp_path / "dc" / "readout.json").write_text('{"responses": [[1, 2]], "seen": [1]}')
    with pytest.raises(ValueError, match=r"readout\.json is damaged"):
        restore(tmp_path / "dc")


@pytest.mark.parametrize("optim_type", ["momentum", "adam"])
def test_a_rule_attached_steps_the_stdp_direction(optim_type):
    model = DiehlCook(**SMALL, optim_type=optim_type)
    before = model.W1.weights.copy()
    model.present(DIGITS.x[0])
    assert not np.array_equal(model.W1.weights, before)
    assert model.W1.opt_params is not None
    with pytest.raises(ValueError, match="compiled=True cannot learn with a learning rule"):
        model.present(DIGITS.x[1], compiled=True)


@pytest.mark.parametrize("x, error, words", [
    (np.ones(63), ValueError, "one sample of 64 intensities"),
    (np.full(64, 1.5), ValueError, "intensities in [0, 1]"),
    (np.full(64, np.nan), ValueError, "intensities in [0, 1]"),
    (np.array(["a"] * 64), TypeError, "real numbers"),
])
def test_bad_samples_are_refused_and_change_nothing(x, error, words):
    model = DiehlCook(**SMALL)
    before = state(model)
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        model.present(x)
    assert same(state(model), before)


@pytest.mark.parametrize("arguments, words", [
    (dict(n_neurons=0), "n_neurons must be an integer >= 1"),
    (dict(steps=0), "steps must be an integer >= 1"),
    (dict(dt=0.0), "dt must be > 0"),
    (dict(target_freq=-1.0), "target_freq must be > 0"),
    (dict(image_shape=(7, 7)), "does not hold n_inputs=64"),
])
def test_bad_settings_are_refused(arguments, words):
    with pytest.raises(ValueError, match=words):
        DiehlCook(**arguments)


def test_a_replaced_class_runs_component_by_component():
    model = DiehlCook(**SMALL)
    model.W1 = ExpSTDPSynapse("W1", (64, 12), A_plus=1e-2, A_minus=1e-4, exp_beta=1.0,
                              seed=0)
    before = model.W1.weights.copy()
    assert model.present(DIGITS.x[0]).sum() >= 5
    assert not np.array_equal(model.W1.weights, before)
    with pytest.raises(ValueError, match="a replaced component steps component by component"):
        model.present(DIGITS.x[1], compiled=True)
