"""neon's ``Adam`` (``neon.optimizers.optimizer``) on ngc_rules' kernels.

Epsilon hat, float64 scalars, gradients divided by the batch size, and neon's global
norm clip, which scales the *step* by ``clip_norm / max(||g||_global / batch_size,
clip_norm)``. ``stochastic_round`` rounds the stored parameters stochastically.

Example:
    >>> import numpy as np
    >>> from ngc_rules.compat.neon import Adam
    >>> w, g, states = np.array([1.0, -1.0], np.float32), np.array([4.0, 4.0], np.float32), []
    >>> opt = Adam(learning_rate=0.1, batch_size=4)
    >>> opt.optimize([((w, g), states)], epoch=0)
    >>> w.round(6).tolist(), len(states)
    ([0.9, -1.1], 2)
"""
import numpy as np

from .. import optim


class Adam:
    """Adam with neon's constructor and methods; ``optimize`` updates each ``param``
    in place and keeps its moments in the ``states`` list given with it.

    Args:
        stochastic_round: ``False``, ``True`` (float16's 10 mantissa bits) or the
            number of mantissa bits to keep; rounds each new parameter value up or down
            with probability given by its remainder, reproducibly from ``seed``.
        learning_rate, beta_1, beta_2, epsilon: Adam's hyperparameters.
        gradient_clip_norm: scale the step when the global gradient norm exceeds it.
        gradient_clip_value: clip each gradient element to ``[-value, value]``.
        param_clip_value: clip each parameter to ``[-value, value]`` after the step.
        name: the optimizer's name.
        batch_size: the gradients are divided by it (neon's ``be.bsz``).
        seed: the seed of the stochastic rounding.
    """

    def __init__(self, stochastic_round=False, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, gradient_clip_norm=None, gradient_clip_value=None,
                 param_clip_value=None, name="adam", *, batch_size=1, seed=0):
        self.stochastic_round, self.seed = stochastic_round, seed
        self.learning_rate, self.beta_1, self.beta_2 = learning_rate, beta_1, beta_2
        self.epsilon = epsilon
        self.gradient_clip_norm = gradient_clip_norm
        self.gradient_clip_value = gradient_clip_value
        self.param_clip_value = param_clip_value
        self.name, self.batch_size = name, batch_size
        self.t = 0

    def optimize(self, param_list, epoch):
        """One Adam step over ``((param, grad), states)`` tuples, all together (the
        global norm spans them). ``epoch`` is accepted for neon's signature."""
        param_list = list(param_list)
        params = [param for (param, _), _ in param_list]
        grads = [grad for (_, grad), _ in param_list]
        moments = [states or optim.adam_init(p)[:2] for p, (_, states) in
                   zip(params, param_list)]
        state = optim.AdamState([m for m, _ in moments], [v for _, v in moments],
                                np.array(self.t, np.int64))
        optim.adam_step(state, params, grads, eta=self.learning_rate, beta1=self.beta_1,
                        beta2=self.beta_2, eps=self.epsilon, epsilon_hat=True,
                        loss_scale=self.batch_size, step_clip_norm=self.gradient_clip_norm,
                        clip_value=self.gradient_clip_value, param_clip=self.param_clip_value,
                        stochastic_round=self.stochastic_round, seed=self.seed,
                        inplace=True)
        for (_, states), (m, v) in zip(param_list, moments):
            if not states:
                states.extend([m, v])
        self.t += 1

    def clip_gradient_norm(self, param_list, clip_norm=None):
        """neon's step scale: ``clip_norm / max(||g||_global / batch_size, clip_norm)``."""
        clip_norm = self.gradient_clip_norm if clip_norm is None else clip_norm
        grads = [np.asarray(grad, np.float64) for (_, grad), _ in param_list]
        norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads)) / self.batch_size
        return clip_norm / max(norm, clip_norm)

    def clip_value(self, v, abs_bound=None):
        """``v`` clipped to ``[-|abs_bound|, |abs_bound|]`` (unchanged without a bound)."""
        if abs_bound:
            return np.clip(v, -abs(abs_bound), abs(abs_bound))
        return v

    def get_description(self):
        """neon's serialization: the type and the constructor arguments."""
        return {"type": "neon.optimizers.optimizer.Adam",
                "config": {"stochastic_round": self.stochastic_round,
                           "learning_rate": self.learning_rate, "beta_1": self.beta_1,
                           "beta_2": self.beta_2, "epsilon": self.epsilon,
                           "gradient_clip_norm": self.gradient_clip_norm,
                           "gradient_clip_value": self.gradient_clip_value,
                           "param_clip_value": self.param_clip_value, "name": self.name}}
