"""Truncation of Fock spaces: level counts and memory before solving, error estimates after.

Before solving.  Level counts must be whole numbers ≥ :data:`MIN_LEVELS`, and a truncation
whose Liouvillian cannot fit in memory is refused (:func:`check_memory`).  Whether the
levels hold the state is decided from the exact Gaussian state of the same model, by the
workflows (:mod:`gravsim.workflows.levels`): this module never reads it.

After solving.  Every Fock result reports

* the population of the highest kept level of every mode (above :data:`LAST_LEVEL_LIMIT`
  a steady state is refused; a periodic state, minutes of propagation, is returned with a
  ``truncation_warning``);
* ``truncation_error`` from solves with two (and four) mechanical levels fewer and one (two)
  cavity levels fewer: d = E(N) − E(N−2), q = d / (E(N−2) − E(N−4)), error =
  |d|·max(1, q/(1−q)) with q capped at 0.95 (the geometric tail after E(N)).  E_N converges
  with q ≈ 0.2 on the ``small`` preset (error = |d|, a margin of ≈ 4 over the true error);
  the tiny ΔE at the paper point converges slowly (q ≈ 0.9), where |d| alone would
  underestimate it;
* ``extrapolated``: with a third solve at N−4, the Aitken limit E(N) + d·q/(1−q), given
  when the three values converge monotonically with 0 < q < 0.7 (measured: within 1e-6 of
  the Gaussian value at N = 12 where E(N) is off by 1.3e-4).

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


def check_memory(dims: tuple[int, ...], factorised: bool = False) -> None:
    """Refuse a truncation whose Liouvillian (and its LU) cannot fit in the machine's memory.

    The estimate is a floor — :data:`LIOUVILLIAN_NNZ_PER_DIM` non-zeros per Liouville-space
    dimension (∏ dims)², stored at :data:`BYTES_PER_NNZ`, and for a direct steady-state solve
    (``factorised``) :data:`LU_BYTES_PER_DIM` of fill-in per dimension: what is refused could
    never run; what passes may still be slow.

    Raises
    ------
    GravsimInputError
        Naming the Liouville dimension and the memory it would need.
    """
    liouville = math.prod(dims) ** 2
    need = liouville * (LIOUVILLIAN_NNZ_PER_DIM * BYTES_PER_NNZ + factorised * LU_BYTES_PER_DIM)
    free = available_memory()
    if need > free:
        shape = "x".join(map(str, dims))
        raise GravsimInputError(
            f"a Fock space of {shape} levels has Liouville dimension {liouville:.3g}: "
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
    """Truncation error and Aitken extrapolation from values at N−4, N−2, N (oldest first)."""
    value = values[-1]
    if len(values) < 2:
        return Estimate(value, None, None, tuple(values))
    d1 = values[-1] - values[-2]
    error = abs(d1)
    extrapolated = None
    if len(values) >= 3:
        d0 = values[-2] - values[-3]
        if d0 != 0 and d1 != 0:
            q = d1 / d0
            # the tail of a geometric series of ratio q after E(N) is d1·q/(1−q): at q ≥ ½
            # that exceeds |d1|, so the error grows with the observed ratio (capped at 0.95)
            ratio = min(abs(q), 0.95)
            error = abs(d1) * max(1.0, ratio / (1 - ratio))
            if 0 < q < 0.7:
                extrapolated = value + d1 * q / (1 - q)
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
    comparisons: int = 2,
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
    sizes = []
    for step in range(comparisons, 0, -1):
        small = smaller_dims(model, dims, step)
        if small != dims and small not in sizes:
            sizes.append(small)
    dim = int(np.prod(dims))
    if progress is not None and dim * dim > PROGRESS_ABOVE:
        progress(
            f"solving the {model.rung} Liouvillian on {dims} levels (dim {dim * dim}, "
            f"{model.gravity.name} gravity) and {len(sizes)} smaller truncations ..."
        )
    from gravsim.fock import operators

    states = tuple(operators.steady_state(model, d, solver=solver) for d in sizes)
    state = operators.steady_state(model, dims, solver=solver)
    excess = top_level_excess(state.last_level_population())
    if excess:
        raise OutOfRegimeError(excess)
    return TruncatedSolve(state, states)


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
