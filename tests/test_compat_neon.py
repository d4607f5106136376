"""``compat.neon.Adam`` against neon's update rule in NumPy, and its methods."""
import numpy as np
import pytest

from ngc_rules.compat.neon import Adam
from reference import assert_close
from rules import random_problem
from seed_references import neon_adam


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_optimize_matches_neon(dtype):
    theta0, updates = random_problem(41, [(4, 3), (5,)], dtype, 4)
    theta0 = [3 * p for p in theta0]
    hp = dict(lr=0.05, b1=0.9, b2=0.999, eps=1e-8, batch_size=4.0, clip_norm=0.5,
              clip_value=0.2, param_clip=2.5)
    expected = neon_adam([p.astype(np.float64) for p in theta0],
                         [[u.astype(np.float64) for u in us] for us in updates], **hp)
    opt = Adam(learning_rate=0.05, gradient_clip_norm=0.5, gradient_clip_value=0.2,
               param_clip_value=2.5, batch_size=4)
    params = [p.copy() for p in theta0]
    states = [[], []]
    for s, us in enumerate(updates):
        opt.optimize([((params[k], us[k]), states[k]) for k in range(2)], epoch=0)
        for k in range(2):
            assert_close(params[k], expected[s][k], dtype, ulps=8)
    assert [len(st) for st in states] == [2, 2] and opt.t == 4
    assert states[0][0].shape == (4, 3)  # neon's states hold (m, v)


def test_clip_helpers_follow_neon():
    opt = Adam(gradient_clip_norm=1.0, batch_size=2)
    grads = [np.array([3.0, 4.0]), np.array([0.0])]
    param_list = [((None, g), []) for g in grads]
    assert opt.clip_gradient_norm(param_list) == pytest.approx(1.0 / 2.5)
    assert opt.clip_gradient_norm(param_list, clip_norm=5.0) == 1.0
    np.testing.assert_array_equal(opt.clip_value(np.array([-3.0, 0.5]), -1.0), [-1.0, 0.5])
    np.testing.assert_array_equal(opt.clip_value(np.array([-3.0])), [-3.0])


def test_description_and_stochastic_rounding():
    opt = Adam(stochastic_round=7, learning_rate=0.01, name="a", seed=4)
    description = opt.get_description()
    assert description["type"] == "neon.optimizers.optimizer.Adam"
    assert description["config"]["stochastic_round"] == 7
    w = np.linspace(-1, 1, 101, dtype=np.float32)
    opt.optimize([((w, np.ones_like(w)), [])], epoch=0)
    spacing = np.ldexp(1.0, np.frexp(w)[1] - 1 - 7)
    assert np.all(w / spacing == np.round(w / spacing))  # bfloat16's grid


def test_a_refused_step_leaves_the_states_empty():
    opt = Adam()
    states = []
    with pytest.raises(ValueError, match="updates"):
        opt.optimize([((np.zeros(2), np.zeros(3)), states)], epoch=0)
    assert states == [] and opt.t == 0
