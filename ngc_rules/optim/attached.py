"""A learning rule attached to one set of parameters, which it updates in place (as
BindsNET attaches a rule to a connection, and a PyTorch optimizer holds its parameters)."""
from ._engine import Prepared
from ._state import steps_taken
from ._tree import flatten


class AttachedRule:
    """A :class:`~ngc_rules.optim.LearningRule` attached to the parameters ``theta``,
    with its state; each :meth:`step` updates both in place.

    The arrays of ``theta`` and of the state are checked once, when they are attached
    (arrays that share memory are refused then). A step then checks only the updates
    (an update overlapping an attached array is refused), and that no attached array was
    reshaped, retyped or made read-only since, which takes about a third off a step over
    small tensors (``docs/performance.md``). The results are those of the step function
    with ``inplace=True``, bit for bit; updates that must be converted, or that hold rows
    (:class:`~ngc_rules.optim.IndexedSlices`), take the step function's general path.

    The rule keeps updating the arrays it was given: to update other arrays, attach
    again, or assign :attr:`theta` (or :attr:`state`), which checks them anew.

    Args:
        rule: the :class:`~ngc_rules.optim.LearningRule`.
        theta: the parameters (an array, or a list, tuple or dict of arrays).
        opt_params: the state to go on from (``rule.init(theta)`` by default).

    Example:
        >>> import numpy as np
        >>> from ngc_rules.optim import LearningRule
        >>> w = np.zeros(3, np.float32)
        >>> learner = LearningRule("adam", eta=0.1).attach([w])
        >>> for _ in range(2):
        ...     learner.step([np.ones(3, np.float32)])
        >>> w.round(4).tolist(), int(learner.state.t)
        ([-0.2, -0.2, -0.2], 2)
    """

    def __init__(self, rule, theta, opt_params=None):
        self.rule = rule
        self._attach(theta, rule.init(theta) if opt_params is None else opt_params)

    def _attach(self, theta, opt_params):
        """Check and keep ``theta`` and ``opt_params``, nothing changed if refused (with
        a non-finite guard, or on a device, every step checks them instead)."""
        params, structure = flatten(theta, "theta")
        theta = structure.build(params)  # the arrays given now, whatever their list becomes
        self._target = theta if self.rule.on_nonfinite else Prepared.of(opt_params, theta)
        self._theta, self._state = theta, opt_params

    @property
    def theta(self):
        """The parameters the rule updates."""
        return self._theta

    @theta.setter
    def theta(self, theta):
        self._attach(theta, self._state)

    @property
    def state(self):
        """The rule's state (its counter ``t`` counts the steps taken)."""
        return self._state

    @state.setter
    def state(self, opt_params):
        self._attach(self._theta, opt_params)

    def step(self, updates):
        """Apply one update (in ``theta``'s structure) to ``theta`` in place."""
        state = self.rule.step(self._state, self._target, updates)
        if state is not self._state:  # a state that cannot be advanced in place
            self.state = state

    def __repr__(self):
        return f"<{self.rule!r} attached, {steps_taken(self._state)} steps taken>"
