"""Rules by name, like ``ngclearn.utils.optim.get_opt_init_fn`` / ``get_opt_step_fn``."""
import functools
import inspect

from .adam import adam_init, adam_step
from .nag import nag_init, nag_step
from .sgd import sgd_init, sgd_step

_RULES = {"sgd": (sgd_init, sgd_step), "nag": (nag_init, nag_step),
          "adam": (adam_init, adam_step)}


def _lookup(opt):
    try:
        return _RULES[opt]
    except (KeyError, TypeError):
        raise ValueError(f"unknown optimizer {opt!r}; expected one of {sorted(_RULES)}") from None


def get_opt_init_fn(opt="adam"):
    """The init function of optimizer ``opt`` ("sgd", "nag" or "adam")."""
    return _lookup(opt)[0]


def get_opt_step_fn(opt="adam", **hyperparameters):
    """The step function of ``opt`` with ``hyperparameters`` bound (a ``functools.partial``).

    Unknown hyperparameter names are refused here rather than at the first step.

    Example:
        >>> from ngc_rules.optim import get_opt_step_fn
        >>> step = get_opt_step_fn("adam", eta=1e-2, beta2=0.99)
        >>> step.keywords
        {'eta': 0.01, 'beta2': 0.99}
    """
    step = _lookup(opt)[1]
    accepted = [name for name, p in inspect.signature(step).parameters.items()
                if p.default is not inspect.Parameter.empty]
    unknown = sorted(set(hyperparameters) - set(accepted))
    if unknown:
        raise TypeError(f"{opt} takes the hyperparameters {accepted}, not {unknown}")
    return functools.partial(step, **hyperparameters)
