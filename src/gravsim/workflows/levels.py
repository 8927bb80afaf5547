"""Fock truncations checked against the exact Gaussian state, before any Fock solve.

The Gaussian backend gives every mode's reduced covariance of the same model at no cost,
and with it the mode's exact Fock distribution
(:func:`~gravsim.analysis.fock_tails.gaussian_tail`).  A truncation to N levels is refused
if P(n ≥ N − 1), the population it would leave at or above its highest kept level, exceeds
:data:`~gravsim.fock.truncation.LAST_LEVEL_LIMIT` — the quantity the check after solving
measures (:mod:`gravsim.fock.truncation`), so that a refusal comes before the cost.  For a
thermal mode it is (n/(n+1))^(N−1); a squeezed one (the cavity of the three-mode rungs) has
more at the same occupation.  The refusal names the levels needed (at the paper's
n̄ ≈ 4×10⁶: ~3×10⁷, out of reach of any Fock space).

The workflows (steady, evolve, validate) call these checks; the Fock backend itself never
reads the Gaussian state or the classical orbit.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.special

from gravsim import gaussian
from gravsim.analysis.fock_tails import gaussian_tail, thermal_tail
from gravsim.errors import OutOfRegimeError
from gravsim.fock.truncation import LAST_LEVEL_LIMIT, MIN_LEVELS, check_memory
from gravsim.model.description import ModelDescription
from gravsim.model.parameters import Parameters
from gravsim.model.rungs import ClassicalField

__all__ = [
    "check_covariances",
    "check_mean_amplitudes",
    "check_truncation",
    "required_levels",
]


def required_levels(occupation: float, limit: float = LAST_LEVEL_LIMIT) -> int:
    """Fewest levels N of a thermal mode with P(n ≥ N − 1) = (n/(n+1))^(N−1) ≤ ``limit``."""
    n = max(float(occupation), 0.0)
    if n == 0:
        return MIN_LEVELS
    # ln(1 + 1/n) = 1/n to float64 above n ~ 1e16, where log1p's argument no longer counts
    rate = max(math.log1p(1.0 / n), 1.0 / n)  # 0 for an infinite occupation
    levels = -math.log(limit) / rate if rate > 0 else math.inf
    return max(MIN_LEVELS, 1 + math.ceil(min(levels, 1e18)))


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
    too large for the machine's memory is refused first
    (:func:`~gravsim.fock.truncation.check_memory`).
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
