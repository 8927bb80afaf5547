"""Plain-data description of a master equation: modes, Hamiltonian terms, jump operators.

A :class:`ModelDescription` is what every backend reads:

* the Gaussian backend turns quadratic Hamiltonian terms and linear jump operators into a
  drift matrix A and a diffusion matrix D by one general rule (``gaussian.drift_diffusion``);
* the Fock backend multiplies the same ladder operators on truncated spaces.

Nothing here knows about a particular rung of the model ladder: the rungs are built in
:mod:`gravsim.model.rungs` from these pieces.  Coefficients may be NumPy arrays (one entry per
parameter point), which the Gaussian backend broadcasts over.

The master equation described is (ħ = 1, rates in rad/s)

    dρ/dt = −i[H, ρ] + Σ_k rate_k D[L_k]ρ,    D[L]ρ = LρL† − ½{L†L, ρ},
    H = Σ_terms (coeff · op₁ op₂ … + h.c. if ``hermitian_conjugate``),
    L_k = Σ_j c_j op_j.

A term may carry a time dependence exp(−i ν t) on its coefficient (``frequency`` ν, rad/s),
and so may each term of a jump operator: that is how the time-periodic linearised model (L1)
and the driven full model (L0) are written; the time-independent rungs use ν = 0.  Three
transformations act on whole descriptions and are how the ladder's rungs are derived from
one another: :func:`quadratic_part` (the linearisation once the classical field is
subtracted), :func:`rotating_frame` and :func:`secular` (the rotating-wave average).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gravsim.errors import OutOfRegimeError


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
    frequencies : tuple of float
        Term k's coefficient carries exp(−i·frequencies[k]·t) (rad/s); empty for a static L.
    """

    rate: Any
    terms: tuple[tuple[Any, Ladder], ...]
    label: str = ""
    group: str = "system"
    frequencies: tuple[float, ...] = ()

    def frequency(self, k: int) -> float:
        """The frequency (rad/s) carried by term ``k``."""
        return self.frequencies[k] if self.frequencies else 0.0

    @property
    def static(self) -> bool:
        """Whether D[L] is time independent (a phase common to all terms drops out)."""
        return len(set(self.frequencies)) <= 1


@dataclass(frozen=True, eq=False)
class ModelDescription:
    """One rung of the model ladder as data.

    Attributes
    ----------
    rung : str
        ``"full"``, ``"linear"``, ``"rwa"``, ``"effective"`` or ``"conventional"``.
    modes : tuple of str
        Mode names in order; the first two are always the mechanical modes ``"a"``, ``"b"``.
    hamiltonian : tuple of HamiltonianTerm
    jumps : tuple of JumpOperator
    parameters : Parameters
        The parameters the coefficients were computed from.
    gravity : object
        The gravity model that added its terms (see :mod:`gravsim.model.gravity`).
    frame : str
        The frame the Hamiltonian is written in, for people.
    notes : tuple of str
        Approximations made in this rung.
    initial_means : dict of str to complex
        Mean amplitudes ⟨j⟩ at t = 0 of the physical state a transient starts from, when the
        frame does not subtract them (L0 undisplaced: the classical field β_j, α(0)); empty
        when the frame's operators are the fluctuations themselves.
    """

    rung: str
    modes: tuple[str, ...]
    hamiltonian: tuple[HamiltonianTerm, ...]
    jumps: tuple[JumpOperator, ...]
    parameters: Any
    gravity: Any
    frame: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    initial_means: dict[str, complex] = field(default_factory=dict)

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

    @property
    def static(self) -> bool:
        """Whether nothing in the model depends on time."""
        return all(t.frequency == 0 for t in self.hamiltonian) and all(j.static for j in self.jumps)

    def frequencies(self) -> set[float]:
        """Every non-zero frequency (rad/s) carried by a Hamiltonian or jump-operator term."""
        out = {t.frequency for t in self.hamiltonian}
        out |= {j.frequency(k) for j in self.jumps if not j.static for k in range(len(j.terms))}
        return out - {0.0}

    def base_frequency(self) -> float:
        """ω₀ (rad/s) such that every time dependence is periodic with period 2π/ω₀.

        0 for a static model.

        Raises
        ------
        OutOfRegimeError
            If the frequencies are not integer multiples of the smallest one.
        """
        freqs = sorted(abs(f) for f in self.frequencies())
        if not freqs:
            return 0.0
        base = freqs[0]
        for f in freqs:
            if abs(f / base - round(f / base)) > 1e-9:
                raise OutOfRegimeError(
                    f"model {self.rung!r} has frequencies {freqs} rad/s without a common "
                    "period: it has no periodic state; use a transient"
                )
        return base


def _with(model: ModelDescription, **changes: Any) -> ModelDescription:
    return dataclasses.replace(model, **changes)


def quadratic_part(model: ModelDescription, *, rung: str, note: str) -> ModelDescription:
    """Only the quadratic Hamiltonian terms of ``model`` (jump operators unchanged).

    With the classical field already subtracted (a displaced frame), dropping the cubic
    radiation-pressure terms and the linear forces is exactly the linearisation.
    """
    return _with(
        model,
        rung=rung,
        hamiltonian=tuple(t for t in model.hamiltonian if t.order == 2),
        notes=model.notes + (note,),
    )


def rotating_frame(
    model: ModelDescription, omega: float, modes: tuple[str, ...], *, rung: str, frame: str
) -> ModelDescription:
    """``model`` in the frame rotating at ``omega`` (rad/s) for ``modes``.

    With U = exp(iω Σ_j j†j t), every annihilator j → j e^{−iωt} and creator j† → j† e^{iωt}:
    a term's frequency grows by ω per annihilator and falls by ω per creator of a rotated
    mode, likewise for jump-operator terms, and the generator −ω Σ_j j†j is added.  Terms
    with equal operators and frequencies are then merged (so ω_m j†j − ω_m j†j cancels
    exactly and leaves the detuning: the generator is added first, so a model that writes
    ω_m j†j apart from its detuning keeps the detuning without rounding).
    """

    def shift(ops: tuple[Ladder, ...]) -> float:
        return sum((-omega if o.dagger else omega) for o in ops if o.mode in modes)

    generator = [HamiltonianTerm(-omega, (cre(j), ann(j)), False, f"−ω {j}†{j}") for j in modes]
    terms = generator + [
        dataclasses.replace(t, frequency=t.frequency + shift(t.ops)) for t in model.hamiltonian
    ]
    jumps = []
    for j in model.jumps:
        freqs = tuple(j.frequency(k) + shift((op,)) for k, (_, op) in enumerate(j.terms))
        # a common phase of all of L's terms drops out of D[L]
        jumps.append(dataclasses.replace(j, frequencies=freqs if len(set(freqs)) > 1 else ()))
    return _with(model, rung=rung, hamiltonian=_merge(terms), jumps=tuple(jumps), frame=frame)


def _merge(terms: list[HamiltonianTerm]) -> tuple[HamiltonianTerm, ...]:
    """Sum the coefficients of terms with the same operators, conjugation flag and frequency."""
    merged: dict[tuple, HamiltonianTerm] = {}
    for t in terms:
        key = (t.ops, t.hermitian_conjugate, t.frequency)
        if key in merged:
            old = merged[key]
            coeff = old.coeff + t.coeff
            label = f"{old.label} + {t.label}" if np.any(np.asarray(old.coeff) != 0) else t.label
            merged[key] = dataclasses.replace(old, coeff=coeff, label=label)
        else:
            merged[key] = t
    return tuple(t for t in merged.values() if np.any(np.asarray(t.coeff) != 0))


def secular(model: ModelDescription, *, rung: str, note: str) -> ModelDescription:
    """The period average of ``model``: the rotating-wave approximation.

    Hamiltonian terms with ν ≠ 0 are dropped.  A jump operator L(t) = Σ_k c_k e^{−iν_k t} L_k
    has the average of D[L(t)] equal to Σ_ν D[L_ν], L_ν the sum of its terms at frequency ν
    (cross terms between different ν average to zero).
    """
    jumps: list[JumpOperator] = []
    for j in model.jumps:
        for nu in sorted({j.frequency(k) for k in range(len(j.terms))}):
            part = tuple(term for k, term in enumerate(j.terms) if j.frequency(k) == nu)
            label = j.label if j.static else f"{j.label} at {nu:+.6g} rad/s"
            jumps.append(JumpOperator(j.rate, part, label, j.group))
    return _with(
        model,
        rung=rung,
        hamiltonian=tuple(t for t in model.hamiltonian if t.frequency == 0),
        jumps=tuple(jumps),
        notes=model.notes + (note,),
    )
