"""Diehl & Cook (2015) built from ngc-learn 3.2.1's own components, wired as its museum
wires them (``exhibits/diehl_cook_snn``), for ``benchmarks/diehl_cook.py``.

Importable only where ngc-learn (and JAX) are installed. The network:
``z0`` PoissonCell -> ``W1`` TraceSTDPSynapse -> ``z1e`` LIFCell (adaptive threshold, one
spike a step) -> ``W1ei`` StaticSynapse (22.5 on the diagonal) -> ``z1i`` LIFCell ->
``W1ie`` StaticSynapse (-120 off the diagonal) -> ``z1e``; VarTraces ``tr0``/``tr1`` on
the input and excitatory spikes feed W1's STDP. A step advances W1, W1ie, W1ei, z0, z1e,
z1i, tr0, tr1 in that order, then (learning) W1 evolves. A presentation resets the cells,
clamps the input, runs the steps (then the optional rest steps without input) and, when
learning, L1-normalises W1's columns to ``w_norm``.

The peer is timed at its best: one ``jax.jit``-compiled function does a whole presentation
(reset, clamp, the steps in one ``lax.scan`` of ngc-learn's compiled process, the
normalisation), with the time rows packed once, and returns without waiting for the
device.
"""
import itertools

import jax
from jax import numpy as jnp
from ngclearn import Context, JointProcess, MethodProcess
from ngclearn.components import LIFCell, PoissonCell, StaticSynapse, TraceSTDPSynapse, VarTrace
from ngclearn.utils.distribution_generator import DistributionGenerator
from ngclearn.utils.model_utils import normalize_matrix
from ngcsimlib.global_state import stateManager
from ngcsimlib.operations import Summation

TAU_M = 100.500896468
"""The membrane time constant (ms) of both layers, as in ngc-learn's museum."""
_names = itertools.count()


def _strongly_typed(state):
    """The state with no weakly typed values (Python floats, spikes computed as ``s * 1.``),
    so that a presentation's output state has its input's types: one compilation."""
    return {key: jax.lax.convert_element_type(value, jnp.asarray(value).dtype)
            for key, value in state.items()}


class NgclearnDiehlCook:
    """The network for ``n_inputs`` inputs and ``n_neurons`` excitatory (and as many
    inhibitory) neurons, ``steps`` steps of ``dt`` ms a presentation, batch of one.

    ``weights`` (``n_inputs x n_neurons``) replace W1's initial weights; ``target_freq`` is
    the Poisson rate (Hz) of an input of 1; ``w_norm`` the L1 norm of W1's columns after
    each learning presentation (default ``78.4 * n_inputs / 784``).
    """

    def __init__(self, n_inputs, n_neurons=100, steps=250, dt=1.0, weights=None, seed=0,
                 target_freq=63.75, w_norm=None, rest_steps=0):
        self.steps, self.rest_steps = steps, rest_steps
        self.w_norm = 78.4 * n_inputs / 784 if w_norm is None else w_norm
        keys = jax.random.split(jax.random.PRNGKey(seed), 8)
        name = f"diehl_cook_{next(_names)}"
        with Context(name):
            self.z0 = PoissonCell("z0", n_units=n_inputs, target_freq=target_freq, key=keys[0])
            self.W1 = TraceSTDPSynapse(
                "W1", shape=(n_inputs, n_neurons), A_plus=1e-2, A_minus=1e-4, eta=1.0,
                pretrace_target=0.0, weight_init=DistributionGenerator.uniform(0.0, 0.3),
                key=keys[1])
            self.z1e = LIFCell("z1e", n_units=n_neurons, tau_m=TAU_M, resist_m=TAU_M / dt,
                               thr=-52.0, v_rest=-65.0, v_reset=-60.0, tau_theta=1e7,
                               theta_plus=0.05, refract_time=5.0, one_spike=True, key=keys[2])
            self.z1i = LIFCell("z1i", n_units=n_neurons, tau_m=TAU_M, resist_m=TAU_M / dt,
                               thr=-40.0, v_rest=-60.0, v_reset=-45.0, tau_theta=0.0,
                               refract_time=5.0, one_spike=False, key=keys[3])
            self.W1ie = StaticSynapse(
                "W1ie", shape=(n_neurons, n_neurons),
                weight_init=DistributionGenerator.constant(-120.0, hollow=True), key=keys[4])
            self.W1ei = StaticSynapse(
                "W1ei", shape=(n_neurons, n_neurons),
                weight_init=DistributionGenerator.constant(22.5, eye=True), key=keys[5])
            self.tr0 = VarTrace("tr0", n_units=n_inputs, tau_tr=20.0, decay_type="exp",
                                a_delta=0.0, key=keys[6])
            self.tr1 = VarTrace("tr1", n_units=n_neurons, tau_tr=20.0, decay_type="exp",
                                a_delta=0.0, key=keys[7])
            self._wire()
            parts = (self.W1, self.W1ie, self.W1ei, self.z0, self.z1e, self.z1i, self.tr0,
                     self.tr1)
            self.advance = MethodProcess("advance")
            for part in parts:
                self.advance >> part.advance_state
            self.reset = MethodProcess("reset")
            for part in parts[3:] + parts[:3]:  # the museum's order: cells, traces, synapses
                self.reset >> part.reset
            self.evolve = MethodProcess("evolve") >> self.W1.evolve
            self.forward = JointProcess("forward") >> self.advance >> self.evolve
            self.advance.watch(self.z1e.s)
        if weights is not None:
            self.W1.weights.set(jnp.asarray(weights, jnp.float32))
        # this network's compartments (the global state holds every network built)
        self.state = _strongly_typed({key: value for key, value in stateManager.state.items()
                                      if key.startswith(name + ":")})
        self._x, self._w = self.z0.inputs.root, self.W1.weights.root
        self._theta = self.z1e.thr_theta.root
        total = steps + rest_steps
        self._rows = {learn: jnp.asarray(process.pack_rows(total, t=lambda i: i * dt, dt=dt))
                      for learn, process in ((True, self.forward), (False, self.advance))}
        self._present = jax.jit(self._presentation, static_argnames="learn")

    def _wire(self):
        self.z0.outputs >> self.W1.inputs
        self.z1i.s >> self.W1ie.inputs
        Summation(self.W1.outputs, self.W1ie.outputs) >> self.z1e.j
        self.z1e.s >> self.W1ei.inputs
        self.W1ei.outputs >> self.z1i.j
        self.z0.outputs >> self.tr0.inputs
        self.z1e.s >> self.tr1.inputs
        self.tr0.trace >> self.W1.preTrace
        self.z0.outputs >> self.W1.preSpike
        self.tr1.trace >> self.W1.postTrace
        self.z1e.s >> self.W1.postSpike

    def _presentation(self, state, x, learn):
        step = (self.forward if learn else self.advance).run.compiled
        rows, theta = self._rows[learn], state[self._theta]
        state, _ = self.reset.run.compiled(state, [])
        state[self._x] = x.reshape(1, -1)
        state, (spikes,) = jax.lax.scan(step, state, rows[:self.steps])
        if self.rest_steps:
            state[self._x] = jnp.zeros_like(state[self._x])
            state, _ = jax.lax.scan(step, state, rows[self.steps:])
        if learn:
            state[self._w] = normalize_matrix(state[self._w], self.w_norm, order=1, axis=0)
        else:
            state[self._theta] = theta
        return _strongly_typed(state), spikes.sum(axis=(0, 1))

    def present(self, x, learn=True):
        """One presentation of the intensities ``x`` (``n_inputs``); the excitatory spike
        counts of the ``steps`` (a JAX array, not waited for). Without learning, W1 and the
        adaptive thresholds stay as they were (only the random keys move on)."""
        self.state, counts = self._present(self.state, jnp.asarray(x, jnp.float32),
                                           learn=learn)
        return counts

    def wait(self):
        """Waits until the presentations dispatched so far are done."""
        jax.block_until_ready(self.state)
