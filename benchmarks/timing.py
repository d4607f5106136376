"""Timing helpers shared by the benchmarks: several calls compared in interleaved rounds.

Interleaving matters on a shared machine: memory bandwidth and clock speed drift over
seconds, so timing one implementation after another would credit the drift to one of
them. Each round times a batch of calls of every implementation in turn; the median over
rounds is the result and half the range between the quartiles its spread.
"""
import statistics
import time


def batch_size(call, budget):
    """How many calls of ``call`` fit in ``budget`` seconds (at least 1)."""
    call()
    started, calls = time.perf_counter(), 0
    while time.perf_counter() - started < budget and calls < 100_000:
        call()
        calls += 1
    return max(1, calls)


def time_batch(call, calls):
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) / calls


def summary(times):
    """``(median, spread)`` of per-call times, the spread half the interquartile range."""
    if len(times) < 4:
        return statistics.median(times), (max(times) - min(times)) / 2
    q1, _, q3 = statistics.quantiles(times, n=4)
    return statistics.median(times), (q3 - q1) / 2


def compare(calls, rounds=9, budget=0.3):
    """``{name: (median seconds per call, spread)}`` for each zero-argument call, timed in
    ``rounds`` interleaved rounds of about ``budget / rounds`` seconds each."""
    batches = {name: batch_size(call, budget / rounds) for name, call in calls.items()}
    times = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            times[name].append(time_batch(call, batches[name]))
    return {name: summary(values) for name, values in times.items()}
