"""Bad input: a clear error naming the argument and value, and nothing changed."""
import numpy as np
import pytest

from ngc_rules import optim
from rules import RULES, state_arrays


def _problem(rule):
    init, step, hp = RULES[rule]
    theta = [np.ones((3, 2), np.float32), np.ones(2, np.float32)]
    opt_params = init(theta)
    updates = [np.full((3, 2), 0.5, np.float32), np.full(2, 0.5, np.float32)]
    return step, hp, opt_params, theta, updates


def _read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


# (id, how to spoil (opt_params, theta, updates, hp), exception, words the message must hold)
BAD_INPUTS = [
    ("theta-not-arrays", lambda o, t, u, hp: (o, "weights", u, hp), TypeError, ["theta", "str"]),
    ("updates-dict-for-list", lambda o, t, u, hp: (o, t, {"a": u[0]}, hp), TypeError,
     ["updates", "dict"]),
    ("updates-too-few", lambda o, t, u, hp: (o, t, u[:1], hp), ValueError,
     ["updates has 1", "theta has 2"]),
    ("updates-wrong-shape", lambda o, t, u, hp: (o, t, [u[0], np.ones(3, np.float32)], hp),
     ValueError, ["updates[1]", "(3,)", "(2,)"]),
    ("updates-integer", lambda o, t, u, hp: (o, t, [u[0], np.ones(2, np.int64)], hp), TypeError,
     ["updates[1]", "int64"]),
    ("updates-complex", lambda o, t, u, hp: (o, t, [u[0], np.ones(2, np.complex64)], hp),
     TypeError, ["updates[1]", "complex64"]),
    ("updates-object", lambda o, t, u, hp: (o, t, [u[0], np.array([None, 1])], hp), TypeError,
     ["updates[1]", "object"]),
    ("theta-integer", lambda o, t, u, hp: (o, [t[0], np.ones(2, np.int32)], u, hp), TypeError,
     ["theta[1]", "int32", "float32 or float64"]),
    ("theta-float16-on-cpu", lambda o, t, u, hp: (o, [t[0], np.ones(2, np.float16)], u, hp),
     TypeError, ["theta[1]", "float16", "CUDA"]),
    ("counter-negative", lambda o, t, u, hp: (_with_counter(o, -1), t, u, hp), TypeError,
     ["opt_params", "-1"]),
    ("counter-infinite", lambda o, t, u, hp: (_with_counter(o, np.inf), t, u, hp), TypeError,
     ["opt_params", "inf"]),
    ("counter-fractional", lambda o, t, u, hp: (_with_counter(o, 2.5), t, u, hp), TypeError,
     ["opt_params", "2.5"]),
    ("eta-negative", lambda o, t, u, hp: (o, t, u, dict(hp, eta=-0.1)), ValueError,
     ["eta", ">= 0", "-0.1"]),
    ("eta-nan", lambda o, t, u, hp: (o, t, u, dict(hp, eta=float("nan"))), ValueError,
     ["eta", "finite", "nan"]),
    ("eta-inf", lambda o, t, u, hp: (o, t, u, dict(hp, eta=float("inf"))), ValueError,
     ["eta", "finite", "inf"]),
    ("eta-string", lambda o, t, u, hp: (o, t, u, dict(hp, eta="0.1")), TypeError,
     ["eta", "'0.1'", "str"]),
    ("eta-vector", lambda o, t, u, hp: (o, t, u, dict(hp, eta=np.ones(2))), TypeError,
     ["eta", "shape (2,)"]),
]
INPLACE_ONLY = [
    ("theta-read-only", lambda o, t, u, hp: (o, [t[0], _read_only(t[1])], u, hp), ValueError,
     ["theta[1]", "read-only"]),
    ("theta-not-contiguous", lambda o, t, u, hp: (o, [t[0], np.ones(4, np.float32)[::2]], u, hp),
     ValueError, ["theta[1]", "contiguous"]),
    ("theta-list-of-lists", lambda o, t, u, hp: (o, [t[0], [1.0, 1.0]], u, hp), TypeError,
     ["theta[1]", "NumPy array", "list"]),
]
RULE_SPECIFIC = {
    "nag": [
        ("mu-negative", lambda o, t, u, hp: (o, t, u, dict(hp, mu=-0.5)), ValueError,
         ["mu", ">= 0", "-0.5"]),
        ("state-of-adam", lambda o, t, u, hp: (optim.adam_init(t), t, u, hp), TypeError,
         ["opt_params", "(phi, t)", "AdamState"]),
        ("state-of-other-params", lambda o, t, u, hp: (optim.nag_init([t[0], np.ones(5, np.float32)]),
                                                       t, u, hp), ValueError,
         ["opt_params.phi[1]", "(5,)", "(2,)"]),
    ],
    "adam": [
        ("beta1-one", lambda o, t, u, hp: (o, t, u, dict(hp, beta1=1.0)), ValueError,
         ["beta1", "[0, 1)", "1.0"]),
        ("beta2-negative", lambda o, t, u, hp: (o, t, u, dict(hp, beta2=-0.1)), ValueError,
         ["beta2", "[0, 1)", "-0.1"]),
        ("eps-zero", lambda o, t, u, hp: (o, t, u, dict(hp, eps=0.0)), ValueError,
         ["eps", "> 0", "0.0"]),
        ("state-of-nag", lambda o, t, u, hp: (optim.nag_init(t), t, u, hp), TypeError,
         ["opt_params", "(m, v, t)", "NagState"]),
        ("state-float64-for-float32",
         lambda o, t, u, hp: (o._replace(m=[o.m[0], o.m[1].astype(np.float64)]), t, u, hp),
         TypeError, ["opt_params.m[1]", "float64", "float32"]),
    ],
    "momentum": [
        ("nesterov-without-mu", lambda o, t, u, hp: (o, t, u, dict(hp, mu=0.0)), ValueError,
         ["nesterov=True", "mu > 0", "mu=0.0"]),
        ("dampening-negative", lambda o, t, u, hp: (o, t, u, dict(hp, dampening=-1.0)),
         ValueError, ["dampening", ">= 0", "-1.0"]),
        ("state-of-nag", lambda o, t, u, hp: (optim.nag_init(t), t, u, hp), TypeError,
         ["opt_params", "(buf, t)", "NagState"]),
    ],
    "nadam": [
        ("with-amsgrad", lambda o, t, u, hp: (o, t, u, dict(hp, amsgrad=True)), ValueError,
         ["nesterov=True", "amsgrad"]),
        ("with-epsilon-hat", lambda o, t, u, hp: (o, t, u, dict(hp, epsilon_hat=True)),
         ValueError, ["nesterov=True", "epsilon_hat"]),
        ("with-lerp", lambda o, t, u, hp: (o, t, u, dict(hp, moments="lerp")), ValueError,
         ["nesterov=True", 'moments="lerp"']),
    ],
    "adamax": [
        ("with-eps-root", lambda o, t, u, hp: (o, t, u, dict(hp, eps_root=1e-8)), ValueError,
         ["infinity_norm=True", "eps_root"]),
        ("also-nesterov", lambda o, t, u, hp: (o, t, u, dict(hp, nesterov=True)), ValueError,
         ["nesterov=True", "nesterov"]),
        ("infinity-norm-string", lambda o, t, u, hp: (o, t, u, dict(hp, infinity_norm="yes")),
         ValueError, ["infinity_norm", "'yes'"]),
    ],
    "sgd": [
        ("state-of-adam", lambda o, t, u, hp: (optim.adam_init(t), t, u, hp), TypeError,
         ["opt_params", "step counter", "AdamState"]),
    ],
}


def _with_counter(opt_params, value):
    if isinstance(opt_params, np.ndarray):
        return np.array(value)
    return opt_params._replace(t=np.array(value))


def _cases():
    for rule in RULES:
        for inplace in (False, True):
            table = BAD_INPUTS + RULE_SPECIFIC[rule] + (INPLACE_ONLY if inplace else [])
            for name, spoil, error, words in table:
                yield pytest.param(rule, inplace, spoil, error, words,
                                   id=f"{rule}-{'inplace' if inplace else 'functional'}-{name}")


@pytest.mark.parametrize("rule, inplace, spoil, error, words", list(_cases()))
def test_bad_input_is_refused_and_changes_nothing(rule, inplace, spoil, error, words):
    step, hp, opt_params, theta, updates = _problem(rule)
    opt_params, theta, updates, hp = spoil(opt_params, theta, updates, hp)
    arrays = [a for a in (theta if isinstance(theta, list) else [])
              if isinstance(a, np.ndarray)] + state_arrays(opt_params)
    before = [a.copy() for a in arrays]
    with pytest.raises(error) as raised:
        step(opt_params, theta, updates, inplace=inplace, **hp)
    message = str(raised.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    for a, b in zip(arrays, before):
        np.testing.assert_array_equal(a, b)


def test_a_bad_last_tensor_leaves_the_first_untouched():
    theta = [np.ones(3), np.ones(2)]
    state = optim.adam_init(theta)
    with pytest.raises(ValueError, match=r"updates\[1\]"):
        optim.adam_step(state, theta, [np.ones(3), np.ones(5)], inplace=True)
    np.testing.assert_array_equal(theta[0], np.ones(3))
    assert int(state.t) == 0 and not state.m[0].any()


def test_missing_and_unexpected_dict_keys_are_named():
    theta = {"W": np.ones(2), "b": np.ones(1)}
    with pytest.raises(ValueError, match=r"missing \['b'\], unexpected \['c'\]"):
        optim.sgd_step(optim.sgd_init(theta), theta, {"W": np.ones(2), "c": np.ones(1)})


def test_unknown_optimizer_and_hyperparameter():
    with pytest.raises(ValueError, match=r"unknown optimizer 'rmsprop'.*'adam', 'nag', 'sgd'"):
        optim.get_opt_init_fn("rmsprop")
    with pytest.raises(TypeError, match=r"adam takes the hyperparameters.*not \['mu'\]"):
        optim.get_opt_step_fn("adam", mu=0.9)


def test_init_refuses_integer_parameters():
    with pytest.raises(TypeError, match=r"theta\['W'\] has dtype int64"):
        optim.adam_init({"W": np.ones(2, np.int64)})


def test_inplace_refuses_state_that_is_not_an_array():
    """An in-place step must not update a converted copy of the state and lose it."""
    theta = [np.ones(2)]
    state = optim.adam_init(theta)._replace(v=[[0.0, 0.0]])
    with pytest.raises(TypeError, match=r"opt_params.v\[0\] must be a NumPy array for inplace"):
        optim.adam_step(state, theta, [np.ones(2)], inplace=True)
    np.testing.assert_array_equal(theta[0], np.ones(2))
    assert int(state.t) == 0


@pytest.mark.parametrize("call, message", [
    (lambda t: optim.accumulation_step(optim.accumulation_init(t, optim.adam_init(t)), t,
                                       np.ones(2), every=1),
     "every must be an integer >= 2, got 1"),
    (lambda t: optim.accumulation_step(optim.accumulation_init(t, optim.adam_init(t)), t,
                                       np.ones(2), every=True),
     "every must be an integer >= 2, got True"),
    (lambda t: optim.ema_step(optim.ema_init(t, optim.adam_init(t)), t, np.ones(2),
                              overwrite_every=0),
     "overwrite_every must be None or an integer >= 1, got 0"),
])
def test_wrapper_counts_are_checked(call, message):
    theta = np.zeros(2)
    with pytest.raises(ValueError, match=message):
        call(theta)
    assert not theta.any()
