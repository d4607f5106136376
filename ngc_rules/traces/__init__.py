"""Traces of spike trains with ngc-learn's names and compartments."""
from .var_trace import VarTrace

__all__ = ["VarTrace"]
