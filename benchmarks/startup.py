"""Time to import ngc_rules and take a first Adam step in a fresh process, with an empty
Numba cache (every kernel compiled) and with the cache that run left behind."""
import json
import os
import subprocess
import sys
import tempfile
import time

_PROGRAM = """
import json, time
started = time.perf_counter()
import numpy as np
from ngc_rules.optim import adam_init, adam_step
imported = time.perf_counter()
theta = [np.ones((10, 10), np.float32), np.ones(10, np.float32)]
state = adam_init(theta)
adam_step(state, theta, theta, inplace=True)
stepped = time.perf_counter()
big = [np.ones(1 << 16, np.float32)]  # the multi-threaded kernel
adam_step(adam_init(big), big, big, inplace=True)
print(json.dumps({"import_s": imported - started, "first_step_s": stepped - imported,
                  "first_parallel_step_s": time.perf_counter() - stepped}))
"""


def measure():
    """``{"cold": {...}, "warm": {...}}``: seconds to import, to the first (serial) step
    and to the first multi-threaded step, and the whole process's wall time."""
    results = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for run in ("cold", "warm"):
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", _PROGRAM], env=env, check=True,
                                 capture_output=True, text=True).stdout
            results[run] = dict(json.loads(out), process_s=time.perf_counter() - started)
    return results


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
