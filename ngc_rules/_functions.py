"""Copies of plain-Python functions under new globals, for Numba to compile apart.

Numba reads a function's globals as compile-time constants, so a copy whose globals fix a
mode (an activation, a rule variant) compiles to code with that mode's branches folded
away. Each copy gets its own qualified name, so Numba's on-disk cache keeps one entry per
copy.
"""
import types


def copy_function(function, namespace, name):
    """``function`` with globals ``namespace``, named (and cached as) ``name``."""
    clone = types.FunctionType(function.__code__, namespace, name,
                               function.__defaults__, function.__closure__)
    clone.__qualname__ = name
    clone.__module__ = function.__module__
    return clone
