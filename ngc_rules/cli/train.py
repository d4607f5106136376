"""``ngc-rules train``: one model, one rule, checkpoints, resume, divergence caught."""
import os
import sys
from argparse import Namespace

from .. import data
from ..models import PCN
from ..plots import SPARSE_CODING_ENERGY, plot_filters, plot_learning_curves
from ..training import Diverged, Interrupted, describe_rule, fit, load_run
from . import outputs, spiking
from .inputs import load_data
from .parser import (DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, DIEHL_COOK, MODELS, RESUMABLE,
                     check_train_arguments)

_CURVES = {"pcn": ["energy", "test_energy", "accuracy"],
           "sparse-coding": ["energy", "test_energy", "active", "test_active"]}


def _memory():
    """This machine's memory in bytes (None where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _check_size(argument, sizes):
    """Refuse layer sizes whose weights could not fit in memory, before allocating any."""
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    need, memory = weights * 4 * 4, _memory()  # float32 weights, updates, two moments
    if memory is not None and need > memory:
        raise ValueError(f"{argument}: the model's {weights:,} weights would need about "
                         f"{need / 2**30:,.1f} GiB with their updates and learning state, "
                         f"more than this machine's {memory / 2**30:,.1f} GiB")


def _new_model(args, rule, train):
    if args.model == "diehl-cook":
        # W1, then the two layers' lateral weights: sizes (inputs, n, n, n)
        _check_size(f"--neurons {args.neurons}", (train.x.shape[1], *[args.neurons] * 3))
        return spiking.new_model(args, rule, train)
    if args.model == "pcn":
        sizes = (train.x.shape[1], *args.hidden, train.y.shape[1])
        _check_size(f"--hidden {','.join(map(str, args.hidden))}", sizes)
        return PCN(sizes, T=args.T or 20, seed=args.seed, **rule)
    _check_size(f"--latents {args.latents}", (args.latents, train.x.shape[1]))
    return MODELS[args.model](train.x.shape[1], args.latents, lmbda=args.lmbda,
                              T=args.T or 40, seed=args.seed, **rule)


def _settings(args, parser):
    """The run's arguments: as given, or as saved when resuming (with what may change)."""
    rule = check_train_arguments(args, parser)
    if args.resume is None:
        defaults = {"epochs": DEFAULT_EPOCHS[args.model],
                    "batch_size": DEFAULT_BATCH_SIZE[args.model]}
        if args.model == "diehl-cook":
            defaults.update(neurons=DIEHL_COOK["n_neurons"], steps=DIEHL_COOK["steps"])
        for name, value in defaults.items():
            if getattr(args, name) is None:
                setattr(args, name, value)
        return args, rule
    saved = outputs.load_command(args.resume)
    # Arguments the run did not record keep their defaults, which args holds here.
    merged = {**vars(args), **saved, **{k: v for k, v in vars(args).items()
                                        if k in RESUMABLE and v is not None}}
    return Namespace(**{**merged, "out": args.resume, "hidden": tuple(merged["hidden"])}), None


def _absolute(args):
    """The arguments to record: file paths made absolute, so a resume finds them."""
    recorded = dict(vars(args))
    for name in ("data", "test_data"):
        if recorded[name] is not None and recorded[name] not in data.NAMES:
            recorded[name] = os.path.abspath(recorded[name])
    return recorded


def _rule_text(args, config):
    return spiking.rule_text(config) if args.model == "diehl-cook" else describe_rule(config)


def run_train(args, parser):
    """Train as the arguments say; returns the exit status (0, 1 diverged, 130 Ctrl-C)."""
    args, rule = _settings(args, parser)
    train, test, name, notes = load_data(args)
    checkpoint = os.path.join(args.out, "checkpoint")
    if args.resume is not None:
        run = load_run(checkpoint)
        model, done = run.model, len(run.history) - 1
        if args.epochs < done:
            raise ValueError(f"--epochs {args.epochs}: the run in {args.out} has already "
                             f"trained {done} epochs")
        outputs.save_command(args.out, _absolute(args))  # a later --resume aims as far
    else:
        run, model = None, _new_model(args, rule, train)
        outputs.prepare(args.out, args.overwrite)
        outputs.save_command(args.out, _absolute(args))
    for note in notes:
        print(note, file=sys.stderr)
    print(f"{'resuming' if run else 'training'} {args.model} with "
          f"{_rule_text(args, model.config)} on {name}: {len(train)} train / {len(test)} test "
          f"samples, up to epoch {args.epochs}", file=sys.stderr)
    final = None
    try:
        history = fit(model, train, test, args.epochs, args.batch_size, args.seed,
                      progress=not args.quiet, description=f"{args.model} + "
                      f"{'STDP' if args.optim == 'none' else args.optim}",
                      checkpoint_dir=checkpoint, checkpoint_every=args.checkpoint_every,
                      resume=run)
        status, message = "finished", None
        if args.model == "diehl-cook":
            status, message, final = _read_out(args, model, train, test)
    except Diverged as error:
        history, status, message = error.history, "diverged", str(error)
    except Interrupted as error:
        history, status = error.run.history, "interrupted"
        message = f"{error}; saved to {checkpoint}; continue with: ngc-rules train " \
                  f"--resume {args.out}"
    except KeyboardInterrupt:
        print(f"ngc-rules: stopped at once by a second Ctrl-C, without saving; the last "
              f"checkpoint, if any, is in {checkpoint}", file=sys.stderr)
        return 130
    written = _write_outputs(args, model, history, name, train, test, status, message,
                             final)
    for row in history:
        print("  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                        for k, v in row.items()))
    if final is not None:
        print(f"read-out: each neuron labelled with the class it fires most for over the "
              f"{len(train)} training samples; test accuracy {final['accuracy']:.4g}, "
              f"{final['rate_hz']:.3g} Hz per excitatory neuron")
    if message:
        print(f"ngc-rules: {message}", file=sys.stderr)
        return 1 if status == "diverged" else 130
    print(f"wrote {', '.join(written[:-1])} and {written[-1]} to {args.out}")
    return 0


def _read_out(args, model, train, test):
    """Diehl & Cook's read-out after training: ``(status, message, metrics)``. Ctrl-C
    stops it; the trained run is already saved."""
    print(f"reading the neurons' classes out from the {len(train)} training samples",
          file=sys.stderr)
    try:
        return "finished", None, spiking.read_out(model, train, test)
    except KeyboardInterrupt:
        return "interrupted", (f"the read-out after training was interrupted; the trained "
                               f"run is saved; read it out with: ngc-rules train --resume "
                               f"{args.out}"), None


def _write_outputs(args, model, history, name, train, test, status, message, final):
    """Write the run's metrics and plots; returns the names of what the run holds."""
    metrics = {"model": args.model, "data": name, "status": status, "message": message,
               "config": model.config, "arguments": _absolute(args), "history": history}
    if args.model == "diehl-cook":
        metrics["readout"] = final
    outputs.save_metrics(args.out, metrics)
    title = {"pcn": "PCN", "sparse-coding": "Sparse coding",
             "diehl-cook": "Diehl & Cook"}[args.model] + f" on {name}"
    if args.model == "diehl-cook":
        return ["metrics.json", *spiking.write_plots(args.out, model, history, title, test,
                                                     final, status == "diverged"),
                "checkpoint/"]
    curves = [metric for metric in _CURVES[args.model] if metric in history[-1]]
    plot_learning_curves({args.optim: history}, curves,
                         os.path.join(args.out, "learning_curves.png"),
                         f"{title}: learning per epoch", configs={args.optim: model.config},
                         ylabels={"energy": SPARSE_CODING_ENERGY}
                         if args.model == "sparse-coding" else None)
    if status != "diverged":
        filters = model.synapses[0].weights.T if args.model == "pcn" else model.filters
        shown = f"the first 64 of {len(filters)}" if len(filters) > 64 else "the"
        plot_filters(filters[:64], train.image_shape, os.path.join(args.out, "filters.png"),
                     f"{title}: {shown} learned filters")
    return ["metrics.json", "learning_curves.png", "filters.png", "checkpoint/"]
