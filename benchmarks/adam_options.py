"""What each Adam option costs over plain Adam: in-place float32 steps, in one run.

    python benchmarks/adam_options.py [--size 1e6] [--json out.json]

Every option is fused into the same single pass, except the norm clips, which first
make one reduction pass over the updates, and the wrappers (accumulation, EMA), which
run their own passes. The parameters are rows of 1000 elements; the sparse options take
an ``IndexedSlices`` gradient over 1% of the rows instead of a dense one.
"""
import argparse
import functools
import json

import numpy as np

from ngc_rules import IndexedSlices, optim, schedules
from peers import bytes_per_parameter
from timing import compare

ROW = 1000

OPTIONS = {
    "plain (ngc-learn)": {},
    "epsilon hat + lerp (Keras)": dict(epsilon_hat=True, moments="lerp"),
    "amsgrad": dict(amsgrad=True),
    "amsgrad corrected (Optax)": dict(amsgrad="corrected"),
    "weight_decay (AdamW)": dict(weight_decay=0.01),
    "l2 (PyTorch Adam)": dict(l2=0.01),
    "maximize + loss_scale": dict(maximize=True, loss_scale=128.0),
    "clip_value": dict(clip_value=0.5),
    "param_clip (neon)": dict(param_clip=2.0),
    "clip_norm (per tensor)": dict(clip_norm=1.0),
    "global_clip_norm": dict(global_clip_norm=1.0),
    "step_clip_norm (neon)": dict(step_clip_norm=1.0),
    "schedule (ExponentialDecay)": dict(eta=schedules.ExponentialDecay(1e-3, 100, 0.9)),
    "nesterov (Optax nadam)": dict(nesterov=True),
    "infinity_norm (Optax adamax)": dict(infinity_norm=True),
    "stochastic_round=7 (neon, bfloat16 grid)": dict(stochastic_round=7),
    "IndexedSlices, 1% of rows (tf.keras)": dict(sparse_rows=0.01),
    "IndexedSlices, 1% of rows, lazy": dict(sparse_rows=0.01, lazy=True),
    "accumulation, every=4": "accumulation",
    "EMA of the weights": "ema",
}


def measure(size):
    rng = np.random.default_rng(0)
    shape = (size // ROW, ROW)
    theta = [rng.standard_normal(shape).astype(np.float32)]
    dense = [rng.standard_normal(shape).astype(np.float32)]
    calls = {}
    for name, options in OPTIONS.items():
        grads = dense
        if isinstance(options, dict) and "sparse_rows" in options:
            options = dict(options)
            n = max(1, int(options.pop("sparse_rows") * shape[0]))
            indices = rng.choice(shape[0], n, replace=False)
            grads = [IndexedSlices(dense[0][indices], indices, shape)]
        amsgrad = isinstance(options, dict) and options.get("amsgrad", False)
        state = optim.adam_init(theta, amsgrad=bool(amsgrad))
        step = functools.partial(optim.adam_step, **options) if isinstance(options, dict) \
            else optim.adam_step
        if options == "accumulation":
            state = optim.accumulation_init(theta, state)
            step = functools.partial(optim.accumulation_step, every=4)
        if options == "ema":
            state = optim.ema_init(theta, state)
            step = optim.ema_step
        calls[name] = functools.partial(step, state, theta, grads, inplace=True)
    rows = [{"option": name, "seconds": seconds, "spread": spread}
            for name, (seconds, spread) in compare(calls).items()]
    base = rows[0]["seconds"]
    for row in rows:
        row["relative_to_plain"] = row["seconds"] / base
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1e6)
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    size = int(args.size)
    rows = measure(size)
    print(f"in-place float32 Adam, {size} elements")
    print(f"{'option':<30} {'time':>10} {'spread':>9} {'vs plain':>9} {'GB/s*':>7}")
    for row in rows:
        print(f"{row['option']:<30} {row['seconds'] * 1e6:>8.1f}us "
              f"{row['spread'] * 1e6:>7.1f}us {row['relative_to_plain']:>8.2f}x "
              f"{bytes_per_parameter('adam') * size / row['seconds'] / 1e9:>7.1f}")
    print("* at plain Adam's 28 bytes per parameter")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"size": size, "rows": rows}, out, indent=2)
    return rows


if __name__ == "__main__":
    main()
