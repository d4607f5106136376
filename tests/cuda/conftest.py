"""CUDA tests: run on a GPU when there is one, or under Numba's CUDA simulator
(``NUMBA_ENABLE_CUDASIM=1``, which tests/test_cuda_simulator.py sets in a subprocess)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent))


def _cuda_usable():
    try:
        from numba import cuda
        return cuda.is_available()
    except Exception:  # no numba-cuda, no driver
        return False


def pytest_collection_modifyitems(config, items):
    if _cuda_usable():
        return
    skip = pytest.mark.skip(reason="no GPU here; run with NUMBA_ENABLE_CUDASIM=1 to simulate")
    for item in items:
        if Path(__file__).parent in Path(item.fspath).parents:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of 32 threads, so the small arrays the simulator can afford span many blocks."""
    from ngc_rules.optim import _cuda
    monkeypatch.setattr(_cuda, "THREADS_PER_BLOCK", 32)
