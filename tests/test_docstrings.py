"""The examples in the public docstrings run and print what they show."""
import doctest

import pytest

from ngc_rules.optim import _registry, adam, nag, sgd


@pytest.mark.parametrize("module", [sgd, nag, adam, _registry], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
