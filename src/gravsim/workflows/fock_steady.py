"""Fock steady states of one hypothesis or two compared, at a given truncation or grown until
the truncation error of every E_N is below a requested tolerance (``tol``).

At a given truncation N (mechanical levels; c cavity levels on the three-mode rung) the
states are solved at N−6, N−4, N−2 and N (:func:`gravsim.fock.truncation.solve`); two
hypotheses share one factorisation per truncation (:func:`~gravsim.fock.truncation.solve_pair`).

With ``tol``: the same sequence, then N + 2, N + 4, … (one more cavity level per step),
each truncation solved once and the error estimated from the last four
(:func:`gravsim.fock.truncation.estimate`, which the Fock runs alone set: the exact Gaussian
state only decides which truncations can hold the state at all), until every E_N's error
is ≤ ``tol``.  Before each solve its memory is checked; a truncation that cannot fit ends
the search with a :class:`~gravsim.errors.NumericalError` (exit 3) that names the size the
tolerance would need, extrapolated from the observed convergence; so does a truncation whose
predicted solve time would overrun :data:`TIME_BUDGET` (15 min).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from gravsim.errors import NumericalError, OutOfRegimeError
from gravsim.fock import truncation
from gravsim.model.description import ModelDescription
from gravsim.workflows import levels
from gravsim.workflows.options import FockOptions

#: Largest number of growth steps of a tolerance search (each adds two mechanical levels).
MAX_STEPS = 30
#: Wall-time budget (s) of a tolerance search, and the exponent of the predicted solve time
#: in the Liouville dimension (measured with PARDISO: 2.0 on the effective rung, 2.4 on the
#: RWA rung between 10⁴ and 3×10⁴ unknowns; benchmarks/RESULTS.md).
TIME_BUDGET = 900.0
TIME_EXPONENT = 2.0


@dataclass(frozen=True, eq=False)
class FockSolution:
    """Per hypothesis label its :class:`~gravsim.fock.truncation.TruncatedSolve`; for two
    hypotheses also their :class:`~gravsim.fock.truncation.PairSolve`; and, with a
    tolerance, what the search did (``tol``, ``steps``)."""

    solves: dict[str, truncation.TruncatedSolve]
    pair: truncation.PairSolve | None
    search: dict[str, Any]


def solve(
    descriptions: dict[str, ModelDescription],
    options: FockOptions,
    progress: Any = None,
    base: str = "e",
) -> FockSolution:
    """The steady states of one or two ``descriptions`` (keyed by label) on the Fock backend.

    Raises
    ------
    OutOfRegimeError
        A given truncation that cannot hold the state.
    NumericalError
        A tolerance that no truncation within the machine's memory and the search's time
        budget reaches.
    """
    first = next(iter(descriptions.values()))
    dims = options.dims(first.modes)
    if options.tol is None:
        for description in descriptions.values():  # refuse before spending time on a solve
            levels.check_truncation(description, dims)
        return _at(descriptions, dims, options.solver, progress, truncation.COMPARISONS)
    return _to_tolerance(descriptions, dims, options, progress, base)


def _at(
    descriptions: dict[str, ModelDescription],
    dims: tuple[int, ...],
    solver: str | None,
    progress: Any,
    comparisons: int,
) -> FockSolution:
    kw = dict(solver=solver or "auto", progress=progress, comparisons=comparisons)
    if len(descriptions) == 2:
        pair = truncation.solve_pair(*descriptions.values(), dims, **kw)
        solves = dict(zip(descriptions, (pair.first, pair.second), strict=True))
        return FockSolution(solves, pair, {})
    solves = {label: truncation.solve(d, dims, **kw) for label, d in descriptions.items()}
    return FockSolution(solves, None, {})


def _to_tolerance(
    descriptions: dict[str, ModelDescription],
    dims: tuple[int, ...],
    options: FockOptions,
    progress: Any,
    base: str,
) -> FockSolution:
    first = next(iter(descriptions.values()))
    start = truncation.smaller_dims(first, dims, truncation.COMPARISONS)
    history: list[FockSolution] = []
    size = start
    started, last = time.perf_counter(), None  # last: (dims, seconds) of the latest solve
    for step in range(MAX_STEPS + truncation.COMPARISONS + 1):
        _check_fits(size, options.tol, history, first)
        _check_time(size, options.tol, history, first, last, time.perf_counter() - started)
        if not _admitted(descriptions, size):  # the Gaussian state says it cannot hold it
            size = _grow(first, size)
            continue
        if progress is not None:
            progress(f"tolerance {options.tol:g}: solving on {size} levels ...")
        try:
            t0 = time.perf_counter()
            history.append(_at(descriptions, size, options.solver, None, 0))
            last = (size, time.perf_counter() - t0)
        except OutOfRegimeError:  # its highest level holds too much: start the sequence above
            history.clear()
            size = _grow(first, size)
            continue
        solution = _combined(history[-(truncation.COMPARISONS + 1) :])
        error = _largest_error(solution, base)
        if len(history) > truncation.COMPARISONS and error is not None and error <= options.tol:
            search = {"tol": options.tol, "steps": step + 1, "truncation_error": error}
            return FockSolution(solution.solves, solution.pair, search)
        size = _grow(first, size)
    raise NumericalError(
        f"tolerance {options.tol:g} not reached after {MAX_STEPS} growth steps (last size "
        f"{size}): raise `tol`"
    )


def _admitted(descriptions: dict[str, ModelDescription], dims: tuple[int, ...]) -> bool:
    """Whether the Gaussian pre-check admits ``dims`` for every description."""
    try:
        for description in descriptions.values():
            levels.check_truncation(description, dims)
    except OutOfRegimeError:
        return False
    return True


def _grow(model: ModelDescription, dims: tuple[int, ...]) -> tuple[int, ...]:
    """Two mechanical levels and one cavity level more."""
    return tuple(n + (1 if m == "c" else 2) for m, n in zip(model.modes, dims, strict=True))


def _check_fits(
    dims: tuple[int, ...], tol: float, history: list[FockSolution], model: ModelDescription
) -> None:
    """Refuse, as a NumericalError naming the size ``tol`` needs, a truncation too large."""
    need, free = truncation.memory_need(dims, factorised=True), truncation.available_memory()
    if need > free:
        wanted = _extrapolated_size(history, tol, dims, model)
        raise NumericalError(
            f"{_needs(tol, wanted, dims)} needs more than {need / 2**30:.3g} GiB "
            f"({free / 2**30:.3g} GiB available): raise `tol`, or solve on a larger machine"
        )


def _check_time(
    dims: tuple[int, ...],
    tol: float,
    history: list[FockSolution],
    model: ModelDescription,
    last: tuple[tuple[int, ...], float] | None,
    elapsed: float,
) -> None:
    """Refuse, as a NumericalError naming the size ``tol`` needs, a truncation whose solve
    would end after :data:`TIME_BUDGET`: predicted from the latest solve as time ∝ (Liouville
    dimension)^:data:`TIME_EXPONENT`."""
    if last is None:
        return
    grow = (math.prod(dims) / math.prod(last[0])) ** (2 * TIME_EXPONENT)
    predicted = last[1] * grow
    if elapsed + predicted > TIME_BUDGET:
        wanted = _extrapolated_size(history, tol, dims, model)
        raise NumericalError(
            f"{_needs(tol, wanted, dims)} would take ~{predicted:.0f} s more (budget "
            f"{TIME_BUDGET:.0f} s, {elapsed:.0f} s spent): raise `tol`, or give `n_mech` "
            "directly and wait"
        )


def _needs(tol: float, wanted: tuple[int, ...], dims: tuple[int, ...]) -> str:
    """'tolerance T needs about W levels, but already D' (or 'at least D levels, which')."""
    shape, size = "x".join(map(str, wanted)), "x".join(map(str, dims))
    if wanted == dims:
        return f"tolerance {tol:g} needs at least {size} levels, which"
    return f"tolerance {tol:g} needs about {shape} levels, but already {size}"


def _extrapolated_size(
    history: list[FockSolution], tol: float, dims: tuple[int, ...], model: ModelDescription
) -> tuple[int, ...]:
    """The truncation at which the observed geometric convergence reaches ``tol`` (a ratio
    of ½ per step where fewer than three truncations were solved)."""
    if len(history) < 2:
        return dims
    solution = _combined(history[-(truncation.COMPARISONS + 1) :])
    error = _largest_error(solution) or tol
    seq = next(iter(solution.solves.values())).log_negativity().sequence
    ratio = 0.5
    if len(seq) >= 3 and seq[-2] != seq[-3]:
        ratio = min(max(abs((seq[-1] - seq[-2]) / (seq[-2] - seq[-3])), 1e-3), 0.95)
    steps = max(0, math.ceil(math.log(tol / error) / math.log(ratio)))
    size = dims
    for _ in range(steps):
        size = _grow(model, size)
    return size


def _combined(window: list[FockSolution]) -> FockSolution:
    """One solution from single-truncation solutions (smallest first): the last is the state,
    the others its comparisons."""
    labels = list(window[-1].solves)
    solves = {
        label: truncation.TruncatedSolve(
            window[-1].solves[label].state, tuple(w.solves[label].state for w in window[:-1])
        )
        for label in labels
    }
    pair = None
    if window[-1].pair is not None:
        shifts = tuple(w.pair.shifts[-1] for w in window)
        pair = truncation.PairSolve(solves[labels[0]], solves[labels[1]], shifts)
    return FockSolution(solves, pair, {})


def _largest_error(solution: FockSolution, base: str = "e") -> float | None:
    """The largest E_N truncation error over the hypotheses (None before two truncations)."""
    errors = [s.log_negativity(base).truncation_error for s in solution.solves.values()]
    return None if any(e is None for e in errors) else max(errors)
