"""The regime where the approximation ladder holds, and the paper's tuning rule.

Regime measures (dimensionless; a design keeps them small, :mod:`gravsim.workflows.optimize`):

* :func:`adiabatic_epsilon` — (Ω/κ)² + (G/κ)², the order of the adiabatic elimination's
  corrections (L3 against L2); :func:`pump_adiabaticity` — (G₋/κ)² + (Ω/κ)², the same with
  the larger pump coupling G₋ ≥ G = sqrt(G₋² − G₊²), which the elimination needs small too;
* :func:`rwa_epsilon` — (κ/ω_m)² + |k_M|/ω_m, the order of the rotating-wave approximation's
  corrections (L2 against L1).

:func:`outside` names what a rung assumes and the inputs break outright: an ε of order one
(the rung's corrections as large as what it computes), a temperature no device survives.

These are a-priori orders of magnitude, not error estimates: the derived errors with their
coefficients are :mod:`gravsim.gaussian.approximation_errors` and
:mod:`gravsim.model.corrections`.  :func:`ladder_tolerance` turns an ε into how far two rungs
may differ (3ε of the quantity).

:func:`tuned` is the paper's tuning rule for Fig. 2: at another quality factor Q_m the pump
amplitudes scale as E± ∝ Q_m^{−1/2}, which keeps γ_m/Γ and the squeezing r fixed.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from gravsim.errors import GravsimWarning
from gravsim.model.collapse import sphere_radius
from gravsim.model.parameters import Parameters
from gravsim.model.units import HBAR, K_B

#: The quantities two rungs are compared on.
QUANTITIES = ("E_N_quantum", "E_N_classical", "delta_E")


def adiabatic_epsilon(p: Parameters) -> Any:
    """(Ω/κ)² + (G/κ)²: the order of the adiabatic elimination's corrections (L3 vs L2)."""
    return np.square(np.divide(p.Omega, p.kappa)) + np.square(np.divide(p.G, p.kappa))


def pump_adiabaticity(p: Parameters) -> Any:
    """(G₋/κ)² + (Ω/κ)²: :func:`adiabatic_epsilon` with the larger pump coupling G₋ ≥ G."""
    return np.square(np.divide(p.G_minus, p.kappa)) + np.square(np.divide(p.Omega, p.kappa))


def rwa_epsilon(p: Parameters) -> Any:
    """(κ/ω_m)² + |k_M|/ω_m: the order of the rotating-wave approximation's corrections."""
    return np.square(np.divide(p.kappa, p.omega_m)) + np.abs(p.k_M) / p.omega_m


#: K: above gold's melting point no device of this kind exists (its spheres are gold).
MELTING_POINT_GOLD = 1337.33

#: Rungs built on the rotating-wave approximation, and on the adiabatic elimination too.
RWA_RUNGS = ("rwa", "effective", "closed-form", "conventional")
ELIMINATED_RUNGS = ("effective", "closed-form")


def outside(p: Parameters, model: str) -> list[str]:
    """One line for each assumption of rung ``model`` that ``p`` breaks outright (empty:
    none); over a batch, where any point breaks it.

    An ε ≥ 1 means the rung's corrections are as large as the quantity it computes
    (:func:`rwa_epsilon`, :func:`pump_adiabaticity`, and tones mis-set by ω_m or more); a
    damping rate at or above ω_m leaves the weak-damping (Lindblad) baths; a temperature
    above gold's melting point, or spheres that overlap (:func:`sphere_overlap`), no
    device.  A classical model's rate against ω_m is judged with the model
    (:func:`gravsim.model.gravity.warn_validity`).  Each number is formed
    from ratios of the inputs; an overflow gives inf, which is still ≥ 1, and NaN (an
    undefined point) is not judged.
    """
    with np.errstate(all="ignore"):
        checks = [
            (
                model in RWA_RUNGS,
                rwa_epsilon(p),
                "the rotating-wave approximation does not hold: (κ/ω_m)² + |k_M|/ω_m = {} ≥ 1; "
                "use model 'linear' or 'full'",
            ),
            (
                model in ELIMINATED_RUNGS,
                pump_adiabaticity(p),
                "the adiabatic elimination of the cavity does not hold: (G₋/κ)² + (Ω/κ)² = {} "
                "≥ 1; use model 'rwa'",
            ),
            (
                model in RWA_RUNGS,
                np.maximum(np.abs(p.Delta_m), np.abs(p.Delta_c)) / p.omega_m,
                "the tones are mis-set by {} ω_m: the sideband picture under the rotating-wave "
                "approximation needs |Delta_m|, |Delta_c| well below ω_m",
            ),
            (
                True,
                np.maximum(*p.gamma_pair) / p.omega_m,
                "a mechanical damping of {} ω_m (Q below 1): the membranes' Lindblad baths "
                "assume a weakly damped oscillator, Q ≫ 1",
            ),
            (
                True,
                np.max([np.max(np.asarray(t, dtype=float)) for t in _temperatures(p)])
                / MELTING_POINT_GOLD,
                "a temperature {} times gold's melting point (1337 K): no such device exists; "
                "the numbers are the model's alone",
            ),
        ]
        found = []
        for applies, value, text in checks:
            value = np.asarray(value, dtype=float)
            worst = float(np.max(np.where(np.isnan(value), 0.0, value)))
            if applies and worst >= 1:
                found.append(text.format(f"{worst:.3g}"))
    table_radius = np.minimum(p.radius, sphere_radius(p))  # either reading of the table
    overlap = sphere_overlap(p, table_radius)
    return found + ([overlap] if overlap else [])


def sphere_overlap(p: Parameters, radius: Any) -> str | None:
    """One line where spheres of ``radius`` (m) overlap at the centre distance d (a geometry
    no device has; over a batch, the deepest overlap), else None.  Steady states judge the
    smaller of the stated ``radius`` and M and ρ's (the table's spheres touch by the first
    and overlap by 5 µm by the second); the hypotheses, whose collapse rates take M and ρ's
    sphere, judge that one."""
    d, radius = np.broadcast_arrays(np.asarray(p.d, dtype=float), np.asarray(radius))
    gap = d - 2 * radius
    if not np.any(gap < 0):
        return None
    k = np.unravel_index(int(np.argmin(gap)), gap.shape) if gap.ndim else ()
    return (
        f"the spheres overlap by {-gap[k] * 1e6:.3g} µm: a radius of {radius[k] * 1e3:.4g} mm "
        f"and d = {d[k] * 1e3:.4g} mm, less than twice it; set d above twice the radius for "
        "a geometry that exists"
    )


def warn_outside(p: Parameters, model: str, stacklevel: int = 3) -> None:
    """Each line of :func:`outside` as a :class:`~gravsim.errors.GravsimWarning` (the
    entries that solve a rung call it: steady states, transients, budgets)."""
    for line in outside(p, model):
        warnings.warn(line, GravsimWarning, stacklevel=stacklevel)


def _temperatures(p: Parameters) -> list[Any]:
    """Every bath temperature in use (K), an occupation given directly (n_th, n_c) read as
    the temperature that gives it: ħω/(k_B ln(1 + 1/n̄))."""
    out = [p.T, p.T_c] + [t for t in (p.T_a, p.T_b) if t is not None]
    baths = [(n, p.omega_m) for n in p.n_th_pair] + [(p.n_c, p.omega_c)]
    with np.errstate(all="ignore"):
        for n, omega in baths:
            n = np.asarray(n, dtype=float)
            out.append(np.where(n > 0, HBAR * omega / (K_B * np.log1p(1 / n)), 0.0))
    return out


def ladder_tolerance(q: str, eps: Any, upper: dict[str, Any], lower: dict[str, Any]) -> Any:
    """How far two rungs may differ in quantity ``q`` (one of :data:`QUANTITIES`) at a
    regime measure ``eps``: 3ε times E_N,q (for E_N,q and E_N,c) or ΔE (for ΔE), the larger
    of the two rungs'."""
    key = "delta_E" if q == "delta_E" else "E_N_quantum"
    return 3 * eps * np.maximum(np.abs(upper[key]), np.abs(lower[key]))


def tuned(p: Parameters, q_m: Any) -> Parameters:
    """``p`` at quality factor(s) ``q_m`` under the paper's tuning rule (γ_m/Γ, r fixed):
    E± (or G± where given directly) scaled by sqrt(Q_m,p / q_m)."""
    scale = np.sqrt(np.asarray(p.Q_m, dtype=float) / np.asarray(q_m, dtype=float))
    changes: dict[str, Any] = {"Q_m": q_m}
    for key, pump in (("G_plus", "E_plus"), ("G_minus", "E_minus")):
        if p.is_set_directly(key):
            changes[key] = p.G_plus * scale if key == "G_plus" else p.G_minus * scale
        else:
            changes[pump] = getattr(p, pump) * scale
    return p.replace(**changes)
