"""Synapses with ngc-learn's names and compartments, as plain Python objects."""
from .dense import DenseSynapse
from .hebbian import HebbianSynapse

__all__ = ["DenseSynapse", "HebbianSynapse"]
