"""Spike encoders with ngc-learn's names and compartments: Bernoulli and Poisson spike
trains drawn from counter-based random numbers, and latency (time-to-first-spike) codes."""
from .bernoulli import BernoulliCell
from .latency import LatencyCell
from .poisson import PoissonCell

__all__ = ["BernoulliCell", "PoissonCell", "LatencyCell"]
