"""The approximation ladder side by side, with a stated tolerance for every check.

Rows (each with E_N,q, E_N,c and ΔE):

* L4 closed form (S2 Eq. 19; Eq. 24 and Eq. 6 as labelled references),
* L3 effective two-mode: Gaussian, and Fock with its truncation error,
* L2 RWA three-mode: Gaussian, and Fock with its truncation error,
* L1 linearised with the 2ω_m terms: the period average of the Floquet state (Gaussian,
  exact), with its ripple,
* L0 full driven model (only where Fock spaces reach: small occupations): the period
  average of its periodic state in Fock space (quantum gravity), next to L1 on the same
  truncation so that the difference is the linearisation error alone.

Checks (a check fails → ``Validation.ok`` is False and the command exits 1):

``closed form = effective Gaussian``
    The same equations solved two ways: |Δ| ≤ 1e-9·max(|E|, 1e-12) (ΔE: 1e-6 relative,
    because Eq. 19's ΔE goes through the same invariants but a different V₁ route).
``effective Fock = effective Gaussian``, ``RWA Fock = RWA Gaussian``
    |Δ| ≤ the Fock row's reported truncation error (+1e-12 relative for rounding).
``RWA Gaussian ≈ effective Gaussian``
    The adiabatic elimination: |difference| ≤ 3·ε·scale with ε = (Ω/κ)² + (G/κ)², the
    expected relative size of its leading corrections to the covariance.
``L1 Floquet ≈ RWA Gaussian``
    The rotating-wave approximation: |difference| ≤ 3·ε₁·scale with
    ε₁ = (κ/ω_m)² + |k_M|/ω_m.  The first term is the counter-rotating optomechanical
    terms' effect (slope 2 in log–log at k_M = 0); the second is gravity's own
    counter-rotating term k_M(ab + a†b†), which entangles at first order in k_M/ω_m (the
    conventional scheme's mechanism).

    The scale: ΔE is compared relatively (scale |ΔE|).  Both E_N are compared on the scale
    of the quantum-gravity E_N,q: an approximation that changes the covariance by a
    relative ε moves E_N by ~ε·E_N, and E_N,c = E_N,q − ΔE carries the absolute errors of
    both; where KTM noise removes most of the entanglement (E_N,c ≈ 0.3 E_N,q on the
    ``small`` presets) its own relative error is amplified by E_N,q/E_N,c.  Measured
    |difference|/(ε·scale), adiabatic elimination: E_N,q 0.5–0.8, E_N,c 0.5–1.6, ΔE 0.9–1.3
    on paper, small, small-weak, driven; rotating-wave: 0.05–1.7 (paper: 0.50).
``L0 Fock ≈ L1 Fock`` (same truncation)
    The linearisation: |difference| ≤ (g/κ)² (measured on ``driven``: 0.18 (g/κ)² at
    7×7×4, 0.15 (g/κ)² at 6×6×3, shrinking as g² at fixed G±).  :data:`L0_DIMS` is the
    smallest truncation the Gaussian pre-check admits there (the reservoir squeezes the
    cavity: 4 levels); with the preconditioned
    periodic states the row takes ~1 min.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gravsim.errors import GravsimError, GravsimInputError
from gravsim.fock import truncation
from gravsim.gaussian import floquet
from gravsim.model import description
from gravsim.model import rungs as models
from gravsim.model.gravity import PositionDiffusion, QuantumGravity, choose
from gravsim.model.parameters import Parameters
from gravsim.workflows import levels, steady
from gravsim.workflows.options import DEFAULT_N_CAV, VALIDATE_N_MECH, unused_options
from gravsim.workflows.results import Result, SteadyResult

#: The quantities of every row with the default comparison (quantum gravity vs KTM).
QUANTITIES = ("E_N_quantum", "E_N_classical", "delta_E")


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


@dataclass(frozen=True)
class Check:
    """One comparison between two rows with its tolerance."""

    name: str
    quantity: str
    difference: float
    tolerance: float
    expected_size: str
    passed: bool


@dataclass(frozen=True, repr=False)
class Validation(Result):
    """All rows and checks; ``ok`` when every check passed."""

    rows: tuple[Row, ...]
    checks: tuple[Check, ...]
    log_base: str
    parameters: Parameters
    compare: str = "both"

    @property
    def quantities(self) -> tuple[str, str, str]:
        """E_N,q, E_N of the compared hypothesis and ΔE: the keys of every row's values."""
        return quantities(self.compare)

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "ok": self.ok,
            "log_base": self.log_base,
            "compare": ",".join(g.name for g in choose(self.compare)),
            "rows": [r.__dict__ for r in self.rows],
            "checks": [c.__dict__ for c in self.checks],
            "parameters": self.parameters.as_dict(),
        }

    def __str__(self) -> str:
        unit = "nats" if self.log_base == "e" else "bits"
        name = hypothesis(self.compare).label.replace("_", "-")
        lines = [f"Model ladder (E_N and ΔE in {unit}; k_G: {self.parameters.kG_source})"]
        lines.append(
            f"  {'rung':<14}{'method':<26}{'E_N quantum':>18}{'E_N ' + name:>18}{'ΔE':>14}"
        )
        for r in self.rows:
            if r.skipped:
                lines.append(f"  {r.rung:<14}{r.method:<26}{'out of reach: ' + r.skipped}")
                continue
            cells = "".join(
                (f"{'':>18}" if q != "delta_E" else "")
                if q not in r.values
                else f"{r.values[q]:>18.10f}"
                if q != "delta_E"
                else f"{r.values[q]:>14.6e}"
                for q in self.quantities
            )
            lines.append(f"  {r.rung:<14}{r.method:<26}{cells}")
            if any(v is not None for v in r.errors.values()):
                errs = "".join(
                    f"{r.errors.get(q):>18.1e}" if r.errors.get(q) is not None else f"{'':>18}"
                    for q in self.quantities[:2]
                )
                derr = r.errors.get("delta_E")
                errs += f"{derr:>14.1e}" if derr is not None else ""
                lines.append(f"  {'':<14}{'  ± truncation error':<26}{errs}")
            if r.detail:
                lines.append(f"  {'':<14}  {r.detail}")
        lines.append("Checks:")
        for c in self.checks:
            mark = "ok  " if c.passed else "FAIL"
            lines.append(
                f"  [{mark}] {c.name}, {c.quantity}: |diff| {c.difference:.2e} "
                f"<= {c.tolerance:.2e} ({c.expected_size})"
            )
        unchecked = [
            f"{r.rung} {r.method}" for r in self.rows if r.skipped and "request" not in r.skipped
        ]
        verdict = "all checks passed" if self.ok else "SOME CHECKS FAILED"
        if unchecked:
            verdict += f"; not checked (out of reach, see above): {', '.join(unchecked)}"
        lines.append(verdict)
        return "\n".join(lines)


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

    ``l0``: include the L0 row (where the Fock truncation :data:`L0_DIMS` holds it): its two
    preconditioned periodic states take ~1 min (paper point: 6 periods each).
    ``compare``: quantum gravity and the hypothesis set against it, ``"quantum,B"``
    (default ``"both"``: quantum,ktm); the rows then report ``E_N_<B's label>``.
    ``tol``: the Fock rows grow their truncation until every E_N's error is ≤ ``tol``.
    """
    names = quantities(compare)
    if not fock:
        given = {"n_mech": n_mech, "n_cav": n_cav, "solver": solver, "tol": tol}
        unused_options("", "", given, False, "without the Fock rows")
    n_mech = VALIDATE_N_MECH if n_mech is None else n_mech
    n_cav = DEFAULT_N_CAV if n_cav is None else n_cav
    if fock:
        truncation.check_levels(n_mech, n_cav)
    rows: list[Row] = []
    cf = steady.compute(p, model="closed-form", gravity=compare, base=base)
    rows.append(Row("L4", "closed form S2 Eq. (19)", _pick(cf)))
    rows.append(
        Row(
            "L4",
            "Eq. (24) double reservoir",
            {
                names[0]: cf.variants["eq24_E_N_quantum"],
                names[1]: cf.variants["eq24_E_N_classical"],
                names[2]: cf.variants["eq24_delta_E"],
            },
            detail=f"Eq. (6): ΔE ≈ {cf.variants['eq6_delta_E']:.6e} (first order in κ_G); "
            "reference only, a different reservoir form",
        )
    )
    gauss = {}
    for rung, label in (("effective", "L3"), ("rwa", "L2")):
        g = steady.compute(p, model=rung, gravity=compare, base=base)
        gauss[rung] = _pick(g)
        rows.append(Row(label, f"{rung} Gaussian", gauss[rung]))
        if not fock:
            continue
        fock_options = dict(n_mech=n_mech, n_cav=n_cav if rung == "rwa" else None,
                            solver=solver, tol=tol, progress=progress)  # fmt: skip
        rows.append(_fock_row(p, rung, label, compare, base, fock_options))
    checks = _checks(p, rows, gauss, names)
    checks += _upper_rungs(p, rows, gauss, base, (fock, l0), progress, compare)
    return Validation(tuple(rows), tuple(checks), base, p, compare)


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


#: Fock levels (per mechanical mode, cavity) of the L0 periodic state.
L0_DIMS = (7, 4)


def _upper_rungs(
    p: Parameters,
    rows: list[Row],
    gauss: dict[str, dict[str, float]],
    base: str,
    fock_l0: tuple[bool, bool],
    progress: Any,
    compare: str,
) -> list[Check]:
    """The L1 row (Floquet, exact) and, where Fock spaces reach and ``fock_l0`` asks for
    both the Fock rows and L0, the L0 row."""
    checks: list[Check] = []
    names = quantities(compare)
    state = floquet.periodic_state(models.linear(p, hypothesis(compare)))
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
    eps1 = float(rwa_epsilon(p))
    for q, scale_text in zip(names, _SCALE_TEXT, strict=True):
        diff = abs(l1[q] - gauss["rwa"][q])
        tol = tolerance(q, eps1, l1, gauss["rwa"])
        checks.append(
            Check(
                "L1 Floquet vs RWA Gaussian",
                q,
                diff,
                tol,
                f"rotating-wave approximation: 3[(κ/ω_m)² + |k_M|/ω_m] = {3 * eps1:.2e} "
                + scale_text,
                diff <= tol,
            )
        )
    if not fock_l0[0]:
        return checks
    if not fock_l0[1]:
        rows.append(Row("L0", "full Fock", skipped="left out on request"))
        return checks
    return checks + _l0_rows(p, rows, state, base, progress)


def _l0_rows(p: Parameters, rows: list[Row], state: Any, base: str, progress: Any) -> list[Check]:
    """L0 and L1 on the same Fock truncation (:data:`L0_DIMS`), where it holds L1's state."""
    checks: list[Check] = []
    dims = (L0_DIMS[0], L0_DIMS[0], L0_DIMS[1])
    average = steady.period_average(models.linear(p, QuantumGravity()))
    try:  # the quantum-gravity Floquet state over the period, as steady's Fock path checks
        levels.check_covariances(state.modes, state.covariance, dims)
    except GravsimInputError as exc:
        rows.append(Row("L0", "full Fock", skipped=str(exc)))
        return checks
    from gravsim.fock import dynamics as fock_dynamics

    if progress is not None:
        progress(f"L0: periodic state of the full model on {dims} levels (and L1 on the same) ...")
    full = models.full(p, QuantumGravity())
    start = fock_dynamics.averaged_start(full, average, dims)
    l0 = fock_dynamics.periodic_state(full, dims, start, base=base)
    lin = description.quadratic_part(full, rung="linear", note="")
    l1f = fock_dynamics.periodic_state(lin, dims, start, base=base)
    label = "x".join(map(str, dims))
    rows.append(
        Row(
            "L1",
            f"linear Fock {label}",
            {"E_N_quantum": l1f.mean_log_negativity},
            detail=f"{l1f.periods} periods; quantum gravity; same truncation as L0",
        )
    )
    rows.append(
        Row(
            "L0",
            f"full Fock {label}",
            {"E_N_quantum": l0.mean_log_negativity},
            detail=f"{l0.periods} periods, ripple {l0.ripple:.2e}; quantum gravity; "
            "displaced frame",
        )
    )
    diff = abs(l0.mean_log_negativity - l1f.mean_log_negativity)
    bound = float((p.g / p.kappa) ** 2)
    checks.append(
        Check(
            "L0 Fock vs L1 Fock (same truncation)",
            "E_N_quantum",
            diff,
            bound,
            "linearisation: (g/κ)²",
            diff <= bound,
        )
    )
    return checks


#: How the tolerance of E_N,q, E_N of the hypothesis and ΔE scales (module docstring).
_SCALE_TEXT = ("× E_N,q", "× E_N,q (E_N,c = E_N,q − ΔE)", "relative")


def adiabatic_epsilon(p: Parameters) -> Any:
    """ε of the cavity's adiabatic elimination, (Ω/κ)² + (G/κ)² (L3 vs L2)."""
    return (p.Omega / p.kappa) ** 2 + (p.G / p.kappa) ** 2


def rwa_epsilon(p: Parameters) -> Any:
    """ε of the rotating-wave approximation, (κ/ω_m)² + |k_M|/ω_m (L2 vs L1)."""
    return (p.kappa / p.omega_m) ** 2 + np.abs(p.k_M) / p.omega_m


def tolerance(q: str, eps: Any, upper: dict[str, Any], lower: dict[str, Any]) -> Any:
    """How far two rungs may differ in quantity ``q``: 3ε times E_N,q (for E_N,q and E_N,c)
    or ΔE (for ΔE), the larger of the two rungs' (arrays broadcast)."""
    key = "delta_E" if q == "delta_E" else "E_N_quantum"
    return 3 * eps * np.maximum(np.abs(upper[key]), np.abs(lower[key]))


def _pick(result: SteadyResult) -> dict[str, float]:
    return {q: float(v) for q, v in result.comparison().items()}


def _checks(
    p: Parameters, rows: list[Row], gauss: dict[str, dict[str, float]], names: tuple[str, ...]
) -> list[Check]:
    checks: list[Check] = []
    closed = rows[0].values
    for q in names:
        scale = max(abs(gauss["effective"][q]), 1e-300)
        rel = 1e-6 if q == "delta_E" else 1e-9
        diff = abs(closed[q] - gauss["effective"][q])
        checks.append(
            Check(
                "closed form vs effective Gaussian",
                q,
                diff,
                rel * scale,
                "same equations: rounding only",
                diff <= rel * scale,
            )
        )
    eps = float(adiabatic_epsilon(p))
    for q, scale_text in zip(names, _SCALE_TEXT, strict=True):
        e_eff, e_rwa = gauss["effective"][q], gauss["rwa"][q]
        diff = abs(e_rwa - e_eff)
        tol = tolerance(q, eps, gauss["effective"], gauss["rwa"])
        checks.append(
            Check(
                "RWA Gaussian vs effective Gaussian",
                q,
                diff,
                tol,
                f"adiabatic elimination: 3[(Ω/κ)² + (G/κ)²] = {3 * eps:.2e} " + scale_text,
                diff <= tol or (e_eff == 0 and e_rwa == 0),
            )
        )
    for row in rows:
        if not row.method.endswith("Gaussian") and "Fock" in row.method and not row.skipped:
            rung = row.method.split()[0]
            for q in names:
                err = row.errors.get(q)
                diff = abs(row.values[q] - gauss[rung][q])
                scale = max(abs(gauss[rung][q]), 1e-300)
                tol = (err if err is not None and math.isfinite(err) else 0.0) + 1e-12 * scale
                checks.append(
                    Check(
                        f"{rung} Fock vs {rung} Gaussian",
                        q,
                        diff,
                        tol,
                        "Fock truncation error from N-6, N-4, N-2, N",
                        diff <= tol,
                    )
                )
    return checks
