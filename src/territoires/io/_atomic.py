"""Atomic writes: a reader never sees a half-written file, a failure never destroys the old one."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

__all__ = ["atomic_directory", "atomic_text_file", "temporary_beside"]


def temporary_beside(path: Path) -> tuple[int, Path]:
    """Create the temporary file that will replace ``path``; return its descriptor and path.

    Raises:
        IsADirectoryError: ``path`` is a folder (a file name was expected).
        OSError: the folder cannot be created or written, naming ``path``, not the
            temporary file.
    """
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder: give the name of a file to write")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot write {path}: {exc.strerror}") from None
    return fd, Path(name)


@contextlib.contextmanager
def atomic_text_file(path: Path, *, encoding: str = "utf-8", newline: str = "") -> Iterator[TextIO]:
    """Open a temporary file next to ``path``; on success, move it over ``path`` in one step.

    The temporary file lives in the same directory, so the final ``os.replace`` is atomic on
    POSIX and Windows. If the block raises, the temporary file is removed and ``path`` is left
    as it was.
    """
    fd, temp = temporary_beside(path)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            shutil.copymode(path, temp)
        else:
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
        _fsync(path.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_directory(path: Path, fill: Callable[[Path], None], *, marker: str) -> None:
    """Build a directory with ``fill`` in a temporary sibling, then swap it in for ``path``.

    An existing ``path`` is replaced only if it is empty or holds ``marker`` (a file this
    library wrote), so a user's unrelated folder is never overwritten. The old directory is
    kept until the new one is in place; between the two renames a reader may briefly find no
    folder, but never a half-written one.

    Raises:
        FileExistsError: ``path`` exists, is not empty and was not written by territoires.
    """
    if path.exists():
        if not path.is_dir():
            raise FileExistsError(f"{path} exists and is not a directory")
        if any(path.iterdir()) and not (path / marker).exists():
            raise FileExistsError(
                f"{path} is not empty and holds no {marker}: refusing to replace it"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        fill(temp)
        for written in temp.iterdir():
            _fsync(written)
        _fsync(temp)
        os.chmod(temp, 0o777 & ~_umask())
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / "previous")
            try:
                os.replace(temp, path)
            except BaseException:
                os.replace(old / "previous", path)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temp, path)
        _fsync(path.parent)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _fsync(path: Path) -> None:
    """Flush a file or a directory entry to disk, where the platform allows it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. directories on Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on directories
        pass
    finally:
        os.close(fd)
