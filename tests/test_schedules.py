"""Learning-rate schedules: Keras' formulas (written here in float64) at many steps."""
import math

import pytest

from ngc_rules import schedules as S


def cosine(step, decay_steps, alpha=0.0):
    step = min(step, decay_steps)
    return (1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay_steps)) + alpha


def restarts(step, first, t_mul, m_mul, alpha):
    fraction, i, length = step / first, 0, 1.0
    while fraction >= length:  # walk the periods: each t_mul times longer
        fraction -= length
        length *= t_mul
        i += 1
    return m_mul ** i * 0.5 * (1 + math.cos(math.pi * fraction / length)) * (1 - alpha) + alpha


CASES = [
    (S.ExponentialDecay(0.1, 3, 0.5), lambda s: 0.1 * 0.5 ** (s / 3)),
    (S.ExponentialDecay(0.1, 3, 0.5, staircase=True), lambda s: 0.1 * 0.5 ** (s // 3)),
    (S.InverseTimeDecay(0.2, 2, 0.5), lambda s: 0.2 / (1 + 0.5 * s / 2)),
    (S.InverseTimeDecay(0.2, 2, 0.5, staircase=True), lambda s: 0.2 / (1 + 0.5 * (s // 2))),
    (S.PiecewiseConstantDecay([3, 7], [1.0, 0.5, 0.1]),
     lambda s: 1.0 if s <= 3 else 0.5 if s <= 7 else 0.1),
    (S.PolynomialDecay(0.1, 8, 0.01, power=2.0),
     lambda s: (0.1 - 0.01) * (1 - min(s, 8) / 8) ** 2 + 0.01),
    (S.PolynomialDecay(0.1, 4, 0.0, cycle=True),
     lambda s: 0.1 * (1 - s / (4 * max(1, math.ceil(s / 4))))),
    (S.CosineDecay(0.1, 10, alpha=0.1), lambda s: 0.1 * cosine(s, 10, 0.1)),
    (S.CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=4),
     lambda s: 0.2 * s / 4 if s < 4 else 0.2 * cosine(min(s, 14) - 4, 10)),
    (S.CosineDecayRestarts(0.1, 3), lambda s: 0.1 * restarts(s, 3, 2.0, 1.0, 0.0)),
    (S.CosineDecayRestarts(0.1, 3, t_mul=1.0, m_mul=0.5, alpha=0.2),
     lambda s: 0.1 * restarts(s, 3, 1.0, 0.5, 0.2)),
]


@pytest.mark.parametrize("schedule, formula", CASES, ids=lambda c: repr(c)[:60])
def test_schedule_follows_keras_formula(schedule, formula):
    for step in range(25):
        assert schedule(step) == pytest.approx(formula(step), rel=2e-6, abs=1e-8), step


@pytest.mark.parametrize("schedule, formula", CASES, ids=lambda c: repr(c)[:60])
def test_schedule_round_trips_through_its_config(schedule, formula):
    again = S.deserialize(S.serialize(schedule))
    assert again == schedule and again(5) == schedule(5)


@pytest.mark.parametrize("make, words", [
    (lambda: S.ExponentialDecay(0.1, 0, 0.5), ["decay_steps", "> 0", "0"]),
    (lambda: S.CosineDecayRestarts(0.1, -1), ["first_decay_steps", "-1"]),
    (lambda: S.PiecewiseConstantDecay([1, 2], [1.0]), ["1 less", "boundaries"]),
    (lambda: S.PiecewiseConstantDecay([2, 1], [1.0, 0.5, 0.1]), ["increasing"]),
    (lambda: S.deserialize({"class_name": "Warmup"}), ["unknown", "Warmup"]),
    (lambda: S.ExponentialDecay(0.1, 2, 0.5)(-1), ["step", "-1"]),
])
def test_bad_schedules_are_refused(make, words):
    with pytest.raises(ValueError) as error:
        make()
    for word in words:
        assert word in str(error.value)


def test_step_functions_take_schedules_and_callables():
    import numpy as np
    from ngc_rules.optim import sgd_init, sgd_step
    theta, t = np.zeros(1), sgd_init(None)
    for _ in range(3):
        t, theta = sgd_step(t, theta, np.ones(1), eta=S.PiecewiseConstantDecay([0], [1.0, 0.5]))
    assert theta[0] == -2.0
    t, theta = sgd_step(t, theta, np.ones(1), eta=lambda: 0.25)
    assert theta[0] == -2.25
    with pytest.raises(ValueError, match="eta must be >= 0"):
        sgd_step(t, theta, np.ones(1), eta=lambda: -1.0)
