"""Runs tests/cuda under Numba's CUDA simulator, in a process of its own: the simulator
must be switched on before Numba is first imported."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

CUDA_TESTS = Path(__file__).parent / "cuda"


def test_cuda_suite_passes_under_the_simulator():
    pytest.importorskip("numba.cuda")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(CUDA_TESTS)], env=env, capture_output=True, text=True,
                         cwd=CUDA_TESTS.parent.parent)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "passed" in summary and "skipped" not in summary, summary
