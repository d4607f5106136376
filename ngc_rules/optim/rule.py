"""A learning rule as an object: a step function with its hyperparameters, ready to be
attached to a synapse (or to any list of parameters) and applied in place."""
import functools
import inspect

import numpy as np

from .adam import adam_init, adam_step
from . import _checks
from .attached import AttachedRule
from .finite import ON_NONFINITE, FiniteState, finite_init, finite_step
from .momentum import momentum_init, momentum_step
from .nag import nag_init, nag_step
from .sgd import sgd_init, sgd_step

_INIT_OF = {sgd_step: sgd_init, nag_step: nag_init, adam_step: adam_init,
            momentum_step: momentum_init}
_NAMES = {"sgd": sgd_step, "nag": nag_step, "adam": adam_step, "momentum": momentum_step}


def _hyperparameter_names(step):
    return [name for name, p in inspect.signature(step).parameters.items()
            if p.default is not inspect.Parameter.empty and name != "inplace"]


class LearningRule:
    """A step function and its hyperparameters.

    ``rule.init(theta)`` makes the state; ``state = rule.step(state, theta, updates)``
    applies one update to ``theta`` in place (no parameter-sized allocation).

    Args:
        step: a name ("sgd", "nag", "adam", "momentum"), one of our step functions, or a
            ``functools.partial`` of one (as made by :func:`get_opt_step_fn`).
        on_nonfinite: ``None`` (apply every update), "skip" or "raise": check each
            update for NaN and inf first and skip the step (counting it in
            :attr:`skipped_steps`) or refuse it (see :func:`finite_step`).
        **hyperparameters: the step function's keyword arguments (``eta``, ``beta2``,
            ``amsgrad``, ...); they override those bound in a partial.

    Example:
        >>> import numpy as np
        >>> from ngc_rules.optim import LearningRule
        >>> rule = LearningRule("adam", eta=0.1, beta2=0.99)
        >>> w = np.ones(3, np.float32)
        >>> state = rule.init([w])
        >>> state = rule.step(state, [w], [np.ones(3, np.float32)])
        >>> w.round(4).tolist(), int(state.t)
        ([0.8999999761581421, 0.8999999761581421, 0.8999999761581421], 1)
    """

    def __init__(self, step, on_nonfinite=None, **hyperparameters):
        if isinstance(step, LearningRule):
            hyperparameters = {**step.hyperparameters, **hyperparameters}
            on_nonfinite = on_nonfinite or step.on_nonfinite
            step = step.step_fn
        if isinstance(step, functools.partial):
            hyperparameters = {**step.keywords, **hyperparameters}
            step = step.func
        if isinstance(step, str):
            if step not in _NAMES:
                raise ValueError(f"optim_type: unknown rule {step!r}; expected one of "
                                 f"{sorted(_NAMES)}, a step function or a LearningRule")
            step = _NAMES[step]
        if step not in _INIT_OF:
            raise TypeError(f"optim_type must be a rule name, one of ngc_rules' step "
                            f"functions or a LearningRule, got {step!r}")
        accepted = _hyperparameter_names(step)
        unknown = sorted(set(hyperparameters) - set(accepted))
        if unknown:
            raise TypeError(f"{step.__name__} takes the hyperparameters {accepted}, "
                            f"not {unknown}")
        self.step_fn = step
        self.hyperparameters = dict(hyperparameters)
        self.on_nonfinite = None if on_nonfinite is None else _checks.one_of(
            "on_nonfinite", on_nonfinite, ON_NONFINITE)

    @property
    def name(self):
        """The rule's short name ("sgd", "nag", "adam" or "momentum")."""
        return self.step_fn.__name__[:-len("_step")]

    def init(self, theta):
        """The optimizer state for parameters ``theta``."""
        if self.step_fn is adam_step and self.hyperparameters.get("amsgrad"):
            state = adam_init(theta, amsgrad=self.hyperparameters["amsgrad"])
        else:
            state = _INIT_OF[self.step_fn](theta)
        return state if self.on_nonfinite is None else finite_init(state)

    def step(self, opt_params, theta, updates):
        """Apply one update to ``theta`` in place; returns the new state."""
        if self.on_nonfinite is None:
            opt_params, _ = self.step_fn(opt_params, theta, updates, inplace=True,
                                         **self.hyperparameters)
        else:
            opt_params, _ = finite_step(opt_params, theta, updates, step=self.step_fn,
                                        on_nonfinite=self.on_nonfinite, inplace=True,
                                        **self.hyperparameters)
        return opt_params

    def attach(self, theta, opt_params=None):
        """This rule attached to the parameters ``theta`` (and ``opt_params``, else a new
        state): an :class:`~ngc_rules.optim.AttachedRule`, whose ``step(updates)``
        updates them in place, checking theta and the state only once."""
        return AttachedRule(self, theta, opt_params)

    def identity(self):
        """The rule's name and options but its learning rate (which a resumed run may
        change), as a checkpoint records it to refuse another rule's file: e.g.
        ``adam(infinity_norm=True, scalar_precision='keras')``; NumPy scalars read as the
        numbers a JSON config gives back."""
        options = {**self.hyperparameters, "on_nonfinite": self.on_nonfinite}
        text = ", ".join(f"{name}={value.item() if isinstance(value, np.generic) else value!r}"
                         for name, value in sorted(options.items())
                         if name != "eta" and value is not None)
        return f"{self.name}({text})" if text else self.name

    @staticmethod
    def skipped_steps(opt_params):
        """How many steps a state has skipped for non-finite updates (0 without the
        check)."""
        return int(opt_params.skipped) if isinstance(opt_params, FiniteState) else 0

    def __repr__(self):
        settings = dict(self.hyperparameters)
        if self.on_nonfinite is not None:
            settings["on_nonfinite"] = self.on_nonfinite
        options = ", ".join(f"{k}={v!r}" for k, v in settings.items())
        return f"LearningRule({self.name!r}{', ' if options else ''}{options})"

