"""ngc_rules: Numba-compiled learning rules for predictive coding and other
biologically inspired simulations."""
from .optim import (AdamState, AmsgradState, IndexedSlices, NagState, adam_init, adam_step,
                    get_opt_init_fn, get_opt_step_fn, nag_init, nag_step, sgd_init, sgd_step)

__version__ = "0.1.0"

__all__ = ["sgd_init", "sgd_step", "nag_init", "nag_step", "adam_init", "adam_step",
           "get_opt_init_fn", "get_opt_step_fn", "NagState", "AdamState", "AmsgradState",
           "IndexedSlices", "__version__"]
