"""Long runs keep exact counters and finite bias corrections; threads stepping different
parameter sets at once get what serial steps get."""
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from ngc_rules import optim
from reference import assert_close, trajectory
from rules import RULES, random_problem, state_arrays

LONG = 10_000_000


def _at_step(opt_params, t):
    """The state with its counter set to ``t`` (as if ``t`` steps had been taken)."""
    if isinstance(opt_params, np.ndarray):
        return np.array(t, np.int64)
    return opt_params._replace(t=np.array(t, np.int64))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rule", RULES)
def test_steps_after_ten_million_match_the_reference(rule, dtype):
    """Bias corrections at t = 1e7 (beta**t underflows to 0) stay finite and exact; the
    counter keeps counting one by one."""
    init, step, hp = RULES[rule]
    theta0, updates = random_problem(7, [(5, 3), (4,)], dtype, 3)
    state = _at_step(init(theta0), LONG)
    theta = [p.copy() for p in theta0]
    for u in updates:
        state, theta = step(state, theta, u, inplace=True, **hp)
    counter = state if isinstance(state, np.ndarray) else state.t
    assert int(counter) == LONG + 3 and counter.dtype == np.int64
    expected = trajectory(rule, theta0, updates, t0=LONG, **hp)
    for p, e in zip(theta, expected[-1]):
        assert np.all(np.isfinite(p))
        assert_close(p, e, dtype, ulps=8)


def test_a_counter_at_its_largest_value_is_refused_not_wrapped():
    theta = np.zeros(2)
    state = optim.adam_init(theta)._replace(t=np.array(np.iinfo(np.int64).max))
    with pytest.raises(TypeError, match="step counter"):
        optim.adam_step(state, theta, np.ones(2), inplace=True)
    assert int(state.t) == np.iinfo(np.int64).max and not theta.any()


def _train(rule, seed, shapes, steps):
    init, step, hp = RULES[rule]
    theta, updates = random_problem(seed, shapes, np.float32, steps)
    state = init(theta)
    for u in updates:
        state, theta = step(state, theta, u, inplace=True, **hp)
    return state_arrays(state) + theta


@pytest.mark.parametrize("rule", ["adam", "nag"])
def test_threads_stepping_different_parameters_match_serial(rule):
    # 40_000 elements: above PARALLEL_THRESHOLD, so each step is itself multi-threaded
    jobs = [(rule, seed, [(200, 200), (7,)], 6) for seed in range(8)]
    serial = [_train(*job) for job in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda job: _train(*job), jobs))
    for one, other in zip(serial, threaded):
        for a, b in zip(one, other):
            assert a.tobytes() == b.tobytes()


_WORKQUEUE_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
import numba
from test_long_runs_and_threads import test_threads_stepping_different_parameters_match_serial
test_threads_stepping_different_parameters_match_serial("adam")
print(numba.threading_layer())
"""


def test_threads_are_safe_under_numbas_workqueue_layer():
    """The workqueue layer aborts on concurrent parallel launches: ours take turns there."""
    environment = dict(os.environ, NUMBA_THREADING_LAYER="workqueue")
    script = _WORKQUEUE_SCRIPT.format(tests=str(Path(__file__).parent))
    done = subprocess.run([sys.executable, "-c", script], env=environment,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "workqueue"
