"""Figures as matplotlib ``Figure`` objects, outside pyplot, and how they are saved.

Every plot gravsim makes (transients, scans, the paper's figures, the budget) starts here, so
that no library call chooses a backend or touches pyplot's global state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def new_figure(figsize: tuple[float, float], nrows: int = 1, ncols: int = 1) -> tuple[Any, Any]:
    """A matplotlib ``Figure`` and its axes, outside pyplot.

    The figure belongs to the caller alone: no backend is chosen and no pyplot state is
    touched, so a notebook's backend and open figures stay as they were.  Show it in a
    notebook by returning it from a cell; save it with :func:`save_figure`.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(nrows, ncols)


def save_figure(fig: Any, png: Path, pdf: bool = False) -> list[Path]:
    """Save a matplotlib figure as ``png`` (150 dpi) and, on request, a PDF beside it."""
    paths = [png]
    fig.savefig(png, dpi=150)
    if pdf:
        paths.append(png.with_suffix(".pdf"))
        fig.savefig(paths[-1])
    return paths
