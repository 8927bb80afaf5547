"""``gravsim validate --scaling``: each approximation's error at four values of its small
parameter, and its log–log slope against the slope its leading-order estimate predicts.

Paths (the small parameter scaled by s = 1, ½, ¼, ⅛; every other rate held by giving it
directly, so that only the named one moves):

adiabatic elimination (L2 − L3), small parameter Γ/κ
    κ → κ/s and G± → G±/√s: Γ = 4G²/κ, r, Ω, k_M, γ_m, n̄ and κ_G fixed, so Γ/κ and Ω/κ
    fall as s.
rotating-wave approximation (L1 − L2), small parameter κ/ω_m
    ω_m → ω_m/s with G±, n̄, k_M and κ_G given directly (fixed).
linearisation (L0 − L1 on one Fock truncation, quantum gravity), small parameter g/κ
    g → s·g at fixed G± (the pumps E± grow as 1/s); only where validate's L0 row runs.

The predicted slope is the log–log slope of the derived estimate
(:mod:`gravsim.gaussian.approximation_errors`, and L1's second-order response to the dropped
radiation pressure) over the same four points: 2 for the linearisation (the cubic term is odd
under parity), 2 for the RWA where the sidebands' (κ/ω_m)² terms dominate and nearer 1 where
the first-order k_M/ω_m coupling term competes (``small``), 2 for the elimination where its
(Ω/κ)² terms dominate and nearer 1 where the Γ/κ ones do.  A pair passes when the measured
slope is within :data:`SLOPE_TOLERANCE` of it.  A difference that changes sign over the four
points has no slope: the row says so and fails.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gravsim.errors import GravsimError
from gravsim.fock import levels
from gravsim.gaussian import approximation_errors, floquet
from gravsim.model import rungs as models
from gravsim.model.gravity import QuantumGravity
from gravsim.model.parameters import Parameters
from gravsim.plotting import new_figure
from gravsim.progress import messages
from gravsim.workflows import steady, validate
from gravsim.workflows.result_model import Result, entanglement_unit

#: The factors the small parameter is scaled by.
FACTORS = (1.0, 0.5, 0.25, 0.125)
#: |measured slope − predicted slope| that passes.
SLOPE_TOLERANCE = 0.3
#: Why a series has no slope to check: its estimate crosses zero within the range.
NO_ORDER = (
    "not checked: the estimate changes sign within the range (terms of two orders cancel, "
    "e.g. k_M/ω_m against (κ/ω_m)²): no single order"
)
RUN_NAME = "scaling"


@dataclass(frozen=True)
class Series:
    """One rung pair and quantity along its path."""

    pair: str
    quantity: str
    parameter: str
    values: tuple[float, ...]
    differences: tuple[float, ...]
    estimates: tuple[float, ...]
    slope: float | None
    predicted_slope: float | None
    passed: bool | None
    note: str = ""


@dataclass(frozen=True, repr=False)
class Scaling(Result):
    """Every pair's series; ``ok`` when every slope is as predicted."""

    series: tuple[Series, ...] = field(metadata={"json_key": "rows"})
    skipped: dict[str, str] = field(metadata={"json_key": "not_run"})

    RUN_NAME = RUN_NAME

    @property
    def ok(self) -> bool:
        """Whether every checked slope is within the tolerance of its prediction."""
        return all(s.passed for s in self.series if s.passed is not None)

    @property
    def checked(self) -> int:
        """How many series had a slope to check."""
        return sum(s.passed is not None for s in self.series)

    def view(self) -> dict[str, Any]:
        """The verdict, how many slopes were checked, the factors and the slope tolerance."""
        return {
            "ok": self.ok,
            "slopes_checked": self.checked,
            "series": len(self.series),
            "log_base": self.log_base,
            "factors": list(FACTORS),
            "slope_tolerance": SLOPE_TOLERANCE,
        }

    def table(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """One row per pair, quantity and point: the parameter, difference and estimate."""
        cols: dict[str, list[Any]] = {
            k: [] for k in ("pair", "quantity", "parameter", "value", "difference", "estimate")
        }
        for s in self.series:
            for x, d, e in zip(s.values, s.differences, s.estimates, strict=True):
                for key, v in zip(cols, (s.pair, s.quantity, s.parameter, x, d, e), strict=True):
                    cols[key].append(v)
        return cols, {}

    def figure(self) -> Any:
        """|difference| against the small parameter per pair (see :func:`figure`)."""
        return figure(self)

    def __str__(self) -> str:
        lines = [
            f"Order of each approximation: difference at the small parameter × {FACTORS}, "
            f"log–log slope vs the leading-order estimate's (pass: within {SLOPE_TOLERANCE})",
            f"  {'pair':<26}{'quantity':<16}{'parameter':<12}{'|difference| at s = 1 … ⅛':<46}"
            f"{'slope':>7}{'predicted':>10}",
        ]
        for s in self.series:
            diffs = " ".join(f"{abs(d):.2e}" for d in s.differences)
            slope = "  n/a" if s.slope is None else f"{s.slope:7.2f}"
            pred = "  n/a" if s.predicted_slope is None else f"{s.predicted_slope:10.2f}"
            mark = {True: "ok  ", False: "FAIL", None: "----"}[s.passed]
            lines.append(
                f"  {s.pair:<26}{s.quantity:<16}{s.parameter:<12}{diffs:<46}{slope}{pred} {mark}"
                + (f" ({s.note})" if s.note else "")
            )
        for pair, reason in self.skipped.items():
            lines.append(f"  {pair:<26}not run: {reason}")
        verdict = "all as predicted" if self.ok else "SOME SLOPES ARE NOT AS PREDICTED"
        lines.append(f"{self.checked} of {len(self.series)} slopes checked; {verdict}")
        return "\n".join(lines)


def _slope(x: np.ndarray, y: np.ndarray) -> float | None:
    """Least-squares log–log slope of |y| against x (None if y changes sign or vanishes)."""
    if np.any(y == 0) or not (np.all(y > 0) or np.all(y < 0)):
        return None
    return float(np.polyfit(np.log(x), np.log(np.abs(y)), 1)[0])


def _series(
    pair: str, parameter: str, names: tuple[str, ...], points: list[tuple[float, Any, Any]]
) -> list[Series]:
    """Series of each quantity from (small parameter, differences, estimates) per point."""
    x = np.array([pt[0] for pt in points])
    out = []
    for k, q in enumerate(names):
        d = np.array([float(pt[1][k]) for pt in points])
        e = np.array([float(pt[2][k]) for pt in points])
        slope, predicted = _slope(x, d), _slope(x, e)
        note = "" if slope is not None else "the difference changes sign or vanishes"
        passed: bool | None = slope is not None and predicted is not None
        passed = passed and abs(slope - predicted) <= SLOPE_TOLERANCE
        if predicted is None:  # no order to check: say so, do not count it
            note, passed = NO_ORDER, None
        values = (tuple(map(float, x)), tuple(d), tuple(e))
        out.append(Series(pair, q, parameter, *values, slope, predicted, passed, note))
    return out


def _held(p: Parameters) -> Parameters:
    """``p`` with the rates the paths hold fixed given directly."""
    return p.replace(
        G_plus=float(p.G_plus),
        G_minus=float(p.G_minus),
        n_th=float(p.n_th),
        k_M=float(p.k_M),
        kappa_G=float(p.kappa_G),
    )


def _gaussian_triple(p: Parameters, rung: str, compare: str, base: str) -> np.ndarray:
    """E_N,q, E_N of the hypothesis and ΔE of ``rung`` (L1: its Floquet period average).

    The paths run on purpose to where an approximation's ε nears 1, to measure how its
    error grows: the steady state's warning that it is broken there is the study's subject,
    not news, and is not repeated."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "the (rotating-wave approximation|adiabatic elim)")
        values = steady.compute(p, model=rung, gravity=compare, base=base).comparison()
    return np.array(list(values.values()), dtype=float)


def run(
    p: Parameters,
    *,
    base: str = "e",
    compare: str = "both",
    l0: bool = True,
    progress: Any = None,
) -> Scaling:
    """The three pairs along their paths (module docstring) for parameters ``p``."""
    say = messages(progress) or (lambda message: None)
    names = validate.quantities(compare)
    hyp = validate.hypothesis(compare)
    held = _held(p)
    adiabatic, rotating = [], []
    for s in FACTORS:
        q = held.replace(kappa=p.kappa / s, G_plus=p.G_plus / s**0.5, G_minus=p.G_minus / s**0.5)
        d = _gaussian_triple(q, "rwa", compare, base) - _gaussian_triple(
            q, "effective", compare, base
        )
        adiabatic.append(
            (float(q.Gamma / q.kappa), d, approximation_errors.adiabatic(q, hyp, base))
        )
        q = held.replace(omega_m=p.omega_m / s)
        say(f"validate --scaling: L1 vs L2 at ω_m × {1 / s:g} ...")
        d = _gaussian_triple(q, "linear", compare, base) - _gaussian_triple(q, "rwa", compare, base)
        rotating.append(
            (float(q.kappa / q.omega_m), d, approximation_errors.rotating_wave(q, hyp, base))
        )
    series = _series("adiabatic elimination", "Γ/κ", names, adiabatic)
    series += _series("rotating-wave approx.", "κ/ω_m", names, rotating)
    skipped = {}
    if not l0:
        skipped["linearisation"] = "left out on request (--no-l0)"
    else:
        try:
            series += _series("linearisation", "g/κ", ("E_N_quantum",), _l0_points(held, base, say))
        except GravsimError as exc:
            skipped["linearisation"] = str(exc)
    options = {"base": base, "compare": compare, "l0": l0}
    return Scaling(tuple(series), skipped, parameters=p, options=options, log_base=base)


def _l0_points(p: Parameters, base: str, say: Any) -> list[tuple[float, Any, Any]]:
    """(g/κ, L0 − L1, estimate) on validate's L0 truncation for g × each factor."""
    dims = (validate.L0_DIMS[0], validate.L0_DIMS[0], validate.L0_DIMS[1])
    floquet_state = floquet.periodic_state(models.linear(p, QuantumGravity()))
    levels.check_covariances(floquet_state.modes, floquet_state.covariance, dims)
    points = []
    for s in FACTORS:
        q = p.replace(g=p.g * s, G_plus=float(p.G_plus), G_minus=float(p.G_minus))
        say(f"validate --scaling: L0 vs L1 on {dims} levels at g × {s:g} ...")
        l0, l1, estimate = validate.linearisation_pair(q, dims, base, say)
        diff = l0.mean_log_negativity - l1.mean_log_negativity
        points.append((float(q.g / q.kappa), [diff], [estimate]))
    return points


#: What each pair compares, and how it is solved (the panel titles).
PAIR_METHODS = {
    "adiabatic elimination": "L2 − L3, Gaussian backend",
    "rotating-wave approx.": "L1 − L2, Gaussian backend (L1: Floquet average)",
    "linearisation": "L0 − L1, Fock backend (L1 on the same truncation)",
}
#: Markers per quantity, so that series that overlap (E_N,q and E_N,c) stay apart.
MARKERS = ("o", "s", "^", "D")


def figure(result: Scaling) -> Any:
    """|difference| against the small parameter per pair (markers), the estimate's line
    (its slope the predicted one), log–log; the title names the log base."""
    from matplotlib.ticker import NullFormatter

    pairs = list(dict.fromkeys(s.pair for s in result.series))
    fig, axes = new_figure((4.4 * max(len(pairs), 1), 4.0), 1, max(len(pairs), 1))
    axes = np.atleast_1d(axes)
    unit = entanglement_unit(result.log_base)
    for ax, pair in zip(axes, pairs, strict=False):
        series = [x for x in result.series if x.pair == pair]
        for k, s in enumerate(series):
            style = {"color": f"C{k}", "marker": MARKERS[k % len(MARKERS)]}
            label = s.quantity + ("" if s.slope is None else f": slope {s.slope:.2f}")
            ax.loglog(s.values, np.abs(s.differences), ls="", ms=7 - 1.5 * k, label=label, **style)
            pred = "" if s.predicted_slope is None else f" ({s.predicted_slope:.2f})"
            ax.loglog(
                s.values, np.abs(s.estimates), "--", color=style["color"], label="estimate" + pred
            )
        ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels overlap on a short axis
        ax.set_xlabel(f"{series[0].parameter} (dimensionless)")
        ax.set_ylabel(f"|upper − lower rung| ({unit})")
        ax.set_title(f"{pair}\n{PAIR_METHODS.get(pair, '')}", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(
        "Order of each approximation: |difference| (markers) and its leading-order estimate "
        f"(dashed); log base {result.log_base} ({unit})",
        fontsize=10,
    )
    return fig
