"""OpenFL's ``NumPyAdam`` (``openfl.utilities.optimizers.numpy``) on ngc_rules' kernels.

The paper's Adam with float64 scalars, both moments starting at
``initial_accumulator_value``, and one step counter per parameter name.

Example:
    >>> import numpy as np
    >>> from ngc_rules.compat.openfl import NumPyAdam
    >>> params = {"w": np.array([1.0, 2.0])}
    >>> opt = NumPyAdam(params=params, learning_rate=0.1)
    >>> opt.step({"w": np.array([0.5, -0.5])})
    >>> params["w"].round(6).tolist(), opt.current_step
    ([0.9, 2.1], {'w': 1})
"""
import numpy as np

from .. import optim
from ..optim._engine import check_step


class NumPyAdam:
    """Adam over a dict of NumPy arrays, updated in place by :meth:`step`.

    Args:
        params: the parameters, a dict of arrays (or give ``model_interface``).
        model_interface: any object whose ``get_tensor_dict()`` gives the parameters.
        learning_rate: the step size, ``>= 0``.
        betas: the decay rates of the two moments, each in ``[0, 1)``.
        initial_accumulator_value: the starting value of both moments, ``>= 0``.
        epsilon: added to the root of the second moment, ``> 0``.
    """

    def __init__(self, *, params=None, model_interface=None, learning_rate=0.01,
                 betas=(0.9, 0.999), initial_accumulator_value=0.0, epsilon=1e-08):
        if model_interface is None and params is None:
            raise ValueError("Should provide one of the params or model_interface")
        if learning_rate < 0:
            raise ValueError(f"Invalid learning rate: {learning_rate}. Learning rate must be "
                             f">= 0.")
        for k in (0, 1):
            if not 0.0 <= betas[k] < 1:
                raise ValueError(f"Invalid betas[{k}] value: {betas[k]}. betas[{k}] must be "
                                 f"in [0, 1).")
        if initial_accumulator_value < 0:
            raise ValueError(f"Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}. Initial accumulator value must "
                             f"be >= 0.")
        if epsilon <= 0:
            raise ValueError(f"Invalid epsilon value: {epsilon}. Epsilon avalue must be > 0.")
        self.params = params if params is not None else model_interface.get_tensor_dict()
        self.learning_rate = learning_rate
        self.beta_1, self.beta_2 = betas
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon
        self.current_step = {name: 0 for name in self.params}
        state = optim.adam_init(self.params, initial_accumulator_value=initial_accumulator_value)
        self.grads_first_moment, self.grads_second_moment = state.m, state.v

    def step(self, gradients):
        """Update the parameters named in ``gradients`` (a dict) in place, each at its own
        step count. Every parameter and gradient is checked before any parameter moves: an
        unknown name is a KeyError, anything else the step refuses its error, and nothing
        changes."""
        for name in gradients:
            if name not in self.grads_first_moment:
                raise KeyError(f"Key {name} doesn't exist in optimized parameters")
            if np.shape(gradients[name]) != np.shape(self.params[name]):
                raise ValueError(f"gradients[{name!r}] has shape {np.shape(gradients[name])}, "
                                 f"expected {np.shape(self.params[name])}")
        by_step = {}
        for name in gradients:
            by_step.setdefault(self.current_step[name], []).append(name)
        steps = [self._step_arguments(t, names, gradients) for t, names in by_step.items()]
        options = dict(eta=self.learning_rate, beta1=self.beta_1, beta2=self.beta_2,
                       eps=self.epsilon, inplace=True)
        for arguments in steps:  # one step per step count: all are checked before any runs
            check_step(optim.adam_step, *arguments, **options)
        for arguments in steps:
            optim.adam_step(*arguments, **options)
        for name in gradients:
            self.current_step[name] += 1

    def _step_arguments(self, t, names, gradients):
        """``(state, params, gradients)`` of the parameters ``names``, at step count ``t``."""
        state = optim.AdamState({n: self.grads_first_moment[n] for n in names},
                                {n: self.grads_second_moment[n] for n in names},
                                np.array(t, np.int64))
        return state, {n: self.params[n] for n in names}, {n: gradients[n] for n in names}
