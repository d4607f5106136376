"""Flat views that the element-wise kernels of synapses and neurons run over."""


def flat(array):
    """A writable flat view of a C-contiguous array (never a copy)."""
    if not array.flags.c_contiguous:
        raise ValueError("arrays updated by kernels must be C-contiguous")
    return array.reshape(-1)
