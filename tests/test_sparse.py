"""IndexedSlices updates: dense-equivalent (tf.keras) by default, lazy rows on request."""
import functools

import numpy as np
import pytest

from ngc_rules import IndexedSlices, optim
from reference import assert_close
from rules import RULES
from sparse_cases import SHAPE, dense, lazy_adam, row_problem

ADAM_OPTIONS = {"plain": {}, "keras": {"epsilon_hat": True, "moments": "lerp"},
                "amsgrad": {"amsgrad": True}, "clipped": {"global_clip_norm": 0.5,
                                                          "weight_decay": 0.01}}


@pytest.mark.parametrize("inplace", [False, True], ids=["functional", "inplace"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rule", RULES)
def test_slices_step_like_their_dense_gradient(rule, dtype, inplace):
    init, step, hp = RULES[rule]
    theta0, slices = row_problem(1, dtype)
    d_params, d_theta = init(theta0), theta0
    s_theta = theta0.copy()
    s_params = init(s_theta)
    for s in slices:
        d_params, d_theta = step(d_params, d_theta, dense(s, dtype), **hp)
        s_params, s_theta = step(s_params, s_theta, s, inplace=inplace, **hp)
        np.testing.assert_array_equal(s_theta, d_theta)


@pytest.mark.parametrize("options", ADAM_OPTIONS, ids=str)
def test_adam_options_with_slices_in_a_list(options):
    kwargs = dict(ADAM_OPTIONS[options], eta=0.05)
    theta0, slices = row_problem(2, np.float32)
    bias = np.ones(3, np.float32)
    init = functools.partial(optim.adam_init, amsgrad=bool(kwargs.get("amsgrad")))
    d_params, d_theta = init([theta0, bias]), [theta0, bias]
    s_params, s_theta = init([theta0, bias]), [theta0, bias]
    for s in slices:
        d_params, d_theta = optim.adam_step(d_params, d_theta, [dense(s, np.float32), bias],
                                            **kwargs)
        s_params, s_theta = optim.adam_step(s_params, s_theta, [s, bias], **kwargs)
        for a, b in zip(s_theta, d_theta):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("inplace", [False, True], ids=["functional", "inplace"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lazy_adam_moves_only_the_given_rows(dtype, inplace):
    theta0, slices = row_problem(3, dtype)
    expected = lazy_adam(theta0, slices, eta=0.1)
    theta = theta0.copy()
    state = optim.adam_init(theta)
    for s, step_slices in enumerate(slices):
        before_theta, before_m = np.array(theta), np.array(state.m)
        state, theta = optim.adam_step(state, theta, step_slices, eta=0.1, lazy=True,
                                       inplace=inplace)
        untouched = np.setdiff1d(np.arange(SHAPE[0]), step_slices.indices)
        np.testing.assert_array_equal(theta[untouched], before_theta[untouched])
        np.testing.assert_array_equal(state.m[untouched], before_m[untouched])
        assert_close(theta, expected[s], dtype, ulps=8)
    assert int(state.t) == len(slices)


def test_lazy_and_dense_differ_where_a_row_was_left_out():
    theta0 = np.zeros((2, 1))
    first = IndexedSlices(np.ones((1, 1)), np.array([0]), (2, 1))
    second = IndexedSlices(np.ones((1, 1)), np.array([1]), (2, 1))
    results = {}
    for lazy in (False, True):
        state, theta = optim.adam_init(theta0), theta0
        for g in (first, second):
            state, theta = optim.adam_step(state, theta, g, eta=0.1, lazy=lazy)
        results[lazy] = theta[0, 0]
    # dense: row 0 keeps moving on its decaying moment; lazy: it waits
    assert results[True] == pytest.approx(-0.1)
    assert results[False] < -0.1


def test_duplicates_are_summed_in_order_of_appearance():
    values = np.array([[1e8], [1.0], [-1e8]], np.float32)
    g = IndexedSlices(values, np.array([0, 0, 0]), (1, 1))
    _, theta = optim.sgd_step(optim.sgd_init(None), np.zeros((1, 1), np.float32), g, eta=1.0)
    # ((0 + 1e8) + 1) - 1e8 in float32 is 0: the order TensorFlow sums in
    assert theta[0, 0] == 0.0


def test_empty_slices_change_nothing_lazily():
    theta = np.ones((3, 2))
    g = IndexedSlices(np.zeros((0, 2)), np.zeros(0, np.int64), (3, 2))
    state, new = optim.adam_step(optim.adam_init(theta), theta, g, lazy=True)
    np.testing.assert_array_equal(new, theta)
    assert int(state.t) == 1


BAD_SLICES = [
    ("dense-shape", lambda v, i: IndexedSlices(v, i, (8, 3)), ValueError,
     ["updates", "dense_shape (8, 3)", "(7, 3)"]),
    ("index-outside", lambda v, i: IndexedSlices(v, i + 7, (7, 3)), ValueError,
     ["updates.indices", "[0, 7)"]),
    ("index-negative", lambda v, i: IndexedSlices(v, -1 - i, (7, 3)), ValueError,
     ["updates.indices", "[0, 7)"]),
    ("float-indices", lambda v, i: IndexedSlices(v, i.astype(float), (7, 3)), TypeError,
     ["updates.indices", "integer", "float64"]),
    ("values-shape", lambda v, i: IndexedSlices(v[:, :2], i, (7, 3)), ValueError,
     ["updates.values", "(5, 3)", "(5, 2)"]),
    ("values-integer", lambda v, i: IndexedSlices(v.astype(int), i, (7, 3)), TypeError,
     ["updates.values", "int64"]),
]


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("name, spoil, error, words", BAD_SLICES, ids=[b[0] for b in BAD_SLICES])
def test_bad_slices_are_refused_and_change_nothing(name, spoil, error, words, lazy):
    theta0, slices = row_problem(4, np.float64)
    theta = theta0.copy()
    state = optim.adam_init(theta)
    bad = spoil(slices[0].values, slices[0].indices)
    with pytest.raises(error) as raised:
        optim.adam_step(state, theta, bad, lazy=lazy, inplace=True)
    for word in words:
        assert word in str(raised.value), (word, str(raised.value))
    np.testing.assert_array_equal(theta, theta0)
    assert int(state.t) == 0 and not np.any(state.m)


def test_slices_of_a_scalar_are_refused():
    with pytest.raises(ValueError, match="0-d"):
        optim.sgd_step(optim.sgd_init(None), np.zeros(()),
                       IndexedSlices(np.zeros(1), np.zeros(1, int), ()))


def test_lazy_must_be_a_bool():
    with pytest.raises(ValueError, match="lazy"):
        optim.adam_step(optim.adam_init(np.zeros(2)), np.zeros(2), np.zeros(2), lazy="yes")
