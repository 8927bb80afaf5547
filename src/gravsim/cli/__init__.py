"""The ``gravsim`` command line: it parses arguments, calls :mod:`gravsim.workflows`, prints.

Every failure prints one line on stderr and exits with a code that says what kind it is
(:data:`EXIT_CODES`); no traceback.  Library messages name arguments in backticks
(`` `n_mech` ``, `` `force=True` ``); :func:`as_flags` rewrites those the subcommand has a
flag for.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence

import numpy as np

from gravsim.cli.commands import RUNS
from gravsim.cli.parser import EXIT_CODES, _fail, _warn, as_flags, build_parser
from gravsim.errors import GravsimError, GravsimInputError, GravsimWarning

__all__ = ["EXIT_CODES", "as_flags", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gravsim`` console script (see :data:`EXIT_CODES`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    sub = args.subparser = parser.subcommands[args.command]
    # library warnings: one line each, once, after the results (none before an error line)
    caught: dict[str, None] = {}
    warnings.showwarning = lambda message, category, *_, **__: caught.setdefault(
        _warning_line(str(message), category)
    )
    args.on_interrupt = "nothing was written"
    try:
        for flag in ("out", "plot_out"):
            if getattr(args, flag, None) is not None and not getattr(args, flag).strip():
                raise GravsimInputError("--out is empty: name a folder")
        status = RUNS[args.command](args)
        for message in caught:
            _warn(as_flags(message, sub))
    except GravsimError as exc:
        _fail(as_flags(str(exc), sub), exc.exit_code)
    except KeyboardInterrupt:
        _fail(f"interrupted: {args.on_interrupt}", 130)
    except BrokenPipeError:  # output piped into head & co.
        sys.stdout = None  # type: ignore[assignment]
        return 0
    except Exception as exc:  # not raised by gravsim itself: still one line
        if os.environ.get("GRAVSIM_TRACEBACK"):
            raise
        _fail(*_unexpected(exc))
    return int(status or 0)


def _warning_line(message: str, category: type[Warning]) -> str:
    """gravsim's own warnings as they are; another library's (NumPy's floating-point
    warnings, SciPy's ill-conditioning) said in gravsim's words, with theirs in brackets."""
    if issubclass(category, GravsimWarning):
        return message
    return (
        "floating-point trouble inside the computation at these inputs "
        f"({category.__name__}: {message.strip()}); results that are not finite are refused, "
        "the others stand, but the inputs are far from where the model was checked"
    )


def _unexpected(exc: Exception) -> tuple[str, int]:
    """The one line and exit code for an exception gravsim did not raise (:data:`EXIT_CODES`)."""
    if isinstance(exc, OSError):  # a file that cannot be read or written
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror or exc}; choose another path or free space", 2
    if isinstance(exc, MemoryError):
        return "out of memory: use a smaller truncation or grid", 3
    what = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, (ArithmeticError, np.linalg.LinAlgError)):
        why = "the inputs may span more orders of magnitude than float64 resolves"
        return f"numerical failure ({what}); {why}", 3
    why = "please report it with the command (GRAVSIM_TRACEBACK=1 shows the traceback)"
    return f"internal error ({what}); {why}", 4
