"""CUDA kernels: the rules of ``_math`` compiled with ``numba.cuda``.

Imported only when a step meets a device array, so ``import ngc_rules`` needs neither a
GPU nor the ``cuda`` extra. One grid-stride launch updates a whole tuple of tensors.
Arrays are used where they live: anything with ``__cuda_array_interface__`` (Numba device
arrays, CuPy arrays, PyTorch CUDA tensors) is viewed, never copied.
"""
import math

import numpy as np
from numba import cuda, float64

from ._retarget import bind_driver, compile_rules

THREADS_PER_BLOCK = 256
MAX_BLOCKS = 2048
"""Launch shape: enough blocks to fill a large GPU; the grid strides over the rest."""


def _drive(params, grads, states, c, multipliers):
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for k in range(len(params)):
        p = params[k]
        g = grads[k]
        s = states[k]
        w = multipliers[k]
        for i in range(start, p.size, stride):
            rule(i, p, g, s, c, w)  # noqa: F821 -- bound by bind_driver


_RULES = compile_rules(cuda.jit(device=True, inline="always"))
DRIVERS = {name: bind_driver(_drive, rule, f"{name}_cuda") for name, rule in _RULES.items()}
"""The uncompiled kernels, for ``cuda.compile_ptx``."""
KERNELS = {name: cuda.jit(driver) for name, driver in DRIVERS.items()}


def require_gpu():
    """Refuse device arrays clearly where CUDA cannot run them."""
    if not cuda.is_available():
        raise RuntimeError("device arrays were given, but CUDA cannot run here: numba-cuda "
                           "found no GPU or no NVIDIA driver")


def _grid(size):
    """Blocks for ``size`` elements, one per thread up to ``MAX_BLOCKS`` blocks."""
    return max(1, min(MAX_BLOCKS, math.ceil(size / THREADS_PER_BLOCK)))


def _blocks(arrays):
    return _grid(max(a.size for a in arrays))


def run(name, params, grads, states, coefficients, multipliers, dtype):
    """Apply rule ``name`` to tuples of 1-D contiguous device arrays of one dtype.

    The coefficients and per-tensor multipliers (None: all ones) travel by value as
    tuples of ``dtype`` scalars (a host array would be copied to the device at every
    launch).
    """
    if multipliers is None:
        multipliers = [1.0] * len(params)
    KERNELS[name][_blocks(params), THREADS_PER_BLOCK](
        params, grads, states, tuple(map(dtype.type, coefficients)),
        tuple(map(dtype.type, multipliers)))


def _sum_squares(arrays, out):
    partial = cuda.shared.array(0, float64)
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    lane = cuda.threadIdx.x
    for k in range(len(arrays)):
        a = arrays[k]
        total = 0.0
        for i in range(start, a.size, stride):
            x = float64(a[i])
            total += x * x
        partial[lane] = total
        cuda.syncthreads()
        half = cuda.blockDim.x // 2
        while half > 0:  # tree sum over the block, then one atomic add per block
            if lane < half:
                partial[lane] += partial[lane + half]
            cuda.syncthreads()
            half //= 2
        if lane == 0:
            cuda.atomic.add(out, k, partial[0])
        cuda.syncthreads()


SUM_SQUARES = cuda.jit(_sum_squares)


def sum_squares(arrays):
    """``sum(a**2)`` of each 1-D device array of a tuple, in float64, copied to the host.

    ``THREADS_PER_BLOCK`` must be a power of two (the block sums by halving).
    """
    out = cuda.to_device(np.zeros(len(arrays)))
    if arrays:
        SUM_SQUARES[_blocks(arrays), THREADS_PER_BLOCK, 0, 8 * THREADS_PER_BLOCK](arrays, out)
    return out.copy_to_host()


def _count_nonfinite(a, out):
    for i in range(cuda.grid(1), a.size, cuda.gridsize(1)):
        x = float64(a[i])
        if x - x != 0:  # NaN exactly when x is NaN or infinite; atomics only then
            cuda.atomic.add(out, 0, 1)


COUNT_NONFINITE = cuda.jit(_count_nonfinite)


def count_nonfinite(array):
    """The number of NaN and infinite elements of a device array."""
    out = cuda.to_device(np.zeros(1, np.int64))
    if array.size:
        flat = array.reshape(array.size)
        COUNT_NONFINITE[_blocks((flat,)), THREADS_PER_BLOCK](flat, out)
    return int(out.copy_to_host()[0])


# Row operations of sparse updates (``sparse.py``), on 2-D views ``(rows, row length)``:
# one thread per element of the compact rows.
def _sum_rows(out, values, order, starts):
    width = out.shape[1]
    for flat in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        r = flat // width
        j = flat % width
        out[r, j] = 0
        for q in range(starts[r], starts[r + 1]):  # in order of appearance
            out[r, j] += values[order[q], j]


def _take_rows(out, source, rows):
    width = out.shape[1]
    for flat in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        out[flat // width, flat % width] = source[rows[flat // width], flat % width]


def _put_rows(target, rows, source):
    width = source.shape[1]
    for flat in range(cuda.grid(1), source.size, cuda.gridsize(1)):
        target[rows[flat // width], flat % width] = source[flat // width, flat % width]


ROW_KERNELS = {"sum": _sum_rows, "take": _take_rows, "put": _put_rows}
"""The uncompiled row kernels, for ``cuda.compile_ptx``."""
_SUM_ROWS, _TAKE_ROWS, _PUT_ROWS = (cuda.jit(k) for k in ROW_KERNELS.values())


def _rows_2d(array):
    return array.reshape(array.shape[0], array.size // max(array.shape[0], 1))


def sum_rows(values, inverse, n_rows):
    """Device rows of ``values`` summed by the host group array ``inverse``."""
    values = as_device_array(values)
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(inverse, minlength=n_rows))])
    out = cuda.device_array((n_rows,) + tuple(values.shape[1:]), values.dtype)
    _SUM_ROWS[_grid(out.size), THREADS_PER_BLOCK](_rows_2d(out), _rows_2d(values),
                                                  cuda.to_device(order), cuda.to_device(starts))
    return out


def take_rows(source, rows):
    out = cuda.device_array((len(rows),) + tuple(source.shape[1:]), source.dtype)
    _TAKE_ROWS[_grid(out.size), THREADS_PER_BLOCK](_rows_2d(out), _rows_2d(source), rows)
    return out


def put_rows(target, rows, source):
    _PUT_ROWS[_grid(source.size), THREADS_PER_BLOCK](_rows_2d(target), rows, _rows_2d(source))


def index_array(rows):
    return cuda.to_device(rows)


# Numba's own device arrays; Numba's CUDA simulator has its own class for them.
_NUMBA_ARRAY = getattr(cuda.devicearray, "DeviceNDArrayBase", None) or \
    getattr(cuda.devicearray, "FakeCUDAArray")


def as_device_array(array):
    """A Numba view of any CUDA array (zero-copy)."""
    if isinstance(array, _NUMBA_ARRAY):
        return array
    return cuda.as_cuda_array(array)


def span(array):
    """The bytes ``[start, end)`` of a contiguous device array (under Numba's simulator,
    of the host array standing in for it)."""
    interface = getattr(array, "__cuda_array_interface__", None) or \
        array.__array_interface__
    start = interface["data"][0]
    return start, start + array.nbytes


def copy(array):
    """A new device array holding ``array``'s values (a device-to-device copy)."""
    new = cuda.device_array(array.shape, array.dtype)
    new.copy_to_device(array)
    return new


def zeros(shape, dtype):
    """A zero-filled device array, filled on the device."""
    array = cuda.device_array(shape, dtype)
    if array.size:
        compute = np.dtype(np.float32) if array.dtype == np.float16 else array.dtype
        flat = array.reshape(array.size)
        run("fill", (flat,), (flat,), ((),), (0.0,), (1.0,), compute)
    return array


def full(shape, value, dtype):
    # Allocated once per optimizer state, not per step, so a host copy is fine.
    return cuda.to_device(np.full(shape, value, dtype))
