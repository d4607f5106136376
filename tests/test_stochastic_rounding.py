"""Stochastic rounding of the stored parameters (neon's ``stochastic_round``)."""
import numpy as np
import pytest

from ngc_rules import optim
from rounding import round_stochastically

BITS = {"bfloat16": 7, "float16": 10}


def one_step(theta, g, **options):
    return optim.adam_step(optim.adam_init(theta), theta, g, eta=0.01, **options)[1]


@pytest.mark.parametrize("grid", BITS)
def test_each_value_is_one_of_its_two_grid_neighbours_as_defined(grid):
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(5000).astype(np.float32)
    g = rng.standard_normal(5000).astype(np.float32)
    exact = one_step(theta, g)
    rounded = one_step(theta, g, stochastic_round=BITS[grid], seed=11)
    expected = round_stochastically(exact, BITS[grid], seed=11, t=1)
    np.testing.assert_array_equal(rounded, expected)
    spacing = np.ldexp(1.0, np.frexp(exact)[1] - 1 - BITS[grid])
    assert np.all(np.abs(rounded - exact) < spacing)
    assert np.all(rounded / spacing == np.round(rounded / spacing))  # on the grid


def test_rounding_is_unbiased_on_average():
    theta = np.full(200_000, 1.0, np.float32)
    rounded = one_step(theta, np.ones_like(theta), stochastic_round=7, seed=5)
    exact = one_step(theta, np.ones_like(theta))
    # 1 - 0.01 lies between two neighbours 2**-8 apart; the mean lands within 4 standard
    # errors of the exact value
    low = np.floor(exact[0] * 2 ** 8) / 2 ** 8
    assert set(np.unique(rounded)) == {np.float32(low), np.float32(low + 2 ** -8)}
    assert abs(rounded.mean(dtype=np.float64) - exact[0]) < 4 * 2 ** -8 * 0.5 / np.sqrt(
        theta.size)


def test_same_seed_same_run_other_seed_other_run():
    theta = np.linspace(-1, 1, 1000, dtype=np.float32)
    g = np.cos(theta)
    a = one_step(theta, g, stochastic_round=7, seed=1)
    b = one_step(theta, g, stochastic_round=7, seed=1)
    c = one_step(theta, g, stochastic_round=7, seed=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_each_step_draws_anew():
    theta = np.full(1000, 0.3, np.float32)
    state = optim.adam_init(theta)
    draws = []
    for _ in range(2):
        state, new = optim.adam_step(state, theta, np.ones_like(theta), eta=1e-4,
                                     stochastic_round=7, seed=0)
        draws.append(new > np.float32(0.3) - 1e-4)
    assert not np.array_equal(draws[0], draws[1])


@pytest.mark.parametrize("variant", [{}, {"amsgrad": True}, {"moments": "lerp"},
                                     {"nesterov": True}, {"infinity_norm": True}], ids=str)
def test_every_adam_variant_rounds(variant):
    theta = np.linspace(-1, 1, 257, dtype=np.float32)
    state = optim.adam_init(theta, amsgrad=bool(variant.get("amsgrad")))
    exact = optim.adam_step(state, theta, np.sin(theta), eta=0.01, **variant)[1]
    rounded = optim.adam_step(state, theta, np.sin(theta), eta=0.01, stochastic_round=7,
                              seed=3, **variant)[1]
    np.testing.assert_array_equal(rounded, round_stochastically(exact, 7, seed=3, t=1))


@pytest.mark.parametrize("value, error", [(0, ValueError), (24, ValueError), (2.5, TypeError),
                                          ("yes", TypeError)])
def test_bad_widths_are_refused(value, error):
    with pytest.raises(error, match="stochastic_round"):
        one_step(np.zeros(2, np.float32), np.ones(2, np.float32), stochastic_round=value)


def test_bad_seed_is_refused():
    with pytest.raises(TypeError, match="seed"):
        one_step(np.zeros(2, np.float32), np.ones(2, np.float32), stochastic_round=True,
                 seed=1.5)
