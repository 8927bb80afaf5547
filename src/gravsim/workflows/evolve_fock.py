"""The Fock backend of ``evolve``: mesolve per hypothesis, E_N from ρ at each output time.

From a thermal start (checked first against the exact Gaussian transient of the same rung)
or from a state of one's own (``rho0``), with the user's ``e_ops`` and states kept where
asked (:func:`gravsim.fock.dynamics.transient`); ``comparisons`` smaller truncations give a
per-time truncation error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.fock import truncation
from gravsim.fock.levels import check_covariances, check_mean_amplitudes
from gravsim.gaussian.propagation import Propagator, initial_covariance
from gravsim.model import rungs as models
from gravsim.model.gravity import choose, classical_in
from gravsim.model.parameters import Parameters
from gravsim.workflows.options import FockOptions

#: Equally spaced times at which a Fock transient's truncation is checked (besides the
#: output times).
CHECK_TIMES = 512


@dataclass(frozen=True)
class UserRequest:
    """What a QuTiP user asks of a Fock transient besides gravsim's columns.

    Attributes
    ----------
    rho0 : qutip.Qobj or None
        The initial state (on the run's levels, in the model's frame); None: thermal start.
    e_ops : tuple of qutip.Qobj
        Operators whose expectation values to record.
    store_states : bool
        Keep ρ(t) at every output time.
    """

    rho0: Any = None
    e_ops: tuple[Any, ...] = ()
    store_states: bool = False


@dataclass
class FockRuns:
    """The columns of a Fock transient and, per hypothesis label, the user's ⟨O⟩(t) and ρ(t)."""

    columns: dict[str, np.ndarray]
    notes: tuple[str, ...]
    expect: dict[str, list[np.ndarray]] = field(default_factory=dict)
    states: dict[str, list[Any]] = field(default_factory=dict)


def check_request(request: UserRequest, dims: tuple[int, ...], comparisons: int) -> None:
    """Refuse a ``rho0`` or an e_op that is not an operator on ``dims``, or ``rho0`` with
    comparison runs (which would need it on fewer levels)."""
    import qutip

    shape = [list(dims), list(dims)]
    if request.rho0 is not None:
        rho0 = request.rho0
        if not isinstance(rho0, qutip.Qobj) or not rho0.isoper or rho0.dims != shape:
            got = rho0.dims if isinstance(rho0, qutip.Qobj) else type(rho0).__name__
            raise GravsimInputError(
                f"`rho0` must be a density matrix (qutip.Qobj) on {list(dims)} levels, got {got}: "
                "build it on those levels or set n_mech/n_cav to its dims"
            )
        if comparisons:
            raise GravsimInputError(
                "`comparisons` needs the start on fewer levels too: with `rho0`, leave it at 0"
            )
    for k, op in enumerate(request.e_ops):
        if not isinstance(op, qutip.Qobj) or op.dims != shape:
            got = op.dims if isinstance(op, qutip.Qobj) else type(op).__name__
            raise GravsimInputError(
                f"e_ops[{k}] must be an operator (qutip.Qobj) on {list(dims)} levels, got {got}"
            )


def run(
    p: Parameters,
    model: str,
    options: FockOptions,
    times: np.ndarray,
    occupations: dict[str, float],
    gravity: str | tuple,
    base: str,
    comparisons: int,
    progress: Any,
    request: UserRequest = UserRequest(),
) -> FockRuns:
    """The Fock transient of every hypothesis in ``gravity``: columns, notes, e_ops, states."""
    from gravsim.fock import dynamics as fock_dynamics

    n_mech, n_cav, frame = options.n_mech, options.n_cav, options.frame
    grav = choose(gravity)
    first = models.build(model, p, grav[0], frame=frame)
    dims = tuple(n_cav if m == "c" else n_mech for m in first.modes)
    check_request(request, dims, comparisons)
    if request.rho0 is None:
        check_transient_truncation(p, model, frame, times, occupations, grav, (n_mech, n_cav))
    out = FockRuns({"time_s": times}, ())
    series: dict[str, list[np.ndarray]] = {}
    for g in grav:
        description = models.build(model, p, g, frame=frame)
        suffix = f"_{g.label}"
        runs = []
        for step in range(comparisons, -1, -1):
            levels = tuple(n_cav if m == "c" else n_mech - 2 * step for m in description.modes)
            last = step == 0
            runs.append(
                fock_dynamics.transient(
                    description,
                    levels,
                    times,
                    occupations,
                    rho0=request.rho0,
                    e_ops=request.e_ops if last else (),
                    store_states=request.store_states and last,
                    base=base,
                    progress=progress if last else False,
                )
            )
        final = runs[-1]
        out.expect[g.label], out.states[g.label] = final.expect, final.states
        series[g.label] = [r.table["E_N"] for r in runs]
        out.columns[f"E_N{suffix}"] = final.table["E_N"]
        if len(runs) > 1:
            out.columns[f"truncation_error{suffix}"] = _per_time_error(series[g.label])
        for key, col in final.table.items():
            if key.startswith("n_") or key == "purity":
                out.columns[f"{key}{suffix}"] = col
    if len(series) == 2:
        one, two = series.values()
        out.columns["delta_E"] = one[-1] - two[-1]
        if comparisons:
            diffs = [q - c for q, c in zip(one, two, strict=True)]
            out.columns["truncation_error_delta_E"] = _per_time_error(diffs)
    start = "the given rho0 (truncation not checked)" if request.rho0 is not None else "thermal"
    out.notes = (
        f"Fock transient: qutip.mesolve on {'x'.join(map(str, dims))} levels (rtol "
        f"{fock_dynamics.RTOL:g}) from {start}, E_N from rho at each output time",
    )
    return out


def _per_time_error(runs: list[np.ndarray]) -> np.ndarray:
    """The truncation error at each time from the runs on 2, 4, … fewer levels."""
    return np.array(
        [truncation.estimate([r[i] for r in runs]).truncation_error for i in range(len(runs[0]))]
    )


def check_transient_truncation(p, model, frame, times, occupations, grav, levels) -> None:
    """Refuse a Fock truncation that the exact Gaussian transient overflows at any time.

    The Gaussian covariances of the same rung (of L1 for L0) at every output time and on a
    grid of :data:`CHECK_TIMES` equal steps (a coarse output grid could miss a peak), for each
    gravity model, go through :func:`~gravsim.fock.levels.check_covariances` — the start,
    and a cavity that the reservoir squeezes on the way.  Costs milliseconds.
    """
    gaussian_rung = "linear" if model == "full" else model
    description = models.build(gaussian_rung, p, classical_in(grav))
    dense = np.union1d(times, np.linspace(times[0], times[-1], CHECK_TIMES))  # peaks between
    v, s = Propagator(description).evolve(initial_covariance(description.modes, occupations), dense)
    dims = tuple(levels[1] if m == "c" else levels[0] for m in description.modes)
    for g in grav:
        covariances = v if g.label == "quantum" else v + s
        try:
            check_covariances(description.modes, covariances, dims)
        except GravsimInputError as exc:
            if "backend" in str(exc):
                raise
            raise GravsimInputError(f"{exc} (or `backend='gaussian'`)") from None
        check_mean_amplitudes(models.build(model, p, g, frame=frame), p, dims)
