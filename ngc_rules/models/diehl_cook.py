"""Diehl & Cook (2015): digits learned without labels by spiking neurons and trace STDP."""
import contextlib
import math
import os

import numpy as np

from .. import initializers
from .._views import flat
from ..checkpoint import read_json_file
from ..encoders import PoissonCell
from ..neurons import LIFCell
from ..optim import _checks
from ..synapses import StaticSynapse, TraceSTDPSynapse
from ..synapses._plastic import nothing
from ..traces import VarTrace
from . import _spiking_step, readout
from ._base import Model, rule_config

TAU_M = 100.500896468
"""The membrane time constant of both layers (ms), as ngc-learn's model of the paper."""


class DiehlCook(Model):
    """A layer of excitatory spiking neurons that learns digits by trace STDP, with lateral
    inhibition through a layer of inhibitory neurons (Diehl and Cook, "Unsupervised
    learning of digit recognition using spike-timing-dependent plasticity", Frontiers in
    Computational Neuroscience 9:99, 2015), wired as ngc-learn's model of it::

        z0 (Poisson) -W1 (trace STDP)-> z1e (LIF, adaptive threshold) -W1ei-> z1i (LIF)
        z1i -W1ie-> z1e;   tr0, tr1: traces of z0's and z1e's spikes, W1's STDP signals

    Each sample is shown for ``steps`` steps of ``dt`` ms as Poisson spike trains of
    ``target_freq * x`` Hz. Every step, the synapses carry the last step's spikes
    (``z1e.j = W1 + W1ie``, ``z1i.j = W1ei``), the cells integrate and spike, the traces
    follow and ``W1`` takes a trace-STDP step:

    .. math::
        \\Delta W = A_+\\, x_{pre}^\\top s_{post} - A_-\\, s_{pre}^\\top x_{post}, \\qquad
        W \\leftarrow \\text{clip}(W + \\eta\\, \\Delta W,\\ 0,\\ 1)

    (or, with ``optim_type``, the rule's step along ``-\\Delta W``, then the clip). After a
    sample, each neuron's input weights are scaled to sum to ``w_norm``, and a rest of
    ``rest_time`` ms follows: every variable returns to rest and the adaptive thresholds
    decay over it as they would. A sample that made fewer than ``min_spikes`` excitatory
    spikes is shown again, ``boost_freq`` Hz faster, as in the paper.

    Labels come in only to read the layer out (:mod:`~ngc_rules.models.readout`): during
    learning each neuron's responses are summed by class (the last ``window`` samples
    weigh most); a neuron is assigned the class it fires most for, and a sample gets the
    class whose neurons fire most. Evaluation shows each sample with learning and the
    thresholds frozen, and leaves the model as it was.

    Args:
        n_inputs: the number of input pixels (intensities in ``[0, 1]``).
        n_neurons: the excitatory neurons (and as many inhibitory ones).
        steps, dt: the presentation of a sample, in steps of ``dt`` ms.
        rest_time: the rest after each sample (ms).
        target_freq: the input rate of intensity 1 (Hz); default Diehl and Cook's
            63.75 Hz for MNIST's 784 pixels, raised for fewer pixels as ``63.75 * 784 /
            n_inputs`` up to 255 Hz (the 8x8 digits: the lowest rate at which every digit
            makes 5 spikes and the accuracy reaches its plateau).
        w_norm: the sum of each neuron's input weights; default ``0.1 * n_inputs`` (78.4
            for MNIST).
        A_plus, A_minus: trace STDP's potentiation and depression.
        optim_type, eta, optim_params: a learning rule on the STDP direction (None:
            ngc-learn's additive step with ``eta``, default 1).
        min_spikes, boost_freq: re-show a sample that made fewer spikes, this much faster.
        n_classes, window: the read-out's classes and memory (samples).
        image_shape: the images' ``(height, width)``, for plots.
        seed: seed of the initial weights and of every random draw.

    Example:
        >>> from ngc_rules.data import digits
        >>> from ngc_rules.models import DiehlCook
        >>> data = digits()
        >>> model = DiehlCook(n_inputs=64, n_neurons=20, steps=100, seed=0)
        >>> counts = model.present(data.x[0])
        >>> counts.shape, counts.sum() >= 5
        ((20,), True)
    """

    DEFAULT_ETA = {"sgd": 1.0, "momentum": 0.03, "adam": 3e-4}
    """Learning rates of the rules on the STDP direction, swept on the digits (50 neurons,
    150 ms, 1,400 samples): momentum works from 0.01 to 0.1 and Adam from 1e-4 to 1e-3,
    both failing 3x above; the middle values learn steadily where the larger ones first
    collapse (docs/tutorials/stdp_rules.md)."""

    def __init__(self, n_inputs=64, n_neurons=100, steps=350, dt=1.0, rest_time=150.0,
                 target_freq=None, w_norm=None, A_plus=1e-2, A_minus=1e-4, optim_type=None,
                 eta=None, optim_params=None, min_spikes=5, boost_freq=32.0, n_classes=10,
                 window=1000, image_shape=None, seed=0):
        n_inputs = _checks.whole_number("n_inputs", n_inputs, 1)
        n_neurons = _checks.whole_number("n_neurons", n_neurons, 1)
        self.steps = _checks.whole_number("steps", steps, 1)
        self.dt = _checks.positive("dt", dt)
        self.rest_time = _checks.at_least("rest_time", rest_time, 0.0)
        self.target_freq = _checks.positive(
            "target_freq", min(63.75 * 784 / n_inputs, 255.0) if target_freq is None
            else target_freq)
        self.w_norm = _checks.positive("w_norm", 0.1 * n_inputs if w_norm is None else w_norm)
        self.min_spikes = _checks.whole_number("min_spikes", min_spikes, 0)
        self.boost_freq = _checks.at_least("boost_freq", boost_freq, 0.0)
        self.n_classes = _checks.whole_number("n_classes", n_classes, 1)
        self.window = _checks.whole_number("window", window, 1)
        seed = _checks.whole_number("seed", seed, 0)
        if image_shape is not None:
            image_shape = tuple(int(n) for n in image_shape)
            if math.prod(image_shape) != n_inputs:
                raise ValueError(f"image_shape {image_shape} does not hold n_inputs="
                                 f"{n_inputs} pixels")
        self.image_shape = image_shape
        if optim_type is not None:
            eta = self.default_eta(optim_type, eta, optim_params)
            rule = rule_config(optim_type, eta, optim_params)
        else:
            rule = {"optim_type": None, "eta": 1.0 if eta is None else eta,
                    "optim_params": {}}
        self.config = dict(n_inputs=n_inputs, n_neurons=n_neurons, steps=self.steps, dt=dt,
                           rest_time=rest_time, target_freq=self.target_freq,
                           w_norm=self.w_norm, A_plus=A_plus, A_minus=A_minus, **rule,
                           min_spikes=min_spikes, boost_freq=boost_freq,
                           n_classes=n_classes, window=window,
                           image_shape=None if image_shape is None else list(image_shape),
                           seed=seed)
        seeds = [int(s) for s in np.random.SeedSequence(seed).generate_state(4, np.uint64)]
        self.z0 = PoissonCell("z0", n_inputs, target_freq=self.target_freq, seed=seeds[0])
        self.W1 = TraceSTDPSynapse("W1", (n_inputs, n_neurons), A_plus=A_plus,
                                   A_minus=A_minus, eta=rule["eta"],
                                   weight_init=initializers.uniform(0.0, 0.3),
                                   optim_type=rule["optim_type"],
                                   optim_params=rule["optim_params"] or None, seed=seeds[1])
        self.z1e = LIFCell("z1e", n_neurons, tau_m=TAU_M, resist_m=TAU_M / self.dt, thr=-52.0,
                           v_rest=-65.0, v_reset=-60.0, tau_theta=1e7, theta_plus=0.05,
                           refract_time=5.0, one_spike=True, seed=seeds[2])
        self.z1i = LIFCell("z1i", n_neurons, tau_m=TAU_M, resist_m=TAU_M / self.dt, thr=-40.0,
                           v_rest=-60.0, v_reset=-45.0, tau_theta=0.0, refract_time=5.0,
                           seed=seeds[3])
        self.W1ie = StaticSynapse("W1ie", (n_neurons, n_neurons),
                                  weight_init=initializers.diag_offdiag(0.0, -120.0))
        self.W1ei = StaticSynapse("W1ei", (n_neurons, n_neurons),
                                  weight_init=initializers.diag_offdiag(22.5, 0.0))
        self.tr0 = VarTrace("tr0", n_inputs, tau_tr=20.0, a_delta=0.0)
        self.tr1 = VarTrace("tr1", n_neurons, tau_tr=20.0, a_delta=0.0)
        self.synapses = [self.W1]
        self.errors = []
        self.responses = np.zeros((self.n_classes, n_neurons))
        """Each neuron's spikes summed by class over recent learning (decayed by
        ``1 - 1/window`` per sample)."""
        self.seen = np.zeros(self.n_classes)
        """How many recent samples of each class ``responses`` holds (decayed alike)."""

    @property
    def n_neurons(self):
        return self.z1e.n_units

    @property
    def stateful(self):
        """What a checkpoint holds besides the read-out: the input weights (and a rule's
        state), the adaptive thresholds, and the cells' and encoder's draw counters."""
        return [self.W1, self.z1e, self.z1i, self.z0]

    def save(self, directory, extras=None):
        """Save as :meth:`Model.save` does, with the read-out's record (``readout.json``)."""
        record = {"responses": self.responses.tolist(), "seen": self.seen.tolist()}
        super().save(directory, {**(extras or {}), "readout.json": record})

    def _load_more(self, directory):
        path = os.path.join(directory, "readout.json")
        record = read_json_file(path)
        try:
            responses = np.array(record["responses"], np.float64)
            seen = np.array(record["seen"], np.float64)
        except (KeyError, TypeError, ValueError):
            responses = seen = None
        if responses is None or responses.shape != self.responses.shape or \
                seen.shape != self.seen.shape or not np.isfinite(responses).all() or \
                not np.isfinite(seen).all():
            raise ValueError(f"{path} is damaged: expected the responses "
                             f"{self.responses.shape} and counts {self.seen.shape} of "
                             f"this model's read-out")
        self.responses, self.seen = responses, seen

    # -- one sample ------------------------------------------------------------------------

    def present(self, x, learn=True, compiled=None):
        """Show one sample (intensities in ``[0, 1]``), again and faster while it makes
        fewer than ``min_spikes`` spikes, then rest. Returns the excitatory spike counts
        of the last showing (float64, ``(n_neurons,)``). With ``learn=False`` neither the
        weights nor the thresholds change (Diehl and Cook's test mode).

        ``compiled`` runs each showing as one compiled call (default, unless it learns
        with a learning rule attached: the rule steps from Python), else component by
        component (:meth:`step`); both give the same bits.
        """
        x = self._sample(x)
        if compiled is None:
            compiled = self._compilable() and (self.W1.rule is None or not learn)
        if compiled and learn and self.W1.rule is not None:
            raise ValueError("compiled=True cannot learn with a learning rule attached: the "
                             "rule steps from Python; pass compiled=False")
        if compiled and not self._compilable():
            raise ValueError("compiled=True runs the kernels of the components the model "
                             "built; a replaced component steps component by component: "
                             "pass compiled=False")
        freq = self.target_freq
        for _ in range(64):  # the rate rises 32 Hz a time: far past any sensible input
            counts = self._show(x, freq, learn, compiled)
            if counts.sum() >= self.min_spikes or self.boost_freq == 0:
                break
            freq += self.boost_freq
        if learn:
            self._normalize()
            self._rest()
        return counts

    def _sample(self, x):
        x = np.asarray(x)
        if x.dtype.kind not in "biuf":
            raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
        x = x.reshape(-1) if x.ndim == 2 and x.shape[0] == 1 else x
        if x.shape != (self.z0.n_units,):
            raise ValueError(f"x must be one sample of {self.z0.n_units} intensities, got "
                             f"shape {x.shape}")
        if not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
            raise ValueError(f"x must hold intensities in [0, 1], got values in "
                             f"[{x.min()}, {x.max()}]")
        return np.ascontiguousarray(x, np.float32).reshape(1, -1)

    def _show(self, x, freq, learn, compiled):
        for component in self._components():
            component.reset()
        self.z0.inputs = x
        self.z0.target_freq = freq
        counts = np.zeros(self.n_neurons)
        try:
            with contextlib.nullcontext() if learn else self._fixed_thresholds():
                if compiled:
                    self._present_compiled(learn, counts)
                else:
                    for k in range(self.steps):
                        self.step(k * self.dt, learn)
                        counts += self.z1e.s[0]
        finally:
            self.z0.target_freq = self.target_freq
        return counts

    def raster(self, x):
        """The spikes of one showing of ``x`` with learning and thresholds frozen, step by
        step: ``(excitatory, inhibitory)``, each ``(steps, n_neurons)`` of 0 and 1. The
        model is left as it was."""
        x = self._sample(x)
        excitatory = np.empty((self.steps, self.n_neurons), np.float32)
        inhibitory = np.empty_like(excitatory)
        with self._unchanged(), self._fixed_thresholds():
            for component in self._components():
                component.reset()
            self.z0.inputs = x
            for k in range(self.steps):
                self.step(k * self.dt, learn=False)
                excitatory[k], inhibitory[k] = self.z1e.s[0], self.z1i.s[0]
        return excitatory, inhibitory

    def _compilable(self):
        """Whether every component is of the class the compiled presentation runs."""
        kinds = ((self.z0, PoissonCell), (self.W1, TraceSTDPSynapse),
                 (self.W1ie, StaticSynapse), (self.W1ei, StaticSynapse),
                 (self.z1e, LIFCell), (self.z1i, LIFCell), (self.tr0, VarTrace),
                 (self.tr1, VarTrace))
        return all(type(component) is kind for component, kind in kinds)

    def _components(self):
        return (self.z0, self.W1, self.W1ie, self.W1ei, self.z1e, self.z1i, self.tr0,
                self.tr1)

    def step(self, t, learn=True):
        """One step at time ``t`` through the components' own methods, in the order of
        ngc-learn's model: the synapses, the encoder, the cells, the traces, STDP."""
        dt = self.dt
        self._wire()
        for synapse in (self.W1, self.W1ie, self.W1ei):
            synapse.advance_state(t=t, dt=dt)
        self.z0.advance_state(t=t, dt=dt)
        np.add(self.W1.outputs, self.W1ie.outputs, out=self.z1e.j)
        np.copyto(self.z1i.j, self.W1ei.outputs)
        for component in (self.z1e, self.z1i, self.tr0, self.tr1):
            component.advance_state(t=t, dt=dt)
        if learn:
            self.W1.evolve(t=t, dt=dt)

    def _wire(self):
        """Point each component's inputs at the compartments that feed them (shared
        arrays, as ngc-learn's wiring shares values)."""
        W1, z0, z1e = self.W1, self.z0, self.z1e
        W1.inputs, self.W1ie.inputs, self.W1ei.inputs = z0.outputs, self.z1i.s, z1e.s
        self.tr0.inputs, self.tr1.inputs = z0.outputs, z1e.s
        W1.preSpike, W1.postSpike = z0.outputs, z1e.s
        W1.preTrace, W1.postTrace = self.tr0.trace, self.tr1.trace

    def _present_compiled(self, learn, counts):
        dt, W1 = self.dt, self.W1
        number = W1.dtype.type
        z0, tr0, tr1 = self.z0, self.tr0, self.tr1
        self._wire()
        x = z0._input_view()  # checked as its own step checks it
        outputs, tols, key = z0._state_views("outputs", "tols", "key")
        encoder = (x, z0.outputs, outputs, tols, key, *z0._step_scalars(dt))
        synapses = (W1.weights, W1.outputs, self.W1ie.weights, self.W1ie.outputs,
                    self.W1ei.weights, self.W1ei.outputs, number(1), nothing(W1.dtype))
        _, low, high = W1._bounds
        plasticity = (W1.dWeights, flat(W1.mask), *W1._trace_scalars(), number(W1.eta),
                      W1._reciprocal(W1.tau_w), low, high, nothing(W1.dtype))
        if learn and (W1.tau_w or W1.mask.size):
            raise ValueError("the compiled presentation takes W1 without decay or mask")
        traces = [(flat(spikes), trace.trace, *trace._state_views("trace", "outputs"),
                   *trace._step_scalars(dt))
                  for trace, spikes in ((tr0, z0.outputs), (tr1, self.z1e.s))]
        _spiking_step.present(0, self.steps, number(dt), learn, encoder,
                              self.z1e.kernel_arguments(dt), self.z1i.kernel_arguments(dt),
                              synapses, *traces, plasticity, counts)

    def _normalize(self):
        """Scale each neuron's input weights to sum to ``w_norm`` (a neuron whose weights
        are all 0 keeps them)."""
        weights = self.W1.weights
        sums = np.abs(weights).sum(axis=0, keepdims=True)
        sums[sums == 0] = 1
        weights *= (self.w_norm / sums).astype(weights.dtype)

    def _rest(self):
        """The thresholds' decay over ``rest_time`` (everything else is reset before the
        next sample), step by step as the cells decay them."""
        cell = self.z1e
        steps = int(round(self.rest_time / self.dt))
        if steps and cell.tau_theta > 0:
            factor = cell.dtype.type(math.exp(-self.dt / cell.tau_theta))
            _spiking_step.decay(cell.thr_theta, factor, steps)

    @contextlib.contextmanager
    def _fixed_thresholds(self):
        """Within: the excitatory thresholds do not adapt."""
        tau_theta = self.z1e.tau_theta
        self.z1e.tau_theta = 0.0
        try:
            yield
        finally:
            self.z1e.tau_theta = tau_theta

    @contextlib.contextmanager
    def _unchanged(self):
        """Within: presentations leave no trace (the draw counters are put back)."""
        keys = [cell.key.copy() for cell in (self.z0, self.z1e, self.z1i)]
        try:
            yield
        finally:
            for cell, key in zip((self.z0, self.z1e, self.z1i), keys):
                cell.key[...] = key

    # -- training and evaluation -------------------------------------------------------------

    def assignments(self):
        """Each excitatory neuron's class (-1: it has not fired yet)."""
        return readout.assign(self.responses, self.seen)

    def learn_batch(self, data):
        """Show each sample of a :class:`~ngc_rules.data.Dataset` batch with learning on.
        Returns the mean spikes per sample, the mean threshold and ``train_accuracy``: the
        accuracy on the batch of the read-out as it stood before the batch."""
        spikes = 0.0
        forget = 1.0 - 1.0 / self.window
        assignments = self.assignments()
        counts = np.empty((len(data.labels), self.n_neurons))
        for k, (x, label) in enumerate(zip(data.x, data.labels)):
            counts[k] = self.present(x, learn=True)
            spikes += counts[k].sum()
            self.responses *= forget
            self.seen *= forget
            self.responses[label] += counts[k]
            self.seen[label] += 1
        n = len(data.labels)
        hits = np.sum(readout.predict(counts, assignments, self.n_classes) == data.labels)
        return {"train_accuracy": float(hits) / n, "spikes": float(spikes) / n,
                "threshold": float(self.z1e.thr_theta.mean())}

    def label(self, data):
        """Read the layer out from ``data`` alone: its responses, with learning and the
        thresholds frozen, replace the record kept while learning (Diehl and Cook's
        assignment step, after training)."""
        counts = self._responses(data)
        self.responses, self.seen = readout.class_responses(counts, data.labels,
                                                            self.n_classes)
        self.seen = self.seen.astype(np.float64)

    def _responses(self, data):
        with self._unchanged():
            return np.array([self.present(x, learn=False) for x in data.x])

    def evaluate_data(self, data):
        """The read-out's accuracy on ``data`` and the excitatory layer's mean firing rate
        (Hz), with learning and the thresholds frozen; the model is left as it was."""
        counts = self._responses(data)
        predicted = readout.predict(counts, self.assignments(), self.n_classes)
        seconds = self.steps * self.dt / 1000.0
        return {"accuracy": float(np.mean(predicted == data.labels)),
                "rate_hz": float(counts.mean() / seconds)}
