"""What every gravity model shares: the protocol a rung builder reads, the coherent coupling
k_M(a+a†)(b+b†), and the position-diffusion terms 2κ D[a+a†] that every hypothesis beyond
quantum gravity adds (:class:`PositionDiffusion`), with the checks of their small-displacement
forms.
"""

from __future__ import annotations

import abc
from typing import Any, Protocol

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.model.description import HamiltonianTerm, JumpOperator, ann, cre
from gravsim.model.noise import correlated_pair
from gravsim.model.parameters import Parameters


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


class PositionDiffusion(abc.ABC):
    """A gravity model that keeps the coherent coupling and adds position diffusion
    2κ_a D[a+a†] + 2κ_b D[b+b†] (group ``"gravity"``), or D[j] + D[j†] under the RWA.

    A subclass gives its rates (:meth:`rates`, rad/s) and the symbol its terms are printed
    with; the terms are written here once.  :meth:`validity` says where a model's
    small-displacement form stops holding.
    """

    symbol = "κ"

    @abc.abstractmethod
    def rates(self, p: Parameters) -> tuple[Any, Any]:
        """(κ_a, κ_b) in rad/s for parameters ``p``."""

    def cross_rate(self, p: Parameters) -> Any:
        """κ_ab (rad/s): the cross term −κ_ab([X_a,[X_b,ρ]] + [X_b,[X_a,ρ]]) (X = a + a†) of a
        correlated position diffusion; 0 (none) unless the model has one."""
        return 0.0

    def validity(self, p: Parameters, spread: Any = None) -> tuple[str, ...]:
        """Why this model's form may not hold at ``p`` (one sentence each; none: it holds).

        ``spread`` (m): the oscillators' rms position in the steady state where the caller
        has it (the small-displacement forms are judged against it); None: the bath's
        thermal amplitude, an upper bound.
        """
        return ()

    def hamiltonian(self, p: Parameters, *, rwa: bool) -> tuple[HamiltonianTerm, ...]:
        """The coherent coupling (see :func:`coherent_coupling`)."""
        return coherent_coupling(p, rwa=rwa)

    def jumps(self, p: Parameters, *, rwa: bool) -> tuple[JumpOperator, ...]:
        """2κ D[x-like] per oscillator: D[a+a†], or D[a] + D[a†] under the RWA; with a mutual
        term, twice the kernel [[κ_a, κ_ab], [κ_ab, κ_b]] as a correlated pair
        (:func:`gravsim.model.noise.correlated_pair`)."""
        if correlated(self, p):
            kernel = (*self.rates(p), self.cross_rate(p))
            return correlated_pair(2.0, kernel, f"2{self.symbol}", rwa=rwa, group="gravity")
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


def correlated(model: Any, p: Parameters) -> bool:
    """Whether ``model`` adds a correlated diffusion at ``p`` (a mutual term κ_ab ≠ 0)."""
    cross = getattr(model, "cross_rate", None)
    return cross is not None and bool(np.any(np.asarray(cross(p)) != 0))


def thermal_amplitude(p: Parameters) -> Any:
    """x_zpf sqrt(2n̄ + 1) (m): the rms position of an oscillator in its bath's thermal state,
    an upper bound on the steady state's (the reservoir cools the oscillators)."""
    return p.x_zpf * np.sqrt(2 * p.n_th + 1)


def small_against(
    p: Parameters, length: Any, what: str, fraction: float, name: str, spread: Any = None
) -> tuple[str, ...]:
    """A note when the oscillators' rms position ``spread`` (m; None: the bath's thermal
    amplitude, an upper bound) exceeds ``fraction`` of ``length`` anywhere in ``p``."""
    amplitude = thermal_amplitude(p) if spread is None else spread
    ratio = float(np.max(amplitude / length))
    if ratio <= fraction:
        return ()
    which = "thermal amplitude of the bath" if spread is None else "steady state's rms position"
    return (
        f"{name}: its small-displacement form needs motion well below {what}, but the "
        f"{which} is {ratio:.3g} of it (above {fraction:g}); its rate overstates the "
        "decoherence there",
    )


def require(ok: bool, message: str) -> None:
    if not ok:
        raise GravsimInputError(message)
