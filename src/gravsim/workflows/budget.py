"""Samples and measurement time against Q_m (the Fig. 2 axis), and the efficiency a budget needs.

Along Fig. 2's tuning rule (:func:`gravsim.figures.tuned`) each point gets a full
:func:`gravsim.distinguishability.budget`: the optimal (Chernoff) sample count, the heterodyne
count at the given efficiency, and their times from the state's correlation time.
:func:`required_efficiency` bisects the heterodyne efficiency η for which the Chernoff time
equals a target (default one year); the Fisher information of heterodyne grows monotonically
with η, so the bisection is well posed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from gravsim.analysis import distinguishability
from gravsim.model.parameters import Parameters
from gravsim.plotting import new_figure
from gravsim.workflows.figures import tuned
from gravsim.workflows.run_folder import RunFolder, run_identity


def heterodyne_years(
    p: Parameters, efficiency: float, added_noise: float = 0.0, **kw: Any
) -> float:
    """Years of averaging heterodyne needs at efficiency η (Chernoff, error probability p)."""
    b = distinguishability.budget(p, efficiency=efficiency, added_noise=added_noise, **kw)
    return b.times["heterodyne_chernoff"]["years"]


def required_efficiency(
    p: Parameters, years: float = 1.0, added_noise: float = 0.0, **kw: Any
) -> float | None:
    """Smallest η ∈ (0, 1] for which heterodyne needs ≤ ``years``; None if η = 1 is not enough."""
    if heterodyne_years(p, 1.0, added_noise, **kw) > years:
        return None
    lo, hi = 1e-6, 1.0
    if heterodyne_years(p, lo, added_noise, **kw) <= years:
        return lo
    for _ in range(40):
        mid = math.sqrt(lo * hi)
        if heterodyne_years(p, mid, added_noise, **kw) <= years:
            hi = mid
        else:
            lo = mid
        if hi / lo < 1.001:
            break
    return hi


def versus_quality_factor(
    p: Parameters,
    q_values: np.ndarray,
    *,
    efficiency: float = 1.0,
    added_noise: float = 0.0,
    error_probability: float = 0.01,
    progress: bool = True,
) -> dict[str, np.ndarray]:
    """Samples and years (optimal and heterodyne) at each Q_m under the tuning rule."""
    from tqdm import tqdm

    cols: dict[str, list[float]] = {
        k: []
        for k in (
            "Q_m",
            "delta_E",
            "samples_optimal",
            "years_optimal",
            "samples_heterodyne",
            "years_heterodyne",
        )
    }
    for q in tqdm(q_values, disable=not progress, desc="budget vs Q_m", unit="pt"):
        b = distinguishability.budget(
            tuned(p, float(q)),
            efficiency=efficiency,
            added_noise=added_noise,
            error_probability=error_probability,
        )
        cols["Q_m"].append(float(q))
        cols["delta_E"].append(b.delta_E)
        cols["samples_optimal"].append(b.samples_chernoff)
        cols["years_optimal"].append(b.times["chernoff"]["years"])
        cols["samples_heterodyne"].append(b.samples_heterodyne_chernoff)
        cols["years_heterodyne"].append(b.times["heterodyne_chernoff"]["years"])
    return {k: np.array(v) for k, v in cols.items()}


#: Q_m values of :func:`versus_quality_factor` by default (Fig. 2's range, two per decade).
Q_GRID = np.logspace(10, 18, 17)
#: Name of the budget-vs-Q_m run: ``budget_vs_Qm.{csv,json,png}``.
RUN_NAME = "budget_vs_Qm"


def run_folder(
    out: Path, p: Parameters, inputs: dict[str, Any], preset: str | None, force: bool = False
) -> RunFolder:
    """The output folder of a budget-vs-Q_m run for ``p`` and ``inputs`` (the keyword
    arguments of :func:`versus_quality_factor`); open it before the work."""
    identity = run_identity(kind="budget", preset=preset, parameters=p.as_dict(), inputs=inputs)
    return RunFolder(out, RUN_NAME, identity, force=force)


def write(
    folder: RunFolder, cols: dict[str, np.ndarray], efficiency: float, command: str = ""
) -> list[Path]:
    """``budget_vs_Qm.csv`` (one row per Q_m), its sidecar and the plot, into ``folder``."""
    units = {"Q_m": "1", "delta_E": "nats", "samples_*": "samples", "years_*": "years"}
    return [
        folder.write_table(cols),
        folder.write_sidecar({"command": command, "units": units, "efficiency": efficiency}),
        *folder.write_figure(figure(cols, efficiency)),
    ]


def figure(cols: dict[str, np.ndarray], efficiency: float) -> Any:
    """Samples (left) and years (right) against Q_m; a dashed line at one year."""
    fig, (ax1, ax2) = new_figure((10, 4.2), 1, 2)
    q = cols["Q_m"]
    ax1.loglog(q, cols["samples_optimal"], label="optimal (quantum Chernoff)")
    ax1.loglog(q, cols["samples_heterodyne"], label=f"heterodyne, η = {efficiency:g}")
    ax1.set_xlabel("$Q_m$")
    ax1.set_ylabel("independent samples for 1 % error")
    ax2.loglog(q, cols["years_optimal"], label="optimal")
    ax2.loglog(q, cols["years_heterodyne"], label=f"heterodyne, η = {efficiency:g}")
    ax2.axhline(1.0, color="0.5", ls="--", lw=1)
    ax2.set_xlabel("$Q_m$")
    ax2.set_ylabel("measurement time (years)")
    for ax in (ax1, ax2):
        ax.legend(fontsize=8)
    return fig
