"""The periodic state of a time-periodic model (L0, L1) as the fixed point of the one-period map.

P: ρ(0) ↦ ρ(T) is propagated by mesolve (one solver built once, rerun each period) in the
frame of :func:`gravsim.fock.dynamics.propagation_frame`; the iteration is preconditioned by
the period-averaged Liouvillian and Anderson-accelerated (:func:`periodic_state`).  On a
ladder of truncations each one starts from the smaller one's periodic state and is
preconditioned on the smaller space (a two-grid scheme): measured on ``driven`` L0 at 8×8×4
from 6×6×3, 23 periods at 1.6 s in 37 s, against 35 periods, 66 s and a 24 s start before.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import qutip

from gravsim.errors import NumericalError
from gravsim.fock import liouville_system, operators
from gravsim.fock.dynamics import (
    FockPeriodicState,
    displaced,
    mesolve_options,
    propagation_frame,
    sample_period,
)
from gravsim.model.description import ModelDescription, secular

#: Stop the iteration when ‖ρ(T) − ρ(0)‖_F is below this.  Measured on ``driven`` L0 against
#: a 1e-9 solution: ‖δρ‖_F 5.4e-6 and E_N 6.2e-6 at 8×8×4 (the slowest modes make ‖δρ‖
#: several times the last change), 5.6e-7 and 5e-8 at 6×6×3; the truncation errors there
#: are ~3e-2, and ``validate``'s L0 − L1 on one truncation −4.6e-4 (77× the E_N error).
PERIODIC_TOL = 1e-6
#: Periods of plain iteration after which ``precondition=None`` decides, and the number of
#: further plain periods (extrapolated from the last four) above which it preconditions.
PRECONDITION_AFTER = 8
PRECONDITION_ABOVE = 50
#: Liouville dimension up to which ``precondition=None`` factorises from the start (~1 s).
PRECONDITION_FREE_DIM = 20_000


def averaged_start(
    model: ModelDescription, average: ModelDescription, dims: tuple[int, ...]
) -> qutip.Qobj:
    """A start for :func:`periodic_state`: the steady state of the period average.

    ``average`` is the period average of ``model``'s linearisation (the RWA rung); its
    steady state is displaced by the model's mean amplitudes where its frame keeps them
    (``model.initial_means``).
    """
    return displaced(model, operators.steady_state(average, dims).rho, dims)


def periodic_state(
    model: ModelDescription,
    dims: tuple[int, ...],
    start: qutip.Qobj,
    *,
    base: str = "e",
    tol: float = PERIODIC_TOL,
    max_periods: int = 400,
    depth: int = 20,
    precondition: bool | None = None,
    progress: Any = None,
) -> FockPeriodicState:
    """Fixed point of the one-period map P, from ``start`` (a good guess saves periods).

    ``start`` is a state on ``dims`` or on a smaller truncation (a periodic state found
    there, :func:`embedded` into ``dims``).  The map iterated is G(ρ) = ρ − C[P(ρ) − ρ] with
    C ≈ (e^{T L̄} − 1)⁻¹ built from the period-averaged Liouvillian L̄ (factorised once; the
    (1,1) Padé form (T L̄)⁻¹ − ½ on trace-free operators).  P − 1 ≈ e^{T L̄} − 1 up to the
    time-dependent terms' O(‖L_ν‖/ν), so G contracts by about that factor per period however
    slow the relaxation (a 0.99-per-period mode costs hundreds of plain periods).

    ``precondition``: True, C on all of ``dims``; False, none (C = −1, plain periods); None,
    C on ``dims`` up to a Liouville dimension :data:`PRECONDITION_FREE_DIM` (the
    factorisation costs 0.4 s at 6×6×3, 60–80 s at 8×8×4); above it C on the smaller
    truncation of ``start`` where there is one and −1 on the levels above
    (:class:`_AveragedInverse`; the slow modes live in the low levels: 21 periods at 8×8×4
    from 6×6×3, against 33 plain), otherwise C on ``dims`` only once the plain iteration,
    watched for :data:`PRECONDITION_AFTER` periods, would need more than
    :data:`PRECONDITION_ABOVE` more.

    Anderson acceleration (depth ``depth``) on x ↦ G(x), x the real coordinates of ρ: the
    next guess is G(x_k) − Σ_j γ_j ΔG_j with γ minimising ‖f_k − Σ_j γ_j Δf_j‖,
    f = G(x) − x.  Affine combinations keep the trace and Hermiticity.  The stopping test is
    on P itself, ‖P(ρ) − ρ‖_F < ``tol``.  ``progress`` (callable) gets a one-line message
    per period with the elapsed time and an ETA.

    Raises
    ------
    NumericalError
        If the stroboscopic change is still above ``tol`` after ``max_periods`` (no
        attracting periodic state, or one too slow to reach).
    """
    frame = propagation_frame(model)
    period = 2 * np.pi / model.base_frequency()
    h = operators.hamiltonian(frame, dims)
    c_ops = operators.collapse_operators(frame, dims)
    coarse = tuple(start.dims[0])
    start = embedded(start, dims)

    def averaged_inverse(on: tuple[int, ...] = dims) -> _AveragedInverse:
        return _AveragedInverse(frame, dims, period, on)

    small = int(np.prod(dims)) ** 2 <= PRECONDITION_FREE_DIM
    if precondition is not None:
        first = averaged_inverse() if precondition else None
    elif small or coarse == tuple(dims):
        first = averaged_inverse() if small else None
    else:
        first = averaged_inverse(coarse)
    x, periods, change = _fixed_point(
        _period_map(h, c_ops, period, start.dims),
        _coords(start.full()),
        first,
        averaged_inverse if precondition is None and first is None else None,
        tol=tol,
        max_periods=max_periods,
        depth=depth,
        progress=progress,
    )
    rho = qutip.Qobj(_matrix(x), dims=start.dims)
    table = sample_period(h, c_ops, rho, period, model.modes, dims, base)
    return FockPeriodicState(rho, model.modes, table, periods, change, base)


def embedded(rho: qutip.Qobj, dims: tuple[int, ...]) -> qutip.Qobj:
    """``rho`` on a truncation at most ``dims`` (levels per mode) padded with zeros to ``dims``.

    The trace and every kept matrix element are unchanged (returned as is when the
    truncation is ``dims`` already).
    """
    old = tuple(rho.dims[0])
    if old == tuple(dims):
        return rho
    if len(old) != len(dims) or any(o > n for o, n in zip(old, dims, strict=True)):
        raise ValueError(f"a state on {old} levels does not embed in {tuple(dims)}")
    return qutip.Qobj(_padded(rho.full(), old, dims), dims=[list(dims), list(dims)])


def _padded(m: np.ndarray, old: tuple[int, ...], dims: tuple[int, ...]) -> np.ndarray:
    """The operator matrix ``m`` on levels ``old`` padded with zeros to levels ``dims``."""
    pad = [(0, n - o) for o, n in zip(old, dims, strict=True)] * 2
    size = int(np.prod(dims))
    return np.pad(m.reshape(*old, *old), pad).reshape(size, size)


def _restricted(m: np.ndarray, dims: tuple[int, ...], new: tuple[int, ...]) -> np.ndarray:
    """The block of the operator matrix ``m`` on levels ``dims`` kept by the levels ``new``."""
    keep = tuple(slice(0, n) for n in new) * 2
    size = int(np.prod(new))
    return m.reshape(*dims, *dims)[keep].reshape(size, size)


def _period_map(h: Any, c_ops: list[Any], period: float, shape: list[Any]) -> Any:
    """x ↦ ρ(T) (a dense matrix) from ρ(0) with the real coordinates x, by mesolve.

    One ``MESolver`` is built and rerun every period (building the Liouvillian's QobjEvo
    again cost 0.35 s of the 1.7 s of a period at 8×8×4).
    """
    solver = qutip.MESolver(h, c_ops, options=mesolve_options(False, store_final_state=True))

    def one_period(x: np.ndarray) -> np.ndarray:
        rho = qutip.Qobj(_matrix(x), dims=shape)
        return solver.run(rho, [0.0, period]).final_state.full()

    return one_period


def _fixed_point(
    one_period: Any,
    x: np.ndarray,
    correction: _AveragedInverse | None,
    late_correction: Any,
    *,
    tol: float,
    max_periods: int,
    depth: int,
    progress: Any,
) -> tuple[np.ndarray, int, float]:
    """The iteration of :func:`periodic_state`: (x, periods, change) at ‖P(ρ) − ρ‖_F < tol.

    ``correction`` is the preconditioner from the start (None: plain periods);
    ``late_correction`` (None: never) builds it after :data:`PRECONDITION_AFTER` plain
    periods if the iteration is slow (:func:`_slow`).
    """
    xs: list[np.ndarray] = []
    fs: list[np.ndarray] = []
    changes: list[float] = []
    change = np.inf
    t0 = time.perf_counter()
    for k in range(1, max_periods + 1):
        now = _matrix(x)
        step = one_period(x) - now
        change = float(np.linalg.norm(step))
        if progress is not None:
            progress(_period_line(k, change, changes, tol, time.perf_counter() - t0))
        if change < tol:
            return x, k, change
        changes.append(change)
        if late_correction is not None and correction is None and k == PRECONDITION_AFTER:
            if _slow(changes, tol, progress):
                correction = late_correction()
                xs, fs = [], []  # a new map: the old differences do not describe it
        gx = _coords(now - correction(step) if correction else now + step)
        x, xs, fs = _anderson(x, gx, xs, fs, depth)
    raise NumericalError(
        f"no periodic state within {max_periods} periods (‖ρ(T) − ρ(0)‖ {change:.2e} > "
        f"{tol:g}): the driven state does not settle; check the Gaussian L1 (`model='linear'`) "
        "for its Floquet multipliers"
    )


def _period_line(k: int, change: float, changes: list[float], tol: float, elapsed: float) -> str:
    """The progress line of period ``k``: its change, the elapsed time and an ETA from the
    last periods' contraction rate."""
    line = f"periodic state: period {k}, ‖ρ(T) − ρ(0)‖_F = {change:.2e} (stop < {tol:g}), "
    line += f"{elapsed:.0f} s"
    if len(changes) >= 2 and change > tol:
        rate = (change / changes[-2]) ** 0.5
        if 0 < rate < 1:
            left = math.log(tol / change) / math.log(rate)
            line += f", ETA ~{left * elapsed / k:.0f} s"
    return line


def _slow(changes: list[float], tol: float, progress: Any) -> bool:
    """Would the plain iteration need more than :data:`PRECONDITION_ABOVE` more periods?"""
    change = changes[-1]
    rate = (changes[-1] / changes[-5]) ** 0.25
    if rate >= 1 or math.log(tol / change) / math.log(rate) > PRECONDITION_ABOVE:
        if progress is not None:
            progress(f"L0 periodic state: slow ({rate:.3f} per period), preconditioning")
        return True
    return False


def _anderson(
    x: np.ndarray, gx: np.ndarray, xs: list[np.ndarray], fs: list[np.ndarray], depth: int
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """One Anderson step: the next guess from G(x) = ``gx`` and the last ``depth`` ones."""
    f = gx - x
    xs.append(gx)
    fs.append(f)
    xs, fs = xs[-depth - 1 :], fs[-depth - 1 :]
    if len(fs) > 1:
        df = np.diff(np.array(fs), axis=0).T
        dx = np.diff(np.array(xs), axis=0).T
        gamma, *_ = np.linalg.lstsq(df, f, rcond=None)
        return gx - dx @ gamma, xs, fs
    return gx, xs, fs


class _AveragedInverse:
    """y ↦ C y with C ≈ (e^{T L̄} − 1)⁻¹: [(T L̄)⁻¹ − ½] y on the levels ``on``, −y above.

    On the levels ``on`` (all of ``dims``, or a smaller truncation for the two-grid scheme
    of :func:`periodic_state`) C is (e^{T L̄} − 1)⁻¹ to (1,1) Padé order; on the rest of the
    operator space it is −1, so those components take a plain period (with the trace of y's
    block on ``on``, which the block's C cannot take: C y stays trace-free).  L̄ (the static part
    of the Liouvillian in the propagation frame, i.e. its period average) is singular: its
    kernel is the averaged steady state and its left kernel the trace.  On the real
    coordinates of Hermitian z (:class:`~gravsim.fock.liouville_system.HermitianSystem`, the whole
    space: L0's radiation pressure breaks parity) with the dependent equation Re(L̄z)₀₀
    replaced by Tr z = 0 it is not, and for trace-free y that system gives L̄ z = y/T.  It is
    factorised once (PARDISO where QuTiP finds MKL, else SuperLU) in real arithmetic: at
    8×8×4 (``driven``) 61 s and 1.9 s per application, at 6×6×3 0.4 s.  (The cavity split
    is no use here: a preconditioner needs one cheap application, and GMRES with the split
    took ~100 s per application on this model.)
    """

    def __init__(
        self, frame: ModelDescription, dims: tuple[int, ...], period: float, on: tuple[int, ...]
    ) -> None:
        average = secular(frame, rung=frame.rung, note="period average")
        hs = liouville_system.HermitianSystem.build(operators.liouvillian(average, on), on, False)
        self._lu = liouville_system.factorise(hs.system)
        self._hs, self._period = hs, period
        self._dims, self._on = tuple(dims), tuple(on)

    def __call__(self, y: np.ndarray) -> np.ndarray:
        """C y for a trace-free Hermitian ``y`` (a matrix on ``dims``); C y is trace-free."""
        if self._on == self._dims:
            return self._pade(y)
        part = _restricted(y, self._dims, self._on)
        part = part - np.trace(part) / part.shape[0] * np.eye(part.shape[0])  # trace-free
        return _padded(self._pade(part) + part, self._on, self._dims) - y

    def _pade(self, y: np.ndarray) -> np.ndarray:
        """[(T L̄)⁻¹ − ½] y on the levels ``on`` (``y`` trace-free there)."""
        rhs = np.real(self._hs.real_eqs @ y.ravel(order="F")) / self._period
        rhs[0] = 0.0  # the trace equation: z is trace-free
        z = self._hs.to_vec @ np.real(np.asarray(self._lu.solve(rhs))).ravel()
        return np.asarray(z).reshape(self._hs.dim, self._hs.dim, order="F") - 0.5 * y


def _coords(rho: np.ndarray) -> np.ndarray:
    """Real coordinates of a Hermitian matrix (real and imaginary parts)."""
    return np.concatenate([rho.real.ravel(), rho.imag.ravel()])


def _matrix(x: np.ndarray) -> np.ndarray:
    n = int(round(np.sqrt(x.size // 2)))
    m = x[: n * n].reshape(n, n) + 1j * x[n * n :].reshape(n, n)
    return 0.5 * (m + m.conj().T)
