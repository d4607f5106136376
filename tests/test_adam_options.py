"""Adam options with no recorded peer trajectory, against plain float64 NumPy written
from the peers' published update rules (neon's Adam, OpenFL's NumPyAdam)."""
import numpy as np
import pytest

from ngc_rules import optim
from reference import assert_close
from rules import random_problem
from seed_references import neon_adam, openfl_adam

SHAPES = [(3, 4), (5,)]


@pytest.mark.parametrize("clip_norm", [0.5, 100.0], ids=["clipping", "not-clipping"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_neon_step_clip_norm_batch_size_and_param_clip(dtype, clip_norm):
    theta0, updates = random_problem(3, SHAPES, dtype, 4)
    theta0 = [3 * p for p in theta0]  # some parameters start beyond param_clip
    hp = dict(lr=0.05, b1=0.9, b2=0.999, eps=1e-8, batch_size=4.0, clip_norm=clip_norm,
              clip_value=0.2, param_clip=2.5)
    expected = neon_adam([p.astype(np.float64) for p in theta0],
                         [[u.astype(np.float64) for u in us] for us in updates], **hp)
    state, theta = optim.adam_init(theta0), theta0
    for s, us in enumerate(updates):
        state, theta = optim.adam_step(
            state, theta, us, eta=hp["lr"], eps=hp["eps"], epsilon_hat=True,
            loss_scale=hp["batch_size"], clip_value=hp["clip_value"],
            step_clip_norm=clip_norm, param_clip=hp["param_clip"])
        for i, p in enumerate(theta):
            assert np.all(np.abs(p) <= hp["param_clip"])
            assert_close(p, expected[s][i], dtype, ulps=8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_openfl_initial_accumulator_value(dtype):
    theta0, updates = random_problem(4, SHAPES, dtype, 4)
    expected = openfl_adam(theta0, updates, lr=0.01, b1=0.9, b2=0.999, eps=1e-8, initial=0.1)
    state, theta = optim.adam_init(theta0, initial_accumulator_value=0.1), theta0
    np.testing.assert_array_equal(state.m[0], np.full(SHAPES[0], 0.1, dtype))
    for s, us in enumerate(updates):
        state, theta = optim.adam_step(state, theta, us, eta=0.01)
        for i, p in enumerate(theta):
            assert_close(p, expected[s][i], dtype, ulps=8)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(clip_norm=1.0, global_clip_norm=1.0), ValueError,
     ["only one of", "clip_norm=1.0", "global_clip_norm=1.0"]),
    (dict(clip_norm=1.0, step_clip_norm=2.0), ValueError, ["step_clip_norm=2.0"]),
    (dict(amsgrad="corrected", epsilon_hat=True), ValueError, ["corrected", "epsilon_hat"]),
    (dict(amsgrad="max"), ValueError, ["amsgrad", "'max'", "'corrected'"]),
    (dict(moments="adam"), ValueError, ["moments", "'ema'", "'lerp'"]),
    (dict(clip_value=0.0), ValueError, ["clip_value", "> 0", "0.0"]),
    (dict(loss_scale=-2), ValueError, ["loss_scale", "-2"]),
    (dict(weight_decay=float("nan")), ValueError, ["weight_decay", "finite", "nan"]),
    (dict(eps_root=-1e-8), ValueError, ["eps_root", ">= 0"]),
    (dict(param_clip="1"), TypeError, ["param_clip", "'1'"]),
    (dict(amsgrad=True), TypeError, ["amsgrad=True", "adam_init(theta, amsgrad=True)",
                                      "AdamState"]),
])
def test_bad_options_are_refused_and_change_nothing(kwargs, error, words):
    theta = [np.ones(3, np.float32)]
    state = optim.adam_init(theta)
    with pytest.raises(error) as raised:
        optim.adam_step(state, theta, [np.ones(3, np.float32)], inplace=True, **kwargs)
    for word in words:
        assert word in str(raised.value)
    np.testing.assert_array_equal(theta[0], 1.0)
    assert int(state.t) == 0 and not state.m[0].any()


def test_amsgrad_state_is_refused_without_amsgrad():
    theta = np.ones(2)
    with pytest.raises(TypeError, match="amsgrad=False needs"):
        optim.adam_step(optim.adam_init(theta, amsgrad=True), theta, np.ones(2))
