"""Learning-rate schedules with Keras' names, arguments and float32 arithmetic.

A schedule is called with the number of steps taken so far (0 on the first step) and
returns the learning rate. Every step function of ``ngc_rules.optim`` takes one as its
``eta``; ``compat.keras.Adam`` takes one as its ``learning_rate``. Like Keras, the
arithmetic is float32 (the dtype Keras gives ``initial_learning_rate``), so a schedule
feeds the exact same rates to the update.

Example:
    >>> from ngc_rules.schedules import ExponentialDecay
    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    >>> [round(schedule(step), 6) for step in (0, 9, 10, 25)]
    [0.1, 0.1, 0.05, 0.025]
"""
import math

import numpy as np

_F = np.float32


def _positive_steps(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not value > 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value!r}")
    return value


def _step(step):
    if isinstance(step, (bool, np.bool_)) or not isinstance(step, (int, np.integer)) \
            or step < 0:
        raise ValueError(f"a schedule is called with the number of steps taken, a whole "
                         f"number >= 0; got step={step!r}")
    return _F(step)


class LearningRateSchedule:
    """Base class: ``schedule(step) -> learning rate``; subclasses define ``rate``."""

    def __call__(self, step):
        return float(self.rate(_step(step)))

    def rate(self, step):
        """The learning rate at ``step`` (a float32 scalar), in float32 arithmetic."""
        raise NotImplementedError(f"{type(self).__name__} must define rate(step)")

    def get_config(self):
        """The constructor arguments, as a dict (Keras' ``get_config``)."""
        return dict(self._config)

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        arguments = ", ".join(f"{k}={v!r}" for k, v in self._config.items())
        return f"{type(self).__name__}({arguments})"

    def __eq__(self, other):
        return type(self) is type(other) and self._config == other._config


class _StepDecay(LearningRateSchedule):
    """A decay driven by ``p = step / decay_steps`` (floored with ``staircase=True``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        _positive_steps("decay_steps", decay_steps)
        self._config = dict(initial_learning_rate=initial_learning_rate,
                            decay_steps=decay_steps, decay_rate=decay_rate,
                            staircase=staircase, name=name or type(self).__name__)

    def _progress(self, step):
        p = step / _F(self._config["decay_steps"])
        return np.floor(p) if self._config["staircase"] else p


class ExponentialDecay(_StepDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``.
    """

    def rate(self, step):
        c = self._config
        return _F(c["initial_learning_rate"]) * _F(c["decay_rate"]) ** self._progress(step)


class InverseTimeDecay(_StepDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    With ``staircase=True``, ``step / decay_steps`` is floored.
    """

    def rate(self, step):
        c = self._config
        return _F(c["initial_learning_rate"]) / (_F(1) + _F(c["decay_rate"])
                                                 * self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, and ``values[-1]`` after the last."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                f"The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        if any(b >= a for b, a in zip(boundaries, boundaries[1:])):
            raise ValueError(f"boundaries must be strictly increasing, got {boundaries}")
        self._config = dict(boundaries=list(boundaries), values=list(values), name=name)

    def rate(self, step):
        boundaries, values = self._config["boundaries"], self._config["values"]
        below = [i for i, boundary in enumerate(boundaries) if step <= boundary]
        return _F(values[below[0] if below else -1])


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step/decay_steps) ** power + end``, step capped at
    ``decay_steps``; with ``cycle=True`` the horizon grows to the next multiple of
    ``decay_steps`` instead."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name="PolynomialDecay"):
        _positive_steps("decay_steps", decay_steps)
        self._config = dict(initial_learning_rate=initial_learning_rate,
                            decay_steps=decay_steps, end_learning_rate=end_learning_rate,
                            power=power, cycle=cycle, name=name)

    def rate(self, step):
        c = self._config
        initial, end = _F(c["initial_learning_rate"]), _F(c["end_learning_rate"])
        horizon = _F(c["decay_steps"])
        if c["cycle"]:
            horizon = horizon * (_F(1) if step == 0 else np.ceil(step / horizon))
        else:
            step = min(step, horizon)
        return (initial - end) * (_F(1) - step / horizon) ** _F(c["power"]) + end


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup from ``initial_learning_rate`` to ``warmup_target`` over
    ``warmup_steps``, then ``lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps))
    + alpha)`` with ``s`` capped at ``decay_steps`` (``lr0`` is the warmup target, or the
    initial rate without warmup)."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _positive_steps("decay_steps", decay_steps)
        self._config = dict(initial_learning_rate=initial_learning_rate,
                            decay_steps=decay_steps, alpha=alpha, name=name,
                            warmup_target=warmup_target, warmup_steps=warmup_steps)

    def _decay(self, step, start):
        c = self._config
        cosine = _F(0.5) * (_F(1) + np.cos(_F(math.pi) * (step / _F(c["decay_steps"]))))
        return start * (_F(1 - c["alpha"]) * cosine + _F(c["alpha"]))

    def rate(self, step):
        c = self._config
        initial, decay_steps = _F(c["initial_learning_rate"]), _F(c["decay_steps"])
        if c["warmup_target"] is None:
            return self._decay(min(step, decay_steps), initial)
        target, warmup = _F(c["warmup_target"]), _F(c["warmup_steps"])
        step = min(step, decay_steps + warmup)
        if step < warmup:
            return (target - initial) * (step / warmup) + initial
        return self._decay(step - warmup, target)


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay from 1 to ``alpha`` over ``first_decay_steps``, then warm restarts:
    period ``i`` lasts ``t_mul**i`` times longer and starts at ``m_mul**i`` times the
    initial rate (SGDR, Loshchilov & Hutter)."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        _positive_steps("first_decay_steps", first_decay_steps)
        self._config = dict(initial_learning_rate=initial_learning_rate,
                            first_decay_steps=first_decay_steps, t_mul=t_mul, m_mul=m_mul,
                            alpha=alpha, name=name)

    def rate(self, step):
        c = self._config
        t_mul, m_mul, alpha = _F(c["t_mul"]), _F(c["m_mul"]), _F(c["alpha"])
        fraction = step / _F(c["first_decay_steps"])
        if t_mul == 1:
            restart = np.floor(fraction)
            fraction = fraction - restart
        else:
            restart = np.floor(np.log(_F(1) - fraction * (_F(1) - t_mul)) / np.log(t_mul))
            elapsed = (_F(1) - t_mul ** restart) / (_F(1) - t_mul)
            fraction = (fraction - elapsed) / t_mul ** restart
        cosine = _F(0.5) * m_mul ** restart * (_F(1) + np.cos(_F(math.pi) * fraction))
        return _F(c["initial_learning_rate"]) * ((_F(1) - alpha) * cosine + alpha)


SCHEDULES = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay,
                                           PiecewiseConstantDecay, PolynomialDecay,
                                           CosineDecay, CosineDecayRestarts)}


def serialize(schedule):
    """``{"class_name": ..., "config": ...}``, as Keras serializes a schedule."""
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config):
    """The schedule that :func:`serialize` described."""
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in SCHEDULES:
        raise ValueError(f"unknown learning-rate schedule {name!r}; expected one of "
                         f"{sorted(SCHEDULES)}")
    return SCHEDULES[name].from_config(config["config"])
