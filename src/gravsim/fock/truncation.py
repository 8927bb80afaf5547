"""Truncation of Fock spaces: level counts and memory before solving, error estimates after.

Before solving.  Level counts must be whole numbers ≥ :data:`MIN_LEVELS`, and a truncation
whose Liouvillian cannot fit in memory is refused (:func:`check_memory`).  Whether the
levels hold the state is decided from the exact Gaussian state of the same model, by the
workflows (:mod:`gravsim.workflows.levels`): this module never reads it.

After solving.  Every Fock result reports

* the population of the highest kept level of every mode (above :data:`LAST_LEVEL_LIMIT`
  a steady state is refused; a periodic state, minutes of propagation, is returned with a
  ``truncation_warning``);
* ``truncation_error`` from solves with two, four and six mechanical levels fewer (one,
  two, three cavity levels fewer), see :func:`estimate`: the geometric tail after E(N),
  made robust to one accidentally small difference.  E_N converges with ratio ≈ 0.2 per
  two levels on the ``small`` and ``paper`` presets; the estimate is 2–20× the true error
  over random points;
* ``extrapolated``: the Aitken limit E(N) + d·q/(1−q) of the last three values, given when
  they converge monotonically with 0 < q < 0.7 (measured: within 1e-6 of the Gaussian value
  at N = 12 where E(N) is off by 1.3e-4).

Why 1e-3: on the ``small`` preset the E_N error is 2–3 % when the highest level holds 10⁻³
of the population and 10 % at 10⁻²; above 10⁻³ the truncated state is no longer a faithful
picture of the physical one.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gravsim.errors import GravsimInputError, OutOfRegimeError
from gravsim.model.description import ModelDescription

if TYPE_CHECKING:  # qutip loads only where a Fock space is solved
    from gravsim.fock.operators import FockState

LAST_LEVEL_LIMIT = 1e-3
#: Liouville dimension above which a solve takes more than a few seconds (progress shown).
PROGRESS_ABOVE = 20_000
#: Smaller truncations solved next to the requested one (N−6, N−4, N−2): four values give an
#: error estimate that one accidentally small difference cannot collapse (:func:`estimate`).
COMPARISONS = 3
#: The decay ratio assumed where the last differences change sign: the slower
#: part that takes over has not shown its own ratio yet (a tail of twice the last difference).
TURN_RATIO = 2 / 3
#: Floor of every truncation error: the rounding of an E_N (eigenvalue sums of ~1 in float64).
ROUNDING = 1e-15
#: Smallest truncation used for the comparison solves.
MIN_LEVELS = 2


def check_levels(n_mech: Any, n_cav: Any) -> None:
    """Refuse truncations that are not whole numbers >= :data:`MIN_LEVELS`.

    Raises
    ------
    GravsimInputError
    """
    for name, value in (("n_mech", n_mech), ("n_cav", n_cav)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise GravsimInputError(f"`{name}` must be a whole number of levels, got {value!r}")
        if value < MIN_LEVELS:
            raise GravsimInputError(f"`{name}` must be >= {MIN_LEVELS} levels, got {value}")


#: Non-zeros per Liouville-space dimension of the rungs' Liouvillians (measured: 17–28), and
#: bytes per stored complex non-zero with its index: the floor of what building one costs.
LIOUVILLIAN_NNZ_PER_DIM = 15
BYTES_PER_NNZ = 24
#: LU fill-in per Liouville dimension of the direct steady-state solve, a floor: measured
#: 22 KB (PARDISO, 8×8×4 parity block) to 94 KB (SuperLU, two-mode 14×14).
LU_BYTES_PER_DIM = 10_000


def available_memory() -> int:
    """Bytes the machine can still give (``MemAvailable``; total RAM where that is unknown)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def memory_need(dims: tuple[int, ...], factorised: bool = False) -> int:
    """A floor of the bytes a Liouvillian on ``dims`` needs (with its LU: ``factorised``):
    :data:`LIOUVILLIAN_NNZ_PER_DIM` non-zeros per Liouville-space dimension (∏ dims)², stored at
    :data:`BYTES_PER_NNZ`, plus :data:`LU_BYTES_PER_DIM` of fill-in per dimension."""
    liouville = math.prod(dims) ** 2
    return liouville * (LIOUVILLIAN_NNZ_PER_DIM * BYTES_PER_NNZ + factorised * LU_BYTES_PER_DIM)


def check_memory(dims: tuple[int, ...], factorised: bool = False) -> None:
    """Refuse a truncation whose Liouvillian (and its LU) cannot fit in the machine's memory.

    The estimate is a floor (:func:`memory_need`): what is refused could never run; what
    passes may still be slow.

    Raises
    ------
    GravsimInputError
        Naming the Liouville dimension and the memory it would need.
    """
    need, free = memory_need(dims, factorised), available_memory()
    if need > free:
        shape = "x".join(map(str, dims))
        raise GravsimInputError(
            f"a Fock space of {shape} levels has Liouville dimension {math.prod(dims) ** 2:.3g}: "
            f"{'its LU factors' if factorised else 'its Liouvillian alone'} need more than "
            f"{need / 2**30:.3g} GiB, and {free / 2**30:.3g} GiB are available; use fewer "
            "levels (`n_mech`, `n_cav`)"
        )


def smaller_dims(model: ModelDescription, dims: tuple[int, ...], steps: int) -> tuple[int, ...]:
    """Two mechanical levels and one cavity level fewer per step (at least ``MIN_LEVELS``)."""
    out = []
    for mode, n in zip(model.modes, dims, strict=True):
        cut = steps if mode == "c" else 2 * steps
        out.append(max(MIN_LEVELS, n - cut))
    return tuple(out)


@dataclass(frozen=True)
class Estimate:
    """A Fock value with its truncation error and (where it helps) its extrapolation."""

    value: float
    truncation_error: float | None
    extrapolated: float | None = None
    sequence: tuple[float, ...] = field(default_factory=tuple)


def estimate(values: list[float]) -> Estimate:
    """Truncation error and Aitken extrapolation from values at successive truncations
    (oldest first; N−6, N−4, N−2, N by default).

    With differences d_k = E_k − E_{k−1} the error of the last value is the tail of the
    differences still to come, ~|d|·ρ/(1−ρ) for a geometric decay of ratio ρ.  One
    difference can be accidentally small (the convergence changes sign, or two errors nearly
    cancel): at one three-mode point the last of three values gave an estimate 34× below the
    true error.  So, from four values or more,

    * ρ = max(|d_m/d_{m−1}|, |d_m/d_{m−2}|^½) (capped at 0.95): the last ratio, unless it is
      below the two-step rate; at least :data:`TURN_RATIO` where two of the last three
      differences have opposite signs (E(N) = E∞ + A aᴺ + B bᴺ with A, B of opposite signs
      turns where the slower part takes over, and the data do not yet show its ratio: at
      the paper point the Fock ΔE turns at N = 10, where the true error is 1.35 |d_m|);
    * the size of the last difference is taken as max(|d_m|, r_prev·|d_{m−1}|, ρ·|d_{m−1}|),
      r_prev = |d_{m−1}/d_{m−2}|: the previous difference carried one step at the earlier and
      at the recent rate, so that an accidentally small d_m does not set it;
    * error = that size × max(1, ρ/(1−ρ)).

    With three values the error is |d|·max(1, q/(1−q)), q the last ratio; with two, |d|.
    Measured (``tests/fock/test_truncation_error.py``): never below the true error over random
    points of the effective and RWA rungs, 1–10× above it.
    """
    value = values[-1]
    if len(values) < 2:
        return Estimate(value, None, None, tuple(values))
    d = np.diff(np.asarray(values, dtype=float))
    error = abs(d[-1])
    extrapolated = None
    if len(values) >= 3 and d[-2] != 0 and d[-1] != 0:
        q = d[-1] / d[-2]
        ratio = min(abs(q), 0.95)
        error = abs(d[-1]) * max(1.0, ratio / (1 - ratio))
        if 0 < q < 0.7:
            extrapolated = value + d[-1] * q / (1 - q)
    if len(values) >= 4 and d[-3] != 0 and d[-2] != 0:
        last, prev = abs(d[-1] / d[-2]), abs(d[-2] / d[-3])
        rho = min(0.95, max(last, math.sqrt(abs(d[-1] / d[-3]))))
        if d[-1] * d[-2] < 0 or d[-2] * d[-3] < 0:  # the convergence turned: a slower part
            rho = max(rho, TURN_RATIO)  # of opposite sign takes over, its ratio not yet seen
        size = max(abs(d[-1]), prev * abs(d[-2]), rho * abs(d[-2]))
        error = size * max(1.0, rho / (1 - rho))
    error = max(error, ROUNDING * max(1.0, abs(value)))
    return Estimate(value, error, extrapolated, tuple(values))


@dataclass(frozen=True, eq=False)
class TruncatedSolve:
    """A Fock steady state at ``dims`` plus the smaller comparison solves."""

    state: FockState
    comparison: tuple[FockState, ...]

    def log_negativity(self, base: str = "e") -> Estimate:
        """E_N from ρ with its truncation error."""
        states = self.comparison + (self.state,)
        return estimate([s.log_negativity(base) for s in states])

    def log_negativity_from_covariance(self, base: str = "e") -> Estimate:
        """E_N from ρ's covariance matrix with its truncation error."""
        states = self.comparison + (self.state,)
        return estimate([s.log_negativity_from_covariance(base) for s in states])


def solve(
    model: ModelDescription,
    dims: tuple[int, ...],
    *,
    solver: str = "auto",
    comparisons: int = COMPARISONS,
    progress: Any = None,
) -> TruncatedSolve:
    """Steady state at ``dims`` and at up to ``comparisons`` smaller truncations.

    The caller checks ``dims`` against the Gaussian state first
    (:func:`gravsim.workflows.levels.check_truncation`).

    Raises
    ------
    OutOfRegimeError
        If the truncation is too small: a mode keeps more than :data:`LAST_LEVEL_LIMIT` of
        its population in its highest level.
    """
    sizes = _comparison_sizes(model, dims, comparisons)
    _announce(progress, model, dims, f"{model.gravity.name} gravity", len(sizes))
    from gravsim.fock import operators

    states = tuple(operators.steady_state(model, d, solver=solver) for d in sizes)
    state = operators.steady_state(model, dims, solver=solver)
    _refuse_top_level_excess(state)
    return TruncatedSolve(state, states)


@dataclass(frozen=True, eq=False)
class PairSolve:
    """Two hypotheses solved together at ``dims`` and the smaller truncations: their
    :class:`TruncatedSolve` each, and at every truncation the exact shift δρ = ρ_B − ρ_A
    (:func:`gravsim.fock.response.shifted_states`)."""

    first: TruncatedSolve
    second: TruncatedSolve
    shifts: tuple[Any, ...]

    def delta_log_negativity(self, base: str = "e") -> Estimate:
        """ΔE = E_N(A) − E_N(B) at every truncation from ρ_A and δρ, with its truncation error."""
        from gravsim.analysis.entanglement import log_negativity_shift

        states = self.first.comparison + (self.first.state,)
        keep = [states[0].modes.index("a"), states[0].modes.index("b")]
        values = []
        for state, shift in zip(states, self.shifts, strict=True):
            mech_shift = shift if len(state.modes) == 2 else shift.ptrace(keep)
            values.append(log_negativity_shift(state.mechanical_rho, mech_shift, base))
        return estimate(values)


def solve_pair(
    first: ModelDescription,
    second: ModelDescription,
    dims: tuple[int, ...],
    *,
    solver: str = "auto",
    comparisons: int = COMPARISONS,
    progress: Any = None,
) -> PairSolve:
    """:func:`solve` for two hypotheses that differ only in their gravity dissipators: one
    factorisation per truncation gives both states (:mod:`gravsim.fock.response`).

    Raises
    ------
    OutOfRegimeError
        If the truncation is too small for either state (as :func:`solve`).
    """
    from gravsim.fock import response

    sizes = _comparison_sizes(first, dims, comparisons)
    gravities = f"{first.gravity.name} and {second.gravity.name} gravity from one factorisation"
    _announce(progress, first, dims, gravities, len(sizes))
    solved = [response.shifted_states(first, second, d, solver) for d in (*sizes, dims)]
    _refuse_top_level_excess(*solved[-1][:2])
    firsts, seconds, shifts = zip(*solved, strict=True)
    return PairSolve(
        TruncatedSolve(firsts[-1], firsts[:-1]),
        TruncatedSolve(seconds[-1], seconds[:-1]),
        shifts,
    )


def _announce(
    progress: Any, model: ModelDescription, dims: tuple[int, ...], gravity: str, smaller: int
) -> None:
    """Say (through ``progress``) what is about to be solved, where it takes seconds."""
    dim = int(np.prod(dims))
    if progress is not None and dim * dim > PROGRESS_ABOVE:
        progress(
            f"solving the {model.rung} Liouvillian on {dims} levels (dim {dim * dim}, "
            f"{gravity}) and {smaller} smaller truncations ..."
        )


def _refuse_top_level_excess(*states: FockState) -> None:
    """Raise :class:`OutOfRegimeError` if a state keeps too much in a highest level."""
    for state in states:
        excess = top_level_excess(state.last_level_population())
        if excess:
            raise OutOfRegimeError(excess)


def _comparison_sizes(
    model: ModelDescription, dims: tuple[int, ...], comparisons: int
) -> list[tuple[int, ...]]:
    """The smaller truncations compared with ``dims``, smallest first, without repeats."""
    sizes: list[tuple[int, ...]] = []
    for step in range(comparisons, 0, -1):
        small = smaller_dims(model, dims, step)
        if small != dims and small not in sizes:
            sizes.append(small)
    return sizes


def top_level_excess(populations: dict[str, float]) -> str:
    """The problem, as one line, if a mode keeps more than the limit in its highest level."""
    for mode, pop in populations.items():
        if pop > LAST_LEVEL_LIMIT:
            flag = "`n_cav`" if mode == "c" else "`n_mech`"
            return (
                f"truncation too small: mode {mode} keeps {pop:.1e} of its population in its "
                f"highest level (limit {LAST_LEVEL_LIMIT:g}); raise {flag}"
            )
    return ""
