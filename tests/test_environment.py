"""The toolkit works where its environment is hostile: no writable place for Numba's
cache, and sizes too large for the machine's memory."""
import os
import subprocess
import sys

import pytest

from ngc_rules.cli import main

SCRIPT = """
import numba, numpy as np
try:
    numba.njit(cache=True)(lambda x: x)
    print("numba could cache")
except RuntimeError:
    print("numba refuses to cache")
from ngc_rules import data
from ngc_rules.models import PCN, SparseCoding
from ngc_rules.optim import adam_init, adam_step
theta = [np.ones(3, np.float32)]
state, theta = adam_step(adam_init(theta), theta, [np.ones(3, np.float32)], eta=0.5)
print(theta[0].tolist())
clusters, bars = data.gaussian_clusters(n=64, n_classes=3, dim=8), data.bars(n=32, size=4)
print(PCN((8, 6, 3), T=2).learn(clusters.x, clusters.y)["energy"] > 0,
      SparseCoding(16, 4, T=2).learn(bars.x)["energy"] > 0)
"""


def test_importing_and_stepping_work_without_a_writable_cache_folder(tmp_path):
    # The only locator left looks inside zip files: Numba then has nowhere to cache, as
    # with a read-only install and no home directory.
    env = {**os.environ, "NUMBA_CACHE_LOCATOR_CLASSES": "ZipCacheLocator"}
    env.pop("NUMBA_CACHE_DIR", None)
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["numba refuses to cache", "[0.5, 0.5, 0.5]",
                                             "True True"]


@pytest.mark.parametrize("argv,message", [
    (["--model", "pcn", "--hidden", "2000000000"], "--hidden 2000000000: the model's "),
    (["--model", "sparse-coding", "--latents", "4000000000000"], "--latents 4000000000000"),
])
def test_sizes_beyond_memory_are_refused_in_one_line(tmp_path, capsys, argv, message):
    out = tmp_path / "run"
    assert main(["train", *argv, "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ngc-rules: error: {message}") and err.count("\n") == 1, err
    assert "GiB with their updates and learning state, more than this machine's" in err
    assert not out.exists()
