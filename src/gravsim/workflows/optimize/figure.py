"""The map ``gravsim optimize`` draws: the objective around the optimum over the first two
varied inputs (the others held at the optimum), the regime's boundary (hatched outside), the
search path and the optimum; a line for one varied input."""

from __future__ import annotations

from typing import Any

import numpy as np

from gravsim.model.units import UNITS
from gravsim.plotting import axis_label, colour_norm, new_figure
from gravsim.workflows.optimize.design import parameters_at, violation
from gravsim.workflows.optimize.problem import LADDER_LIMIT, rebuild

#: Points per axis of the map (the batched ΔE map; the record objectives are per point).
MAP_POINTS = {"delta_E": 60, "samples": 24, "time": 24}


def draw(result: Any) -> Any:
    """The objective over the first two varied inputs around the optimum (others held at the
    optimum), the regime's boundary (hatched outside), the search path and the optimum."""
    problem = rebuild(result)
    if len(problem.variables) == 1:
        return _line(problem, result)
    vx, vy = problem.variables[:2]
    best = np.array([float(v.to_unit(result.optimum[v.key])) for v in problem.variables])
    n = MAP_POINTS[result.objective]
    ux, uy = (_window(v, best[k], result) for k, v in enumerate((vx, vy)))
    gx, gy = np.meshgrid(np.linspace(*ux, n), np.linspace(*uy, n))
    units = np.repeat(best[:, None], gx.size, axis=1)
    units[0], units[1] = gx.ravel(), gy.ravel()
    value = np.vectorize(problem.natural)(problem.log_objective(units)).reshape(gx.shape)
    outside = _outside(problem, units).reshape(gx.shape)
    fig, ax = new_figure((6.4, 5.0))
    x, y = vx.from_unit(gx), vy.from_unit(gy)
    norm, note = colour_norm(value)
    mesh = ax.pcolormesh(x, y, value, shading="nearest", cmap="viridis", norm=norm)
    fig.colorbar(mesh, ax=ax, label=f"{_label(result.objective)}\n{note}")
    ax.contourf(x, y, outside, levels=[0.5, 1.5], colors="none", hatches=["//"])
    ax.contour(x, y, outside, levels=[0.5], colors="w", linewidths=1.2)
    ax.plot([], [], "w-", lw=1.2, label="edge of the regime")
    path = [(row[vx.key], row[vy.key]) for row in result.path]
    if path:
        ax.plot(*zip(*path, strict=True), ".--", color="C3", ms=3, lw=0.8, label="search path")
    ax.plot(result.optimum[vx.key], result.optimum[vy.key], "r*", ms=12, label="optimum")
    ax.set_xscale("log" if vx.log else "linear")
    ax.set_yscale("log" if vy.log else "linear")
    ax.set_xlabel(_axis(vx.key))
    ax.set_ylabel(_axis(vy.key))
    fig.suptitle(
        f"{_title(result)}; hatched: outside the regime (L1 check at the optimum only)",
        fontsize=9,
    )
    ax.legend(fontsize=7, loc="best")
    return fig


def _window(v: Any, centre: float, result: Any) -> tuple[float, float]:
    """Unit-coordinate range of the map along ``v``: the path and the optimum, plus 0.1."""
    points = [float(v.to_unit(row[v.key])) for row in result.path] + [centre]
    return max(0.0, min(points) - 0.1), min(1.0, max(points) + 0.1)


def _outside(problem: Any, units: np.ndarray) -> np.ndarray:
    """1 where a point breaks the regime, the entanglement floor or the ladder, else 0."""
    p = parameters_at(problem.p, problem.variables, units)
    bad = violation(problem.constraints, p).ravel() > 0
    inside = np.flatnonzero(~bad)
    if inside.size:
        inner = units[:, inside]
        e_n, ratio = problem.rung_checks(inner)
        bad[inside] = (e_n < problem.min_E_N) | (ratio > LADDER_LIMIT)
    return bad.astype(float)


def _line(problem: Any, result: Any) -> Any:
    (v,) = problem.variables
    u = np.linspace(0.0, 1.0, MAP_POINTS[result.objective])[None, :]
    value = np.vectorize(problem.natural)(problem.log_objective(u))
    outside = _outside(problem, u) > 0
    fig, ax = new_figure((6.4, 4.2))
    x = v.from_unit(u[0])
    ax.plot(x, np.where(outside, np.nan, value), "C0", label="inside the regime")
    ax.plot(x, np.where(outside, value, np.nan), "C0:", label="outside")
    ax.plot(result.optimum[v.key], result.search_value, "r*", ms=12, label="optimum")
    ax.set_xscale("log" if v.log else "linear")
    ax.set_xlabel(_axis(v.key))
    ax.set_ylabel(_label(result.objective))
    ax.set_title(_title(result), fontsize=9)
    ax.legend(fontsize=7)
    return fig


def _axis(key: str) -> str:
    """An input's axis label with its unit."""
    return axis_label(key, UNITS.get(key))


def _label(objective: str) -> str:
    return {
        "delta_E": "ΔE (nats)",
        "samples": "heterodyne records (records)",
        "time": "measurement time (s)",
    }[objective]


def _title(result: Any) -> str:
    """What the map shows: the objective, the rung searched, the backend and the log base."""
    rung = result.options.get("model", "effective")
    return (
        f"{_label(result.objective)} on the {rung} rung (searched) around the optimum\n"
        "Gaussian backend, ΔE in log base e (nats)"
    )
