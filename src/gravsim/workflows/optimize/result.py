"""The result of :func:`gravsim.workflows.optimize.optimize`: the optimum, its objective in
its own units, every constraint with its value, and the evidence at the optimum (ΔE on every
Gaussian rung, the approximation ladder and the full budget)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

from gravsim.errors import GravsimError, GravsimWarning
from gravsim.model.parameters import Parameters
from gravsim.workflows import steady
from gravsim.workflows.budget import Budget
from gravsim.workflows.optimize import figure
from gravsim.workflows.optimize.design import HOLDS_RTOL, Constraint, Variable
from gravsim.workflows.result_model import Result
from gravsim.workflows.text_forms import to_plain
from gravsim.workflows.validate import Validation

__all__ = [
    "RUNGS",
    "OptimizeResult",
    "constraint_rows",
    "delta_E_by_rung",
    "headline_rung",
    "local_stage",
    "rung_evidence",
    "warn_on_bounds",
]

#: The Gaussian rungs ΔE is reported on, most complete first: the first one that can be
#: computed at the optimum gives the headline.
RUNGS = ("linear", "rwa", "effective")
#: Each rung's place on the ladder (PHYSICS.md).
LEVELS = {"linear": "L1", "rwa": "L2", "effective": "L3"}
UNITS = {"delta_E": "nats", "samples": "records", "time": "s"}


def delta_E_by_rung(p: Parameters) -> tuple[dict[str, float], dict[str, str]]:
    """ΔE = E_N,q − E_N,c (nats) at one point on each of :data:`RUNGS`.

    ``linear`` (L1) is the period average of the lab-frame Floquet state, as
    ``steady.compute(p, model="linear", gravity="both")`` gives it (~0.2 s); ``rwa`` (L2) and
    ``effective`` (L3) are Lyapunov solves.

    Returns
    -------
    values : dict
        ``{rung: ΔE}`` in nats; NaN where the rung could not be computed.
    errors : dict
        ``{rung: why}`` for each rung that could not be computed (its one-line error).
    """
    values: dict[str, float] = {}
    errors: dict[str, str] = {}
    for rung in RUNGS:
        try:
            values[rung] = float(steady.compute(p, model=rung, gravity="both").delta.value)
        except GravsimError as exc:
            values[rung], errors[rung] = math.nan, str(exc)
        if not (rung in errors or math.isfinite(values[rung])):
            errors[rung] = f"ΔE is {values[rung]!r}"
    return values, errors


#: The fields of :func:`rung_evidence` that hold ΔE at the optimum and at the start.
RUNG_VALUES = ("delta_E_by_rung", "start_delta_E_by_rung")


def rung_evidence(p_opt: Parameters, p: Parameters, fallback: str) -> dict[str, Any]:
    """ΔE on every rung at the optimum ``p_opt`` and at the start ``p``
    (:func:`delta_E_by_rung`), the headline rung (:func:`headline_rung`) and why any rung
    was not computed: the :class:`OptimizeResult` fields of that name."""
    rungs, errors = delta_E_by_rung(p_opt)
    start_rungs, start_errors = delta_E_by_rung(p)
    return {
        "delta_E_by_rung": rungs,
        "start_delta_E_by_rung": start_rungs,
        "headline_rung": headline_rung(errors, fallback),
        "rung_errors": {"optimum": errors, "start": start_errors},
    }


def headline_rung(errors: dict[str, str], fallback: str) -> str:
    """The most complete of :data:`RUNGS` computed at the optimum (``errors`` names those
    that were not), else ``fallback``; a :class:`GravsimWarning` where it is not L1."""
    rung = next((m for m in RUNGS if m not in errors), fallback)
    if rung != RUNGS[0]:
        warnings.warn(
            f"L1 (linear) could not be computed at the optimum ({errors[RUNGS[0]]}): the "
            f"headline ΔE is the next rung's, {_name(rung)}",
            GravsimWarning,
            stacklevel=3,
        )
    return rung


#: What the ladder checks of :func:`constraint_rows` stand for.
CHECKS = {
    "ladder": "|RWA − effective| / validate's tolerance (adiabatic elimination)",
    "rotating_wave": "L1 − RWA against validate's derived estimate: |ln(measured/estimated)| "
    "/ ln 3, validate passing at <= 1 (rotating-wave approximation)",
}


def constraint_rows(
    constraints: tuple[Constraint, ...],
    p: Parameters,
    ratios: dict[str, float],
    ratio_limit: float,
    e_n: float,
    min_E_N: float,
) -> list[dict[str, Any]]:
    """Each condition at one point ``p``: name, value, limit, relation, whether it holds
    (to the relative slack ``HOLDS_RTOL``) and what it stands for.

    Parameters
    ----------
    constraints : tuple of Constraint
        The regime conditions (value ≤ limit).
    p : Parameters
        The point.
    ratios : dict
        ``{"ladder": …, "rotating_wave": …}``: each rung's difference from the one above
        over ``validate``'s tolerance (dimensionless), at most ``ratio_limit``.
    e_n, min_E_N : float
        The least E_N with KTM gravity of the effective, RWA and L1 rungs, and its floor
        (nats).
    """
    rows = [
        _row(c.name, float(c.value(p)), c.limit, "<=", bool(c.holds(p)), c.text)
        for c in constraints
    ]
    for name, value in ratios.items():
        holds = value <= ratio_limit * (1 + HOLDS_RTOL)
        rows.append(_row(name, value, ratio_limit, "<=", holds, CHECKS[name]))
    holds = e_n >= min_E_N * (1 - HOLDS_RTOL)
    text = "E_N with KTM gravity (nats), least of effective, RWA, L1"
    return [*rows, _row("entangled", e_n, min_E_N, ">=", holds, text)]


def _row(name: str, value: float, limit: float, relation: str, holds: bool, text: str) -> dict:
    """One row of :func:`constraint_rows`."""
    return dict(name=name, value=value, limit=limit, relation=relation, holds=holds, text=text)


def unmet(rows: list[dict[str, Any]]) -> str:
    """The conditions of :func:`constraint_rows` that fail, with their values (one line)."""
    side = {"<=": ">", ">=": "<"}
    failing = [r for r in rows if not r["holds"]]
    return ", ".join(
        f"{r['name']} {r['value']:.3g} {side[r['relation']]} {r['limit']:g}" for r in failing
    )


def local_stage(local: Any, stage: str) -> dict[str, Any]:
    """The local stage's outcome as reported: ``success`` and ``message`` (SciPy's),
    ``iterations``, and ``optimum_from`` (``stage``: ``"local"`` or ``"global"``, whose point
    is the optimum); a :class:`GravsimWarning` where the local stage failed."""
    if not local.success:
        warnings.warn(
            f"the local search (SLSQP) failed ({local.message}); the optimum reported is the "
            f"{stage} stage's best point, where every constraint holds, but perhaps not a "
            "local optimum to SLSQP's tolerance: try another `seed` or narrower `bounds`",
            GravsimWarning,
            stacklevel=4,
        )
    return {
        "success": bool(local.success),
        "message": str(local.message),
        "iterations": int(getattr(local, "nit", 0)),
        "optimum_from": stage,
    }


def warn_on_bounds(variables: tuple[Variable, ...], units: Any) -> None:
    """A :class:`GravsimWarning` for each varied input that ends on its search bound (unit
    coordinate within 1e-6 of 0 or 1): the best point may lie beyond it."""
    for v, u in zip(variables, units, strict=True):
        if u <= 1e-6 or u >= 1 - 1e-6:
            side, value = ("lower", v.lo) if u <= 1e-6 else ("upper", v.hi)
            warnings.warn(
                f"{v.key} at the optimum is on its {side} search bound ({value:g}): the best "
                f"point may lie beyond it; widen `bounds` {v.key}=LO:HI",
                GravsimWarning,
                stacklevel=3,
            )


def _ratio(top: float, bottom: float) -> float:
    """top / bottom, NaN where either is not a finite number or bottom is 0."""
    ok = math.isfinite(top) and math.isfinite(bottom) and bottom != 0
    return top / bottom if ok else math.nan


@dataclass(frozen=True, eq=False, repr=False)
class OptimizeResult(Result):
    """An optimum of the experiment design and the evidence that it holds.

    Attributes
    ----------
    objective : str
        ``delta_E`` (nats), ``samples`` (heterodyne records) or ``time`` (s).
    value, start_value : float
        The objective at the optimum and at the given parameters (the preset's own settings).
        For ``delta_E`` these are the headline rung's ΔE (nats: :attr:`headline_rung`, L1
        where it can be computed); ``samples`` and ``time`` are on the searched rung
        (``inputs["model"]``).
    optimum : dict
        The varied inputs at the optimum (their units: ``gravsim params``).
    constraints : list of dict
        Each regime condition: name, value, limit, whether it holds, what it stands for.
    validation : Validation
        The approximation ladder at the optimum.
    budget : Budget
        The full distinguishability budget at the optimum (optimal and heterodyne).
    path : list of dict
        The search: the best point of each generation, then the local steps.
    variables : tuple of Variable
        The search space: each varied input with its bounds.
    delta_E_by_rung, start_delta_E_by_rung : dict
        ΔE (nats) on each Gaussian rung (:data:`RUNGS`) at the optimum and at the start; NaN
        where a rung could not be computed (the reason: :attr:`rung_errors`).
    headline_rung : str
        The rung of the headline ΔE: ``linear`` (L1) unless it could not be computed at the
        optimum, then the next one down that could.
    rung_errors : dict
        ``{"optimum": {rung: why}, "start": {rung: why}}`` for the rungs not computed.
    local_stage : dict
        The local search: ``success`` and ``message`` (SciPy's), ``iterations``, and
        ``optimum_from`` (``"local"`` or ``"global"``: the stage whose point is reported).

    The base's ``parameters`` are every parameter at the optimum, ``options`` the arguments
    of :func:`~gravsim.workflows.optimize.optimize` (JSON: also ``inputs``), ``stats`` the
    evaluations, generations, wall time (s) and the local search's message.
    """

    objective: str
    value: float
    start_value: float
    optimum: dict[str, float]
    constraints: list[dict[str, Any]]
    validation: Validation
    budget: Budget
    path: list[dict[str, Any]] = field(default_factory=list)
    variables: tuple[Variable, ...] = ()
    delta_E_by_rung: dict[str, float] = field(default_factory=dict)
    start_delta_E_by_rung: dict[str, float] = field(
        default_factory=dict, metadata={"json_key": "delta_E_start_by_rung"}
    )
    headline_rung: str = "linear"
    rung_errors: dict[str, dict[str, str]] = field(default_factory=dict)
    local_stage: dict[str, Any] = field(default_factory=dict)

    RUN_NAME = "optimize"

    @property
    def improvement(self) -> float:
        """How many times better than the start (ΔE ratio, or samples/time saved)."""
        if self.objective == "delta_E":
            return _ratio(self.value, self.start_value)
        return _ratio(self.start_value, self.value)

    @property
    def delta_E(self) -> float:
        """The headline ΔE at the optimum (nats), on :attr:`headline_rung`."""
        return self.delta_E_by_rung.get(self.headline_rung, math.nan)

    @property
    def gain(self) -> float:
        """The headline ΔE at the optimum ÷ ΔE at the start, both on :attr:`headline_rung`."""
        return self.gain_by_rung.get(self.headline_rung, math.nan)

    @property
    def gain_by_rung(self) -> dict[str, float]:
        """ΔE at the optimum ÷ ΔE at the start, each rung on its own."""
        start = self.start_delta_E_by_rung
        return {m: _ratio(v, start.get(m, math.nan)) for m, v in self.delta_E_by_rung.items()}

    @property
    def search_value(self) -> float:
        """The objective the search optimised, on the searched rung (``inputs["model"]``)."""
        if self.objective == "delta_E":
            return self.delta_E_by_rung.get(self.options.get("model", "effective"), math.nan)
        return self.value

    @property
    def headline_note(self) -> str | None:
        """Why the headline is not L1's, or None where it is."""
        if self.headline_rung == RUNGS[0]:
            return None
        why = self.rung_errors.get("optimum", {}).get(RUNGS[0], "not computed")
        rung = _name(self.headline_rung)
        return f"L1 (linear) could not be computed at the optimum ({why}); the headline is {rung}'s"

    def view(self) -> dict[str, Any]:
        """The keys scripts read: objective, values, the headline ΔE and ΔE per rung, the
        searched rung, whether the constraints hold, the arguments, the bounds."""
        return to_plain(
            {
                "objective": self.objective,
                "value": self.value,
                "start_value": self.start_value,
                "improvement": self.improvement,
                "unit": UNITS[self.objective],
                "delta_E": self.delta_E,
                "gain": self.gain,
                "headline_rung": self.headline_rung,
                "headline_note": self.headline_note,
                "delta_E_by_rung": self.delta_E_by_rung,
                "delta_E_start_by_rung": self.start_delta_E_by_rung,
                "gain_by_rung": self.gain_by_rung,
                "rung_errors": self.rung_errors,
                "search_rung": self.options.get("model"),
                "search_value": self.search_value,
                "optimum": self.optimum,
                "constraints": self.constraints,
                "constraints_hold": all(c["holds"] for c in self.constraints),
                "local_stage": self.local_stage,
                "validation": self.validation.to_dict(),
                "budget": self.budget.to_dict(),
                "path": self.path,
                "stats": self.stats,
                "inputs": self.options,
                "bounds": {v.key: [v.lo, v.hi] for v in self.variables},
                "parameters": self.parameters.as_dict(),
            }
        )

    def table(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The search path, one row per step: stage, the varied inputs, the objective."""
        keys = list(self.optimum)
        rows = self.path or [{"stage": "global", **self.optimum, self.objective: self.search_value}]
        names = ["stage", *keys, self.objective]
        return {k: [row.get(k) for row in rows] for k in names}, {}

    def figure(self) -> Any:
        """The objective around the optimum (:mod:`gravsim.workflows.optimize.figure`)."""
        return figure.draw(self)

    def __str__(self) -> str:
        unit = UNITS[self.objective]
        rung = self.headline_rung if self.objective == "delta_E" else self.options.get("model")
        local = self.local_stage
        outcome = "converged" if local.get("success", True) else "FAILED"
        lines = [
            f"optimum of {self.objective}: {self.value:.6g} {unit} on {_name(rung)} "
            f"({self.improvement:.3g}x the start, {self.start_value:.6g} {unit})",
            *self._delta_E_lines(),
            *(f"  {k:<14} {v:.8g}" for k, v in self.optimum.items()),
            "constraints:",
            *(
                f"  {c['name']:<11} {c['value']:.4g} {c['relation']} {c['limit']:.4g}  "
                f"{'holds' if c['holds'] else 'VIOLATED'}  ({c['text']})"
                for c in self.constraints
            ),
            f"local search: {outcome} ({local.get('message', '')}); the optimum is the "
            f"{local.get('optimum_from', 'global')} stage's point",
            f"validate at the optimum: {'all checks pass' if self.validation.ok else 'FAILED'}",
            f"budget at the optimum: {self.budget.samples_chernoff:.3e} samples (optimal), "
            f"{self.budget.samples_heterodyne_chernoff:.3e} heterodyne, "
            f"{self.budget.times['heterodyne_chernoff']['years']:.3g} years",
        ]
        return "\n".join(lines)

    def _delta_E_lines(self) -> list[str]:
        """The headline ΔE (for objectives other than ``delta_E``), the note where it is not
        L1's, and ΔE with its gain on every rung."""
        lines = []
        if self.objective != "delta_E":
            start = self.start_delta_E_by_rung.get(self.headline_rung, math.nan)
            rung = _name(self.headline_rung)
            lines.append(
                f"ΔE at the optimum: {self.delta_E:.6g} nats on {rung} "
                f"({self.gain:.3g}x the start, {start:.6g} nats)"
            )
        if self.headline_note:
            lines.append(f"note: {self.headline_note}")
        searched = self.options.get("model")
        gains = self.gain_by_rung
        each = [
            f"{_name(m)} {v:.6g} ({gains[m]:.3g}x{', searched' if m == searched else ''})"
            for m, v in self.delta_E_by_rung.items()
        ]
        lines.append("ΔE by rung (nats, x the start): " + ", ".join(each))
        return lines


def _name(rung: str | None) -> str:
    """``L1 (linear)`` and so on."""
    return f"{LEVELS[rung]} ({rung})" if rung in LEVELS else str(rung)
