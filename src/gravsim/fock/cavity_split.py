"""Three-mode steady states too large to factorise: GMRES preconditioned by the exact
solve of the cavity's lowest levels.

Why it works.  The cavity decays fastest (κ > G±, Ω, γ_m) and holds few photons; the
mechanics are cooled and entangled through its lowest levels, and their slow dynamics
(rates Γ, γ_m) are what a cheap preconditioner misses.  The real unknowns of the parity block
(:class:`~gravsim.fock.liouville_system.HermitianSystem`) are split by the cavity levels (n, m) of
their entry ρ_ij: *low* where both are below K (:data:`LOW_LEVELS`), *high* otherwise.  The
preconditioner is block lower triangular,

    M = [[A_ll, 0], [A_hl, D_hh]],

* A_ll, the low principal block, is the same Liouvillian truncated to K cavity levels (the
  truncated c keeps its matrix elements there) with the same trace equation: factorised
  exactly, it holds the reservoir engineering and the slow mechanical relaxation;
* A_hl feeds the low solution into the high levels;
* D_hh keeps of the high block only the entries between unknowns with the same cavity pair
  {n, m}: the mechanics' Liouvillian damped by κ(n + m)/2, block diagonal and cheap to
  factorise.  Dropped: G± moving a photon between high levels, c ρ c† among them, and the
  high-to-low coupling A_lh.

GMRES then converges in ~60 iterations at 8×8×4 and ~130 at 10×10×5 on the ``small``
preset (G₋/κ = 0.2): 10×10×5 (125 000 unknowns) in 80 s and 2.3 GiB on 2 cores, where a
direct factorisation was still running after 9 min at 12.7 GB (``benchmarks/RESULTS.md``).
The dropped high-level couplings are not small against κ(n + m)/2 at high mechanical levels
(G√(n_c n_mech) ~ κ), which is why the preconditioner keeps K ≥ 3 levels exact where it can.

Accuracy: GMRES to relative residual :data:`~gravsim.fock.liouville_system.KRYLOV_TOL`; the state
then passes the same residual, trace and hermiticity checks as a direct solve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from gravsim.fock.liouville_system import HermitianSystem, factorise, krylov, unknown_entries

#: Cavity levels kept exact in the preconditioner (fewer where the cavity has ≤ K levels):
#: 58 GMRES iterations at 8×8×4 with K = 3, 153 with K = 2.
LOW_LEVELS = 3


@dataclass(frozen=True, eq=False)
class CavitySplit:
    """The preconditioner M of the module docstring for one system, and GMRES with it.

    Attributes
    ----------
    system : scipy.sparse.csr_matrix
        The real system A (:class:`~gravsim.fock.liouville_system.HermitianSystem`).
    low, high : numpy.ndarray
        The unknowns with both cavity levels below K, and the others.
    low_lu, high_lu
        Factorisations of A_ll and D_hh (no iterative refinement: M is approximate anyway).
    feed : scipy.sparse.csr_matrix
        A_hl.
    """

    system: sp.csr_matrix
    low: np.ndarray
    high: np.ndarray
    low_lu: Any
    high_lu: Any
    feed: sp.csr_matrix

    @classmethod
    def build(
        cls, hs: HermitianSystem, dims: tuple[int, ...], cavity: int, solver: str = "auto"
    ) -> CavitySplit:
        """Split ``hs`` by the levels of mode ``cavity`` and factorise A_ll and D_hh
        (``solver``: ``"auto"``, ``"pardiso"`` or ``"superlu"`` for both)."""
        stride = int(np.prod(dims[cavity + 1 :]))
        i, j = unknown_entries(hs.index, hs.dim)
        n_i, n_j = (i // stride) % dims[cavity], (j // stride) % dims[cavity]
        k = min(LOW_LEVELS, dims[cavity] - 1)
        is_low = np.maximum(n_i, n_j) < k
        low, high = np.flatnonzero(is_low), np.flatnonzero(~is_low)
        pair = (np.minimum(n_i, n_j) * dims[cavity] + np.maximum(n_i, n_j))[high]
        a = hs.system.tocsr()
        a_hh = a[high][:, high].tocoo()
        same = pair[a_hh.row] == pair[a_hh.col]
        d_hh = sp.csr_matrix((a_hh.data[same], (a_hh.row[same], a_hh.col[same])), shape=a_hh.shape)
        return cls(
            system=a,
            low=low,
            high=high,
            low_lu=factorise(a[low][:, low], solver, refine=False),
            high_lu=factorise(d_hh, solver, refine=False),
            feed=a[high][:, low].tocsr(),
        )

    def precondition(self, r: np.ndarray) -> np.ndarray:
        """M⁻¹ r: the low levels exactly, then the high ones from their diagonal blocks."""
        x = np.empty_like(r)
        x[self.low] = np.real(np.asarray(self.low_lu.solve(r[self.low]))).ravel()
        rest = r[self.high] - self.feed @ x[self.low]
        x[self.high] = np.real(np.asarray(self.high_lu.solve(rest))).ravel()
        return x

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """A⁻¹ rhs by GMRES preconditioned by M."""
        x, _ = krylov(self.system, rhs, self.precondition, "the cavity-split steady state")
        return x
