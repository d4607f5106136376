"""``numba.njit`` with Numba's disk cache wherever there is somewhere to write it.

The cache saves seconds of compilation per process, but Numba refuses ``cache=True`` at
decoration time when neither the package's folder nor a user cache folder is writable
(a read-only install with no home directory, say). Then the kernels compile in memory,
as they would without the cache, instead of failing the import.

Numba's cache checks only the source file of the function it compiled: a kernel that
calls (and inlines) kernels of other modules names them in ``depends``, and the digest of
their source becomes part of its cached name, so an edit there never loads stale code.
"""
import hashlib
import inspect

import numba

from ._functions import copy_function


def cached_njit(function=None, *, depends=(), **options):
    """``numba.njit(cache=True, **options)``, or without the cache where Numba has no
    writable place for it. Usable as ``@cached_njit`` or ``@cached_njit(**options)``;
    ``depends``: the modules whose kernels the function calls."""
    def compile_(function):
        if depends:
            source = "".join(inspect.getsource(module) for module in depends)
            digest = hashlib.sha256(source.encode()).hexdigest()[:12]
            function = copy_function(function, function.__globals__,
                                     f"{function.__name__}_{digest}")
        try:
            return numba.njit(cache=True, **options)(function)
        except RuntimeError as error:
            if "cannot cache" not in str(error):
                raise
            return numba.njit(**options)(function)
    return compile_ if function is None else compile_(function)
