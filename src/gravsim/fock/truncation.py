"""Truncation of Fock spaces: level counts and memory before solving, error estimates after.

Before solving.  Level counts must be whole numbers ≥ :data:`MIN_LEVELS`, and a truncation
whose Liouvillian cannot fit in memory is refused (:func:`check_memory`).  Which levels hold
the state, and the error they will give, follow from the exact Gaussian state of the same
model, passed in (:mod:`gravsim.fock.levels`): this module never reads it.

After solving.  A static Fock result is solved on a :func:`ladder`: the mechanics at N−4,
N−2 with the cavity at its level, and once with one cavity level more, so that the two
sources of error are measured apart (a ladder that lowered both at once mixed them: a
2-level cavity moved E_N by 10⁻¹ where the mechanics moved it by 10⁻³, and the estimate
came out 322 for a true 4e-3).  Its highest levels' populations are checked (above
:data:`LAST_LEVEL_LIMIT` a steady state is refused), and ``truncation_error`` comes from
:func:`estimate_series` (the tail model, tails from the Gaussian state) or, without tails,
:func:`estimate` (differences alone: the periodic rungs and transients).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gravsim.analysis import fock_tails
from gravsim.analysis.fock_tails import Series
from gravsim.errors import GravsimInputError, OutOfRegimeError
from gravsim.model.description import ModelDescription

if TYPE_CHECKING:  # qutip loads only where a Fock space is solved
    from gravsim.fock.operators import FockState

LAST_LEVEL_LIMIT = 1e-3
#: Liouville dimension above which a solve takes more than a few seconds (progress shown).
PROGRESS_ABOVE = 20_000
#: Smaller mechanical truncations solved next to the requested one (N−4, N−2): the estimate
#: takes the last three values (an older one is the least converged).
COMPARISONS = 2
#: Fewest mechanical levels a comparison may have: below it E_N is not yet in its asymptotic
#: convergence (at 2–3 levels the error's amplitude still changes by 10–50 % per level).
LOWEST_LEVELS = 4
#: The decay ratio assumed where the last differences change sign (:func:`estimate`).
TURN_RATIO = 2 / 3
#: Safety factor of every bound (:func:`gravsim.analysis.fock_tails.series_error`).
SAFETY = fock_tails.SAFETY
#: Amplitude assumed for the cavity's part where no cavity comparison was solved (no
#: comparisons asked for): the top of the measured c_cav = (cavity part of E_N's error)/τ(N_c).
CAVITY_PRIOR = 12.0
#: Floor of every truncation error: the rounding of an E_N (eigenvalue sums of ~1 in float64).
ROUNDING = 1e-15
MIN_LEVELS = 2  # smallest truncation of any mode


def check_levels(n_mech: Any, n_cav: Any) -> None:
    """Refuse truncations that are not whole numbers >= :data:`MIN_LEVELS` (None: chosen later).

    Raises
    ------
    GravsimInputError
    """
    for name, value in (("n_mech", n_mech), ("n_cav", n_cav)):
        if value is None:
            continue
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
    """Two mechanical levels and one cavity level fewer per step (at least ``MIN_LEVELS``):
    the periodic rungs' comparisons."""
    out = []
    for mode, n in zip(model.modes, dims, strict=True):
        cut = steps if mode == "c" else 2 * steps
        out.append(max(MIN_LEVELS, n - cut))
    return tuple(out)


@dataclass(frozen=True)
class Ladder:
    """The truncations solved next to ``dims``: ``mechanics`` (smallest first) with the cavity
    at its level, and ``cavity``, one cavity level more at the largest of them (or None)."""

    dims: tuple[int, ...]
    mechanics: tuple[tuple[int, ...], ...]
    cavity: tuple[int, ...] | None

    @property
    def sizes(self) -> tuple[tuple[int, ...], ...]:  # every truncation solved, ``dims`` last
        return self.mechanics + ((self.cavity,) if self.cavity else ()) + (self.dims,)


def ladder(
    model: ModelDescription,
    dims: tuple[int, ...],
    comparisons: int = COMPARISONS,
    lowest: int = LOWEST_LEVELS,
) -> Ladder:
    """N−2, N−4, … (``comparisons`` of them, none below ``lowest`` mechanical levels) at the
    same cavity; where that leaves fewer than two, N−1 and N−2 instead (three values are the
    least that show how the error's amplitude drifts).  The cavity comparison has one level
    more than ``dims``, at the largest mechanical comparison (at N without one): it measures
    the cavity's error at N_c itself, where one level fewer would extrapolate it from 2 levels,
    before the cavity's convergence (measured there: 0.14 per level where τ gives 0.013)."""
    n = max(d for m, d in zip(model.modes, dims, strict=True) if m != "c")

    def mech(levels: int, cavity_cut: int = 0) -> tuple[int, ...]:
        return tuple(
            d - cavity_cut if m == "c" else levels for m, d in zip(model.modes, dims, strict=True)
        )

    levels = [n - 2 * k for k in range(comparisons, 0, -1) if n - 2 * k >= lowest]
    for floor in (lowest, MIN_LEVELS):  # below ``lowest`` only where nothing else is left
        if 0 < comparisons and len(levels) < 2:
            levels = [n - k for k in range(min(comparisons, 2), 0, -1) if n - k >= floor]
    cavity = None
    if "c" in model.modes and comparisons > 0:
        cavity = mech(levels[-1] if levels else n, -1)
    return Ladder(tuple(dims), tuple(mech(k) for k in levels), cavity)


@dataclass(frozen=True)
class Estimate:
    """A Fock value with its truncation error, the limit its error model extrapolates to, the
    values it came from, and the error bound of each source (mechanics, cavity)."""

    value: float
    truncation_error: float | None
    extrapolated: float | None = None
    sequence: tuple[float, ...] = field(default_factory=tuple)
    parts: tuple[float, ...] = field(default_factory=tuple)


def estimate_series(
    mechanics: Series, cavity: Series | None = None, cavity_bound: float = 0.0
) -> Estimate:
    """Truncation error of the last value of ``mechanics`` from the tail model.

    Model: a truncation to N levels takes from E_N = ln‖ρ^{T_b}‖₁ the weight of |ρ^{T_b}| it
    cuts off, to first order, so E(N) = E∞ − c·t(N), t(N) = P(n_a ≥ N) + P(n_b ≥ N) of the
    Gaussian state |ρ^{T_b}|/‖ρ^{T_b}‖₁ (:func:`gravsim.analysis.fock_tails.negativity_tail`)
    and c an amplitude of order one: measured 0.8–8 over random effective points, nearly
    constant from N = 6 on (≤ 5 % per level at most points, 10–15 % at a few), where t falls
    2–10× per level.  The cavity enters the mechanics through the reservoir it mediates: the
    same model with τ(N_c) = P(n_c ≥ N_c − 1), the population at or above its highest level.

    Each adjacent pair of values gives c = (E_k − E_{k−1})/(t_{k−1} − t_k), so the error
    c·t(N) of the last value: the tails, not the values, give the decay ratio.  A difference
    ΔE = E_A − E_B (``other``): ΔE(N) = ΔE∞ − c_A t_A(N) + c_B t_B(N), c_B from B's own
    pair, c_A from ΔE's; the error is a fitted part (the last ΔE difference carried by t_A)
    plus a shape part (c_B times the change of the tails between the hypotheses), which can
    cancel (the N·t(N) term of a small κ_G).  Bound (:func:`~gravsim.analysis.fock_tails.
    series_error`):

    * one pair: :data:`SAFETY` × (|error| + the parts' magnitudes): one pair cannot tell a
      cancellation from a coincidence, so none is trusted;
    * two pairs: :data:`SAFETY` × (|error| + max(``DRIFT`` × the parts' magnitudes,
      |e₁ − e₂|/(1 − ρ))), e₁, e₂ the two pairs' predictions of the same error, ρ the
      tails' ratio per step: a linear drift of c over one step, carried down the remaining
      steps (for ΔE, ``DRIFT`` at least the hypotheses' own relative amplitude drift);
    * the cavity's bound is added to the mechanics' (``cavity_bound`` where no cavity
      comparison was solved: :data:`CAVITY_PRIOR` × τ(N_c)).  Its pair (N_c + 1, N_c) ends
      on the smaller truncation: the difference measures the error at N_c, and only the
      small c·τ(N_c + 1) beyond is extrapolated.

    :data:`SAFETY` = 2: with 1 the E_N bounds still held at every point measured (≥ 1.02×),
    ΔE's fell to 0.6× where the amplitude still drifts 10–30 % per level at N ≤ 8
    (docs/fock.md has the distributions).
    """
    value = float(mechanics.values[-1])
    if not mechanics.usable():
        return estimate(list(mechanics.values))
    e_m, b_m = fock_tails.series_error(mechanics)
    fitted = cavity is not None and cavity.usable()
    e_c, b_c = fock_tails.series_error(cavity) if fitted else (0.0, cavity_bound)
    error = max(b_m + b_c, ROUNDING * max(1.0, abs(value)))
    return Estimate(value, error, value + e_m + e_c, tuple(mechanics.values), (b_m, b_c))


def estimate(values: list[float]) -> Estimate:
    """Truncation error from values at successive truncations alone (oldest first): the
    periodic rungs and transients, which have no tails to model them with.

    The error of the last value is the tail of the differences d still to come, d·q/(1 − q)
    for a geometric decay q = d_m/d_{m−1}.  Only the converging end counts (each difference
    smaller than the one before: an accidentally small difference between coarse values is
    left out).  A negative last ratio is a turn (E∞ + A aᴺ + B bᴺ, A and B of opposite signs:
    the slower part, its ratio unseen, takes over): ratio max(|q|, :data:`TURN_RATIO`), unless
    the ratio before was negative too (alternation).  No decrease seen: 2|d|; two values:
    |d|; three: :data:`SAFETY` × max(|e|, |d|) (q unconfirmed); four or more: :data:`SAFETY`
    × (|e| + |e − e_prev|/(1 − |q|)), e_prev the previous triple's estimate of the same error.
    Aitken's limit E + d·q/(1 − q) is given where 0 < q < 0.7.
    """
    value = float(values[-1])
    if len(values) < 2:
        return Estimate(value, None, None, tuple(values))
    d = np.diff(np.asarray(values, dtype=float))
    start = len(d) - 1
    while start > 0 and abs(d[start - 1]) > abs(d[start]):
        start -= 1
    d, extrapolated = d[start:], None
    if len(d) == 1:
        error = abs(d[-1]) * (1.0 if start == 0 else TURN_RATIO / (1 - TURN_RATIO))
    else:
        q = d[-1] / d[-2]
        alternating = len(d) >= 3 and q < 0 and d[-2] / d[-3] < 0
        ratio = q if q > 0 or alternating else max(-q, TURN_RATIO)
        error = abs(d[-1] * ratio / (1 - ratio))
        if len(d) >= 3 and q > 0 or alternating:
            q_prev = d[-2] / d[-3]
            previous = d[-2] * q_prev / (1 - q_prev) - d[-1]
            error = SAFETY * (error + abs(d[-1] * ratio / (1 - ratio) - previous) / (1 - abs(q)))
        elif len(d) == 2:
            error = SAFETY * max(error, abs(d[-1]))
        if 0 < q < 0.7:
            extrapolated = value + d[-1] * q / (1 - q)
    error = max(error, ROUNDING * max(1.0, abs(value)))
    return Estimate(value, error, extrapolated, tuple(values))


@dataclass(frozen=True)
class Tails:
    """The tail model's t of one hypothesis at a ladder's truncations: ``mechanics`` (one per
    mechanical truncation, the requested last) and ``cavity`` (τ at N_c + 1 and N_c)."""

    mechanics: tuple[float, ...]
    cavity: tuple[float, float] | None = None


@dataclass(frozen=True, eq=False)
class TruncatedSolve:
    """A Fock steady state at ``dims``, the smaller mechanical truncations (``comparison``,
    smallest first) and the state with one cavity level more (``cavity``, or None)."""

    state: FockState
    comparison: tuple[FockState, ...]
    cavity: FockState | None = None

    @property
    def ladder_states(self) -> tuple[FockState, ...]:  # the mechanical ladder, ``state`` last
        return self.comparison + (self.state,)

    def cavity_pair(self) -> tuple[FockState, FockState] | None:
        """The states with one cavity level more and with the cavity at its level, at the
        largest mechanical comparison (:func:`ladder`)."""
        if self.cavity is None:
            return None
        return self.cavity, (self.comparison[-1] if self.comparison else self.state)

    def log_negativity(self, base: str = "e", tails: Tails | None = None) -> Estimate:
        """E_N from ρ with its truncation error (the tail model where ``tails`` are given)."""
        values = tuple(s.log_negativity(base) for s in self.ladder_states)
        if tails is None:
            return estimate(list(values))
        cavity = self._cavity_series(tails, base)
        prior = CAVITY_PRIOR * tails.cavity[1] if cavity is None and tails.cavity else 0.0
        return estimate_series(Series(values, tails.mechanics), cavity, prior)

    def _cavity_series(self, tails: Tails, base: str) -> Series | None:  # E_N, one level more
        pair = self.cavity_pair()
        if pair is None or tails.cavity is None:
            return None
        return Series(tuple(s.log_negativity(base) for s in pair), tails.cavity)

    def log_negativity_from_covariance(self, base: str = "e") -> Estimate:
        """E_N from ρ's covariance matrix with its truncation error (from differences)."""
        return estimate([s.log_negativity_from_covariance(base) for s in self.ladder_states])


def solve(
    model: ModelDescription,
    dims: tuple[int, ...],
    *,
    solver: str = "auto",
    comparisons: int = COMPARISONS,
    lowest: int = LOWEST_LEVELS,
    progress: Any = None,
    solved: dict | None = None,
) -> TruncatedSolve:
    """Steady state at ``dims`` and at its :func:`ladder` (``solved``: states already solved,
    by truncation, reused and added to); the caller checks ``dims`` against the Gaussian
    state first (:func:`gravsim.fock.levels.check_truncation`).

    Raises
    ------
    OutOfRegimeError
        If the truncation is too small: a mode keeps more than :data:`LAST_LEVEL_LIMIT` of
        its population in its highest level.
    """
    plan = ladder(model, dims, comparisons, lowest)
    _announce(progress, model, dims, f"{model.gravity.name} gravity", len(plan.sizes) - 1)
    from gravsim.fock import operators

    cache = {} if solved is None else solved
    for d in plan.sizes:
        if d not in cache:
            cache[d] = operators.steady_state(model, d, solver=solver)
    _refuse_top_level_excess(cache[dims])
    comparison = tuple(cache[d] for d in plan.mechanics)
    return TruncatedSolve(cache[dims], comparison, cache[plan.cavity] if plan.cavity else None)


@dataclass(frozen=True, eq=False)
class PairSolve:
    """Two hypotheses solved together on one ladder: their :class:`TruncatedSolve` each, and
    the exact shift δρ = ρ_B − ρ_A at every mechanical truncation (``shifts``) and at the
    cavity comparison (``cavity_shift``) (:func:`gravsim.fock.response.shifted_states`)."""

    first: TruncatedSolve
    second: TruncatedSolve
    shifts: tuple[Any, ...]
    cavity_shift: Any = None

    def delta_log_negativity(
        self, base: str = "e", tails: tuple[Tails, Tails] | None = None
    ) -> Estimate:
        """ΔE = E_N(A) − E_N(B) at every truncation from ρ_A and δρ, with its truncation error
        (the tail model of the difference where both hypotheses' ``tails`` are given)."""
        states, shifts = self.first.ladder_states, self.shifts
        values = tuple(
            _shift_log_negativity(s, d, base) for s, d in zip(states, shifts, strict=True)
        )
        if tails is None:
            return estimate(list(values))
        b_values = tuple(s.log_negativity(base) for s in self.second.ladder_states)
        mech = Series(values, tails[0].mechanics, Series(b_values, tails[1].mechanics))
        pair, b_cav = self.first.cavity_pair(), self.second._cavity_series(tails[1], base)
        if tails[0].cavity is None or tails[1].cavity is None:
            return estimate_series(mech)
        if pair is None or b_cav is None:  # the prior, scaled as ΔE's mechanical error is
            a_values = tuple(s.log_negativity(base) for s in self.first.ladder_states)
            e_a = fock_tails.series_error(Series(a_values, tails[0].mechanics))[0]
            e_d = fock_tails.series_error(mech)[0] if mech.usable() else 0.0
            t_a, t_b = tails[0].cavity[1], tails[1].cavity[1]
            scaled = t_a * abs(e_d / e_a) if e_a else t_a
            return estimate_series(mech, None, CAVITY_PRIOR * max(scaled, abs(t_a - t_b)))
        shifts = (self.cavity_shift, shifts[-2] if len(shifts) > 1 else shifts[0])
        cav = tuple(_shift_log_negativity(s, d, base) for s, d in zip(pair, shifts, strict=True))
        return estimate_series(mech, Series(cav, tails[0].cavity, b_cav))


def _shift_log_negativity(state: FockState, shift: Any, base: str) -> float:
    """E_N(ρ) − E_N(ρ + δρ) of the mechanical modes, without cancellation."""
    from gravsim.analysis.entanglement import log_negativity_shift

    keep = [state.modes.index("a"), state.modes.index("b")]
    mech_shift = shift if len(state.modes) == 2 else shift.ptrace(keep)
    return log_negativity_shift(state.mechanical_rho, mech_shift, base)


def solve_pair(
    first: ModelDescription,
    second: ModelDescription,
    dims: tuple[int, ...],
    *,
    solver: str = "auto",
    comparisons: int = COMPARISONS,
    lowest: int = LOWEST_LEVELS,
    progress: Any = None,
    solved: dict | None = None,
) -> PairSolve:
    """:func:`solve` for two hypotheses that differ only in their gravity dissipators: one
    factorisation per truncation gives both states (:mod:`gravsim.fock.response`).

    Raises
    ------
    OutOfRegimeError
        If the truncation is too small for either state (as :func:`solve`).
    """
    from gravsim.fock import response

    plan = ladder(first, dims, comparisons, lowest)
    gravities = f"{first.gravity.name} and {second.gravity.name} gravity from one factorisation"
    _announce(progress, first, dims, gravities, len(plan.sizes) - 1)
    cache = {} if solved is None else solved
    for d in plan.sizes:
        if d not in cache:
            cache[d] = response.shifted_states(first, second, d, solver)
    _refuse_top_level_excess(*cache[dims][:2])
    mech = [cache[d] for d in (*plan.mechanics, dims)]
    cav = cache[plan.cavity] if plan.cavity else (None, None, None)
    firsts, seconds, shifts = zip(*mech, strict=True)
    return PairSolve(
        TruncatedSolve(firsts[-1], firsts[:-1], cav[0]),
        TruncatedSolve(seconds[-1], seconds[:-1], cav[1]),
        shifts,
        cav[2],
    )


def _announce(progress: Any, model: ModelDescription, dims: tuple, gravity: str, smaller: int):
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
