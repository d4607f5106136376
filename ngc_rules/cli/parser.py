"""The ``ngc-rules`` command's arguments, with the defaults it really uses in ``--help``."""
import argparse
import inspect
import math

from .. import __version__, data
from ..models import PCN, SparseCoding
from ..optim.rule import LearningRule

MODELS = {"pcn": PCN, "sparse-coding": SparseCoding}
RULE_HYPERPARAMETERS = {"sgd": ("eta",), "nag": ("eta", "mu"),
                        "adam": ("eta", "beta1", "beta2", "eps")}
RESUMABLE = {"resume", "epochs", "checkpoint_every", "quiet", "command"}
"""What ``--resume`` may set: the rest continues as the run was started."""


class _Parser(argparse.ArgumentParser):
    """Bad arguments end in one line naming the problem, not a usage dump."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _number(kind, test, expected):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not test(value):
            raise argparse.ArgumentTypeError(f"must be {expected}, got {text!r}")
        return value
    return parse


_positive_int = _number(int, lambda n: n >= 1, "a positive integer")
_count = _number(int, lambda n: n >= 0, "a whole number >= 0")
_positive_float = _number(float, lambda x: math.isfinite(x) and x > 0, "a finite number > 0")
_fraction = _number(float, lambda x: 0 <= x < 1, "in [0, 1)")


def _sizes(text):
    try:
        sizes = [int(n) for n in text.split(",") if n.strip()]
    except ValueError:
        sizes = [0]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"must be positive integers separated by commas, "
                                         f"got {text!r}")
    return tuple(sizes)


def _scale(text):
    if text == "minmax":
        return text
    return _positive_float(text)


def _rule_defaults():
    """``--help`` text: each rule's hyperparameter defaults, the models' measured rates."""
    rates = "; ".join(f"{name}: " + ", ".join(f"{rule} {eta:g}" for rule, eta in
                                              model.DEFAULT_ETA.items())
                      for name, model in MODELS.items())
    others = []
    for rule, names in RULE_HYPERPARAMETERS.items():
        signature = inspect.signature(LearningRule(rule).step_fn).parameters
        others += [f"{name} {signature[name].default:g}" for name in names[1:]]
    return f"eta by model and rule ({rates}); {', '.join(others)}"


def build_parser():
    parser = _Parser(prog="ngc-rules", description="Learning rules for predictive-coding "
                     "simulations: train models, compare optimizers, plot what they learn.")
    parser.add_argument("--version", action="version", version=f"ngc_rules {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                     metavar="{demo,train}")

    demo = commands.add_parser(
        "demo", help="train a predictive-coding network with SGD, NAG and Adam (about 20 s, "
        "offline) and plot how each learns",
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
        "metrics per epoch (metrics.json), plots and a checkpoint into --out. Ctrl-C stops "
        "after the batch under way and saves a checkpoint; --resume continues it exactly. "
        "A run that diverges (NaN or inf) stops with exit status 1.")
    train.add_argument("--model", choices=tuple(MODELS), help="required unless --resume")
    train.add_argument("--optim", choices=tuple(RULE_HYPERPARAMETERS), default="adam",
                       help="learning rule (default: %(default)s)")
    rules = train.add_argument_group("rule hyperparameters", f"defaults: {_rule_defaults()}")
    rules.add_argument("--eta", type=_positive_float, help="learning rate")
    rules.add_argument("--mu", type=_fraction, help="NAG momentum")
    rules.add_argument("--beta1", type=_fraction, help="Adam first-moment decay")
    rules.add_argument("--beta2", type=_fraction, help="Adam second-moment decay")
    rules.add_argument("--eps", type=_positive_float, help="Adam epsilon")
    inputs = train.add_argument_group("data")
    inputs.add_argument("--data", help=f"a built-in set ({', '.join(data.NAMES)}) or a .npz "
                        f"or IDX file (MNIST's train-images-idx3-ubyte[.gz] finds its labels "
                        f"file beside it) (default: digits for pcn, bars for sparse-coding)")
    inputs.add_argument("--test-data", help="a file of test samples (default: 20%% of "
                        "--data, drawn with --seed)")
    inputs.add_argument("--x-key", help="the inputs' key in a .npz --data (default: the "
                        "first of x, x_train, images, X, data; Keras' mnist.npz gives its "
                        "x_test/y_test to testing)")
    inputs.add_argument("--labels-key", help="the labels' key in a .npz --data, with --x-key "
                        "(default: none with --x-key, else the partner of the inputs' key)")
    inputs.add_argument("--scale", type=_scale, help="divide the inputs by this number "
                        "(e.g. 255 for 8-bit images), or 'minmax' to map them to [0, 1] "
                        "(default: as stored)")
    train.add_argument("--epochs", type=_count, help="the epoch to train up to, also when "
                       "resuming (default: 10, or the resumed run's)")
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
    train.add_argument("--seed", type=_count, default=0, help="(default: %(default)s)")
    runs = train.add_argument_group("output and resuming")
    runs.add_argument("--out", help="output folder, new or empty (required unless --resume)")
    runs.add_argument("--overwrite", action="store_true",
                      help="replace the run already in --out")
    runs.add_argument("--checkpoint-every", type=_positive_int, metavar="N",
                      help="also save a checkpoint every N epochs (default: at the end and "
                      "on Ctrl-C only)")
    runs.add_argument("--resume", metavar="DIR", help="continue the run in DIR (its own "
                      "settings; --epochs may go further)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.subcommands = {"demo": demo, "train": train}
    return parser


def check_train_arguments(args, parser):
    """Refuse combinations argparse cannot see; returns the rule's keyword arguments."""
    if args.resume is not None:
        changed = sorted(name for name, value in vars(args).items()
                         if name not in RESUMABLE and value != parser.get_default(name))
        if changed:
            parser.error(f"--resume continues the run with its own settings; "
                         f"--{changed[0].replace('_', '-')} cannot be given with it")
        return None
    if args.model is None or args.out is None:
        parser.error(f"the following arguments are required: "
                     f"{'--model' if args.model is None else '--out'} (or --resume DIR)")
    given = {name: getattr(args, name) for name in ("eta", "mu", "beta1", "beta2", "eps")
             if getattr(args, name) is not None}
    wrong = sorted(set(given) - set(RULE_HYPERPARAMETERS[args.optim]))
    if wrong:
        parser.error(f"--{wrong[0]} is not a hyperparameter of {args.optim} (it takes "
                     f"{', '.join('--' + n for n in RULE_HYPERPARAMETERS[args.optim])})")
    return {"optim_type": args.optim, "eta": given.pop("eta", None), "optim_params": given}
