"""The ``train`` command's data: a built-in set or the user's files, checked together."""
import os
import zipfile

import numpy as np

from .. import data

_KERAS_KEYS = {"x_train", "y_train", "x_test", "y_test"}
LABELLED = {"pcn": "the pcn learns to classify",
            "diehl-cook": "diehl-cook reads its neurons' classes out from them"}
"""The models that need labels, and what for."""


def _keras_archive(path):
    """Whether ``path`` is a ``.npz`` with Keras' train and test parts (``mnist.npz``)."""
    if not zipfile.is_zipfile(path):
        return False
    with np.load(path, allow_pickle=False) as archive:
        return _KERAS_KEYS <= set(archive.files)


def _load(argument, source, **options):
    try:
        return data.load(source, **options)
    except FileNotFoundError as error:
        raise OSError(f"{argument} {source}: no such file ({error.filename})") from None


def _check_intensities(argument, source, dataset):
    """The spiking model shows each value as a spike rate: it must lie in [0, 1]."""
    low, high = float(dataset.x.min()), float(dataset.x.max())
    if low < 0 or high > 1:
        hint = f"--scale {high:g} or minmax" if low >= 0 else "--scale minmax"
        raise ValueError(f"{argument} {source}: diehl-cook takes intensities in [0, 1] (spike "
                         f"rates), got values in [{low:g}, {high:g}]; {hint} would map them")


def load_data(args):
    """``(train, test, name, notes)`` as the arguments say; ``notes`` are lines worth
    telling the user (values that look unscaled, say)."""
    source = args.data or ("bars" if args.model == "sparse-coding" else "digits")
    keras = False
    if source in data.NAMES:
        if args.scale is not None or args.x_key or args.labels_key:
            raise ValueError(f"--scale, --x-key and --labels-key apply to files; the built-in "
                             f"{source!r} is ready to use")
        train = _load("--data", source)
    else:
        if args.scale == "minmax" and args.test_data is not None:
            raise ValueError("--scale minmax would map --data and --test-data each to its "
                             "own range; give a number (e.g. 255) to scale both alike")
        keras = args.x_key is None and args.labels_key is None and os.path.isfile(source) \
            and _keras_archive(source)
        keys = dict(x_key="x_train", labels_key="y_train") if keras else \
            dict(x_key=args.x_key, labels_key=args.labels_key)
        train = _load("--data", source, scale=args.scale, **keys)
    if args.model in LABELLED and not len(train.labels):
        raise ValueError(f"--data {source} has no labels; {LABELLED[args.model]}")
    classes = dict(n_classes=train.y.shape[1]) if len(train.labels) else {}
    if args.test_data is None and keras:
        test = _load("--data", source, scale=args.scale, x_key="x_test", labels_key="y_test",
                     **classes)
    elif args.test_data is None:
        train, test = data.split(train, seed=args.seed)
    else:
        test = _load("--test-data", args.test_data, scale=args.scale, **classes)
        if test.x.shape[1] != train.x.shape[1]:
            raise ValueError(f"--test-data {args.test_data} has {test.x.shape[1]} features "
                             f"per sample, --data {source} has {train.x.shape[1]}")
    if args.model == "diehl-cook":
        _check_intensities("--data", source, train)
        _check_intensities("--test-data", args.test_data or source, test)
    notes = []
    if args.scale is None and train.x.max() > 1:
        notes.append(f"note: --data values reach {train.x.max():g}; --scale "
                     f"{train.x.max():g} (or minmax) would map them to [0, 1]")
    return train, test, os.path.basename(source), notes
