"""Gravity hypotheses beyond KTM, each a position diffusion with its rate derived from the
spheres: Diósi–Penrose (with its cut-off reading), Tilloy–Diósi, and the classical–quantum
decoherence floor (docs/physics.md, "Gravity hypotheses").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from gravsim.model.diffusion import PositionDiffusion, require, small_against
from gravsim.model.parameters import Parameters
from gravsim.model.units import ATOMIC_MASS, G_NEWTON

#: Mass of a gold atom (kg): 196.97 u.
GOLD_ATOM_MASS = 196.966570 * ATOMIC_MASS


@dataclass(frozen=True)
class DiosiPenrose(PositionDiffusion):
    """Diósi–Penrose gravitational decoherence of each sphere's centre of mass.

    The Diósi master equation (L. Diósi, Phys. Rev. A 40, 1165 (1989); rederived from hybrid
    dynamics in arXiv:1101.0672) damps ⟨x|ρ|x'⟩ at the rate [U(x − x') − U(0)]/ħ, with U(s)
    the Newtonian mutual energy of the mass distribution and its copy shifted by s.  For a
    homogeneous sphere of mass M, radius R and small shifts (s ≪ R),
    U(s) − U(0) = G M² s² / (2R³), so dρ/dt ⊃ −(G M²/2ħR³)[x̂, [x̂, ρ]] = 2κ D[a+a†]ρ
    (x̂ = x_zpf(a+a†), the physical position) with

        κ_DP = G M² x_zpf² / (2ħR³) = G M / (4 R³ ω_m) = (π/3) G ρ / ω_m,

    ρ the material density (x_zpf² = ħ/2Mω_m).  This is ΛGρ/ω_m with Λ = π/3 and equals
    gravsim's ``form-factor`` k_G (the paper's table value): twice the KTM optimum
    K_G x_zpf²/ħ of touching spheres (docs/physics.md).  The form holds for displacements
    well below the sphere radius (x_zpf ~ 10⁻¹⁶ m and a thermal amplitude ~ 10⁻¹² m at
    n̄ ~ 4×10⁶, against R = 0.25 mm).

    The cut-off reading (Diósi, J. Phys. A 40, 2989 (2007), quant-ph/0607110): the mass sits
    in nuclei, each a Gaussian of width σ (the cut-off), for σ well below the atomic spacing.
    Each nucleus of mass m_a then adds its own self-term, U(s) − U(0) = G m_a² s²/(12√π σ³)
    for s ≪ σ (from U(s) = −G m_a² erf(s/2σ)/s), and summed over the M/m_a nuclei

        κ_DP = (π/3) G ρ / ω_m + G m_a / (24√π ω_m σ³),

    larger by m_a/(8π^{3/2} ρ σ³) ≈ 4×10¹⁴ for gold at σ = 10⁻¹⁵ m.  It holds only for
    displacements below σ: :meth:`validity` says when the thermal motion is not.

    Parameters
    ----------
    kappa : float, optional
        The rate (rad/s) given directly instead of from the density.
    cutoff : float, optional
        The width σ (m) of each nucleus's mass; default: none (the homogeneous sphere).
    atom_mass : float
        Mass of one atom (kg), used with ``cutoff``; default gold's, 196.97 u.
    """

    kappa: float | None = None
    cutoff: float | None = None
    atom_mass: float = GOLD_ATOM_MASS
    mutual: str = "on"
    normalisation: str = "diosi"
    name: str = "diosi-penrose"
    label: str = "diosi_penrose"
    symbol = "κ_DP"

    def __post_init__(self) -> None:
        require(self.kappa is None or self.kappa >= 0, "Diósi–Penrose kappa must be >= 0")
        require(self.cutoff is None or self.cutoff > 0, "Diósi–Penrose cutoff must be > 0 (m)")
        require(self.atom_mass > 0, "Diósi–Penrose atom_mass must be > 0 (kg)")
        require(self.mutual in ("on", "off"), "Diósi–Penrose mutual must be on or off")
        require(
            self.normalisation in NORMALISATIONS,
            "Diósi–Penrose normalisation must be diosi or penrose",
        )

    def rates(self, p: Parameters) -> tuple[Any, Any]:
        """(κ_DP, κ_DP) in rad/s (see the class docstring), or the rate given."""
        if self.kappa is not None:
            return self.kappa, self.kappa
        kappa = homogeneous_sphere_rate(p) * NORMALISATIONS[self.normalisation]
        if self.cutoff is not None:
            with np.errstate(all="ignore"):
                nuclei = G_NEWTON * self.atom_mass / (24 * math.sqrt(math.pi) * p.omega_m)
                nuclei = nuclei / np.float64(self.cutoff) ** 3
            require(
                bool(np.all(np.isfinite(nuclei))),
                f"Diósi–Penrose cutoff {self.cutoff:g} m makes the rate G m/(ω_m cutoff³) "
                "overflow float64: give a cut-off of nuclear size or more (~1e-15 m)",
            )
            kappa = kappa + nuclei
        return kappa, kappa

    def cross_rate(self, p: Parameters) -> Any:
        """κ_ab = −G sqrt(M_a M_b)/(2ω_m d³) (rad/s, times the normalisation): the spheres'
        mutual term, −2(R/d)³ κ_DP for equal spheres (see :func:`mutual_rate`); 0 with
        ``mutual="off"`` or a rate given directly."""
        if self.mutual == "off" or self.kappa is not None:
            return 0.0
        return mutual_rate(p) * NORMALISATIONS[self.normalisation]

    def validity(self, p: Parameters, spread: Any = None) -> tuple[str, ...]:
        """The small-displacement form against the steady state's spread (and the cut-off
        against the atomic spacing)."""
        if self.kappa is not None:
            return ()
        if self.cutoff is None:
            return small_against(p, sphere_radius(p), "the sphere radius", 1e-3, self.name, spread)
        spacing = (self.atom_mass / np.max(p.rho)) ** (1 / 3)
        notes = small_against(p, self.cutoff, "the cut-off", 0.1, self.name, spread)
        if self.cutoff > 0.1 * spacing:
            notes += (
                f"{self.name}: the cut-off {self.cutoff:.3g} m is not well below the atomic "
                f"spacing {spacing:.3g} m, where nuclei do not act alone; give a cut-off below "
                f"{0.1 * spacing:.2g} m or none (the homogeneous sphere)",
            )
        return notes


@dataclass(frozen=True)
class TilloyDiosi(PositionDiffusion):
    """Tilloy–Diósi semiclassical gravity: the mass density is monitored (spontaneous
    localisation) and the Newtonian potential of the record fed back (PRD 93, 024026 (2016),
    arXiv:1509.08705).  The mean feedback is the Newtonian pair potential, so the coherent
    coupling k_M stays; the monitoring and the noise of the fed-back potential each decohere.

    With a monitoring kernel γ and the Newton kernel V(r) = G/r, the decoherence kernel is
    γ/8 + V γ⁻¹ V/(2ħ²) (a product of kernels; in Fourier space γ̃/8 + Ṽ²/(2ħ²γ̃)).  It is
    least at γ̃ = 2Ṽ/ħ, where it is V/(2ħ): Diósi's kernel, i.e. the Diósi–Penrose master
    equation — the "principle of least decoherence" of Tilloy & Diósi, PRD 96, 104045
    (2017), arXiv:1706.01856, which is the reading taken here.  A kernel λ times the least one
    gives (λ + 1/λ)/2 times it, so for each homogeneous sphere (and for the mutual term
    between the spheres, :func:`mutual_rate`, alike; ``mutual="off"`` drops it)

        κ_TD = κ_DP (λ + 1/λ) / 2,   κ_DP = (π/3) G ρ / ω_m.

    Readings that quote "twice Diósi–Penrose" take another kernel (λ = 2 + √3) or another
    normalisation of DP; set ``kernel_ratio`` for them.

    Parameters
    ----------
    kernel_ratio : float
        λ, the monitoring kernel over the least-decoherence one (default 1).
    kappa : float, optional
        The rate (rad/s) given directly.
    """

    kernel_ratio: float = 1.0
    kappa: float | None = None
    mutual: str = "on"
    name: str = "tilloy-diosi"
    label: str = "tilloy_diosi"
    symbol = "κ_TD"

    def __post_init__(self) -> None:
        require(self.kernel_ratio > 0, "Tilloy–Diósi kernel_ratio must be > 0")
        require(self.kappa is None or self.kappa >= 0, "Tilloy–Diósi kappa must be >= 0")
        require(self.mutual in ("on", "off"), "Tilloy–Diósi mutual must be on or off")

    def rates(self, p: Parameters) -> tuple[Any, Any]:
        """(κ_TD, κ_TD) in rad/s (see the class docstring), or the rate given."""
        if self.kappa is not None:
            return self.kappa, self.kappa
        lam = self.kernel_ratio
        kappa = homogeneous_sphere_rate(p) * (lam + 1 / lam) / 2
        return kappa, kappa

    def cross_rate(self, p: Parameters) -> Any:
        """The mutual term of the same kernel: Diósi–Penrose's times (λ + 1/λ)/2."""
        if self.mutual == "off" or self.kappa is not None:
            return 0.0
        lam = self.kernel_ratio
        return mutual_rate(p) * (lam + 1 / lam) / 2

    def validity(self, p: Parameters, spread: Any = None) -> tuple[str, ...]:
        """The small-displacement form against the steady state's spread."""
        if self.kappa is not None:
            return ()
        return small_against(p, sphere_radius(p), "the sphere radius", 1e-3, self.name, spread)


@dataclass(frozen=True)
class CQFloor(PositionDiffusion):
    """The least decoherence of any classical–quantum coupling that gives the Newtonian force:
    the decoherence–diffusion trade-off of Oppenheim, Sparaciari, Šoda and Weller-Davies,
    Nat. Commun. 14, 7910 (2023), arXiv:2203.01982, written for the two oscillators.

    A classical field that carries x̂_a (the physical position) to oscillator b as the force
    K_G x̂_a must be correlated with x̂_a: sourcing it decoheres a by −Λ_s[x̂_a, [x̂_a, ρ]], and
    the field's diffusion (the force noise of intensity S_F) decoheres b by
    −(S_F/2ħ²)[x̂_b, [x̂_b, ρ]].  Positivity
    (saturated where the coupling unravels as an efficient continuous measurement, with
    record noise 1/(8Λ_s); Layton, Oppenheim, Weller-Davies, arXiv:2208.11722) demands
    Λ_s · S_F/(2ħ²) ≥ K_G²/(16ħ²).  Each oscillator sources one field and feels the other, so
    with Λ_s = λ K_G/(4ħ) on both

        κ_CQ = (K_G x_zpf² / 4ħ)(λ + 1/λ) ≥ K_G x_zpf²/(2ħ) = k_G / 2,

    tunable through the diffusion (λ) with the floor at λ = 1.  The KTM rates as gravsim
    writes them (docs/physics.md) have Λ_s S_F/(2ħ²) = K_G²/(4ħ²), four times this bound, so
    the KTM optimum k_G is twice this floor.

    Parameters
    ----------
    trade_off : float
        λ: the sourcing decoherence over its value at the floor (default 1, the floor).
    """

    trade_off: float = 1.0
    name: str = "cq-floor"
    label: str = "cq_floor"
    symbol = "κ_CQ"

    def __post_init__(self) -> None:
        require(self.trade_off > 0, "cq-floor trade_off must be > 0")

    def rates(self, p: Parameters) -> tuple[Any, Any]:
        """(κ_CQ, κ_CQ) in rad/s: (k_G/4)(λ + 1/λ)."""
        lam = self.trade_off
        kappa = p.k_G * (lam + 1 / lam) / 4
        return kappa, kappa


#: κ_DP's factor in each reading: Diósi's (π/3)Gρ/ω_m, or Penrose's, twice it.
NORMALISATIONS = {"diosi": 1.0, "penrose": 2.0}


def mutual_rate(p: Parameters) -> Any:
    """The mutual term of Diósi's functional between the spheres (rad/s, Diósi's
    normalisation): κ_ab = −G sqrt(M_a M_b)/(2ω_m d³).

    For shifts Δ_a, Δ_b of the two spheres the functional's rate is
    (1/2ħ)[2E(X,X') − E(X,X) − E(X',X')], E the mutual Newtonian energy of the mass
    distributions X, X'.  Its cross part comes from W(r) = −G M_a M_b/r (spheres apart act as
    point masses): 2[W(d + x_b' − x_a) + W(d + x_b − x_a') − W(d + x_b − x_a)
    − W(d + x_b' − x_a')] = 2W''(d) Δ_a Δ_b + O(Δ³), W'' = −2G M_a M_b/d³, so the rate gains
    (W''/ħ) Δ_a Δ_b = 2c_ab Δ_a Δ_b with c_ab = −G M_a M_b/(ħd³).  The master equation's term
    is −Σ_{j≠k} c_jk [x̂_j, [x̂_k, ρ]] (x̂ the physical positions), i.e. in X = a + a†
    κ_ab = c_ab x_zpf,a x_zpf,b = −G sqrt(M_a M_b)/(2ω_m d³) = −2(R/d)³ κ_DP for equal
    spheres.  Negative: the difference coordinate decoheres faster, the centre of mass slower
    (checked against the exact two-sphere energies at finite shifts in the tests).  The
    point-mass W holds for spheres apart (d ≥ 2R); at the table's geometry they overlap by
    ~1 % of d (``gravsim hypotheses`` says so), where W'' is off at that order.
    """
    m_a, m_b = p.M_pair
    return -G_NEWTON * np.sqrt(m_a * m_b) / (2 * p.omega_m * p.d**3)


def homogeneous_sphere_rate(p: Parameters) -> Any:
    """Diósi's decoherence rate of a homogeneous sphere's centre of mass for small
    displacements, G M x_zpf²·M/(2ħR³) = (π/3) G ρ / ω_m (rad/s); independent of the radius."""
    return (math.pi / 3) * G_NEWTON * p.rho / p.omega_m


def sphere_radius(p: Parameters) -> Any:
    """The radius (m) of a homogeneous sphere of mass ``p.M`` and density ``p.rho``."""
    return (3 * p.M / (4 * math.pi * p.rho)) ** (1 / 3)
