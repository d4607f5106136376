"""Run one rule over a parameter structure: check everything, then update in one pass.

Every argument of every tensor, of every dtype, is checked and every coefficient computed
before any kernel runs, so a refused step changes nothing; an in-place step then runs its
kernels and advances its counter in one CPU call, or with Ctrl-C held back
(``_signals``), so it happens whole. The kernels get plain NumPy arrays only, flat views
of exactly the memory that was checked (``_leaves``), and a step in place refuses arrays
that share memory. NumPy arrays go to the CPU kernels, device arrays to the CUDA kernels
(``_targets``), in place on the device.
"""
import contextlib
import contextvars
import functools
import itertools

import numpy as np

from . import _checks, _cpu, sparse
from ._checks import like, mismatch
from ._leaves import device_leaf, host_leaf
from ._signals import HELD
from ._state import advance_in_place, counter, read_counter, unpack, writable_counter
from ._targets import device_target, on_device, state_dtype
from ._tree import flatten, flatten_like


def state_full(theta, value=0.0):
    """Arrays filled with ``value`` in theta's structure, shapes and place, in the state
    dtype."""
    params, structure = flatten(theta, "theta")
    arrays = []
    for k, p in enumerate(params):
        device = on_device(p)
        p = device_target().as_device_array(p) if device else \
            _checks.host_array(structure.label("theta", k), p, written=False)
        _checks.param_dtype(structure.label("theta", k), p.dtype, device)
        dtype = state_dtype(p.dtype)
        arrays.append(device_target().full(p.shape, value, dtype) if device
                      else np.full_like(p, value, dtype=dtype))
    return structure.build(arrays)


def apply(rule, state_type, opt_params, theta, updates, coefficients, inplace,
          needs_norms=False, lazy=False):
    """One step of ``rule``; ``coefficients`` gives the kernel's numbers for step t.

    ``coefficients(t, sq_norms)`` is called once, after every array has been checked and
    before any is touched. It returns ``(of_dtype, multipliers)``: ``of_dtype(dtype)``
    gives the coefficient tuple computed in the compute ``dtype``, and ``multipliers``
    the gradient multiplier of each tensor (a list, or one number for all, or None for
    all ones). ``sq_norms`` holds each update tensor's ``sum(u**2)`` when
    ``needs_norms``, else None. ``state_type`` is the state's NamedTuple (its last field
    is the counter ``t``), or None when the state is the counter alone. With ``lazy``,
    an :class:`~ngc_rules.optim.sparse.IndexedSlices` update reads and writes only its
    rows. Returns ``(opt_params, theta)``.
    """
    if type(theta) is Prepared:
        return theta.step(rule, state_type, opt_params, updates, coefficients, needs_norms,
                          lazy)
    fields = () if state_type is None else state_type._fields[:-1]
    state_trees, t_old = unpack(opt_params, state_type)
    t = read_counter(t_old, "opt_params.t" if state_type else "opt_params") + 1
    step = _Step(rule, theta, updates, fields, state_trees, functools.partial(coefficients, t),
                 inplace, needs_norms, lazy)
    if inplace:
        counted = writable_counter(t_old)
        step.commit(t_old if counted else None)
        if counted:
            return opt_params, theta
        new_states, new_theta = state_trees, theta
    else:
        step.commit()
        new_states, new_theta = step.results()
    if state_type is None:
        return counter(t), new_theta
    return state_type(*new_states, counter(t)), new_theta


class Prepared:
    """``theta`` and its state ``opt_params``, checked once for a run of in-place steps
    over the same host arrays (:class:`~ngc_rules.optim.AttachedRule`): the flat views
    the kernels update are kept, and a step checks only the updates and that no array
    was reshaped, retyped or made read-only since.

    Passed in place of ``theta`` to a step function. Anything else (another state, a
    changed array, updates to convert or of rows) takes the general path, which checks
    everything and gives its errors.
    """
    __slots__ = ("state", "theta", "structure", "fields", "arrays", "layouts", "params",
                 "states", "update_layouts", "memory", "groups")

    def __init__(self, opt_params, theta):
        self.state, self.theta = opt_params, theta
        params, self.structure = flatten(theta, "theta")
        self.fields, trees = (opt_params._fields[:-1], opt_params[:-1]) \
            if isinstance(opt_params, tuple) else ((), ())
        columns = [flatten_like(tree, self.structure, f"opt_params.{field}")
                   for field, tree in zip(self.fields, trees)]
        states = [[column[k] for column in columns] for k in range(len(params))]
        # each parameter stands in for its update: the in-place checks are what count here
        leaves = [host_leaf(self.structure, self.fields, k, p, p, s, True, False)
                  for k, (p, s) in enumerate(zip(params, states))]
        self.arrays = params + [a for s in states for a in s]
        self.layouts = [(a.shape, a.dtype) for a in self.arrays]
        self.params = [leaf.p for leaf in leaves]
        self.states = [leaf.s for leaf in leaves]
        self.memory = _written_memory(self.structure, self.fields, leaves)
        self.groups = _groups(self.params)
        self.update_layouts = [
            (p.shape, p.dtype, "F" if p.flags.f_contiguous and not p.flags.c_contiguous
             else "C") for p in params]

    @classmethod
    def of(cls, opt_params, theta):
        """A Prepared for host arrays and a state from an init function (checking them
        all), else ``theta`` itself: device arrays' steps are bound by the launch rather
        than the checks."""
        params, _ = flatten(theta, "theta")
        named = hasattr(opt_params, "_fields") or isinstance(opt_params, np.ndarray)
        return cls(opt_params, theta) if named and not (params and on_device(params[0])) \
            else theta

    def step(self, rule, state_type, opt_params, updates, coefficients, needs_norms, lazy):
        grads = self._flat_updates(state_type, opt_params, updates)
        if grads is None:
            return self._general(rule, state_type, opt_params, updates, coefficients,
                                 needs_norms, lazy)
        self.memory.check_reads(grads)
        t_old = opt_params[-1] if self.fields else opt_params
        t = read_counter(t_old, "opt_params.t" if self.fields else "opt_params") + 1
        launches = _launches(_cpu, rule, self.theta, self.structure, self.params, grads,
                             self.states, functools.partial(coefficients, t), needs_norms,
                             self.groups)
        _commit(_cpu, launches, (), t_old)
        return opt_params, self.theta

    def _flat_updates(self, state_type, opt_params, updates):
        """Flat views of ``updates`` when this step can run over the kept views: the same
        state, advancing in place, every update an array like its parameter, and no
        kept array changed since. None otherwise."""
        t_old = opt_params[-1] if self.fields else opt_params
        if opt_params is not self.state or not writable_counter(t_old) or \
                self.fields != (state_type._fields[:-1] if state_type else ()):
            return None
        grads = []
        for g, (shape, dtype, order) in zip(flatten_like(updates, self.structure, "updates"),
                                            self.update_layouts):
            if type(g) is not np.ndarray or g.dtype != dtype or g.shape != shape:
                return None
            grads.append(g.ravel(order))
        for a, (shape, dtype) in zip(self.arrays, self.layouts):
            if a.shape != shape or a.dtype != dtype or not a.flags.writeable:
                return None
        return grads

    def _general(self, rule, state_type, opt_params, updates, coefficients, needs_norms,
                 lazy):
        return apply(rule, state_type, opt_params, self.theta, updates, coefficients, True,
                     needs_norms, lazy)


def elementwise(rule, target, source, of_dtype, inplace):
    """Run a one-array rule of ``_math`` (``accumulate``, ``blend``, ``assign``,
    ``fill``) over ``target`` reading ``source``; ``of_dtype(dtype)`` gives its
    coefficients. Returns the updated target tree."""
    step = _Step(rule, target, source, (), (), lambda sq_norms: (of_dtype, None), inplace,
                 False, False)
    step.commit()
    return target if inplace else step.results()[1]


@contextlib.contextmanager
def checking_updates(check):
    """Within: the next step calls ``check(theta, updates)`` with its updates as its
    kernels will read them (converted to the compute dtype, a sparse update's rows
    summed, each flat), after every other check and before any array moves: an
    exception from ``check`` refuses the step with nothing changed. Only the first
    kernel launch is shown: a wrapper's inner steps apply what was checked."""
    token = _UPDATES_CHECK.set(check)
    try:
        yield
    finally:
        _UPDATES_CHECK.reset(token)


_UPDATES_CHECK = contextvars.ContextVar("updates_check", default=None)


def check_step(step, opt_params, theta, updates, **arguments):
    """Make every check of ``step(opt_params, theta, updates, **arguments)`` and change
    nothing: the step runs until its kernels' coefficients are computed in every compute
    dtype, its last check, and ends there (before :func:`checking_updates` sees the
    updates). For wrappers that must know a step will be taken before they move
    anything. ``step`` must be one of ngc_rules' step functions, or wrap one."""
    token = _CHECK_ONLY.set(True)
    try:
        step(opt_params, theta, updates, **arguments)
    except _Checked:
        return
    finally:
        _CHECK_ONLY.reset(token)
    raise TypeError(f"{step!r} ran to the end without reaching ngc_rules' checks, so it "
                    f"cannot be checked before it runs: wrap one of ngc_rules' step "
                    f"functions")


class _Checked(Exception):
    """Ends a step run by :func:`check_step` once every check has passed."""


_CHECK_ONLY = contextvars.ContextVar("check_only", default=False)


def _show_updates(theta, structure, grads):
    check = _UPDATES_CHECK.get()
    if check is not None:
        _UPDATES_CHECK.set(None)
        check(theta, structure.build(grads))


def check_tree(tree, theta, name):
    """Refuse a state tree that is not laid out like ``theta`` (before anything runs)."""
    params, structure = flatten(theta, "theta")
    for k, (array, p) in enumerate(zip(flatten_like(tree, structure, name), params)):
        if not (hasattr(array, "shape") and hasattr(array, "dtype")):
            raise TypeError(f"{structure.label(name, k)} must be an array, got "
                            f"{type(array).__name__}")
        if on_device(array) != on_device(p):
            raise mismatch(structure.label(name, k), on_device(p))
        like(structure.label(name, k), array, p, state_dtype(np.dtype(p.dtype)))


def nonfinite_counts(theta, updates):
    """``(label, count)`` of NaN and infinite elements in each tensor of ``updates``
    (laid out like ``theta``), counted where the updates live."""
    params, structure = flatten(theta, "theta")
    counts = []
    for k, g in enumerate(flatten_like(updates, structure, "updates")):
        values = g.values if isinstance(g, sparse.IndexedSlices) else g
        if on_device(values):
            n = device_target().count_nonfinite(device_target().as_device_array(values))
        else:
            values = np.asarray(values)
            if values.dtype.kind != "f":
                raise TypeError(f"{structure.label('updates', k)} has dtype {values.dtype}, "
                                f"expected a float dtype")
            n = int(_cpu.count_nonfinite(np.ascontiguousarray(values).reshape(-1)))
        counts.append((structure.label("updates", k), n))
    return counts


class _Step:
    """One step over a parameter structure, checked when made: the flat views of every
    tensor (:class:`~ngc_rules.optim._leaves.Leaf`) and the kernel calls with their coefficients. Nothing is
    touched until :meth:`commit`."""
    __slots__ = ("target", "structure", "leaves", "launches", "fields")

    def __init__(self, rule, theta, updates, fields, state_trees, coefficients, inplace,
                 needs_norms, lazy):
        params, self.structure = flatten(theta, "theta")
        grads = flatten_like(updates, self.structure, "updates")
        columns = [flatten_like(tree, self.structure, f"opt_params.{field}")
                   for field, tree in zip(fields, state_trees)]
        device = on_device(params[0]) if params else False
        prepare = device_leaf if device else host_leaf
        self.leaves = leaves = [
            prepare(self.structure, fields, k, p, g, states, inplace, lazy)
            for k, (p, g, states) in enumerate(zip(params, grads, zip(*columns) if columns
                                                   else itertools.repeat(())))]
        self.target = device_target() if device else _cpu
        if inplace and device:
            _written_memory(self.structure, fields, leaves, self.target.span).check_reads(
                [leaf.g for leaf in leaves])
        elif inplace:
            _check_memory(self.structure, fields, leaves)
        self.fields = fields
        self.launches = _launches(self.target, rule, theta, self.structure,
                                  [leaf.p for leaf in leaves], [leaf.g for leaf in leaves],
                                  [leaf.s for leaf in leaves], coefficients, needs_norms)

    def commit(self, counter=None):
        """Run the kernels, write back the rows of sparse updates and advance
        ``counter`` (a writable step counter, or None), all or nothing (:func:`_commit`)."""
        _commit(self.target, self.launches, [(full, leaf.rows, rows) for leaf in self.leaves
                                             for full, rows in leaf.write_back], counter)

    def results(self):
        """A functional step's new state trees (one per field) and theta."""
        build, leaves = self.structure.build, self.leaves
        return ([build([leaf.s_new[j] for leaf in leaves]) for j in range(len(self.fields))],
                build([leaf.p_new for leaf in leaves]))


def _written_memory(structure, fields, leaves, device_span=None):
    """The arrays an in-place step writes, refused when two share memory."""
    return _checks.WrittenMemory([a for leaf in leaves for a in (leaf.p_new, *leaf.s_new)],
                                 structure, fields, all(leaf.owned for leaf in leaves),
                                 device_span)


def _check_memory(structure, fields, leaves):
    """Refuse an in-place step whose written arrays share memory or whose updates overlap
    them (:func:`_written_memory`). Separate allocations cannot overlap: when the written
    arrays are distinct allocations of their own and each update lies in another, known
    one, that is all there is to check."""
    if all([leaf.owned for leaf in leaves]):
        written = {id(a) for leaf in leaves for a in (leaf.p_new, *leaf.s_new)}
        owners = [_checks.allocation(leaf.g) for leaf in leaves]
        if len(written) == len(leaves) * (1 + len(fields)) and \
                all([o is not None and id(o) not in written for o in owners]):
            return
    _written_memory(structure, fields, leaves).check_reads([leaf.g for leaf in leaves])


def _launches(target, rule, theta, structure, params, grads, states, coefficients,
              needs_norms, groups=None):
    """The kernel calls of a step over checked flat arrays, one per parameter dtype
    (``groups``: their :func:`_groups`, kept by a :class:`Prepared`). The
    coefficients of every dtype are computed, and so checked, and the updates shown to
    :func:`checking_updates`' check, before any array moves (and where a
    :func:`check_step` ends)."""
    if groups is None:
        groups = _groups(params)
    sq_norms = None
    if needs_norms:
        sq_norms = np.empty(len(params))
        for _, group in groups:
            sq_norms[slice(None) if group is None else group] = \
                target.sum_squares(_take(grads, group))
    of_dtype, multipliers = coefficients(sq_norms)
    if multipliers is not None and not isinstance(multipliers, list):
        multipliers = [multipliers] * len(params)
    launches = [(rule, _take(params, group), _take(grads, group), _take(states, group),
                 of_dtype(dtype), None if multipliers is None else _take(multipliers, group),
                 dtype) for dtype, group in groups]
    if _CHECK_ONLY.get():
        raise _Checked
    _show_updates(theta, structure, grads)
    return launches


def _groups(params):
    """``(compute dtype, indices)`` of each parameter dtype; the indices are None when
    that group is every parameter (the common case, then taken without indexing)."""
    groups = {}
    for k, p in enumerate(params):
        groups.setdefault(p.dtype, []).append(k)
    if len(groups) == 1:
        return [(state_dtype(params[0].dtype), None)]
    return [(state_dtype(dtype), group) for dtype, group in groups.items()]


def _commit(target, launches, write_back, counter):
    """Run ``launches``, then put each ``(full, rows, touched)`` of ``write_back`` and
    advance ``counter`` (or None), so that a KeyboardInterrupt comes before or after all
    of it: one CPU kernel advances the counter itself, in the same call; anything more
    runs with Ctrl-C held back."""
    if target is _cpu and len(launches) == 1 and not write_back:
        _cpu.run(*launches[0], _cpu.NO_COUNTER if counter is None else counter.reshape(1))
        return
    with HELD:
        for launch in launches:
            target.run(*launch)
        for full, rows, touched in write_back:
            target.put_rows(full, rows, touched)
        if counter is not None:
            advance_in_place(counter)


def _take(items, group):
    """The items of ``group`` as a tuple (all of them when None)."""
    return tuple(items) if group is None else tuple([items[k] for k in group])
