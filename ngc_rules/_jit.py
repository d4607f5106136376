"""``numba.njit`` with Numba's disk cache wherever there is somewhere to write it.

The cache saves seconds of compilation per process, but Numba refuses ``cache=True`` at
decoration time when neither the package's folder nor a user cache folder is writable
(a read-only install with no home directory, say). Then the kernels compile in memory,
as they would without the cache, instead of failing the import.
"""
import numba


def cached_njit(function=None, **options):
    """``numba.njit(cache=True, **options)``, or without the cache where Numba has no
    writable place for it. Usable as ``@cached_njit`` or ``@cached_njit(**options)``."""
    def compile_(function):
        try:
            return numba.njit(cache=True, **options)(function)
        except RuntimeError as error:
            if "cannot cache" not in str(error):
                raise
            return numba.njit(**options)(function)
    return compile_ if function is None else compile_(function)
