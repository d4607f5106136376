"""The training loop shared by the command line and the example scripts."""
import time

import numpy as np
from tqdm.auto import tqdm


def fit(model, train, test, epochs, batch_size=64, seed=0, progress=True, description=None):
    """Train ``model`` for ``epochs`` passes over ``train`` in shuffled mini-batches.

    Returns the history: one dict per epoch, epoch 0 being the untrained model, holding the
    mean of the batches' metrics (the model's ``learn_batch``), the metrics on ``test``
    (``evaluate_data``, prefixed ``test_`` where the names clash) and the seconds spent.
    """
    if not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs must be a whole number >= 0, got {epochs!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    rng = np.random.default_rng(seed)
    history = [{"epoch": 0, **_test_metrics(model, test), "seconds": 0.0}]
    bar = tqdm(range(1, epochs + 1), desc=description, unit="epoch", disable=not progress,
               leave=False)
    for epoch in bar:
        started = time.perf_counter()
        order = rng.permutation(len(train))
        totals = {}
        batches = 0
        for start in range(0, len(train), batch_size):
            metrics = model.learn_batch(train.take(order[start:start + batch_size]))
            for name, value in metrics.items():
                totals[name] = totals.get(name, 0.0) + value
            batches += 1
        row = {"epoch": epoch, **{k: v / batches for k, v in totals.items()},
               **_test_metrics(model, test), "seconds": time.perf_counter() - started}
        history.append(row)
        bar.set_postfix({k: f"{v:.3g}" for k, v in row.items() if k not in ("epoch",
                                                                              "seconds")})
    return history


def _test_metrics(model, test):
    metrics = model.evaluate_data(test)
    return {(f"test_{k}" if k in ("energy", "active") else k): v for k, v in metrics.items()}
