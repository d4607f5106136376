"""Compare SGD, NAG and Adam on two models: a predictive-coding network on digits and
sparse coding on bars, with every synapse trained by the same rule.

    python examples/compare_optimizers.py [--epochs 20] [--figures DIR]
"""
import argparse
import os

from ngc_rules import data
from ngc_rules.models import PCN, SparseCoding
from ngc_rules.plots import SPARSE_CODING_ENERGY, plot_filters, plot_learning_curves
from ngc_rules.training import fit

RULES = ("sgd", "nag", "adam")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--figures", help="write the comparison figures here")
    args = parser.parse_args(argv)

    digits_train, digits_test = data.split(data.digits(), seed=0)
    bars_train, bars_test = data.split(data.bars(seed=0), seed=0)
    pcn, coding, networks, coders = {}, {}, {}, {}
    for rule in RULES:  # each at the model's default rate for it (PCN.DEFAULT_ETA, ...)
        networks[rule] = PCN((64, 128, 10), optim_type=rule, seed=0)
        pcn[rule] = fit(networks[rule], digits_train, digits_test, args.epochs,
                        description=f"PCN + {rule}")
        coders[rule] = SparseCoding(64, 32, optim_type=rule, seed=0)
        coding[rule] = fit(coders[rule], bars_train, bars_test, args.epochs, batch_size=100,
                           description=f"sparse coding + {rule}")
    print("rule   PCN test accuracy   PCN test energy   coding test energy   active latents")
    for rule in RULES:
        print(f"{rule:>4}   {100 * pcn[rule][-1]['accuracy']:>16.1f}%   "
              f"{pcn[rule][-1]['test_energy']:>15.4f}   "
              f"{coding[rule][-1]['test_energy']:>18.4f}   "
              f"{100 * coding[rule][-1]['test_active']:>13.0f}%")
    if args.figures:
        os.makedirs(args.figures, exist_ok=True)
        plot_learning_curves(pcn, ["energy", "test_energy", "accuracy"],
                             os.path.join(args.figures, "compare_pcn.png"),
                             "PCN on digits: energy and accuracy per epoch, by rule",
                             configs={rule: net.config for rule, net in networks.items()})
        plot_learning_curves(coding, ["energy", "test_energy", "active", "test_active"],
                             os.path.join(args.figures, "compare_sparse_coding.png"),
                             "Sparse coding on bars: reconstruction energy and sparsity, "
                             "by rule",
                             configs={rule: coder.config for rule, coder in coders.items()},
                             ylabels={"energy": SPARSE_CODING_ENERGY})
        for rule, coder in coders.items():
            plot_filters(coder.filters, (8, 8),
                         os.path.join(args.figures, f"sparse_coding_filters_{rule}.png"),
                         f"Sparse coding on bars with {rule}: learned filters")
    return pcn, coding


if __name__ == "__main__":
    main()
