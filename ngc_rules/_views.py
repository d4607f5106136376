"""Flat views that the element-wise kernels of synapses and neurons run over."""
import operator


def flat(array):
    """A writable flat view of a C-contiguous array (never a copy)."""
    if not array.flags.c_contiguous:
        raise ValueError("arrays updated by kernels must be C-contiguous")
    return array.reshape(-1)


class FlatViews:
    """The flat views of a component's compartments, remade only when one of the arrays
    is replaced: a neuron steps hundreds of times per batch over the same arrays, and
    making four views costs about as much as a small step's arithmetic.

    Arrays run through one kernel element by element, so they must share one shape
    (checked when the views are made)."""

    def __init__(self, owner):
        self.owner = owner
        self._arrays = self._views = ()

    def __call__(self, *arrays):
        if len(arrays) != len(self._arrays) or \
                not all(map(operator.is_, arrays, self._arrays)):
            shapes = [a.shape for a in arrays]
            if any(shape != shapes[0] for shape in shapes):
                raise ValueError(f"{self.owner}: the compartments of one step must share a "
                                 f"shape, got {shapes}")
            self._views = tuple(flat(a) for a in arrays)
            self._arrays = arrays
        return self._views
