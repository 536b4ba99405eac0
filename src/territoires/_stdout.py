"""Standard output kept for results: anything else written there goes to standard error.

A command whose output is standard output (``territoires indicators --format csv > t.csv``)
must not have its CSV or JSON polluted by a plugin that prints. :class:`ResultsOutput`
gives the command a stream of its own for its results and, until it is done, sends every
other write to standard output to standard error:

- at the level of Python, ``sys.stdout`` is standard error (``print()`` in a hook);
- at the level of the process, when ``sys.stdout`` is file descriptor 1, descriptor 1 is a
  copy of descriptor 2, and the results go to a duplicate of the original descriptor 1. So
  writes that bypass ``sys.stdout`` (``os.write(1, ...)``, a C extension, a subprocess
  started by a plugin) go to standard error too.

Both are undone when the command ends, however it ends. A reader that goes away
(``| head``) is handled by :meth:`ResultsOutput.silence`: the rest of the results is
discarded, with no "Exception ignored" at exit. When the caller gives its own stream (tests
call ``main(out=StringIO())``), only ``sys.stdout`` is redirected: descriptor 1 is not the
results', so it is left alone.

This module imports nothing from the rest of the package.
"""

from __future__ import annotations

import contextlib
import os
import sys
from types import TracebackType
from typing import TextIO

__all__ = ["ResultsOutput"]

_STDOUT = 1
_STDERR = 2


class ResultsOutput:
    """A context manager: :attr:`stream` takes the results, anything else goes to stderr.

    Args:
        out: Where results go; None for the process's standard output.
    """

    def __init__(self, out: TextIO | None = None) -> None:
        self._given = out if out is not sys.stdout else None
        self.stream: TextIO = out if out is not None else sys.stdout
        self._saved: int | None = None  # the original descriptor 1, while it is replaced
        self._redirect = contextlib.redirect_stdout(sys.stderr)

    def __enter__(self) -> ResultsOutput:
        if self._given is None and _descriptor(sys.stdout) == _STDOUT:
            original = sys.stdout
            original.flush()  # what was written before belongs where it was meant to go
            self._saved = os.dup(_STDOUT)
            try:
                self.stream = open(
                    self._saved,
                    "w",
                    buffering=1 if getattr(original, "line_buffering", False) else -1,
                    encoding=getattr(original, "encoding", None) or "utf-8",
                    errors=getattr(original, "errors", None) or "strict",
                    newline=None if os.name == "nt" else "\n",  # as Python opens stdout
                    closefd=False,
                )
                _point(_STDOUT, _STDERR)
            except BaseException:
                os.close(self._saved)
                self._saved = None
                raise
        self._redirect.__enter__()
        return self

    def silence(self) -> None:
        """The reader went away: discard the rest of the results, quietly."""
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self.stream.fileno())
            finally:
                os.close(devnull)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._redirect.__exit__(kind, exc, traceback)
        try:
            self.stream.flush()
        except BrokenPipeError:
            self.silence()
            with contextlib.suppress(BrokenPipeError):
                self.stream.flush()  # into the void: nothing is left for the exit to write
        finally:
            if self._saved is not None:
                # What was written to the original sys.stdout object during the command went
                # to descriptor 1, standard error then: flush it there before restoring.
                with contextlib.suppress(OSError, ValueError):
                    sys.stdout.flush()
                os.dup2(self._saved, _STDOUT)
                with contextlib.suppress(OSError, ValueError):
                    self.stream.close()  # closefd=False: the descriptor is closed below
                os.close(self._saved)
                self._saved = None
                self.stream = sys.stdout


def _descriptor(stream: TextIO | None) -> int | None:
    """The file descriptor of ``stream``, or None when it has none (a StringIO, pytest's)."""
    try:
        return stream.fileno() if stream is not None else None
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is both
        return None


def _point(target: int, source: int) -> None:
    """Make descriptor ``target`` write where ``source`` does, or nowhere if ``source`` is shut."""
    try:
        os.dup2(source, target)
    except OSError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, target)
        finally:
            os.close(devnull)
