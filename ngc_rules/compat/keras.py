"""``keras.optimizers.Adam`` (Keras 3) on ngc_rules' kernels, with Keras' arithmetic.

Variables are NumPy arrays (or device arrays) updated in place. Every option reaches the
same fused step: ``epsilon`` is Keras' "epsilon hat", moments use Keras' arithmetic, and
scalar coefficients are computed in the variables' precision, so trajectories match
Keras' to the bit in the recorded cases.

Example:
    >>> import numpy as np
    >>> from ngc_rules.compat.keras import Adam
    >>> w = np.array([1.0, -2.0], np.float32)
    >>> opt = Adam(learning_rate=0.1)
    >>> opt.apply_gradients([(np.array([0.5, 0.5], np.float32), w)])
    1
    >>> w.round(6).tolist(), opt.iterations
    ([0.900001, -2.099999], 1)
"""
import functools
import warnings

from .. import optim, schedules
from ._rates import (constructor_arguments, learning_rate_config, rate_at,
                     valid_learning_rate)


class Adam:
    """Adam with Keras' constructor, validation and methods.

    Args:
        learning_rate: a float, a :mod:`ngc_rules.schedules` schedule (called with the
            number of ``apply`` calls so far) or a callable with no arguments.
        beta_1, beta_2: decay rates of the moments.
        epsilon: Keras' "epsilon hat": ``theta -= lr_t * m / (sqrt(v) + epsilon)``.
        amsgrad: use the maximum of the second moment so far.
        weight_decay: decoupled weight decay ``theta -= theta * weight_decay * lr``.
        clipnorm, clipvalue, global_clipnorm: gradient clipping (at most one).
        use_ema, ema_momentum, ema_overwrite_frequency: moving average of the weights.
        loss_scale_factor: gradients are divided by it first.
        gradient_accumulation_steps: apply the mean gradient every that many calls.
        name: the optimizer's name.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adam", **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError(f"`gradient_accumulation_steps` must be an integer >= 2. "
                             f"Received: gradient_accumulation_steps="
                             f"{gradient_accumulation_steps}")
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. "
                                 f"Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError(f"`ema_overwrite_frequency` must be an integer >= 1 or "
                                 f"None. Received: ema_overwrite_frequency="
                                 f"{ema_overwrite_frequency}")
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                             f"be set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        self._learning_rate = valid_learning_rate(learning_rate)
        self.name = name
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self._iterations = 0
        self._variables = None
        self._state = None

    # -- learning rate -------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate (a schedule is evaluated at the raw call count)."""
        return rate_at(self._learning_rate, self._iterations)

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        if isinstance(self._learning_rate, schedules.LearningRateSchedule) and \
                not callable(learning_rate):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` "
                            "object as its `learning_rate` constructor argument, hence its "
                            "learning rate is not settable.")
        self._learning_rate = valid_learning_rate(learning_rate)

    @property
    def iterations(self):
        """Updates applied: calls to ``apply``, divided by the accumulation steps."""
        return self._iterations // (self.gradient_accumulation_steps or 1)

    # -- state ------------------------------------------------------------------------
    def build(self, variables):
        """Create the moments (and EMA, accumulators) for ``variables``."""
        variables = list(variables)
        state = optim.adam_init(variables, amsgrad=self.amsgrad)
        if self.gradient_accumulation_steps:
            state = optim.accumulation_init(variables, state)
        if self.use_ema:
            state = optim.ema_init(variables, state)
        self._variables, self._state = variables, state

    @property
    def built(self):
        return self._variables is not None

    def _step_function(self):
        step = functools.partial(
            optim.adam_step, beta1=self.beta_1, beta2=self.beta_2, eps=self.epsilon,
            epsilon_hat=True, moments="lerp", scalar_precision="keras",
            amsgrad=self.amsgrad,
            weight_decay=self.weight_decay or 0.0, clip_norm=self.clipnorm or None,
            global_clip_norm=self.global_clipnorm or None,
            clip_value=self.clipvalue or None)
        if self.gradient_accumulation_steps:
            step = functools.partial(optim.accumulation_step, step=step,
                                     every=self.gradient_accumulation_steps)
        if self.use_ema:
            step = functools.partial(optim.ema_step, step=step, momentum=self.ema_momentum,
                                     overwrite_every=self.ema_overwrite_frequency)
        return step

    # -- updates ----------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """``apply`` over ``(gradient, variable)`` pairs; returns ``iterations``."""
        grads, variables = zip(*grads_and_vars)
        self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Update the variables in place with ``grads`` (one per variable)."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer "
                                 "must already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first.")
            variables = self._variables
        else:
            variables = list(trainable_variables)
            if not self.built:
                self.build(variables)
            self._check_variables_are_known(variables)
        if len(grads) != len(variables):
            raise ValueError(f"Got {len(grads)} gradients for {len(variables)} variables")
        missing = [k for k, g in enumerate(grads) if g is None]
        if missing:
            raise ValueError(f"No gradient for the variables at positions {missing}: every "
                             f"variable the optimizer was built with needs one")
        # the schedule is evaluated here, at the raw call count, as Keras does
        self._state, _ = self._step_function()(
            self._state, self._variables, grads, eta=self.learning_rate, inplace=True,
            **({"loss_scale": self.loss_scale_factor} if self.loss_scale_factor else {}))
        self._iterations += 1

    def _check_variables_are_known(self, variables):
        known = {id(v) for v in self._variables}
        for v in variables:
            if id(v) not in known:
                raise ValueError(f"Unknown variable: {v!r}. This optimizer can only be "
                                 f"called for the variables it was originally built with.")
        if [id(v) for v in variables] != [id(v) for v in self._variables]:
            raise ValueError("ngc_rules' Adam updates all of its variables together: pass "
                             "them in the order the optimizer was built with")

    def finalize_variable_values(self, var_list):
        """With ``use_ema``, give the variables their moving average (in place)."""
        if self.use_ema and self.built:
            optim.ema_finalize(self._state, list(var_list), inplace=True)

    def scale_loss(self, loss):
        """The loss multiplied by ``loss_scale_factor`` (if set)."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    # -- config -----------------------------------------------------------------------
    def get_config(self):
        """The constructor arguments, with a schedule serialized to a dict."""
        return {"name": self.name, "learning_rate": learning_rate_config(self._learning_rate),
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps,
                "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The optimizer :meth:`get_config` described (without its state)."""
        return cls(**constructor_arguments(config))


