"""In-place Adam step time: ngc_rules next to a plain NumPy implementation, in one run.

    python benchmarks/adam_step.py [--sizes 1e3 1e5 1e6 1.6e7] [--kernels] [--json out.json]

Adam in float32 reads theta, g, m, v and writes theta, m, v: 28 bytes per parameter, so
the GB/s column says how close a step comes to the memory bandwidth. ``--kernels`` also
times the serial and multi-threaded CPU kernels at each size (how PARALLEL_THRESHOLD
was chosen).
"""
import argparse
import json
import os
import platform
import statistics
import time

import numba
import numpy as np

from ngc_rules.optim import _cpu, adam_init, adam_step

BYTES_PER_PARAMETER = 28


def numpy_adam(theta, g, m, v, t, scratch, eta=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam with NumPy ufuncs writing into preallocated arrays (no temporaries)."""
    m *= beta1
    np.multiply(g, 1 - beta1, out=scratch)
    m += scratch
    v *= beta2
    np.multiply(g, g, out=scratch)
    scratch *= 1 - beta2
    v += scratch
    np.divide(v, 1 - beta2 ** t, out=scratch)
    np.sqrt(scratch, out=scratch)
    scratch += eps
    np.divide(m, scratch, out=scratch)
    scratch *= eta / (1 - beta1 ** t)
    theta -= scratch


def seconds_per_call(call, budget=0.25, samples=7):
    """Median and spread of the time per call, over ``samples`` timed batches."""
    call()
    started, calls = time.perf_counter(), 0
    while time.perf_counter() - started < budget / samples or calls < 3:
        call()
        calls += 1
    per_batch = max(1, calls)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        for _ in range(per_batch):
            call()
        times.append((time.perf_counter() - started) / per_batch)
    return statistics.median(times), (max(times) - min(times)) / 2


def measure(size, with_kernels):
    rng = np.random.default_rng(0)
    theta = [rng.standard_normal(size).astype(np.float32)]
    grads = [rng.standard_normal(size).astype(np.float32)]
    state = adam_init(theta)
    ours, ours_spread = seconds_per_call(lambda: adam_step(state, theta, grads, inplace=True))

    p, g = theta[0].copy(), grads[0]
    m, v, scratch = np.zeros_like(p), np.zeros_like(p), np.empty_like(p)
    counter = [0]

    def numpy_step():
        counter[0] += 1
        numpy_adam(p, g, m, v, counter[0], scratch)
    reference, reference_spread = seconds_per_call(numpy_step)
    row = {"size": size, "ngc_rules_s": ours, "ngc_rules_spread_s": ours_spread,
           "numpy_s": reference, "numpy_spread_s": reference_spread,
           "speedup_vs_numpy": reference / ours,
           "ngc_rules_GBps": BYTES_PER_PARAMETER * size / ours / 1e9}
    if with_kernels:
        flat = (theta[0],), (grads[0],), ((state.m[0], state.v[0]),)
        # keep1, new1, keep2, new2, lr, scale2, root, eps, decay, l2, clip_value,
        # param_clip, max_scale: plain Adam mid-run
        c = np.array([.9, .1, .999, .001, 2e-3, 1.5, 0, 1e-8, 0, 0, np.inf, np.inf, 1],
                     np.float32)
        for parallel in (False, True):
            kernel = _cpu.KERNELS["adam", parallel]
            args = flat + (c, np.ones(1, np.float32))
            row[f"{'parallel' if parallel else 'serial'}_kernel_s"] = \
                seconds_per_call(lambda: kernel(*args))[0]
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e3, 1e5, 1e6, 1.6e7])
    parser.add_argument("--kernels", action="store_true",
                        help="also time the serial and parallel kernels")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)

    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"numba {numba.__version__} ({numba.config.NUMBA_NUM_THREADS} threads), "
          f"numpy {np.__version__}, float32, in-place step")
    header = f"{'elements':>10} {'ngc_rules':>12} {'numpy':>12} {'speedup':>8} {'GB/s':>7}"
    if args.kernels:
        header += f" {'serial':>12} {'parallel':>12}"
    print(header)
    rows = []
    for size in args.sizes:
        row = measure(int(size), args.kernels)
        rows.append(row)
        line = (f"{row['size']:>10} {row['ngc_rules_s'] * 1e6:>10.1f}us "
                f"{row['numpy_s'] * 1e6:>10.1f}us {row['speedup_vs_numpy']:>7.1f}x "
                f"{row['ngc_rules_GBps']:>7.1f}")
        if args.kernels:
            line += (f" {row['serial_kernel_s'] * 1e6:>10.1f}us"
                     f" {row['parallel_kernel_s'] * 1e6:>10.1f}us")
        print(line, flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"machine": platform.platform(), "cores": os.cpu_count(),
                       "numba": numba.__version__, "numpy": np.__version__, "rows": rows},
                      out, indent=2)
    return rows


if __name__ == "__main__":
    main()
