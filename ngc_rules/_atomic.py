"""Atomic writes of checkpoint files and directories.

Everything is first written under a new name beside its destination: unpredictable and
created exclusively (``open(..., "x")``, ``mkdir``), so a file or link planted there is
never followed or reused, and concurrent saves never share one. It is then renamed into
place, so a crash or a kill leaves the previous checkpoint whole. A directory is swapped in
with two renames under a lock on its parent: the old one moves to ``<path>.old``, the new
one moves in, the old one is deleted. :func:`saved_directory` reads ``<path>.old`` when a
save was cut off between the two renames, and takes the lock too, so a load never sees
half of a swap.
"""
import contextlib
import os
import secrets
import shutil

try:
    import fcntl
except ImportError:  # not POSIX (Windows): saves and loads are not locked against each other
    fcntl = None


def _new_name(path):
    """A name beside ``path`` that nobody can guess in advance."""
    return f"{path}.partial-{secrets.token_hex(8)}"


def _aside(path):
    return f"{path}.old"


def _write_new(path, write):
    """Create the file ``path`` (exclusively: anything already there, a link included, is
    an error and is not touched) and fill it with ``write(file)``; remove it if that fails.
    """
    with open(path, "xb") as file:
        try:
            write(file)
            file.flush()
            os.fsync(file.fileno())  # the data is on disk before a rename can point to it
        except BaseException:
            os.unlink(path)
            raise


def write_file(path, write):
    """Write the file ``path`` with ``write(file)`` (on an open binary file), atomically."""
    temporary = _new_name(path)
    _write_new(temporary, write)
    try:
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


@contextlib.contextmanager
def _locked(path, mode):
    """Hold a ``flock`` on the parent directory of ``path``: swaps take it "exclusive",
    loads "shared"."""
    if fcntl is None:
        yield
        return
    descriptor = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX if mode == "exclusive" else fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)


def _remove(path):
    """Delete ``path``: a directory tree, or a file or link (the link, not its target)."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        os.unlink(path)


def _swap_in(fresh, path):
    """Replace the directory ``path`` by ``fresh``: old one aside, new one in, old one
    deleted."""
    # Without path, a save cut off between its renames left the aside as the only copy:
    # it stays until the new one is in.
    if os.path.isdir(path):
        _remove(_aside(path))
        os.rename(path, _aside(path))
    os.rename(fresh, path)
    _remove(_aside(path))


@contextlib.contextmanager
def atomic_directory(path):
    """A new empty directory beside ``path``, whose content replaces ``path`` as a whole
    when the block ends without an error (and is deleted when it raises)."""
    path = os.path.normpath(path)
    if os.path.lexists(path) and not os.path.isdir(path):
        raise ValueError(f"{path} is not a directory: expected a checkpoint directory")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fresh = _new_name(path)
    os.mkdir(fresh)  # exclusive, as files are
    try:
        yield fresh
        with _locked(path, "exclusive"):
            _swap_in(fresh, path)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise


def write_directory(path, files):
    """Make ``files`` (file name -> ``write(file)``) the whole content of the directory
    ``path``, atomically."""
    with atomic_directory(path) as fresh:
        for name, write in files.items():
            _write_new(os.path.join(fresh, name), write)


@contextlib.contextmanager
def saved_directory(path):
    """The directory to load what was saved to ``path`` from, held against swaps: ``path``,
    or the previous checkpoint when a save was cut off between its two renames."""
    path = os.path.normpath(path)
    with _locked(path, "shared"):
        cut_off = not os.path.isdir(path) and os.path.isdir(_aside(path))
        yield _aside(path) if cut_off else path
