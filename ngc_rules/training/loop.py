"""The training loop: shuffled mini-batches, divergence caught at the batch where it
happens, checkpoints, and runs that continue bit for bit."""
import logging
import math
import time

import numpy as np
from tqdm.auto import tqdm

from .. import data
from ..optim._checks import whole_number
from .interrupts import deferred_interrupts
from .runs import Progress, Run, data_checksum, save_run

log = logging.getLogger("ngc_rules.training")


class Diverged(FloatingPointError):
    """Training produced a NaN or inf; ``history`` holds the epochs completed before."""

    def __init__(self, message, history):
        super().__init__(message)
        self.history = history


class Interrupted(KeyboardInterrupt):
    """Training was stopped by Ctrl-C between two batches; ``run`` continues it:
    ``fit(run.model, ..., resume=run)``."""

    def __init__(self, message, run):
        super().__init__(message)
        self.run = run


def describe_rule(config):
    """A model's learning rule as text, e.g. ``"nag (eta=0.001, mu=0.9)"``."""
    settings = {"eta": config.get("eta"), **config.get("optim_params", {})}
    text = ", ".join(f"{name}={value:g}" if isinstance(value, float) else f"{name}={value}"
                     for name, value in settings.items() if value is not None)
    return f"{config.get('optim_type')} ({text})" if text else str(config.get("optim_type"))


def fit(model, train, test=None, epochs=10, batch_size=None, seed=None, progress=True,
        description=None, checkpoint_dir=None, checkpoint_every=None, resume=None):
    """Train ``model`` up to epoch ``epochs`` in shuffled mini-batches; returns the history.

    The history has one dict per epoch, row 0 being the model before training: the mean
    of the batches' metrics (the model's ``learn_batch``), the metrics on ``test``
    (``evaluate_data``, prefixed ``test_`` where the names clash) and the seconds spent.
    Epoch ``k`` visits the samples in an order drawn from ``(seed, k)`` alone, so a run
    can stop anywhere and continue exactly.

    Args:
        model: a model from :mod:`ngc_rules.models`.
        train, test: a :class:`~ngc_rules.data.Dataset` or ``(x, labels)`` arrays;
            ``test`` may be None.
        epochs: the epoch to train up to (a resumed run counts the epochs it has).
        batch_size, seed: default 64 and 0, or a resumed run's own.
        progress: show a progress bar (in a terminal or a notebook).
        description: the progress bar's label.
        checkpoint_dir: a folder to save the run in (see :func:`load_run`) every
            ``checkpoint_every`` epochs, when interrupted, and at the end.
        resume: a :class:`Run` to continue (from :func:`load_run` or
            :attr:`Interrupted.run`); ``model`` must be its model.

    Raises:
        Diverged: an energy, a metric or a weight became NaN or inf; the message names
            the epoch, the batch, the layer and the rule. Nothing is saved after it.
        Interrupted: Ctrl-C; the loop finishes the batch under way, saves the run to
            ``checkpoint_dir`` (if given) and stops.

    Example:
        >>> from ngc_rules import data
        >>> from ngc_rules.models import PCN
        >>> from ngc_rules.training import fit
        >>> train, test = data.split(data.gaussian_clusters(n=600, n_classes=3, dim=8))
        >>> model = PCN((8, 16, 3), eta=0.01, T=5)
        >>> history = fit(model, train, test, epochs=3, batch_size=16, progress=False)
        >>> [row["epoch"] for row in history], history[-1]["accuracy"] > 0.9
        ([0, 1, 2, 3], True)
    """
    epochs = whole_number("epochs", epochs, 0)
    checkpoint_every = whole_number("checkpoint_every", checkpoint_every, 1, optional=True)
    train = data.as_dataset(train, "train")
    test = None if test is None else data.as_dataset(test, "test")
    settings = _settings(train, batch_size, seed, resume)
    if resume is not None and resume.model is not model:
        raise ValueError("resume: pass the run's own model, fit(run.model, ..., resume=run)")
    history = [dict(row) for row in resume.history] if resume else \
        [{"epoch": 0, **_test_metrics(model, test), "seconds": 0.0}]
    position = resume.progress if resume else None
    done = len(history) - 1
    if epochs < done:
        raise ValueError(f"epochs={epochs}, but the run has already trained {done} epochs")
    loop = _Loop(model, train, settings, history, checkpoint_dir)
    # NaN and inf are caught and reported below, so NumPy's own warnings would only repeat it
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
            deferred_interrupts() as interrupted, tqdm(
            total=(epochs - done) * loop.n_batches, desc=description, unit="batch",
            disable=not progress, leave=False) as bar:
        for epoch in range(done + 1, epochs + 1):
            bar.set_description(f"{description + ', ' if description else ''}epoch "
                                f"{epoch}/{epochs}", refresh=False)
            resumed = position if position and position.epoch == epoch else None
            row = loop.epoch(epoch, resumed, test, bar, interrupted)
            history.append(row)
            log.info("epoch %d: %s", epoch, ", ".join(f"{k} {v:.4g}" for k, v in row.items()
                                                      if k != "epoch"))
            bar.set_postfix({k: f"{v:.3g}" for k, v in row.items()
                             if k not in ("epoch", "seconds")})
            if checkpoint_dir and (epoch == epochs or checkpoint_every and
                                   epoch % checkpoint_every == 0):
                save_run(checkpoint_dir, Run(model, history, None, settings))
    return history


def _settings(train, batch_size, seed, resume):
    """The batch size, seed and data checksum: given, a resumed run's own, or defaults."""
    saved = resume.settings if resume is not None else {}
    settings = {"batch_size": 64, "seed": 0, **saved}
    for name, value, low in (("batch_size", batch_size, 1), ("seed", seed, 0)):
        value = whole_number(name, value, low, optional=True)
        if value is None:
            continue
        if name in saved and saved[name] != value:
            raise ValueError(f"resume: the run used {name}={saved[name]}, got {value}; a "
                             f"resumed run continues only with the same batches")
        settings[name] = value
    checksum = data_checksum(train)
    if "train_checksum" in saved and saved["train_checksum"] != checksum:
        raise ValueError(f"resume: train is not the data the run was trained on (checksum "
                         f"{checksum}, the run's {saved['train_checksum']})")
    settings["train_checksum"] = checksum
    return settings


def _test_metrics(model, test):
    if test is None:
        return {}
    metrics = model.evaluate_data(test)
    return {(f"test_{k}" if k in ("energy", "active") else k): v for k, v in metrics.items()}


class _Loop:
    """One epoch at a time of a model on its training data."""

    def __init__(self, model, train, settings, history, checkpoint_dir):
        self.model, self.train, self.settings = model, train, settings
        self.history, self.checkpoint_dir = history, checkpoint_dir
        self.batch_size = settings["batch_size"]
        self.n_batches = math.ceil(len(train) / self.batch_size)

    def epoch(self, epoch, resumed, test, bar, interrupted):
        """Learn every batch of ``epoch`` (from where ``resumed`` stopped); returns its
        row of the history."""
        order = np.random.default_rng([self.settings["seed"], epoch]).permutation(
            len(self.train))
        first, totals, seconds = (resumed.batch, dict(resumed.totals), resumed.seconds) \
            if resumed else (0, {}, 0.0)
        started = time.perf_counter()
        for batch in range(first, self.n_batches):
            rows = order[batch * self.batch_size:(batch + 1) * self.batch_size]
            metrics = self.model.learn_batch(self.train.take(rows))
            self._check(metrics, f"epoch {epoch}, batch {batch + 1} of {self.n_batches}")
            for name, value in metrics.items():
                totals[name] = totals.get(name, 0.0) + value
            bar.update(1)
            if interrupted():
                self._stop(Progress(epoch, batch + 1, totals,
                                    seconds + time.perf_counter() - started))
        test_metrics = _test_metrics(self.model, test)
        self._check(test_metrics, f"epoch {epoch}, in the test evaluation")
        return {"epoch": epoch, **{k: v / self.n_batches for k, v in totals.items()},
                **test_metrics, "seconds": seconds + time.perf_counter() - started}

    def _check(self, metrics, when):
        """Raise :class:`Diverged` if the metrics or the model hold a NaN or inf."""
        where = self.model.find_nonfinite() or next(
            (f"the metric {name!r}" for name, value in metrics.items()
             if not math.isfinite(value)), None)
        if where is not None:
            raise Diverged(f"training diverged at {when}: {where} became NaN or inf "
                           f"with {describe_rule(self.model.config)}; try a smaller "
                           f"learning rate", self.history)

    def _stop(self, progress):
        run = Run(self.model, self.history, progress, self.settings)
        if self.checkpoint_dir:
            save_run(self.checkpoint_dir, run)
        raise Interrupted(f"training interrupted at epoch {progress.epoch}, after batch "
                          f"{progress.batch} of {self.n_batches}", run)
