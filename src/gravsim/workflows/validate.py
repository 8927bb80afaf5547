"""The approximation ladder side by side, every check able to fail.

Rows (each with E_N,q, E_N of the compared hypothesis and ΔE):

* L4 closed form (S2 Eq. 19; Eq. 24 and Eq. 6 as labelled references),
* L3 effective two-mode: Gaussian, and Fock with its truncation error,
* L2 RWA three-mode: Gaussian, and Fock with its truncation error,
* L1 linearised with the 2ω_m terms: the period average of the Floquet state (Gaussian,
  exact), with its ripple,
* L0 full driven model (only where Fock spaces reach: small occupations): the period
  average of its periodic state in Fock space (quantum gravity), next to L1 on the same
  truncation so that the difference is the linearisation error alone.

Checks (:mod:`gravsim.workflows.ladder_checks` states the rules; a failed check makes
``Validation.ok`` False and the command exit 1):

``closed form vs effective Gaussian``
    The same equations solved two ways: rounding (1e-9 relative; ΔE 1e-6).
``RWA Gaussian vs effective Gaussian`` (adiabatic elimination)
    L2 − L3 against its leading-order estimate, the first two orders of the series of L2's
    stationary moments in the cavity's response time 2/κ (terms in Γ/κ and (Ω/κ)²;
    :func:`gravsim.gaussian.approximation_errors.adiabatic`).
``L1 Floquet vs RWA Gaussian`` (rotating-wave approximation)
    L1 − L2 against the effect of the counter-rotating sidebands to second order in 1/ω_m,
    including the first-order k_M/ω_m coupling rescaling
    (:func:`gravsim.gaussian.approximation_errors.rotating_wave`).
``effective Fock vs effective Gaussian``, ``RWA Fock vs RWA Gaussian``
    |Fock − Gaussian| ≤ the Fock row's own reported truncation error.
``L0 Fock vs L1 Fock`` (same truncation)
    The linearisation (see :func:`_l0_rows`).

A rung pair passes when measured/estimated lies in [1/3, 3].  A check that could not run
(its row out of reach, or left out on request) is reported with its reason; the summary
counts the checks that ran, and ``strict`` callers treat any check not run as a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gravsim.errors import GravsimError, GravsimInputError
from gravsim.fock import levels, truncation
from gravsim.gaussian import approximation_errors, floquet
from gravsim.model import corrections, description
from gravsim.model import rungs as models
from gravsim.model.diffusion import correlated
from gravsim.model.gravity import PositionDiffusion, QuantumGravity, choose
from gravsim.model.parameters import Parameters
from gravsim.model.regime import QUANTITIES
from gravsim.progress import messages
from gravsim.workflows import steady
from gravsim.workflows.ladder_checks import (
    Check,
    against_estimate,
    against_rounding,
    against_truncation,
    not_run,
)
from gravsim.workflows.options import accepts_options, unused_options
from gravsim.workflows.result_model import Result
from gravsim.workflows.steady_result import SteadyResult

#: The quantities of every row with the default comparison (quantum gravity vs KTM).


def hypothesis(compare: str) -> PositionDiffusion:
    """The hypothesis that ``compare`` (``"both"`` or ``"quantum,B"``) sets against quantum
    gravity: the ladder's closed forms and periodic rows compare with quantum gravity only.

    Raises
    ------
    GravsimInputError
        For a pair without quantum gravity, or a single model.
    """
    chosen = choose(compare)
    if len(chosen) != 2 or chosen[0].label != "quantum":
        raise GravsimInputError(
            f"validate compares a hypothesis with quantum gravity: give `compare` as quantum,B "
            f"(e.g. quantum,diosi-penrose), not {compare!r}"
        )
    return chosen[1]


def quantities(compare: str) -> tuple[str, str, str]:
    """The row quantities of comparison ``compare``: E_N,q, E_N of the hypothesis, ΔE."""
    return ("E_N_quantum", f"E_N_{hypothesis(compare).label}", "delta_E")


@dataclass(frozen=True)
class Row:
    """One rung with one method: its numbers, or why it could not run."""

    rung: str
    method: str
    values: dict[str, float] = field(default_factory=dict)
    errors: dict[str, float | None] = field(default_factory=dict)
    detail: str = ""
    skipped: str = ""


@dataclass(frozen=True, repr=False)
class Validation(Result):
    """All rows and checks; ``ok`` when every check that ran passed, ``complete`` when every
    check ran.  ``options`` are those :func:`run` ran with (``validate.run(p,
    options=v.options)`` again)."""

    rows: tuple[Row, ...]
    checks: tuple[Check, ...]
    compare: str = "both"

    RUN_NAME = "validate"

    @property
    def quantities(self) -> tuple[str, str, str]:
        """E_N,q, E_N of the compared hypothesis and ΔE: the keys of every row's values."""
        return quantities(self.compare)

    @property
    def ok(self) -> bool:
        """Whether every check that ran passed."""
        return all(c.passed for c in self.checks if c.ran)

    @property
    def complete(self) -> bool:
        """Whether every check ran."""
        return all(c.ran for c in self.checks)

    def summary(self) -> str:
        """ "k of n checks ran; ..." with the verdict."""
        ran = sum(c.ran for c in self.checks)
        failed = sum(c.ran and not c.passed for c in self.checks)
        verdict = "all checks passed" if failed == 0 else f"SOME CHECKS FAILED ({failed})"
        text = f"{ran} of {len(self.checks)} checks ran; {verdict}"
        if ran < len(self.checks):
            text += " (the others: see [not run] above)"
        return text

    def view(self) -> dict[str, Any]:
        """The verdict (``ok``, ``complete``, how many checks ran) and the two hypotheses."""
        return {
            "ok": self.ok,
            "complete": self.complete,
            "checks_run": sum(c.ran for c in self.checks),
            "checks_total": len(self.checks),
            "log_base": self.log_base,
            "compare": ",".join(g.name for g in choose(self.compare)),
        }

    def __str__(self) -> str:
        unit = "nats" if self.log_base == "e" else "bits"
        name = hypothesis(self.compare).label.replace("_", "-")
        lines = [f"Model ladder (E_N and ΔE in {unit}; k_G: {self.parameters.kG_source})"]
        lines.append(
            f"  {'rung':<14}{'method':<26}{'E_N quantum':>18}{'E_N ' + name:>18}{'ΔE':>14}"
        )
        for r in self.rows:
            lines += _row_lines(r, self.quantities)
        lines.append("Checks (measured difference, its predicted size, their ratio):")
        lines += [c.line() for c in self.checks]
        lines.append(self.summary())
        return "\n".join(lines)


def _row_lines(r: Row, names: tuple[str, str, str]) -> list[str]:
    if r.skipped:
        return [f"  {r.rung:<14}{r.method:<26}{'not run: ' + r.skipped}"]
    cells = "".join(
        (f"{'':>18}" if q != "delta_E" else "")
        if q not in r.values
        else f"{r.values[q]:>18.10f}"
        if q != "delta_E"
        else f"{r.values[q]:>14.6e}"
        for q in names
    )
    lines = [f"  {r.rung:<14}{r.method:<26}{cells}"]
    if any(v is not None for v in r.errors.values()):
        errs = "".join(
            f"{r.errors.get(q):>18.1e}" if r.errors.get(q) is not None else f"{'':>18}"
            for q in names[:2]
        )
        derr = r.errors.get("delta_E")
        errs += f"{derr:>14.1e}" if derr is not None else ""
        lines.append(f"  {'':<14}{'  ± truncation error':<26}{errs}")
    if r.detail:
        lines.append(f"  {'':<14}  {r.detail}")
    return lines


@accepts_options
def run(
    p: Parameters,
    *,
    base: str = "e",
    fock: bool = True,
    n_mech: int | None = None,
    n_cav: int | None = None,
    solver: str | None = None,
    progress: Any = None,
    l0: bool = True,
    compare: str = "both",
    tol: float | None = None,
) -> Validation:
    """Compute every row and check for parameters ``p``.

    ``l0``: include the L0 row (where the Fock truncation :data:`L0_DIMS` holds it).
    ``compare``: quantum gravity and the hypothesis set against it, ``"quantum,B"``
    (default ``"both"``: quantum,ktm); the rows then report ``E_N_<B's label>``.
    ``n_mech``, ``n_cav``: the Fock rows' levels; None: chosen from the Gaussian state as
    ``steady`` chooses them (:data:`~gravsim.workflows.options.DEFAULT_TARGET`).
    ``tol``: the Fock rows grow their truncation until every E_N's error is ≤ ``tol``.
    ``progress``: called with one line of text before each row that takes more than a moment.
    """
    names = quantities(compare)
    if not fock:
        given = {"n_mech": n_mech, "n_cav": n_cav, "solver": solver, "tol": tol}
        unused_options("", "", given, False, "without the Fock rows")
    if fock:  # levels not given are chosen from the Gaussian state by the Fock rows
        truncation.check_levels(n_mech, n_cav)
    say = messages(progress) or (lambda message: None)
    rows: list[Row] = _closed_form_rows(p, compare, base, names)
    gauss = {}
    fock_rows = {}
    for rung, label in (("effective", "L3"), ("rwa", "L2")):
        g = steady.compute(p, model=rung, gravity=compare, base=base)
        gauss[rung] = _pick(g)
        rows.append(Row(label, f"{rung} Gaussian", gauss[rung]))
        if not fock:
            rows.append(Row(label, f"{rung} Fock", skipped="left out on request (--no-fock)"))
            fock_rows[rung] = rows[-1]
            continue
        fock_options = dict(
            n_mech=n_mech,
            n_cav=n_cav if rung == "rwa" else None,
            solver=solver,
            tol=tol,
            progress=progress,
        )
        say(f"validate: {label} {rung} on the Fock backend ...")
        fock_rows[rung] = _fock_row(p, rung, label, compare, base, fock_options)
        rows.append(fock_rows[rung])
    checks = _closed_form_checks(rows[0], gauss["effective"], names)
    hyp = hypothesis(compare)
    checks += _pair_checks(
        "RWA Gaussian vs effective Gaussian",
        gauss["rwa"],
        gauss["effective"],
        approximation_errors.adiabatic(p, hyp, base),
        names,
        "adiabatic elimination: series in 2/κ to second order",
    )
    for rung in ("effective", "rwa"):
        checks += _fock_checks(rung, fock_rows[rung], gauss[rung], names)
    checks += _upper_rungs(p, rows, gauss, base, (fock, l0), say, compare)
    return Validation(tuple(rows), tuple(checks), compare, parameters=p, log_base=base)


def _fock_row(
    p: Parameters, rung: str, label: str, compare: str, base: str, options: dict[str, Any]
) -> Row:
    """Rung ``rung`` on the Fock backend (the two-mode rung has no cavity: ``n_cav`` None),
    or why it could not run (out of reach, or its solver failed)."""
    try:
        f = steady.compute(p, model=rung, backend="fock", gravity=compare, base=base, **options)
    except GravsimError as exc:
        return Row(label, f"{rung} Fock", skipped=str(exc))
    dims, stats = f.stats["truncation"]["dims"], f.stats
    return Row(
        label,
        f"{rung} Fock " + "x".join(str(n) for n in dims.values()),
        _pick(f),
        f.comparison_errors(),
        detail=f"solver {stats['solver']}, residual {stats['residual']:.1e}, "
        f"{stats['wall_time_s']:.1f} s",
    )


def _pair_checks(
    name: str,
    upper: dict[str, float],
    lower: dict[str, float],
    estimate: np.ndarray,
    names: tuple[str, ...],
    what: str,
) -> list[Check]:
    """(upper − lower) of each quantity against the approximation's ``estimate``."""
    return [
        against_estimate(name, q, upper[q], lower[q], float(estimate[k]), what)
        for k, q in enumerate(names)
    ]


def _fock_checks(
    rung: str, row: Row, gauss: dict[str, float], names: tuple[str, ...]
) -> list[Check]:
    name = f"{rung} Fock vs {rung} Gaussian"
    what = "reported truncation error"
    if row.skipped:
        return [not_run(name, q, row.skipped, what) for q in names]
    return [
        against_truncation(name, q, row.values[q], gauss[q], row.errors.get(q), what) for q in names
    ]


#: Fock levels (per mechanical mode, cavity) of the L0 periodic state.
L0_DIMS = (7, 4)


def _upper_rungs(
    p: Parameters,
    rows: list[Row],
    gauss: dict[str, dict[str, float]],
    base: str,
    fock_l0: tuple[bool, bool],
    say: Any,
    compare: str,
) -> list[Check]:
    """The L1 row (Floquet, exact) and, where Fock spaces reach and ``fock_l0`` asks for
    both the Fock rows and L0, the L0 row."""
    names = quantities(compare)
    try:
        described = models.linear(p, hypothesis(compare))
    except GravsimInputError as exc:  # an imperfection L1's classical orbit does not take
        for label, method in (("L1", "linear Floquet (period avg)"), ("L0", "full Fock")):
            rows.append(Row(label, method, skipped=str(exc)))
        return [not_run("L1 Floquet vs RWA Gaussian", q, str(exc)) for q in names] + [
            not_run(L0_CHECK, "E_N_quantum", str(exc))
        ]
    state = floquet.periodic_state(described)
    summary = state.summary(base)
    l1 = dict(zip(names, (summary[q] for q in QUANTITIES), strict=True))
    rows.append(
        Row(
            "L1",
            "linear Floquet (period avg)",
            l1,
            detail=f"ripple over the period: E_N,q {summary['E_N_quantum_ripple']:.2e}, "
            f"ΔE {summary['delta_E_ripple']:.2e}; periodicity error "
            f"{summary['periodicity_error']:.1e}",
        )
    )
    checks = _pair_checks(
        "L1 Floquet vs RWA Gaussian",
        l1,
        gauss["rwa"],
        approximation_errors.rotating_wave(p, hypothesis(compare), base),
        names,
        "rotating-wave: counter-rotating sidebands to 2nd order",
    )
    reason = ""
    if not fock_l0[0]:
        reason = "left out on request (--no-fock)"
    elif not fock_l0[1]:
        reason = "left out on request (--no-l0)"
    if reason:
        rows.append(Row("L0", "full Fock", skipped=reason))
        return checks + [not_run(L0_CHECK, "E_N_quantum", reason)]
    return checks + _l0_rows(p, rows, state, base, say)


L0_CHECK = "L0 Fock vs L1 Fock (same truncation)"


def _l0_rows(p: Parameters, rows: list[Row], state: Any, base: str, say: Any) -> list[Check]:
    """L0 and L1 on the same Fock truncation (:data:`L0_DIMS`), where it holds L1's state."""
    dims = (L0_DIMS[0], L0_DIMS[0], L0_DIMS[1])
    try:  # the quantum-gravity Floquet state over the period, as steady's Fock path checks
        levels.check_covariances(state.modes, state.covariance, dims)
    except GravsimInputError as exc:
        rows.append(Row("L0", "full Fock", skipped=str(exc)))
        return [not_run(L0_CHECK, "E_N_quantum", str(exc))]
    l0, l1f, estimate = linearisation_pair(p, dims, base, say)
    label = "x".join(map(str, dims))
    rows.append(
        Row(
            "L1",
            f"linear Fock {label}",
            {"E_N_quantum": l1f.mean_log_negativity},
            detail=f"{_how(l1f)}; quantum gravity; same truncation as L0",
        )
    )
    rows.append(
        Row(
            "L0",
            f"full Fock {label}",
            {"E_N_quantum": l0.mean_log_negativity},
            detail=f"{_how(l0)}, ripple {l0.ripple:.2e}; quantum gravity; displaced frame",
        )
    )
    return [
        against_estimate(
            L0_CHECK,
            "E_N_quantum",
            l0.mean_log_negativity,
            l1f.mean_log_negativity,
            estimate,
            "linearisation: L1's 2nd-order response to g(j + j†)δc†δc",
        )
    ]


def linearisation_pair(
    p: Parameters, dims: tuple[int, ...], base: str, say: Any
) -> tuple[Any, Any, float]:
    """L0's and L1's Fock periodic states on ``dims`` (quantum gravity; one factorisation or
    start shared) and the estimate of their difference: L1's second-order response to the
    radiation pressure g(j + j†)δc†δc that it drops (written apart, in
    :func:`~gravsim.model.corrections.radiation_pressure_nonlinearity`)."""
    from gravsim.fock import harmonic_balance, periodic

    full = models.full(p, QuantumGravity())
    average = models.period_average(models.linear(p, QuantumGravity()))
    omega0 = full.base_frequency()
    say(f"validate: L0 periodic state on {dims} levels by {periodic.choose(full)} ...")
    l0, shared = periodic.periodic_state(full, dims, average, base=base, progress=say)
    lin = description.quadratic_part(full, rung="linear", note="")
    say(f"validate: L1 periodic state on the same {dims} levels ...")
    l1, _ = periodic.periodic_state(
        lin, dims, average, base=base, omega0=omega0, shared=shared, progress=say
    )
    say("validate: L1's response to the dropped radiation pressure, to second order ...")
    _, estimate = harmonic_balance.second_order_shift(
        lin,
        corrections.radiation_pressure_nonlinearity(p),
        dims,
        omega0=omega0,
        average=shared if periodic.choose(full) == "harmonic-balance" else None,
        base=base,
        progress=say,
    )
    return l0, l1, estimate


def _how(state: Any) -> str:
    """How a Fock periodic state was found, for its row."""
    if state.periods is not None:
        return f"period map, {state.periods} periods"
    stats = state.stats
    return f"harmonic balance, {stats['harmonics']} harmonics, {stats['wall_time_s']:.0f} s"


def _pick(result: SteadyResult) -> dict[str, float]:
    return {q: float(v) for q, v in result.comparison().items()}


def _closed_form_checks(
    closed: Row, effective: dict[str, float], names: tuple[str, ...]
) -> list[Check]:
    """The closed form against the effective Gaussian rung: rounding only."""
    name, what = "closed form vs effective Gaussian", "same equations: rounding bound"
    if closed.skipped:
        return [not_run(name, q, closed.skipped, what) for q in names]
    return [
        against_rounding(
            name, q, closed.values[q], effective[q], 1e-6 if q == "delta_E" else 1e-9, what
        )
        for q in names
    ]


def _closed_form_rows(p: Parameters, compare: str, base: str, names: tuple) -> list[Row]:
    """The L4 rows: Eq. (19), and Eq. (24) for reference; not run for an imperfect device
    (the closed forms are the ideal one's)."""
    found = p.imperfections()
    if found or correlated(hypothesis(compare), p):
        why = (
            f"the closed forms are the ideal device's ({found[0]} is set)"
            if found
            else f"the closed forms take no correlated diffusion ({compare}: its mutual term)"
        )
        return [Row("L4", "closed form S2 Eq. (19)", skipped=why)]
    cf = steady.compute(p, model="closed-form", gravity=compare, base=base)
    eq24 = ("eq24_E_N_quantum", "eq24_E_N_classical", "eq24_delta_E")
    return [
        Row("L4", "closed form S2 Eq. (19)", _pick(cf)),
        Row(
            "L4",
            "Eq. (24) double reservoir",
            dict(zip(names, (cf.variants[k] for k in eq24), strict=True)),
            detail=f"Eq. (6): ΔE ≈ {cf.variants['eq6_delta_E']:.6e} (first order in κ_G); "
            "reference only, a different reservoir form",
        ),
    ]
