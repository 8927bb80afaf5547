"""Steady states of sparse Liouvillians: the solvers, the choice among them, the checks.

Solved on the even-parity block, in the real coordinates of a Hermitian ρ
(:mod:`gravsim.fock.liouville_system`).

Solvers (``"auto"`` chooses from the measurements in ``benchmarks/RESULTS.md``: PARDISO
whenever QuTiP finds MKL — 3–16× faster than SuperLU here; otherwise SuperLU up to a
60 000-unknown block, LGMRES above that for its smaller memory.  ILU-preconditioned LGMRES
was faster than SuperLU on the ``small`` preset (three-mode block 10⁴: 8.7 s vs 31 s) but
did not converge within minutes on stiffer points (``small-weak``, G/κ = 0.02), so it is not
the default where SuperLU still fits):

``"superlu"``
    ``scipy.sparse.linalg.splu`` with COLAMD ordering, BLAS pinned to one thread while it
    factorises (SuperLU calls BLAS on small dense blocks; several threads on two cores made
    it several times slower).
``"pardiso"``
    MKL PARDISO through QuTiP's wrapper, used when QuTiP finds MKL (``qutip.settings.has_mkl``);
    otherwise ``"auto"`` falls back to SuperLU.
``"lgmres"``
    LGMRES preconditioned by an incomplete LU (``spilu`` with ``drop_tol=1e-7``,
    ``fill_factor=40``) — memory-light for the largest spaces, converged to ``rtol=1e-12``.
``"cavity-split"``
    GMRES preconditioned by the exact factorisation of the lowest cavity levels
    (:mod:`gravsim.fock.cavity_split`); ``"auto"`` takes it for three-mode blocks above
    :data:`SPLIT_ABOVE` unknowns, where a direct factorisation needs minutes and many GiB
    (10×10×5: 80 s and 2.3 GiB instead of > 9 min and > 12.7 GB).

Every returned ρ is checked: ‖L ρ‖ relative to ‖L‖·‖ρ‖, |Tr ρ − 1| and ‖ρ − ρ†‖; a solver
that did not converge raises :class:`SolverError` — never a silently wrong state.
"""

from __future__ import annotations

import time
import warnings
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from threadpoolctl import threadpool_limits

from gravsim.errors import GravsimInputError, GravsimWarning
from gravsim.fock.cavity_split import CavitySplit
from gravsim.fock.liouville_system import (
    HermitianSystem,
    PardisoFactor,
    SolveReport,
    SolverError,
    factorise,
    krylov,
)

if TYPE_CHECKING:  # imported where used: the module's constants load without QuTiP
    import qutip


SOLVERS = ("auto", "superlu", "pardiso", "lgmres", "cavity-split")


#: Acceptance thresholds of the residual check.
RESIDUAL_TOL = 1e-9


TRACE_TOL = 1e-10


HERMITICITY_TOL = 1e-9


#: Block size (real unknowns) above which ``"auto"`` solves a model with a cavity by
#: ``"cavity-split"``: break-even with PARDISO between 6×10³ and 10⁴ (``small``, quantum
#: gravity: 4×4×3 0.10 vs 0.05 s, 6×6×3 0.41 vs 0.64 s, 8×8×4 12.9 vs 42.9 s).
SPLIT_ABOVE = 10_000


def choose_solver(block_dim: int, cavity_levels: int | None = None) -> str:
    """The solver ``"auto"`` picks for a block of ``block_dim`` unknowns (``cavity_levels``:
    the cavity's truncation where the model has one).

    Without MKL it says once (a :class:`GravsimWarning`) that the fast path is missing and
    how to get it: PARDISO is 3–11× faster than SuperLU on these Liouvillians
    (``benchmarks/RESULTS.md``).
    """
    import qutip

    if cavity_levels is not None and cavity_levels > 2 and block_dim > SPLIT_ABOVE:
        if not qutip.settings.has_mkl:
            _warn_no_mkl()
        return "cavity-split"
    if qutip.settings.has_mkl:
        return "pardiso"
    _warn_no_mkl()
    return "superlu" if block_dim <= 60_000 else "lgmres"


def _warn_no_mkl() -> None:
    warnings.warn(
        "Fock solves use SuperLU: MKL PARDISO (3-11x faster here) is not available to QuTiP; "
        "pip install 'mkl>=2023,<2026' where a wheel exists (x86_64), then rerun",
        GravsimWarning,
        stacklevel=3,
    )


def check_report(report: SolveReport) -> None:
    """Raise :class:`SolverError` unless the residual, trace and hermiticity checks hold."""
    if not (
        report.residual < RESIDUAL_TOL
        and report.trace_error < TRACE_TOL
        and report.hermiticity_error < HERMITICITY_TOL
    ):
        raise SolverError(
            f"the {report.solver} solver did not converge (relative residual "
            f"{report.residual:.2e}, trace error {report.trace_error:.2e}, hermiticity error "
            f"{report.hermiticity_error:.2e}): try `solver='superlu'` or a smaller truncation"
        )


def steady_state_vector(
    liouvillian: qutip.Qobj,
    dims: tuple[int, ...],
    solver: str = "auto",
    parity: bool = True,
    cavity: int | None = None,
) -> tuple[qutip.Qobj, SolveReport]:
    """The trace-one steady state of ``liouvillian`` on the Hilbert space ``dims``.

    Parameters
    ----------
    liouvillian : qutip.Qobj
        Superoperator (column-stacking convention) on the space ``dims``.
    dims : tuple of int
        Fock levels per mode.
    solver : {"auto", "superlu", "pardiso", "lgmres", "cavity-split"}
    parity : bool
        Solve in the even-parity block only (valid for quadratic H and linear jumps).
    cavity : int, optional
        Position of the cavity mode in ``dims`` (needed by ``"cavity-split"``).

    Raises
    ------
    SolverError
        If the solver fails or the residual check fails.
    """
    check_solver(solver)
    t0 = time.perf_counter()
    hs = HermitianSystem.build(liouvillian, dims, parity)
    chosen = pick(solver, hs, dims, cavity)
    if chosen == "cavity-split":
        u = inverse(hs, chosen, dims, cavity).solve(hs.state_rhs())
    else:
        u = _solve(hs.system, hs.state_rhs(), chosen)
    rho, report = hs.density_matrix(u, dims, chosen, t0)
    check_report(report)
    return rho, report


def pick(solver: str, hs: HermitianSystem, dims: tuple[int, ...], cavity: int | None) -> str:
    """``solver``, or the one ``"auto"`` chooses for ``hs``.  ``"cavity-split"`` needs a cavity
    mode; where it has fewer than 3 levels (the smaller comparison truncations) there is
    nothing to split and the direct solver ``"auto"`` would take runs instead."""
    levels = None if cavity is None else dims[cavity]
    if solver == "cavity-split" and levels is None:
        raise GravsimInputError(
            "solver 'cavity-split' needs a cavity mode: use it with a three-mode model "
            "(rwa, linear, full), or another solver"
        )
    if solver == "auto" or (solver == "cavity-split" and levels < 3):
        return choose_solver(hs.system.shape[0], levels if solver == "auto" else None)
    return solver


class DirectInverse:
    """A sparse LU of ``system`` as its inverse: ``precondition`` is one back-substitution
    (the LU taken without PARDISO's iterative refinement), ``solve`` GMRES preconditioned by it
    — the refinement, 1–3 back-substitutions to :data:`KRYLOV_TOL`."""

    def __init__(self, system: sp.spmatrix, solver: str) -> None:
        self.system = system
        self.lu = factorise(system, solver, refine=False)

    def precondition(self, r: np.ndarray) -> np.ndarray:
        """LU⁻¹ r (real)."""
        return np.real(np.asarray(self.lu.solve(r))).ravel()

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """A⁻¹ rhs to :data:`KRYLOV_TOL`.

        Where GMRES does not converge on a PARDISO LU, the LU is taken again by SuperLU and
        GMRES rerun: PARDISO's pivot perturbation can leave a factor that is no inverse at
        all (measured on one RWA point at 6×6×3: residual 2e6 after 125 steps, where
        SuperLU's LU converges).
        """
        what = "a factorised steady state"
        try:
            return krylov(self.system, rhs, self.precondition, what)[0]
        except SolverError:
            if not isinstance(self.lu, PardisoFactor):
                raise
        self.lu = factorise(self.system, "superlu")
        return krylov(self.system, rhs, self.precondition, what)[0]


def inverse(hs: HermitianSystem, solver: str, dims: tuple[int, ...], cavity: int | None):
    """The inverse of ``hs.system`` by a chosen (not ``"auto"``) direct or split solver: an
    object with ``solve(rhs)`` (to :data:`KRYLOV_TOL` or exact) and ``precondition(r)``."""
    if solver == "cavity-split":
        return CavitySplit.build(hs, dims, cavity)
    return DirectInverse(hs.system, solver)


def check_solver(solver: str) -> None:
    """Refuse a solver name outside :data:`SOLVERS`."""
    if solver not in SOLVERS:
        raise GravsimInputError(f"unknown solver {solver!r}: choose one of {', '.join(SOLVERS)}")


def _solve(system: sp.csc_matrix, rhs: np.ndarray, solver: str) -> np.ndarray:
    import qutip

    if solver == "pardiso":
        if not qutip.settings.has_mkl:
            raise GravsimInputError(
                "MKL PARDISO is not available to QuTiP: pip install 'mkl<2026', or use "
                "`solver='superlu'`"
            )
        from qutip._mkl.spsolve import mkl_spsolve

        return np.asarray(mkl_spsolve(system.tocsr(), rhs)).ravel().real
    if solver == "superlu":
        return factorise(system, "superlu").solve(rhs)
    with threadpool_limits(limits=1, user_api="blas"):
        ilu = spla.spilu(system, drop_tol=1e-7, fill_factor=40)
        precond = spla.LinearOperator(system.shape, ilu.solve, dtype=system.dtype)
        x, info = spla.lgmres(system, rhs, M=precond, rtol=1e-12, atol=0.0, maxiter=2000)
    if info != 0:
        raise SolverError(
            f"LGMRES did not converge (info={info}): use `solver='superlu'` or `solver='pardiso'`"
        )
    return x
