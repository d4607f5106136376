"""Initializers are seeded and follow their distributions; the built-in data sets."""
import numpy as np
import pytest

from ngc_rules import data, initializers


@pytest.mark.parametrize("init,mean,std", [
    (initializers.constant(0.25), 0.25, 0.0),
    (initializers.uniform(-0.5, 1.5), 0.5, 2 / np.sqrt(12)),
    (initializers.gaussian(0.1, 0.2), 0.1, 0.2),
    (initializers.fan_in_gaussian(2.0), 0.0, 2.0 / np.sqrt(400)),
    (initializers.fan_in_uniform(1.0), 0.0, 2 / np.sqrt(400) / np.sqrt(12)),
])
def test_moments_and_reproducibility(init, mean, std):
    w = init((400, 300), np.random.default_rng(5))
    assert w.dtype == np.float32 and w.shape == (400, 300)
    assert w.mean() == pytest.approx(mean, abs=4 * std / np.sqrt(w.size) + 1e-7)
    assert w.std() == pytest.approx(std, rel=0.02, abs=1e-7)
    np.testing.assert_array_equal(w, init((400, 300), 5))
    assert init((3,), 1, np.float64).dtype == np.float64


def test_tuple_form_and_errors():
    assert initializers.resolve(("uniform", -1, 1), "w") == initializers.uniform(-1, 1)
    with pytest.raises(ValueError, match="low < high"):
        initializers.uniform(1, 0)
    with pytest.raises(ValueError, match="std must be >= 0"):
        initializers.gaussian(0, -1)
    with pytest.raises(TypeError, match="weight_init must be an initializer"):
        initializers.resolve(3.0, "weight_init")


def test_digits_are_the_shipped_uci_set():
    digits = data.digits()
    assert digits.x.shape == (1797, 64) and digits.x.dtype == np.float32
    assert digits.x.min() == 0.0 and digits.x.max() == 1.0
    np.testing.assert_array_equal(np.bincount(digits.labels),
                                  [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    np.testing.assert_array_equal(digits.y.argmax(axis=1), digits.labels)


def test_generated_sets_are_seeded():
    a, b = data.gaussian_clusters(seed=3), data.gaussian_clusters(seed=3)
    np.testing.assert_array_equal(a.x, b.x)
    bars = data.bars(n=500, size=6, seed=1)
    images = bars.x.reshape(-1, 6, 6)
    # every image is a union of whole rows and columns
    rows, cols = images.min(axis=2) == 1, images.min(axis=1) == 1
    np.testing.assert_array_equal(images, (rows[:, :, None] | cols[:, None, :]))
    train, test = data.split(a, test_fraction=0.25, seed=0)
    assert len(train) == 900 and len(test) == 300
    with pytest.raises(ValueError, match="unknown data set 'mnist'"):
        data.load("mnist")
