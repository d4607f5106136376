"""Output that survives its reader: Ctrl-C in a terminal also ends a ``| tee``, and the
run must still save and exit as it should rather than fail on a broken pipe."""
import os


class Tolerant:
    """A text stream whose writes are dropped once its reader has gone."""

    def __init__(self, stream):
        self._stream = stream

    def _gone(self):
        # The stream's file now leads nowhere, so later flushes (Python's own at exit
        # too) succeed; a stream without a file is replaced instead.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), self._stream.fileno())
        except (OSError, ValueError, AttributeError):
            self._stream = open(os.devnull, "w")

    def write(self, text):
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self):
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._gone()

    def __getattr__(self, name):
        return getattr(self._stream, name)
