"""What every model shares: a JSON configuration, default learning rates, a search for
non-finite values, and checkpoints of its synapses."""
import math
import os

import numpy as np

from .._atomic import saved_directory, write_directory
from ..checkpoint import component_path, json_writer, read_json_file
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
    """Base of the models: subclasses set ``config`` (their constructor's arguments),
    ``synapses`` (the components that learn), ``errors`` (the error cells, lowest layer
    first) and ``DEFAULT_ETA`` (a learning rate per rule name)."""

    config: dict
    synapses: list
    errors: list
    DEFAULT_ETA: dict = {}

    @property
    def stateful(self):
        """The components a checkpoint holds (each with ``path``, ``writer`` and
        ``load``): the synapses, unless a model keeps state in others too."""
        return self.synapses

    def __repr__(self):
        settings = ", ".join(f"{name}={value!r}" for name, value in self.config.items())
        return f"{type(self).__name__}({settings})"

    @classmethod
    def default_eta(cls, optim_type, eta, optim_params):
        """``eta``, or when it is None and the rule is named without one, the model's
        measured default for that rule (None leaves the rule's own)."""
        if eta is None and isinstance(optim_type, str) and "eta" not in (optim_params or {}):
            return cls.DEFAULT_ETA.get(optim_type)
        return eta

    def find_nonfinite(self):
        """Where the model first holds a NaN or inf, lowest layer first: the energy of an
        error cell (inference diverged) or a synapse's weights or biases (learning
        diverged), e.g. ``"the energy of e2"``; None when everything is finite."""
        for cell in self.errors:
            if not math.isfinite(cell.L):
                return f"the energy of {cell.name}"
        for synapse in self.synapses:
            for part in ("weights", "biases"):
                values = getattr(synapse, part)
                if values is not None and not np.isfinite(values).all():
                    return f"the {part} of {synapse.name}"
        return None

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

    def save(self, directory, extras=None):
        """Make ``directory`` this model's checkpoint: the configuration (``model.json``),
        every stateful component (a synapse's weights and learning state, ``<name>.npz``)
        and ``extras`` (more JSON files by name, such as a run's ``run.json``), readable
        without pickle.

        Everything is checked before anything is written, and the files replace what
        ``directory`` held as a whole (:func:`~ngc_rules._atomic.write_directory`): a
        failed, killed or concurrent save leaves one whole checkpoint, never a mix.
        """
        names = [component.name for component in self.stateful]
        shared = sorted({name for name in names if names.count(name) > 1})
        if shared:
            raise ValueError(f"{directory}: the components named {shared} would share a "
                             f"file; expected a name for each")
        files = {os.path.basename(component.path(directory)): component.writer(directory)
                 for component in self.stateful}
        documents = {"model.json": {"model": type(self).__name__, "config": self.config},
                     **(extras or {})}
        for name, value in documents.items():
            files[name] = json_writer(component_path(directory, name), value)
        write_directory(directory, files)

    @classmethod
    def restore(cls, directory):
        """A model rebuilt from what :meth:`save` wrote to ``directory``. A damaged or
        mismatched file raises a ``ValueError`` naming it (and no model is returned)."""
        with saved_directory(directory) as directory:
            path = os.path.join(directory, "model.json")
            saved = read_json_file(path)
            if saved.get("model") != cls.__name__:
                raise ValueError(f"{path} holds a {saved.get('model')}, not a {cls.__name__}")
            if not isinstance(saved.get("config"), dict):
                raise ValueError(f"{path} has a damaged header: no model configuration")
            try:
                model = cls(**saved["config"])
            except (TypeError, ValueError, OverflowError, MemoryError) as error:
                raise ValueError(f"{path}: its configuration does not make a "
                                 f"{cls.__name__}: {error}") from None
            for component in model.stateful:
                component.load(directory)
            model._load_more(directory)
        return model

    def _load_more(self, directory):
        """Restore what a model saves besides its components (after them)."""
