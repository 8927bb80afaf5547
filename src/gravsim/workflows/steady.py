"""Steady-state entanglement of a rung, a gravity choice and a backend, as a :class:`SteadyResult`.

This is the function the command line's ``gravsim steady`` calls, usable from notebooks:

>>> import gravsim as gs
>>> r = gs.steady.compute(gs.presets.get("paper"), model="effective", gravity="both")
>>> r.delta.value                                           # doctest: +SKIP
4.96528...e-08

Each method below fills the typed result (:class:`~gravsim.workflows.steady_result.GravityOutcome`
per gravity model, :class:`~gravsim.workflows.steady_result.DeltaE`, the method's stats); the JSON
keys (``E_N_quantum``, ``delta_E``, …) are derived from it in one place.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np

from gravsim import closed_form, gaussian
from gravsim.closed_form import conventional
from gravsim.errors import GravsimInputError, NumericalError
from gravsim.fock import levels, truncation
from gravsim.gaussian import floquet
from gravsim.model import regime
from gravsim.model import rungs as models
from gravsim.model.description import ModelDescription
from gravsim.model.diffusion import correlated
from gravsim.model.gravity import choose, classical_in, rate, warn_validity
from gravsim.model.parameters import Parameters
from gravsim.progress import messages
from gravsim.workflows import fock_steady
from gravsim.workflows.options import (
    BACKENDS,
    DEFAULT_N_CAV,
    DEFAULT_N_MECH,
    DEFAULT_N_MECH_PERIODIC,
    GRAVITY,
    PERIODIC,
    RUNGS,
    FockOptions,
    RunOptions,
)
from gravsim.workflows.result_model import NOT_COMPUTED
from gravsim.workflows.steady_result import (
    DeltaE,
    GravityOutcome,
    SteadyResult,
    result_keys,
)

__all__ = [
    "BACKENDS",
    "DEFAULT_N_CAV",
    "DEFAULT_N_MECH",
    "DEFAULT_N_MECH_PERIODIC",
    "GRAVITY",
    "RUNGS",
    "PERIODIC",
    "compute",
    "result_keys",
]


class _Solved(NamedTuple):
    """What one method returns: the typed parts of a :class:`SteadyResult`."""

    outcomes: dict[str, GravityOutcome]
    delta: DeltaE | None
    stats: dict[str, Any]
    notes: tuple[str, ...]
    variants: dict[str, Any] = {}


def compute(
    p: Parameters,
    options: RunOptions | dict[str, Any] | None = None,
    *,
    progress: Any = None,
    **kwargs: Any,
) -> SteadyResult:
    """Steady-state E_N (and ΔE for ``gravity="both"``) of one rung.

    The periodic rungs (``full``, ``linear``) have a periodic asymptotic state instead of a
    steady one; their E_N, ΔE and occupations are averages over one period 2π/ω_m, with
    the ripple (max − min over the period) next to them.

    Parameters
    ----------
    p : Parameters
    options : RunOptions or dict, optional
        ``model``, ``gravity``, ``backend``, ``base`` (the log base of every E_N and ΔE) and
        the Fock settings ``n_mech``, ``n_cav``, ``solver``, ``frame``, ``tol``: see
        :class:`~gravsim.workflows.options.RunOptions` for their meaning and defaults; or
        give them as keywords (``**kwargs``), not both for one key.  An option given for a
        combination that does not use it (``n_mech`` with the Gaussian backend, ``frame``
        with a rung other than ``full``) draws a :class:`GravsimWarning`.
    progress : bool, str or callable, optional
        A callable gets a one-line message before each long Fock solve (and each period or
        harmonic stage of a periodic state); ``True`` or a QuTiP bar name prints them to
        standard error (:mod:`gravsim.progress`).

    Raises
    ------
    GravsimInputError
        For an unknown option, model, gravity or backend, or a point with no steady state.
    NumericalError
        Where a result is not a finite float64.
    """
    run = RunOptions.from_any(options, **kwargs)
    progress = messages(progress)
    model, gravity, backend, base = run.model, run.models, run.backend, run.base
    fock = run.fock.resolved(model, auto=True)  # static rungs: levels not given are chosen
    truncation.check_levels(fock.n_mech, fock.n_cav)  # a bad value is still a mistake
    warn_validity(gravity, p, lambda: gaussian.position_spread(p))
    regime.warn_outside(p, model)
    if model == "closed-form":
        solved = _closed_form(p, gravity, base)
    elif model in PERIODIC and backend == "fock":
        solved = _periodic_fock(p, model, gravity, base, fock, progress)
    elif model == "linear":
        solved = _floquet(p, gravity, base)
    elif backend == "fock":
        solved = _fock(p, model, gravity, base, fock, progress)
    else:
        solved = _gaussian(p, model, gravity, base)
    result = SteadyResult(
        model,
        backend,
        run.gravity,
        solved.outcomes,
        solved.delta,
        solved.variants,
        parameters=p,
        options=run.as_kwargs(),
        stats=solved.stats,
        log_base=base,
        notes=solved.notes,
    )
    _require_finite(result, run.models)
    return result


def _require_finite(result: SteadyResult, models: tuple) -> None:
    values = result.values
    for key in result_keys(result.model, models, result.backend):
        value = values.get(key)
        if isinstance(value, (float, np.ndarray)) and not np.all(np.isfinite(value)):
            raise NumericalError(
                f"{key} of model {result.model!r} is not finite: its rates span more orders of "
                "magnitude than float64 holds; bring the largest nearer the others"
            )


def _gaussian_outcome(state: gaussian.GaussianState, base: str) -> GravityOutcome:
    return GravityOutcome(
        E_N=state.log_negativity(base),
        occupations=state.occupations(),
        covariance=state.covariance,
    )


def _gaussian(p: Parameters, rung: str, gravity: str, base: str) -> _Solved:
    chosen = choose(gravity)
    if len(chosen) == 2:
        first, description = (models.build(rung, p, g) for g in chosen)
        comp = gaussian.compare_hypotheses(first, description)
        outcomes = {
            chosen[0].label: _gaussian_outcome(comp.first, base),
            chosen[1].label: _gaussian_outcome(comp.second, base),
        }
        delta = DeltaE(comp.delta_E(base))
        residual = np.maximum(comp.first.residual, comp.second.residual)
    else:
        (grav,) = choose(gravity)
        description = models.build(rung, p, grav)
        state = gaussian.steady_state(description)
        outcomes, delta, residual = (
            {grav.label: _gaussian_outcome(state, base)},
            None,
            state.residual,
        )
    notes = description.notes + ("Lyapunov steady state (exact for this rung)",)
    variants = {}
    if rung == "conventional":
        variants["transient_maximum"], extra = _conventional_transient(p, gravity, base)
        notes += extra
    return _Solved(outcomes, delta, {"lyapunov_residual": residual}, notes, variants)


def _fock(
    p: Parameters, rung: str, gravity: str, base: str, options: FockOptions, progress: Any
) -> _Solved:
    grav = choose(gravity)
    descriptions = {g.label: models.build(rung, p, g) for g in grav}
    solution = fock_steady.solve(descriptions, options, progress, base)
    solves = solution.solves
    outcomes = {}
    for label, s in solves.items():
        e, e_cov = solution.log_negativity(label, base), s.log_negativity_from_covariance(base)
        outcomes[label] = GravityOutcome(
            E_N=e.value,
            truncation_error=e.truncation_error,
            E_N_extrapolated=None if e.extrapolated is None else max(0.0, e.extrapolated),
            E_N_from_covariance=e_cov.value,
            truncation_error_from_covariance=e_cov.truncation_error,
            occupations=s.state.occupations(),
            last_level_population=s.state.last_level_population(),
            state=s.state.rho,
        )
    estimate = solution.delta(base)
    delta = None if estimate is None else _delta_of(estimate)
    if delta is not None and not any(o.E_N or o.E_N_extrapolated for o in outcomes.values()):
        delta = replace(delta, extrapolated=delta.value)  # no entanglement: nothing to extrapolate
    first = next(iter(solves.values()))
    stats = {
        "truncation": _truncation(first.state.modes, first.state.dims, first),
        "levels_chosen": solution.levels_chosen,
        "solver": first.state.report.solver,
        "residual": max(s.state.report.residual for s in solves.values()),
        "wall_time_s": sum(
            st.report.wall_time
            for s in solves.values()
            for st in s.ladder_states + ((s.cavity,) if s.cavity else ())
        ),
    }
    if solution.levels_chosen != "given":
        dims = stats["truncation"]["dims"]
        stats |= {"n_mech_chosen": dims["a"]} | ({"n_cav_chosen": dims["c"]} if "c" in dims else {})
    if solution.search:
        stats["tolerance_search"] = solution.search
    return _Solved(outcomes, delta, stats, _fock_notes(delta is not None))


def _fock_notes(pair: bool) -> tuple[str, ...]:
    notes = (
        "Fock steady state on the even-parity block; truncation_error from the mechanics at "
        "N-4, N-2, N (cavity fixed) and one cavity level more, by the tail model: E_N(N) = "
        "E_N - c t(N), t the weight of |rho^T_b| of the Gaussian state beyond N, c fitted from "
        "each pair (fock.truncation.estimate_series); extrapolated = E_N(N) + c t(N)",
    )
    if pair:
        notes += (
            "the second state is the first plus its exact shift from one factorisation "
            "(fock.response); delta_E from the first state and that shift",
        )
    return notes


def _truncation(modes: tuple[str, ...], dims: tuple[int, ...], smaller: Any) -> dict[str, Any]:
    """Levels per mode and the comparison runs (``smaller``: their dims, or a TruncatedSolve)."""
    out: dict[str, Any] = {"dims": dict(zip(modes, dims, strict=True))}
    if not isinstance(smaller, truncation.TruncatedSolve):
        return out | {"comparison_dims": [list(d) for d in smaller]}
    cavity = {"cavity_comparison_dims": list(smaller.cavity.dims)} if smaller.cavity else {}
    return out | {"comparison_dims": [list(s.dims) for s in smaller.comparison]} | cavity


def _delta_estimate(deltas: list[float]) -> DeltaE:
    """ΔE with its truncation error from its values at the compared truncations."""
    return _delta_of(truncation.estimate(deltas))


def _delta_of(delta: truncation.Estimate) -> DeltaE:
    return DeltaE(
        delta.value, truncation_error=delta.truncation_error, extrapolated=delta.extrapolated
    )


def _floquet(p: Parameters, gravity: str, base: str) -> _Solved:
    """L1 on the Gaussian backend: period averages of its exact Floquet state."""
    if p.batch_shape:  # one monodromy per point: scans fall back to point by point
        raise GravsimInputError("model linear is solved one parameter point at a time")
    chosen = _against_quantum(gravity, "linear")
    description = models.linear(p, classical_in(chosen))
    state = floquet.periodic_state(description)
    summary = state.summary(base)
    occupations = state.occupations()
    roles = {g.label: "quantum" if g.label == "quantum" else "classical" for g in chosen}
    outcomes = {
        label: GravityOutcome(
            E_N=summary[f"E_N_{role}"],
            E_N_ripple=summary[f"E_N_{role}_ripple"],
            occupations=occupations[role],
        )
        for label, role in roles.items()
    }
    delta = None
    if len(chosen) == 2:
        delta = DeltaE(summary["delta_E"], ripple=summary["delta_E_ripple"])
    stats = {
        key: summary[key] for key in ("period_s", "floquet_multiplier_max", "periodicity_error")
    } | {"stein_condition": state.stein_condition}
    notes = description.notes + (
        "periodic state from the one-period monodromy and a discrete Lyapunov (Stein) "
        "equation; E_N, ΔE and occupations averaged over the period 2π/ω_m, *_ripple = "
        "max − min over the period",
        f"frame: {description.frame}",
    )
    return _Solved(outcomes, delta, stats, notes)


def _periodic_fock(
    p: Parameters, rung: str, gravity: str, base: str, options: FockOptions, progress: Any
) -> _Solved:
    """L0 or L1 on the Fock backend: the periodic state at N−4, N−2 and N levels.

    The truncation is checked first against L1's exact Floquet state (every sample over the
    period); a highest-level population above the limit found afterwards (the Fock state is
    not exactly Gaussian) is reported as ``truncation_warning`` with the numbers.
    """
    start_time = time.perf_counter()
    chosen = _against_quantum(gravity, rung)
    floquet_state = floquet.periodic_state(models.linear(p, classical_in(chosen)))
    pairs = []
    for g in chosen:  # refuse before spending time on any propagation
        description = models.build(rung, p, g, frame=options.frame)
        dims = options.dims(description.modes)
        covariances = floquet_state.covariance + (g.label != "quantum") * floquet_state.shift
        levels.check_covariances(floquet_state.modes, covariances, dims)
        levels.check_mean_amplitudes(description, p, dims)
        pairs.append((g, description, models.period_average(models.linear(p, g))))
    sizes = [truncation.smaller_dims(pairs[0][1], dims, step) for step in (2, 1)]
    sizes = [d for k, d in enumerate(sizes) if d != dims and d not in sizes[:k]] + [dims]
    outcomes, series = {}, {}
    for g, description, average in pairs:
        outcomes[g.label], series[g.label] = _periodic_outcome(
            description,
            average,
            sizes,
            base,
            progress,
            f"{rung}: periodic state on {{}} levels, {g.name} gravity ...",
        )
    delta = None
    if len(pairs) == 2:
        one, two = series.values()
        delta = _delta_estimate([q - c for q, c in zip(one, two, strict=True)])
    stats = {
        "truncation": _truncation(pairs[0][1].modes, dims, sizes[:-1]),
        "period_s": float(2 * np.pi / pairs[0][1].base_frequency()),
        "wall_time_s": time.perf_counter() - start_time,
    }
    notes = pairs[0][1].notes + (f"frame: {pairs[0][1].frame}", _periodic_note())
    return _Solved(outcomes, delta, stats, notes)


def _periodic_outcome(
    description: ModelDescription,
    average: ModelDescription,
    sizes: list[tuple[int, ...]],
    base: str,
    progress: Any,
    message: str,
) -> tuple[GravityOutcome, list[float]]:
    """The Fock periodic state of one gravity model on each truncation in ``sizes``."""
    from gravsim.fock import periodic

    states: list[Any] = []
    for d in sizes:
        if progress is not None:
            progress(message.format(d) + f" ({periodic.choose(description)})")
        smaller = states[-1] if states else None
        state, _ = periodic.periodic_state(
            description, d, average, base=base, smaller=smaller, progress=progress
        )
        states.append(state)
    state = states[-1]
    excess = truncation.top_level_excess(state.last_level_population())
    if excess and progress is not None:  # minutes of propagation: keep the numbers, say so
        progress(f"warning: {excess}")
    series = [s.mean_log_negativity for s in states]
    e = truncation.estimate(series)
    outcome = GravityOutcome(
        E_N=e.value,
        E_N_ripple=state.ripple,
        truncation_error=e.truncation_error,
        E_N_extrapolated=e.extrapolated,
        occupations=state.occupations(),
        last_level_population=state.last_level_population(),
        periods=state.periods,
        stroboscopic_change=state.change,
        truncation_warning=excess or NOT_COMPUTED,
        state=state.rho,
    )
    return outcome, series


def _periodic_note() -> str:
    from gravsim.fock import dynamics, harmonic_balance, period_map, periodic

    return (
        "Fock periodic state by harmonic balance where ω_m ≥ "
        f"{periodic.FAST_DRIVE:g}κ (Fourier coefficients of ρ(t) until the highest is below "
        f"{harmonic_balance.HARMONIC_TOL:g} of ρ₀; periods and stroboscopic_change null), "
        "otherwise as the fixed point of the one-period map (mesolve; preconditioned by the "
        f"averaged Liouvillian, Anderson-accelerated) to ‖ρ(T) − ρ(0)‖_F < "
        f"{period_map.PERIODIC_TOL:g}, the smallest truncation started from the period-averaged "
        "(RWA) steady state, each larger one from the one below and preconditioned on it; "
        f"E_N, ΔE, occupations averaged over {dynamics.PERIODIC_SAMPLES} samples of the "
        "period; truncation_error from N-4, N-2, N"
    )


def _closed_form(p: Parameters, gravity: str, base: str) -> _Solved:
    closed_form.require_ideal(p)
    for g in choose(gravity):
        _require_uncorrelated(g, p)
    kw = dict(gamma_m=p.gamma_m, Gamma=p.Gamma, r=p.r, Omega=p.Omega, k_M=p.k_M, n_th=p.n_th)
    outcomes = {
        g.label: GravityOutcome(
            E_N=closed_form.eq19_log_negativity(**kw, kappa_G=rate(g, p), base=base)
        )
        for g in choose(gravity)
    }
    chosen = _against_quantum(gravity, "closed-form")
    delta = None
    if len(chosen) == 2:
        delta = DeltaE(closed_form.eq19_delta_E_from(p, base, kappa_G=rate(chosen[1], p)))
    kw24 = dict(gamma_m=p.gamma_m, Gamma=p.Gamma, r=p.r, n_th=p.n_th)
    kappa = rate(classical_in(chosen), p)  # the compared hypothesis's (KTM's by default)
    variants = {
        "eq24_E_N_quantum": closed_form.eq24_log_negativity(**kw24, kappa_G=0.0, base=base),
        "eq24_E_N_classical": closed_form.eq24_log_negativity(**kw24, kappa_G=kappa, base=base),
        "eq24_delta_E": closed_form.eq24_delta_E(**kw24, kappa_G=kappa, base=base),
        "eq6_delta_E": closed_form.eq6_delta_E(**kw24, kappa_G=kappa, base=base),
    }
    notes = (
        "E_N_*: S2 Eq. (19) moments -> covariance -> E_N (collective reservoir, k_M kept)",
        "eq24_*: S4 Eq. (24), exact for the double reservoir at k_M = 0",
        "eq6_delta_E: Eq. (6), first order in kappa_G of Eq. (24)",
    )
    return _Solved(outcomes, delta, {}, notes, variants)


def _require_uncorrelated(g: Any, p: Parameters) -> None:
    """The closed forms take each oscillator's own diffusion: refuse a mutual term."""
    if correlated(g, p):
        raise GravsimInputError(
            f"the closed forms take no correlated diffusion, and {g.name}'s mutual term is "
            f"one: use gravity='{g.name}:mutual=off', or a Gaussian rung"
        )


def _against_quantum(gravity: str, rung: str) -> tuple:
    """The chosen models, where a comparison must be against quantum gravity (the rungs whose
    ΔE comes from V₀ and one shift: periodic states and the closed forms)."""
    chosen = choose(gravity)
    if len(chosen) == 2 and chosen[0].label != "quantum":
        raise GravsimInputError(
            f"model {rung!r} compares a hypothesis with quantum gravity only: compare "
            "quantum,A and quantum,B, or use `model='effective'` or 'rwa' for A,B"
        )
    return chosen


def _conventional_transient(p: Parameters, gravity: str, base: str) -> tuple[dict, tuple]:
    """The conventional scheme's transient maximum from the ground states (a variant; the
    ideal device's closed forms, so none for an imperfect one)."""
    if p.imperfections():
        return {}, ("transient_maximum: not computed, the closed forms are the ideal device's",)
    out: dict[str, Any] = {}
    for g in choose(gravity):
        out[g.label] = conventional.transient_maximum_from(
            p, kappa_G=rate(g, p), base=base
        ).to_dict()
    chosen = choose(gravity)
    if len(chosen) == 2:  # classical (LOCC) gravity never entangles: the quantum maximum
        out["delta_E"] = out[chosen[0].label]["E_N"] - out[chosen[1].label]["E_N"]
    out["threshold_gamma_m"] = conventional.threshold_gamma_estimate_from(p, kappa_G=0.0)
    out["saturated_E_N"] = conventional.saturated_log_negativity_from(p, base=base)
    notes = (
        "transient_maximum: max over t of E_N(t) from the oscillators' ground states "
        "(exact Gaussian propagator in the normal modes)",
        "threshold_gamma_m: gamma_m (rad/s) below which the transient entangles, "
        "(k_M - 2 kappa_G)/n_th with kappa_G = 0 (quantum gravity)",
        "saturated_E_N: the transient maximum as gamma_m -> 0, atanh(2 k_M / omega_m)",
    )
    return out, notes
