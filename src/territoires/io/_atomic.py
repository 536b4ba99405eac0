"""The one write path: every file or folder the library writes replaces its target in one step.

:func:`atomic_output` gives the writer a path inside a private work folder next to the target
(``.NAME.territoires-PID-XXXX.tmp``), then, once the writer has finished, flushes what it
wrote to the disk and moves it over the target in one rename:

- a file with ``os.replace``;
- a folder by exchanging it with the old one (Linux ``renameat2(RENAME_EXCHANGE)``), so that
  the target path always exists; where the kernel or the file system cannot exchange, the old
  folder is moved aside and the new one moved in (two renames), and a run killed between the
  two is mended by the next write to the same target, which moves the old folder back first.

The work folder is removed on every exit the process controls: success, an exception, Ctrl-C
(``KeyboardInterrupt``) and, while a write is in progress in the main thread, ``SIGTERM`` and
``SIGHUP`` (turned into :class:`~territoires.exceptions.Terminated`, a ``KeyboardInterrupt``,
when no handler of the application's own is set).
A process killed outright (``SIGKILL``, power loss) leaves its work folder behind; the next
write to the same target recognises it by its name and its dead process id, and removes it.
Scratch files a writer needs (openpyxl's sheets) go into the work folder too, never into the
system's temporary directory.

Errors while writing or renaming are raised as :class:`~territoires.exceptions.WriteError`
naming the target the user gave, never the work folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from territoires.exceptions import Terminated, WriteError

__all__ = ["WORK_MARK", "atomic_output", "leftovers", "remove_leftovers"]

WORK_MARK = ".territoires-"
"""What the name of every work folder holds, between the target's name and the process id."""

_WORK = re.compile(r"^\.(?P<name>.+)\.territoires-(?P<pid>\d+)-[^.]+\.tmp$")
_PREVIOUS = ".previous"  # the old folder, moved aside when folders cannot be exchanged
_RENAME_EXCHANGE = 2


@contextlib.contextmanager
def atomic_output(
    target: str | Path, *, folder: bool = False, marker: str | None = None
) -> Iterator[Path]:
    """Yield the path to write ``target``'s new content to; on success, put it in place.

    Args:
        target: The file or folder the user asked for.
        folder: Whether the output is a folder (it is created empty for the writer).
        marker: For a folder: the name of a file that only outputs of this kind hold. An
            existing folder is replaced only if it is empty or holds the marker, so that a
            user's unrelated folder is never overwritten.

    Yields:
        The path the writer writes to (a file path, or an existing empty folder). Its parent
        is the private work folder, where the writer may also put scratch files.

    Raises:
        WriteError: the target cannot be written (a folder where a file is expected, an
            unrelated folder, no room left on the device, no permission...), naming it.
    """
    given = Path(target)
    # A symbolic link is followed, as cp does: the file it points to gets the new content.
    path = given.resolve() if given.is_symlink() else given
    _check_target(given, path, folder=folder, marker=marker)
    remove_leftovers(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        work = Path(
            tempfile.mkdtemp(
                prefix=f".{path.name}{WORK_MARK}{os.getpid()}-", suffix=".tmp", dir=path.parent
            )
        )
    except OSError as exc:
        raise _error(given, exc) from None
    # The output keeps the target's name: a writer may look at its suffix.
    output = work / path.name
    try:
        with _cleanup_on_termination():
            if folder:
                output.mkdir()
            try:
                yield output
                _sync_tree(output)
                _give_permissions(output, path, folder=folder)
                if folder:
                    _swap_folder(output, path, work)
                else:
                    os.replace(output, path)
                _fsync(path.parent)
            except OSError as exc:
                raise _error(given, exc) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check_target(given: Path, path: Path, *, folder: bool, marker: str | None) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return  # a new output
    except OSError as exc:
        raise _error(given, exc) from None
    if not folder:
        if stat.S_ISDIR(mode):
            raise WriteError(given, "is a folder: give the name of a file to write")
        if not stat.S_ISREG(mode):
            raise WriteError(given, "is not a regular file (a device, a pipe?): not replaced")
        return
    if not stat.S_ISDIR(mode):
        raise WriteError(given, "exists and is not a folder")
    if any(path.iterdir()) and not (marker and (path / marker).exists()):
        raise WriteError(
            given,
            f"is a folder that is not empty and holds no {marker}: refusing to replace it",
        )


def _error(path: Path, exc: OSError) -> WriteError:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.EFBIG:
        reason = "the file would be larger than this process may write (file size limit)"
    return WriteError(path, reason)


# -- leftovers of killed runs ---------------------------------------------------------------------


def leftovers(target: str | Path) -> list[Path]:
    """Return the work folders of writes to ``target`` whose process is no longer running."""
    path = Path(target)
    found = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return []
    for entry in entries:
        match = _WORK.match(entry.name)
        if match is None or match["name"] != path.name:
            continue
        if _alive(int(match["pid"])):
            continue  # a write in progress, in this process or another
        found.append(Path(entry.path))
    return sorted(found)


def remove_leftovers(target: str | Path) -> list[Path]:
    """Remove what killed writes to ``target`` left behind; return the paths removed.

    A folder moved aside by a write killed between its two renames is moved back first, when
    nothing has taken its place.
    """
    path = Path(target)
    removed = []
    for work in leftovers(path):
        previous = work / _PREVIOUS
        if previous.is_dir() and not (path.exists() or path.is_symlink()):
            with contextlib.suppress(OSError):
                os.rename(previous, path)
        shutil.rmtree(work, ignore_errors=True)
        removed.append(work)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    except OverflowError:
        return False
    return True


# -- putting things in place ----------------------------------------------------------------------


def _swap_folder(output: Path, path: Path, work: Path) -> None:
    """Move the folder ``output`` to ``path``; the old folder, if any, ends in ``work``."""
    if not (path.exists() or path.is_symlink()):
        os.rename(output, path)
        return
    if _exchange(output, path):
        return  # the old folder is now at ``output``, removed with the work folder
    os.rename(path, work / _PREVIOUS)
    try:
        os.rename(output, path)
    except BaseException:
        os.rename(work / _PREVIOUS, path)
        raise


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two paths in one step; False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_cwd = -100
    result = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM):
        return False  # the kernel or the file system has no exchange: two renames instead
    raise OSError(code, os.strerror(code))


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """The C library's renameat2, where it has one (glibc 2.28 and later)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _give_permissions(output: Path, path: Path, *, folder: bool) -> None:
    """Keep an existing file's mode; give a new output the usual one (mkdtemp's are private)."""
    if not folder and path.is_file():
        with contextlib.suppress(OSError):
            shutil.copymode(path, output)
            return
    os.chmod(output, (0o777 if folder else 0o666) & ~_umask())


def _sync_tree(output: Path) -> None:
    """Flush a file, or every file and folder of a folder, to the disk."""
    if output.is_dir():
        for root, _, files in os.walk(output):
            for name in files:
                _fsync(Path(root) / name)
            _fsync(Path(root))
    else:
        _fsync(output)


def _fsync(path: Path) -> None:
    """Flush a file, or a folder's entries, to the disk; errors on files are write errors."""
    folder = path.is_dir()
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        if folder:  # pragma: no cover - folders cannot be opened on Windows
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not folder:
            raise
        # Some file systems refuse fsync on folders; the rename is atomic all the same.
    finally:
        os.close(fd)


# -- signals --------------------------------------------------------------------------------------

_TERMINATING = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def _cleanup_on_termination() -> Iterator[None]:
    """While a write runs, turn SIGTERM and SIGHUP into Terminated, so that cleanup runs.

    Only in the main thread (the only one that receives signals in Python), and only for the
    signals the application left at their default: an application's own handler decides.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    installed = {}
    for number in _TERMINATING:
        if signal.getsignal(number) is signal.SIG_DFL:
            installed[number] = signal.signal(number, _terminate)
    try:
        yield
    finally:
        for number, previous in installed.items():
            signal.signal(number, previous)


def _terminate(number: int, frame: FrameType | None) -> None:
    raise Terminated(number)
