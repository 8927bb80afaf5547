"""Figures as matplotlib ``Figure`` objects, outside pyplot, and how they are saved.

Every plot gravsim makes (transients, scans, the paper's figures, the budget) starts here, so
that no library call chooses a backend or touches pyplot's global state.  The helpers below
hold the rules every plot follows, so that a plot tells the truth about its data:

* an axis label carries its unit (:func:`axis_label`; a pure number says "dimensionless");
* a log-spaced grid axis is drawn on a log axis (:func:`is_log_spaced`), its cells centred
  on the grid values in log space (:func:`cell_edges`);
* a value scale shows every finite value, zero and negative ones included
  (:func:`value_scale`): log only when every value is positive, else symlog (linear near
  zero) when the values span decades, else linear.  A log scale would blank a valid zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

#: What a unit of "1" (a pure number) reads as on an axis.
DIMENSIONLESS = "dimensionless"
#: Decades the values must span before a log (or symlog) scale is used.
DECADES = 1.0
#: Magnitudes below this fraction of the largest are rounding noise to a symlog scale.
NOISE = 1e-12


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


def axis_label(name: str, unit: str | None) -> str:
    """``name (unit)``; a unit of ``"1"``, ``""`` or None reads "dimensionless"."""
    return f"{name} ({unit if unit not in (None, '', '1') else DIMENSIONLESS})"


def is_log_spaced(values: Any, kind: str | None = None) -> bool:
    """Whether a grid axis is drawn on a log axis: a ``log`` axis always, a ``lin`` one
    never, and a list of values (``kind`` None) when they are all positive and span more
    than :data:`DECADES` decade."""
    if kind is not None:
        return kind == "log"
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return bool(v.size > 1 and np.all(v > 0) and np.log10(v.max() / v.min()) > DECADES)


def cell_edges(values: Any, log: bool) -> np.ndarray:
    """Edges of the cells centred on ``values`` (in increasing order): midpoints, geometric
    on a log axis; a single value gets a cell of ±10 % (or ±0.5 at zero)."""
    v = np.asarray(values, dtype=float)
    if v.size == 1:
        x = float(v[0])
        if log:
            return np.array([x / 1.1, x * 1.1])
        half = 0.1 * abs(x) or 0.5
        return np.array([x - half, x + half])
    t = np.log(v) if log else v
    mid = (t[1:] + t[:-1]) / 2
    edges = np.concatenate([[2 * t[0] - mid[0]], mid, [2 * t[-1] - mid[-1]]])
    return np.exp(edges) if log else edges


def value_scale(values: Any) -> tuple[str, float | None]:
    """The scale that shows every finite value: ``("log", None)`` when all are positive and
    span more than :data:`DECADES` decade, ``("symlog", linthresh)`` when zero or negative
    values are present and the nonzero magnitudes span more than two decades (linear below
    ``linthresh``, the smallest nonzero magnitude above :data:`NOISE` of the largest, so
    that zero is drawn), else ``("linear", None)``."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    nonzero = np.abs(v[v != 0])
    if nonzero.size == 0:
        return "linear", None
    if np.all(v > 0):
        span = float(np.log10(nonzero.max() / nonzero.min()))
        return ("log", None) if span > DECADES else ("linear", None)
    # rounding noise (|v| below NOISE of the largest) goes in the linear part, not decades
    nonzero = nonzero[nonzero >= NOISE * nonzero.max()]
    span = float(np.log10(nonzero.max() / nonzero.min()))
    return ("symlog", float(nonzero.min())) if span > 2 * DECADES else ("linear", None)


def colour_norm(values: Any) -> tuple[Any, str]:
    """A matplotlib norm for ``values`` on the :func:`value_scale` (so a zero cell is
    coloured, at the bottom of a non-negative scale) and a note naming it."""
    from matplotlib.colors import LogNorm, Normalize, SymLogNorm

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
    scale, linthresh = value_scale(v)
    if scale == "log":
        return LogNorm(lo, hi), "log colour scale"
    if scale == "symlog":
        note = f"symlog colour scale, linear below {linthresh:.2g} so that 0 is coloured"
        return SymLogNorm(linthresh, vmin=lo, vmax=hi), note
    return Normalize(lo, hi if hi > lo else lo + 1.0), "linear colour scale"


def set_value_axis(ax: Any, values: Any, which: str = "y") -> str:
    """Put the ``which`` axis of ``ax`` on the :func:`value_scale` of ``values``; returns
    the scale's name."""
    scale, linthresh = value_scale(values)
    setter = ax.set_yscale if which == "y" else ax.set_xscale
    if scale == "symlog":
        setter("symlog", linthresh=linthresh)
    else:
        setter(scale)
    return scale


def hatch_patch(label: str, hatch: str, colour: str) -> Any:
    """A legend handle for hatched cells of one kind."""
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, edgecolor="0.25", hatch=hatch, label=label)


def hatch_cells(ax: Any, mask: np.ndarray, xe: np.ndarray, ye: np.ndarray, style: Any) -> None:
    """Cover the cells of a heat map where ``mask`` (rows along y) is set with rectangles
    in ``style`` (label, hatch, colour); runs along x are joined into one rectangle."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    rects = []
    for i, row in enumerate(np.asarray(mask, dtype=bool)):
        change = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(int), [0]])))
        for start, stop in zip(change[::2], change[1::2], strict=True):
            width, height = xe[stop] - xe[start], ye[i + 1] - ye[i]
            rects.append(Rectangle((xe[start], ye[i]), width, height))
    _, hatch, colour = style
    ax.add_collection(
        PatchCollection(rects, facecolor=colour, edgecolor="0.25", hatch=hatch, linewidth=0)
    )
