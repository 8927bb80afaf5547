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

import math
from dataclasses import asdict, dataclass, field
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
from gravsim.model import rungs as models
from gravsim.model.gravity import choose, classical_in, warn_validity
from gravsim.model.parameters import DERIVED_KEYS, INPUT_KEYS, Parameters
from gravsim.model.quadratures import mechanical_block
from gravsim.model.units import UNITS
from gravsim.plotting import new_figure
from gravsim.workflows.levels import check_covariances, check_mean_amplitudes
from gravsim.workflows.options import (
    EVOLVE_N_CAV,
    EVOLVE_N_MECH,
    TRANSIENT_MODELS,
    FockOptions,
    RunOptions,
    unused_options,
)
from gravsim.workflows.results import Result, to_plain
from gravsim.workflows.run_folder import RunFolder, run_identity

GRIDS = ("lin", "log")
#: Most output times (each holds a covariance, and a density matrix's E_N on Fock).
MAX_TIMES = 1_000_000


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
        raise GravsimInputError(f"`n_times` must lie in 2 ... {MAX_TIMES}, got {n_times}")
    if grid == "lin":
        return t_final * np.arange(n_times) / (n_times - 1)
    if grid == "log":
        first = t_first if t_first is not None else t_final * 1e-4
        if not (isinstance(first, (int, float)) and 0 < first < t_final):
            raise GravsimInputError(f"`t_first` must lie in (0, `t_final`), got {first:g} s")
        return np.concatenate([[0.0], np.geomspace(first, t_final, n_times - 1)])
    raise GravsimInputError(f"unknown time grid {grid!r}: use lin or log")


@dataclass(frozen=True, eq=False, repr=False)
class EvolveResult(Result):
    """A transient: one column per quantity, one entry per output time.

    Attributes
    ----------
    columns : dict of ndarray
        ``time_s``; ``E_N_quantum``, ``E_N_classical``, ``delta_E`` (as requested);
        ``n_<mode>_<gravity>`` occupations; ``purity_<gravity>`` of the mechanical state;
        ``truncation_error_*`` (Fock with comparisons).
    steady : dict
        The reference the transient tends to (see the module docstring), with ``method``.
    model, backend, gravity, log_base, frame : str
    parameters : Parameters
    notes : tuple of str
    inputs : dict
        The arguments :func:`compute` was called with (the run identity of :meth:`write`).
    """

    columns: dict[str, np.ndarray]
    steady: dict[str, Any]
    model: str
    backend: str
    gravity: str
    log_base: str
    frame: str
    parameters: Parameters
    notes: tuple[str, ...] = field(default_factory=tuple)
    inputs: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Final values, maxima over t and the steady reference."""
        out: dict[str, Any] = {"t_final_s": float(self.columns["time_s"][-1])}
        for key in [k for k in self.columns if k.startswith("E_N_")] + ["delta_E"]:
            if key in self.columns:
                col = self.columns[key]
                k = int(np.argmax(col))
                out[key] = {
                    "final": float(col[-1]),
                    "max": float(col[k]),
                    "t_max_s": float(self.columns["time_s"][k]),
                }
        out["steady"] = self.steady
        return out

    def write(
        self,
        out: Path | RunFolder,
        command: str = "",
        pdf: bool = False,
        *,
        force: bool = False,
        preset: str | None = None,
    ) -> list[Path]:
        """CSV (one row per time, every parameter a column), JSON sidecar and PNG.

        ``out`` is a folder (refused if it holds this run with other inputs, unless
        ``force``; see :mod:`gravsim.workflows.run_folder`) or a :class:`RunFolder` already
        opened with :func:`run_folder`.
        """
        if not isinstance(out, RunFolder):
            with run_folder(out, self.parameters, self.inputs, preset, force) as folder:
                return self.write(folder, command, pdf)
        params = {k: getattr(self.parameters, k) for k in INPUT_KEYS + DERIVED_KEYS}
        meta = {"model": self.model, "backend": self.backend, "log_base": self.log_base}
        csv_path = out.write_table(self.columns, meta | params)
        sidecar = out.write_sidecar(self._described() | {"command": command})
        return [csv_path, sidecar, *out.write_figure(self.figure(), pdf)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the run's description, summary, parameters, units and columns
        (the sidecar of :meth:`write` is this without the columns, which go to the CSV)."""
        return self._described() | {"columns": to_plain(self.columns)}

    def _described(self) -> dict[str, Any]:
        unit = "nats" if self.log_base == "e" else "bits"
        return to_plain(
            {
                "model": self.model,
                "backend": self.backend,
                "gravity": self.gravity,
                "frame": self.frame,
                "log_base": self.log_base,
                "summary": self.summary(),
                "parameters": self.parameters.as_dict(),
                "units": dict(UNITS) | {"E_N": unit, "time_s": "s", "n_*": "quanta"},
                "kG_convention": self.parameters.kG_source,
                "notes": list(self.notes),
            }
        )

    def figure(self) -> Any:
        """E_N(t) for each gravity model (steady reference dashed) and, for both, ΔE(t)."""
        c = self.columns
        t = c["time_s"]
        unit = "nats" if self.log_base == "e" else "bits"
        both = "delta_E" in c
        fig, axes = new_figure((6.4, 6.4 if both else 4.2), 2 if both else 1)
        ax = axes[0] if both else axes
        names = {"quantum": "quantum", "classical": "KTM", "diosi_penrose": "Diósi–Penrose"}
        curves = [k for k in c if k.startswith("E_N_") and k.removeprefix("E_N_") in names]
        for k, key in enumerate(curves):
            color, label = f"C{k}", f"{names[key.removeprefix('E_N_')]} gravity"
            if key in c:
                ax.plot(t, c[key], color, lw=1.4, label=label)
                ref = self.steady.get("E_N_quantum" if key == "E_N_quantum" else "E_N_classical")
                if ref is not None:
                    ax.axhline(ref, color=color, ls="--", lw=1, label=f"{label}: steady")
        peak = self.steady.get("transient_maximum")
        if peak:
            ax.plot([peak["t_max"]], [peak["E_N"]], "k*", ms=9, label="maximum over t (exact)")
        ax.set_xlabel("time t (s)")
        ax.set_ylabel(f"$E_N$ ({unit})")
        ax.set_title(f"{self.model} model, {self.backend} backend", fontsize=10)
        ax.text(0.01, 0.02, f"dashed: {self.steady['method']}", transform=ax.transAxes, fontsize=6)
        ax.legend(fontsize=7)
        if both:
            d = c["delta_E"]
            ok = d > 0
            axes[1].semilogy(t[ok], d[ok], "C2", lw=1.4, label="ΔE = E_N,q − E_N,c")
            if self.steady.get("delta_E"):
                axes[1].axhline(self.steady["delta_E"], color="C2", ls="--", lw=1, label="steady")
            axes[1].set_xlabel("time t (s)")
            axes[1].set_ylabel(f"ΔE ({unit})")
            axes[1].legend(fontsize=7)
        return fig


def run_name(model: str, backend: str) -> str:
    """Files of a transient: ``evolve_<model>_<backend>.{csv,json,png}``."""
    return f"evolve_{model}_{backend}"


def run_folder(
    out: Path, p: Parameters, inputs: dict[str, Any], preset: str | None, force: bool = False
) -> RunFolder:
    """The output folder of the transient :func:`compute` gives for ``p`` and ``inputs``.

    Open it before computing (``with evolve.run_folder(...) as folder:``) so that a folder
    that cannot be written, or that holds this transient with other inputs, is refused
    before the work; then :meth:`EvolveResult.write` into it.
    """
    identity = run_identity(kind="evolve", preset=preset, parameters=p.as_dict(), inputs=inputs)
    return RunFolder(out, run_name(inputs["model"], inputs["backend"]), identity, force=force)


def compute(
    p: Parameters,
    *,
    t_final: float,
    n_times: int = 201,
    grid: str = "lin",
    t_first: float | None = None,
    n_init: float | None = None,
    ground: bool = False,
    comparisons: int | None = None,
    progress: bool = False,
    **options: Any,
) -> EvolveResult:
    """E_N(t) (and ΔE(t) for ``gravity="both"``) of one rung from a thermal start.

    Parameters
    ----------
    p : Parameters
    t_final : float
        Last output time (s).
    n_times, grid, t_first
        Output times, see :func:`time_grid`.
    n_init : float, optional
        Initial thermal occupation of each oscillator (default: the bath's n̄).
    ground : bool
        Start the oscillators in their ground states (the conventional scheme's protocol).
    **options
        ``model`` (one of ``full``, ``linear``, ``rwa``, ``effective``, ``conventional``),
        ``gravity``, ``backend``, ``base``, ``n_mech``, ``n_cav`` and ``frame``, as
        :class:`~gravsim.workflows.options.RunOptions`; the Fock levels default to
        :data:`~gravsim.workflows.options.EVOLVE_N_MECH` and
        :data:`~gravsim.workflows.options.EVOLVE_N_CAV` (a transient squeezes the cavity
        more than the steady state does).
    comparisons : int
        Fock backend: extra runs at 2, 4, … fewer mechanical levels for a per-time
        truncation error (default 0).
    progress : bool
        QuTiP's progress bar for Fock runs.

    Raises
    ------
    GravsimInputError
        Unknown model, gravity or backend, a bad option, an unstable model, or a truncation
        the exact Gaussian transient overflows.
    NumericalError
        If the transient overflows float64 (an initial occupation near 10³⁰⁸).
    """
    run = _check_options(options)
    model, gravity, backend, base, fock = run.model, run.gravity, run.backend, run.base, run.fock
    inputs = dict(model=model, gravity=gravity, backend=backend, t_final=t_final,
                  n_times=n_times, grid=grid, t_first=t_first, n_init=n_init, ground=ground,
                  base=base, **{k: v for k, v in asdict(fock).items() if k != "solver"},
                  comparisons=comparisons)  # fmt: skip
    options = fock.resolved(model, EVOLVE_N_MECH, EVOLVE_N_CAV)
    comparisons = _check_comparisons(model, backend, comparisons, options)
    times = _times(model, backend, t_final, n_times, grid, t_first)
    n0 = _initial_occupation(p, ground, n_init)
    occupations = {"a": n0, "b": n0}
    warn_validity(choose(gravity), p)
    ktm = models.build(model, p, classical_in(choose(gravity)), frame=options.frame)
    # first: an unstable model (no steady or periodic state) is refused before any work
    steady = _steady(p, model, ktm, base)
    if backend == "gaussian":
        columns, notes = _gaussian(ktm, times, occupations, gravity, base)
    else:
        columns, notes = _fock(
            p, model, options, times, occupations, gravity, base, comparisons, progress
        )
    _require_finite(columns, n0)
    start = "ground states" if ground else f"thermal, n_init = {n0:.6g}"
    notes = (f"start: oscillators {start}, cavity in vacuum",) + ktm.notes + notes
    return EvolveResult(columns, steady, model, backend, gravity, base, ktm.frame, p, notes, inputs)


def _times(model, backend, t_final, n_times, grid, t_first) -> np.ndarray:
    if grid == "lin" and t_first is not None:
        unused_options(model, backend, {"t_first": t_first}, False, "on a linear time grid")
    return time_grid(t_final, n_times, grid, t_first)


def _require_finite(columns: dict[str, np.ndarray], n0: float) -> None:
    for key, column in columns.items():
        if not np.all(np.isfinite(column)):
            raise NumericalError(
                f"the transient's {key} is not finite: the start (`n_init` = {n0:.3g}) or the "
                "rates span more than float64 holds; start nearer the bath occupation"
            )


def _check_options(options: dict[str, Any]) -> RunOptions:
    """Refuse a model without a transient or a bad option; warn about unused settings."""
    run = RunOptions.from_kwargs(**options)
    chosen = choose(run.gravity)
    if len(chosen) == 2 and chosen[0].label != "quantum":
        raise GravsimInputError(
            "a transient compares a hypothesis with quantum gravity: compare quantum,A and "
            "quantum,B, or use steady for A,B"
        )
    if run.model not in TRANSIENT_MODELS:
        raise GravsimInputError(
            f"model {run.model!r} has no transient: choose one of {TRANSIENT_MODELS}"
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


def _fock(p, model, options, times, occupations, gravity, base, comparisons, progress):
    from gravsim.fock import dynamics as fock_dynamics

    n_mech, n_cav, frame = options.n_mech, options.n_cav, options.frame
    grav = choose(gravity)
    _check_transient_truncation(p, model, frame, times, occupations, grav, (n_mech, n_cav))
    cols: dict[str, np.ndarray] = {"time_s": times}
    series: dict[str, list[np.ndarray]] = {}
    for g in grav:
        description = models.build(model, p, g, frame=frame)
        suffix = f"_{g.label}"
        runs = []
        for step in range(comparisons, -1, -1):
            dims = tuple(n_cav if m == "c" else n_mech - 2 * step for m in description.modes)
            runs.append(
                fock_dynamics.transient(
                    description,
                    dims,
                    times,
                    occupations,
                    base=base,
                    progress=progress and step == 0,
                )
            )
        final = runs[-1]
        series[g.label] = [r["E_N"] for r in runs]
        cols[f"E_N{suffix}"] = final["E_N"]
        if len(runs) > 1:
            cols[f"truncation_error{suffix}"] = np.array(
                [
                    truncation.estimate([r["E_N"][i] for r in runs]).truncation_error
                    for i in range(len(times))
                ]
            )
        for key, col in final.items():
            if key.startswith("n_") or key == "purity":
                cols[f"{key}{suffix}"] = col
    if len(series) == 2:
        first, second = series
        cols["delta_E"] = cols[f"E_N_{first}"] - cols[f"E_N_{second}"]
        if comparisons:
            diffs = [q - c for q, c in zip(series[first], series[second], strict=True)]
            cols["truncation_error_delta_E"] = np.array(
                [
                    truncation.estimate([d[i] for d in diffs]).truncation_error
                    for i in range(len(times))
                ]
            )
    dims_text = "x".join(str(n_cav if m == "c" else n_mech) for m in description.modes)
    return cols, (
        f"Fock transient: qutip.mesolve on {dims_text} levels (rtol {fock_dynamics.RTOL:g}), "
        "E_N from rho at each output time",
    )


#: Equally spaced times at which a Fock transient's truncation is checked (besides the
#: output times).
CHECK_TIMES = 512


def _check_transient_truncation(p, model, frame, times, occupations, grav, levels) -> None:
    """Refuse a Fock truncation that the exact Gaussian transient overflows at any time.

    The Gaussian covariances of the same rung (of L1 for L0) at every output time and on a
    grid of :data:`CHECK_TIMES` equal steps (a coarse output grid could miss a peak), for each
    gravity model, go through :func:`~gravsim.workflows.levels.check_covariances` — the start,
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
