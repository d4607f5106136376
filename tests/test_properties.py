"""Properties over random rules, hyperparameters, Adam options, shapes, dtypes and step
counts: the float64 NumPy reference within a stated bound, functional steps that never
mutate their inputs, in-place steps equal to functional ones, and serial kernels equal to
multi-threaded ones."""
import contextlib
import functools

import numpy as np
import pytest
from hypothesis import given

from ngc_rules import optim
from ngc_rules.optim import _cpu
from properties import adam_options, problems, rule_settings, unless_refused
from reference import adam_with_options, trajectory
from rules import RULES, state_arrays

ULPS = 16
"""Bound on the distance to the float64 reference, in ulps of the parameters' dtype at the
magnitude the trajectory reached (so rounding of earlier steps that later cancel counts at
the size it had)."""


def _copies(tree):
    return [np.array(a, copy=True) for a in state_arrays(tree)]


def _same_bytes(one, other):
    return all(a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
               for a, b in zip(one, other)) and len(one) == len(other)


@contextlib.contextmanager
def _kernels(kind):
    """Force the serial or the multi-threaded kernels for every step in the block."""
    saved = _cpu.PARALLEL_THRESHOLD
    _cpu.PARALLEL_THRESHOLD = 0 if kind == "parallel" else 1 << 62
    try:
        yield
    finally:
        _cpu.PARALLEL_THRESHOLD = saved


def _run(step, init_kwargs, hp, theta0, updates, inplace):
    init = RULES_INIT[step]
    theta = [p.copy() for p in theta0]
    state = init(theta, **init_kwargs)
    for u in updates:
        state, theta = step(state, theta, u, inplace=inplace, **hp)
    return state_arrays(state) + list(theta)


RULES_INIT = {step: init for init, step, _ in RULES.values()}


@given(rule_settings(), problems())
def test_steps_match_the_float64_reference(setting, problem):
    rule, hp = setting
    init, step, _ = RULES[rule]
    theta0, updates = problem
    state, theta = init(theta0), theta0
    for u in updates:
        state, theta = step(state, theta, u, **hp)
    _assert_on_trajectory(theta, theta0, trajectory(rule, theta0, updates, **hp))


@given(options=adam_options(hyperparameters=True), problem=problems())
def test_adam_options_match_the_float64_reference(options, problem):
    theta0, updates = problem
    state = optim.adam_init(theta0, amsgrad=options.get("amsgrad", False))
    theta = theta0
    with unless_refused(options):
        for u in updates:
            state, theta = optim.adam_step(state, theta, u, **options)
    _assert_on_trajectory(theta, theta0, adam_with_options(theta0, updates, **options))


def _assert_on_trajectory(theta, theta0, expected):
    """``theta`` is the reference's last step within ``ULPS``, in its own dtype."""
    dtype = theta0[0].dtype
    for i, p in enumerate(theta):
        assert p.dtype == dtype and p.shape == theta0[i].shape
        scale = functools.reduce(np.maximum, [np.abs(e[i]) for e in expected],
                                 np.maximum(np.abs(theta0[i]), 1.0))
        error = np.abs(p - expected[-1][i]) / (np.finfo(dtype).eps * scale)
        assert np.max(error, initial=0.0) <= ULPS, f"off by {np.max(error):.1f} ulps"


@pytest.mark.parametrize("kernels", ["serial", "parallel"])
@given(setting=rule_settings(), problem=problems())
def test_functional_never_mutates_and_in_place_equals_it(kernels, setting, problem):
    rule, hp = setting
    _, step, _ = RULES[rule]
    theta0, updates = problem
    inputs = _copies(theta0) + _copies(updates)
    with _kernels(kernels):
        functional = _run(step, {}, hp, theta0, updates, inplace=False)
        assert _same_bytes(inputs, _copies(theta0) + _copies(updates))
        assert _same_bytes(functional, _run(step, {}, hp, theta0, updates, inplace=True))


@given(options=adam_options(), problem=problems(max_steps=3))
def test_adam_options_serial_parallel_in_place_and_functional_agree(options, problem):
    theta0, updates = problem
    init_kwargs = {"amsgrad": options["amsgrad"]} if "amsgrad" in options else {}
    results = {}
    with unless_refused(options):
        for kernels in ("serial", "parallel"):
            with _kernels(kernels):
                for inplace in (False, True):
                    results[kernels, inplace] = _run(optim.adam_step, init_kwargs, options,
                                                     theta0, updates, inplace)
    baseline = results["serial", False]
    assert all(np.all(np.isfinite(a)) for a in baseline)
    for result in results.values():
        assert _same_bytes(baseline, result)
