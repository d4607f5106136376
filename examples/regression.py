"""Fit a small linear regression with each rule of ``ngc_rules.optim`` and watch the loss fall.

    python examples/regression.py [--epochs 30] [--plot loss.png]

The gradients are computed by hand with NumPy; the step functions apply them in place,
exactly as a synapse would between simulation steps.
"""
import argparse
import time

import numpy as np

from ngc_rules.optim import get_opt_init_fn, get_opt_step_fn

HYPERPARAMETERS = {"sgd": {"eta": 0.05}, "nag": {"eta": 0.02, "mu": 0.9},
                   "adam": {"eta": 0.02}}


def make_data(rng, n=512, inputs=8, outputs=3):
    x = rng.standard_normal((n, inputs)).astype(np.float32)
    w_true = rng.standard_normal((inputs, outputs)).astype(np.float32)
    y = x @ w_true + 0.5 + 0.05 * rng.standard_normal((n, outputs)).astype(np.float32)
    return x, y


def mse_and_gradients(theta, x, y):
    weights, bias = theta
    error = x @ weights + bias - y
    loss = float(np.mean(error ** 2))
    d_error = 2.0 * error / error.size
    return loss, [x.T @ d_error, d_error.sum(axis=0, keepdims=True)]


def train(rule, x, y, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    theta = [np.zeros((x.shape[1], y.shape[1]), np.float32), np.zeros((1, y.shape[1]), np.float32)]
    opt_params = get_opt_init_fn(rule)(theta)
    step = get_opt_step_fn(rule, **HYPERPARAMETERS[rule])
    losses = [mse_and_gradients(theta, x, y)[0]]
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            _, grads = mse_and_gradients(theta, x[batch], y[batch])
            opt_params, theta = step(opt_params, theta, grads, inplace=True)
        losses.append(mse_and_gradients(theta, x, y)[0])
    return losses


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", help="save the loss curves to this PNG file")
    args = parser.parse_args(argv)

    x, y = make_data(np.random.default_rng(args.seed))
    results = {}
    for rule in HYPERPARAMETERS:
        started = time.perf_counter()
        results[rule] = train(rule, x, y, args.epochs, args.batch_size, args.seed)
        seconds = time.perf_counter() - started
        print(f"{rule:>4}  {HYPERPARAMETERS[rule]}  {seconds:.2f} s")

    shown = sorted({0, 1, 2, 5, 10, 20, args.epochs} & set(range(args.epochs + 1)))
    print("\nmean squared error by epoch")
    print("epoch " + "".join(f"{rule:>12}" for rule in results))
    for epoch in shown:
        print(f"{epoch:>5} " + "".join(f"{results[r][epoch]:>12.5f}" for r in results))

    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6, 4))
        for rule, losses in results.items():
            ax.semilogy(losses, label=rule)
        ax.set(xlabel="epoch", ylabel="mean squared error",
               title="Linear regression: loss per epoch by rule")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
        print(f"\nloss curves written to {args.plot}")
    return results


if __name__ == "__main__":
    main()
