"""Neurons for predictive coding: rate cells and Gaussian error cells."""
from .activations import CODES as ACTIVATIONS
from .error import GaussianErrorCell
from .rate import RateCell

__all__ = ["RateCell", "GaussianErrorCell", "ACTIVATIONS"]
