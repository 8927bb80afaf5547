"""Transient entanglement E_N(t) of one rung, both gravity models side by side.

This is what ``gravsim evolve`` calls:

>>> import gravsim as gs, numpy as np
>>> r = gs.evolve.compute(gs.presets.get("paper"), model="effective", t_final=50.0)
>>> r.columns["E_N_quantum"][-1]                                  # doctest: +SKIP

Start: each oscillator thermal at ``n_init`` (default: its bath occupation n̄; 0 with
``ground=True``), the cavity in vacuum (about the classical field where there is one).

* Gaussian backend (rungs ``linear``, ``rwa``, ``effective``, ``conventional``): the exact
  propagators of :mod:`gravsim.gaussian.propagation` (Van Loan for static rungs, the one-period
  map plus dense output for L1), any n̄ and any time; the KTM shift is propagated on its
  own, so ΔE(t) has no cancellation.
* Fock backend (any rung, small occupations): ``qutip.mesolve`` per gravity model, E_N from
  ρ at each output time (:mod:`gravsim.fock.dynamics`); ``comparisons`` smaller truncations
  give a per-time truncation error.

The *steady* reference drawn with the transient: the Lyapunov state (static rungs), the
period average of the Floquet state (``linear``; also the reference for ``full``), and for
the conventional scheme its exact transient maximum (its steady state is not entangled).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from gravsim import gaussian
from gravsim.analysis.entanglement import delta_log_negativity
from gravsim.closed_form import conventional
from gravsim.errors import GravsimInputError, NumericalError
from gravsim.fock import truncation
from gravsim.gaussian import floquet
from gravsim.gaussian.propagation import Propagator, initial_covariance
from gravsim.model import regime
from gravsim.model import rungs as models
from gravsim.model.gravity import choose, classical_in, warn_validity
from gravsim.model.parameters import Parameters
from gravsim.model.quadratures import mechanical_block
from gravsim.progress import bar as progress_bar
from gravsim.workflows import evolve_fock, evolve_result
from gravsim.workflows.evolve_result import EvolveResult
from gravsim.workflows.options import (
    EVOLVE_N_CAV,
    EVOLVE_N_MECH,
    TRANSIENT_RUNGS,
    FockOptions,
    RunOptions,
    unused_options,
)
from gravsim.workflows.run_folder import RunFolder

GRIDS = ("lin", "log")
#: Most output times (each holds a covariance, and a density matrix's E_N on Fock): 10⁵
#: rows are a ~60 MB CSV written in ~7 s; 10⁶ took minutes and gigabytes for a table no
#: plot resolves (a log grid reaches many decades with far fewer times).
MAX_TIMES = 100_000


def time_grid(t_final: float, n_times: int, grid: str = "lin", t_first: float | None = None):
    """Output times (s): ``n_times`` points from 0 to ``t_final``, linear or logarithmic.

    The log grid is 0 followed by ``n_times − 1`` log-spaced times from ``t_first``
    (default t_final·10⁻⁴).
    """
    if not (isinstance(t_final, (int, float)) and math.isfinite(t_final) and t_final > 0):
        raise GravsimInputError(f"`t_final` must be a finite time > 0 s, got {t_final!r}")
    if isinstance(n_times, bool) or not isinstance(n_times, (int, np.integer)):
        raise GravsimInputError(f"`n_times` must be a whole number, got {n_times!r}")
    if not 2 <= n_times <= MAX_TIMES:
        raise GravsimInputError(
            f"`n_times` must lie in 2 ... {MAX_TIMES}, got {n_times}: for many decades of time "
            "use `grid='log'`"
        )
    if grid == "lin":
        return t_final * np.arange(n_times) / (n_times - 1)
    if grid == "log":
        first = t_first if t_first is not None else t_final * 1e-4
        if not (isinstance(first, (int, float)) and 0 < first < t_final):
            raise GravsimInputError(f"`t_first` must lie in (0, `t_final`), got {first:g} s")
        return np.concatenate([[0.0], np.geomspace(first, t_final, n_times - 1)])
    raise GravsimInputError(f"unknown time grid {grid!r}: use lin or log")


def compute(
    p: Parameters,
    options: RunOptions | dict[str, Any] | None = None,
    *,
    t_final: float | None = None,
    n_times: int = 201,
    grid: str = "lin",
    t_first: float | None = None,
    n_init: float | None = None,
    ground: bool = False,
    comparisons: int | None = None,
    progress: Any = False,
    times: Any = None,
    rho0: Any = None,
    e_ops: Any = None,
    store_states: bool = False,
    before_work: Callable[[dict[str, Any]], Any] | None = None,
    **kwargs: Any,
) -> EvolveResult:
    """E_N(t) (and ΔE(t) for ``gravity="both"``) of one rung from a thermal start.

    On the Fock backend it behaves like ``qutip.mesolve`` on
    ``gs.fock.liouvillian(model, dims)``: give ``rho0``, ``times``, ``e_ops`` and
    ``store_states`` and read ``.times``, ``.expect`` and ``.states``, next to gravsim's own
    E_N, occupation and purity columns.

    Parameters
    ----------
    p : Parameters
    t_final : float
        Last output time (s); or give ``times``.
    n_times, grid, t_first
        Output times, see :func:`time_grid`; or ``times`` (s) themselves, increasing from 0.
    rho0 : qutip.Qobj, optional
        Fock backend: the initial state (on the run's levels ``n_mech``, ``n_cav``, in the
        model's frame: :attr:`~gravsim.model.description.ModelDescription.frame`) instead
        of the thermal start.
    e_ops : list of qutip.Qobj, optional
        Fock backend: operators on the same levels; ⟨O⟩(t) in ``.expect``.
    store_states : bool
        Fock backend: keep ρ(t) at every output time in ``.states``.
    n_init : float, optional
        Initial thermal occupation of each oscillator (default: the bath's n̄).
    ground : bool
        Start the oscillators in their ground states (the conventional scheme's protocol).
    options : RunOptions or dict, optional
        ``model`` (one of ``full``, ``linear``, ``rwa``, ``effective``, ``conventional``),
        ``gravity``, ``backend``, ``base``, ``n_mech``, ``n_cav`` and ``frame``, as
        :class:`~gravsim.workflows.options.RunOptions` (or as keywords); the Fock levels
        default to
        :data:`~gravsim.workflows.options.EVOLVE_N_MECH` and
        :data:`~gravsim.workflows.options.EVOLVE_N_CAV` (a transient squeezes the cavity
        more than the steady state does).
    comparisons : int
        Fock backend: extra runs at 2, 4, … fewer mechanical levels for a per-time
        truncation error (default 0).
    progress : bool, str or callable
        QuTiP's progress bar for Fock runs (``True``, ``"tqdm"``, ``"text"``, ``"enhanced"``;
        :mod:`gravsim.progress`).
    before_work : callable, optional
        Called with the checked arguments (the result's ``options``) before the work:
        :func:`run` opens its output folder there.

    Raises
    ------
    GravsimInputError
        Unknown model, gravity or backend, a bad option, an unstable model, or a truncation
        the exact Gaussian transient overflows.
    NumericalError
        If the transient overflows float64 (an initial occupation near 10³⁰⁸).
    """
    run = _check_options(RunOptions.from_any(options, **kwargs))
    progress_bar(progress)  # an unknown bar is refused before any work
    request = _user_request(run.backend, rho0, e_ops, store_states, ground, n_init)
    times = _times(run.model, run.backend, t_final, n_times, grid, t_first, times)
    asked = {"t_final": t_final, "n_times": n_times, "grid": grid, "t_first": t_first}
    asked |= {"n_init": n_init, "ground": ground, "comparisons": comparisons}
    inputs = _inputs(run, asked, times, request)
    if before_work is not None:
        before_work(inputs)
    n0 = _initial_occupation(p, ground, n_init)
    ktm, steady, runs = _transient(p, run, times, n0, comparisons, progress, request)
    start = "ground states" if ground else f"thermal, n_init = {n0:.6g}"
    start = f"oscillators {start}, cavity in vacuum" if rho0 is None else "the given rho0"
    notes = (f"start: {start}",) + ktm.notes + runs.notes
    return EvolveResult(
        runs.columns,
        steady,
        run.model,
        run.backend,
        run.gravity,
        ktm.frame,
        expectations=runs.expect,
        state_series=runs.states,
        parameters=p,
        options=inputs,
        log_base=run.base,
        units={"time_s": "s", "n_*": "quanta"},
        notes=notes,
    )


def run(
    p: Parameters,
    options: RunOptions | dict[str, Any] | None = None,
    *,
    out: Path | str,
    force: bool = False,
    pdf: bool = False,
    preset: str | None = None,
    command: str = "",
    **kwargs: Any,
) -> tuple[EvolveResult, list[Path]]:
    """The ``evolve`` command: :func:`compute` (``options`` and ``kwargs`` are its) with the
    run written into the folder ``out`` (:meth:`EvolveResult.write`); returns the result
    and the files.

    The folder is opened once the arguments are checked and before the work, so that a
    folder that cannot be written, or holds this transient with other inputs (unless
    ``force``), costs nothing.
    """
    with contextlib.ExitStack() as stack:
        folders: list[RunFolder] = []

        def open_folder(inputs: dict[str, Any]) -> None:
            identity = evolve_result.identity(p, inputs, preset)
            name = evolve_result.run_name(inputs["model"], inputs["backend"])
            folder = RunFolder(Path(out), name, identity, force=force)
            folders.append(stack.enter_context(folder))

        result = compute(p, options, before_work=open_folder, **kwargs)
        return result, result.write(folders[0], command, pdf)


def _transient(p, run, times, n0, comparisons, progress, request):
    """(the compared hypothesis's description, the steady reference, the runs)."""
    options = run.fock.resolved(run.model, EVOLVE_N_MECH, EVOLVE_N_CAV)
    comparisons = _check_comparisons(run.model, run.backend, comparisons, options)
    warn_validity(run.models, p, lambda: gaussian.position_spread(p))
    regime.warn_outside(p, run.model, stacklevel=4)
    ktm = models.build(run.model, p, classical_in(run.models), frame=options.frame)
    # first: an unstable model (no steady or periodic state) is refused before any work
    steady = _steady(p, run.model, ktm, run.base)
    occupations = {"a": n0, "b": n0}
    runs = evolve_fock.FockRuns({}, ())
    if run.backend == "gaussian":
        runs.columns, runs.notes = _gaussian(ktm, times, occupations, run.models, run.base)
    else:
        solve = (run.model, options, times, occupations, run.models, run.base, comparisons)
        runs = evolve_fock.run(p, *solve, progress, request)
    _require_finite(runs.columns, n0)
    return ktm, steady, runs


def _inputs(run: RunOptions, asked: dict[str, Any], times: np.ndarray, request) -> dict[str, Any]:
    """The run's identity (:meth:`EvolveResult.write`): options and time grid, in the order
    the command line has always recorded them, and digests of a given start and times."""
    identity = _request_identity(request, times, asked["t_final"])
    if asked["t_final"] is None:  # the times given: their span and count
        asked = asked | {"t_final": float(times[-1]), "n_times": len(times)}
    fock = {k: v for k, v in asdict(run.fock).items() if k != "solver"}
    head = {"model": run.model, "gravity": run.gravity, "backend": run.backend}
    grid = {k: asked[k] for k in ("t_final", "n_times", "grid", "t_first", "n_init", "ground")}
    last = {"comparisons": asked["comparisons"]}
    return head | grid | {"base": run.base} | fock | last | identity


def _times(model, backend, t_final, n_times, grid, t_first, times=None) -> np.ndarray:
    """The output times: ``times`` as given (checked), or :func:`time_grid`."""
    if times is None:
        if t_final is None:
            raise GravsimInputError("give `t_final` (s) or the output `times` (s)")
        if grid == "lin" and t_first is not None:
            unused_options(model, backend, {"t_first": t_first}, False, "on a linear time grid")
        return time_grid(t_final, n_times, grid, t_first)
    if t_final is not None:
        raise GravsimInputError("`t_final` and `times` given together: give one of them")
    out = np.asarray(times, dtype=float)
    if out.ndim != 1 or not 2 <= out.size <= MAX_TIMES:
        raise GravsimInputError(f"`times` must be a list of 2 ... {MAX_TIMES} times (s)")
    if not np.all(np.isfinite(out)) or out[0] != 0 or np.any(np.diff(out) <= 0):
        raise GravsimInputError("`times` must be finite and increasing, starting at 0 s")
    return out


def _user_request(backend, rho0, e_ops, store_states, ground, n_init):
    """The QuTiP-style asks (``rho0``, ``e_ops``, ``store_states``), refused off the Fock
    backend or with a thermal start asked for too."""
    request = evolve_fock.UserRequest(rho0, tuple(e_ops or ()), bool(store_states))
    if backend != "fock" and request != evolve_fock.UserRequest():
        raise GravsimInputError(
            "`rho0`, `e_ops` and `store_states` are Fock-space objects: use backend='fock' "
            "(the Gaussian backend evolves covariances)"
        )
    if rho0 is not None and (ground or n_init is not None):
        raise GravsimInputError("`rho0` and `ground`/`n_init` given together: give one start")
    return request


def _request_identity(request, times, t_final) -> dict[str, Any]:
    """What a user's start and times add to the run's identity (a digest of the numbers)."""
    out: dict[str, Any] = {}
    if request.rho0 is not None:
        digest = hashlib.sha256(np.ascontiguousarray(request.rho0.full()).tobytes())
        out["rho0"] = f"given (sha256 {digest.hexdigest()[:16]})"
    if t_final is None:
        out["times"] = f"given (sha256 {hashlib.sha256(times.tobytes()).hexdigest()[:16]})"
    return out


def _require_finite(columns: dict[str, np.ndarray], n0: float) -> None:
    for key, column in columns.items():
        if not np.all(np.isfinite(column)):
            raise NumericalError(
                f"the transient's {key} is not finite: the start (`n_init` = {n0:.3g}) or the "
                "rates span more than float64 holds; start nearer the bath occupation"
            )


def _check_options(run: RunOptions) -> RunOptions:
    """Refuse a model without a transient or a bad option; warn about unused settings."""
    chosen = run.models
    if len(chosen) == 2 and chosen[0].label != "quantum":
        raise GravsimInputError(
            "a transient compares a hypothesis with quantum gravity: compare quantum,A and "
            "quantum,B, or use steady for A,B"
        )
    if run.model not in TRANSIENT_RUNGS:
        raise GravsimInputError(
            f"model {run.model!r} has no transient: choose one of {TRANSIENT_RUNGS}"
        )
    unused_options(run.model, run.backend, {"solver": run.fock.solver}, False, "in a transient")
    if run.backend == "fock":
        resolved = run.fock.resolved(run.model, EVOLVE_N_MECH, EVOLVE_N_CAV)
        truncation.check_levels(resolved.n_mech, resolved.n_cav)
    return run


def _check_comparisons(model: str, backend: str, comparisons: Any, options: FockOptions) -> int:
    """The number of smaller Fock runs for a per-time truncation error (default 0)."""
    if backend == "gaussian" and comparisons is not None:
        unused_options(model, backend, {"comparisons": comparisons}, used=False)
    comparisons = 0 if comparisons is None else comparisons
    if isinstance(comparisons, bool) or not isinstance(comparisons, (int, np.integer)):
        raise GravsimInputError(f"`comparisons` must be a whole number, got {comparisons!r}")
    if comparisons < 0:
        raise GravsimInputError(f"`comparisons` must be >= 0, got {comparisons}")
    n_mech = options.n_mech
    if backend == "fock" and n_mech - 2 * comparisons < truncation.MIN_LEVELS:
        raise GravsimInputError(
            f"`comparisons` = {comparisons} runs 2 levels apart below `n_mech` = {n_mech} "
            f"reach fewer than {truncation.MIN_LEVELS} levels: give at most "
            f"{(n_mech - truncation.MIN_LEVELS) // 2}, or more `n_mech`"
        )
    return int(comparisons)


def _initial_occupation(p: Parameters, ground: bool, n_init: float | None) -> float:
    """Each oscillator's initial thermal occupation: 0 from the ground state, else n_init or n̄."""
    if ground and n_init is not None:
        raise GravsimInputError("`ground=True` and `n_init` given together: give one of them")
    n0 = 0.0 if ground else float(p.n_th if n_init is None else n_init)
    if not (math.isfinite(n0) and n0 >= 0):
        raise GravsimInputError(f"`n_init` must be a finite number >= 0, got {n0}")
    return n0


def _gaussian(model, times, occupations, gravity, base) -> tuple[dict, tuple]:
    prop = Propagator(model)
    v, s = prop.evolve(initial_covariance(model.modes, occupations), times)
    cols: dict[str, np.ndarray] = {"time_s": times}
    covariances = {"quantum": v, model.gravity.label: v + s}
    states = {
        g.label: gaussian.GaussianState(covariances[g.label], model.modes, model.rung, g.name, None)
        for g in choose(gravity)
    }
    suffixes = {label: f"_{label}" for label in states}
    for label, state in states.items():
        cols[f"E_N{suffixes[label]}"] = state.log_negativity(base)
    if len(states) == 2:
        shift = mechanical_block(s, model.modes)
        cols["delta_E"] = delta_log_negativity(states["quantum"].mechanical_covariance, shift, base)
    for label, state in states.items():
        suffix = suffixes[label]
        for mode, occ in state.occupations().items():
            cols[f"n_{mode}{suffix}"] = occ
        # purity of a Gaussian state: 1/(2ⁿ sqrt(det V)) with vacuum V = I/2
        cols[f"purity{suffix}"] = 1.0 / (4.0 * np.sqrt(np.linalg.det(state.mechanical_covariance)))
    how = "Van Loan propagator" if prop.period == 0 else "one-period map + dense output"
    return cols, (f"Gaussian transient: exact covariance propagation ({how})",)


def _steady(p: Parameters, model: str, ktm, base: str) -> dict[str, Any]:
    if model in ("full", "linear"):
        linear = ktm if model == "linear" else models.linear(p, ktm.gravity)
        s = floquet.periodic_state(linear).summary(base)
        s["method"] = "L1 Floquet state, period average"
        return s
    comp = gaussian.compare_gravity(ktm)
    out: dict[str, Any] = {
        "E_N_quantum": float(comp.E_N_quantum(base)),
        "E_N_classical": float(comp.E_N_classical(base)),
        "delta_E": float(comp.delta_E(base)),
        "method": "Lyapunov steady state (Gaussian, exact)",
    }
    if model == "conventional":
        peak = conventional.transient_maximum_from(p, kappa_G=0.0, base=base)
        out["transient_maximum"] = peak.to_dict()
        out["method"] += "; star: exact transient maximum from the ground state"
    return out
