"""Synapses with ngc-learn's names and compartments, as plain Python objects."""
from .bcm import BCMSynapse
from .dense import DenseSynapse
from .event_stdp import EventSTDPSynapse
from .exp_stdp import ExpSTDPSynapse
from .hebbian import HebbianSynapse
from .mstdpet import MSTDPETSynapse
from .static import StaticSynapse
from .stdp import STDPSynapse
from .trace_stdp import TraceSTDPSynapse

__all__ = ["DenseSynapse", "HebbianSynapse", "StaticSynapse", "TraceSTDPSynapse",
           "ExpSTDPSynapse", "STDPSynapse", "EventSTDPSynapse", "BCMSynapse",
           "MSTDPETSynapse"]
