"""Experiment design: the inputs (pump amplitudes first) that tell quantum from KTM gravity
best, inside the regime where the model holds (:mod:`gravsim.workflows.optimize.design`).

Objectives (all minimised internally as logarithms, so that the search sees relative changes
across decades):

* ``delta_E``: maximise ΔE = E_N,q − E_N,c of the steady state (the Gaussian backend, batched:
  one Lyapunov solve per generation of the search; ΔE without cancellation).
* ``samples``: minimise the number of heterodyne records that tell the two states apart with
  error probability ``error_probability`` (Chernoff bound of the Gaussian record
  statistics at efficiency η; exact in float64, one point at a time).
* ``time``: minimise that number times the sample interval 2τ_int (the integrated
  correlation time of the records, from the drift), i.e. the wall-clock time of the test.

The search: SciPy's differential evolution over the varied inputs (log-spaced where the range
is positive) with the constraints as a penalty (an infeasible point ranks below every feasible
one, by how far it is outside), then SLSQP from the best point with the constraints as hard
inequalities; the better of the two stages' points where every constraint holds is the
optimum (a failed local stage draws a :class:`~gravsim.errors.GravsimWarning`; no such point
raises :class:`InfeasibleError`, exit 3).  At the optimum ΔE is computed on every Gaussian
rung (L1 ``linear``, L2 ``rwa``, L3 ``effective``; the headline is L1's, the most complete
one), the approximation ladder is run (``validate`` without Fock rows unless asked), so a
user sees that the optimum is not an artefact of a rung pushed past its regime, and the full
quantum budget (optimal measurement) is reported next to it.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import scipy.optimize

from gravsim.errors import GravsimInputError, NumericalError
from gravsim.model.parameters import Parameters
from gravsim.progress import shown
from gravsim.workflows import budget as budgets
from gravsim.workflows import validate
from gravsim.workflows.optimize.design import (
    DEFAULT_MIN_E_N,
    parameters_at,
    regime_constraints,
    variables,
)
from gravsim.workflows.optimize.problem import LADDER_LIMIT, PENALTY, SEARCH_RUNGS, Problem
from gravsim.workflows.optimize.result import (
    RUNG_VALUES,
    OptimizeResult,
    constraint_rows,
    local_stage,
    rung_evidence,
    unmet,
    warn_on_bounds,
)
from gravsim.workflows.options import accepts_options

OBJECTIVES = ("delta_E", "samples", "time")
#: Largest ``adiabatic_tol``/``rwa_tol``: validate's relative tolerance 3ε stays ≤ 30 %.
MAX_TOL = 0.1
#: What to change when no point satisfies the constraints (the end of that error's line).
WHAT_TO_CHANGE = (
    "vary or widen the inputs these depend on (`vary`, `bounds`) or relax the limits "
    "(`margin`, `adiabatic_tol`, `rwa_tol`, `min_E_N`)"
)


class InfeasibleError(NumericalError):
    """The search found no point where every constraint holds (exit 3): the limits may admit
    none, or the search missed it; the message names what fails there and what to change."""


@accepts_options
def optimize(
    p: Parameters,
    vary: list[str],
    *,
    objective: str = "delta_E",
    bounds: dict[str, str] | None = None,
    model: str = "effective",
    efficiency: float = 1.0,
    error_probability: float = 0.01,
    margin: float | None = None,
    adiabatic_tol: float | None = None,
    rwa_tol: float | None = None,
    min_E_N: float = DEFAULT_MIN_E_N,
    fock: bool = False,
    seed: int = 1,
    progress: Any = False,
) -> OptimizeResult:
    """Search ``vary`` within ``bounds`` for the best ``objective`` inside the regime.

    Parameters
    ----------
    p : Parameters
        The start: every input that is not varied, and the reference point ("the start").
    vary : list of str
        Inputs to vary (e.g. ``["E_plus", "E_minus"]``; any ``--set`` key).
    objective : {"delta_E", "samples", "time"}
        See the module docstring.
    bounds : dict, optional
        ``{key: "LO:HI"}`` per varied input (its unit); default preset value ÷10 … ×10.
    model : {"effective", "rwa"}
        Rung the objective is computed on (Gaussian backend).
    efficiency, error_probability : float
        Heterodyne efficiency η ∈ (0, 1] and the test's error probability (``samples``,
        ``time`` and the budget at the optimum).
    margin, adiabatic_tol, rwa_tol : float, optional
        The regime limits (:func:`~gravsim.workflows.optimize.design.regime_constraints`).
    min_E_N : float
        The least E_N with KTM gravity (nats) at the optimum (default
        :data:`~gravsim.workflows.optimize.design.DEFAULT_MIN_E_N`): ΔE grows towards the edge of
        entanglement, where E_N itself falls below the approximations' errors.
    fock : bool
        Also run the Fock rows of the validation at the optimum (minutes).
    seed : int
        Seed of the differential evolution (the search is reproducible).
    progress : bool
        A progress bar over the generations.

    Returns
    -------
    OptimizeResult
        With ΔE on every Gaussian rung at the optimum and at the start; for ``delta_E`` its
        ``value`` is the headline rung's ΔE (L1 where it can be computed; a
        :class:`GravsimWarning` where it cannot and the next rung down gives it).

    Raises
    ------
    GravsimInputError
        A bad objective, model, key, bound or limit.
    InfeasibleError
        No point found satisfies every constraint (exit 3).

    Warns
    -----
    GravsimWarning
        A failed local stage (the better global point is reported), an optimum on a search
        bound, a headline not from L1.
    """
    problem = _problem(
        p,
        vary,
        objective,
        bounds,
        model,
        efficiency,
        error_probability,
        (margin, adiabatic_tol, rwa_tol),
        min_E_N,
        seed,
    )
    start = time.perf_counter()
    units, report, path, info = _search(problem, seed, shown(progress))
    warn_on_bounds(problem.variables, units)
    info["wall_time_s"] = time.perf_counter() - start
    inputs = dict(
        vary=list(vary),
        objective=objective,
        bounds=dict(bounds or {}),
        model=model,
        efficiency=efficiency,
        error_probability=error_probability,
        margin=margin,
        adiabatic_tol=adiabatic_tol,
        rwa_tol=rwa_tol,
        min_E_N=min_E_N,
        fock=fock,
        seed=seed,
    )
    return _evidence(problem, units, report, path, info, inputs)


def _evidence(
    problem: Problem,
    units: np.ndarray,
    report: list[dict],
    path: list[dict],
    info: dict[str, Any],
    inputs: dict[str, Any],
) -> OptimizeResult:
    """The result at the optimum ``units`` (unit coordinates): the objective and ΔE on every
    Gaussian rung there and at the start (the headline on the most complete rung computed),
    the validation and the budget."""
    p, model = problem.p, problem.model
    p_opt = parameters_at(p, problem.variables, units).replace()  # checked: a valid point
    stage = info.pop("local_stage")
    rungs = rung_evidence(p_opt, p, fallback=model)
    value, start_value = (rungs[k][rungs["headline_rung"]] for k in RUNG_VALUES)
    if problem.objective != "delta_E":
        value = problem.natural(float(problem.log_objective(units[:, None])[0]))
        start_log = _start_value(problem, p)
        start_value = problem.natural(start_log) if math.isfinite(start_log) else math.nan
    budget = budgets.budget(
        p_opt,
        model=model,
        efficiency=problem.efficiency,
        error_probability=problem.error_probability,
    )
    return OptimizeResult(
        objective=problem.objective,
        value=value,
        start_value=start_value,
        optimum={v.key: float(getattr(p_opt, v.key)) for v in problem.variables},
        parameters=p_opt,
        constraints=report,
        validation=validate.run(p_opt, fock=inputs["fock"], l0=False),
        budget=budget,
        path=path,
        stats=info | {"evaluations": problem.evaluations},
        variables=problem.variables,
        options=inputs,
        local_stage=stage,
        **rungs,
    )


def _problem(
    p, vary, objective, bounds, model, efficiency, error_probability, limits, min_E_N, seed
) -> Problem:
    if objective not in OBJECTIVES:
        raise GravsimInputError(f"unknown objective {objective!r}: choose one of {OBJECTIVES}")
    if model not in SEARCH_RUNGS:
        raise GravsimInputError(f"optimize runs on model effective or rwa, not {model!r}")
    budgets.check_options(efficiency, 0.0, error_probability)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise GravsimInputError(f"`seed` must be a whole number in [0, 2**32), got {seed!r}")
    for name, value in zip(("adiabatic_tol", "rwa_tol"), limits[1:], strict=True):
        if value is not None and value > MAX_TOL:
            raise GravsimInputError(
                f"`{name}` = {value:g} is above {MAX_TOL:g}: validate's tolerance (3x it, "
                "relative) would then no longer test the approximation; give at most "
                f"{MAX_TOL:g}"
            )
    if not (isinstance(min_E_N, (int, float)) and min_E_N > 0 and math.isfinite(min_E_N)):
        raise GravsimInputError(f"`min_E_N` must be a number > 0 (nats), got {min_E_N!r}")
    names = ("margin", "adiabatic_tol", "rwa_tol")
    given = {k: v for k, v in zip(names, limits, strict=True) if v is not None}
    return Problem(
        p,
        variables(p, list(vary), dict(bounds or {})),
        regime_constraints(**given),
        objective,
        model,
        float(efficiency),
        float(error_probability),
        float(min_E_N),
    )


def _search(
    problem: Problem, seed: int, progress: bool
) -> tuple[np.ndarray, list[dict], list[dict], dict]:
    """Differential evolution, then SLSQP from its best point: the optimum (unit
    coordinates), its constraint report, the path of both stages and their statistics."""
    from tqdm.auto import tqdm

    path: list[dict[str, Any]] = []
    maxiter = 60 if problem.objective == "delta_E" else 40
    with tqdm(
        total=maxiter, desc=f"optimize {problem.objective}", unit="gen", disable=not progress
    ) as bar:

        def generation(intermediate_result: Any) -> None:
            path.append(_step(problem, intermediate_result.x, "global"))
            bar.update(1)

        found = scipy.optimize.differential_evolution(
            problem.penalised,
            [(0.0, 1.0)] * len(problem.variables),
            seed=seed,
            maxiter=maxiter,
            tol=1e-8,
            popsize=max(15, 40 // len(problem.variables)),
            polish=False,
            vectorized=True,
            updating="deferred",
            init="sobol",
            callback=generation,
        )
    if found.fun >= PENALTY:
        raise InfeasibleError(_infeasible(problem, found.x))
    with tqdm(
        desc="optimize: local search (L1 check each step)", unit="step", disable=not progress
    ) as steps:

        def local_step(u: np.ndarray) -> None:
            path.append(_step(problem, u, "local"))
            steps.update(1)

        local = scipy.optimize.minimize(
            lambda u: float(problem.log_objective(u[:, None])[0]),
            found.x,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * len(problem.variables),
            options={"ftol": 1e-12, "maxiter": 200},
            callback=local_step,
            constraints=[{"type": "ineq", "fun": problem.constraint_values}],
        )
    best, report, stage = _choose(problem, found, local)
    info = {"generations": int(found.nit), "local": str(local.message), "local_stage": stage}
    return best, report, path, info


def _choose(problem: Problem, found: Any, local: Any) -> tuple[np.ndarray, list[dict], dict]:
    """The better of the global and the local stage's points among those where every
    reported constraint holds (on a tie the local one, unless it failed), its report, and the
    local stage's outcome (:func:`~gravsim.workflows.optimize.result.local_stage`).

    Raises
    ------
    InfeasibleError
        Where the constraints hold at neither point.
    """
    x_local = np.clip(np.asarray(local.x, dtype=float), 0.0, 1.0)
    order = [("local", x_local), ("global", np.asarray(found.x, dtype=float))]
    log_local = float(problem.log_objective(x_local[:, None])[0])
    if log_local > found.fun or (log_local == found.fun and not local.success):
        order.reverse()
    reports = []
    for stage, units in order:  # each constraint with its value (constraint_rows)
        e_n, ladder = (float(x[0]) for x in problem.rung_checks(units[:, None]))
        l1_ratio, l1_e_n = problem.rotating_wave(units)
        p = parameters_at(problem.p, problem.variables, units)
        ratios = {"ladder": ladder, "rotating_wave": l1_ratio}
        least = min(e_n, l1_e_n)
        reports.append(
            constraint_rows(problem.constraints, p, ratios, LADDER_LIMIT, least, problem.min_E_N)
        )
        if all(row["holds"] for row in reports[-1]):
            return units, reports[-1], local_stage(local, stage)
    raise InfeasibleError(
        "no point the search found satisfies every constraint; at the best one "
        f"({unmet(reports[0])}): {WHAT_TO_CHANGE}, or try another `seed`"
    )


def _apart(value: float, limit: float) -> str:
    """``value`` with the digits that tell it from ``limit`` (0.9000004, not 0.9 > 0.9)."""
    for digits in (3, 6, 10, 17):
        text = f"{value:.{digits}g}"
        if float(text) != limit:
            return text
    return repr(value)


def _infeasible(problem: Problem, units: np.ndarray) -> str:
    """The one-line refusal for a search space without a feasible point: the conditions that
    fail at its least infeasible point, with their values (the floor and the ladder where the
    point has a steady state)."""
    p = parameters_at(problem.p, problem.variables, units)
    failing = [
        f"{c.name} {_apart(float(c.value(p)), c.limit)} > {c.limit:g}"
        for c in problem.constraints
        if not bool(c.holds(p))
    ]
    e_n, ratio = (float(x[0]) for x in problem.rung_checks(units[:, None]))
    if math.isfinite(ratio) and e_n < problem.min_E_N:
        failing.append(f"E_N {e_n:.3g} < `min_E_N` {problem.min_E_N:g}")
    if math.isfinite(ratio) and ratio > LADDER_LIMIT:
        failing.append(f"ladder {ratio:.3g} > {LADDER_LIMIT:g} of validate's tolerance")
    return (
        "no point of the search space lies inside the regime; at the nearest one "
        f"({', '.join(failing)}): {WHAT_TO_CHANGE}"
    )


def _step(problem: Problem, units: np.ndarray, stage: str) -> dict[str, Any]:
    p = parameters_at(problem.p, problem.variables, np.asarray(units, dtype=float))
    log_value = float(problem.log_objective(np.asarray(units, dtype=float)[:, None])[0])
    value = problem.natural(log_value) if math.isfinite(log_value) else None
    return {
        "stage": stage,
        **{v.key: float(getattr(p, v.key)) for v in problem.variables},
        problem.objective: value,
    }


def _start_value(problem: Problem, p: Parameters) -> float:
    units = np.array([float(v.to_unit(getattr(p, v.key))) for v in problem.variables])
    return float(problem.log_objective(units[:, None])[0])
