"""The regime where the approximation ladder holds, and the paper's tuning rule.

Regime measures (dimensionless; a design keeps them small, :mod:`gravsim.workflows.optimize`):

* :func:`adiabatic_epsilon` — (Ω/κ)² + (G/κ)², the order of the adiabatic elimination's
  corrections (L3 against L2); :func:`pump_adiabaticity` — (G₋/κ)² + (Ω/κ)², the same with
  the larger pump coupling G₋ ≥ G = sqrt(G₋² − G₊²), which the elimination needs small too;
* :func:`rwa_epsilon` — (κ/ω_m)² + |k_M|/ω_m, the order of the rotating-wave approximation's
  corrections (L2 against L1).

These are a-priori orders of magnitude, not error estimates: the derived errors with their
coefficients are :mod:`gravsim.gaussian.approximation_errors` and
:mod:`gravsim.model.corrections`.  :func:`ladder_tolerance` turns an ε into how far two rungs
may differ (3ε of the quantity).

:func:`tuned` is the paper's tuning rule for Fig. 2: at another quality factor Q_m the pump
amplitudes scale as E± ∝ Q_m^{−1/2}, which keeps γ_m/Γ and the squeezing r fixed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gravsim.model.parameters import Parameters

#: The quantities two rungs are compared on.
QUANTITIES = ("E_N_quantum", "E_N_classical", "delta_E")


def adiabatic_epsilon(p: Parameters) -> Any:
    """(Ω/κ)² + (G/κ)²: the order of the adiabatic elimination's corrections (L3 vs L2)."""
    return (p.Omega / p.kappa) ** 2 + (p.G / p.kappa) ** 2


def pump_adiabaticity(p: Parameters) -> Any:
    """(G₋/κ)² + (Ω/κ)²: :func:`adiabatic_epsilon` with the larger pump coupling G₋ ≥ G."""
    return (p.G_minus / p.kappa) ** 2 + (p.Omega / p.kappa) ** 2


def rwa_epsilon(p: Parameters) -> Any:
    """(κ/ω_m)² + |k_M|/ω_m: the order of the rotating-wave approximation's corrections."""
    return (p.kappa / p.omega_m) ** 2 + np.abs(p.k_M) / p.omega_m


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
