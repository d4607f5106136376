"""CPU kernels: the rules of ``_math`` compiled with Numba, serial and multi-threaded.

One call updates a whole tuple of same-dtype tensors (flattened to 1-D), so a step over a
network's parameter list costs one dispatch, and it can advance the step counter as its
last write: Python runs signal handlers between calls, so no KeyboardInterrupt lands
between a step's tensors and its count. Small steps run the serial kernel; above
``PARALLEL_THRESHOLD`` elements the ``prange`` kernel splits each tensor of at least that
size across threads, and runs the smaller ones (biases) serially.

Every kernel releases the GIL, so Python threads stepping different parameter sets run at
once. Numba's workqueue threading layer (its fallback when neither OpenMP nor TBB is
installed) aborts the process when two threads launch multi-threaded kernels together, so
under it those launches take turns; the OpenMP and TBB layers run them side by side.
"""
import functools
import threading

import numba
import numpy as np
from numba import njit, prange

from .._jit import cached_njit
from ._retarget import bind_driver, compile_rules

PARALLEL_THRESHOLD = 1 << 14
"""Total elements from which the multi-threaded kernel is used (see benchmarks/)."""


def _drive(params, grads, states, c, multipliers, counter):
    for k in range(len(params)):
        p = params[k]
        g = grads[k]
        s = states[k]
        w = multipliers[k]
        if p.size < PARALLEL_THRESHOLD:  # starting the threads would cost more than it saves
            for i in range(p.size):
                rule(i, p, g, s, c, w)  # noqa: F821 -- bound by bind_driver
        else:
            for i in prange(p.size):
                rule(i, p, g, s, c, w)  # noqa: F821
    for i in range(counter.size):  # the step's counter, advanced by the same call
        counter[i] += 1


_LAUNCH = threading.Lock()
_threadsafe_layer = False


def _launch(kernel, parallel, *args):
    """Call ``kernel``; a multi-threaded one under a lock unless the layer is threadsafe."""
    global _threadsafe_layer
    if not parallel or _threadsafe_layer:
        return kernel(*args)
    with _LAUNCH:
        result = kernel(*args)
        try:
            _threadsafe_layer = numba.threading_layer() in ("omp", "tbb")
        except ValueError:  # no thread pool started yet: keep taking turns
            pass
    return result


_OPTIONS = dict(error_model="numpy", nogil=True)
_RULES = compile_rules(njit(inline="always"))
KERNELS = {
    (name, parallel): cached_njit(parallel=parallel, **_OPTIONS)(
        bind_driver(_drive, rule, f"{name}_{'parallel' if parallel else 'serial'}"))
    for name, rule in _RULES.items() for parallel in (False, True)
}


NO_COUNTER = np.empty(0, np.int64)


def run(name, params, grads, states, coefficients, multipliers, dtype, counter=NO_COUNTER):
    """Apply rule ``name`` to tuples of 1-D contiguous arrays of one dtype, then add one
    to each element of ``counter`` (an int64 array of the step counter, or empty).

    The coefficients and the per-tensor gradient multipliers (None: all ones) travel as
    small arrays of the compute ``dtype``: one conversion each, where a tuple of NumPy
    scalars would cost one per number.
    """
    total = 0
    for p in params:
        total += p.size
    parallel = total >= PARALLEL_THRESHOLD
    _launch(KERNELS[name, parallel], parallel, params, grads, states,
            _array(coefficients, dtype),
            _ones(len(params), dtype) if multipliers is None else _array(multipliers, dtype),
            counter)


def _array(numbers, dtype):
    """A new 1-D array of Python floats (``np.fromiter`` converts them twice as fast as
    ``np.array`` does)."""
    return np.fromiter(numbers, dtype, len(numbers))


@functools.lru_cache(maxsize=64)
def _ones(n, dtype):
    """Multipliers of one, made once for each number of tensors (the kernels only read
    them)."""
    return np.ones(n, dtype)


def _sum_squares(arrays, out):
    for k in range(len(arrays)):
        a = arrays[k]
        total = 0.0
        for i in prange(a.size):
            x = np.float64(a[i])
            total += x * x
        out[k] = total


# Reassociation lets the float64 sum vectorize (and split across threads).
_SUM_SQUARES = {parallel: cached_njit(parallel=parallel, fastmath={"reassoc"},
                                      **_OPTIONS)(_sum_squares)
                for parallel in (False, True)}


def sum_squares(arrays):
    """``sum(a**2)`` of each 1-D array of a tuple, accumulated in float64."""
    out = np.empty(len(arrays))
    if arrays:
        parallel = sum(a.size for a in arrays) >= PARALLEL_THRESHOLD
        _launch(_SUM_SQUARES[parallel], parallel, arrays, out)
    return out


@cached_njit(**_OPTIONS)
def count_nonfinite(array):
    """The number of NaN and infinite elements of a 1-D float array (one vectorized pass;
    it already reads about as fast as one core can stream)."""
    n = 0
    for i in range(array.size):
        x = array[i]
        n += (x - x) != 0  # NaN exactly when x is NaN or infinite
    return n


# Row operations of sparse updates (``sparse.py``); NumPy's indexing does them exactly.
def sum_rows(values, inverse, n_rows):
    """Rows of ``values`` summed by group ``inverse``, in order of appearance."""
    values = np.asarray(values)
    summed = np.zeros((n_rows,) + values.shape[1:], values.dtype)
    np.add.at(summed, inverse, values)
    return summed


def take_rows(source, rows):
    return source[rows]


def put_rows(target, rows, source):
    target[rows] = source


index_array = np.asarray
zeros = np.zeros
