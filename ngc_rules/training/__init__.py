"""Training models: the loop shared by the command line and the examples, divergence
caught where it happens, and runs saved to continue bit for bit."""
from .loop import Diverged, Interrupted, describe_rule, fit
from .runs import Progress, Run, load_run, save_run

__all__ = ["fit", "Diverged", "Interrupted", "Run", "Progress", "load_run", "save_run",
           "describe_rule"]
