"""Ctrl-C during training stops the loop between two batches, never inside one."""
import contextlib
import signal
import threading


@contextlib.contextmanager
def deferred_interrupts():
    """Within the block, the first SIGINT only sets a flag, read by calling the yielded
    function, so the loop can stop where every array is consistent; a second SIGINT
    raises :class:`KeyboardInterrupt` at once. Outside the main thread, where Python
    delivers no signals, the flag is never set."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    received = []

    def handler(signum, frame):
        if received:
            raise KeyboardInterrupt
        received.append(signum)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(received)
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None
                      else previous)
