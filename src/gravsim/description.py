"""Plain-data description of a master equation: modes, Hamiltonian terms, jump operators.

A :class:`ModelDescription` is what every backend reads:

* the Gaussian backend turns quadratic Hamiltonian terms and linear jump operators into a
  drift matrix A and a diffusion matrix D by one general rule (``gaussian.drift_diffusion``);
* the Fock backend multiplies the same ladder operators on truncated spaces.

Nothing here knows about a particular rung of the model ladder: the rungs are built in
:mod:`gravsim.models` from these pieces.  Coefficients may be NumPy arrays (one entry per
parameter point), which the Gaussian backend broadcasts over.

The master equation described is (ħ = 1, rates in rad/s)

    dρ/dt = −i[H, ρ] + Σ_k rate_k D[L_k]ρ,    D[L]ρ = LρL† − ½{L†L, ρ},
    H = Σ_terms (coeff · op₁ op₂ … + h.c. if ``hermitian_conjugate``),
    L_k = Σ_j c_j op_j.

A term may carry a time dependence exp(−i ν t) on its coefficient (``frequency`` ν, rad/s),
which leaves room for the time-periodic linearised model (L1) and the driven full model (L0);
the time-independent rungs use ν = 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Ladder:
    """One ladder operator: ``mode`` (a name from the model's modes), annihilation or creation."""

    mode: str
    dagger: bool = False

    def __str__(self) -> str:
        return f"{self.mode}†" if self.dagger else self.mode


def ann(mode: str) -> Ladder:
    """The annihilation operator of ``mode``."""
    return Ladder(mode, False)


def cre(mode: str) -> Ladder:
    """The creation operator of ``mode``."""
    return Ladder(mode, True)


@dataclass(frozen=True, eq=False)
class HamiltonianTerm:
    """``coeff · ops[0] ops[1] …`` (+ its Hermitian conjugate when ``hermitian_conjugate``).

    Parameters
    ----------
    coeff : complex or array
        Coefficient in rad/s (ħ = 1); an array for a batch of parameter points.
    ops : tuple of Ladder
        The operator product, left to right.
    hermitian_conjugate : bool
        Add the Hermitian conjugate of the term (for terms that are not Hermitian alone).
    label : str
        What the term is, for people (e.g. ``"k_M (a†b + h.c.)"``).
    frequency : float
        The coefficient carries exp(−i·frequency·t) (rad/s); 0 for a static term.
    """

    coeff: Any
    ops: tuple[Ladder, ...]
    hermitian_conjugate: bool = False
    label: str = ""
    frequency: float = 0.0

    @property
    def order(self) -> int:
        """Number of ladder operators in the product (2 = quadratic)."""
        return len(self.ops)


@dataclass(frozen=True, eq=False)
class JumpOperator:
    """A dissipator ``rate · D[L]`` with L = Σ_j coeffs[j] · ops[j].

    Parameters
    ----------
    rate : float or array
        Rate in rad/s (≥ 0).
    terms : tuple of (coefficient, Ladder)
        The linear combination defining L (dimensionless coefficients).
    label : str
        What the dissipator is, for people.
    group : str
        ``"system"`` for the device's own dissipation, ``"gravity"`` for dissipators a
        gravity model adds (the Gaussian backend keeps their diffusion apart so that the
        quantum/classical difference is computed without cancellation).
    """

    rate: Any
    terms: tuple[tuple[Any, Ladder], ...]
    label: str = ""
    group: str = "system"


@dataclass(frozen=True, eq=False)
class ModelDescription:
    """One rung of the model ladder as data.

    Attributes
    ----------
    rung : str
        ``"rwa"``, ``"effective"``, ``"conventional"`` (and later ``"linear"``, ``"full"``).
    modes : tuple of str
        Mode names in order; the first two are always the mechanical modes ``"a"``, ``"b"``.
    hamiltonian : tuple of HamiltonianTerm
    jumps : tuple of JumpOperator
    parameters : Parameters
        The parameters the coefficients were computed from.
    gravity : object
        The gravity model that added its terms (see :mod:`gravsim.gravity`).
    frame : str
        The frame the Hamiltonian is written in, for people.
    notes : tuple of str
        Approximations made in this rung.
    """

    rung: str
    modes: tuple[str, ...]
    hamiltonian: tuple[HamiltonianTerm, ...]
    jumps: tuple[JumpOperator, ...]
    parameters: Any
    gravity: Any
    frame: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        """A readable listing of the master equation."""
        lines = [f"model {self.rung!r} on modes {', '.join(self.modes)} ({self.frame})", "H ="]
        for t in self.hamiltonian:
            lines.append(f"  + {t.label or ' '.join(map(str, t.ops))}")
        lines.append("dissipators:")
        for j in self.jumps:
            lines.append(f"  + {j.label}  [{j.group}]")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)
