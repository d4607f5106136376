"""Compile the plain-Python rules of ``_math`` for one target (CPU or CUDA).

A rule is turned into a kernel by copying a target's *driver* (the loop over tensors
and elements) with its global name ``rule`` bound to the compiled rule. Each copy gets
its own qualified name, so Numba's on-disk cache keeps one entry per rule, and that name
carries a digest of the rules' source, so an edited rule never loads a stale kernel.
"""
import hashlib
import inspect
import types

from . import _math

_DIGEST = hashlib.sha256(inspect.getsource(_math).encode()).hexdigest()[:12]


def _copy(function, namespace, name):
    clone = types.FunctionType(function.__code__, namespace, name,
                               function.__defaults__, function.__closure__)
    clone.__qualname__ = name
    clone.__module__ = function.__module__
    return clone


def compile_rules(decorate):
    """Return ``{name: decorate(rule)}`` for every rule of ``_math``."""
    namespace = dict(vars(_math))
    return {name: decorate(_copy(rule, namespace, name)) for name, rule in _math.RULES.items()}


def bind_driver(driver, rule, name):
    """A copy of ``driver`` that calls ``rule``, named ``name`` plus the source digest."""
    namespace = dict(driver.__globals__, rule=rule)
    return _copy(driver, namespace, f"{name}_{_DIGEST}")
