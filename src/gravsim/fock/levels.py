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

The same state predicts the truncation error (:func:`ladder_tails`: the tails of the model
in :func:`gravsim.fock.truncation.estimate_series`), and with it the levels chosen where none
are given (:func:`choose_levels`: the cheapest truncation predicted to meet a target, within
a time budget).

The Fock truncation policy's one home.  The Gaussian state is passed in (``state``,
``states``: any :class:`~gravsim.analysis.states.MechanicalState` with ``covariance`` and
``modes``, from :func:`gravsim.gaussian.steady_state` or the Floquet state), so that the Fock
backend still never imports the Gaussian one: the workflows (steady, evolve, validate) solve
the Gaussian state and call these checks; the solvers never read it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.special

from gravsim.analysis.fock_tails import gaussian_tail, negativity_tail, thermal_tail
from gravsim.analysis.states import MechanicalState
from gravsim.errors import NumericalError, OutOfRegimeError
from gravsim.fock import truncation
from gravsim.fock.truncation import (
    COMPARISONS,
    LAST_LEVEL_LIMIT,
    MIN_LEVELS,
    Ladder,
    Tails,
    check_memory,
    ladder,
)
from gravsim.model.classical_field import ClassicalField
from gravsim.model.description import ModelDescription
from gravsim.model.parameters import Parameters

#: Most levels per mode a Fock space is asked to hold (beyond: out of reach).
REACH = 60

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
    rate = math.log1p(1.0 / n)  # accurate down to 1/n ~ 1e-308; 0 for an infinite occupation
    levels = -math.log(limit) / rate if rate > 0 else math.inf
    return max(MIN_LEVELS, 1 + math.ceil(min(levels, 1e18)))


def check_truncation(
    model: ModelDescription, dims: tuple[int, ...], state: Any
) -> dict[str, float]:
    """Refuse ``dims`` if ``state``, ``model``'s Gaussian steady state, predicts too much
    population above them.

    Returns the Gaussian occupations used.

    Raises
    ------
    OutOfRegimeError
        Naming the mode, its occupation, the population above the truncation and the number
        of levels needed (or that the point is out of reach of Fock spaces).
    """
    check_memory(dims, factorised=True)
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
            need = _levels_needed(mode, block)
            raise OutOfRegimeError(
                f"truncation too small: mode {mode} (occupation {n:.3g}) would hold "
                f"~{tail:.1e} of its population at or above its highest level {levels - 1} "
                f"(limit {LAST_LEVEL_LIMIT:g}); use {_flag(mode)} {need} or more"
            )


def _flag(mode: str) -> str:
    return "`n_cav`" if mode == "c" else "`n_mech`"


def _levels_needed(mode: str, block: np.ndarray) -> int:
    """Fewest levels that leave at most :data:`LAST_LEVEL_LIMIT` of a mode (2×2 covariance
    ``block``) at or above its highest level.

    Raises
    ------
    OutOfRegimeError
        Where that is more than :data:`REACH` levels (out of reach of Fock spaces).
    """
    n = 0.5 * float(block[0, 0] + block[1, 1] - 1.0)
    need = required_levels(n)
    if n < REACH:  # a squeezed marginal needs at least the thermal count
        while gaussian_tail(block, need - 1) > LAST_LEVEL_LIMIT:
            need += 1
    if need > REACH:
        raise OutOfRegimeError(
            f"Fock space out of reach: mode {mode} has occupation {n:.3g}, which needs "
            f"~{need:.3g} levels per mode; use `backend='gaussian'` (exact for this rung)"
        )
    return need


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


# --- the truncation error predicted from the Gaussian state, and levels chosen by it ---

#: The tail model's amplitude assumed before solving: E_N's error at N levels is c·t(N)
#: (:func:`gravsim.fock.truncation.estimate_series`), c measured 0.8–8 over random points of
#: both rungs and ~1–5 on the presets, and the bound reported after solving is ≈ 2.5 c·t.
PREDICTED_AMPLITUDE = 10.0
#: Fewest mechanical levels chosen automatically: a ladder below N = 6 has too few values
#: in the asymptotic convergence (:data:`~gravsim.fock.truncation.LOWEST_LEVELS`).
AUTO_MIN_MECH = 6
AUTO_MIN_CAV = 3
#: Solve time of one truncation (both hypotheses from one factorisation), s, as
#: SOLVE_SECONDS × (Liouville dimension / 10⁴)^SOLVE_EXPONENT: a rough fit on 2 shared cores
#: (MKL PARDISO two-mode, the cavity split three-mode, 10⁴–1.6×10⁵): 2–4× pessimistic on
#: ``small`` and ``paper`` (8×8×4: 7.8 s measured, 14.7 predicted), 2× optimistic on
#: ``driven``'s 8×8×5 (67 s, 31), where the reservoir's shift takes many back-substitutions.
SOLVE_SECONDS = 0.6
SOLVE_EXPONENT = 1.7


@dataclass(frozen=True)
class Choice:
    """Levels chosen from the Gaussian state: the truncation, its predicted error (largest
    E_N bound over the hypotheses), its predicted wall time (s) and how it was chosen."""

    dims: tuple[int, ...]
    predicted_error: float
    predicted_time: float
    how: str


def ladder_tails(state: MechanicalState, plan: Ladder) -> Tails:
    """The tail model's t at every mechanical truncation of ``plan`` (the requested last)
    and, with a cavity, its τ(N) = P(n_c ≥ N − 1) at N_c + 1 (the cavity comparison's) and
    N_c."""
    modes, k = state.modes, state.modes.index("a")
    mech = state.mechanical_covariance
    t = tuple(negativity_tail(mech, d[k]) for d in (*plan.mechanics, plan.dims))
    if "c" not in modes:
        return Tails(t)
    n_cav = plan.dims[modes.index("c")]
    return Tails(t, (_cavity_tail(state, n_cav + 1), _cavity_tail(state, n_cav)))


def solve_time(model: ModelDescription, dims: tuple[int, ...], comparisons: int) -> float:
    """Predicted wall time (s) of a ladder at ``dims`` (:data:`SOLVE_SECONDS`)."""
    plan = ladder(model, dims, comparisons)
    return sum(SOLVE_SECONDS * (math.prod(d) ** 2 / 1e4) ** SOLVE_EXPONENT for d in plan.sizes)


def choose_levels(
    descriptions: dict[str, ModelDescription],
    target: float,
    budget: float,
    n_mech: int | None = None,
    n_cav: int | None = None,
    strict: bool = False,
    *,
    states: list[Any],
) -> Choice:
    """The cheapest truncation whose predicted E_N error is ≤ ``target`` (nats) for every
    description, from their Gaussian ``states`` (one each, in order); ``n_mech``/``n_cav``
    fixed where given, or with ``strict`` (a tolerance asked for) the least levels tried.

    Predicted error of N mechanical and N_c cavity levels: :data:`PREDICTED_AMPLITUDE` ×
    (t(N) + τ(N_c)) (:func:`ladder_tails`), the largest over the descriptions.  Predicted
    time: :func:`solve_time`.  Where the cheapest such truncation would take more than
    ``budget`` seconds, or does not fit in memory: with ``strict``, a
    :class:`~gravsim.errors.NumericalError`; otherwise the most accurate truncation within
    them, saying so.

    Raises
    ------
    OutOfRegimeError
        A mode that needs more than :data:`REACH` levels (out of reach of Fock spaces).
    NumericalError
        With ``strict``, a target that no truncation reaches within budget and memory.
    """
    first = next(iter(descriptions.values()))
    mech_range, cav_range = _ranges(states, n_mech, n_cav, grow=strict)
    mech = [{n: negativity_tail(s.mechanical_covariance, n) for n in mech_range} for s in states]
    cav = [{c: _cavity_tail(s, c) for c in cav_range} for s in states]
    errors = {
        (n, c): PREDICTED_AMPLITUDE * max(m[n] + t[c] for m, t in zip(mech, cav, strict=True))
        for n in mech_range
        for c in cav_range
    }
    dims = {key: _dims(first, *key) for key in errors}
    free = truncation.available_memory()  # (through the module: tests replace it)
    fits = [k for k in errors if truncation.memory_need(dims[k], factorised=True) <= free]
    times = {k: solve_time(first, dims[k], COMPARISONS) for k in fits}
    good = [k for k in fits if errors[k] <= target]
    best = min(good, key=times.__getitem__) if good else None
    text = f"target {target:g}"
    if best is not None and times[best] <= budget:
        how = f"auto: Gaussian tails, predicted error {errors[best]:.1g} ({text})"
        return Choice(dims[best], errors[best], times[best], how)
    need = _needed_text(first, errors, target, budget, times, free)
    if strict or not fits:
        raise NumericalError(f"{text} {need}: raise the tolerance, or give `n_mech`/`n_cav`")
    within = [k for k in fits if times[k] <= budget] or [min(fits, key=times.__getitem__)]
    pick = min(within, key=errors.__getitem__)
    how = (
        f"auto: Gaussian tails; {text} {need}: chose {dims_text(dims[pick])} (predicted error "
        f"{errors[pick]:.1g}, ~{times[pick]:.0f} s); ask for the target with `tol`"
    )
    return Choice(dims[pick], errors[pick], times[pick], how)


def _ranges(
    states: list, n_mech: int | None, n_cav: int | None, grow: bool = False
) -> tuple[range, range]:
    """Candidate mechanical and cavity levels: from the fewest that hold each mode
    (:func:`_levels_needed`) to :data:`REACH`; a number given is the only one, or with
    ``grow`` (a tolerance to reach) the first."""
    need = {m: 0 for m in states[0].modes}
    for state in states:
        for k, mode in enumerate(state.modes):
            block = state.covariance[2 * k : 2 * k + 2, 2 * k : 2 * k + 2]
            need[mode] = max(need[mode], _levels_needed(mode, block))
    low_mech = max(AUTO_MIN_MECH, need["a"], need["b"])
    mech = range(low_mech, REACH + 1)
    if n_mech is not None:  # growing: from the levels given, or the fewest that hold the mode
        mech = range(max(n_mech, low_mech), REACH + 1) if grow else range(n_mech, n_mech + 1)
    if "c" not in need:
        return mech, range(0, 1)
    low_cav = max(AUTO_MIN_CAV, need["c"])
    cav = range(low_cav, REACH // 4)
    if n_cav is not None:
        cav = (
            range(max(n_cav, low_cav), max(REACH // 4, n_cav + 1))
            if grow
            else range(n_cav, n_cav + 1)
        )
    return mech, cav


def _cavity_tail(state: MechanicalState, levels: int) -> float:
    """τ(N_c) = P(n_c ≥ N_c − 1) of the state's cavity (0 without one)."""
    if "c" not in state.modes:
        return 0.0
    k = state.modes.index("c")
    return gaussian_tail(state.covariance[2 * k : 2 * k + 2, 2 * k : 2 * k + 2], levels - 1)


def _dims(model: ModelDescription, n: int, c: int) -> tuple[int, ...]:
    return tuple(c if m == "c" else n for m in model.modes)


def dims_text(dims: tuple[int, ...]) -> str:
    """``"12x12x5"``."""
    return "x".join(map(str, dims))


def _needed_text(model, errors, target, budget, times, free) -> str:
    """'needs about NxNxC levels (~T s predicted), beyond the B s budget' (or the memory) for
    a refusal or a note."""
    reach = [k for k in errors if errors[k] <= target]
    if not reach:
        shape = dims_text(_dims(model, *max(errors)))
        return f"needs more than {shape} levels (beyond {REACH} per mode)"
    timed = [k for k in reach if k in times]
    if not timed:  # every truncation reaching it is too large for the memory
        need = min(reach, key=lambda k: math.prod(_dims(model, *k)))
        gib = truncation.memory_need(_dims(model, *need), factorised=True) / 2**30
        return (
            f"needs about {dims_text(_dims(model, *need))} levels, whose LU needs more than "
            f"{gib:.3g} GiB ({free / 2**30:.3g} GiB available)"
        )
    best = min(timed, key=times.__getitem__)
    return (
        f"needs about {dims_text(_dims(model, *best))} levels (~{times[best]:.0f} s predicted), "
        f"beyond the {budget:.0f} s budget"
    )
