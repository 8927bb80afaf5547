"""How far each imperfection of a real device may go: the ``--set`` value at which ΔE first
moves 10 % and 50 % away from the ideal device's (``gravsim tolerances``).

Each row moves one imperfection away from its ideal value, the others held
(:data:`ROWS`: the tones' mis-settings Δ_m and Δ_c, the cavity's n̄_c, oscillator a's
coupling g_a and damping γ_a, its own technical heating, and heating common to both).  Along
that path ΔE(x) is evaluated on a log-spaced grid in one batched Gaussian solve
(:func:`gravsim.gaussian.compare_gravity`: ΔE without cancellation, so that a 10 % change
of a ΔE of 10⁻⁸ is resolved), the first grid point where |ΔE/ΔE_ideal − 1| reaches the level
brackets the tolerance, and bisection in log x narrows it to :data:`RTOL`.  At each
tolerance: ΔE, E_N with classical gravity, and the factor by which the optimal measurement's
sample count grows (:func:`gravsim.workflows.budget.budget`).  Every value is what ``--set``
takes, so ``gravsim steady --set KEY=VALUE`` (with the row's ``fixed`` keys) gives the row's
ΔE again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gravsim import gaussian
from gravsim.errors import GravsimError, GravsimInputError
from gravsim.model import rungs
from gravsim.model.gravity import KTMGravity
from gravsim.model.parameters import Parameters, unchecked
from gravsim.plotting import new_figure
from gravsim.workflows.budget import budget
from gravsim.workflows.result_model import Result, entanglement_unit

#: The rungs the tolerances are computed on (the budget's).
RUNGS = ("rwa", "effective")
#: The levels of |ΔE/ΔE_ideal − 1| reported.
LEVELS = (0.1, 0.5)
#: Grid of each path, in units of the row's scale: 10⁻⁸ … 10⁸, 8 points a decade.
GRID = np.logspace(-8, 8, 129)
#: Relative width of the bracket bisection stops at.
RTOL = 1e-6


@dataclass(frozen=True)
class Path:
    """One imperfection's path away from the ideal device.

    ``key`` is the ``--set`` key varied, ``scale(p)`` its natural size (rad/s, phonons/s, …),
    ``start(p)`` its ideal value (the path is start + x·scale, x > 0), ``fixed`` the other
    keys held, and ``tied`` the keys set to the same value (common-mode heating).
    """

    name: str
    key: str
    what: str
    fixed: dict[str, float] = field(default_factory=dict)
    tied: tuple[str, ...] = ()

    def scale(self, p: Parameters) -> float:
        """The natural size of the key's change at ``p``."""
        scales = {
            "Delta_m": p.Gamma,
            "Delta_c": p.kappa,
            "n_c": 1.0,
            "g_a": p.g,
            "gamma_a": p.gamma_m,
            "heating_a": p.gamma_m * (p.n_th + 0.5),
        }
        return float(scales[self.key])

    def start(self, p: Parameters) -> float:
        """The key's value on the ideal device."""
        return float({"g_a": p.g, "gamma_a": p.gamma_m}.get(self.key, 0.0))

    def held(self, p: Parameters) -> dict[str, float]:
        """The other ``--set`` keys held on this path (None in :attr:`fixed`: the preset's g)."""
        return {k: float(p.g if v is None else v) for k, v in self.fixed.items()}

    def settings(self, p: Parameters, value: Any) -> dict[str, Any]:
        """The ``--set`` keys of the point ``value`` on this path."""
        return self.held(p) | {self.key: value} | dict.fromkeys(self.tied, value)


#: The rows of the table.
ROWS = (
    Path("Delta_m", "Delta_m", "mean mechanical frequency − half the tones' spacing (rad/s)"),
    Path("Delta_c", "Delta_c", "cavity frequency − the tones' centre (rad/s)"),
    Path("n_c", "n_c", "thermal photons in the cavity"),
    Path("g_a", "g_a", "oscillator a's single-photon coupling, g_b held (rad/s)", {"g_b": None}),
    Path("gamma_a", "gamma_a", "oscillator a's damping rate (rad/s)"),
    Path(
        "heating_a (uncorrelated)",
        "heating_a",
        "technical heating of oscillator a alone (phonons/s)",
        {"heating_b": 0.0, "heating_corr": 0.0},
    ),
    Path(
        "common-mode heating",
        "heating_a",
        "heating common to both oscillators, heating_b = heating_a (phonons/s)",
        {"heating_corr": 1.0},
        ("heating_b",),
    ),
)


@dataclass(frozen=True, eq=False, repr=False)
class Tolerances(Result):
    """The tolerance of each imperfection (JSON ``tolerances``: one dict per row).

    Each row: ``name``, ``key``, ``what``, ``fixed`` (the other ``--set`` keys held; ``tied``
    keys take the row's value too), and per level (``10pct``, ``50pct``): ``value_*`` (what
    ``--set key=`` takes; null where the path's grid, up to 10⁸ of its scale, does not
    reach the level), ``delta_E_*``, ``E_N_classical_*`` (log base) and ``samples_factor_*``
    (the optimal measurement's samples there ÷ the ideal device's).  ``curves``: ΔE/ΔE_ideal
    against the value on each path, for the figure.
    """

    model: str
    delta_E_ideal: float
    rows: tuple[dict[str, Any], ...] = field(metadata={"json_key": "tolerances"})
    curves: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    RUN_NAME = "tolerances"

    def table(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """One CSV row per imperfection."""
        keys = [k for k in self.rows[0] if k not in ("fixed", "tied")]
        columns = {k: [row[k] for row in self.rows] for k in keys}
        columns["fixed"] = [_settings_text(row["fixed"]) for row in self.rows]
        return columns, {"model": self.model, "delta_E_ideal": self.delta_E_ideal}

    def figure(self) -> Any:
        """ΔE/ΔE_ideal against each imperfection in units of its 10 % tolerance."""
        return _figure(self)

    def __str__(self) -> str:
        unit = "nats" if self.log_base == "e" else "bits"
        lines = [
            f"Tolerances on the {self.model} rung: where ΔE moves 10 % and 50 % from the ideal "
            f"device's ΔE = {self.delta_E_ideal:.6e} {unit}",
            f"  {'imperfection':<26}{'10 %':>12}{'50 %':>12}{'samples x (10 %)':>18}  held",
        ]
        for row in self.rows:
            cells = "".join(_cell(row[f"value_{lv}"]) for lv in ("10pct", "50pct"))
            factor = row["samples_factor_10pct"]
            shown = "" if factor is None else f"{factor:.3g}"
            held = _settings_text(row["fixed"]) + "".join(f" {t}=same" for t in row["tied"])
            lines.append(f"  {row['name']:<26}{cells}{shown:>18}  {held}")
        return "\n".join(lines)


def _cell(value: float | None) -> str:
    return f"{'beyond':>12}" if value is None else f"{value:>12.4g}"


def _settings_text(fixed: dict[str, Any]) -> str:
    return " ".join(f"{k}={v:.6g}" for k, v in fixed.items())


def compute(p: Parameters, *, model: str = "rwa", base: str = "e") -> Tolerances:
    """The tolerance of every imperfection in :data:`ROWS` at ``p`` (an ideal device).

    Raises
    ------
    GravsimInputError
        A rung other than :data:`RUNGS`, a grid of parameters, parameters that are already
        imperfect (the tolerances are measured from the ideal device), or an ideal ΔE of 0
        (no change relative to it is defined).
    """
    if model not in RUNGS:
        raise GravsimInputError(f"tolerances are computed on model rwa or effective, not {model!r}")
    if p.batch_shape:
        raise GravsimInputError("tolerances are computed at one parameter point: give scalars")
    if p.imperfections():
        raise GravsimInputError(
            f"tolerances are measured from the ideal device, and {p.imperfections()[0]} is set: "
            "leave the imperfections at their defaults"
        )
    factor = 1.0 if base == "e" else math.log(2)
    ideal = _delta_E(model, p)
    if not ideal > 0:
        raise GravsimInputError(
            f"the ideal device's ΔE is {ideal:g} here (nothing entangled, or no gravity "
            "difference), and tolerances are changes of ΔE relative to it: choose inputs "
            "where the device entangles (e.g. the preset's temperature)"
        )
    reference = budget(p, model=model)
    rows, curves = [], {}
    for path in ROWS:
        values = path.start(p) + GRID * path.scale(p)
        ratio = _path_delta_E(model, p, path.settings(p, values)) / ideal
        curves[path.name] = {"value": values.tolist(), "ratio": ratio.tolist()}
        row: dict[str, Any] = {"name": path.name, "key": path.key, "what": path.what}
        row |= {"fixed": path.held(p), "tied": list(path.tied)}
        for level in LEVELS:
            value = _crossing(model, p, path, values, ratio, ideal, level)
            row |= _at(model, p, path, value, level, reference, factor)
        rows.append(row)
    return Tolerances(
        model,
        ideal / factor,
        tuple(rows),
        curves,
        parameters=p,
        options={"model": model, "base": base},
        log_base=base,
        units={"value_*": "the key's unit (gravsim params)", "samples_factor_*": "1"},
    )


def _delta_E(model: str, p: Parameters) -> np.ndarray:
    """ΔE (nats) of quantum vs KTM gravity on ``model`` (batched, without cancellation)."""
    return np.asarray(gaussian.compare_gravity(rungs.build(model, p, KTMGravity())).delta_E())


def _path_delta_E(model: str, p: Parameters, settings: dict[str, Any]) -> np.ndarray:
    """ΔE (nats) at each point of a path; NaN where the point has no steady state (the
    reservoir's G₊ ≥ G₋, an unstable drift): there ΔE has certainly moved."""
    with unchecked():
        grid = p.replace(**settings)
    bad = grid.invalid_points()
    try:
        out = _delta_E(model, grid)
    except GravsimError:  # some point is unstable: point by point
        out = np.array([_point_delta_E(model, p, settings, k) for k in range(bad.size)])
    return np.where(bad, np.nan, out)


def _point_delta_E(model: str, p: Parameters, settings: dict[str, Any], k: int) -> float:
    point = {key: (np.asarray(v)[k] if np.ndim(v) else v) for key, v in settings.items()}
    try:
        return float(_delta_E(model, p.replace(**point)))
    except GravsimError:
        return math.nan


def _crossing(model, p, path, values, ratio, ideal, level) -> float | None:
    """The first value on ``path`` where |ΔE/ΔE_ideal − 1| reaches ``level`` (bisection in
    log between the grid points that bracket it), or None beyond the grid."""
    off = ~(np.abs(ratio - 1) < level)  # NaN (no steady state) counts as moved
    if not np.any(off):
        return None
    k = int(np.argmax(off))
    lo, hi = (GRID[k - 1] if k else GRID[0] / 10), GRID[k]
    start, scale = path.start(p), path.scale(p)
    while hi / lo > 1 + RTOL:
        mid = math.sqrt(lo * hi)
        moved = (
            not abs(_point_delta_E(model, p, path.settings(p, start + mid * scale), 0) / ideal - 1)
            < level
        )
        lo, hi = (lo, mid) if moved else (mid, hi)
    return start + hi * scale


def _at(model, p, path, value, level, reference, factor) -> dict[str, Any]:
    """ΔE, E_N,c and the budget's growth at the tolerance ``value`` (None: beyond the grid)."""
    tag = f"{round(level * 100)}pct"
    if value is None:
        return dict.fromkeys(
            (f"value_{tag}", f"delta_E_{tag}", f"E_N_classical_{tag}", f"samples_factor_{tag}")
        )
    point = p.replace(**path.settings(p, value))
    b = budget(point, model=model)
    return {
        f"value_{tag}": value,
        f"delta_E_{tag}": b.delta_E / factor,
        f"E_N_classical_{tag}": b.E_N_classical / factor,
        f"samples_factor_{tag}": b.samples_chernoff / reference.samples_chernoff,
    }


def _figure(result: Tolerances) -> Any:
    fig, ax = new_figure((6.8, 4.6))
    for k, row in enumerate(result.rows):
        tol = row["value_10pct"]
        if tol is None:
            continue
        curve = result.curves[row["name"]]
        start = 0.0 if row["key"] not in ("g_a", "gamma_a") else float(curve["value"][0])
        x = (np.asarray(curve["value"]) - start) / (tol - start)
        keep = (x > 1e-2) & (x < 1e2)
        style = {"color": f"C{k}", "ls": ("-", "--", "-.", ":")[k % 4]}
        ax.semilogx(x[keep], np.asarray(curve["ratio"])[keep], label=row["name"], **style)
    for level, style in zip(LEVELS, ("--", ":"), strict=True):
        for sign in (1, -1):
            ax.axhline(1 + sign * level, color="0.5", ls=style, lw=0.8)
        ax.plot([], [], color="0.5", ls=style, lw=0.8, label=f"±{level:.0%}")
    ax.set_xlabel("imperfection ÷ its 10 % tolerance (dimensionless)")
    ax.set_ylabel("ΔE / ΔE_ideal (dimensionless)")
    unit = entanglement_unit(result.log_base)
    ax.set_title(
        f"ΔE of an imperfect device ÷ the ideal one's ({result.delta_E_ideal:.3g} {unit}): "
        f"{result.model} rung, Gaussian backend,\nlog base {result.log_base} (the ratio is the "
        "same in any base)",
        fontsize=9,
    )
    ax.legend(fontsize=7)
    return fig
