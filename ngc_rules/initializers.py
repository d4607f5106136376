"""Initializers for synaptic weights and biases: callables ``(shape, rng) -> array``.

Each factory returns a small frozen object, so an initializer can be printed, compared and
stored in a synapse's configuration. ``rng`` is a :class:`numpy.random.Generator` (or a
seed): the same seed gives the same array.

Example:
    >>> import numpy as np
    >>> from ngc_rules import initializers
    >>> init = initializers.uniform(-0.1, 0.1)
    >>> w = init((3, 2), np.random.default_rng(0))
    >>> w.shape, w.dtype, bool(np.all(np.abs(w) <= 0.1))
    ((3, 2), dtype('float32'), True)
    >>> np.array_equal(w, init((3, 2), 0))
    True
"""
import math
from dataclasses import dataclass

import numpy as np

from .optim._checks import real


def _generator(rng):
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


@dataclass(frozen=True)
class Initializer:
    """Base of the initializers: ``init(shape, rng, dtype=np.float32)``."""

    def __call__(self, shape, rng=None, dtype=np.float32):
        shape = tuple(int(n) for n in np.atleast_1d(shape))
        return self.sample(shape, _generator(rng)).astype(dtype, copy=False)

    def sample(self, shape, rng):
        raise NotImplementedError


@dataclass(frozen=True)
class constant(Initializer):
    """Every entry equal to ``value``."""
    value: float = 0.0

    def __post_init__(self):
        real("value", self.value)

    def sample(self, shape, rng):
        return np.full(shape, self.value)


@dataclass(frozen=True)
class uniform(Initializer):
    """Uniform on ``[low, high)``."""
    low: float = 0.0
    high: float = 1.0

    def __post_init__(self):
        if not real("low", self.low) < real("high", self.high):
            raise ValueError(f"uniform needs low < high, got low={self.low!r}, "
                             f"high={self.high!r}")

    def sample(self, shape, rng):
        return rng.uniform(self.low, self.high, shape)


@dataclass(frozen=True)
class gaussian(Initializer):
    """Normal with mean ``mean`` and standard deviation ``std``."""
    mean: float = 0.0
    std: float = 1.0

    def __post_init__(self):
        real("mean", self.mean)
        if real("std", self.std) < 0:
            raise ValueError(f"std must be >= 0, got {self.std!r}")

    def sample(self, shape, rng):
        return rng.normal(self.mean, self.std, shape)


@dataclass(frozen=True)
class fan_in_gaussian(Initializer):
    """Normal with standard deviation ``scale / sqrt(fan_in)``, ``fan_in = shape[0]``."""
    scale: float = 1.0

    def __post_init__(self):
        if real("scale", self.scale) < 0:
            raise ValueError(f"scale must be >= 0, got {self.scale!r}")

    def sample(self, shape, rng):
        return rng.normal(0.0, self.scale / math.sqrt(max(shape[0], 1)), shape)


@dataclass(frozen=True)
class fan_in_uniform(Initializer):
    """Uniform on ``[-scale/sqrt(fan_in), scale/sqrt(fan_in))``, ``fan_in = shape[0]``."""
    scale: float = 1.0

    def __post_init__(self):
        if real("scale", self.scale) <= 0:
            raise ValueError(f"scale must be > 0, got {self.scale!r}")

    def sample(self, shape, rng):
        bound = self.scale / math.sqrt(max(shape[0], 1))
        return rng.uniform(-bound, bound, shape)


_BY_NAME = {"constant": constant, "uniform": uniform, "gaussian": gaussian,
            "fan_in_gaussian": fan_in_gaussian, "fan_in_uniform": fan_in_uniform}


def resolve(init, name):
    """An initializer from an :class:`Initializer`, any callable ``(shape, rng)``, or
    ngc-learn's tuple form such as ``("uniform", -0.1, 0.1)`` or ``("gaussian", 0., 0.05)``."""
    if isinstance(init, tuple) and init and isinstance(init[0], str):
        kind = _BY_NAME.get(init[0])
        if kind is None:
            raise ValueError(f"{name}: unknown initializer {init[0]!r}; expected one of "
                             f"{sorted(_BY_NAME)}")
        return kind(*init[1:])
    if callable(init):
        return init
    raise TypeError(f"{name} must be an initializer such as ngc_rules.initializers.uniform"
                    f"(-0.1, 0.1) or a tuple like ('uniform', -0.1, 0.1), got {init!r}")


__all__ = ["Initializer", "constant", "uniform", "gaussian", "fan_in_gaussian",
           "fan_in_uniform", "resolve"]
