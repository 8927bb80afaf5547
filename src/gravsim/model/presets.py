"""Named parameter sets, each with the source it comes from.

``paper``
    Table S3 of the paper as printed: k_G = κ_G = 2π·7×10⁻¹⁰ rad/s given directly (the
    form-factor value GρΛ/ω_m with Λ = π/3 is 2π·6.83×10⁻¹⁰ rad/s), K_others = 0,
    Q_m = 2.5×10¹⁰, T = 10 mK (n̄ ≈ 4.2×10⁶).
``paper-point-mass``
    The same point with k_G from first principles: K_G = 2GM²/d³, x_zpf = sqrt(ħ/2Mω_m),
    M = 1.3 mg, which gives k_G ≈ 2π·3.5×10⁻¹⁰ rad/s, about half the table's value.
``small``
    A scaled point for Fock-space work, rates in units of κ (κ = 1 rad/s): occupations
    ≈ 0.4, so a truncation of ~10 levels per mode converges; the same regime ordering as
    the paper (κ ≫ G±, Ω; Ω ≳ Γ; ω_m ≫ κ) but with n̄ = 0.5 and gravity rates enlarged to
    k_G = κ_G = 0.01 so that ΔE is of order 10⁻².  G₊ = 0.1, G₋ = 0.2 come from a weak
    single-photon coupling g = 0.05 (g/κ = 0.05, as on ``driven``) and pump amplitudes
    E± = |c±|·sqrt(ω_m² + κ²/4) with |c₊| = 2, |c₋| = 4: the linearisation L0 → L1 is then
    an approximation in (g/κ)² (the paper's g = 2π rad/s with κ = 1 would make g/κ ≈ 6, and
    "linearised" would mean nothing at 0.016-photon amplitudes).
``small-weak``
    As ``small`` with a ten times larger cavity decay relative to the mechanics (κ = 1,
    G± and Ω ten times smaller, γ_m and k_G = κ_G a hundred times smaller so that Γ
    still dominates the thermal noise), closer to the adiabatic limit.
``driven``
    A scaled point for the full driven model (L0) in Fock space, rates in units of κ = 1 rad/s:
    ω_m = 5 (the paper's ω_m/κ), Ω = 0.3, γ_m = 0.02, G₊ = 0.15, G₋ = 0.3, n̄ = 0.3,
    k_G = κ_G = 0.02 and a weak single-photon coupling g = 0.05 (so |c₊| = 3, |c₋| = 6);
    its slowest relaxation rate, 0.12 rad/s, is a few periods, so L0's periodic state is
    reached in tens of periods.  Mechanical occupations ≈ 0.33, cavity ≈ 0.03.
"""

from __future__ import annotations

import math

from gravsim.errors import GravsimInputError
from gravsim.model.parameters import Parameters

_TABLE_S3 = (
    "paper table S3 (Quantum-classical gravity distinction in reservoir-engineered "
    "massive quantum system)"
)

#: ``small``'s single-photon coupling (rad/s) and intracavity amplitudes |c₊|, |c₋|: g ≪ κ, so
#: that L0 differs from its linearisation L1 by a small (g/κ)² and the L0-vs-L1 check tests it.
_SMALL_G = 0.05
_SMALL_CAVITY = (2.0, 4.0)

PRESETS: dict[str, Parameters] = {
    "paper": Parameters(
        overrides={"k_G": 2 * math.pi * 7e-10},
        source=_TABLE_S3 + "; k_G = kappa_G = 2pi x 7e-10 rad/s as printed",
    ),
    "paper-point-mass": Parameters(
        kG_convention="point-mass",
        source=_TABLE_S3 + "; k_G from K_G = 2GM^2/d^3 with M = 1.3 mg, d = 0.5 mm",
    ),
    "small": Parameters(
        omega_m=20.0,
        Omega=0.2,
        kappa=1.0,
        gamma_m=0.01,
        g=_SMALL_G,
        E_plus=_SMALL_CAVITY[0] * math.hypot(20.0, 0.5),
        E_minus=_SMALL_CAVITY[1] * math.hypot(20.0, 0.5),
        overrides={"n_th": 0.5, "k_G": 0.01},
        source="gravsim scaled point for Fock work (rates in units of kappa = 1 rad/s; "
        "g = 0.05 << kappa, pumps for |c+| = 2, |c-| = 4, so G+ = 0.1, G- = 0.2)",
    ),
    "small-weak": Parameters(
        omega_m=20.0,
        Omega=0.02,
        kappa=1.0,
        gamma_m=1e-4,
        overrides={
            "G_plus": 0.01,
            "G_minus": 0.02,
            "n_th": 0.5,
            "k_G": 1e-4,
        },
        source="gravsim scaled point near the adiabatic limit (rates in units of kappa = 1 rad/s)",
    ),
    "driven": Parameters(
        omega_m=5.0,
        Omega=0.3,
        kappa=1.0,
        gamma_m=0.02,
        g=0.05,
        overrides={
            "G_plus": 0.15,
            "G_minus": 0.3,
            "n_th": 0.3,
            "k_G": 0.02,
        },
        source="gravsim scaled point for the full driven model (rates in units of kappa = 1 rad/s)",
    ),
}


def get(name: str) -> Parameters:
    """Return the preset called ``name``.

    Raises
    ------
    GravsimInputError
        If there is no such preset (the message lists the known ones).
    """
    try:
        return PRESETS[name]
    except KeyError:
        raise GravsimInputError(
            f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}"
        ) from None


def names() -> list[str]:
    """Names of all presets."""
    return list(PRESETS)
