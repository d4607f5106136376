"""Predictive-coding models built from the synapses and neurons."""
from .pcn import PCN
from .sparse_coding import SparseCoding

__all__ = ["PCN", "SparseCoding"]
