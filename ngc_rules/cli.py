"""The ``ngc-rules`` command: a demo, and training runs with plots and checkpoints."""
import argparse
import json
import math
import os
import sys

from . import __version__, data
from .models import PCN, SparseCoding
from .plots import plot_filters, plot_learning_curves
from .training import fit

RULE_HYPERPARAMETERS = {"sgd": ("eta",), "nag": ("eta", "mu"),
                        "adam": ("eta", "beta1", "beta2", "eps")}
DEMO_RATES = {"sgd": 0.003, "nag": 0.001, "adam": 0.001}
"""Learning rates of the demo's PCN (summed over a batch of 64, as ngc-learn's synapses do)."""


class _Parser(argparse.ArgumentParser):
    """Bad arguments end in one line naming the problem, not a usage dump."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _count(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text}")
    return value


def _positive_float(text):
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def _fraction(text):
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def _sizes(text):
    try:
        sizes = [int(n) for n in text.split(",") if n.strip()]
    except ValueError:
        sizes = [0]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"must be positive integers separated by commas, "
                                         f"got {text!r}")
    return tuple(sizes)


def build_parser():
    parser = _Parser(prog="ngc-rules", description="Learning rules for predictive-coding "
                     "simulations: train models, compare optimizers, plot what they learn.")
    parser.add_argument("--version", action="version", version=f"ngc_rules {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                     metavar="{demo,train}")

    demo = commands.add_parser(
        "demo", help="train a predictive-coding network with SGD, NAG and Adam (about a "
        "minute, offline) and plot how each learns",
        description="Train a predictive-coding network on the built-in handwritten digits "
        "with SGD, NAG and Adam, and a sparse-coding dictionary on bars; print the results "
        "and write plots and metrics.")
    demo.add_argument("--out", default="ngc-rules-demo", help="output folder "
                      "(default: %(default)s)")
    demo.add_argument("--epochs", type=_positive_int, default=20,
                      help="epochs per optimizer (default: %(default)s)")
    demo.add_argument("--seed", type=int, default=0, help="seed (default: %(default)s)")
    demo.add_argument("--quiet", action="store_true", help="no progress bars")

    train = commands.add_parser(
        "train", help="train one model with one rule; metrics, plots and a checkpoint",
        description="Train a model with one learning rule, showing progress; write the "
        "metrics per epoch (metrics.json), plots and a checkpoint into --out.")
    train.add_argument("--model", choices=("pcn", "sparse-coding"), required=True)
    train.add_argument("--optim", choices=tuple(RULE_HYPERPARAMETERS), default="adam",
                       help="learning rule (default: %(default)s)")
    rules = train.add_argument_group("rule hyperparameters (defaults: the rule's own)")
    rules.add_argument("--eta", type=_positive_float, help="learning rate")
    rules.add_argument("--mu", type=_fraction, help="NAG momentum")
    rules.add_argument("--beta1", type=_fraction, help="Adam first-moment decay")
    rules.add_argument("--beta2", type=_fraction, help="Adam second-moment decay")
    rules.add_argument("--eps", type=_positive_float, help="Adam epsilon")
    train.add_argument("--data", choices=tuple(data.NAMES),
                       help="built-in data (default: digits for pcn, bars for sparse-coding)")
    train.add_argument("--epochs", type=_count, default=10, help="(default: %(default)s)")
    train.add_argument("--batch-size", type=_positive_int, default=64,
                       help="(default: %(default)s)")
    train.add_argument("--T", type=_positive_int, help="inference steps per batch "
                       "(default: 20 for pcn, 40 for sparse-coding)")
    train.add_argument("--hidden", type=_sizes, default=(128,),
                       help="pcn hidden layer sizes, e.g. 256,128 (default: 128)")
    train.add_argument("--latents", type=_positive_int, default=32,
                       help="sparse-coding latents (default: %(default)s)")
    train.add_argument("--lmbda", type=_positive_float, default=0.1,
                       help="sparse-coding sparsity penalty (default: %(default)s)")
    train.add_argument("--seed", type=int, default=0, help="(default: %(default)s)")
    train.add_argument("--out", required=True, help="output folder")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.subcommands = {"demo": demo, "train": train}
    return parser


def _rule_options(args, parser):
    given = {name: getattr(args, name) for name in ("eta", "mu", "beta1", "beta2", "eps")
             if getattr(args, name) is not None}
    wrong = sorted(set(given) - set(RULE_HYPERPARAMETERS[args.optim]))
    if wrong:
        parser.error(f"--{wrong[0]} is not a hyperparameter of {args.optim} (it takes "
                     f"{', '.join('--' + n for n in RULE_HYPERPARAMETERS[args.optim])})")
    eta = given.pop("eta", None)
    return eta, given


def _write_json(path, value):
    with open(path, "w") as file:
        json.dump(value, file, indent=1)


def _table(rows, columns):
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def run_demo(out, epochs=20, seed=0, progress=True):
    """Train the demo's PCN with each rule; returns the histories by rule name."""
    os.makedirs(out, exist_ok=True)
    train, test = data.split(data.digits(), seed=seed)
    histories, models = {}, {}
    for rule, eta in DEMO_RATES.items():
        models[rule] = PCN((64, 128, 10), optim_type=rule, eta=eta, seed=seed)
        histories[rule] = fit(models[rule], train, test, epochs, seed=seed, progress=progress,
                              description=f"PCN + {rule}")
    rows = [(rule, f"{DEMO_RATES[rule]:g}", f"{h[-1]['energy']:.4f}",
             f"{h[-1]['test_energy']:.4f}", f"{100 * h[-1]['accuracy']:.1f}%",
             f"{sum(r['seconds'] for r in h):.1f}") for rule, h in histories.items()]
    print(f"Predictive-coding network 64-128-10 on handwritten digits "
          f"({len(train)} train / {len(test)} test), {epochs} epochs\n")
    print(_table(rows, ("rule", "eta", "train energy", "test energy", "test accuracy",
                        "seconds")))
    plot_learning_curves(histories, ["test_energy", "accuracy"],
                         os.path.join(out, "pcn_learning_curves.png"),
                         "PCN on digits: energy and test accuracy per epoch, by rule")
    coder = SparseCoding(64, 32, optim_type="sgd", eta=0.01, seed=seed)
    bars_train, bars_test = data.split(data.bars(seed=seed), seed=seed)
    coding = fit(coder, bars_train, bars_test, 10, batch_size=100, seed=seed, progress=progress,
                 description="sparse coding + sgd")
    print(f"\nSparse coding of 8x8 bars, 32 filters, sgd: reconstruction energy "
          f"{coding[0]['test_energy']:.3f} -> {coding[-1]['test_energy']:.3f} per sample, "
          f"{100 * coding[-1]['test_active']:.0f}% of latents active")
    plot_filters(coder.filters, (8, 8), os.path.join(out, "sparse_coding_filters.png"),
                 "Sparse coding on bars: the 32 learned dictionary filters")
    _write_json(os.path.join(out, "metrics.json"),
                {"pcn": {"configs": {rule: model.config for rule, model in models.items()},
                         "histories": histories},
                 "sparse_coding": {"config": coder.config, "history": coding}})
    print(f"\nwrote pcn_learning_curves.png, sparse_coding_filters.png and metrics.json "
          f"to {out}")
    return histories


def run_train(args, parser):
    eta, options = _rule_options(args, parser)
    rule = dict(optim_type=args.optim, optim_params=options)
    if eta is not None:
        rule["eta"] = eta
    name = args.data or ("digits" if args.model == "pcn" else "bars")
    dataset = data.load(name)
    if args.model == "pcn":
        if not len(dataset.labels):
            parser.error(f"--data {name} has no labels; the pcn needs digits or clusters")
        train, test = data.split(dataset, seed=args.seed)
        model = PCN((train.x.shape[1], *args.hidden, train.y.shape[1]), T=args.T or 20,
                    seed=args.seed, **rule)
        curves, title = ["energy", "test_energy", "accuracy"], "PCN"
    else:
        train, test = data.split(dataset, seed=args.seed)
        model = SparseCoding(train.x.shape[1], args.latents, lmbda=args.lmbda,
                             T=args.T or 40, seed=args.seed, **rule)
        curves, title = ["energy", "test_energy", "test_active"], "Sparse coding"
    os.makedirs(args.out, exist_ok=True)
    history = fit(model, train, test, args.epochs, args.batch_size, args.seed,
                  progress=not args.quiet, description=f"{args.model} + {args.optim}")
    for row in history:
        print("  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                        for k, v in row.items()))
    model.save(os.path.join(args.out, "checkpoint"))
    _write_json(os.path.join(args.out, "metrics.json"),
                {"model": args.model, "data": name, "config": model.config,
                 "history": history})
    plot_learning_curves({args.optim: history}, curves,
                         os.path.join(args.out, "learning_curves.png"),
                         f"{title} on {name} with {args.optim}: learning per epoch")
    filters = model.synapses[0].weights.T if args.model == "pcn" else model.filters
    plot_filters(filters[:64], dataset.image_shape, os.path.join(args.out, "filters.png"),
                 f"{title} on {name} with {args.optim}: learned filters")
    print(f"wrote metrics.json, learning_curves.png, filters.png and checkpoint/ to "
          f"{args.out}")


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            run_demo(args.out, args.epochs, args.seed, progress=not args.quiet)
        else:
            run_train(args, parser.subcommands["train"])
    except (OSError, ValueError) as error:
        print(f"ngc-rules: error: {error}", file=sys.stderr)
        return 1
    return 0
