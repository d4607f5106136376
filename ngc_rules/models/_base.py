"""What every model shares: a JSON configuration, and checkpoints of its synapses."""
import os

from ..checkpoint import read_json, write_json
from ..optim.rule import LearningRule


def rule_config(optim_type, eta, optim_params):
    """A JSON-ready description of a learning rule given as a name, function or object."""
    rule = LearningRule(optim_type, **(optim_params or {}))
    params = {k: v for k, v in rule.hyperparameters.items() if k != "eta"}
    if rule.on_nonfinite is not None:
        params["on_nonfinite"] = rule.on_nonfinite
    return {"optim_type": rule.name,
            "eta": rule.hyperparameters.get("eta") if eta is None else eta,
            "optim_params": params}


class Model:
    """Base of the models: subclasses set ``config`` (their constructor's arguments) and
    ``synapses`` (the components that learn)."""

    config: dict
    synapses: list

    def learn_batch(self, data):
        """One learning step on a :class:`~ngc_rules.data.Dataset` batch; returns metrics."""
        raise NotImplementedError

    def evaluate_data(self, data):
        """Metrics of the model on a whole :class:`~ngc_rules.data.Dataset`."""
        raise NotImplementedError

    @property
    def skipped_steps(self):
        """Learning steps each synapse skipped for non-finite updates, by synapse name."""
        return {synapse.name: synapse.skipped_steps for synapse in self.synapses}

    def save(self, directory):
        """Write the configuration (``model.json``) and every synapse (weights and learning
        state, ``<name>.npz``) to ``directory``; readable without pickle."""
        os.makedirs(directory, exist_ok=True)
        for synapse in self.synapses:
            synapse.save(directory)
        write_json(os.path.join(directory, "model.json"),
                   {"model": type(self).__name__, "config": self.config})

    @classmethod
    def restore(cls, directory):
        """A model rebuilt from what :meth:`save` wrote to ``directory``. A damaged or
        mismatched file raises a clear error (and no model is returned)."""
        path = os.path.join(directory, "model.json")
        with open(path) as file:
            saved = read_json(file.read(), path)
        if saved.get("model") != cls.__name__:
            raise ValueError(f"{directory} holds a {saved.get('model')}, not a {cls.__name__}")
        if not isinstance(saved.get("config"), dict):
            raise ValueError(f"{path} has a damaged header: no model configuration")
        model = cls(**saved["config"])
        for synapse in model.synapses:
            synapse.load(directory)
        return model
