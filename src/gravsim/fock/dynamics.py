"""Fock-space time evolution with ``qutip.mesolve`` on the same model description.

* :func:`transient` — E_N(t), occupations and the mechanical purity at the output times,
  computed inside mesolve's ``e_ops`` callable, so no state is stored; QuTiP's own progress
  bar.
* :class:`FockPeriodicState` — the periodic asymptotic state of a time-periodic model (L0,
  L1), whichever method found it (:mod:`gravsim.fock.period_map`,
  :mod:`gravsim.fock.harmonic_balance`), with E_N, occupations and purity sampled over one
  period (:func:`sample_period`).

Time-periodic models with the mechanics in the laboratory frame (L0) are propagated in the
frame rotating at their base frequency ω₀ = ω_m for the mechanical modes a, b
(:func:`propagation_frame`): exact, it leaves E_N, purities and occupations unchanged (a
local rotation, identity at every t = nT), and the solver's steps no longer follow the free
rotation at ω_m.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import qutip

from gravsim.analysis.entanglement import log_base_factor, log_negativity_of_state
from gravsim.fock import operators
from gravsim.model.description import Ladder, ModelDescription, ann, cre, rotating_frame
from gravsim.progress import bar as progress_bar

#: mesolve tolerances: well below the Fock truncation errors (~1e-3) they are compared with.
RTOL = 1e-8
ATOL = 1e-10
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
    return displaced(model, rho, dims)


def displaced(model: ModelDescription, rho: qutip.Qobj, dims: tuple[int, ...]) -> qutip.Qobj:
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


def frame_rotation(model: ModelDescription) -> float:
    """The frequency kω₀ (rad/s) at which :func:`propagation_frame` rotates a and b: the
    multiple of the base frequency nearest the mechanics' mean free frequency (the static
    j†j coefficients of a and b); 0 for a static model or one already rotating (L1)."""
    omega0 = model.base_frequency()
    if omega0 == 0:
        return 0.0
    free = [
        float(np.real(t.coeff))
        for t in model.hamiltonian
        if t.frequency == 0 and t.ops in ((cre("a"), ann("a")), (cre("b"), ann("b")))
    ]
    return round(sum(free) / 2 / omega0) * omega0


def propagation_frame(model: ModelDescription) -> ModelDescription:
    """The frame mesolve propagates ``model`` in: rotating a and b at :func:`frame_rotation`.

    Exact, and the identity at t = nT; the model itself where the rotation is 0.
    """
    omega = frame_rotation(model)
    if omega == 0:
        return model
    k = round(omega / model.base_frequency())
    return rotating_frame(
        model, omega, ("a", "b"), rung=model.rung, frame=model.frame + f", rotating at {k}ω₀"
    )


def _back_to_model_frame(
    modes: tuple[str, ...], dims: tuple[int, ...], omega: float
) -> Callable[[float, qutip.Qobj], qutip.Qobj]:
    """t, ρ' ↦ ρ = U ρ' U† with U = exp(−iωt(a†a + b†b)): the state propagated in
    :func:`propagation_frame` (rotating at ω) back in the model's own frame."""
    numbers = np.zeros(1)
    for mode, n in zip(modes, dims, strict=True):
        levels = np.arange(n) if mode in ("a", "b") else np.zeros(n)
        numbers = np.add.outer(numbers, levels).ravel()

    def rotate(t: float, rho: qutip.Qobj) -> qutip.Qobj:
        if omega == 0:
            return rho
        phase = np.exp(-1j * omega * t * numbers)
        return qutip.Qobj(phase[:, None] * rho.full() * phase.conj()[None, :], dims=rho.dims)

    return rotate


@dataclass
class _Observer:
    """The e_ops callable: E_N, occupations and mechanical purity at each output time."""

    modes: tuple[str, ...]
    dims: tuple[int, ...]
    base: str
    rows: list[tuple[float, ...]] = field(default_factory=list)
    e_ops: tuple[qutip.Qobj, ...] = ()
    keep_states: bool = False
    rotation: float = 0.0
    expect: list[list[complex]] = field(default_factory=list)
    states: list[qutip.Qobj] = field(default_factory=list)

    def __post_init__(self) -> None:
        ops = operators.ladder_operators(self.modes, self.dims)
        self._number = [ops[Ladder(m, True)] @ ops[Ladder(m)] for m in self.modes]
        self._keep = [self.modes.index("a"), self.modes.index("b")]
        self._to_model = _back_to_model_frame(self.modes, self.dims, self.rotation)
        self.expect = [[] for _ in self.e_ops]

    def __call__(self, t: float, state: qutip.Qobj) -> float:
        rho = state if state.isoper else qutip.vector_to_operator(state)
        mech = rho if len(self.modes) == 2 else rho.ptrace(self._keep)
        e_n = log_negativity_of_state(mech, self.base)  # E_N, n, purity: frame-independent
        occ = [float(np.real(qutip.expect(n, rho))) for n in self._number]
        m = mech.full()
        purity = float(np.vdot(m, m).real)  # tr ρ² = Σ|ρ_ij|², no O(n³) product
        self.rows.append((float(t), e_n, *occ, purity))
        if self.e_ops or self.keep_states:
            own = self._to_model(t, rho)
            for column, op in zip(self.expect, self.e_ops, strict=True):
                column.append(qutip.expect(op, own))
            if self.keep_states:
                self.states.append(own)
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


def mesolve_options(progress: Any, **extra: Any) -> dict[str, Any]:
    """mesolve's options here: :data:`RTOL`, :data:`ATOL`, no stored states, the bar that
    ``progress`` names (:mod:`gravsim.progress`), ``extra``."""
    return {
        "store_states": False,
        "rtol": RTOL,
        "atol": ATOL,
        "progress_bar": progress_bar(progress),
        **extra,
    }


@dataclass(frozen=True, eq=False)
class FockTransient:
    """What :func:`transient` returns.

    Attributes
    ----------
    table : dict of ndarray
        ``time_s``, ``E_N``, ``n_<mode>``, ``purity`` (mechanical); one entry per time.
    expect : list of ndarray
        ⟨O⟩(t) for each of the ``e_ops`` O, as ``qutip.Result.expect`` (real for Hermitian O).
    states : list of qutip.Qobj
        ρ(t) at each output time, where asked (``store_states``).

    Both ``expect`` and ``states`` are in the model's own frame (:attr:`model.frame`), as
    ``qutip.mesolve`` on :func:`gravsim.fock.operators.liouvillian` gives them.
    """

    table: dict[str, np.ndarray]
    expect: list[np.ndarray]
    states: list[qutip.Qobj]


def transient(
    model: ModelDescription,
    dims: tuple[int, ...],
    times: np.ndarray,
    occupations: dict[str, float] | None = None,
    *,
    rho0: qutip.Qobj | None = None,
    e_ops: list[qutip.Qobj] | tuple[qutip.Qobj, ...] = (),
    store_states: bool = False,
    base: str = "e",
    progress: Any = False,
) -> FockTransient:
    """E_N(t), occupations and mechanical purity by mesolve, from a thermal start or ``rho0``.

    Propagated in :func:`propagation_frame` (exact; L0's free rotation removed), the states
    and the ``e_ops`` taken back to the model's frame at each output time.

    Parameters
    ----------
    model : ModelDescription
    dims : tuple of int
        Fock levels per mode (``model.modes`` order).
    times : ndarray
        Output times (s); the first is the start.
    occupations : dict, optional
        Initial thermal occupation per mode (missing: vacuum), displaced by the model's mean
        amplitudes where its frame keeps them (:func:`initial_state`).
    rho0 : qutip.Qobj, optional
        The initial state instead (on ``dims``, in the model's frame).
    e_ops : list of qutip.Qobj
        Operators on ``dims`` whose expectation values to record.
    store_states : bool
        Keep ρ(t) at every output time (memory: one D×D matrix each).
    base : {"e", "2"}
    progress : bool, str or callable
        QuTiP's progress bar (:mod:`gravsim.progress`).
    """
    frame = propagation_frame(model)
    start = initial_state(model, dims, occupations or {}) if rho0 is None else rho0
    observer = _Observer(
        model.modes,
        dims,
        base,
        e_ops=tuple(e_ops),
        keep_states=store_states,
        rotation=frame_rotation(model),
    )
    qutip.mesolve(
        operators.hamiltonian(frame, dims),
        start,
        np.asarray(times, dtype=float),
        operators.collapse_operators(frame, dims),
        e_ops=[observer],
        options=mesolve_options(progress),
    )
    expect = [
        np.real(np.array(column)) if op.isherm else np.array(column, dtype=complex)
        for column, op in zip(observer.expect, e_ops, strict=True)
    ]
    return FockTransient(observer.table(), expect, observer.states)


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
        ``"period map"`` (:func:`gravsim.fock.period_map.periodic_state`) or ``"harmonic balance"``
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


def sample_period(
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
        options=mesolve_options(False),
    )
    return {key: col[:-1] for key, col in observer.table().items()}
