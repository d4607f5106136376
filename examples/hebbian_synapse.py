"""Attach a learning rule to a synapse: a HebbianSynapse learns a linear map with the delta
rule (pre = input, post = error, sign_value = -1), once per rule.

    python examples/hebbian_synapse.py [--steps 300] [--plot synapse_rules.png]
"""
import argparse

import numpy as np

from ngc_rules import initializers
from ngc_rules.optim import LearningRule
from ngc_rules.synapses import HebbianSynapse

RULES = {"sgd": LearningRule("sgd", eta=0.02),
         "nag": LearningRule("nag", eta=0.01, mu=0.9),
         "adam": LearningRule("adam", eta=0.02, beta2=0.99)}


def train(rule, steps, seed=0):
    """Mean squared error of the synapse's outputs after each step."""
    rng = np.random.default_rng(seed)
    target_map = rng.normal(0, 0.5, (10, 4)).astype(np.float32)
    synapse = HebbianSynapse("W", (10, 4), optim_type=rule, w_bound=0.0, sign_value=-1.0,
                             weight_init=initializers.constant(0.0),
                             bias_init=initializers.constant(0.0), seed=seed)
    errors = []
    for _ in range(steps):
        x = rng.standard_normal((16, 10)).astype(np.float32)
        synapse.inputs = x
        synapse.advance_state()
        error = x @ target_map - synapse.outputs
        synapse.pre, synapse.post = x, error / len(x)  # mean over the batch
        synapse.evolve()
        errors.append(float(np.mean(error ** 2)))
    return errors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--plot", help="save the error curves to this PNG file")
    args = parser.parse_args(argv)
    curves = {name: train(rule, args.steps) for name, rule in RULES.items()}
    for name, errors in curves.items():
        print(f"{name:>4} {RULES[name]}: error {errors[0]:.3f} -> {errors[-1]:.2e}")
    if args.plot:
        from ngc_rules.plots import plot_learning_curves
        histories = {name: [{"epoch": k + 1, "squared error": e} for k, e in enumerate(errors)]
                     for name, errors in curves.items()}
        plot_learning_curves(histories, ["squared error"], args.plot,
                             "A HebbianSynapse learning a linear map, by attached rule",
                             configs={name: {"optim_type": rule.name,
                                             "optim_params": rule.hyperparameters}
                                      for name, rule in RULES.items()},
                             xlabel="step")
    return curves


if __name__ == "__main__":
    main()
