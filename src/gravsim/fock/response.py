"""A second hypothesis's Fock steady state as a shift of the first's: one factorisation for
both, and a shift δρ that carries no second solver's rounding.

Two gravity hypotheses that share the Hamiltonian and the device's dissipators (quantum
gravity and any position diffusion, or two diffusions) have Liouvillians L_B = L_A + P, with
P = 𝒟_B − 𝒟_A the difference of their gravity dissipators: linear in the rates, so P is
built from the dissipators themselves, never as a difference of two Liouvillians.  With
ρ_A the steady state of L_A, the shift δρ = ρ_B − ρ_A obeys

    L_A δρ = −P (ρ_A + δρ),   Tr δρ = 0,

solved with L_A's factorisation by the iteration δ_{k+1} = −L_A⁻¹ P (ρ_A + δ_k), δ₀ = 0: the
first iterate is the linear response κ dρ/dκ (for quantum vs KTM, dρ/dκ_G = −L₀⁻¹ 𝒟_G ρ₀),
each further one adds the next order in P.  It contracts by ~‖L_A⁻¹P‖ ~ κ/Γ per step (10⁻⁸
at the paper point: two steps reach float64); it stops when a step changes δρ by less than
1e-14 of it, and where the contraction is slower than :data:`MAX_CONTRACTION` (κ comparable
to Γ) it factorises L_B instead and δρ = ρ_B − ρ_A — then both are checked solves.

Accuracy: ρ_B = ρ_A + δρ satisfies L_B ρ_B = 0 to the residual of ρ_A's solve plus the last
step's change (both ≤ 1e-14 relative, checked like any solve), and δρ itself is exact to
that relative accuracy however small it is: ΔE then follows from the two partial transposes
(:func:`gravsim.analysis.entanglement.log_negativity_shift`) without the independent solver
noise of a second solve.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.fock import operators, solvers
from gravsim.model.description import ModelDescription

if TYPE_CHECKING:
    import qutip

#: Slowest contraction per step of the shift iteration before L_B is factorised instead.
MAX_CONTRACTION = 0.3
#: Relative change of δρ at which the iteration stops.
SHIFT_TOL = 1e-14
MAX_STEPS = 40


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
    hs = solvers.HermitianSystem.build(operators.liouvillian(first, dims), dims)
    chosen = solvers.choose_solver(hs.system.shape[0]) if solver == "auto" else solver
    if chosen == "lgmres":  # no factorisation to reuse: two solves
        rho_a = operators.steady_state(first, dims, solver=chosen)
        rho_b = operators.steady_state(second, dims, solver=chosen)
        return rho_a, rho_b, rho_b.rho - rho_a.rho
    lu = solvers.factorise(hs.system, chosen)
    u_a = np.real(np.asarray(lu.solve(hs.state_rhs()))).ravel()
    rho_a, report_a = hs.density_matrix(u_a, dims, chosen, t0)
    solvers.check_report(report_a)
    t_b = time.perf_counter()  # B's own time: the shift (A's factorisation is A's)
    perturbation = gravity_dissipator(second, dims) - gravity_dissipator(first, dims)
    shift = _iterate(lu, hs.real_operator(perturbation), u_a)
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


def _iterate(lu, perturbation, u_a: np.ndarray) -> np.ndarray | None:
    """δ_{k+1} = −L_A⁻¹ P (u_A + δ_k) to :data:`SHIFT_TOL`; None where it contracts slower
    than :data:`MAX_CONTRACTION`."""
    shift = np.zeros_like(u_a)
    last_change = None
    for _ in range(MAX_STEPS):
        new = -np.real(np.asarray(lu.solve(perturbation @ (u_a + shift)))).ravel()
        change = float(np.linalg.norm(new - shift))
        shift = new
        size = float(np.linalg.norm(shift))
        if size == 0 or change <= SHIFT_TOL * size:
            return shift
        if last_change is not None and change > MAX_CONTRACTION * last_change:
            return None
        last_change = change
    return None
