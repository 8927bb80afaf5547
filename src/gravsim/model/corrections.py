"""What two approximations of the ladder drop, written apart from the rungs as their check.

* :func:`rwa_second_order`: the rotating-wave approximation's leading corrections, as terms
  added to the L2 model (below);
* :func:`radiation_pressure_nonlinearity`: the cubic term g(j + j†)δc†δc that the
  linearisation L0 → L1 drops, on its own, for the second-order response of L1 to it
  (:func:`gravsim.fock.harmonic_balance.second_order_shift`).

The rotating-wave approximation's corrections.

L1 (``linear``) is L2 (``rwa``) plus the counter-rotating terms at ±2ω_m (module
:mod:`gravsim.model.rungs`).  In L2's frame, with A = a + b,

    H₁(t) − H₂ = h e^{−2iω_m t} + h† e^{2iω_m t},    h = G₊ c†A + G₋ cA + k_M ab,

(with each oscillator's own couplings, h = c†U + cV + k_M ab, U = Σ_j G₊,j j, V = Σ_j G₋,j j;
the formulas below are written for that general case and read as shown for G±,j = G±),

where G₊c†j e^{−2iω_m t} is the other half of δc†c₊ x_j(t), G₋cj the conjugate of
G₋c†j† e^{2iω_m t}, and k_M ab the counter-rotating half of k_M(a+a†)(b+b†).  Their leading
effect on the slow dynamics is of second order in 1/ω_m:

* coherent, from the time average of the second-order Dyson term (James' effective
  Hamiltonian for a single detuning, H_eff = [h†, h]/(2ω_m)):

      δH = −(G²/2ω_m) A†A − ((G₊² + G₋²)/ω_m) c†c − (G₊G₋/ω_m)(c² + c†²)
           − (k_M/2ω_m)[(G₋A + G₊A†)c† + h.c.] − (k_M²/2ω_m)(a†a + b†b),

  with G² = G₋² − G₊²: a common shift and a beam splitter of the mechanics (the optical spring
  of the counter-rotating sidebands), a shift and squeezing of the cavity, and — first order in
  k_M/ω_m — a rescaling of the cavity couplings by the counter-rotating gravity term;
* dissipative, from the cavity's decay during the off-resonant excursions (the Lorentzian
  weight of the cavity at detuning 2ω_m, the resolved-sideband limit of radiation-pressure
  cooling): G₊²κ/(κ²/4 + 4ω_m²) D[A] (a phonon removed by the counter-rotating red process)
  and G₋²κ/(κ²/4 + 4ω_m²) D[A†] (one added by the counter-rotating blue process); in general
  κ/(κ²/4 + 4ω_m²)(D[U] + D[V†]), and δH = [h†, h]/(2ω_m) with (U†U − V†V)/(2ω_m) for the
  spring, −Σ(G₊,j² + G₋,j²)/(2ω_m) c†c, −Σ G₊,jG₋,j/(2ω_m)(c² + h.c.) and
  −(k_M/2ω_m)[c†(G₋,b a + G₋,a b + G₊,b a† + G₊,a b†) + h.c.].  A detuned cavity shifts the
  sidebands' detuning 2ω_m by Δ_c, a correction of order Δ_c/ω_m to these, left out; with
  mis-set tones ω_m here is ν = ω_m − Δ_m, the frame's (and the sidebands') frequency.

Relative to the reservoir rate Γ = 4G²/κ these are of order κ/ω_m (coherent; their effect on E_N
is even in the shift, so second order) and (κ/ω_m)² (dissipative), and k_M/ω_m for the gravity
cross term.  Left out, as of higher order: the counter-rotating parts of the KTM dissipator
(κ_G·G/ω_m), the 2ω_m modulation u(t) of the cavity frequency that L1 keeps ((G²/ω_m)²/ω_m), and
the κ²/ω_m² corrections of the coherent coefficients.  The correction is used by
:mod:`gravsim.gaussian.approximation_errors` as the rotating-wave error estimate; measured
against the exact L1 Floquet state it gives L1 − L2 to 0.1–1 % at ``paper`` and
``small-weak`` (ω_m/κ = 5 and 20) and to 0.8–1.2× on ``small`` and ``driven``.
"""

from __future__ import annotations

import dataclasses

from gravsim.model.description import (
    HamiltonianTerm,
    JumpOperator,
    ModelDescription,
    ann,
    cre,
)
from gravsim.model.gravity import GravityModel, QuantumGravity
from gravsim.model.parameters import Parameters
from gravsim.model.rungs import rwa


def counter_rotating_terms(
    p: Parameters,
) -> tuple[tuple[HamiltonianTerm, ...], tuple[JumpOperator, ...]]:
    """δH and the dissipators of the module docstring, in L2's frame (rates in rad/s)."""
    w, kap, km = p.tone_spacing, p.kappa, p.k_M  # ν: ω_m for tones set right
    u, v = p.G_plus_pair, p.G_minus_pair  # G₊,j and G₋,j: h = c†U + cV + k_M ab
    terms = [
        HamiltonianTerm(
            (u[0] * u[0] - v[0] * v[0]) / (2 * w), (cre("a"), ann("a")), False, "spring a"
        ),
        HamiltonianTerm(
            (u[1] * u[1] - v[1] * v[1]) / (2 * w), (cre("b"), ann("b")), False, "spring b"
        ),
        HamiltonianTerm(
            (u[0] * u[1] - v[0] * v[1]) / (2 * w), (cre("a"), ann("b")), True, "spring ab"
        ),
    ]
    squares, product = sum(x * x for x in (*u, *v)), u[0] * v[0] + u[1] * v[1]
    terms.append(HamiltonianTerm(-squares / (2 * w), (cre("c"), ann("c")), False, "cavity shift"))
    terms.append(HamiltonianTerm(-product / (2 * w), (ann("c"), ann("c")), True, "c² + h.c."))
    for j, other in (("a", 1), ("b", 0)):  # −(k_M/2ω_m)[c†(v_k j + u_k j†) + h.c.], k ≠ j
        terms.append(HamiltonianTerm(-km * v[other] / (2 * w), (cre("c"), ann(j)), True, "k_M G₋"))
        terms.append(HamiltonianTerm(-km * u[other] / (2 * w), (cre("c"), cre(j)), True, "k_M G₊"))
        terms.append(HamiltonianTerm(-(km**2) / (2 * w), (cre(j), ann(j)), False, "k_M² shift"))
    weight = kap / (kap**2 / 4 + 4 * w**2)
    jumps = (
        JumpOperator(weight, ((u[0], ann("a")), (u[1], ann("b"))), "counter-rotating red D[U]"),
        JumpOperator(weight, ((v[0], cre("a")), (v[1], cre("b"))), "counter-rotating blue D[V†]"),
    )
    return tuple(terms), jumps


def rwa_second_order(p: Parameters, gravity: GravityModel | None = None) -> ModelDescription:
    """L2 with the counter-rotating sidebands' second-order terms added (module docstring)."""
    base = rwa(p, gravity)
    terms, jumps = counter_rotating_terms(p)
    return dataclasses.replace(
        base,
        hamiltonian=base.hamiltonian + terms,
        jumps=base.jumps + jumps,
        notes=(*base.notes, "plus the counter-rotating sidebands to second order in 1/ω_m"),
    )


def radiation_pressure_nonlinearity(p: Parameters) -> ModelDescription:
    """H₃ = Σ_j g_j (j + j†) δc†δc, the radiation pressure of the cavity's fluctuations that L1
    drops, in L1's frame (mechanics rotating at ω_m: (j e^{−iω_m t} + j† e^{iω_m t}) δc†δc).

    No dissipators: it is a perturbation to add to L1's Liouvillian.  In the displaced frame
    of L0 this is the only term of the full model beyond quadratic order, so L0 = L1 + H₃
    exactly (same orbit, same frame), and L0 − L1 starts at second order in g (H₃ is odd
    under the total parity that L1 conserves: first-order changes of ρ are odd and leave E_N
    unchanged).
    """
    w = float(p.omega_m)
    terms = tuple(
        HamiltonianTerm(g_j, (ann(j), cre("c"), ann("c")), True, f"g_{j} ({j} + {j}†) δc†δc", w)
        for j, g_j in zip("ab", p.g_pair, strict=True)
    )
    return ModelDescription(
        rung="radiation pressure",
        modes=("a", "b", "c"),
        hamiltonian=terms,
        jumps=(),
        parameters=p,
        gravity=QuantumGravity(),
        frame="mechanics rotating at ω_m",
        notes=("the cubic term dropped by the linearisation",),
    )


__all__ = ["counter_rotating_terms", "radiation_pressure_nonlinearity", "rwa_second_order"]
