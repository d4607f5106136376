"""The ``ngc-rules`` command's arguments, with the defaults it really uses in ``--help``."""
import argparse
import inspect
import math

from .. import __version__, data
from ..models import PCN, DiehlCook, SparseCoding
from ..optim.rule import LearningRule

MODELS = {"pcn": PCN, "sparse-coding": SparseCoding, "diehl-cook": DiehlCook}
RULE_HYPERPARAMETERS = {"none": ("eta",), "sgd": ("eta",), "nag": ("eta", "mu"),
                        "momentum": ("eta", "mu"), "adam": ("eta", "beta1", "beta2", "eps")}
"""Each rule's options; ``none`` is the spiking model's own additive STDP step."""
RULES = {name: (("none",) if model is DiehlCook else ()) + tuple(model.DEFAULT_ETA)
         for name, model in MODELS.items()}
"""The rules each model learns with: those it has a measured learning rate for, and the
spiking model's own STDP step."""
DEFAULT_RULE = {"pcn": "adam", "sparse-coding": "adam", "diehl-cook": "none"}
MODEL_OPTIONS = {"T": ("pcn", "sparse-coding"), "hidden": ("pcn",),
                 "latents": ("sparse-coding",), "lmbda": ("sparse-coding",),
                 "neurons": ("diehl-cook",), "steps": ("diehl-cook",)}
"""Options that shape one kind of model: refused with the others."""
DIEHL_COOK = {name: p.default for name, p in inspect.signature(DiehlCook).parameters.items()}
"""The spiking model's defaults, which ``--neurons`` and ``--steps`` keep."""
DEFAULT_EPOCHS = {"pcn": 10, "sparse-coding": 10, "diehl-cook": 2}
DEFAULT_BATCH_SIZE = {"pcn": 64, "sparse-coding": 64, "diehl-cook": 100}
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


def default_eta(model, rule):
    """The learning rate of ``rule`` without ``--eta``: the model's measured one
    (``none``: ngc-learn's STDP step, 1)."""
    return 1.0 if rule == "none" else MODELS[model].DEFAULT_ETA[rule]


def _signature(rule):
    return inspect.signature(LearningRule(rule).step_fn).parameters


def _rule_defaults():
    """``--help`` text: each model's rules with the learning rate each really uses, then
    the rules' other hyperparameters."""
    rates = "; ".join(f"{model}: " + ", ".join(f"{rule} {default_eta(model, rule):g}"
                                               for rule in rules)
                      for model, rules in RULES.items())
    others = {name: _signature(rule)[name].default
              for rule, names in RULE_HYPERPARAMETERS.items() for name in names[1:]}
    return f"eta by model and rule ({rates}); " + ", ".join(f"{name} {value:g}"
                                                             for name, value in others.items())


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
    train.add_argument("--optim", choices=tuple(RULE_HYPERPARAMETERS),
                       help="learning rule (default: adam; none for diehl-cook: its own "
                       "additive STDP step, as ngc-learn's; the others step along the STDP "
                       "direction)")
    rules = train.add_argument_group("rule hyperparameters", f"defaults: {_rule_defaults()}")
    rules.add_argument("--eta", type=_positive_float, help="learning rate")
    rules.add_argument("--mu", type=_fraction, help="momentum of nag and momentum")
    rules.add_argument("--beta1", type=_fraction, help="Adam first-moment decay")
    rules.add_argument("--beta2", type=_fraction, help="Adam second-moment decay")
    rules.add_argument("--eps", type=_positive_float, help="Adam epsilon")
    inputs = train.add_argument_group("data")
    inputs.add_argument("--data", help=f"a built-in set ({', '.join(data.NAMES)}) or a .npz "
                        f"or IDX file (MNIST's train-images-idx3-ubyte[.gz] finds its labels "
                        f"file beside it) (default: digits for pcn and diehl-cook, bars for "
                        f"sparse-coding)")
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
                       f"resuming (default: 10; {DEFAULT_EPOCHS['diehl-cook']} for "
                       f"diehl-cook; or the resumed run's)")
    train.add_argument("--batch-size", type=_positive_int, help="samples per learning step; "
                       "diehl-cook learns from each sample and reports progress per batch "
                       f"(default: 64; {DEFAULT_BATCH_SIZE['diehl-cook']} for diehl-cook)")
    train.add_argument("--T", type=_positive_int, help="inference steps per batch "
                       "(default: 20 for pcn, 40 for sparse-coding)")
    train.add_argument("--hidden", type=_sizes, default=(128,),
                       help="pcn hidden layer sizes, e.g. 256,128 (default: 128)")
    train.add_argument("--latents", type=_positive_int, default=32,
                       help="sparse-coding latents (default: %(default)s)")
    train.add_argument("--lmbda", type=_positive_float, default=0.1,
                       help="sparse-coding sparsity penalty (default: %(default)s)")
    train.add_argument("--neurons", type=_positive_int, help="diehl-cook excitatory neurons, "
                       f"and as many inhibitory ones (default: {DIEHL_COOK['n_neurons']})")
    train.add_argument("--steps", type=_positive_int, help="diehl-cook steps of "
                       f"{DIEHL_COOK['dt']:g} ms that each sample is shown for (default: "
                       f"{DIEHL_COOK['steps']})")
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
    """Refuse combinations argparse cannot see and settle ``args.optim``; returns the
    rule's keyword arguments (None when resuming: the run keeps its own)."""
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
    for name, models in MODEL_OPTIONS.items():
        if args.model not in models and getattr(args, name) != parser.get_default(name):
            parser.error(f"--{name} applies to {' and '.join(models)}, not {args.model}")
    args.optim = args.optim or DEFAULT_RULE[args.model]
    if args.optim not in RULES[args.model]:
        parser.error(f"--optim {args.optim} does not train {args.model}; it learns with "
                     f"{', '.join(RULES[args.model])}")
    given = {name: getattr(args, name) for name in ("eta", "mu", "beta1", "beta2", "eps")
             if getattr(args, name) is not None}
    wrong = sorted(set(given) - set(RULE_HYPERPARAMETERS[args.optim]))
    if wrong:
        parser.error(f"--{wrong[0]} is not a hyperparameter of {args.optim} (it takes "
                     f"{', '.join('--' + n for n in RULE_HYPERPARAMETERS[args.optim])})")
    eta = given.pop("eta", None)
    return {"optim_type": None if args.optim == "none" else args.optim,
            "eta": default_eta(args.model, args.optim) if eta is None else eta,
            "optim_params": given}
