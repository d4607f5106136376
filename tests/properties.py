"""Hypothesis strategies shared by the CPU and CUDA property tests: random rules,
hyperparameters, Adam options, shapes (empty and 0-d included), dtypes and step counts."""
import contextlib
import os

import numpy as np
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rules import RULES

# Few examples per test keep CI fast; HYPOTHESIS_PROFILE=thorough tries many more.
settings.register_profile("ci", max_examples=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def log_uniform(low, high):
    return st.floats(np.log10(low), np.log10(high)).map(lambda e: float(10.0 ** e))


_BETAS = dict(beta1=st.floats(0.0, 0.99), beta2=st.floats(0.5, 0.9999),
              eps=log_uniform(1e-8, 1e-2))
HYPERPARAMETERS = {
    "sgd": dict(eta=st.floats(0.0, 1.0)),
    "nag": dict(eta=st.floats(0.0, 1.0), mu=st.floats(0.0, 0.99)),
    "adam": dict(eta=st.floats(0.0, 1.0), **_BETAS),
    "momentum": dict(eta=st.floats(0.0, 1.0), mu=st.floats(0.01, 0.99),
                     nesterov=st.booleans(), l2=st.floats(0.0, 0.1)),
    "nadam": dict(eta=st.floats(0.0, 1.0), **_BETAS),
    "adamax": dict(eta=st.floats(0.0, 1.0), **_BETAS),
}
assert set(HYPERPARAMETERS) == set(RULES)

ADAM_OPTIONS = dict(
    amsgrad=st.sampled_from([True, "corrected"]), weight_decay=st.floats(0.0, 0.1),
    l2=st.floats(0.0, 0.1), maximize=st.booleans(), eps_root=log_uniform(1e-12, 1e-4),
    epsilon_hat=st.booleans(), moments=st.sampled_from(["ema", "lerp"]),
    clip_value=log_uniform(1e-2, 10.0), clip_norm=log_uniform(1e-2, 10.0),
    global_clip_norm=log_uniform(1e-2, 10.0), step_clip_norm=log_uniform(1e-2, 10.0),
    param_clip=log_uniform(0.5, 10.0),
    loss_scale=log_uniform(0.1, 100.0), scalar_precision=st.sampled_from(["param", "keras"]),
    nesterov=st.just(True), infinity_norm=st.just(True),
)

shapes = st.lists(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
                  min_size=1, max_size=3)
dtypes = st.sampled_from([np.float32, np.float64])


@st.composite
def rule_settings(draw):
    """A rule of the table and hyperparameters drawn around it."""
    rule = draw(st.sampled_from(sorted(RULES)))
    return rule, {k: draw(v) for k, v in HYPERPARAMETERS[rule].items()}


@st.composite
def adam_options(draw, hyperparameters=False):
    """A few of Adam's options together (some combinations are refused: callers check),
    with random ``eta``, betas and ``eps`` when ``hyperparameters``."""
    names = draw(st.lists(st.sampled_from(sorted(ADAM_OPTIONS)), max_size=4, unique=True))
    drawn = HYPERPARAMETERS["adam"] if hyperparameters else {}
    return {name: draw(strategy) for name, strategy in
            [*drawn.items(), *((name, ADAM_OPTIONS[name]) for name in names)]}


@contextlib.contextmanager
def unless_refused(options):
    """Run the block; a combination the options exclude is refused with a message naming
    one of them, and is then no example."""
    try:
        yield
    except ValueError as refusal:
        assert any(name in str(refusal) for name in options)
        assume(False)


@st.composite
def problems(draw, max_steps=4):
    """``(theta0, updates)``: float arrays of random shapes, updates at a random scale."""
    dtype = draw(dtypes)
    sizes = draw(shapes)
    steps = draw(st.integers(1, max_steps))
    scale = draw(log_uniform(1e-2, 1e2))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    theta0 = [rng.standard_normal(s).astype(dtype) for s in sizes]
    updates = [[(scale * rng.standard_normal(s)).astype(dtype) for s in sizes]
               for _ in range(steps)]
    return theta0, updates
