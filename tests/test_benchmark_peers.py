"""The benchmark compares like with like: its NumPy steps and its roofline twin compute
what they claim (no timing here)."""
import importlib.util
import pathlib

import numpy as np
import pytest

from ngc_rules import optim

# loaded under its own name: the tests have a ``peers`` module too
_SPEC = importlib.util.spec_from_file_location(
    "benchmark_peers", pathlib.Path(__file__).parents[1] / "benchmarks" / "peers.py")
peers = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(peers)


@pytest.mark.parametrize("rule", ["sgd", "nag", "adam"])
def test_numpy_step_matches_ngc_rules(rule):
    rng = np.random.default_rng(0)
    theta = rng.standard_normal((7, 5)).astype(np.float32)
    p, ours, state = theta.copy(), [theta.copy()], optim.get_opt_init_fn(rule)([theta])
    s = [np.zeros_like(p) for _ in range(peers.STATE_ARRAYS[rule])]
    work = np.empty_like(p)
    for t in range(1, 5):
        g = rng.standard_normal(p.shape).astype(np.float32)
        peers._NUMPY[rule](p, g, s, work, t, **peers.HYPERPARAMETERS[rule])
        state, ours = getattr(optim, f"{rule}_step")(state, ours, [g],
                                                      **peers.HYPERPARAMETERS[rule])
    np.testing.assert_allclose(p, ours[0], rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("rule", ["sgd", "nag", "adam"])
@pytest.mark.parametrize("shapes", [[(3, 4), (4,)], [(1 << 15,)]])
def test_roofline_twin_moves_every_array(rule, shapes):
    theta = [np.zeros(s, np.float32) for s in shapes]
    grads = [np.full(s, 2.0, np.float32) for s in shapes]
    call = peers.roofline_twin(rule, theta, grads)
    call()
    call()
    written, _, states = call.args[:3]
    arrays = list(written) + [a for leaf in states for a in leaf]
    assert len(arrays) == len(shapes) * (1 + peers.STATE_ARRAYS[rule])
    for array in arrays:
        np.testing.assert_array_equal(array, 4.0)


def test_bytes_per_parameter():
    assert [peers.bytes_per_parameter(r) for r in ("sgd", "nag", "adam")] == [12, 20, 28]
