"""The approximation ladder side by side, with a stated tolerance for every check.

Rows (each with E_N,q, E_N,c and ΔE):

* L4 closed form (S2 Eq. 19; Eq. 24 and Eq. 6 as labelled references),
* L3 effective two-mode: Gaussian, and Fock with its truncation error,
* L2 RWA three-mode: Gaussian, and Fock with its truncation error.

Checks (a check fails → ``Validation.ok`` is False and the command exits 1):

``closed form = effective Gaussian``
    The same equations solved two ways: |Δ| ≤ 1e-9·max(|E|, 1e-12) (ΔE: 1e-6 relative,
    because Eq. 19's ΔE goes through the same invariants but a different V₁ route).
``effective Fock = effective Gaussian``, ``RWA Fock = RWA Gaussian``
    |Δ| ≤ the Fock row's reported truncation error (+1e-12 relative for rounding).
``RWA Gaussian ≈ effective Gaussian``
    The adiabatic elimination: relative difference ≤ 3·ε with ε = (Ω/κ)² + (G/κ)², the
    expected size of its leading corrections (measured: 0.7ε–1.3ε on the presets).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from . import steady
from .errors import GravsimInputError
from .parameters import Parameters

QUANTITIES = ("E_N_quantum", "E_N_classical", "delta_E")
_ERROR_KEYS = {
    "E_N_quantum": "truncation_error_quantum",
    "E_N_classical": "truncation_error_classical",
    "delta_E": "truncation_error_delta_E",
}


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


@dataclass(frozen=True)
class Validation:
    """All rows and checks; ``ok`` when every check passed."""

    rows: tuple[Row, ...]
    checks: tuple[Check, ...]
    log_base: str
    parameters: Parameters

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "ok": self.ok,
            "log_base": self.log_base,
            "rows": [r.__dict__ for r in self.rows],
            "checks": [c.__dict__ for c in self.checks],
            "parameters": self.parameters.as_dict(),
        }

    def __str__(self) -> str:
        unit = "nats" if self.log_base == "e" else "bits"
        lines = [f"Model ladder (E_N and ΔE in {unit}; k_G: {self.parameters.kG_source})"]
        lines.append(
            f"  {'rung':<14}{'method':<26}{'E_N quantum':>16}{'E_N classical':>16}{'ΔE':>14}"
        )
        for r in self.rows:
            if r.skipped:
                lines.append(f"  {r.rung:<14}{r.method:<26}{'out of reach: ' + r.skipped}")
                continue
            cells = "".join(
                f"{r.values[q]:>16.10f}" if q != "delta_E" else f"{r.values[q]:>14.6e}"
                for q in QUANTITIES
            )
            lines.append(f"  {r.rung:<14}{r.method:<26}{cells}")
            if any(v is not None for v in r.errors.values()):
                errs = "".join(
                    f"{r.errors.get(q):>16.1e}" if r.errors.get(q) is not None else f"{'':>16}"
                    for q in QUANTITIES[:2]
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
        lines.append("all checks passed" if self.ok else "SOME CHECKS FAILED")
        return "\n".join(lines)


def run(
    p: Parameters,
    *,
    base: str = "e",
    fock: bool = True,
    n_mech: int = 8,
    n_cav: int = steady.DEFAULT_N_CAV,
    solver: str = "auto",
    progress: Any = None,
) -> Validation:
    """Compute every row and check for parameters ``p``."""
    rows: list[Row] = []
    cf = steady.compute(p, model="closed-form", base=base)
    rows.append(Row("L4", "closed form S2 Eq. (19)", _pick(cf.values)))
    rows.append(
        Row(
            "L4",
            "Eq. (24) double reservoir",
            {
                "E_N_quantum": cf.values["eq24_E_N_quantum"],
                "E_N_classical": cf.values["eq24_E_N_classical"],
                "delta_E": cf.values["eq24_delta_E"],
            },
            detail=f"Eq. (6): ΔE ≈ {cf.values['eq6_delta_E']:.6e} (first order in κ_G); "
            "reference only, a different reservoir form",
        )
    )
    gauss = {}
    for rung, label in (("effective", "L3"), ("rwa", "L2")):
        g = steady.compute(p, model=rung, base=base)
        gauss[rung] = _pick(g.values)
        rows.append(Row(label, f"{rung} Gaussian", gauss[rung]))
        if not fock:
            continue
        try:
            f = steady.compute(
                p,
                model=rung,
                backend="fock",
                base=base,
                n_mech=n_mech,
                n_cav=n_cav,
                solver=solver,
                progress=progress,
            )
        except GravsimInputError as exc:
            rows.append(Row(label, f"{rung} Fock", skipped=str(exc)))
            continue
        dims = f.values["truncation"]["dims"]
        rows.append(
            Row(
                label,
                f"{rung} Fock " + "x".join(str(n) for n in dims.values()),
                _pick(f.values),
                {q: f.values[_ERROR_KEYS[q]] for q in QUANTITIES},
                detail=f"solver {f.values['solver']}, residual {f.values['residual']:.1e}, "
                f"{f.values['wall_time_s']:.1f} s",
            )
        )
    checks = _checks(p, rows, gauss)
    return Validation(tuple(rows), tuple(checks), base, p)


def _pick(values: dict[str, Any]) -> dict[str, float]:
    return {q: float(values[q]) for q in QUANTITIES}


def _checks(p: Parameters, rows: list[Row], gauss: dict[str, dict[str, float]]) -> list[Check]:
    checks: list[Check] = []
    closed = rows[0].values
    for q in QUANTITIES:
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
    eps = float((p.Omega / p.kappa) ** 2 + (p.G / p.kappa) ** 2)
    for q in QUANTITIES:
        e_eff, e_rwa = gauss["effective"][q], gauss["rwa"][q]
        diff = abs(e_rwa - e_eff)
        tol = 3 * eps * max(abs(e_eff), abs(e_rwa))
        checks.append(
            Check(
                "RWA Gaussian vs effective Gaussian",
                q,
                diff,
                tol,
                f"adiabatic elimination: 3[(Ω/κ)² + (G/κ)²] = {3 * eps:.2e} relative",
                diff <= tol or (e_eff == 0 and e_rwa == 0),
            )
        )
    for row in rows:
        if not row.method.endswith("Gaussian") and "Fock" in row.method and not row.skipped:
            rung = row.method.split()[0]
            for q in QUANTITIES:
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
                        "Fock truncation error from N-4, N-2, N",
                        diff <= tol,
                    )
                )
    return checks
