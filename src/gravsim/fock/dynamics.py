"""Fock-space time evolution with ``qutip.mesolve`` on the same model description.

* :func:`transient` — E_N(t), occupations and the mechanical purity at the output times,
  computed inside mesolve's ``e_ops`` callable, so no state is stored; QuTiP's own progress
  bar.
* :func:`periodic_state` — the periodic asymptotic state of a time-periodic model (L0):
  the fixed point of the one-period map ρ(0) → ρ(T), found by propagating period by period,
  each step preconditioned by the period-averaged Liouvillian and Anderson-accelerated,
  stopped when ‖ρ(T) − ρ(0)‖_F falls below a stated tolerance; then one more period sampled
  for the period average and ripple of E_N.

Time-periodic models with the mechanics in the laboratory frame (L0) are propagated in the
frame rotating at their base frequency ω₀ = ω_m for the mechanical modes a, b
(:func:`~gravsim.model.description.rotating_frame`): exact, it leaves E_N, purities and
occupations unchanged (a local rotation, identity at every t = nT), and the solver's steps
no longer follow the free rotation at ω_m.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import qutip

from gravsim.analysis.entanglement import log_base_factor, log_negativity_of_state
from gravsim.errors import NumericalError
from gravsim.fock import operators, solvers
from gravsim.model.description import Ladder, ModelDescription, ann, cre, rotating_frame, secular

#: mesolve tolerances: well below the Fock truncation errors (~1e-3) they are compared with.
RTOL = 1e-8
ATOL = 1e-10
#: Stop the periodic-state iteration when ‖ρ(T) − ρ(0)‖_F is below this.
PERIODIC_TOL = 1e-7
#: Periods of plain iteration after which ``precondition=None`` decides, and the number of
#: further plain periods (extrapolated from the last four) above which it preconditions.
PRECONDITION_AFTER = 8
PRECONDITION_ABOVE = 50
#: Liouville dimension up to which ``precondition=None`` factorises from the start (~1 s).
PRECONDITION_FREE_DIM = 20_000
#: Samples over the last period for the period average.
PERIODIC_SAMPLES = 16


def initial_state(
    model: ModelDescription, dims: tuple[int, ...], occupations: dict[str, float]
) -> qutip.Qobj:
    """Product of thermal states (``occupations`` per mode, missing modes in vacuum).

    Where the model's frame does not subtract the classical field
    (``model.initial_means``), each mode is displaced by its mean amplitude at t = 0.
    """
    rho = qutip.tensor(
        *(
            qutip.thermal_dm(n, occupations.get(m, 0.0))
            for m, n in zip(model.modes, dims, strict=True)
        )
    )
    return _displaced(model, rho, dims)


def averaged_start(
    model: ModelDescription, average: ModelDescription, dims: tuple[int, ...]
) -> qutip.Qobj:
    """A start for :func:`periodic_state`: the steady state of the period average.

    ``average`` is the period average of ``model``'s linearisation (the RWA rung); its
    steady state is displaced by the model's mean amplitudes where its frame keeps them
    (``model.initial_means``).
    """
    return _displaced(model, operators.steady_state(average, dims).rho, dims)


def _displaced(model: ModelDescription, rho: qutip.Qobj, dims: tuple[int, ...]) -> qutip.Qobj:
    """D ρ D† with D the product of displacements by ``model.initial_means``."""
    if not any(model.initial_means.get(m, 0) for m in model.modes):
        return rho
    d = qutip.tensor(
        *(
            qutip.displace(n, model.initial_means.get(m, 0.0))
            for m, n in zip(model.modes, dims, strict=True)
        )
    )
    return d @ rho @ d.dag()


def propagation_frame(model: ModelDescription) -> ModelDescription:
    """The frame mesolve propagates ``model`` in.

    Rotating at the multiple kω₀ of the base frequency nearest the mechanics' mean free
    frequency (the static j†j coefficients of a and b): exact, and the identity at t = nT.
    A model already in a rotating frame (L1) has k = 0 and is left alone.
    """
    omega0 = model.base_frequency()
    if omega0 == 0:
        return model
    free = [
        float(np.real(t.coeff))
        for t in model.hamiltonian
        if t.frequency == 0 and t.ops in ((cre("a"), ann("a")), (cre("b"), ann("b")))
    ]
    k = round(sum(free) / 2 / omega0)
    if k == 0:
        return model
    return rotating_frame(
        model, k * omega0, ("a", "b"), rung=model.rung, frame=model.frame + f", rotating at {k}ω₀"
    )


@dataclass
class _Observer:
    """The e_ops callable: E_N, occupations and mechanical purity at each output time."""

    modes: tuple[str, ...]
    dims: tuple[int, ...]
    base: str
    rows: list[tuple[float, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        ops = operators.ladder_operators(self.modes, self.dims)
        self._number = [ops[Ladder(m, True)] @ ops[Ladder(m)] for m in self.modes]
        self._keep = [self.modes.index("a"), self.modes.index("b")]

    def __call__(self, t: float, state: qutip.Qobj) -> float:
        rho = state if state.isoper else qutip.vector_to_operator(state)
        mech = rho if len(self.modes) == 2 else rho.ptrace(self._keep)
        e_n = log_negativity_of_state(mech, self.base)
        occ = [float(np.real(qutip.expect(n, rho))) for n in self._number]
        m = mech.full()
        purity = float(np.vdot(m, m).real)  # tr ρ² = Σ|ρ_ij|², no O(n³) product
        self.rows.append((float(t), e_n, *occ, purity))
        return e_n

    def table(self) -> dict[str, np.ndarray]:
        """Columns: time_s, E_N, n_<mode> per mode, purity (mechanical)."""
        data = np.array(self.rows)
        out = {"time_s": data[:, 0], "E_N": data[:, 1]}
        for k, mode in enumerate(self.modes):
            out[f"n_{mode}"] = data[:, 2 + k]
        out["purity"] = data[:, -1]
        return out


def observe(
    states: list[tuple[float, qutip.Qobj]], modes: tuple[str, ...], dims: tuple[int, ...], base: str
) -> dict[str, np.ndarray]:
    """E_N, occupations and mechanical purity of (time, ρ) pairs, as :func:`transient`'s
    table (columns time_s, E_N, n_<mode>, purity)."""
    observer = _Observer(modes, dims, base)
    for t, rho in states:
        observer(t, rho)
    return observer.table()


def _options(progress: bool, **extra: Any) -> dict[str, Any]:
    return {
        "store_states": False,
        "rtol": RTOL,
        "atol": ATOL,
        "progress_bar": "tqdm" if progress else "",
        **extra,
    }


def transient(
    model: ModelDescription,
    dims: tuple[int, ...],
    times: np.ndarray,
    occupations: dict[str, float],
    *,
    base: str = "e",
    progress: bool = False,
) -> dict[str, np.ndarray]:
    """E_N(t), occupations and mechanical purity from a thermal start, by mesolve.

    Parameters
    ----------
    model : ModelDescription
    dims : tuple of int
        Fock levels per mode (``model.modes`` order).
    times : ndarray
        Output times (s), starting at 0.
    occupations : dict
        Initial thermal occupation per mode (missing: vacuum).
    base : {"e", "2"}
    progress : bool
        Show QuTiP's tqdm progress bar.

    Returns
    -------
    dict of ndarray
        ``time_s``, ``E_N``, ``n_<mode>``, ``purity``; one entry per output time.
    """
    frame = propagation_frame(model)
    observer = _Observer(model.modes, dims, base)
    qutip.mesolve(
        operators.hamiltonian(frame, dims),
        initial_state(model, dims, occupations),
        np.asarray(times, dtype=float),
        operators.collapse_operators(frame, dims),
        e_ops=[observer],
        options=_options(progress),
    )
    return observer.table()


@dataclass(frozen=True, eq=False)
class FockPeriodicState:
    """The periodic asymptotic state of a time-periodic model on a truncated space.

    Attributes
    ----------
    rho : qutip.Qobj
        The state at t = nT (start of a period).
    modes : tuple of str
    samples : dict of ndarray
        E_N, occupations and purity at ``PERIODIC_SAMPLES`` times over one period.
    periods : int or None
        Periods propagated (None when found by harmonic balance).
    change : float or None
        ‖ρ(T) − ρ(0)‖_F at the end (the stroboscopic change; None for harmonic balance).
    base : {"e", "2"}
        Log base of the E_N samples.
    method : str
        ``"period map"`` (:func:`periodic_state`) or ``"harmonic balance"``
        (:mod:`gravsim.fock.harmonic_balance`).
    stats : dict
        The method's own numbers (harmonics kept, residual, GMRES steps, wall time).

    Like a steady state it has ``log_negativity(base)`` and ``occupations()``, here the
    averages over the period; no single covariance describes it (ρ(t) changes over the
    period), so it has no ``mechanical_covariance``.
    """

    rho: qutip.Qobj
    modes: tuple[str, ...]
    samples: dict[str, np.ndarray]
    periods: int | None
    change: float | None
    base: str = "e"
    method: str = "period map"
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def mean_log_negativity(self) -> float:
        """E_N averaged over the period."""
        return float(np.mean(self.samples["E_N"]))

    @property
    def ripple(self) -> float:
        """max − min of E_N over the period."""
        return float(np.ptp(self.samples["E_N"]))

    def log_negativity(self, base: str = "e") -> float:
        """E_N averaged over the period (:attr:`mean_log_negativity`) in ``base``."""
        if base == self.base:
            return self.mean_log_negativity
        return self.mean_log_negativity * log_base_factor(self.base) / log_base_factor(base)

    def occupations(self) -> dict[str, float]:
        """Period-averaged ⟨j†j⟩ of every mode."""
        return {m: float(np.mean(self.samples[f"n_{m}"])) for m in self.modes}

    def last_level_population(self) -> dict[str, float]:
        """Population of every mode's highest kept level at the start of the period."""
        return operators.last_level_population(self.rho, self.modes)


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

    Preconditioned (``precondition`` True; None: from the start up to a Liouville dimension
    :data:`PRECONDITION_FREE_DIM`, above it only once the plain iteration, watched for
    :data:`PRECONDITION_AFTER` periods, would need more than :data:`PRECONDITION_ABOVE` more
    — the factorisation costs 1 s at 6×6×3 but 80 s at 8×8×4, where a fast-relaxing point
    needs only ~40 plain periods): the map iterated is G(ρ) = ρ − C[P(ρ) − ρ], with
    C ≈ (e^{T L̄} − 1)⁻¹ built from the period-averaged Liouvillian L̄ (factorised once; the
    (1,1) Padé form (T L̄)⁻¹ − ½ on trace-free operators).  P − 1 ≈ e^{T L̄} − 1 up to the
    time-dependent terms' O(‖L_ν‖/ν), so G contracts by about that factor per period however
    slow the relaxation (a 0.99-per-period mode costs hundreds of plain periods).  Anderson
    acceleration (depth ``depth``) on x ↦ G(x), x the real coordinates of ρ: the next guess
    is G(x_k) − Σ_j γ_j ΔG_j with γ minimising ‖f_k − Σ_j γ_j Δf_j‖, f = G(x) − x.  Affine
    combinations keep the trace and Hermiticity.  The stopping test is on P itself,
    ‖P(ρ) − ρ‖_F < ``tol``.  ``progress`` (callable) gets a one-line message per period.

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
    shape = start.dims

    def averaged_inverse() -> _AveragedInverse:
        return _AveragedInverse(frame, dims, period)

    small = int(np.prod(dims)) ** 2 <= PRECONDITION_FREE_DIM
    eager = precondition or (precondition is None and small)
    x, periods, change = _fixed_point(
        _period_map(h, c_ops, period, shape),
        _coords(start.full()),
        averaged_inverse() if eager else None,
        averaged_inverse if precondition is None else None,
        tol=tol,
        max_periods=max_periods,
        depth=depth,
        progress=progress,
    )
    rho = qutip.Qobj(_matrix(x), dims=shape)
    table = _sample_period(h, c_ops, rho, period, model.modes, dims, base)
    return FockPeriodicState(rho, model.modes, table, periods, change, base)


def _period_map(h: Any, c_ops: list[Any], period: float, shape: list[Any]) -> Any:
    """x ↦ ρ(T) (a dense matrix) from ρ(0) with the real coordinates x, by mesolve."""

    def one_period(x: np.ndarray) -> np.ndarray:
        rho = qutip.Qobj(_matrix(x), dims=shape)
        out = qutip.mesolve(
            h, rho, [0.0, period], c_ops, options=_options(False, store_final_state=True)
        )
        return out.final_state.full()

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


def _sample_period(
    h: Any,
    c_ops: list[Any],
    rho: qutip.Qobj,
    period: float,
    modes: tuple[str, ...],
    dims: tuple[int, ...],
    base: str,
) -> dict[str, np.ndarray]:
    """E_N, occupations and purity at :data:`PERIODIC_SAMPLES` times over one period."""
    observer = _Observer(modes, dims, base)
    qutip.mesolve(
        h,
        rho,
        period * np.arange(PERIODIC_SAMPLES + 1) / PERIODIC_SAMPLES,
        c_ops,
        e_ops=[observer],
        options=_options(False),
    )
    return {key: col[:-1] for key, col in observer.table().items()}


class _AveragedInverse:
    """y ↦ [(T L̄)⁻¹ − ½] y for trace-free Hermitian y: (e^{T L̄} − 1)⁻¹ to (1,1) Padé order.

    L̄ (the static part of the Liouvillian in the propagation frame, i.e. its period
    average) is singular: its kernel is the averaged steady state and its left kernel the
    trace.  On the real coordinates of Hermitian z
    (:class:`~gravsim.fock.solvers.HermitianSystem`, the whole space: L0's radiation pressure
    breaks parity) with the dependent equation Re(L̄z)₀₀ replaced by Tr z = 0 it is not, and
    for trace-free y that system gives L̄ z = y/T.  It is factorised once (PARDISO where QuTiP
    finds MKL, else SuperLU) in real arithmetic: at 8×8×4 (``driven``) 61 s and 1.9 s per
    application, against 90 s and 1.0 s for the complex LU with a rank-one trace term it
    replaces.  (The cavity split is no use here: a preconditioner needs one cheap
    application, and GMRES with the split took ~100 s per application on this model.)
    """

    def __init__(self, frame: ModelDescription, dims: tuple[int, ...], period: float) -> None:
        average = secular(frame, rung=frame.rung, note="period average")
        hs = solvers.HermitianSystem.build(operators.liouvillian(average, dims), dims, False)
        self._lu = solvers.factorise(hs.system)
        self._hs, self._period = hs, period

    def __call__(self, y: np.ndarray) -> np.ndarray:
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
