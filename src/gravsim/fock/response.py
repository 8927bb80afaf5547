"""A second hypothesis's Fock steady state as a shift of the first's: one factorisation for
both, and a shift δρ that carries no second solver's rounding.

Two gravity hypotheses that share the Hamiltonian and the device's dissipators (quantum
gravity and any position diffusion, or two diffusions) have Liouvillians L_B = L_A + P, with
P = 𝒟_B − 𝒟_A the difference of their gravity dissipators: linear in the rates, so P is
built from the dissipators themselves, never as a difference of two Liouvillians.  With
ρ_A the steady state of L_A, the shift δρ = ρ_B − ρ_A obeys

    L_A δρ = −P (ρ_A + δρ),   Tr δρ = 0,

solved as (L_A + P) δρ = −P ρ_A by GMRES preconditioned by L_A's inverse: its first
iterate is the linear response κ dρ/dκ (for quantum vs KTM, dρ/dκ_G = −L₀⁻¹ 𝒟_G ρ₀), each
further one adds the next order in P.  With L_A factorised the preconditioned operator is
1 + L_A⁻¹P, within ~κ/Γ of the identity: 4 back-substitutions at the paper point
(κ_G/Γ ~ 10⁻⁸), ~30 on ``small`` (κ_G/Γ ~ 0.1, where the plain iteration
δ_{k+1} = −L_A⁻¹P(ρ_A + δ_k) contracted too slowly and L_B had to be factorised too).
Where L_A is too large to factorise (``"cavity-split"``) the same GMRES runs with L_A's
split preconditioner.  Should GMRES fail,
ρ_B is solved on its own and δρ = ρ_B − ρ_A (both checked solves).

Accuracy: GMRES stops at a residual 1e-14 of ‖P ρ_A‖, so δρ is exact to about that relative
accuracy however small it is, and ρ_B = ρ_A + δρ passes the same residual check against
L_B = L_A + P as any solve.  ΔE then follows from the two partial transposes
(:func:`gravsim.analysis.entanglement.log_negativity_shift`) without the independent solver
noise of a second solve.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.fock import liouville_system, operators, solvers
from gravsim.model.description import ModelDescription

if TYPE_CHECKING:
    import qutip


def gravity_dissipator(model: ModelDescription, dims: tuple[int, ...]) -> qutip.Qobj:
    """The superoperator of ``model``'s gravity dissipators alone (zero for quantum gravity)."""
    import qutip

    only = dataclasses.replace(
        model, hamiltonian=(), jumps=tuple(j for j in model.jumps if j.group == "gravity")
    )
    ops = operators.collapse_operators(only, dims)
    if not ops:
        return qutip.liouvillian(qutip.qzero(list(dims)))
    return qutip.liouvillian(None, ops)


def _same_device(first: ModelDescription, second: ModelDescription) -> None:
    """Refuse two models that differ by more than their gravity dissipators."""

    def device(m: ModelDescription) -> tuple:
        return (m.rung, m.modes, m.hamiltonian, [j for j in m.jumps if j.group != "gravity"])

    if repr(device(first)) != repr(device(second)):
        raise GravsimInputError(
            f"hypotheses {first.gravity.name!r} and {second.gravity.name!r} differ by more "
            "than their gravity dissipators: solve each on its own"
        )


def shifted_states(
    first: ModelDescription,
    second: ModelDescription,
    dims: tuple[int, ...],
    solver: str = "auto",
) -> tuple[operators.FockState, operators.FockState, qutip.Qobj]:
    """Steady states of ``first`` and ``second`` on ``dims`` and their difference δρ.

    Raises
    ------
    GravsimInputError
        If the two models differ by more than their gravity dissipators.
    SolverError
        If a solve fails its residual check.
    """
    import qutip

    solvers.check_solver(solver)
    _same_device(first, second)
    t0 = time.perf_counter()
    hs = liouville_system.HermitianSystem.build(operators.liouvillian(first, dims), dims)
    cavity = operators.cavity_index(first)
    chosen = solvers.pick(solver, hs, dims, cavity)
    if chosen == "lgmres":  # no inverse to reuse: two solves
        rho_a = operators.steady_state(first, dims, solver=chosen)
        rho_b = operators.steady_state(second, dims, solver=chosen)
        return rho_a, rho_b, rho_b.rho - rho_a.rho
    inverse = solvers.inverse(hs, chosen, dims, cavity)
    u_a = inverse.solve(hs.state_rhs())
    rho_a, report_a = hs.density_matrix(u_a, dims, chosen, t0)
    solvers.check_report(report_a)
    t_b = time.perf_counter()  # B's own time: the shift (A's factorisation is A's)
    perturbation = gravity_dissipator(second, dims) - gravity_dissipator(first, dims)
    shift = _shift(hs, hs.real_operator(perturbation), u_a, inverse)
    if shift is None:
        state_b = operators.steady_state(second, dims, solver=chosen)
        delta = state_b.rho - rho_a
    else:
        delta, _ = hs.density_matrix(shift, dims, chosen, t_b, shift=True)
        block_b = hs.block + hs.block_of(perturbation)  # L_B = L_A + P, to check ρ_B against
        rho_b, report_b = hs.density_matrix(u_a + shift, dims, chosen, t_b, block=block_b)
        solvers.check_report(report_b)
        state_b = operators.FockState(
            rho_b, second.modes, tuple(dims), second.rung, second.gravity.name, report_b
        )
    state_a = operators.FockState(
        rho_a, first.modes, tuple(dims), first.rung, first.gravity.name, report_a
    )
    return state_a, state_b, qutip.Qobj(delta.full(), dims=rho_a.dims)


def _shift(hs: liouville_system.HermitianSystem, perturbation, u_a: np.ndarray, inverse):
    """δ solving (A + P) δ = −P u_A by GMRES preconditioned by ``inverse`` (A's); None if
    GMRES fails."""
    rhs = -(perturbation @ u_a)
    if not np.any(rhs):
        return np.zeros_like(u_a)
    try:
        shift, _ = liouville_system.krylov(
            hs.system + perturbation, rhs, inverse.precondition, "the second hypothesis's shift"
        )
    except liouville_system.SolverError:
        return None
    return shift
