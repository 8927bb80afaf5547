"""Truncation of Fock spaces: checks before solving, and error estimates after.

Before solving.  The Gaussian backend gives every mode's reduced covariance of the same
model at no cost, and with it the mode's exact Fock distribution (:func:`gaussian_tail`).
A truncation to N levels is refused if P(n ≥ N − 1), the population it would leave at or
above its highest kept level, exceeds :data:`LAST_LEVEL_LIMIT` — the quantity the check
after solving measures, so that a refusal comes before the cost.  For a thermal mode it is
(n/(n+1))^(N−1); a squeezed one (the cavity of the three-mode rungs) has more at the same
occupation.  The refusal names the levels needed (at the paper's n̄ ≈ 4×10⁶: ~3×10⁷, out of
reach of any Fock space).

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
import scipy.special

from gravsim import gaussian
from gravsim.errors import GravsimInputError, OutOfRegimeError
from gravsim.model.description import ModelDescription
from gravsim.model.parameters import Parameters
from gravsim.model.rungs import ClassicalField

if TYPE_CHECKING:  # qutip loads only where a Fock space is solved
    from gravsim.fock import operators as fock

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


def thermal_tail(occupation: float, levels: int) -> float:
    """Population a truncation to ``levels`` cuts off a thermal state: (n/(n+1))^levels."""
    n = max(float(occupation), 0.0)
    if n == 0:
        return 0.0
    return math.exp(-levels * math.log1p(1.0 / n))


def required_levels(occupation: float, limit: float = LAST_LEVEL_LIMIT) -> int:
    """Fewest levels N of a thermal mode with P(n ≥ N − 1) = (n/(n+1))^(N−1) ≤ ``limit``."""
    n = max(float(occupation), 0.0)
    if n == 0:
        return MIN_LEVELS
    # ln(1 + 1/n) = 1/n to float64 above n ~ 1e16, where log1p's argument no longer counts
    rate = max(math.log1p(1.0 / n), 1.0 / n)  # 0 for an infinite occupation
    levels = -math.log(limit) / rate if rate > 0 else math.inf
    return max(MIN_LEVELS, 1 + math.ceil(min(levels, 1e18)))


def gaussian_tail(covariance: np.ndarray, levels: int) -> float:
    """P(n ≥ ``levels``) of a zero-mean single-mode Gaussian state.

    The generating function of its photon-number distribution is
    G(z) = Σ P(n) zⁿ = det[I + (1 − z)(V − I/2)]^{−1/2} (V the 2×2 covariance, vacuum I/2),
    = Π_i (1 + λ_i)^{−1/2} (1 − q_i z)^{−1/2} with λ_i the eigenvalues of V − I/2 and
    q_i = λ_i/(1 + λ_i) ∈ (−1, 1); each factor's series has the coefficients
    C(2n, n)(q/4)ⁿ.  The tail is 1 − Σ_{n<N} P(n), accurate to ~1e-15 absolute, well below
    the limits it is compared with.  Thermal (λ₁ = λ₂ = n̄): (n̄/(n̄+1))^N.
    """
    lam = np.linalg.eigvalsh(0.5 * (covariance + covariance.T)) - 0.5
    lam = np.maximum(lam, -0.5 + 1e-15)  # physical states: V ≥ (squeezed) vacuum
    k = np.arange(levels)
    binom = np.exp(
        scipy.special.gammaln(2 * k + 1) - 2 * scipy.special.gammaln(k + 1) - 2 * k * np.log(2)
    )
    factors = [binom * (lam_i / (1 + lam_i)) ** k for lam_i in lam]
    p = np.convolve(factors[0], factors[1])[:levels] / np.sqrt(np.prod(1 + lam))
    return float(max(1.0 - np.sum(p), 0.0))


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


def check_truncation(model: ModelDescription, dims: tuple[int, ...]) -> dict[str, float]:
    """Refuse ``dims`` if the Gaussian state predicts too much population above them.

    Returns the Gaussian occupations used.

    Raises
    ------
    OutOfRegimeError
        Naming the mode, its occupation, the population above the truncation and the number
        of levels needed (or that the point is out of reach of Fock spaces).
    """
    check_memory(dims, factorised=True)
    state = gaussian.steady_state(model)
    check_covariances(model.modes, state.covariance[None], dims)
    return state.occupations()


def check_covariances(
    modes: tuple[str, ...], covariances: np.ndarray, dims: tuple[int, ...]
) -> None:
    """:func:`check_truncation` for states given by their covariances (samples, 2n, 2n).

    A periodic state passes its samples over the period: the worst one decides.  A truncation
    too large for the machine's memory is refused first (:func:`check_memory`).
    """
    check_memory(dims)
    for k, (mode, levels) in enumerate(zip(modes, dims, strict=True)):
        blocks = covariances[:, 2 * k : 2 * k + 2, 2 * k : 2 * k + 2]
        occ = 0.5 * (blocks[:, 0, 0] + blocks[:, 1, 1] - 1.0)
        worst = int(np.argmax(occ))
        n, block = float(occ[worst]), blocks[worst]
        if n < 60:
            tails = [gaussian_tail(b, levels - 1) for b in blocks]
            worst = int(np.argmax(tails))
            tail, block = tails[worst], blocks[worst]
        else:
            tail = thermal_tail(n, levels - 1)
        if tail > LAST_LEVEL_LIMIT:
            need = required_levels(n)
            if n < 60:  # a squeezed marginal needs at least the thermal count
                while gaussian_tail(block, need - 1) > LAST_LEVEL_LIMIT:
                    need += 1
            flag = "`n_cav`" if mode == "c" else "`n_mech`"
            if need > 60:
                raise OutOfRegimeError(
                    f"Fock space out of reach: mode {mode} has occupation {n:.3g}, which needs "
                    f"~{need:.3g} levels per mode; use `backend='gaussian'` (exact for this rung)"
                )
            raise OutOfRegimeError(
                f"truncation too small: mode {mode} (occupation {n:.3g}) would hold "
                f"~{tail:.1e} of its population at or above its highest level {levels - 1} "
                f"(limit {LAST_LEVEL_LIMIT:g}); use {flag} {need} or more"
            )


def check_mean_amplitudes(
    description: ModelDescription, p: Parameters, dims: tuple[int, ...]
) -> None:
    """Undisplaced frame: the coherent amplitudes must fit the truncation too.

    The bound Σ_k |α_k| (cavity) and Σ_m |β_m| (mechanics) of the classical orbit's
    amplitude is the mean of a coherent state whose Poisson tail P(n ≥ N − 1) is checked.
    """
    if not description.initial_means:
        return
    field = ClassicalField.of(p)
    amplitude = {"c": sum(abs(v) for v in field.alpha.values())}
    for k, mode in enumerate(("a", "b")):
        amplitude[mode] = sum(abs(v[k]) for v in field.beta.values())
    for mode, levels in zip(description.modes, dims, strict=True):
        tail = float(scipy.special.pdtrc(levels - 2, amplitude[mode] ** 2))  # P(n ≥ N−1)
        if tail > LAST_LEVEL_LIMIT:
            flag = "`n_cav`" if mode == "c" else "`n_mech`"
            raise OutOfRegimeError(
                f"truncation too small for the undisplaced frame: mode {mode} carries a "
                f"coherent amplitude up to {amplitude[mode]:.3g}, which puts {tail:.1e} at or "
                f"above level {levels - 1}; use `frame='displaced'`, or raise {flag}"
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

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return dict(self.__dict__) | {"sequence": list(self.sequence)}


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

    state: fock.FockState
    comparison: tuple[fock.FockState, ...]

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
    checked: bool = False,
) -> TruncatedSolve:
    """Steady state at ``dims`` and at up to ``comparisons`` smaller truncations.

    Raises
    ------
    OutOfRegimeError
        If the truncation is too small (before solving, from the Gaussian occupations, or
        after, from the actual last-level populations).
    """
    if not checked:  # the caller may have run check_truncation already
        check_truncation(model, dims)
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
    from gravsim.fock import operators as fock

    states = tuple(fock.steady_state(model, d, solver=solver) for d in sizes)
    state = fock.steady_state(model, dims, solver=solver)
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
