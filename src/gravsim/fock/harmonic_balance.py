"""The periodic state of a time-periodic model by harmonic balance (L0 and L1 in Fock space).

With the Liouvillian's Fourier series L(t) = Σ_m L_m e^{−imω₀t} (ω₀ the base frequency, the
components read term by term from the model description, :func:`fourier_components`) the
periodic state ρ(t) = Σ_n ρ_n e^{−inω₀t} solves

    (L₀ + inω₀) ρ_n + Σ_{m≠0} L_m ρ_{n−m} = 0   for |n| ≤ K,       Tr ρ₀ = 1,

with ρ_n = 0 beyond the K kept harmonics.  Every L_m preserves the trace, so the n = 0 block's
(0, 0) equation depends on the others and is replaced by the trace (scaled to the mean |L₀|
entry); Tr ρ_n = 0 for n ≠ 0 follows.  The whole system is solved by GMRES, preconditioned
block by block: the n = 0 block by the exact LU of L₀ with its trace row (L₀ is the period
average, the same for L0 and its linearisation L1, so one factorisation serves both), the
n ≠ 0 blocks by 1/(inω₀) (their diagonal nω₀ dominates where the drive is fast, ω₀ ≫ κ, G±).
The harmonics couple through ‖L_{±1}‖/ω₀, so ρ_n falls off geometrically; K doubles from
:data:`FIRST_HARMONICS` until the highest kept ρ_K is below :data:`HARMONIC_TOL` of ρ₀.

Against the period iteration (:func:`gravsim.fock.period_map.periodic_state`: one mesolve per
period, 30–190 periods for L0) this needs one factorisation and sparse products only; QuTiP's
``steadystate_fourier`` (matrix continued fractions) handles one cos-drive operator and keeps
dense D²×D² matrices, out of reach at 7×7×4 (D² = 38 416: 23 GB each).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from gravsim.errors import NumericalError
from gravsim.fock import liouville_system, operators
from gravsim.fock.dynamics import PERIODIC_SAMPLES, FockPeriodicState, observe, propagation_frame
from gravsim.model.description import ModelDescription

#: Harmonics kept first; doubled until the highest is below HARMONIC_TOL of ρ₀.
FIRST_HARMONICS = 2
MAX_HARMONICS = 32
HARMONIC_TOL = 1e-10
#: GMRES: relative residual of the whole system, Krylov basis size, restarts.
GMRES_TOL = 1e-12
GMRES_RESTART = 60
GMRES_CYCLES = 40


def fourier_components(
    model: ModelDescription, dims: tuple[int, ...], omega0: float
) -> dict[int, sp.csr_matrix]:
    """L_m (column-stacked superoperators, CSR) of the model's Liouvillian, by harmonic m of
    ``omega0`` (rad/s; every frequency of the model must be a multiple of it):
    L(t) = Σ_m L_m e^{−imω₀t}.

    A Hamiltonian term c·O e^{−iνt} (+ h.c.) gives −i(O⊗1 − 1⊗Oᵀ)·c at ν/ω₀ (and its
    conjugate at −ν/ω₀); a jump operator r·D[Σ_k c_k O_k e^{−iν_k t}] gives, for each pair
    (k, l), r c_k c_l* [O_k ρ O_l† − ½{O_l†O_k, ρ}] at (ν_k − ν_l)/ω₀.
    """
    ops = operators.ladder_operators(model.modes, dims)
    out = _Components(int(np.prod(dims)), omega0)
    for term in model.hamiltonian:
        c = complex(term.coeff)
        o = _csr(operators.operator_product(ops, term.ops))
        out.add(term.frequency, -1j * c * (out.pre(o) - out.post(o)))
        if term.hermitian_conjugate:
            od = o.conj().T.tocsr()
            out.add(-term.frequency, -1j * np.conj(c) * (out.pre(od) - out.post(od)))
    for jump in model.jumps:
        rate = float(np.real(jump.rate))
        if rate != 0:
            pieces = [
                (complex(c) * _csr(ops[o]), jump.frequency(k))
                for k, (c, o) in enumerate(jump.terms)
            ]
            out.add_dissipator(rate, pieces)
    return {m: sp.csr_matrix(v) for m, v in out.by_harmonic.items() if sp.csr_matrix(v).nnz}


def _csr(op: Any) -> sp.csr_matrix:
    return op.data.as_scipy().tocsr()


class _Components:
    """Superoperators summed by harmonic m = ν/ω₀, in the column-stacking convention."""

    def __init__(self, dim: int, omega0: float) -> None:
        self.eye = sp.identity(dim, format="csr", dtype=complex)
        self.omega0 = omega0
        self.by_harmonic: dict[int, Any] = {}

    def add(self, nu: float, matrix: sp.spmatrix) -> None:
        m = int(round(nu / self.omega0))
        self.by_harmonic[m] = self.by_harmonic.get(m, 0) + matrix

    def pre(self, x: sp.csr_matrix) -> sp.csr_matrix:  # X ρ, column stacking: 1 ⊗ X
        return sp.kron(self.eye, x, format="csr")

    def post(self, x: sp.csr_matrix) -> sp.csr_matrix:  # ρ X: Xᵀ ⊗ 1
        return sp.kron(x.T, self.eye, format="csr")

    def add_dissipator(self, rate: float, pieces: list[tuple[sp.csr_matrix, float]]) -> None:
        """r D[Σ_k O_k e^{−iν_k t}]: r [O_k ρ O_l† − ½{O_l†O_k, ρ}] at ν_k − ν_l, every (k, l)."""
        for ok, nk in pieces:
            for ol, nl in pieces:
                old = ol.conj().T.tocsr()
                prod = (old @ ok).tocsr()
                term = self.pre(ok) @ self.post(old) - 0.5 * self.pre(prod) - 0.5 * self.post(prod)
                self.add(nk - nl, rate * term)


#: Harmonic coefficients: n ↦ the vector of ρ_n on its parity's half of Liouville space.
Coefficients = dict[int, np.ndarray]


@dataclass
class HarmonicBalance:
    """The harmonic-balance system of one model on one truncation, with the factorised
    period average (reusable by a model with the same L₀, e.g. L1 next to L0).

    Parity: where every L_m maps matrix elements of parity p (that of the total quantum
    number of row plus column) to parity p + m — true of L0 and L1, whose only odd
    components are the radiation-pressure terms at ±ω_m — ρ_n has parity n: each harmonic
    lives in half of Liouville space and L₀ is factorised on the even half only.
    """

    omega0: float
    dim: int
    halves: tuple[np.ndarray, np.ndarray]
    blocks: dict[tuple[int, int], sp.csr_matrix]
    average: Any  # the LU of L₀ on the even half, with the trace row
    scale: float
    trace_rows: np.ndarray
    diagonals: tuple[np.ndarray, ...] = ()

    def __post_init__(self) -> None:
        # the diagonal of L₀ on each half: the n ≠ 0 blocks' preconditioner
        self.diagonals = tuple(self.blocks[0, src].diagonal() for src in {0, self.half(1)})

    @classmethod
    def build(
        cls,
        model: ModelDescription,
        dims: tuple[int, ...],
        omega0: float,
        average: Any = None,
    ) -> HarmonicBalance:
        """Components of ``model`` in harmonics of ``omega0`` (rad/s) and, unless given
        (``average`` of another build with the same L₀ and ω₀), the LU of its period average
        with the trace row."""
        components = fourier_components(model, dims, omega0)
        dim = int(np.prod(dims))
        even = liouville_system.parity_indices(dims)
        halves = (even, np.setdiff1d(np.arange(dim * dim), even))
        if not _keeps_parity(components, halves):
            halves = (np.arange(dim * dim), np.arange(0))
        blocks = _restrict(components, halves)
        l0 = blocks[0, 0]
        scale = float(np.mean(np.abs(l0.data)))
        trace_rows = np.flatnonzero(np.isin(halves[0], np.arange(dim) * (dim + 1)))
        if average is None:
            system = l0.tolil()
            system[0, :] = 0
            system[0, trace_rows] = scale
            average = liouville_system.factorise(sp.csr_matrix(system), "auto", refine=False)
        return cls(omega0, dim, halves, blocks, average, scale, trace_rows)

    def half(self, n: int) -> int:
        """Which half (0 even, 1 odd) harmonic ``n`` lives on."""
        return n % 2 if self.halves[1].size else 0

    def apply(
        self, x: Coefficients, k: int, blocks: dict[tuple[int, int], sp.csr_matrix] | None = None
    ) -> Coefficients:
        """The system (default) or the perturbation ``blocks`` applied to ``x``: for each
        |n| ≤ k, Σ_m L_m x_{n−m} (+ inω₀ x_n and the trace row for the system)."""
        system = blocks is None
        blocks = self.blocks if system else blocks
        out = {}
        for n in range(-k, k + 1):
            y = np.zeros(self.halves[self.half(n)].size, dtype=complex)
            if system:
                y += 1j * n * self.omega0 * x[n]
            for (m, src), lm in blocks.items():
                if abs(n - m) <= k and src == self.half(n - m):
                    y += lm @ x[n - m]
            if n == 0:
                y[0] = self.scale * np.sum(x[0][self.trace_rows]) if system else 0.0
            out[n] = y
        return out

    def precondition(self, y: Coefficients) -> Coefficients:
        """Block-diagonal approximate inverse: the LU of L₀ for n = 0, Jacobi (the diagonal
        of L₀ + inω₀) for n ≠ 0."""
        out = {}
        for n, part in y.items():
            if n == 0:
                out[n] = np.asarray(self.average.solve(part)).ravel()
            else:
                out[n] = part / (self.diagonals[self.half(n)] + 1j * n * self.omega0)
        return out

    def solve(
        self, k: int, start: Coefficients | None = None, rhs: Coefficients | None = None
    ) -> tuple[Coefficients, float, int]:
        """The system solved for |n| ≤ ``k`` by preconditioned GMRES, from ``start``:
        the periodic state (``rhs`` None: Tr ρ₀ = 1) or the response to ``rhs`` (its trace
        row 0, so the response is trace-free).  Returns the coefficients, the relative
        residual and the GMRES steps."""
        harmonics = range(-k, k + 1)
        sizes = [self.halves[self.half(n)].size for n in harmonics]
        offsets = dict(zip(harmonics, np.concatenate([[0], np.cumsum(sizes)]), strict=False))
        size = int(sum(sizes))

        def split(v: np.ndarray) -> Coefficients:
            return {n: v[offsets[n] : offsets[n] + sizes[n + k]] for n in harmonics}

        def join(c: Coefficients) -> np.ndarray:
            return np.concatenate([c[n] for n in harmonics])

        if rhs is None:
            rhs = {n: np.zeros(sizes[n + k], dtype=complex) for n in harmonics}
            rhs[0][0] = self.scale
        b = join(rhs)
        x0 = self.precondition(rhs)
        for n, v in (start or {}).items():
            if abs(n) <= k:
                x0[n] = v
        count = [0]

        def tick(_: Any) -> None:
            count[0] += 1

        x, info = spla.gmres(
            spla.LinearOperator((size, size), lambda v: join(self.apply(split(v), k)), complex),
            b,
            x0=join(x0),
            M=spla.LinearOperator(
                (size, size), lambda v: join(self.precondition(split(v))), complex
            ),
            rtol=GMRES_TOL,
            atol=0.0,
            restart=GMRES_RESTART,
            maxiter=GMRES_CYCLES,
            callback=tick,
            callback_type="pr_norm",
        )
        residual = float(np.linalg.norm(join(self.apply(split(x), k)) - b) / np.linalg.norm(b))
        if info != 0 and residual > 1e3 * GMRES_TOL:
            raise NumericalError(
                f"harmonic balance did not converge ({k} harmonics, residual {residual:.1e}): "
                "the drive is not fast against the damped dynamics; use the period iteration"
            )
        return {n: v.copy() for n, v in split(x).items()}, residual, count[0]

    def matrix(self, n: int, vector: np.ndarray) -> np.ndarray:
        """ρ_n as a D×D matrix from its vector on its parity's half."""
        full = np.zeros(self.dim * self.dim, dtype=complex)
        full[self.halves[self.half(n)]] = vector
        return full.reshape(self.dim, self.dim, order="F")

    def restrict(self, components: dict[int, sp.csr_matrix]):
        """Another model's components (a perturbation) on this system's halves."""
        return _restrict(components, self.halves)


def _restrict(
    components: dict[int, sp.csr_matrix], halves: tuple[np.ndarray, np.ndarray]
) -> dict[tuple[int, int], sp.csr_matrix]:
    """L_m's block from half ``src`` to half src + m, keyed (m, src)."""
    two = halves[1].size > 0
    out = {}
    for m, lm in components.items():
        for src in (0, 1) if two else (0,):
            dst = (src + m) % 2 if two else 0
            out[m, src] = lm[halves[dst]][:, halves[src]].tocsr()
    return out


def _keeps_parity(
    components: dict[int, sp.csr_matrix], halves: tuple[np.ndarray, np.ndarray]
) -> bool:
    """Whether every L_m maps parity p to parity p + m only."""
    for m, lm in components.items():
        for src in (0, 1):
            wrong = halves[(src + m + 1) % 2]
            if lm[wrong][:, halves[src]].count_nonzero():
                return False
    return True


def _converged(hb: HarmonicBalance, progress: Any, t0: float):
    """Harmonics added two at a time, each solve starting from the last, until the highest
    is below :data:`HARMONIC_TOL` of ρ₀: (coefficients, stats)."""
    k, vecs, iterations = FIRST_HARMONICS, None, 0
    while True:
        vecs, residual, its = hb.solve(k, vecs)
        iterations += its
        top = max(np.linalg.norm(vecs[k]), np.linalg.norm(vecs[-k])) / np.linalg.norm(vecs[0])
        if progress is not None:
            progress(
                f"harmonic balance: {k} harmonics, {iterations} GMRES steps, highest harmonic "
                f"{top:.1e} of ρ₀, residual {residual:.1e}, {time.perf_counter() - t0:.0f} s"
            )
        if top <= HARMONIC_TOL or k >= MAX_HARMONICS:
            break
        k += 2
    stats = {
        "harmonics": k,
        "highest_harmonic": float(top),
        "residual": residual,
        "gmres_iterations": iterations,
    }
    return vecs, stats


def periodic_coefficients(
    model: ModelDescription,
    dims: tuple[int, ...],
    *,
    omega0: float | None = None,
    average: Any = None,
    progress: Any = None,
) -> tuple[dict[int, np.ndarray], HarmonicBalance, dict[str, Any]]:
    """ρ_n of the periodic state of ``model`` in harmonics of ``omega0`` (default its base
    frequency; L1 next to L0 takes L0's, so that one ``average`` serves both).

    Returns the coefficients (D×D matrices, in the frame of ``model``), the system (its
    ``average`` reusable) and stats: harmonics, residual, GMRES steps, wall time.
    """
    t0 = time.perf_counter()
    if progress is not None:
        progress(f"harmonic balance on {dims} levels: factorising the period average ...")
    hb = HarmonicBalance.build(model, dims, omega0 or model.base_frequency(), average)
    vecs, stats = _converged(hb, progress, t0)
    rhos = {n: hb.matrix(n, v) for n, v in vecs.items()}
    return rhos, hb, stats | {"wall_time_s": time.perf_counter() - t0}


def second_order_shift(
    model: ModelDescription,
    perturbation: ModelDescription,
    dims: tuple[int, ...],
    *,
    omega0: float,
    average: Any = None,
    base: str = "e",
    progress: Any = None,
) -> tuple[float, float]:
    """Period-averaged E_N of ``model``'s periodic state and its shift to second order in
    ``perturbation`` (a Hamiltonian in the same frame, e.g. the cubic radiation pressure that
    L1 drops): ρ = ρ⁽⁰⁾ + ρ⁽¹⁾ + ρ⁽²⁾ with A ρ⁽ⁱ⁾ = −P ρ⁽ⁱ⁻¹⁾ (A the harmonic-balance system
    of ``model``, P the perturbation's components; each ρ⁽ⁱ⁾ trace-free), on the same
    truncation.  Returns (E_N of ρ⁽⁰⁾, E_N of ρ⁽⁰⁾ + ρ⁽¹⁾ + ρ⁽²⁾ minus it), both averaged over
    the period's samples.  ``progress`` (callable) gets a line per solve.
    """
    t0 = time.perf_counter()
    frame = propagation_frame(model)
    if progress is not None and average is None:
        progress(f"harmonic balance on {dims} levels: factorising the period average ...")
    hb = HarmonicBalance.build(frame, dims, omega0, average)
    vecs, stats = _converged(hb, progress, t0)
    k = stats["harmonics"]
    pert = hb.restrict(fourier_components(perturbation, dims, omega0))
    orders = [vecs]
    for order in (1, 2):
        rhs = {n: -v for n, v in hb.apply(orders[-1], k, pert).items()}
        response, residual, steps = hb.solve(k, rhs=rhs)
        orders.append(response)
        if progress is not None:
            progress(
                f"harmonic balance: order {order} of the response, {steps} GMRES steps, "
                f"residual {residual:.1e}, {time.perf_counter() - t0:.0f} s"
            )
    total = {n: sum(o[n] for o in orders) for n in vecs}
    values = []
    for coefficients in (vecs, total):
        rhos = {n: hb.matrix(n, v) for n, v in coefficients.items()}
        values.append(float(np.mean(_samples(rhos, omega0, model, dims, base)["E_N"])))
    return values[0], values[1] - values[0]


def _samples(
    rhos: dict[int, np.ndarray],
    omega0: float,
    model: ModelDescription,
    dims: tuple[int, ...],
    base: str,
) -> dict[str, np.ndarray]:
    """E_N, occupations and purity at the period's sample times."""
    import qutip

    shape = [list(dims), list(dims)]
    times = 2 * np.pi / omega0 * np.arange(PERIODIC_SAMPLES) / PERIODIC_SAMPLES
    states = [(t, qutip.Qobj(state_at(rhos, omega0, t), dims=shape)) for t in times]
    return observe(states, model.modes, dims, base)


def state_at(rhos: dict[int, np.ndarray], omega0: float, t: float) -> np.ndarray:
    """ρ(t) = Σ_n ρ_n e^{−inω₀t}, Hermitian part."""
    rho = sum(r * np.exp(-1j * n * omega0 * t) for n, r in rhos.items())
    return 0.5 * (rho + rho.conj().T)


def periodic_state(
    model: ModelDescription,
    dims: tuple[int, ...],
    *,
    base: str = "e",
    omega0: float | None = None,
    average: Any = None,
    progress: Any = None,
) -> tuple[FockPeriodicState, Any]:
    """The periodic state of ``model`` (L0 or L1, laboratory-frame mechanics) on ``dims``,
    sampled at :data:`~gravsim.fock.dynamics.PERIODIC_SAMPLES` times over the period, as
    :func:`gravsim.fock.period_map.periodic_state` gives it; and the factorised period average
    for a model with the same one (pass it as ``average``, with this ``omega0``).

    Solved in the frame rotating at ω_m for the mechanics (a local rotation: E_N, purity and
    occupations are unchanged, and ρ(nT) is the laboratory-frame state).
    """
    import qutip

    frame = propagation_frame(model)
    omega0 = omega0 or model.base_frequency()
    rhos, hb, stats = periodic_coefficients(
        frame, dims, omega0=omega0, average=average, progress=progress
    )
    table = _samples(rhos, omega0, model, dims, base)
    rho0 = qutip.Qobj(state_at(rhos, omega0, 0.0), dims=[list(dims), list(dims)])
    state = FockPeriodicState(rho0, model.modes, table, None, None, base, "harmonic balance", stats)
    return state, hb.average


__all__ = [
    "HarmonicBalance",
    "fourier_components",
    "periodic_coefficients",
    "periodic_state",
    "second_order_shift",
    "state_at",
]
