"""Stochastic rounding in plain NumPy, written from its definition, for the tests."""
import numpy as np

from ngc_rules.optim.adam import _round_key


def uniform(i, key):
    """The documented hash of (element index, step key) to [0, 1), in NumPy int64."""
    h = (np.asarray(i, np.int64) + key * 0x3C6EF35) & 0xFFFFFFFF
    h = (((h >> 16) ^ h) * 0x45D9F3B) & 0xFFFFFFFF
    h = (((h >> 16) ^ h) * 0x45D9F3B) & 0xFFFFFFFF
    return ((h >> 16) ^ h) * 2.0 ** -32


def round_stochastically(x, bits, seed, t, emin=-126):
    """Each x rounded to ``bits`` mantissa bits: up with the probability of its remainder."""
    x = np.asarray(x)
    exponent = np.maximum(np.frexp(x)[1] - 1, emin)
    spacing = np.ldexp(np.ones_like(x), exponent - bits)
    scaled = x / spacing
    low = np.floor(scaled)
    u = uniform(np.arange(x.size).reshape(x.shape), int(_round_key(seed, t)))
    out = (low + (u < scaled - low)) * spacing
    return np.where((x == 0) | ~np.isfinite(x), x, out).astype(x.dtype)
