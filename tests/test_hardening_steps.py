"""A refused step of a wrapper, a facade or a model changes nothing: every array (theta, the
updates, the state, the EMA average, the accumulated sum, a facade's variables and moments)
and every counter stays byte for byte as it was, and the error names what was wrong."""
import numpy as np
import pytest

from ngc_rules import IndexedSlices, optim
from ngc_rules.compat import keras, neon, openfl, tf_keras
from ngc_rules.models import PCN, SparseCoding

f32 = np.float32


def _bytes(thing):
    """Every array (dtype, shape, bytes) and every number or name in ``thing``, in order."""
    if isinstance(thing, np.ndarray):
        return [(thing.dtype.str, thing.shape, thing.tobytes())]
    if isinstance(thing, dict):
        return [x for key, value in thing.items() for x in [key, *_bytes(value)]]
    if isinstance(thing, (list, tuple)):
        return [x for item in thing for x in _bytes(item)]
    return [thing]


def _read_only(array):
    array.flags.writeable = False
    return array


def _theta():
    return [np.ones((3, 2), f32), np.linspace(-1, 1, 2, dtype=f32)]


def _updates():
    return [np.full((3, 2), 0.5, f32), np.full(2, -0.25, f32)]


# -- wrappers: each builder returns the refused call and what it must leave alone -----------

def _ema(spoil=lambda state, theta, updates: None, **arguments):
    theta, updates = _theta(), _updates()
    state = optim.ema_init(theta, optim.adam_init(theta))
    state, _ = optim.ema_step(state, theta, updates, inplace=True)  # a moved average
    spoil(state, theta, updates)
    return (lambda: optim.ema_step(state, theta, updates, **{"inplace": True, **arguments}),
            lambda: [theta, updates, state])


def _accumulation(calls_before, spoil=lambda state, theta, updates: None, **arguments):
    """A call after ``calls_before`` calls with ``every=3``: call 2 applies, the others only
    accumulate."""
    theta, updates = _theta(), _updates()
    state = optim.accumulation_init(theta, optim.adam_init(theta))
    for _ in range(calls_before):
        state, _ = optim.accumulation_step(state, theta, updates, every=3, inplace=True)
    spoil(state, theta, updates)
    return (lambda: optim.accumulation_step(state, theta, updates,
                                            **{"every": 3, "inplace": True, **arguments}),
            lambda: [theta, updates, state])


def _set(tree, k, array):
    tree[k] = array


WRAPPERS = [
    ("ema-read-only-average",
     lambda: _ema(lambda s, t, u: _read_only(s.average[1])),
     ValueError, r"opt_params\.average\[1\] is read-only; inplace=True needs writeable"),
    ("ema-non-contiguous-average",
     lambda: _ema(lambda s, t, u: _set(s.average, 0, np.ones((3, 4), f32)[:, ::2])),
     ValueError, r"opt_params\.average\[0\] is not contiguous"),
    ("ema-average-of-another-dtype",
     lambda: _ema(lambda s, t, u: _set(s.average, 1, np.zeros(2))),
     TypeError, r"opt_params\.average\[1\] has dtype float64, expected float32"),
    ("ema-average-of-another-shape",
     lambda: _ema(lambda s, t, u: _set(s.average, 1, np.zeros(3, f32))),
     ValueError, r"opt_params\.average\[1\] has shape \(3,\), expected \(2,\)"),
    ("ema-updates-of-another-dtype",
     lambda: _ema(lambda s, t, u: _set(u, 1, np.ones(2, np.int64))),
     TypeError, r"updates\[1\] has dtype int64, expected a float dtype"),
    ("ema-bad-momentum", lambda: _ema(momentum=1.5),
     ValueError, r"momentum must be in \[0, 1\], got 1.5"),
    ("accumulating-read-only-sum",
     lambda: _accumulation(0, lambda s, t, u: _read_only(s.grad_sum[0])),
     ValueError, r"opt_params\.grad_sum\[0\] is read-only; inplace=True needs writeable"),
    ("applying-read-only-sum",
     lambda: _accumulation(2, lambda s, t, u: _read_only(s.grad_sum[1])),
     ValueError, r"opt_params\.grad_sum\[1\] is read-only; inplace=True needs writeable"),
    ("accumulating-sum-of-another-dtype",
     lambda: _accumulation(1, lambda s, t, u: _set(s.grad_sum, 1, np.zeros(2))),
     TypeError, r"opt_params\.grad_sum\[1\] has dtype float64, expected float32"),
    ("accumulating-sum-of-another-shape",
     lambda: _accumulation(1, lambda s, t, u: _set(s.grad_sum, 0, np.zeros((2, 3), f32))),
     ValueError, r"opt_params\.grad_sum\[0\] has shape \(2, 3\), expected \(3, 2\)"),
    ("accumulating-updates-of-another-dtype",
     lambda: _accumulation(1, lambda s, t, u: _set(u, 1, np.ones(2, np.int64))),
     TypeError, r"updates\[1\] has dtype int64, expected a float dtype"),
    ("accumulating-updates-of-another-shape",
     lambda: _accumulation(1, lambda s, t, u: _set(u, 1, np.ones(3, f32))),
     ValueError, r"updates\[1\] has shape \(3,\), expected \(2,\)"),
    ("accumulating-bad-beta1", lambda: _accumulation(1, beta1=2.0),
     ValueError, r"beta1 must be in \[0, 1\), got 2.0"),
    ("accumulating-negative-eta", lambda: _accumulation(1, eta=-0.5),
     ValueError, r"eta must be >= 0.0, got -0.5"),
    ("accumulating-bad-loss-scale", lambda: _accumulation(1, loss_scale=0.0),
     ValueError, r"loss_scale must be > 0, got 0.0"),
    ("accumulating-eps-zero-in-float32", lambda: _accumulation(1, eps=1e-50),
     ValueError, r"eps=1e-50 is 0 in float32, the dtype this step computes in"),
    ("accumulating-state-of-another-rule", lambda: _accumulation(1, step=optim.nag_step),
     TypeError, r"NagState \(phi, t\) from the init function, got AdamState"),
    ("accumulating-read-only-theta",
     lambda: _accumulation(1, lambda s, t, u: _read_only(t[1])),
     ValueError, r"theta\[1\] is read-only; inplace=True needs writeable"),
]


# -- facades: several variables (or steps), the last one bad --------------------------------

def _openfl(bad_gradient, read_only=False):
    """``b`` one step behind ``a``, so that the two take separate steps."""
    params = {"a": np.ones(3), "b": np.linspace(0, 1, 2)}
    opt = openfl.NumPyAdam(params=params, learning_rate=0.1)
    opt.step({"a": np.ones(3)})
    if read_only:
        _read_only(params["b"])
    gradients = {"a": np.full(3, 0.5), "b": bad_gradient}
    return (lambda: opt.step(gradients),
            lambda: [params, gradients, opt.grads_first_moment, opt.grads_second_moment,
                     opt.current_step])


def _tf_keras(bad_rows, read_only=False):
    """A dense variable and a row-sparse one, both with moments from a first step."""
    dense, table = np.ones(2, f32), np.ones((3, 1), f32)
    opt = tf_keras.Adam(learning_rate=0.1)
    rows = IndexedSlices(np.ones((1, 1), f32), np.array([0]), (3, 1))
    opt.apply_gradients([(np.ones(2, f32), dense), (rows, table)])
    if read_only:
        _read_only(table)
    gradients = [np.full(2, 0.5, f32), bad_rows]
    return (lambda: opt.apply_gradients(zip(gradients, [dense, table])),
            lambda: [dense, table, [moments for _, moments in opt._slots.values()],
                     opt.iterations])


def _keras(bad_gradient, read_only=False, calls_before=1, **options):
    variables = [np.ones((2, 2), f32), np.ones(3, f32)]
    opt = keras.Adam(learning_rate=0.1, **options)
    for _ in range(calls_before):
        opt.apply_gradients([(np.ones((2, 2), f32), variables[0]),
                             (np.ones(3, f32), variables[1])])
    if read_only:
        _read_only(variables[1])
    gradients = [np.full((2, 2), 0.5, f32), bad_gradient]
    return (lambda: opt.apply_gradients(zip(gradients, variables)),
            lambda: [variables, gradients, opt._state, opt._iterations])


def _neon(bad_gradient, read_only=False):
    params = [np.ones(2, f32), np.ones(3, f32)]
    states = [[], []]
    opt = neon.Adam(learning_rate=0.1)
    opt.optimize([((params[0], np.ones(2, f32)), states[0])], epoch=0)
    if read_only:
        _read_only(params[1])
    gradients = [np.full(2, 0.5, f32), bad_gradient]
    return (lambda: opt.optimize([((p, g), s) for p, g, s in zip(params, gradients, states)],
                                 epoch=0),
            lambda: [params, gradients, states, opt.t])


FACADES = [
    ("openfl-bad-second-gradient", lambda: _openfl(np.array(["x", "y"])),
     TypeError, r"updates\['b'\] has dtype <U1, expected a float dtype"),
    ("openfl-read-only-second-parameter", lambda: _openfl(np.ones(2), read_only=True),
     ValueError, r"theta\['b'\] is read-only"),
    ("tf-keras-read-only-sparse-variable",
     lambda: _tf_keras(IndexedSlices(np.ones((1, 1), f32), np.array([2]), (3, 1)),
                       read_only=True),
     ValueError, r"theta\[1\] is read-only"),
    ("tf-keras-rows-out-of-range",
     lambda: _tf_keras(IndexedSlices(np.ones((1, 1), f32), np.array([3]), (3, 1))),
     ValueError, r"gradient 1\.indices must be in \[0, 3\), got \[3\]"),
    ("keras-integer-last-gradient", lambda: _keras(np.ones(3, np.int64)),
     TypeError, r"updates\[1\] has dtype int64, expected a float dtype"),
    ("keras-read-only-last-variable", lambda: _keras(np.ones(3, f32), read_only=True),
     ValueError, r"theta\[1\] is read-only"),
    ("keras-ema-accumulating-read-only-last-variable",
     lambda: _keras(np.ones(3, f32), read_only=True, use_ema=True,
                    gradient_accumulation_steps=3),
     ValueError, r"theta\[1\] is read-only"),
    ("keras-ema-applying-integer-last-gradient",
     lambda: _keras(np.ones(3, np.int64), calls_before=2, use_ema=True,
                    gradient_accumulation_steps=3),
     TypeError, r"updates\[1\] has dtype int64, expected a float dtype"),
    ("neon-integer-last-gradient", lambda: _neon(np.ones(3, np.int64)),
     TypeError, r"updates\[1\] has dtype int64, expected a float dtype"),
    ("neon-read-only-last-parameter", lambda: _neon(np.ones(3, f32), read_only=True),
     ValueError, r"theta\[1\] is read-only"),
]


# -- models: an update made non-finite on purpose, with on_nonfinite="raise" -----------------

def _learned(model, batch):
    """Everything the models' synapses learn and count."""
    return lambda: [[s.weights, s.biases, s.opt_params] for s in model.synapses] + [batch]


def _pcn(on_nonfinite):
    """A PCN whose top synapse's post-synaptic factor is infinite: its update, and only its,
    is non-finite, while the first layer's is computed and finite."""
    model = PCN((4, 6, 3), optim_params={"on_nonfinite": on_nonfinite}, T=3, seed=0)
    x = np.linspace(-1, 1, 12, dtype=f32).reshape(3, 4)
    y = np.eye(3, dtype=f32)
    model.learn(x, y)
    model.synapses[1].post_wght = np.inf
    return model, x, y


def _sparse_coding():
    model = SparseCoding(8, 4, optim_params={"on_nonfinite": "raise"}, T=5, seed=0)
    x = np.linspace(-1, 1, 24, dtype=f32).reshape(3, 8)
    model.learn(x)
    model.dictionary.post_wght = np.inf
    return lambda: model.learn(x), _learned(model, x)


def _pcn_raise():
    model, x, y = _pcn("raise")
    return lambda: model.learn(x, y), _learned(model, [x, y])


MODELS = [
    ("pcn-nonfinite-second-layer", _pcn_raise,
     FloatingPointError, r"W2: the update holds NaN or inf in dWeights \(18 of them\), "
                         r"dBiases \(3 of them\); the step was refused and nothing changed"),
    ("sparse-coding-nonfinite-dictionary", _sparse_coding,
     FloatingPointError, r"W: the update holds NaN or inf in dWeights"),
]


@pytest.mark.parametrize("build, error, message", [case[1:] for case in
                                                   WRAPPERS + FACADES + MODELS],
                         ids=[case[0] for case in WRAPPERS + FACADES + MODELS])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_a_refused_step_changes_nothing(build, error, message):
    call, watched = build()
    before = _bytes(watched())
    with pytest.raises(error, match=message):
        call()
    assert _bytes(watched()) == before


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_a_pcn_layer_with_a_nonfinite_update_skips_alone():
    model, x, y = _pcn("skip")
    first, second = model.synapses
    kept = _bytes([second.weights, second.biases, second.opt_params.inner])
    moved = _bytes([first.weights, first.biases])
    model.learn(x, y)
    assert model.skipped_steps == {"W1": 0, "W2": 1}
    assert _bytes([second.weights, second.biases, second.opt_params.inner]) == kept
    assert _bytes([first.weights, first.biases]) != moved


def test_a_pcn_step_equals_each_synapse_evolving_in_turn():
    """Computing every update before applying any gives the bits of evolving the synapses
    one after the other: a synapse's update reads only its own weights."""
    x, y = np.linspace(-1, 1, 12, dtype=f32).reshape(3, 4), np.eye(3, dtype=f32)
    together, in_turn = (PCN((4, 6, 3), T=3, seed=0) for _ in range(2))
    for _ in range(2):
        together.learn(x, y)
        in_turn.infer(x, y)
        for synapse, error in zip(in_turn.synapses, in_turn.errors):
            synapse.pre, synapse.post = synapse.inputs, error.dmu
            synapse.evolve()
    assert _bytes(_learned(together, None)()) == _bytes(_learned(in_turn, None)())


def test_accumulating_calls_check_a_wrapped_finite_step_without_counting_skips():
    """The check of a call that only accumulates stops before the wrapped step looks at
    the updates: a non-finite sum is skipped (and counted) once, by the applying call."""
    theta = [np.ones(2, f32)]
    state = optim.accumulation_init(theta, optim.finite_init(optim.adam_init(theta)))
    for u in ([np.nan, 1.0], [1.0, 1.0], [1.0, 1.0]):
        state, _ = optim.accumulation_step(state, theta, [np.array(u, f32)], every=3,
                                           step=optim.finite_step, on_nonfinite="skip",
                                           inplace=True)
        assert int(state.inner.skipped) == (int(state.calls) == 3)
    assert int(state.inner.inner.t) == 0 and theta[0].tolist() == [1.0, 1.0]
