"""Fock steady states of one hypothesis or two compared, on a ladder of truncations, with
levels given, or chosen from the exact Gaussian state to meet a target truncation error.

At a truncation N (mechanical levels; N_c cavity levels on the three-mode rung) the states
are solved on :func:`gravsim.fock.truncation.ladder` (N−4, N−2 at the same cavity, and one
cavity level more); two hypotheses share one factorisation per truncation
(:func:`~gravsim.fock.truncation.solve_pair`).  The truncation error of every E_N and of ΔE
comes from the tail model (:func:`~gravsim.fock.truncation.estimate_series`) with the tails
of the same rung's Gaussian state (:func:`gravsim.fock.levels.ladder_tails`).

Levels: ``n_mech`` (and ``n_cav``) given and no ``tol``: that truncation.  Otherwise the
levels not given are chosen (:func:`gravsim.fock.levels.choose_levels`) for a
predicted error ≤ ``tol`` (default :data:`~gravsim.workflows.options.DEFAULT_TARGET`), and
grown after solving — two mechanical levels or one cavity level, whichever part of the error
is larger — until every E_N's reported error is ≤ it, each truncation solved once.  The
search's time budget is :data:`TIME_BUDGET` with ``tol``, where a target beyond it (or
beyond memory) ends with a :class:`~gravsim.errors.NumericalError` naming the levels it
needs; without ``tol`` it is :data:`~gravsim.workflows.options.AUTO_TIME_BUDGET`, and a
target beyond it gives the most accurate truncation within it, saying so
(``levels_chosen``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from gravsim import gaussian
from gravsim.analysis.fock_tails import negativity_tail
from gravsim.errors import GravsimInputError, NumericalError
from gravsim.fock import levels, truncation
from gravsim.model.description import ModelDescription
from gravsim.workflows.options import AUTO_TIME_BUDGET, DEFAULT_TARGET, FockOptions

#: Largest number of growth steps of a search.
MAX_STEPS = 30
#: Wall-time budget (s) of a search with ``tol``.
TIME_BUDGET = 900.0


@dataclass(frozen=True, eq=False)
class FockSolution:
    """Per hypothesis label its :class:`~gravsim.fock.truncation.TruncatedSolve` and the tail
    model's tails (None without a Gaussian state); for two hypotheses their
    :class:`~gravsim.fock.truncation.PairSolve`; ``levels_chosen`` (how the levels were
    chosen) and, where they were searched, what the search did (``search``)."""

    solves: dict[str, truncation.TruncatedSolve]
    pair: truncation.PairSolve | None
    tails: dict[str, truncation.Tails] = field(default_factory=dict)
    levels_chosen: str = "given"
    search: dict[str, Any] = field(default_factory=dict)

    def log_negativity(self, label: str, base: str = "e") -> truncation.Estimate:
        """E_N of hypothesis ``label`` with its truncation error."""
        return self.solves[label].log_negativity(base, self.tails.get(label))

    def delta(self, base: str = "e") -> truncation.Estimate | None:
        """ΔE of the two hypotheses with its truncation error (None for one hypothesis)."""
        if self.pair is None:
            return None
        both = tuple(self.tails.get(label) for label in self.solves)
        return self.pair.delta_log_negativity(base, None if None in both else both)

    def largest_error(self, base: str = "e") -> tuple[float, tuple[float, ...]]:
        """The largest E_N truncation error over the hypotheses and its parts."""
        worst = max((self.log_negativity(k, base) for k in self.solves), key=_error)
        return _error(worst), worst.parts


def _error(e: truncation.Estimate) -> float:
    return math.inf if e.truncation_error is None else e.truncation_error


def solve(
    descriptions: dict[str, ModelDescription],
    options: FockOptions,
    progress: Any = None,
    base: str = "e",
) -> FockSolution:
    """The steady states of one or two ``descriptions`` (keyed by label) on the Fock backend.

    Raises
    ------
    GravsimInputError
        The cavity split asked for without a cavity.
    OutOfRegimeError
        A given truncation that cannot hold the state, or a state out of reach of Fock spaces.
    NumericalError
        With ``tol``: a target that no truncation within the machine's memory and the
        search's time budget reaches.
    """
    first = next(iter(descriptions.values()))
    if options.solver == "cavity-split" and "c" not in first.modes:  # before any choice
        raise GravsimInputError(
            "solver 'cavity-split' needs a cavity mode: use it with a three-mode model "
            "(rwa, linear, full), or another solver"
        )
    states = {k: gaussian.steady_state(d) for k, d in descriptions.items()}  # solved once
    given = options.n_mech is not None and (options.n_cav is not None or "c" not in first.modes)
    if given and options.tol is None:
        dims = options.dims(first.modes)
        for k, description in descriptions.items():  # refuse before spending time on a solve
            levels.check_truncation(description, dims, states[k])
        return _at(descriptions, states, dims, options.solver, progress, {})
    strict = options.tol is not None
    target = options.tol if strict else DEFAULT_TARGET
    budget = TIME_BUDGET if strict else AUTO_TIME_BUDGET
    choice = levels.choose_levels(
        descriptions,
        target,
        budget,
        options.n_mech,
        options.n_cav,
        strict,
        states=list(states.values()),
    )
    for k, description in descriptions.items():  # a level given may still be too few
        levels.check_truncation(description, choice.dims, states[k])
    if progress is not None:
        progress(f"Fock levels {choice.how}: {levels.dims_text(choice.dims)}")
    goal = (target, budget, strict)
    return _search(descriptions, states, choice, goal, options, progress, base)


def _at(
    descriptions: dict[str, ModelDescription],
    states: dict[str, Any],
    dims: tuple[int, ...],
    solver: str | None,
    progress: Any,
    solved: dict,
    how: str = "given",
) -> FockSolution:
    """The ladder at ``dims`` (states in ``solved`` reused), with the tails of every
    hypothesis's Gaussian state (``states``, by label)."""
    kw = dict(solver=solver or "auto", progress=progress, solved=solved)
    first = next(iter(descriptions.values()))
    plan = truncation.ladder(first, dims)
    tails = {k: levels.ladder_tails(states[k], plan) for k in descriptions}
    if len(descriptions) == 2:
        pair = truncation.solve_pair(*descriptions.values(), dims, **kw)
        solves = dict(zip(descriptions, (pair.first, pair.second), strict=True))
        return FockSolution(solves, pair, tails, how)
    solves = {label: truncation.solve(d, dims, **kw) for label, d in descriptions.items()}
    return FockSolution(solves, None, tails, how)


def _search(
    descriptions: dict[str, ModelDescription],
    states: dict[str, Any],
    choice: levels.Choice,
    goal: tuple[float, float, bool],
    options: FockOptions,
    progress: Any,
    base: str,
) -> FockSolution:
    """Solve at ``choice`` and grow until every E_N's error is ≤ the target (``goal``:
    target, time budget, strict)."""
    target, budget, strict = goal
    first = next(iter(descriptions.values()))
    solved: dict = {}
    dims, started = choice.dims, time.perf_counter()
    for step in range(1, MAX_STEPS + 1):
        t0 = time.perf_counter()
        solution = _at(descriptions, states, dims, options.solver, progress, solved, choice.how)
        seconds = time.perf_counter() - t0
        error, parts = solution.largest_error(base)
        search = {"target": target, "steps": step, "truncation_error": error}
        if error <= target:
            return _with(solution, search)
        grown = _grow(first, dims, parts, options)
        elapsed = time.perf_counter() - started
        more = _predicted_time(first, dims, grown, seconds, solved)
        fits = truncation.memory_need(grown, True) <= truncation.available_memory()
        if grown == dims or elapsed + more > budget or not fits:
            if strict:
                mech = next(iter(states.values())).mechanical_covariance
                cut = (target, solution, first, base, more, budget, fits, mech)
                raise NumericalError(_beyond(*cut))
            note = choice.how
            if dims != choice.dims:
                note += f"; grown to {levels.dims_text(dims)}, where the budget stopped it"
            return _with(FockSolution(solution.solves, solution.pair, solution.tails, note), search)
        if progress is not None:
            progress(f"error {error:.1g} > target {target:g}: solving on {grown} levels ...")
        dims = grown
    raise NumericalError(f"target {target:g} not reached after {MAX_STEPS} growth steps")


def _with(solution: FockSolution, search: dict[str, Any]) -> FockSolution:
    return FockSolution(
        solution.solves, solution.pair, solution.tails, solution.levels_chosen, search
    )


def _grow(
    model: ModelDescription, dims: tuple[int, ...], parts: tuple[float, ...], options: FockOptions
) -> tuple[int, ...]:
    """Two mechanical levels more where the mechanical part of the error is the larger, else
    one cavity level more; levels given without ``tol`` stay as given (with ``tol`` they are
    where the search starts)."""
    fixed = (
        set()
        if options.tol is not None
        else {m for m in model.modes if (options.n_cav if m == "c" else options.n_mech) is not None}
    )
    mech, cav = (parts + (0.0, 0.0))[:2]
    grow = "c" if "c" in model.modes and cav > mech and "c" not in fixed else "a"
    if grow in fixed:
        return dims
    return tuple(
        n + ((1 if m == "c" else 0) if grow == "c" else (0 if m == "c" else 2))
        for m, n in zip(model.modes, dims, strict=True)
    )


def _predicted_time(
    model: ModelDescription, dims: tuple[int, ...], grown: tuple[int, ...], seconds: float, solved
) -> float:
    """Wall time (s) of the ladder at ``grown``, scaled from the last one's (``seconds``) as
    (Liouville dimension)^:data:`~gravsim.fock.levels.SOLVE_EXPONENT`, new solves only."""
    size = math.prod(dims) ** 2
    plan = truncation.ladder(model, grown)
    new = [d for d in plan.sizes if d not in solved]
    return seconds * sum((math.prod(d) ** 2 / size) ** levels.SOLVE_EXPONENT for d in new)


def _beyond(target, solution, model, base, more, budget, fits, mech) -> str:
    """One line: the levels the target needs and which budget stops the search.  The levels:
    the largest E_N error carried down the tail model's t(N) of the first hypothesis
    (``mech``: its Gaussian mechanical covariance)."""
    dims = next(iter(solution.solves.values())).state.dims
    error, _ = solution.largest_error(base)
    k = model.modes.index("a")
    now, n = negativity_tail(mech, dims[k]), dims[k]
    while n < levels.REACH and error * negativity_tail(mech, n) / now > target:
        n += 1
    wanted = tuple(d if m == "c" else n for m, d in zip(model.modes, dims, strict=True))
    stop = "the memory available" if not fits else f"the {budget:.0f} s budget (~{more:.0f} s more)"
    return (
        f"target {target:g} needs about {levels.dims_text(wanted)} levels (reached {error:.1g} "
        f"at {levels.dims_text(dims)}); the next truncation would exceed {stop}: raise the "
        "tolerance, or give `n_mech`/`n_cav` directly and wait"
    )
