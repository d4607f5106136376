"""Models built from the synapses and neurons: predictive coding, sparse coding and a
spiking network that learns by STDP."""
import os

from .._atomic import saved_directory
from ..checkpoint import read_json_file
from .diehl_cook import DiehlCook
from .pcn import PCN
from .sparse_coding import SparseCoding

MODELS = {cls.__name__: cls for cls in (PCN, SparseCoding, DiehlCook)}
"""The model classes by the names their checkpoints record."""


def restore(directory):
    """The model saved in ``directory`` by ``model.save``, whatever its class."""
    with saved_directory(directory) as directory:
        path = os.path.join(directory, "model.json")
        name = read_json_file(path).get("model")
        if name not in MODELS:
            raise ValueError(f"{path} names the model {name!r}; expected one of "
                             f"{sorted(MODELS)}")
        return MODELS[name].restore(directory)


__all__ = ["PCN", "SparseCoding", "DiehlCook", "MODELS", "restore"]
