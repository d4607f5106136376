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
from dataclasses import dataclass, fields

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


@dataclass(frozen=True)
class diag_offdiag(Initializer):
    """``on_diag`` on the main diagonal, ``off_diag`` elsewhere (a 2-D shape)."""
    on_diag: float
    off_diag: float

    def __post_init__(self):
        real("on_diag", self.on_diag)
        real("off_diag", self.off_diag)

    def sample(self, shape, rng):
        if len(shape) != 2:
            raise ValueError(f"diag_offdiag needs a 2-D shape, got {shape}")
        eye = np.eye(*shape)
        return self.on_diag * eye + self.off_diag * (1 - eye)


_BY_NAME = {"constant": constant, "uniform": uniform, "gaussian": gaussian,
            "fan_in_gaussian": fan_in_gaussian, "fan_in_uniform": fan_in_uniform,
            "diag_offdiag": diag_offdiag}

# ngc-learn's dict form (ngc-learn 1.2 to 2.x, ngclearn/utils/weight_distribution.py,
# initialize_params): each "dist", the keys it reads with their defaults there, and what
# makes the same initializer here from those values.
_DICTS = {
    "constant": ({"value": 1.0}, constant),
    "uniform": ({"amin": 0.0, "amax": 1.0}, uniform),
    "gaussian": ({"mu": 0.0, "sigma": 1.0}, gaussian),
    "normal": ({"mu": 0.0, "sigma": 1.0}, gaussian),
    "fan_in_gaussian": ({}, fan_in_gaussian),
    "fan_in_uniform": ({}, fan_in_uniform),
    "hollow": ({"scale": 1.0}, lambda scale: diag_offdiag(0.0, scale)),
    "eye": ({"scale": 1.0}, lambda scale: diag_offdiag(scale, 0.0)),
}


def _from_dict(init, name):
    """The initializer of ngc-learn's dict form, such as ``{"dist": "uniform", "amin":
    -0.1, "amax": 0.1}``; its post-processing keys (clipping, masks) are refused."""
    dist = init.get("dist")
    if dist not in _DICTS:
        raise ValueError(f"{name}: unknown dist {dist!r} in {init!r}; expected one of "
                         f"{sorted(_DICTS)}")
    keys, make = _DICTS[dist]
    unknown = sorted(set(init) - set(keys) - {"dist"})
    if unknown:
        raise ValueError(f"{name}: dist {dist!r} takes the keys {sorted(keys)}, not "
                         f"{unknown}, in {init!r}")
    try:
        return make(*(init.get(key, default) for key, default in keys.items()))
    except (TypeError, ValueError) as error:  # name the dict the bad value came in
        raise type(error)(f"{name}: {init!r}: {error}") from None


def resolve(init, name):
    """An initializer from an :class:`Initializer`, any callable ``(shape, rng)``,
    ngc-learn's tuple form such as ``("uniform", -0.1, 0.1)`` or its dict form such as
    ``{"dist": "gaussian", "mu": 0., "sigma": 0.05}``.

    Example:
        >>> from ngc_rules import initializers
        >>> initializers.resolve({"dist": "uniform", "amin": 0.025, "amax": 0.8}, "w")
        uniform(low=0.025, high=0.8)
        >>> initializers.resolve({"dist": "eye", "scale": 2.0}, "w")
        diag_offdiag(on_diag=2.0, off_diag=0.0)
    """
    if isinstance(init, dict):
        return _from_dict(init, name)
    if isinstance(init, tuple) and init and isinstance(init[0], str):
        kind = _BY_NAME.get(init[0])
        if kind is None:
            raise ValueError(f"{name}: unknown initializer {init[0]!r}; expected one of "
                             f"{sorted(_BY_NAME)}")
        takes = [field.name for field in fields(kind)]
        if len(init) - 1 > len(takes):
            raise ValueError(f"{name}: {init!r} gives {len(init) - 1} values, but "
                             f"{init[0]!r} takes at most {len(takes)}: {', '.join(takes)}")
        return kind(*init[1:])
    if callable(init):
        return init
    raise TypeError(f"{name} must be an initializer such as ngc_rules.initializers.uniform"
                    f"(-0.1, 0.1), a tuple like ('uniform', -0.1, 0.1) or a dict like "
                    f"{{'dist': 'uniform', 'amin': -0.1, 'amax': 0.1}}, got {init!r}")


__all__ = ["Initializer", "constant", "uniform", "gaussian", "fan_in_gaussian",
           "fan_in_uniform", "diag_offdiag", "resolve"]
