"""A scan's plot: a line over one grid axis or a heat map over two, failed points marked."""

from __future__ import annotations

from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.plotting import new_figure
from gravsim.workflows.result_model import entanglement_unit


def figure(data: Any, quantity: str | None = None) -> Any:
    """Line plot (one axis) or heat map (two axes) of ``quantity``; failed points marked.

    ``data`` is a :class:`~gravsim.workflows.scan.table.ScanData` (read through its
    ``axes``, ``log_base``, ``columns`` and ``grid``).

    ``quantity`` defaults to ΔE (E_N for a scan of one gravity model).

    Raises
    ------
    GravsimInputError
        For a quantity the scan does not have, or a grid of more than two axes.
    """
    from matplotlib.colors import LogNorm

    if len(data.axes) > 2:
        raise GravsimInputError("a plot shows one or two grid axes; this scan has more")
    if quantity is None:
        quantity = "delta_E" if "delta_E" in data.columns else "E_N"
    z = data.grid(quantity)
    ok = np.isfinite(data.grid("index"))  # the solved points (NaN elsewhere)
    unit = entanglement_unit(data.log_base)
    label = f"{quantity} ({unit})" if quantity.startswith(("E_N", "delta_E")) else quantity
    fig, ax = new_figure((6.4, 4.6))
    if len(data.axes) == 1:
        x = data.axes[0].values
        ax.plot(x[ok], z[ok], "o-", ms=3)
        for xv in x[~ok]:
            ax.axvline(xv, color="0.8", lw=3)
        if np.any(ok) and np.all(z[ok] > 0):
            ax.set_yscale("log")
        ax.set_xlabel(data.axes[0].key)
        ax.set_ylabel(label)
        ax.set_title("grey: no steady state / outside the rung's regime")
        return fig
    positive = z[np.isfinite(z) & (z > 0)]
    norm = LogNorm(positive.min(), positive.max()) if positive.size else None
    y_axis, x_axis = data.axes
    mesh = ax.pcolormesh(x_axis.values, y_axis.values, z, norm=norm, shading="nearest")
    if np.any(~ok) and min(z.shape) > 1:  # contours need two values on each axis
        ax.contourf(
            x_axis.values, y_axis.values, ~ok, levels=[0.5, 1.5], colors="0.8", hatches=["//"]
        )
    fig.colorbar(mesh, ax=ax, label=label)
    ax.set_xlabel(x_axis.key)
    ax.set_ylabel(y_axis.key)
    ax.set_title("hatched: no steady state / outside the rung's regime")
    return fig
