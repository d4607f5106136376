"""Compile the plain-Python rules of ``_math`` for one target (CPU or CUDA).

Every function of ``_math`` is copied into a fresh namespace per rule variant, with that
variant's global bindings, and compiled there, so helpers call their compiled siblings.
A rule becomes a kernel by copying a target's *driver* (the loop over tensors and
elements) with its global name ``rule`` bound to the compiled rule. Each driver copy gets
its own qualified name, so Numba's on-disk cache keeps one entry per rule, and that name
carries a digest of the rules' source, so an edited rule never loads a stale kernel.
"""
import hashlib
import inspect
import types

from .._functions import copy_function
from . import _math

_DIGEST = hashlib.sha256(inspect.getsource(_math).encode()).hexdigest()[:12]
_FUNCTIONS = {name: f for name, f in vars(_math).items()
              if isinstance(f, types.FunctionType) and f.__module__ == _math.__name__}


def compile_rules(decorate):
    """Return ``{name: decorate(rule)}`` for every rule variant of ``_math.RULES``."""
    rules = {}
    for name, (rule, bindings) in _math.RULES.items():
        namespace = dict(vars(_math))
        for function_name, function in _FUNCTIONS.items():
            namespace[function_name] = decorate(copy_function(function, namespace, function_name))
        namespace.update({key: namespace[f.__name__] for key, f in bindings.items()})
        rules[name] = namespace[rule.__name__]
    return rules


def bind_driver(driver, rule, name):
    """A copy of ``driver`` that calls ``rule``, named ``name`` plus the source digest."""
    namespace = dict(driver.__globals__, rule=rule)
    return copy_function(driver, namespace, f"{name}_{_DIGEST}")
