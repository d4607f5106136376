"""Reading labels out of an unsupervised spiking layer (Diehl & Cook 2015, section 2.6).

Each neuron is assigned the class for which it fired most on average over the samples it
was shown; a sample is then given the class whose assigned neurons fired most on average.
"""
import numpy as np


def class_responses(counts, labels, n_classes):
    """The summed spike counts of each neuron for each class, ``(n_classes, n_neurons)``,
    and how many samples each class had.

    Args:
        counts: ``(n_samples, n_neurons)`` spike counts.
        labels: ``(n_samples,)`` integer classes in ``[0, n_classes)``.
        n_classes: the number of classes.
    """
    counts = np.asarray(counts, np.float64)
    sums = np.zeros((n_classes, counts.shape[1]))
    np.add.at(sums, np.asarray(labels), counts)
    return sums, np.bincount(labels, minlength=n_classes)


def assign(sums, seen):
    """Each neuron's class: the highest mean response per sample of the class (classes
    never seen cannot be assigned). A neuron that never fired is assigned -1.

    Example:
        >>> import numpy as np
        >>> sums, seen = class_responses([[3, 0, 0], [0, 2, 0], [1, 4, 0]], [0, 1, 1], 2)
        >>> assign(sums, seen).tolist()
        [0, 1, -1]
    """
    means = np.where(seen[:, None] > 0, sums / np.maximum(seen, 1)[:, None], -np.inf)
    classes = np.argmax(means, axis=0)
    return np.where(sums.sum(axis=0) > 0, classes, -1)


def predict(counts, assignments, n_classes):
    """The class of each sample: the one whose assigned neurons fired most on average
    (classes with no neuron score 0; ties go to the lowest class).

    Example:
        >>> predict([[5, 0, 1], [0, 2, 0]], np.array([0, 1, 1]), 2).tolist()
        [0, 1]
    """
    counts = np.asarray(counts, np.float64)
    scores = np.zeros((counts.shape[0], n_classes))
    for c in range(n_classes):
        members = assignments == c
        if members.any():
            scores[:, c] = counts[:, members].mean(axis=1)
    return np.argmax(scores, axis=1)
