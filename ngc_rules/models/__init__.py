"""Predictive-coding models built from the synapses and neurons."""
import os

from ..checkpoint import read_json
from .pcn import PCN
from .sparse_coding import SparseCoding

MODELS = {cls.__name__: cls for cls in (PCN, SparseCoding)}
"""The model classes by the names their checkpoints record."""


def restore(directory):
    """The model saved in ``directory`` by ``model.save``, whatever its class."""
    path = os.path.join(directory, "model.json")
    with open(path) as file:
        name = read_json(file.read(), path).get("model")
    if name not in MODELS:
        raise ValueError(f"{path} names the model {name!r}; expected one of {sorted(MODELS)}")
    return MODELS[name].restore(directory)


__all__ = ["PCN", "SparseCoding", "MODELS", "restore"]
