"""Steady states of sparse Liouvillians: the even-parity block and the linear solvers.

Parity.  Every Hamiltonian term of the linear rungs is quadratic and every jump operator
linear, so the Liouvillian commutes with ρ → PρP, P = (−1)^(total number).  The steady state
is even (PρP = ρ): only the matrix elements ρ_ij with parity(i) = parity(j) can be non-zero,
half of Liouville space, and L maps that half to itself.  We solve only there.

The linear system.  L preserves Hermiticity, so on the real coordinates of a Hermitian ρ
(ρ_ii, Re ρ_ij, Im ρ_ij for i < j; :func:`hermitian_basis`) it is a real matrix of the same
dimension as the complex block: half the memory and about a quarter of the flops of a
complex LU.  L x = 0 with Tr ρ = 1: the Re (Lρ)₀₀ equation (linearly dependent on the
others, because L preserves the trace) is replaced by the trace functional scaled to the
mean |L| entry, with right-hand side that scale.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from threadpoolctl import threadpool_limits

from gravsim.errors import GravsimInputError, GravsimWarning, NumericalError

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
#: GMRES: relative residual ‖Ax − b‖/‖b‖ to reach, Krylov basis size, restarts.
KRYLOV_TOL = 1e-14
KRYLOV_RESTART = 200
KRYLOV_CYCLES = 5


class SolverError(NumericalError):
    """The linear solver did not return a valid steady state."""


@dataclass(frozen=True)
class SolveReport:
    """How a steady state was obtained and how well it satisfies L ρ = 0."""

    solver: str
    liouville_dim: int
    block_dim: int
    residual: float
    trace_error: float
    hermiticity_error: float
    wall_time: float


def parity_indices(dims: tuple[int, ...]) -> np.ndarray:
    """Indices of the even block in QuTiP's column-stacked vec(ρ) (index i + j·d for ρ_ij)."""
    numbers = np.zeros(1, dtype=int)
    for n in dims:
        numbers = (numbers[:, None] + np.arange(n)[None, :]).ravel()
    parity = numbers % 2
    d = parity.size
    i = np.arange(d)[:, None]
    j = np.arange(d)[None, :]
    even = (parity[i] == parity[j]).T.ravel()  # flattened in column-stacked order
    del i, j
    return np.flatnonzero(even)


def hermitian_basis(index: np.ndarray, dim: int) -> tuple[sp.csr_matrix, sp.csr_matrix, int]:
    """Real coordinates of Hermitian ρ on the entries ``index`` (closed under transposition).

    Unknowns u (real): ρ_ii first, then Re ρ_ij and Im ρ_ij for i < j.  Returns

    * ``to_vec`` (complex): vec(ρ) restricted to ``index`` = to_vec @ u;
    * ``real_eqs`` (complex): Re(real_eqs @ w) lists Re w_kk, Re w_kl, Im w_kl (k < l);
    * the number of diagonal unknowns.

    L preserves Hermiticity, so Re(real_eqs · L · to_vec) is a *real* matrix of the same
    dimension as the complex block: its LU needs half the memory and ~¼ of the flops.
    """
    i, j, diag, up = _diagonal_and_upper(index, dim)
    low = np.searchsorted(index, j[up] + i[up] * dim)  # the transposed entries ρ_ji
    nd, nu = diag.size, up.size
    n = index.size
    if nd + 2 * nu != n:
        raise GravsimInputError("the solved block must be closed under transposition")
    x_vars = nd + np.arange(nu)
    y_vars = nd + nu + np.arange(nu)
    ones = np.ones(nu)
    to_vec = sp.csr_matrix(
        (
            np.concatenate([np.ones(nd), ones, ones, 1j * ones, -1j * ones]),
            (
                np.concatenate([diag, up, low, up, low]),
                np.concatenate([np.arange(nd), x_vars, x_vars, y_vars, y_vars]),
            ),
        ),
        shape=(n, n),
    )
    real_eqs = sp.csr_matrix(
        (
            np.concatenate([np.ones(nd), ones, -1j * ones]),
            (np.concatenate([np.arange(nd), x_vars, y_vars]), np.concatenate([diag, up, up])),
        ),
        shape=(n, n),
    )
    return to_vec, real_eqs, nd


def _diagonal_and_upper(index: np.ndarray, dim: int):
    """Row i and column j of each entry in ``index`` (column-stacked: position i + j·dim holds
    ρ_ij), and the positions of the diagonal (i = j) and upper (i < j) entries."""
    i, j = index % dim, index // dim
    return i, j, np.flatnonzero(i == j), np.flatnonzero(i < j)


def unknown_entries(index: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(i, j), i ≤ j, of the entry ρ_ij behind each real unknown of :func:`hermitian_basis`."""
    i, j, diag, up = _diagonal_and_upper(index, dim)
    order = np.concatenate([diag, up, up])
    return i[order], j[order]


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


@dataclass(frozen=True, eq=False)
class HermitianSystem:
    """L ρ = 0 with Tr ρ = 1 on the real coordinates u of a Hermitian ρ in one block.

    ``system`` is Re(real_eqs · L_block · to_vec) with its equation 0 (Re (Lρ)₀₀, dependent on
    the others because L preserves the trace) replaced by ``scale``·Tr ρ, ``scale`` the mean
    |entry|; the right-hand side of a state is ``scale``·e₀, of a traceless shift 0.
    """

    full: sp.csr_matrix
    block: sp.csr_matrix
    index: np.ndarray
    to_vec: sp.csr_matrix
    real_eqs: sp.csr_matrix
    system: sp.csc_matrix
    scale: float
    dim: int

    @classmethod
    def build(cls, liouvillian: qutip.Qobj, dims: tuple[int, ...], parity: bool = True):
        """The system of ``liouvillian`` on ``dims`` (the even-parity block by default)."""
        dim = int(np.prod(dims))
        full = liouvillian.data.as_scipy().tocsr()
        index = parity_indices(dims) if parity else np.arange(dim * dim)
        block = full[index][:, index].tocsr() if parity else full
        to_vec, real_eqs, n_diag = hermitian_basis(index, dim)
        real = cls._real(real_eqs, block, to_vec)
        scale = float(np.mean(np.abs(real.data)))
        n = block.shape[0]
        trace = sp.csr_matrix(
            (np.full(n_diag, scale), (np.zeros(n_diag, dtype=int), np.arange(n_diag))),
            shape=(n, n),
        )
        system = (real + trace).tocsc()
        return cls(full, block, index, to_vec, real_eqs, system, scale, dim)

    @staticmethod
    def _real(real_eqs: sp.csr_matrix, block: sp.csr_matrix, to_vec: sp.csr_matrix):
        """Re(real_eqs · block · to_vec) with equation 0 emptied (it becomes the trace)."""
        real = (real_eqs @ block @ to_vec).real.tocsr()
        real.eliminate_zeros()
        real.data[real.indptr[0] : real.indptr[1]] = 0.0
        real.eliminate_zeros()
        return real

    def state_rhs(self) -> np.ndarray:
        """Right-hand side of the trace-one steady state."""
        rhs = np.zeros(self.system.shape[0])
        rhs[0] = self.scale
        return rhs

    def block_of(self, superoperator: qutip.Qobj) -> sp.csr_matrix:
        """Another superoperator (the same block structure) restricted to this block."""
        return superoperator.data.as_scipy().tocsr()[self.index][:, self.index]

    def real_operator(self, superoperator: qutip.Qobj) -> sp.csr_matrix:
        """Another superoperator in these real coordinates, its equation 0 emptied: applied
        to a shift, it keeps the shift traceless."""
        return self._real(self.real_eqs, self.block_of(superoperator), self.to_vec)

    def density_matrix(
        self,
        u: np.ndarray,
        dims: tuple[int, ...],
        chosen: str,
        t0: float,
        shift: bool = False,
        block: sp.csr_matrix | None = None,
    ) -> tuple[qutip.Qobj, SolveReport]:
        """ρ from the real coordinates ``u`` with its residual, trace and hermiticity checks
        (``shift``: a traceless difference of states, checked for Tr = 0 instead of 1;
        ``block``: the Liouvillian block to check the residual against, default this one)."""
        import qutip

        x = self.to_vec @ u
        vec = np.zeros(self.dim * self.dim, dtype=complex)
        vec[self.index] = x
        raw = vec.reshape(self.dim, self.dim, order="F")
        rho_mat = 0.5 * (raw + raw.conj().T) if np.all(np.isfinite(raw)) else raw
        liouvillian = self.block if block is None else block
        norm = np.abs(self.full if block is None else block).max() * np.linalg.norm(x)
        residual = float(np.linalg.norm(liouvillian @ x) / norm) if not shift else 0.0
        trace_error = float(abs(np.trace(rho_mat) - (0 if shift else 1)))
        herm = float(np.linalg.norm(raw - rho_mat) / np.linalg.norm(x))
        report = SolveReport(
            chosen,
            self.dim**2,
            self.block.shape[0],
            residual,
            trace_error,
            herm,
            time.perf_counter() - t0,
        )
        return qutip.Qobj(rho_mat, dims=[list(dims), list(dims)]), report


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
        from gravsim.fock.cavity_split import CavitySplit

        return CavitySplit.build(hs, dims, cavity)
    return DirectInverse(hs.system, solver)


def krylov(
    operator: sp.spmatrix, rhs: np.ndarray, precondition, what: str
) -> tuple[np.ndarray, int]:
    """GMRES on ``operator`` x = ``rhs`` preconditioned by ``precondition`` (an approximate
    inverse), to relative residual :data:`KRYLOV_TOL`; returns x and the iterations taken.

    Raises
    ------
    SolverError
        If GMRES has not converged after :data:`KRYLOV_CYCLES` restarts (``what`` names the
        solve in the message).
    """
    n = operator.shape[0]
    count = [0]

    def counted(r: np.ndarray) -> np.ndarray:
        count[0] += 1
        return precondition(r)

    m = spla.LinearOperator((n, n), counted, dtype=float)
    restart = min(KRYLOV_RESTART, n)
    x, info = spla.gmres(
        operator, rhs, M=m, rtol=KRYLOV_TOL, atol=0.0, restart=restart, maxiter=KRYLOV_CYCLES
    )
    residual = np.linalg.norm(operator @ x - rhs) / max(np.linalg.norm(rhs), 1e-300)
    if info != 0 and residual > 10 * KRYLOV_TOL:
        raise SolverError(
            f"GMRES did not converge for {what} (relative residual {residual:.1e} after "
            f"{count[0]} iterations): use `solver='pardiso'` or `solver='superlu'`, or fewer levels"
        )
    return x, count[0]


def check_solver(solver: str) -> None:
    """Refuse a solver name outside :data:`SOLVERS`."""
    if solver not in SOLVERS:
        raise GravsimInputError(f"unknown solver {solver!r}: choose one of {', '.join(SOLVERS)}")


class PardisoFactor:
    """A PARDISO LU (QuTiP's ``mkl_lu``) that frees MKL's memory when it is dropped.

    QuTiP's object keeps the factors in MKL's own memory until its ``delete()`` is called and
    has no finaliser, so every factorisation of a scan or a ``--tol`` search stayed allocated
    (15–70 MB each at 6×6×3–8×8×4).  This owner calls ``delete()`` when it is collected.
    """

    def __init__(self, lu: Any) -> None:
        self._lu = lu

    def solve(self, b: np.ndarray) -> np.ndarray:
        """x with L U x = ``b``."""
        return self._lu.solve(b)

    def __del__(self) -> None:
        try:
            self._lu.delete()
        except ImportError:  # at interpreter exit QuTiP's module is gone; so is the memory
            pass


def factorise(system: sp.spmatrix, solver: str = "auto", refine: bool = True):
    """A sparse LU of ``system`` to solve with many right-hand sides (``.solve(b)``).

    ``"auto"``/``"pardiso"``: MKL PARDISO through QuTiP where QuTiP finds MKL (up to 10 steps
    of iterative refinement per solve; ``refine=False``: none, for a preconditioner);
    ``"superlu"`` (and ``"auto"`` without MKL): SuperLU, COLAMD, BLAS pinned to one thread.
    """
    import qutip

    if solver in ("auto", "pardiso") and qutip.settings.has_mkl:
        from qutip._mkl.spsolve import mkl_splu

        return PardisoFactor(mkl_splu(sp.csr_matrix(system), max_iter_refine=10 if refine else 0))
    with threadpool_limits(limits=1, user_api="blas"):
        return spla.splu(sp.csc_matrix(system), permc_spec="COLAMD")


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
