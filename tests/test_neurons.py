"""Rate and error cells against NumPy transcriptions of their equations."""
import numba
import numpy as np
import pytest

from ngc_rules.neurons import ACTIVATIONS, GaussianErrorCell, RateCell
from ngc_rules.neurons.activations import CODES, activate

_F = {"identity": (lambda z: z, lambda z: np.ones_like(z)),
      "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
      "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
      "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
      "lrelu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1, 0.01)),
      "softplus": (lambda z: np.log1p(np.exp(z)), lambda z: 1 / (1 + np.exp(-z)))}
_LEAK = {"gaussian": lambda z: z, "laplacian": np.sign,
         "cauchy": lambda z: 2 * z / (1 + z * z), "exp": lambda z: 2 * z * np.exp(-z * z)}


def test_every_activation_is_tested():
    assert set(_F) == set(ACTIVATIONS)


@pytest.mark.parametrize("act", sorted(_F))
@pytest.mark.parametrize("prior", sorted(_LEAK))
def test_rate_cell_euler_steps_match_numpy(act, prior):
    rng = np.random.default_rng(0)
    cell = RateCell("z", 5, tau_m=4.0, prior=(prior, 0.3), act_fx=act, output_scale=2.0,
                    batch_size=3, resist_scale=0.5, dtype=np.float64)
    z = rng.standard_normal((3, 5))
    cell.set_state(z)
    f, df = _F[act]
    for _ in range(3):
        j, j_td = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
        cell.j[...], cell.j_td[...] = j, j_td
        cell.advance_state(dt=0.5)
        z = z + 0.5 / 4.0 * (j * df(z) * 0.5 + j_td - 0.3 * _LEAK[prior](z))
        np.testing.assert_allclose(cell.z, z, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(cell.zF, f(z) * 2.0, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("act", sorted(_F))
@pytest.mark.parametrize("prior", sorted(_LEAK))
def test_float32_cells_stay_float32_and_track_the_float64_equations(act, prior):
    rng = np.random.default_rng(1)
    cell = RateCell("z", 64, tau_m=4.0, prior=(prior, 0.3), act_fx=act, batch_size=8,
                    threshold=("soft_threshold", 0.01))
    cell.set_state(rng.standard_normal((8, 64)).astype(np.float32))
    f, df = _F[act]
    for _ in range(5):
        z = cell.z.astype(np.float64)  # each step is checked from the float32 state
        j, j_td = rng.standard_normal((2, 8, 64)).astype(np.float32)
        cell.j[...], cell.j_td[...] = j, j_td
        cell.advance_state(dt=0.5)
        z = z + 0.5 / 4.0 * (j * df(z) + j_td - 0.3 * _LEAK[prior](z))
        z = np.sign(z) * np.maximum(np.abs(z) - 0.01, 0.0)
        np.testing.assert_allclose(cell.z, z, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(cell.zF, f(cell.z.astype(np.float64)), rtol=4e-6, atol=1e-6)
    assert cell.z.dtype == cell.zF.dtype == np.float32


@numba.njit
def _tanh_float32(x, out):
    for i in range(x.size):
        out[i] = activate(2, x[i])


def test_float32_tanh_is_within_6_ulp_everywhere():
    x = np.concatenate([np.linspace(-12, 12, 1_000_001, dtype=np.float32),
                        np.logspace(-9, 1.2, 100_001, dtype=np.float32)])
    x = np.concatenate([x, -x, np.float32([0.0, np.inf, -np.inf])])
    out = np.empty_like(x)
    _tanh_float32(x, out)
    exact = np.tanh(x.astype(np.float64))
    ulp = np.abs(out - exact) / np.spacing(np.abs(exact).astype(np.float32))
    assert ulp.max() <= 6.0 and np.abs(out).max() <= 1.0
    _tanh_float32(np.float32([np.nan]), out[:1])
    assert np.isnan(out[0]) and CODES["tanh"] == 2


def test_soft_threshold_keeps_nan_visible():
    cell = RateCell("z", 2, tau_m=1.0, threshold=("soft_threshold", 0.5))
    cell.j_td[...] = [[np.nan, 0.2]]
    cell.advance_state(dt=1.0)
    assert np.isnan(cell.z[0, 0]) and cell.z[0, 1] == 0.0


def test_soft_threshold_and_stateless_mode():
    cell = RateCell("z", 3, tau_m=1.0, threshold=("soft_threshold", 0.5), dtype=np.float64)
    cell.j_td[...] = [[2.0, 0.2, -1.0]]
    cell.advance_state(dt=1.0)
    np.testing.assert_allclose(cell.z, [[1.5, 0.0, -0.5]])
    stateless = RateCell("z", 2, tau_m=0.0, act_fx="relu")
    stateless.j[...], stateless.j_td[...] = [[1.0, -3.0]], [[0.5, 1.0]]
    stateless.advance_state()
    np.testing.assert_allclose(stateless.zF, [[1.5, 0.0]])


def test_gaussian_error_cell():
    rng = np.random.default_rng(1)
    cell = GaussianErrorCell("e", 4, batch_size=2)
    mu, target = rng.random((2, 4), np.float32), rng.random((2, 4), np.float32)
    cell.mu, cell.target = mu, target
    cell.advance_state()
    np.testing.assert_array_equal(cell.dmu, target - mu)
    np.testing.assert_array_equal(cell.dtarget, mu - target)
    assert cell.L == pytest.approx(-0.5 * np.sum((target - mu).astype(np.float64) ** 2))


@pytest.mark.parametrize("make,message", [
    (lambda: RateCell("z", 0, 1.0), "n_units must be a positive integer"),
    (lambda: RateCell("z", 2, 1.0, act_fx="gelu"), "unknown activation 'gelu'"),
    (lambda: RateCell("z", 2, 1.0, prior=("student", 0.1)), "prior must be"),
    (lambda: RateCell("z", 2, 1.0, threshold=("hard", 0.1)), "threshold must be"),
    (lambda: GaussianErrorCell("e", -1), "n_units must be a positive integer"),
])
def test_bad_cell_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_error_cell_refuses_mismatched_shapes():
    cell = GaussianErrorCell("e", 3, batch_size=2)
    cell.mu = np.zeros((1, 3), np.float32)
    with pytest.raises(ValueError, match="must have shape \\(2, 3\\)"):
        cell.advance_state()


def test_rate_cell_refuses_currents_of_another_shape():
    cell = RateCell("z", 3, tau_m=2.0, batch_size=2)
    cell.advance_state()
    cell.j = np.ones((1, 3), np.float32)  # a replaced compartment is checked again
    with pytest.raises(ValueError, match=r"z: .*share a shape.*\(1, 3\)"):
        cell.advance_state()
    assert np.all(cell.z == 0)
    cell.j = np.ones((2, 3), np.float32)
    cell.advance_state()
    np.testing.assert_allclose(cell.z, 0.5)
