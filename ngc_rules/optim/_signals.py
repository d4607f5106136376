"""Ctrl-C held back while an in-place step commits.

An in-place step checks everything first, then runs its kernels (one per dtype) and
advances its counter. A KeyboardInterrupt between two of those would leave some tensors
stepped and others not, or the counter behind. Inside ``with HELD:`` a SIGINT is only
noted; on leaving, the handler that was in place gets it, so the step has happened whole
and the KeyboardInterrupt (or whatever that handler does) comes right after.
"""
import _signal  # what ``signal`` wraps: its functions turn handlers into enums, ~5 µs a call
import os
import signal
import threading

_main_thread = threading.main_thread().ident  # Python runs signal handlers there only


def _forked():
    global _main_thread
    _main_thread = threading.get_ident()  # the thread that forked is the child's main


if hasattr(os, "register_at_fork"):  # POSIX: elsewhere no process forks
    os.register_at_fork(after_in_child=_forked)


class _Held:
    """The context manager :data:`HELD`. Holds nest; only the outermost swaps handlers,
    and only in the main thread: elsewhere no handler can run."""
    __slots__ = ("depth", "previous", "caught", "note")

    def __init__(self):
        self.depth, self.previous, self.caught = 0, None, False
        self.note = self._note  # bound once: every in-place step enters

    def __enter__(self):
        if threading.get_ident() != _main_thread:
            return
        self.depth += 1
        if self.depth == 1:
            # None: a handler installed outside Python, which could not be put back
            self.previous = _signal.getsignal(signal.SIGINT)
            if self.previous is not None:
                self.caught = False
                _signal.signal(signal.SIGINT, self.note)

    def _note(self, signum, frame):
        self.caught = True

    def __exit__(self, *exception):
        if threading.get_ident() != _main_thread:
            return
        self.depth -= 1
        if self.depth == 0 and self.previous is not None:
            _signal.signal(signal.SIGINT, self.previous)
            self.previous = None
            if self.caught:
                signal.raise_signal(signal.SIGINT)


HELD = _Held()
"""``with HELD:`` defers SIGINT to the end of the block (in the main thread)."""
