"""Gravity models: objects that add their terms to a model description.

Every model of gravity keeps the coherent coupling k_M(a+a†)(b+b†) between the spheres
(k_M = k_G + k_others: the mean Newtonian force plus any non-gravitational one).

* :class:`QuantumGravity` adds only that coherent term.
* :class:`KTMGravity` (Kafri–Taylor–Milburn) reproduces the same mean force by continuous
  position measurement at rates Γ_a, Γ_b (N/m) and classical feedback, which adds the
  decoherence 2κ_G,a D[a+a†] + 2κ_G,b D[b+b†] with
  κ_G,a = Γ_a x_zpf²/ħ + K_G² x_zpf²/(4 Γ_b ħ) (a ↔ b likewise); at the optimum
  Γ_a = Γ_b = K_G/2 this is κ_G = K_G x_zpf²/ħ = k_G.

In a frame rotating at ω_m with the rotating-wave approximation the coherent term becomes
k_M(a†b + b†a) and D[a+a†] becomes D[a] + D[a†]; each model gives both forms.  Other LOCC
models are further classes with the same two methods (``hamiltonian`` and ``jumps``); their
dissipators belong to the ``"gravity"`` group.
"""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass
from typing import Any, Protocol

from gravsim.errors import GravsimInputError
from gravsim.model.description import HamiltonianTerm, JumpOperator, ann, cre
from gravsim.model.parameters import Parameters
from gravsim.model.units import G_NEWTON, HBAR


class GravityModel(Protocol):
    """What a gravity model provides to a rung builder."""

    name: str
    #: How results name this model's numbers: ``"quantum"`` or ``"classical"``
    #: (``E_N_quantum``, ``E_N_classical``).
    label: str

    def hamiltonian(self, p: Parameters, *, rwa: bool) -> tuple[HamiltonianTerm, ...]:
        """Coherent inter-oscillator terms."""

    def jumps(self, p: Parameters, *, rwa: bool) -> tuple[JumpOperator, ...]:
        """Dissipators the model adds (group ``"gravity"``)."""


def coherent_coupling(p: Parameters, *, rwa: bool) -> tuple[HamiltonianTerm, ...]:
    """k_M(a+a†)(b+b†), or its rotating-wave part k_M(a†b + b†a)."""
    k = p.k_M
    terms = [HamiltonianTerm(k, (cre("a"), ann("b")), True, "k_M (a†b + b†a)")]
    if not rwa:
        terms.append(HamiltonianTerm(k, (ann("a"), ann("b")), True, "k_M (ab + a†b†)"))
    return tuple(terms)


@dataclass(frozen=True)
class QuantumGravity:
    """Quantum gravity: the coherent coupling k_M only, no extra dissipation."""

    name: str = "quantum"
    label: str = "quantum"

    def hamiltonian(self, p: Parameters, *, rwa: bool) -> tuple[HamiltonianTerm, ...]:
        """The coherent coupling (see :func:`coherent_coupling`)."""
        return coherent_coupling(p, rwa=rwa)

    def jumps(self, p: Parameters, *, rwa: bool) -> tuple[JumpOperator, ...]:
        """None: quantum gravity adds no dissipation."""
        return ()


class PositionDiffusion(abc.ABC):
    """A gravity model that keeps the coherent coupling and adds position diffusion
    2κ_a D[a+a†] + 2κ_b D[b+b†] (group ``"gravity"``), or D[j] + D[j†] under the RWA.

    A subclass gives its rates (:meth:`rates`, rad/s) and the symbol its terms are printed
    with; the terms are written here once.
    """

    symbol = "κ"

    @abc.abstractmethod
    def rates(self, p: Parameters) -> tuple[Any, Any]:
        """(κ_a, κ_b) in rad/s for parameters ``p``."""

    def hamiltonian(self, p: Parameters, *, rwa: bool) -> tuple[HamiltonianTerm, ...]:
        """The coherent coupling (see :func:`coherent_coupling`)."""
        return coherent_coupling(p, rwa=rwa)

    def jumps(self, p: Parameters, *, rwa: bool) -> tuple[JumpOperator, ...]:
        """2κ D[x-like] per oscillator: D[a+a†], or D[a] + D[a†] under the RWA."""
        out: list[JumpOperator] = []
        for mode, rate in zip(("a", "b"), self.rates(p), strict=True):
            if rwa:
                out.append(
                    JumpOperator(
                        2 * rate, ((1.0, ann(mode)),), f"2{self.symbol} D[{mode}]", "gravity"
                    )
                )
                out.append(
                    JumpOperator(
                        2 * rate, ((1.0, cre(mode)),), f"2{self.symbol} D[{mode}†]", "gravity"
                    )
                )
            else:
                out.append(
                    JumpOperator(
                        2 * rate,
                        ((1.0, ann(mode)), (1.0, cre(mode))),
                        f"2{self.symbol} D[{mode}+{mode}†]",
                        "gravity",
                    )
                )
        return tuple(out)


@dataclass(frozen=True)
class KTMGravity(PositionDiffusion):
    """Classical gravity in the Kafri–Taylor–Milburn model.

    Parameters
    ----------
    Gamma_a, Gamma_b : float, optional
        Measurement rates (N/m).  Default: the optimum K_G/2 each, where κ_G = k_G.
    kappa_G : float, optional
        Decoherence rate per oscillator (rad/s) given directly; overrides the rates above
        and the parameters' own ``kappa_G``.
    """

    Gamma_a: float | None = None
    Gamma_b: float | None = None
    kappa_G: float | None = None
    name: str = "ktm"
    label: str = "classical"
    symbol = "κ_G"

    def __post_init__(self) -> None:
        for key in ("Gamma_a", "Gamma_b", "kappa_G"):
            value = getattr(self, key)
            if value is not None and not value >= 0:
                raise GravsimInputError(f"KTM {key} must be >= 0, got {value!r}")
        if (self.Gamma_a is None) != (self.Gamma_b is None):
            raise GravsimInputError(
                "give both KTM measurement rates Gamma_a and Gamma_b, or neither"
            )
        if self.Gamma_a is not None and (self.Gamma_a == 0 or self.Gamma_b == 0):
            raise GravsimInputError("KTM measurement rates must be > 0 (feedback noise ~ 1/Gamma)")

    def rates(self, p: Parameters) -> tuple[Any, Any]:
        """(κ_G,a, κ_G,b) in rad/s for parameters ``p``."""
        if self.kappa_G is not None:
            return self.kappa_G, self.kappa_G
        if self.Gamma_a is None:
            return p.kappa_G, p.kappa_G
        x2 = p.x_zpf**2
        K = p.K_G
        ka = self.Gamma_a * x2 / HBAR + K**2 * x2 / (4 * self.Gamma_b * HBAR)
        kb = self.Gamma_b * x2 / HBAR + K**2 * x2 / (4 * self.Gamma_a * HBAR)
        return ka, kb


@dataclass(frozen=True)
class DiosiPenrose(PositionDiffusion):
    """Diósi–Penrose gravitational decoherence of each sphere's centre of mass.

    The Diósi master equation (L. Diósi, Phys. Rev. A 40, 1165 (1989); rederived from hybrid
    dynamics in arXiv:1101.0672) damps ⟨x|ρ|x'⟩ at the rate [U(x − x') − U(0)]/ħ, with U(s)
    the Newtonian mutual energy of the mass distribution and its copy shifted by s.  For a
    homogeneous sphere of mass M, radius R and small shifts (s ≪ R),
    U(s) − U(0) = G M² s² / (2R³), so dρ/dt ⊃ −(G M²/2ħR³)[x, [x, ρ]] = 2κ D[a+a†]ρ with

        κ_DP = G M² x_zpf² / (2ħR³) = G M / (4 R³ ω_m) = (π/3) G ρ / ω_m,

    ρ the material density (x_zpf² = ħ/2Mω_m).  This is ΛGρ/ω_m with Λ = π/3 and equals
    gravsim's ``form-factor`` k_G (the paper's table value): twice the KTM optimum
    K_G x_zpf²/ħ of touching spheres (docs/physics.md).  The form holds for displacements
    well below the sphere radius (x_zpf ~ 10⁻¹⁶ m and a thermal amplitude ~ 10⁻¹² m at
    n̄ ~ 4×10⁶, against R = 0.25 mm).  Resolving the mass into atomic nuclei (a
    short-distance cut-off, quant-ph/0607110) raises κ by many orders; that reading is not
    built here.

    Parameters
    ----------
    kappa : float, optional
        The rate (rad/s) given directly instead of from the density.
    """

    kappa: float | None = None
    name: str = "diosi-penrose"
    label: str = "diosi_penrose"
    symbol = "κ_DP"

    def __post_init__(self) -> None:
        if self.kappa is not None and not self.kappa >= 0:
            raise GravsimInputError(f"Diósi–Penrose kappa must be >= 0, got {self.kappa!r}")

    def rates(self, p: Parameters) -> tuple[Any, Any]:
        """(κ_DP, κ_DP) in rad/s: (π/3) G ρ / ω_m, or the rate given."""
        kappa = (math.pi / 3) * G_NEWTON * p.rho / p.omega_m if self.kappa is None else self.kappa
        return kappa, kappa


def classical_in(chosen: tuple[GravityModel, ...]) -> PositionDiffusion:
    """The model that adds diffusion among ``chosen`` (KTM where there is none): the one whose
    shift V₁ a Gaussian solve computes next to the quantum state."""
    return next((g for g in chosen if isinstance(g, PositionDiffusion)), KTMGravity())


def rate(model: GravityModel, p: Parameters) -> Any:
    """κ of a gravity model for ``p`` (rad/s; 0 for quantum gravity), oscillator a's."""
    return model.rates(p)[0] if isinstance(model, PositionDiffusion) else 0.0


#: The ``gravity`` choices of every workflow: one model, or quantum and KTM compared.
CHOICES = ("quantum", "ktm", "diosi-penrose", "both")


def choose(gravity: str) -> tuple[GravityModel, ...]:
    """The gravity models a ``gravity`` choice names, with default settings: one name of
    :data:`CHOICES`, or two names ``"A,B"`` to compare (``"both"`` is ``"quantum,ktm"``).

    The one place where the text of ``--gravity`` and ``--compare`` becomes model objects.

    Raises
    ------
    GravsimInputError
        For a name outside :data:`CHOICES`, or a comparison that is not of two different
        single models.
    """
    if "," in gravity:
        names = [n.strip() for n in gravity.split(",")]
        if len(names) != 2 or len(set(names)) != 2 or "both" in names:
            raise GravsimInputError(
                f"compare {gravity!r}: give two different hypotheses A,B, e.g. quantum,ktm"
            )
        first, second = (choose(n) for n in names)
        return first + second
    if gravity == "quantum":
        return (QuantumGravity(),)
    if gravity == "ktm":
        return (KTMGravity(),)
    if gravity == "diosi-penrose":
        return (DiosiPenrose(),)
    if gravity == "both":
        return (QuantumGravity(), KTMGravity())
    raise GravsimInputError(f"unknown gravity {gravity!r}: choose one of {', '.join(CHOICES)}")
