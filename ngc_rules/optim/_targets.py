"""Where a step's arrays live and what dtype their state takes.

NumPy arrays are stepped by the CPU kernels; device arrays (``__cuda_array_interface__``,
or Numba's CUDA simulator arrays) by the CUDA kernels, which are imported on first use.
"""
import functools
import importlib.util
import sys

import numpy as np

_WIDER = {np.dtype(np.float16): np.dtype(np.float32)}


def state_dtype(param_dtype):
    """Dtype of the state (and of the arithmetic) for parameters of ``param_dtype``."""
    param_dtype = np.dtype(param_dtype)
    return _WIDER.get(param_dtype, param_dtype)


def on_device(array):
    if type(array) is np.ndarray:
        return False
    if hasattr(array, "__cuda_array_interface__"):
        return True
    simulator = sys.modules.get("numba.cuda.simulator.cudadrv.devicearray")
    return simulator is not None and isinstance(array, simulator.FakeCUDAArray)


@functools.cache
def device_target():
    """The CUDA kernels, imported on first use: only device arrays need numba-cuda."""
    if importlib.util.find_spec("numba_cuda") is None:
        raise ImportError("device arrays need ngc_rules' CUDA support, which is not "
                          "installed: pip install 'ngc_rules[cuda]'")
    from . import _cuda
    _cuda.require_gpu()
    return _cuda
