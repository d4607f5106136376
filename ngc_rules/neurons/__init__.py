"""Neurons: rate and Gaussian error cells for predictive coding, and ngc-learn's spiking
cells (leaky, quadratic and plain integrate-and-fire, AdEx, Izhikevich)."""
from .activations import CODES as ACTIVATIONS
from .adex import AdExCell
from .error import GaussianErrorCell
from .integrate_fire import IFCell
from .izhikevich import IzhikevichCell
from .lif import LIFCell
from .quad_lif import QuadLIFCell
from .rate import RateCell

__all__ = ["RateCell", "GaussianErrorCell", "ACTIVATIONS", "LIFCell", "IFCell",
           "QuadLIFCell", "AdExCell", "IzhikevichCell"]
