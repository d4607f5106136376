"""The peers' recorded cases (``tests/data/{keras,torch,optax}.json``) as calls of ours.

``core_call(case)`` translates a case's peer arguments into ``adam_init``/``adam_step``
keyword arguments; ``run_core`` replays its updates and yields each step's parameters.
"""
import functools

import numpy as np

from ngc_rules import optim, schedules
from ngc_rules.compat.keras import Adam
from reference import load_cases

PEER_FILES = ["keras.json", "torch.json", "optax.json"]


def _keras(hp, case):
    step = dict(eta=hp.get("learning_rate", 0.001), beta1=hp.get("beta_1", 0.9),
                beta2=hp.get("beta_2", 0.999), eps=hp.get("epsilon", 1e-7),
                epsilon_hat=True, moments="lerp", scalar_precision="keras",
                amsgrad=hp.get("amsgrad", False),
                weight_decay=hp.get("weight_decay") or 0.0, clip_norm=hp.get("clipnorm"),
                clip_value=hp.get("clipvalue"), global_clip_norm=hp.get("global_clipnorm"),
                loss_scale=hp.get("loss_scale_factor") or 1.0)
    schedule = case.get("learning_rate_schedule")
    if schedule:
        config = {k: v for k, v in schedule.items() if k != "kind"}
        step["eta"] = schedules.SCHEDULES[schedule["kind"]](**config)
    return step


def _torch(hp, case):
    step = dict(eta=hp["lr"], beta1=hp.get("betas", (0.9, 0.999))[0],
                beta2=hp.get("betas", (0.9, 0.999))[1], eps=hp.get("eps", 1e-8),
                amsgrad=hp.get("amsgrad", False), maximize=hp.get("maximize", False))
    if case["optimizer"] == "adamw":
        step["weight_decay"] = hp.get("weight_decay", 0.01)
    else:
        step["l2"] = hp.get("weight_decay", 0.0)
    return step


def _torch_sgd(hp, case):
    return dict(eta=hp["lr"], mu=hp.get("momentum", 0.0), nesterov=hp.get("nesterov", False),
                dampening=hp.get("dampening", 0.0), l2=hp.get("weight_decay", 0.0),
                maximize=hp.get("maximize", False))


def _optax(hp, case):
    step = dict(eta=hp["learning_rate"], beta1=hp.get("b1", 0.9), beta2=hp.get("b2", 0.999),
                eps=hp.get("eps", 1e-8), eps_root=hp.get("eps_root", 0.0))
    variant = {"amsgrad": {"amsgrad": "corrected"},
               "adamw": {"weight_decay": hp.get("weight_decay", 1e-4)},
               "nadam": {"nesterov": True}, "adamax": {"infinity_norm": True}}
    return dict(step, **variant.get(case["optimizer"], {}))


TRANSLATIONS = {("keras", "adam"): _keras, ("torch", "adam"): _torch,
                ("torch", "adamw"): _torch, ("torch", "sgd"): _torch_sgd,
                ("optax", "adam"): _optax, ("optax", "amsgrad"): _optax,
                ("optax", "adamw"): _optax, ("optax", "nadam"): _optax,
                ("optax", "adamax"): _optax}
KERAS_WRAPPERS = ("use_ema", "gradient_accumulation_steps")


def core_cases():
    """The cases ``adam_step`` reproduces on its own, with their ids."""
    cases = [c for f in PEER_FILES for c in load_cases(f)
             if (c["library"], c["optimizer"]) in TRANSLATIONS
             and not any(k in c["hyperparams"] for k in KERAS_WRAPPERS)]
    return cases


def core_call(case):
    """``(init, step, step_kwargs)`` of ours for a peer case."""
    step = TRANSLATIONS[case["library"], case["optimizer"]](case["hyperparams"], case)
    if case["optimizer"] == "sgd":
        return optim.momentum_init, optim.momentum_step, step
    init = functools.partial(optim.adam_init, amsgrad=bool(step.get("amsgrad")))
    return init, optim.adam_step, step


def run_core(case, convert=np.asarray, inplace=False):
    """Replay ``case`` through our step function; yields the parameters after each step."""
    dtype = np.dtype(case["dtype"])
    init, step, step_kwargs = core_call(case)
    theta = [convert(np.array(p, dtype)) for p in case["theta0"]]
    state = init(theta)
    for updates in case["updates"]:
        grads = [convert(np.array(u, dtype)) for u in updates]
        state, theta = step(state, theta, grads, inplace=inplace, **step_kwargs)
        yield theta


def keras_wrapped_cases():
    """The Keras cases that need the EMA or accumulation wrappers."""
    return [c for c in load_cases("keras.json")
            if any(k in c["hyperparams"] for k in KERAS_WRAPPERS)]


def run_keras_wrapped(case, convert=np.asarray, inplace=False):
    """Replay a Keras case through ``ema_step``/``accumulation_step`` around
    ``adam_step``; yields ``(theta, average or None)`` after each step."""
    hp = case["hyperparams"]
    dtype = np.dtype(case["dtype"])
    adam_kwargs = _keras(hp, case)
    theta = [convert(np.array(p, dtype)) for p in case["theta0"]]
    state = optim.adam_init(theta)
    step, kwargs = optim.adam_step, adam_kwargs
    if hp.get("gradient_accumulation_steps"):
        state = optim.accumulation_init(theta, state)
        step = functools.partial(optim.accumulation_step, every=hp["gradient_accumulation_steps"])
    if hp.get("use_ema"):
        state = optim.ema_init(theta, state)
        step = functools.partial(optim.ema_step, step=step, momentum=hp["ema_momentum"],
                                 overwrite_every=hp.get("ema_overwrite_frequency"))
    for updates in case["updates"]:
        grads = [convert(np.array(u, dtype)) for u in updates]
        state, theta = step(state, theta, grads, inplace=inplace, **kwargs)
        yield theta, getattr(state, "average", None)


def keras_optimizer(case):
    hp = dict(case["hyperparams"])
    schedule = case.get("learning_rate_schedule")
    if schedule:
        hp["learning_rate"] = schedules.SCHEDULES[schedule["kind"]](
            **{k: v for k, v in schedule.items() if k != "kind"})
    return Adam(**hp)


def replay_keras_facade(case, convert=np.asarray):
    """Yields ``(variables, optimizer)`` after each ``apply_gradients``."""
    dtype = np.dtype(case["dtype"])
    variables = [convert(np.array(p, dtype)) for p in case["theta0"]]
    optimizer = keras_optimizer(case)
    for updates in case["updates"]:
        grads = [convert(np.array(u, dtype)) for u in updates]
        optimizer.apply_gradients(zip(grads, variables))
        yield variables, optimizer


def tolerance(case):
    """ulps allowed at magnitude >= 1 (the worst case seen is 1)."""
    return 2
