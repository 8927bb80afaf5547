"""Fock backend: QuTiP operators on truncated spaces, read from the same model description.

Each mode gets its own truncation (``dims``: number of Fock levels per mode, in the order
of ``model.modes``); ladder operators are ``qutip.destroy`` / ``qutip.create`` tensored with
identities.  The Hamiltonian is Σ coeff·op₁op₂… (+ h.c.) and the collapse operators are
sqrt(rate)·L, exactly as the description lists them — no model is written here.

Only single points are built here (coefficients must be scalars); a grid of points is a map
over parameter sets.
"""

from __future__ import annotations

from functools import reduce

import numpy as np
import qutip

from .description import Ladder, ModelDescription
from .errors import GravsimInputError


def ladder_operators(modes: tuple[str, ...], dims: tuple[int, ...]) -> dict[Ladder, qutip.Qobj]:
    """Every annihilation and creation operator on the tensor space ``dims`` (CSR data)."""
    if len(dims) != len(modes):
        raise GravsimInputError(
            f"give one truncation per mode ({', '.join(modes)}): got {len(dims)} numbers"
        )
    ops: dict[Ladder, qutip.Qobj] = {}
    for k, mode in enumerate(modes):
        factors = [qutip.qeye(n) for n in dims]
        factors[k] = qutip.destroy(dims[k])
        a = reduce(qutip.tensor, factors).to("csr")
        ops[Ladder(mode, False)] = a
        ops[Ladder(mode, True)] = a.dag()
    return ops


def _scalar(x: object, what: str) -> complex:
    if np.ndim(x) != 0:
        raise GravsimInputError(
            f"the Fock backend takes one parameter point at a time, but {what} is an array"
        )
    return complex(x)


def hamiltonian(model: ModelDescription, dims: tuple[int, ...]) -> qutip.Qobj:
    """The static Hamiltonian of ``model`` on the truncated space (rad/s, ħ = 1)."""
    ops = ladder_operators(model.modes, dims)
    total = 0 * ops[Ladder(model.modes[0])]
    for term in model.hamiltonian:
        if term.frequency != 0:
            raise GravsimInputError(
                f"term {term.label!r} is time dependent: build a QobjEvo for model {model.rung!r}"
            )
        product = reduce(lambda x, y: x @ y, (ops[o] for o in term.ops))
        piece = _scalar(term.coeff, term.label) * product
        total = total + (piece + piece.dag() if term.hermitian_conjugate else piece)
    return total


def collapse_operators(model: ModelDescription, dims: tuple[int, ...]) -> list[qutip.Qobj]:
    """sqrt(rate)·L for every jump operator with a non-zero rate."""
    ops = ladder_operators(model.modes, dims)
    out = []
    for jump in model.jumps:
        rate = _scalar(jump.rate, jump.label).real
        if rate == 0:
            continue
        op = sum(_scalar(c, jump.label) * ops[o] for c, o in jump.terms)
        out.append(np.sqrt(rate) * op)
    return out


def liouvillian(model: ModelDescription, dims: tuple[int, ...]) -> qutip.Qobj:
    """The Liouvillian superoperator of ``model`` on the truncated space."""
    return qutip.liouvillian(hamiltonian(model, dims), collapse_operators(model, dims))
