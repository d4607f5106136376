"""Argument checks: clear errors that name the argument, its value and what was expected.

Hyperparameters are checked in float64 and again in the dtype the kernels compute in;
arrays are checked for what the kernels may index (:func:`host_array`) and, for steps in
place, for memory they share (:class:`WrittenMemory`).
"""
import bisect
import functools
import math
import numbers

import numpy as np

from ..schedules import LearningRateSchedule

HOST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
DEVICE_DTYPES = (np.dtype(np.float16),) + HOST_DTYPES


def real(name, value):
    """``value`` as a finite Python float, or a TypeError/ValueError naming ``name``."""
    if type(value) is float:  # the common case, checked first: steps are called often
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    if isinstance(value, np.ndarray):
        if value.ndim != 0 or value.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be a real number, got an array of shape "
                            f"{value.shape} and dtype {value.dtype}")
        value = value.item()
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def at_least(name, value, low):
    value = real(name, value)
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return value


def positive(name, value):
    value = real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def unit_interval(name, value):
    """A decay rate in [0, 1)."""
    value = real(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


def integer(name, value):
    """``value`` as a Python int, or a TypeError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral)):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    return int(value)


def whole_number(name, value, low, optional=False):
    """``value`` as a Python int ``>= low`` (or None when ``optional``), else a ValueError
    naming ``name``: for counts such as ``every`` or ``max_consecutive``."""
    if optional and value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or value < low:
        raise ValueError(f"{name} must be {'None or ' if optional else ''}an integer >= {low}, "
                         f"got {value!r}")
    return int(value)


def one_of(name, value, choices):
    """``value`` if it is one of ``choices``, else a ValueError listing them."""
    if not any(value is c or (type(value) is type(c) and value == c) for c in choices):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, "
                         f"got {value!r}")
    return value


def optional_positive(name, value):
    """None (the option is off) or a number > 0."""
    return None if value is None else positive(name, value)


def learning_rate(name, value, steps_taken):
    """The rate for this step: a number, a schedule called with the number of steps
    taken so far, or a callable with no arguments; ``>= 0``."""
    if isinstance(value, LearningRateSchedule):
        value = value(steps_taken)
    elif callable(value):
        value = value()
    return at_least(name, value, 0.0)


def memoized(check):
    """``check`` remembering its results for hashable arguments (distinguished by type,
    so ``True`` and ``1`` are checked apart); other arguments are checked every call.
    Errors are never remembered."""
    remembered = functools.lru_cache(maxsize=256, typed=True)(check)

    @functools.wraps(check)
    def checked(*args):
        try:
            return remembered(*args)
        except TypeError:  # unhashable; a TypeError of the check itself recurs below
            return check(*args)

    return checked


def param_dtype(label, dtype, device):
    """Refuse parameters of a dtype the CPU (or, on a ``device``, the CUDA) rules do not
    take."""
    if device and dtype not in DEVICE_DTYPES:
        raise TypeError(f"{label} has dtype {dtype}; the CUDA rules take float16, float32 "
                        f"or float64")
    if not device and dtype not in HOST_DTYPES:
        raise TypeError(f"{label} has dtype {dtype}; the CPU rules take float32 or float64 "
                        f"(float16 parameters are supported on CUDA)")


def like(label, array, p, dtype):
    """Refuse an ``array`` that does not have the shape of its parameter ``p`` and
    ``dtype``."""
    if array.shape != p.shape:
        raise ValueError(f"{label} has shape {array.shape}, expected {p.shape} like theta")
    if array.dtype != dtype:
        raise TypeError(f"{label} has dtype {array.dtype}, expected {dtype}")


def writable(label, flags):
    """Refuse parameters (of these ``flags``) that a step in place cannot update."""
    if not flags.writeable:
        raise ValueError(f"{label} is read-only; inplace=True needs writeable arrays")
    if not (flags.c_contiguous or flags.f_contiguous):
        raise ValueError(f"{label} is not contiguous; inplace=True needs contiguous arrays")


def laid_out_like(label, flags, theta_label, order):
    """Refuse a state array (of these ``flags``) that a step in place cannot update
    along with its parameter, laid out in ``order``."""
    if not (flags.writeable and (flags.f_contiguous if order == "F" else flags.c_contiguous)):
        raise ValueError(f"{label} must be writeable and laid out like {theta_label} "
                         f"({order}-contiguous) for inplace=True")


def mismatch(label, device):
    """The error for host memory given with device parameters, or the reverse."""
    where, other = ("a device", "host") if device else ("a host", "device")
    return ValueError(f"{label} is {other} memory but theta is {where} array: move both to "
                      f"the same place (ngc_rules never copies between host and device)")


def _rounding_limits(dtype):
    """The magnitudes from which ``dtype`` rounds a float64 to inf, and up to which to 0
    (the midpoints to the next value, which round away from the largest finite value and
    towards zero)."""
    info = np.finfo(dtype)
    return (float(info.max) + 2.0 ** (info.maxexp - info.nmant - 2),
            float(info.smallest_subnormal) / 2)


_LIMITS = {np.dtype(t): _rounding_limits(t) for t in (np.float32, np.float64)}


def fits(name, value, dtype, positive=False, of=()):
    """``value`` (a float), or a ValueError when the compute ``dtype`` holds it as inf,
    or, for a ``positive`` hyperparameter, as 0: the checks made in float64 must hold
    where the kernels compute. ``of`` lists the ``(name, value)`` pairs that ``value``
    is computed from."""
    overflow, underflow = _LIMITS[dtype]
    size = abs(value)
    if size >= overflow or (positive and size <= underflow):
        held, expected = ("inf", f"below {overflow:.8g}") if size >= overflow else \
            ("0", f"above {underflow:.8g}")
        what = f"{name}={value!r}" if not of else \
            f"{', '.join(f'{n}={v!r}' for n, v in of)} give {name}={value!r}, which"
        raise ValueError(f"{what} is {held} in {dtype}, the dtype this step computes in; "
                         f"expected a magnitude {expected}")
    return value


def below_one(name, value, dtype):
    """A decay rate that stays below 1 in the compute ``dtype`` (else its bias correction
    ``1 - value**t`` is 0 there)."""
    if dtype.type(value) >= 1:
        raise ValueError(f"{name}={value!r} is 1.0 in {dtype}, the dtype this step computes "
                         f"in, where the bias correction 1 - {name}**t is 0; expected at "
                         f"most {float(np.nextafter(dtype.type(1), dtype.type(0))):.10g}")
    return value


def host_array(label, array, written):
    """``array`` as the plain NumPy array over its memory that the CPU kernels index.

    The kernels index flat views made by ndarray's own ``ravel``; a subclass may lay out
    or index its memory otherwise (``np.matrix`` keeps a row 2-D), so a subclass is read
    as ``np.asarray`` sees it, and ``written`` (in place) only when it is ``np.memmap``,
    whose layout is ndarray's. A masked array is refused: the rules would ignore its
    mask.
    """
    if type(array) is np.ndarray:
        return array
    unmasked(label, array)
    if written and type(array) is not np.memmap:
        if isinstance(array, np.ndarray):
            raise TypeError(f"{label} is a {type(array).__name__}; inplace=True updates "
                            f"NumPy arrays and np.memmap only: pass np.asarray({label}), "
                            f"a NumPy view of the same memory")
        raise TypeError(f"{label} must be a NumPy array for inplace=True, got "
                        f"{type(array).__name__}")
    return np.asarray(array)


def unmasked(label, array):
    """Refuse a masked array: the rules would ignore its mask."""
    if isinstance(array, np.ma.MaskedArray):
        raise TypeError(f"{label} is a masked array, whose mask the rules would ignore: "
                        f"pass {label}.filled(...) or {label}.data")


def allocation(array):
    """The NumPy array whose own allocation holds ``array``'s memory (``array`` or, for a
    view, its base), or None when that is not known (memory of a buffer, a file mapping
    or an extension)."""
    base = array.base
    owner = array if base is None else base
    return owner if type(owner) is np.ndarray and owner.flags.owndata else None


def span(array):
    """The bytes ``[start, end)`` of a contiguous host array."""
    start = array.__array_interface__["data"][0]
    return start, start + array.nbytes


class WrittenMemory:
    """The contiguous arrays an in-place step writes, refused when two share memory: the
    step would write it twice. They are theta's and each state field's arrays of each
    tensor in turn (``fields`` names the state's, ``structure`` the tensors);
    ``own_allocations`` says that each host array is known to be an allocation of its
    own. Device arrays are compared by address alone, given by ``device_span`` (their
    target's ``span``).

    :meth:`check_reads` then refuses updates that overlap them, except an update that
    *is* one of its own tensor's arrays (same bytes): every rule reads element i of the
    update before it writes element i of anything, so that step equals the functional
    one, bit for bit. (Another tensor's array may have been written already.)
    """
    __slots__ = ("arrays", "structure", "fields", "owners", "spans", "span")

    def __init__(self, arrays, structure, fields, own_allocations=False, device_span=None):
        self.arrays, self.structure, self.fields = arrays, structure, fields
        self.spans = None
        if device_span is not None:
            self.span, self.owners = device_span, None
        else:
            self.span = span
            allocations = arrays if own_allocations else [allocation(a) for a in arrays]
            known = own_allocations or all(o is not None for o in allocations)
            self.owners = set(map(id, allocations)) if known else None
        # separate allocations cannot overlap: only the addresses of arrays in one (views
        # of a buffer, say) and in memory from elsewhere need to be read
        if self.owners is None or len(self.owners) < len(arrays):
            self._exact_spans()

    def _label(self, i):
        names = ["theta"] + [f"opt_params.{field}" for field in self.fields]
        return self.structure.label(names[i % len(names)], i // len(names))

    def _tensor(self, i):
        return i // (1 + len(self.fields))

    def _exact_spans(self):
        """The written arrays' bytes, sorted, after refusing any two that overlap."""
        if self.spans is None:
            spans = sorted((*self.span(a), i) for i, a in enumerate(self.arrays) if a.nbytes)
            for (_, end, i), (start, _, j) in zip(spans, spans[1:]):
                if start < end:
                    raise ValueError(f"{self._label(i)} and {self._label(j)} share memory; "
                                     f"an in-place step would write it twice: pass separate "
                                     f"arrays")
            self.spans = spans
        return self.spans

    def check_reads(self, updates):
        """Refuse a contiguous array of ``updates`` (one per tensor) that overlaps a
        written array without being exactly one of its own tensor's."""
        owners = self.owners
        for k, g in enumerate(updates):
            owner = None if owners is None else allocation(g)
            if (owner is None or id(owner) in owners) and g.nbytes:
                self._check_read(k, g)

    def _check_read(self, k, g):
        spans = self._exact_spans()
        start, end = self.span(g)
        # the written spans are disjoint and sorted: step back from the last starting
        # before ``end`` while they reach past ``start``
        n = bisect.bisect_left(spans, (end,)) - 1
        while n >= 0 and spans[n][1] > start:
            written_start, written_end, i = spans[n]
            if (written_start, written_end) != (start, end) or self._tensor(i) != k:
                raise ValueError(f"{self.structure.label('updates', k)} shares memory with "
                                 f"{self._label(i)}, which this step writes before reading "
                                 f"all of it (an update may be an array of its own tensor, "
                                 f"whole): pass a copy")
            n -= 1
