"""Learning rules as decoupled step functions, a drop-in for ``ngclearn.utils.optim``.

``opt_params, theta = step(opt_params, theta, updates, **hyperparameters)``, compiled
with Numba for the CPU (NumPy arrays) and CUDA (device arrays).
"""
from ._registry import get_opt_init_fn, get_opt_step_fn
from ._state import AdamState, AmsgradState, MomentumState, NagState
from .accumulation import AccumulationState, accumulation_init, accumulation_step
from .adam import adam_init, adam_step
from .attached import AttachedRule
from .ema import EmaState, ema_finalize, ema_init, ema_step
from .finite import FiniteState, finite_init, finite_step
from .momentum import momentum_init, momentum_step
from .nag import nag_init, nag_step
from .rule import LearningRule
from .sgd import sgd_init, sgd_step
from .sparse import IndexedSlices

__all__ = ["sgd_init", "sgd_step", "nag_init", "nag_step", "adam_init", "adam_step",
           "get_opt_init_fn", "get_opt_step_fn", "NagState", "AdamState", "AmsgradState",
           "momentum_init", "momentum_step", "MomentumState",
           "accumulation_init", "accumulation_step", "AccumulationState",
           "ema_init", "ema_step", "ema_finalize", "EmaState", "finite_init",
           "finite_step", "FiniteState", "IndexedSlices",
           "LearningRule", "AttachedRule"]
