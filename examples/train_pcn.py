"""Build and train a discriminative predictive-coding network on the built-in digits.

    python examples/train_pcn.py [--rule adam] [--epochs 20] [--figures DIR]
"""
import argparse
import os

from ngc_rules import data
from ngc_rules.models import PCN
from ngc_rules.plots import plot_learning_curves
from ngc_rules.training import fit


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rule", choices=("sgd", "nag", "adam"), default="adam")
    parser.add_argument("--eta", type=float, default=0.001)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--T", type=int, default=20, help="inference steps per batch")
    parser.add_argument("--figures", help="write pcn_training.png here")
    args = parser.parse_args(argv)

    train, test = data.split(data.digits(), test_fraction=0.2, seed=0)
    model = PCN((64, 128, 10), optim_type=args.rule, eta=args.eta, T=args.T, act_fx="tanh",
                tau_m=10.0, seed=0)
    history = fit(model, train, test, args.epochs, batch_size=64, description="PCN")
    shown = history[:: max(1, args.epochs // 5)]
    for row in shown + history[-1:] * (shown[-1] is not history[-1]):
        print(f"epoch {row['epoch']:>3}  test energy {row['test_energy']:.4f}  "
              f"test accuracy {100 * row['accuracy']:.1f}%")
    if args.figures:
        os.makedirs(args.figures, exist_ok=True)
        plot_learning_curves({args.rule: history}, ["energy", "test_energy", "accuracy"],
                             os.path.join(args.figures, "pcn_training.png"),
                             "PCN 64-128-10 on digits: learning per epoch",
                             configs={args.rule: model.config})
    return history


if __name__ == "__main__":
    main()
