"""The rungs of the model ladder, each built once as a :class:`ModelDescription`.

L2 ``rwa``
    Three modes a, b, c (c the cavity fluctuation δc), frame rotating at ω_m for the
    mechanics and at ω_c for the cavity, rotating-wave approximation (paper S1 Eq. 11):
    H = Ω(a†a − b†b) + k_M(a†b + b†a) + Σ_{j=a,b} [(G₋ j + G₊ j†) c† + h.c.],
    dissipators γ_m(n̄+1)D[j] + γ_m n̄ D[j†], κ D[c], and the gravity model's terms.
L3 ``effective``
    The cavity eliminated adiabatically (κ ≫ G±, Ω; paper S1 Eq. 17): two modes a, b,
    H = Ω(a†a − b†b) + k_M(a†b + b†a), the engineered reservoir as ONE collective jump
    operator Γ D[β₁ + β₂] (β₁ = a cosh r + b† sinh r, β₂ = b cosh r + a† sinh r), or, with
    ``reservoir="double"``, the form Γ(D[β₁] + D[β₂]) for comparison with the paper's Eq. 24.
``conventional``
    The comparison scheme: two oscillators at ω_m in the lab frame, coupled by
    k_M(a+a†)(b+b†) with the counter-rotating terms kept, thermal baths, no cavity.

The linearised model with its 2ω_m terms (L1, ``linear``) and the full driven model (L0,
``full``) are time dependent; their builders will add terms with a ``frequency`` and, for L0,
cubic radiation-pressure terms, to the same description type.
"""

from __future__ import annotations

import numpy as np

from .description import HamiltonianTerm, JumpOperator, ModelDescription, ann, cre
from .errors import GravsimInputError
from .gravity import GravityModel, QuantumGravity
from .parameters import Parameters

RUNGS = ("rwa", "effective", "conventional")


def thermal_baths(p: Parameters, modes: tuple[str, ...] = ("a", "b")) -> tuple[JumpOperator, ...]:
    """γ_m(n̄+1)D[j] + γ_m n̄ D[j†] for each mechanical mode j, written as
    γ_m D[j] + γ_m n̄ (D[j] + D[j†]).

    The two forms are the same dissipator; the second keeps the drift −γ_m/2 exact at
    n̄ ≈ 4×10⁶ (the pair D[j] + D[j†] with one rate has exactly opposite drifts, whereas
    γ_m(n̄+1)/2 − γ_m n̄/2 would lose 7 digits).
    """
    out: list[JumpOperator] = []
    for j in modes:
        heating = p.gamma_m * p.n_th
        out.append(JumpOperator(p.gamma_m, ((1.0, ann(j)),), f"γ_m D[{j}]"))
        out.append(JumpOperator(heating, ((1.0, ann(j)),), f"γ_m n̄ D[{j}]"))
        out.append(JumpOperator(heating, ((1.0, cre(j)),), f"γ_m n̄ D[{j}†]"))
    return tuple(out)


def frequency_difference(p: Parameters) -> tuple[HamiltonianTerm, ...]:
    """Ω(a†a − b†b): the oscillators' detuning from ω_m in the rotating frame."""
    return (
        HamiltonianTerm(p.Omega, (cre("a"), ann("a")), False, "Ω a†a"),
        HamiltonianTerm(-np.asarray(p.Omega), (cre("b"), ann("b")), False, "−Ω b†b"),
    )


def rwa(p: Parameters, gravity: GravityModel | None = None) -> ModelDescription:
    """L2: the linearised three-mode model after the rotating-wave approximation."""
    gravity = gravity or QuantumGravity()
    cavity: list[HamiltonianTerm] = []
    for j in ("a", "b"):
        cavity.append(HamiltonianTerm(p.G_minus, (cre("c"), ann(j)), True, f"G₋ ({j} c† + h.c.)"))
        cavity.append(HamiltonianTerm(p.G_plus, (cre("c"), cre(j)), True, f"G₊ ({j}† c† + h.c.)"))
    return ModelDescription(
        rung="rwa",
        modes=("a", "b", "c"),
        hamiltonian=frequency_difference(p) + gravity.hamiltonian(p, rwa=True) + tuple(cavity),
        jumps=thermal_baths(p)
        + (JumpOperator(p.kappa, ((1.0, ann("c")),), "κ D[c]"),)
        + gravity.jumps(p, rwa=True),
        parameters=p,
        gravity=gravity,
        frame="mechanics rotating at ω_m, cavity at ω_c; displaced by the classical field",
        notes=("rotating-wave approximation: terms at 2ω_m dropped (needs ω_m ≫ κ, G±)",),
    )


def effective(
    p: Parameters, gravity: GravityModel | None = None, *, reservoir: str = "collective"
) -> ModelDescription:
    """L3: the two-mode model with the cavity eliminated.

    Parameters
    ----------
    p : Parameters
    gravity : GravityModel, optional
        Default :class:`~gravsim.gravity.QuantumGravity`.
    reservoir : {"collective", "double"}
        ``"collective"`` (the physical result of the elimination): Γ D[β₁ + β₂].
        ``"double"``: Γ(D[β₁] + D[β₂]), the form the paper's Eq. 24 belongs to.
    """
    gravity = gravity or QuantumGravity()
    ch, sh = np.cosh(p.r), np.sinh(p.r)
    if reservoir == "collective":
        res = (
            JumpOperator(
                p.Gamma,
                ((ch, ann("a")), (ch, ann("b")), (sh, cre("a")), (sh, cre("b"))),
                "Γ D[β₁ + β₂]",
            ),
        )
    elif reservoir == "double":
        res = (
            JumpOperator(p.Gamma, ((ch, ann("a")), (sh, cre("b"))), "Γ D[β₁]"),
            JumpOperator(p.Gamma, ((ch, ann("b")), (sh, cre("a"))), "Γ D[β₂]"),
        )
    else:
        raise GravsimInputError(f"unknown reservoir form {reservoir!r}: use collective or double")
    return ModelDescription(
        rung="effective",
        modes=("a", "b"),
        hamiltonian=frequency_difference(p) + gravity.hamiltonian(p, rwa=True),
        jumps=thermal_baths(p) + res + gravity.jumps(p, rwa=True),
        parameters=p,
        gravity=gravity,
        frame="mechanics rotating at ω_m",
        notes=(
            "rotating-wave approximation (ω_m ≫ κ)",
            "adiabatic elimination of the cavity: errors of order (Ω/κ)², (G/κ)²",
            f"{reservoir} reservoir",
        ),
    )


def conventional(p: Parameters, gravity: GravityModel | None = None) -> ModelDescription:
    """The conventional scheme: gravity alone couples two thermal oscillators (lab frame)."""
    gravity = gravity or QuantumGravity()
    free = tuple(
        HamiltonianTerm(p.omega_m, (cre(j), ann(j)), False, f"ω_m {j}†{j}") for j in ("a", "b")
    )
    return ModelDescription(
        rung="conventional",
        modes=("a", "b"),
        hamiltonian=free + gravity.hamiltonian(p, rwa=False),
        jumps=thermal_baths(p) + gravity.jumps(p, rwa=False),
        parameters=p,
        gravity=gravity,
        frame="laboratory frame, counter-rotating terms kept",
        notes=("no cavity; both oscillators at ω_m",),
    )


def build(rung: str, p: Parameters, gravity: GravityModel | None = None) -> ModelDescription:
    """Build the rung called ``rung`` (one of :data:`RUNGS`)."""
    builders = {"rwa": rwa, "effective": effective, "conventional": conventional}
    if rung not in builders:
        raise GravsimInputError(f"unknown model {rung!r}: choose one of {', '.join(RUNGS)}")
    return builders[rung](p, gravity)
