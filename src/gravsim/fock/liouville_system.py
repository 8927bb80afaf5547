"""The real linear system of a Hermitian ρ in Liouville space, and its factorisations.

Parity.  Every Hamiltonian term of the linear rungs is quadratic and every jump operator
linear, so the Liouvillian commutes with ρ → PρP, P = (−1)^(total number).  The steady state
is even (PρP = ρ): only the matrix elements ρ_ij with parity(i) = parity(j) can be non-zero,
half of Liouville space, and L maps that half to itself (:func:`parity_indices`).

The linear system.  L preserves Hermiticity, so on the real coordinates of a Hermitian ρ
(ρ_ii, Re ρ_ij, Im ρ_ij for i < j; :func:`hermitian_basis`) it is a real matrix of the same
dimension as the complex block: half the memory and about a quarter of the flops of a
complex LU.  L x = 0 with Tr ρ = 1: the Re (Lρ)₀₀ equation (linearly dependent on the
others, because L preserves the trace) is replaced by the trace functional scaled to the
mean |L| entry, with right-hand side that scale (:class:`HermitianSystem`).

The tools the solvers share: :func:`factorise` (PARDISO through QuTiP where it finds MKL,
else SuperLU; :class:`PardisoFactor` frees MKL's memory) and :func:`krylov` (GMRES with a
preconditioner).  The solvers themselves, and the choice among them, are
:mod:`gravsim.fock.solvers`; the cavity split, :mod:`gravsim.fock.cavity_split`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from threadpoolctl import threadpool_limits

from gravsim.errors import GravsimInputError, NumericalError

if TYPE_CHECKING:  # imported where used: the module's constants load without QuTiP
    import qutip


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
