"""The implementations a benchmark compares, each made ready to take one step.

Every factory takes the rule (``"adam"``, ``"sgd"`` or ``"nag"``) and lists of float32
arrays ``theta`` and ``grads``, copies them into its own tensors, and returns a call with
no arguments that applies one step and waits for it to finish. A peer that is not
installed (or lacks a variant) raises :class:`Missing` with the reason, which the report
prints in place of its numbers.
"""
import functools
import importlib

import numpy as np
from numba import njit, prange

from ngc_rules import optim
from ngc_rules.optim._cpu import PARALLEL_THRESHOLD, _drive
from ngc_rules.optim._retarget import bind_driver

HYPERPARAMETERS = {"adam": dict(eta=1e-3, beta1=0.9, beta2=0.999, eps=1e-8),
                   "sgd": dict(eta=1e-3), "nag": dict(eta=1e-2, mu=0.9)}
STATE_ARRAYS = {"adam": 2, "sgd": 0, "nag": 1}
COPY_BYTES_PER_PARAMETER = 8
"""What the copy moves per float32 parameter: one read, one write."""


def bytes_per_parameter(rule):
    """float32 memory traffic of an in-place step: read theta, g and the state, write
    theta and the state (Adam: 28 B)."""
    return 4 * (2 + STATE_ARRAYS[rule]) + 4 * (1 + STATE_ARRAYS[rule])


class Missing(Exception):
    """The implementation cannot run here; the message says why."""


def _require(module):
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise Missing(f"{module} is not installed") from error


# -- ngc_rules ------------------------------------------------------------------------
def ngc_rules_step(rule, theta, grads, inplace=True):
    theta = [t.copy() for t in theta]
    state = [optim.get_opt_init_fn(rule)(theta)]
    step = functools.partial(getattr(optim, f"{rule}_step"), **HYPERPARAMETERS[rule])
    if inplace:
        return lambda: step(state[0], theta, grads, inplace=True)

    def functional():
        state[0], theta[:] = step(state[0], theta, grads)
    return functional


def ngc_rules_attached(rule, theta, grads):
    learner = optim.LearningRule(rule, **HYPERPARAMETERS[rule]).attach([t.copy() for t in theta])
    return lambda: learner.step(grads)


def ngc_rules_cuda(rule, theta, grads):
    cuda = _require("numba.cuda")
    if not cuda.is_available():
        raise Missing("no CUDA GPU")
    theta = [cuda.to_device(t) for t in theta]
    grads = [cuda.to_device(g) for g in grads]
    state = optim.get_opt_init_fn(rule)(theta)
    step = functools.partial(getattr(optim, f"{rule}_step"), **HYPERPARAMETERS[rule])

    def call():
        step(state, theta, grads, inplace=True)
        cuda.synchronize()
    return call


# -- NumPy: ufuncs writing into kept buffers (no temporaries) -----------------------------
def numpy_step(rule, theta, grads):
    theta = [t.copy() for t in theta]
    states = [[np.zeros_like(t) for _ in range(STATE_ARRAYS[rule])] for t in theta]
    scratch = [np.empty_like(t) for t in theta]
    hp, t = HYPERPARAMETERS[rule], [0]

    def call():
        t[0] += 1
        for p, g, s, work in zip(theta, grads, states, scratch):
            _NUMPY[rule](p, g, s, work, t[0], **hp)
    return call


def _numpy_sgd(p, g, s, work, t, eta):
    np.multiply(g, eta, out=work)
    p -= work


def _numpy_nag(p, g, s, work, t, eta, mu):
    phi_prev = s[0]
    np.multiply(g, -eta, out=work)
    work += p  # phi
    np.subtract(work, phi_prev, out=p)
    p *= mu if t > 1 else 0.0
    p += work
    phi_prev[...] = work


def _numpy_adam(p, g, s, work, t, eta, beta1, beta2, eps):
    m, v = s
    m *= beta1
    np.multiply(g, 1 - beta1, out=work)
    m += work
    v *= beta2
    np.multiply(g, g, out=work)
    work *= 1 - beta2
    v += work
    np.divide(v, 1 - beta2 ** t, out=work)
    np.sqrt(work, out=work)
    work += eps
    np.divide(m, work, out=work)
    work *= eta / (1 - beta1 ** t)
    p -= work


_NUMPY = {"sgd": _numpy_sgd, "nag": _numpy_nag, "adam": _numpy_adam}


# -- PyTorch ------------------------------------------------------------------------------
def torch_step(variant, device="cpu"):
    """A factory for ``torch.optim`` with ``variant`` "for-loop", "foreach" or "fused"."""
    def factory(rule, theta, grads):
        torch = _require("torch")
        if device == "cuda" and not torch.cuda.is_available():
            raise Missing("no CUDA GPU for PyTorch")
        params = [torch.nn.Parameter(torch.from_numpy(t.copy()).to(device)) for t in theta]
        for p, g in zip(params, grads):  # a copy: PyTorch's Nesterov SGD adds to .grad
            p.grad = torch.from_numpy(g.copy()).to(device)
        flags = {"fused": {"fused": True}, "foreach": {"foreach": True},
                 "for-loop": {"foreach": False}}[variant]
        hp = HYPERPARAMETERS[rule]
        try:
            if rule == "adam":
                opt = torch.optim.Adam(params, lr=hp["eta"], betas=(hp["beta1"], hp["beta2"]),
                                       eps=hp["eps"], **flags)
            else:
                momentum = dict(momentum=hp["mu"], nesterov=True) if rule == "nag" else {}
                opt = torch.optim.SGD(params, lr=hp["eta"], **momentum, **flags)
            opt.step()
        except (RuntimeError, ValueError, TypeError) as error:
            raise Missing(f"torch {torch.__version__}: {error}") from error
        if device == "cpu":
            return opt.step

        def call():
            opt.step()
            torch.cuda.synchronize()
        return call
    return factory


# -- JAX: Optax and ngc-learn -------------------------------------------------------------
def optax_step(rule, theta, grads):
    jax = _require("jax")
    optax = _require("optax")
    hp = HYPERPARAMETERS[rule]
    transform = {"adam": lambda: optax.adam(hp["eta"], hp["beta1"], hp["beta2"], hp["eps"]),
                 "sgd": lambda: optax.sgd(hp["eta"]),
                 "nag": lambda: optax.sgd(hp["eta"], momentum=hp["mu"], nesterov=True)}[rule]()

    def update(params, state, g):
        updates, state = transform.update(g, state, params)
        return optax.apply_updates(params, updates), state

    update = jax.jit(update, donate_argnums=(0, 1))
    params = [jax.numpy.array(t) for t in theta]
    g = [jax.numpy.asarray(x) for x in grads]
    carry = [params, transform.init(params)]

    def call():
        carry[0], carry[1] = update(carry[0], carry[1], g)
        jax.block_until_ready(carry[0])
    return call


def ngclearn_step(rule, theta, grads):
    jax = _require("jax")
    module = _require(f"ngclearn.utils.optim.{rule}")
    params = [jax.numpy.array(t) for t in theta]
    g = [jax.numpy.asarray(x) for x in grads]
    step = functools.partial(getattr(module, f"{rule}_step"), **HYPERPARAMETERS[rule])
    carry = [getattr(module, f"{rule}_init")(params), params]

    def call():
        carry[0], carry[1] = step(carry[0], carry[1], g)
        jax.block_until_ready(carry[1])
    return call


# -- the memory's limits ------------------------------------------------------------------
def _add_to_sgd(i, p, g, s, c, w):
    p[i] += g[i]


def _add_to_nag(i, p, g, s, c, w):
    x = g[i]
    p[i] += x
    s[0][i] += x


def _add_to_adam(i, p, g, s, c, w):
    x = g[i]
    p[i] += x
    s[0][i] += x
    s[1][i] += x


_TWINS = {(rule, parallel): njit(parallel=parallel, error_model="numpy")(
    bind_driver(_drive, njit(inline="always")(add), f"twin_{rule}_{parallel}"))
    for rule, add in [("sgd", _add_to_sgd), ("nag", _add_to_nag), ("adam", _add_to_adam)]
    for parallel in (False, True)}


def roofline_twin(rule, theta, grads):
    """The rule's memory traffic with trivial arithmetic (each written array gets
    ``+= g``), run by the same driver as ngc_rules' kernels, serial or multi-threaded."""
    theta = tuple(t.ravel().copy() for t in theta)
    # filled like ngc_rules' own state (np.zeros would map untouched pages)
    states = tuple(tuple(np.full_like(t, 0.0) for _ in range(STATE_ARRAYS[rule])) for t in theta)
    flat = tuple(g.ravel() for g in grads)
    kernel = _TWINS[rule, sum(t.size for t in theta) >= PARALLEL_THRESHOLD]
    c, w = np.zeros(1, np.float32), np.ones(len(theta), np.float32)
    counter = np.zeros(1, np.int64)  # advanced by the driver, as a step's counter is
    return functools.partial(kernel, theta, flat, states, c, w, counter)


def _copy(sources, targets):
    for k in range(len(sources)):
        source, target = sources[k], targets[k]
        for i in prange(source.size):
            target[i] = source[i]


_COPY = {parallel: njit(parallel=parallel)(_copy) for parallel in (False, True)}


def copy(rule, theta, grads):
    """A multi-threaded copy of theta into another buffer (8 B per parameter moved)."""
    sources = tuple(t.ravel() for t in theta)
    targets = tuple(np.empty_like(s) for s in sources)
    kernel = _COPY[sum(t.size for t in theta) >= PARALLEL_THRESHOLD]
    return lambda: kernel(sources, targets)


IMPLEMENTATIONS = {
    "ngc_rules in-place": ngc_rules_step,
    "ngc_rules attached": ngc_rules_attached,
    "ngc_rules functional": functools.partial(ngc_rules_step, inplace=False),
    "ngc_rules CUDA": ngc_rules_cuda,
    "NumPy": numpy_step,
    "torch for-loop": torch_step("for-loop"),
    "torch foreach": torch_step("foreach"),
    "torch fused": torch_step("fused"),
    "torch fused CUDA": torch_step("fused", "cuda"),
    "Optax (jit, donated)": optax_step,
    "ngc-learn": ngclearn_step,
    "roofline twin": roofline_twin,
    "copy": copy,
}
"""Every implementation, by the name the report uses."""
