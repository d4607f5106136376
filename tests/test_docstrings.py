"""The examples in the public docstrings run and print what they show."""
import doctest

import pytest

from ngc_rules import _component, checkpoint, initializers, plots, spike_plots
from ngc_rules.data import arrays, datasets, files
from ngc_rules.encoders import bernoulli, latency, poisson
from ngc_rules.models import pcn, readout, sparse_coding
from ngc_rules.neurons import adex, error, integrate_fire, izhikevich, lif, quad_lif, rate
from ngc_rules.optim import _registry, accumulation, adam, finite, nag, rule, sgd
from ngc_rules.synapses import (bcm, dense, event_stdp, exp_stdp, hebbian, mstdpet, static,
                                stdp, trace_stdp)
from ngc_rules.traces import var_trace
from ngc_rules.training import loop

MODULES = [sgd, nag, adam, _registry, rule, accumulation, finite, checkpoint, initializers,
           _component, dense, hebbian, rate, error, pcn, sparse_coding, arrays, files, datasets,
           loop, plots, lif, quad_lif, integrate_fire, adex, izhikevich, bernoulli, poisson,
           latency, var_trace, static, trace_stdp, exp_stdp, stdp, event_stdp, bcm, mstdpet,
           readout, spike_plots]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
