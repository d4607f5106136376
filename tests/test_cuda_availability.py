"""Importing ngc_rules needs no GPU; asking for CUDA without it says what is missing."""
import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from ngc_rules import optim
from ngc_rules.optim import _targets


class ForeignGpuArray:
    """Stands for a CuPy array or a PyTorch CUDA tensor."""
    shape = (3,)
    dtype = np.dtype(np.float32)
    __cuda_array_interface__ = {"shape": (3,), "typestr": "<f4", "data": (0, False),
                                "version": 3}


def test_import_does_not_load_numba_cuda():
    code = "import sys, ngc_rules; print('numba.cuda' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_the_cuda_extra_the_error_says_what_to_install(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "numba_cuda" else real_find_spec(name, *a))
    _targets.device_target.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"pip install 'ngc_rules\[cuda\]'"):
            optim.sgd_step(optim.sgd_init([np.ones(3)]), [ForeignGpuArray()], [ForeignGpuArray()])
    finally:
        _targets.device_target.cache_clear()


def test_without_a_gpu_device_arrays_are_refused_clearly():
    pytest.importorskip("numba_cuda")
    from numba import cuda
    if cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="no GPU or no NVIDIA driver"):
        optim.sgd_step(optim.sgd_init([np.ones(3)]), [ForeignGpuArray()], [ForeignGpuArray()])
