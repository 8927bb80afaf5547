"""Progress as QuTiP spells it: every ``progress`` argument takes what QuTiP's
``progress_bar`` option takes, or a callable.

* ``False``, ``None``, ``""``: silent;
* ``True``: a tqdm bar (QuTiP's solvers and gravsim's own loops alike);
* ``"text"``, ``"enhanced"``, ``"tqdm"``: that bar in QuTiP's solvers (gravsim's loops draw
  tqdm for each);
* a callable: gets gravsim's one-line messages (a Fock solve starting, each period of a
  periodic state, each harmonic-balance stage); no bar.

With ``True`` or a bar name the messages go to standard error as ``gravsim: ...`` lines.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from gravsim.errors import GravsimInputError

#: QuTiP's bars (``qutip.ui.progressbar``), by their ``progress_bar`` names.
BARS = ("text", "enhanced", "tqdm")


def bar(progress: Any) -> str:
    """The ``progress_bar`` option for QuTiP's solvers ("" for none)."""
    if callable(progress) or not progress:
        return ""
    if progress is True:
        return "tqdm"
    if isinstance(progress, str) and progress in BARS:
        return progress
    raise GravsimInputError(
        f"unknown progress {progress!r}: give True/False, one of {', '.join(BARS)} (QuTiP's "
        "progress_bar names) or a callable that takes a message"
    )


def shown(progress: Any) -> bool:
    """Whether a bar is drawn (gravsim's own loops: tqdm)."""
    return bar(progress) != ""


def messages(progress: Any) -> Callable[[str], None] | None:
    """Where gravsim's one-line messages go: the callable, standard error, or nowhere."""
    if callable(progress):
        return progress
    return _to_stderr if shown(progress) else None


def _to_stderr(message: str) -> None:
    print(f"gravsim: {message}", file=sys.stderr, flush=True)
