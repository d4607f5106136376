"""The examples in the public docstrings run and print what they show."""
import doctest

import pytest

from ngc_rules import _component, checkpoint, initializers, plots
from ngc_rules.data import arrays, datasets, files
from ngc_rules.models import pcn, sparse_coding
from ngc_rules.neurons import error, rate
from ngc_rules.optim import _registry, accumulation, adam, finite, nag, rule, sgd
from ngc_rules.synapses import dense, hebbian
from ngc_rules.training import loop

MODULES = [sgd, nag, adam, _registry, rule, accumulation, finite, checkpoint, initializers,
           _component, dense, hebbian, rate, error, pcn, sparse_coding, arrays, files, datasets,
           loop, plots]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
