"""The table every optimizer test runs over: each rule with non-default hyperparameters."""
import functools

import numpy as np

from ngc_rules import optim

RULES = {
    "sgd": (optim.sgd_init, optim.sgd_step, {"eta": 0.05}),
    "nag": (optim.nag_init, optim.nag_step, {"eta": 0.02, "mu": 0.7}),
    "adam": (optim.adam_init, optim.adam_step,
             {"eta": 0.01, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6}),
    "momentum": (optim.momentum_init, optim.momentum_step,
                 {"eta": 0.03, "mu": 0.8, "nesterov": True, "l2": 0.01}),
    "nadam": (optim.adam_init, functools.partial(optim.adam_step, nesterov=True),
              {"eta": 0.01, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6}),
    "adamax": (optim.adam_init, functools.partial(optim.adam_step, infinity_norm=True),
               {"eta": 0.01, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6}),
}
SHAPES = [(), (0,), (1,), (7,), (3, 5), (2, 3, 4), (33, 17)]


def random_problem(seed, shapes, dtype, steps):
    """theta0 and a list of per-step updates, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    theta0 = [rng.standard_normal(s).astype(dtype) for s in shapes]
    updates = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(steps)]
    return theta0, updates


def state_arrays(tree):
    """Every array in a state or parameter tree (counters included), depth first."""
    if isinstance(tree, dict):
        return [a for value in tree.values() for a in state_arrays(value)]
    if isinstance(tree, (list, tuple)):
        return [a for value in tree for a in state_arrays(value)]
    return [tree]
