"""A scan's plot: a line over one grid axis or a heat map over two.

What the plot shows, and how (the rules of :mod:`gravsim.plotting`):

* a ``log:`` grid axis is drawn on a log axis, a ``lin:`` one on a linear axis, and a list
  of values on a log axis when they are all positive and span more than a decade; cells
  are centred on the grid values (in log space on a log axis);
* the value scale shows every solved point, zero included: log when every value is
  positive and they span more than a decade, symlog (linear below the smallest nonzero
  magnitude) when there are zeros or negative values over decades, else linear.  A valid
  ΔE = 0 (quantum gravity against itself, κ_G = 0) is coloured, never blank;
* points without a value are hatched, one hatch per reason, named in the legend only
  when present (:data:`CATEGORIES`, read from the ``status`` column; a point with no row
  has not been computed yet);
* the title names the quantity, the preset, the rung, the backend and the log base; every
  axis label carries its unit;
* on the Fock backend the truncation error of the quantity (when the scan has it) is drawn:
  error bars on a line, a second panel beside a heat map.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gravsim.errors import GravsimError, GravsimInputError
from gravsim.model.gravity import choose
from gravsim.model.units import UNITS
from gravsim.plotting import (
    axis_label,
    cell_edges,
    colour_norm,
    hatch_cells,
    hatch_patch,
    is_log_spaced,
    new_figure,
    set_value_axis,
)
from gravsim.workflows.result_model import entanglement_unit

#: Why a grid point has no value: key -> (legend label, hatch, face colour).  ``missing``:
#: no row yet (the scan was stopped); ``unstable``: no steady state (G₊ ≥ G₋, a drift
#: eigenvalue with Re ≥ 0); ``regime``: the rung, backend or truncation does not apply
#: there, or an input is invalid (the other ``error:`` rows); ``failed``: a numerical
#: failure; ``no_value``: solved, but this quantity is not a number there.
CATEGORIES: dict[str, tuple[str, str, str]] = {
    "missing": ("not computed (no row yet)", "..", "white"),
    "unstable": ("no steady state (unstable)", "//", "0.80"),
    "regime": ("outside the rung's regime / invalid input", "\\\\", "0.90"),
    "failed": ("solver failed (numerical failure)", "xx", "0.65"),
    "no_value": ("solved, no value of this quantity", "--", "0.95"),
}
#: Display names of the gravity models (the others go by their own name).
_NAMES = {"ktm": "KTM"}


def status_category(status: str) -> str:
    """``"ok"`` or the :data:`CATEGORIES` key of a row's ``status`` text."""
    if status == "ok":
        return "ok"
    if status.startswith("numerical failure"):
        return "failed"
    if "no steady state" in status:
        return "unstable"
    return "regime"


def categories(data: Any, values: np.ndarray) -> np.ndarray:
    """Per grid point (the grid's shape): ``"ok"`` or why ``values`` has no number there."""
    out = np.full(int(np.prod(data.shape)), "missing", dtype=object)
    statuses, inverse = np.unique(data.columns["status"], return_inverse=True)
    kinds = np.array([status_category(str(s)) for s in statuses], dtype=object)
    out[data.columns["index"].astype(int)] = kinds[inverse] if statuses.size else []
    out = out.reshape(data.shape)
    out[(out == "ok") & ~np.isfinite(values)] = "no_value"
    return out


def quantity_unit(key: str, log_base: str) -> str:
    """The unit of a scan column: E_N-like columns in the log base's unit."""
    if "E_N" in key or "delta_E" in key or key.startswith("truncation_error"):
        return entanglement_unit(log_base)
    if key.endswith("_s"):
        return "s"
    if key.endswith("_chosen"):
        return "levels"
    return UNITS.get(key, "1")


def error_column(quantity: str, columns: dict[str, Any]) -> str | None:
    """The Fock truncation-error column of ``quantity``, if the scan has one."""
    if quantity == "delta_E":
        key = "truncation_error_delta_E"
    elif quantity.startswith("E_N_from_covariance"):
        key = "truncation_error_from_covariance" + quantity.removeprefix("E_N_from_covariance")
    elif quantity.startswith("E_N") and not quantity.startswith("E_N_extrapolated"):
        key = "truncation_error" + quantity.removeprefix("E_N")
    else:
        return None
    return key if key in columns else None


def describe(quantity: str, gravity: Any) -> str:
    """``quantity`` in words: ΔE and E_N with the gravity models they belong to."""
    try:
        models = choose(gravity)
    except (GravsimError, TypeError, AttributeError):
        return quantity
    names = {g.label: _NAMES.get(g.name, g.name) for g in models}
    order = list(names.values())
    if quantity == "delta_E" and len(order) == 2:
        return f"delta_E: ΔE = E_N({order[0]}) − E_N({order[1]})"
    if quantity == "E_N" and len(order) == 1:
        return f"E_N: E_N({order[0]} gravity)"
    for label, name in names.items():
        if quantity == f"E_N_{label}":
            return f"{quantity}: E_N({name} gravity)"
    return quantity


def title(data: Any, quantity: str) -> str:
    """What is plotted: the quantity, the preset, the rung, the backend and the log base."""
    options = data.options or data.sidecar.get("options", {})
    preset = data.sidecar.get("preset") or "none (parameters given)"
    unit = entanglement_unit(data.log_base)
    return (
        f"{describe(quantity, options.get('gravity', 'both'))}\n"
        f"preset {preset}, {options.get('model', '?')} rung, {options.get('backend', '?')} "
        f"backend, log base {data.log_base} ({unit})"
    )


def figure(data: Any, quantity: str | None = None) -> Any:
    """Line plot (one axis) or heat map (two axes) of ``quantity`` (see the module
    docstring for what it shows and how).

    ``data`` is a :class:`~gravsim.workflows.scan.table.ScanData` (read through its
    ``axes``, ``log_base``, ``options``, ``sidecar``, ``columns`` and ``grid``).
    ``quantity`` defaults to ΔE (E_N for a scan of one gravity model).

    Raises
    ------
    GravsimInputError
        For a quantity the scan does not have, or a grid of more than two axes.
    """
    if len(data.axes) > 2:
        raise GravsimInputError("a plot shows one or two grid axes; this scan has more")
    if quantity is None:
        quantity = "delta_E" if "delta_E" in data.columns else "E_N"
    z = data.grid(quantity)
    err_key = error_column(quantity, data.columns)
    err = data.grid(err_key) if err_key else None
    draw = _line if len(data.axes) == 1 else _heat_map
    return draw(data, quantity, z, (err_key, err))


def _order(axis: Any) -> tuple[np.ndarray, bool]:
    """The axis's values in increasing order (their positions), and whether it is log."""
    order = np.argsort(axis.values, kind="stable")
    kind = axis.spec[0] if axis.spec is not None else None
    return order, is_log_spaced(axis.values, kind)


# ---------------------------------------------------------------------- one axis
def _line(data: Any, quantity: str, z: np.ndarray, error: tuple) -> Any:
    (axis,) = data.axes
    order, log = _order(axis)
    cats = categories(data, z)[order]
    x, z = axis.values[order], z[order]
    ok = cats == "ok"
    err_key, err = error
    fig, ax = new_figure((6.4, 4.6))
    if err is not None:
        err = err[order]
        label = f"{quantity} ± Fock truncation error ({err_key})"
        ax.errorbar(x[ok], z[ok], yerr=err[ok], fmt="o-", ms=3, capsize=3, label=label)
    else:
        ax.plot(x[ok], z[ok], "o-", ms=3, label=quantity)
    handles = _spans(ax, cats, cell_edges(x, log))
    ax.set_xscale("log" if log else "linear")
    set_value_axis(ax, z[ok])
    ax.set_xlabel(axis_label(axis.key, UNITS.get(axis.key)))
    ax.set_ylabel(axis_label(quantity, quantity_unit(quantity, data.log_base)))
    ax.set_title(title(data, quantity), fontsize=9)
    line_handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles=line_handles + handles, fontsize=7)
    return fig


def _spans(ax: Any, cats: np.ndarray, edges: np.ndarray) -> list[Any]:
    """Hatched bands over the points without a value, one style per reason; the legend
    handles of the reasons present."""
    handles = []
    for key, (label, hatch, colour) in CATEGORIES.items():
        mask = (cats == key).astype(int)
        if not mask.any():
            continue
        change = np.flatnonzero(np.diff(np.concatenate([[0], mask, [0]])))
        for start, stop in zip(change[::2], change[1::2], strict=True):
            ax.axvspan(
                edges[start], edges[stop], facecolor=colour, edgecolor="0.25", hatch=hatch, lw=0
            )
        handles.append(hatch_patch(label, hatch, colour))
    return handles


# ---------------------------------------------------------------------- two axes
def _heat_map(data: Any, quantity: str, z: np.ndarray, error: tuple) -> Any:
    y_axis, x_axis = data.axes
    (ox, xlog), (oy, ylog) = _order(x_axis), _order(y_axis)
    edges = (cell_edges(x_axis.values[ox], xlog), cell_edges(y_axis.values[oy], ylog))
    err_key, err = error
    panels = [(quantity, z)] + ([(err_key, err)] if err is not None else [])
    fig, axes = new_figure((6.4 * len(panels), 5.0), 1, len(panels))
    axes = np.atleast_1d(axes)
    present: dict[str, Any] = {}
    for ax, (key, values) in zip(axes, panels, strict=True):
        grid = values[np.ix_(oy, ox)]
        cats = categories(data, values)[np.ix_(oy, ox)]
        unit = quantity_unit(key, data.log_base)
        _mesh(fig, ax, edges, grid, cats, axis_label(key, unit))
        for name in CATEGORIES:
            if np.any(cats == name):
                hatch_cells(ax, cats == name, *edges, CATEGORIES[name])
                present[name] = hatch_patch(*CATEGORIES[name])
        ax.set_xscale("log" if xlog else "linear")
        ax.set_yscale("log" if ylog else "linear")
        ax.set_xlim(edges[0][0], edges[0][-1])
        ax.set_ylim(edges[1][0], edges[1][-1])
        ax.set_xlabel(axis_label(x_axis.key, UNITS.get(x_axis.key)))
        ax.set_ylabel(axis_label(y_axis.key, UNITS.get(y_axis.key)))
    if err is not None:
        axes[0].set_title(quantity, fontsize=9)
        axes[1].set_title(f"Fock truncation error of {quantity} ({err_key})", fontsize=9)
    fig.suptitle(title(data, quantity), fontsize=10)
    if present:
        handles = [present[k] for k in CATEGORIES if k in present]
        fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=7)
    return fig


def _mesh(fig: Any, ax: Any, edges: tuple, values: np.ndarray, cats: np.ndarray, label: str):
    """The coloured cells of the points with a value, and their colour bar."""
    ok = cats == "ok"
    norm, note = colour_norm(values[ok])
    shown = np.ma.masked_where(~ok, values)
    mesh = ax.pcolormesh(*edges, shown, norm=norm, cmap="viridis")
    fig.colorbar(mesh, ax=ax, label=f"{label}\n{note}")
    return mesh
