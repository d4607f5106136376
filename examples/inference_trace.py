"""Watch inference settle: a predictive-coding network's energy at each inference step on
the built-in digits, before and after a few epochs of training.

    python examples/inference_trace.py [--epochs 3] [--T 20] [--figures DIR]
"""
import argparse
import os

import matplotlib.pyplot as plt

from ngc_rules import data
from ngc_rules.models import PCN
from ngc_rules.plots import plot_energy_trace, plot_learning_curves
from ngc_rules.training import fit


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--T", type=int, default=20, help="inference steps per batch")
    parser.add_argument("--figures", help="write inference_trace.png and "
                                          "inference_overview.png here")
    args = parser.parse_args(argv)

    train, test = data.split(data.digits())
    model = PCN((64, 128, 10), optim_type="adam", eta=0.001, T=args.T, seed=0)
    traces = {"untrained": model.infer(test.x, test.y, trace=True)}
    history = fit(model, train, test, args.epochs, description="PCN")
    traces[f"after {args.epochs} epochs"] = model.infer(test.x, test.y, trace=True)
    for name, trace in traces.items():
        print(f"{name:>16}: test energy {trace[0]:.4f} before inference, {trace[-1]:.4f} "
              f"after {args.T} steps")
    if args.figures:
        os.makedirs(args.figures, exist_ok=True)
        plot_energy_trace(traces, path=os.path.join(args.figures, "inference_trace.png"),
                          title="PCN 64-128-10, inference on the digits' test set")
        fig, (energy, accuracy, trace) = plt.subplots(1, 3, figsize=(15, 4),
                                                      layout="constrained")
        plot_learning_curves({"adam": history}, ["energy", "test_energy", "accuracy"],
                             configs={"adam": model.config}, ax=[energy, accuracy])
        plot_energy_trace(model.infer(test.x, test.y, trace=True), ax=trace,
                          title=f"inference on the test set after {args.epochs} epochs")
        fig.savefig(os.path.join(args.figures, "inference_overview.png"), dpi=110)
        plt.close(fig)
    return traces, history


if __name__ == "__main__":
    main()
