"""What an ngc-learn script passes is accepted: ``key=``, ``g_conduct_factor=``, dict
initializers, ``advance_state(t, dt)``; and the components print and document themselves."""
import pydoc

import numpy as np
import pytest

from ngc_rules import _component, initializers
from ngc_rules.checkpoint import state_leaves
from ngc_rules.neurons import GaussianErrorCell, RateCell
from ngc_rules.synapses import DenseSynapse, HebbianSynapse

PRNG_KEY_1234 = np.array([0, 1234], np.uint32)  # jax.random.PRNGKey(1234)


# -- key= ------------------------------------------------------------------------------------

@pytest.mark.parametrize("key,seed", [
    (1234, 1234),
    (PRNG_KEY_1234, 1234),
    ([0, 1234], 1234),
    (np.array([1, 2], np.uint32), 2**32 + 2),
    (np.array([3, 4, 5, 6], np.uint32), ((3 * 2**32 + 4) * 2**32 + 5) * 2**32 + 6),
    (np.uint32(7), 7),
])
def test_a_key_gives_the_synapse_of_its_seed(key, seed):
    def build(**random):
        return HebbianSynapse("W", (5, 4), p_conn=0.5, weight_init=("gaussian", 0.0, 1.0),
                              bias_init=("uniform", -1.0, 1.0), **random)
    assert _component.seed_from(key=key) == seed
    keyed, seeded = build(key=key), build(seed=seed)
    for name in ("weights", "mask", "biases"):
        np.testing.assert_array_equal(getattr(keyed, name), getattr(seeded, name))
    assert not np.array_equal(keyed.weights, build(seed=seed + 1).weights)


@pytest.mark.parametrize("cls,args", [(DenseSynapse, ("W", (2, 3))), (RateCell, ("z", 3, 10.0)),
                                      (GaussianErrorCell, ("e", 3))])
def test_every_component_takes_a_key(cls, args):
    assert repr(cls(*args, key=PRNG_KEY_1234)) == repr(cls(*args))


# -- g_conduct_factor= ----------------------------------------------------------------------

@pytest.mark.parametrize("cls", [DenseSynapse, HebbianSynapse])
def test_g_conduct_factor_is_resist_scale(cls):
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)

    def outputs(**scale):
        syn = cls("W", (4, 2), seed=0, **scale)
        syn.inputs = x
        syn.advance_state()
        return syn.outputs

    plain, doubled = outputs(), outputs(g_conduct_factor=2)
    np.testing.assert_array_equal(doubled, 2 * plain)
    np.testing.assert_array_equal(doubled, outputs(resist_scale=2.0))
    assert cls("W", (4, 2), g_conduct_factor=2).resist_scale == 2.0


# -- dict initializers ------------------------------------------------------------------------

@pytest.mark.parametrize("spec,init", [
    ({"dist": "uniform", "amin": 0.025, "amax": 0.8}, initializers.uniform(0.025, 0.8)),
    ({"dist": "uniform"}, initializers.uniform(0.0, 1.0)),
    ({"dist": "gaussian", "mu": 0.0, "sigma": 0.05}, initializers.gaussian(0.0, 0.05)),
    ({"dist": "gaussian"}, initializers.gaussian(0.0, 1.0)),
    ({"dist": "normal", "mu": 1.0, "sigma": 2.0}, initializers.gaussian(1.0, 2.0)),
    ({"dist": "constant", "value": 0.0}, initializers.constant(0.0)),
    ({"dist": "constant"}, initializers.constant(1.0)),  # ngc-learn's default value is 1
    ({"dist": "fan_in_gaussian"}, initializers.fan_in_gaussian(1.0)),
    ({"dist": "fan_in_uniform"}, initializers.fan_in_uniform(1.0)),
    ({"dist": "hollow", "scale": 0.5}, initializers.diag_offdiag(0.0, 0.5)),
    ({"dist": "eye", "scale": 2.0}, initializers.diag_offdiag(2.0, 0.0)),
    ({"dist": "eye"}, initializers.diag_offdiag(1.0, 0.0)),
])
def test_a_dict_initializer_is_ours(spec, init):
    assert initializers.resolve(spec, "weight_init") == init
    np.testing.assert_array_equal(initializers.resolve(spec, "w")((6, 5), 3), init((6, 5), 3))
    from_dict = DenseSynapse("W", (6, 5), weight_init=spec, bias_init=spec, seed=3)
    ours = DenseSynapse("W", (6, 5), weight_init=init, bias_init=init, seed=3)
    np.testing.assert_array_equal(from_dict.weights, ours.weights)
    np.testing.assert_array_equal(from_dict.biases, ours.biases)


def test_hollow_and_eye_values():
    np.testing.assert_array_equal(initializers.resolve({"dist": "hollow", "scale": 0.5}, "w")(
        (2, 3)), [[0.0, 0.5, 0.5], [0.5, 0.0, 0.5]])
    np.testing.assert_array_equal(initializers.resolve({"dist": "eye", "scale": 2.0}, "w")(
        (3, 2)), [[2.0, 0.0], [0.0, 2.0], [0.0, 0.0]])


# -- advance_state(t, dt) and evolve(t, dt) -------------------------------------------------

CALLS = [((0.5,), {}), ((), {"dt": 0.5}), ((3.0, 0.5), {}), ((), {"t": 3.0, "dt": 0.5}),
         ((3.0,), {"dt": 0.5}), ((0.5,), {"t": 3.0})]
CALL_IDS = ["dt", "dt=", "t,dt", "t=,dt=", "t,dt=", "dt,t="]


def _rate_cell():
    cell = RateCell("z", 4, tau_m=5.0, prior=("laplacian", 0.1), act_fx="tanh", batch_size=2)
    cell.set_state(np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4))
    cell.j[...], cell.j_td[...] = 0.3, -0.2
    return cell, ("z", "zF")


def _error_cell():
    cell = GaussianErrorCell("e", 3, batch_size=2)
    cell.mu[...], cell.target[...] = 0.25, [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]
    return cell, ("dmu", "dtarget", "L")


def _dense_synapse():
    syn = DenseSynapse("W", (3, 2), bias_init=initializers.constant(0.1), seed=0)
    syn.inputs = np.ones((2, 3), np.float32)
    return syn, ("outputs",)


def _hebbian_synapse():
    syn = HebbianSynapse("W", (3, 2), eta=0.1, optim_type="adam", seed=0)
    syn.pre, syn.post = np.ones((2, 3), np.float32), np.full((2, 2), -0.5, np.float32)
    return syn, ("weights", "dWeights", "opt_params")


@pytest.mark.parametrize("args,kwargs", CALLS, ids=CALL_IDS)
@pytest.mark.parametrize("make,method", [(_rate_cell, "advance_state"),
                                         (_error_cell, "advance_state"),
                                         (_dense_synapse, "advance_state"),
                                         (_hebbian_synapse, "evolve")],
                         ids=["RateCell", "GaussianErrorCell", "DenseSynapse", "HebbianSynapse"])
def test_ngclearn_time_arguments_give_the_same_bits(make, method, args, kwargs):
    today, compartments = make()
    ported, _ = make()
    for _ in range(3):
        getattr(today, method)(dt=0.5)
        getattr(ported, method)(*args, **kwargs)
    for name in compartments:
        assert _bits(getattr(ported, name)) == _bits(getattr(today, name)), name


def _bits(value):
    return [np.asarray(leaf).tobytes() for leaf in state_leaves(value)]


def test_the_default_step_is_one():
    default, explicit = _rate_cell()[0], _rate_cell()[0]
    default.advance_state()
    explicit.advance_state(1.0)
    np.testing.assert_array_equal(default.z, explicit.z)


# -- repr and help ----------------------------------------------------------------------------

@pytest.mark.parametrize("component,text", [
    (HebbianSynapse("W1", (64, 128), eta=0.001, optim_type="adam", w_bound=0.0,
                    sign_value=-1.0),
     "HebbianSynapse(name='W1', shape=(64, 128), eta=0.001, optim_type='adam', w_bound=0.0, "
     "sign_value=-1.0)"),
    (HebbianSynapse("W", (3, 2), eta=0.02, optim_type="nag"),
     "HebbianSynapse(name='W', shape=(3, 2), eta=0.02, optim_type='nag', w_bound=1.0, "
     "sign_value=1.0)"),
    (DenseSynapse("E2", (10, 20), g_conduct_factor=0.5, p_conn=0.25),
     "DenseSynapse(name='E2', shape=(10, 20), resist_scale=0.5, p_conn=0.25)"),
    (RateCell("z1", 128, 10.0, act_fx="tanh", prior=("laplacian", 0.1)),
     "RateCell(name='z1', n_units=128, tau_m=10.0, act_fx='tanh', prior=('laplacian', 0.1))"),
    (GaussianErrorCell("e1", 128),
     "GaussianErrorCell(name='e1', n_units=128)"),
])
def test_repr(component, text):
    assert repr(component) == text


COMPARTMENTS = {
    DenseSynapse: ["inputs", "outputs", "weights", "biases", "mask"],
    HebbianSynapse: ["inputs", "outputs", "weights", "biases", "mask", "pre", "post",
                     "dWeights", "dBiases", "opt_params"],
    RateCell: ["j", "j_td", "z", "zF"],
    GaussianErrorCell: ["mu", "target", "dmu", "dtarget", "L"],
}
EXAMPLES = {DenseSynapse: lambda: DenseSynapse("W", (2, 3), bias_init=("constant", 0.0)),
            HebbianSynapse: lambda: HebbianSynapse("W", (2, 3)),
            RateCell: lambda: RateCell("z", 3, 1.0),
            GaussianErrorCell: lambda: GaussianErrorCell("e", 3)}


def _section(text, title):
    """The entry names of a docstring section: the words before ':' of its lines."""
    lines = [line.removeprefix(" |  ") for line in text.splitlines()]  # help's margin
    start = next(i for i, line in enumerate(lines) if line.strip() == title) + 1
    indent = len(lines[start]) - len(lines[start].lstrip())
    names = []
    for line in lines[start:]:
        if len(line) - len(line.lstrip()) < indent or not line.strip():
            break
        if len(line) - len(line.lstrip()) == indent:
            names += [name.strip() for name in line.split(":")[0].split(",")]
    return names


@pytest.mark.parametrize("cls", list(COMPARTMENTS), ids=lambda c: c.__name__)
def test_help_lists_the_compartments_and_hyperparameters(cls):
    text = pydoc.render_doc(cls, renderer=pydoc.plaintext)
    assert _section(text, "Compartments:") == COMPARTMENTS[cls]
    component = EXAMPLES[cls]()
    assert all(hasattr(component, name) for name in COMPARTMENTS[cls])
    assert set(cls._shown_fields) <= set(_section(text, "Args:"))


# -- what is refused ----------------------------------------------------------------------------

@pytest.mark.parametrize("make,error,message", [
    (lambda: DenseSynapse("W", (2, 3), weight_init={"dist": "lognormal", "sigma": 1.0}),
     ValueError, "weight_init: unknown dist 'lognormal' in {'dist': 'lognormal', 'sigma': 1.0}; "
     "expected one of ['constant', 'eye', 'fan_in_gaussian', 'fan_in_uniform', 'gaussian', "
     "'hollow', 'normal', 'uniform']"),
    (lambda: DenseSynapse("W", (2, 3), bias_init={"dist": "gaussian", "sigma": 0.1, "amax": 1}),
     ValueError, "bias_init: dist 'gaussian' takes the keys ['mu', 'sigma'], not ['amax'], in "
     "{'dist': 'gaussian', 'sigma': 0.1, 'amax': 1}"),
    (lambda: DenseSynapse("W", (2, 3), weight_init={"dist": "uniform", "amin": 1, "amax": 0}),
     ValueError, "weight_init: {'dist': 'uniform', 'amin': 1, 'amax': 0}: uniform needs "
     "low < high, got low=1, high=0"),
    (lambda: DenseSynapse("W", (2, 3), weight_init=("constant", 0.0, 0.0)),
     ValueError, "weight_init: ('constant', 0.0, 0.0) gives 2 values, but 'constant' takes "
     "at most 1: value"),
    (lambda: HebbianSynapse("W", (2, 3), resist_scale=2.0, g_conduct_factor=2.0),
     TypeError, "give resist_scale or g_conduct_factor, not both; got resist_scale=2.0, "
     "g_conduct_factor=2.0"),
    (lambda: DenseSynapse("W", (2, 3), seed=1, key=PRNG_KEY_1234),
     TypeError, "give seed or key, not both; got seed=1, key=array([ 0, 1234], dtype=uint32)"),
    (lambda: DenseSynapse("W", (2, 3), key=1.5),
     ValueError, "key must be a non-negative int or a JAX PRNG key (uint32 words), got 1.5"),
    (lambda: RateCell("z", 3, 1.0, key=-1),
     ValueError, "key must be a non-negative int or a JAX PRNG key (uint32 words), got -1"),
    (lambda: GaussianErrorCell("e", 3, key=[0, 2**32]),
     ValueError, "key must be a non-negative int or a JAX PRNG key (uint32 words), got "
     "[0, 4294967296]"),
    (lambda: HebbianSynapse("W", (2, 3), colour="red", size=np.ones((2, 2))),
     TypeError, "HebbianSynapse got unknown arguments ['colour', 'size']: colour='red', "
     "size=array([[1., 1.], [1., 1.]])"),
    (lambda: RateCell("z", 3, 1.0, leak=0.1),
     TypeError, "RateCell got unknown arguments ['leak']: leak=0.1"),
    (lambda: GaussianErrorCell("e", 3, g_conduct_factor=2.0),
     TypeError, "GaussianErrorCell got unknown arguments ['g_conduct_factor']: "
     "g_conduct_factor=2.0"),
    (lambda: RateCell("z", 3, 1.0, integration_type="rk4"),
     ValueError, "RateCell: integration_type='rk4' is not implemented; only "
     "integration_type='euler' is"),
    (lambda: GaussianErrorCell("e", 3, sigma=0.5),
     ValueError, "GaussianErrorCell: sigma=0.5 is not implemented; only sigma=1.0 is"),
    (lambda: DenseSynapse("W", (2, 3), p_release_mean=0.5),
     ValueError, "DenseSynapse: p_release_mean=0.5 is not implemented; only "
     "p_release_mean=1.0 is"),
    (lambda: RateCell("z", 3, 1.0).advance_state(0.0, 1.0, 2.0),
     TypeError, "a step takes (dt) or (t, dt), got positional (0.0, 1.0, 2.0), t=None, "
     "dt=None"),
    (lambda: HebbianSynapse("W", (2, 3)).evolve(0.0, 1.0, t=0.0),
     TypeError, "a step takes (dt) or (t, dt), got positional (0.0, 1.0), t=0.0, dt=None"),
])
def test_bad_arguments_get_one_line_naming_them(make, error, message):
    with pytest.raises(error) as raised:
        make()
    assert str(raised.value) == message


def test_ngclearn_defaults_of_what_is_not_implemented_are_accepted():
    assert RateCell("z", 3, 1.0, integration_type="euler").tau_m == 1.0
    assert GaussianErrorCell("e", 3, sigma=1).n_units == 3
    assert DenseSynapse("W", (2, 3), p_release_mean=1.0, max_delay_steps=0).shape == (2, 3)
