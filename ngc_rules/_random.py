"""Counter-based random numbers: each draw is a hash of ``(seed, step, index)``.

A component that draws (a Poisson or Bernoulli encoder) keeps its seed and a step count
in its compartments, so its draws follow from its state alone: the same seed gives the
same spikes whether it is stepped on its own or inside a compiled network step, serially
or across threads, on the CPU or on CUDA. No generator state is shared between
components. The hash is SplitMix64's finalizer (Steele, Lea and Flood, "Fast splittable
pseudorandom number generators", OOPSLA 2014), applied twice.
"""
import numba
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_ODD = np.uint64(0xD1B54A32D192ED03)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S40 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(40)
_TWO_TO_MINUS_24 = np.float32(2.0 ** -24)


@numba.njit(inline="always")
def _mix(x):
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


@numba.njit(inline="always")
def bits(seed, step, index):
    """64 random bits for draw ``index`` of step ``step`` under ``seed`` (all integers
    >= 0)."""
    stream = _mix(np.uint64(seed) + _GOLDEN * (np.uint64(step) + np.uint64(1)))
    return _mix(stream ^ (_ODD * (np.uint64(index) + np.uint64(1))))


@numba.njit(inline="always")
def uniform32(seed, step, index):
    """A float32 uniform on ``[0, 1)``, a multiple of 2**-24 (as JAX's float32 draws)."""
    return np.float32(bits(seed, step, index) >> _S40) * _TWO_TO_MINUS_24


def new_seed():
    """A seed from the operating system's entropy, for components given none."""
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
