"""Samples and measurement time needed to tell quantum from KTM gravity, at one point and
against Q_m (the Fig. 2 axis).

:func:`budget` builds the rung for the parameters, solves it for both gravity models (one
Lyapunov solve gives V₀ and the KTM shift V₁) and evaluates every measure of
:mod:`gravsim.analysis.distinguishability` and :mod:`gravsim.analysis.measurement` on the
pair: the exact (mpmath) relative entropies, fidelity and Chernoff exponent, their metric
(κ_G²) approximations, heterodyne information, sample counts and, from the state's
correlation time, measurement times.  :func:`run` is the ``budget`` command: the budget and,
on request, the budget against Q_m written into a run folder.

Along Fig. 2's tuning rule (:func:`gravsim.model.regime.tuned`) each Q_m gets a full
:func:`budget`: the optimal (Chernoff) sample count, the heterodyne count at the given
efficiency, and their times (:func:`versus_quality_factor`).  :func:`required_efficiency`
bisects the heterodyne efficiency η for which the Chernoff time equals a target (default one
year); the Fisher information of heterodyne grows monotonically with η, so the bisection is
well posed.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gravsim.analysis import distinguishability, measurement
from gravsim.analysis.entanglement import delta_log_negativity, log_base_factor, log_negativity
from gravsim.errors import GravsimInputError, GravsimWarning, NumericalError
from gravsim.gaussian import position_spread
from gravsim.gaussian.hypothesis_pair import HypothesisPair, hypothesis_pair
from gravsim.model import gravity, regime
from gravsim.model.parameters import Parameters
from gravsim.model.regime import tuned
from gravsim.plotting import new_figure
from gravsim.progress import shown
from gravsim.workflows.options import accepts_options
from gravsim.workflows.result_model import Result, entanglement_unit
from gravsim.workflows.run_folder import RunFolder, run_identity

_YEAR = 365.25 * 86400.0


@dataclass(frozen=True, repr=False)
class Budget(Result):
    """Samples and time needed to tell quantum (ρ₀) from KTM (ρ₁) gravity at one point.

    Information quantities are in nats; E_N, ΔE and ``sigma_E_N_single`` in ``log_base``
    (JSON: also ``base``); sample counts in samples; times in s (``times`` also in hours and
    years); κ_G in rad/s; Fisher informations in (rad/s)⁻² per sample.  ``*_metric`` fields
    are the second-order (κ_G²) values from the metrics; the others are exact (mpmath where
    stated).  ``versus_Q_m``: the budget against Q_m (:func:`run` with ``out``; one entry
    per Q_m, ΔE in nats), the run's CSV.
    """

    model: str
    kappa_G: float
    error_probability: float
    efficiency: float
    added_noise: float
    E_N_quantum: float
    E_N_classical: float
    delta_E: float
    relative_entropy_qc: float
    relative_entropy_cq: float
    relative_entropy_metric: float
    kubo_mori: float
    one_minus_fidelity: float
    one_minus_fidelity_metric: float
    qfi_sld: float
    chernoff_exponent: float
    chernoff_s: float
    samples_chernoff: float
    samples_fidelity_necessary: float
    samples_fidelity_sufficient: float
    samples_stein: float
    heterodyne_fisher: float
    heterodyne_kl_qc: float
    heterodyne_kl_cq: float
    heterodyne_chernoff_exponent: float
    samples_heterodyne_chernoff: float
    samples_heterodyne_stein: float
    sigma_E_N_single: float
    samples_estimate_E_N: float
    relaxation_time: float
    correlation_time: float
    sample_interval: float
    samples_per_second: float
    times: dict[str, dict[str, float]] = field(default_factory=dict)
    compare: str = "both"  # the two hypotheses told apart (E_N_quantum is A's, E_N_classical B's)
    versus_Q_m: dict[str, np.ndarray] | None = None

    RUN_NAME = "budget_vs_Qm"
    TABLE = "versus_Q_m"

    def view(self) -> dict[str, Any]:
        """``base``: the log base under the name scripts read."""
        return {"base": self.log_base}

    def identity(self, preset: str | None = None) -> dict[str, Any]:
        """The identity of the budget-vs-Q_m run (:func:`run_folder`)."""
        return _identity(self.parameters, _table_inputs(self), preset)

    def table(self) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The budget against Q_m, where it was computed."""
        return None if self.versus_Q_m is None else (self.versus_Q_m, {})

    def figure(self) -> Any:
        """Samples and years against Q_m (:func:`figure`), where the table was computed."""
        if self.versus_Q_m is None:
            return None
        kw = {"error_probability": self.error_probability, "compare": self.compare}
        return figure(self.versus_Q_m, self.efficiency, **kw)

    def __str__(self) -> str:
        unit = "nats" if self.log_base == "e" else "bits"
        pair = [g.name.upper() if g.name == "ktm" else g.name for g in gravity.choose(self.compare)]
        lines = [
            f"distinguishing {pair[0]} from {pair[1]} gravity, error probability "
            f"{self.error_probability:g}",
            f"  ΔE = {self.delta_E:.4e} {unit}; sample interval {self.sample_interval:.3g} s "
            f"(correlation time {self.correlation_time:.3g} s)",
        ]
        for key, label in (
            ("chernoff", "optimal measurement (quantum Chernoff)"),
            ("stein", "optimal, asymmetric (Stein, relative entropy)"),
            ("heterodyne_chernoff", f"heterodyne, η = {self.efficiency:g}"),
            ("estimate_E_N", "estimate E_N to ±ΔE/2 from heterodyne"),
        ):
            t = self.times[key]
            lines.append(f"  {label:<48} {t['samples']:10.3e} samples  {t['years']:10.3e} years")
        return "\n".join(lines)


def optimal_samples(
    p: Parameters, *, model: str = "effective", compare: str = "both", error_probability=0.01
) -> float:
    """The optimal measurement's sample count (Chernoff bound) of :func:`budget`, without
    the rest of it: what a search over Q_m needs (no correlation times, whose Lyapunov solve
    is ill-conditioned where γ_m is far below the other rates)."""
    h = hypothesis_pair(p, model, compare)
    exponent = _exact(h.v0, h.v1)["chernoff_exponent"]
    return measurement.samples_chernoff(exponent, error_probability)


@accepts_options
def budget(
    p: Parameters,
    *,
    model: str = "effective",
    efficiency: float = 1.0,
    added_noise: float = 0.0,
    error_probability: float = 0.01,
    base: str = "e",
    compare: str = "both",
) -> Budget:
    """Distinguishability budget of two gravity hypotheses (quantum vs KTM by default) for
    parameters ``p``.

    Parameters
    ----------
    p : Parameters
    model : {"effective", "rwa"}
        Rung whose steady states (and drift, for the times) are used.
    compare : str
        The two hypotheses ``"A,B"`` (:func:`gravsim.model.gravity.choose`); ``E_N_quantum``
        and ``E_N_classical`` of the result are A's and B's.
    efficiency : float
        Heterodyne efficiency η ∈ (0, 1].
    added_noise : float
        Added detector noise n_add (quanta per quadrature).
    error_probability : float
        Target error probability p of the test (equal priors).
    base : {"e", "2"}
        Log base of E_N, ΔE and σ_E.
    """
    factor = log_base_factor(base)
    check_options(efficiency, added_noise, error_probability)
    gravity.warn_validity(gravity.choose(compare), p, lambda: position_spread(p))
    regime.warn_outside(p, model)
    h = hypothesis_pair(p, model, compare)
    exact = _exact(h.v0, h.v1)
    km = distinguishability.kubo_mori_metric(h.v0, h.dv)
    fq = distinguishability.qfi_sld(h.v0, h.dv)
    n_f = measurement.samples_fidelity(exact["one_minus_fidelity"], error_probability)
    het = heterodyne(h, efficiency, added_noise)
    e_q = log_negativity(h.v0)
    d_e = delta_log_negativity(h.v0, h.v1)
    sigma_e = measurement.entanglement_estimator_std(h.v0, efficiency, added_noise)
    ratio = 2 * sigma_e / abs(d_e) if d_e != 0 else math.inf  # a gap of either sign
    n_est = ratio * ratio  # (float multiplication: inf beyond float64, never OverflowError)
    tau_relax, tau_int = measurement.correlation_times(h.drift, h.covariance, h.indices)
    dt = 2 * tau_int
    counts = {
        "chernoff": measurement.samples_chernoff(exact["chernoff_exponent"], error_probability),
        "fidelity_sufficient": n_f[1],
        "stein": measurement.samples_stein(exact["relative_entropy_qc"], error_probability),
        "heterodyne_chernoff": measurement.samples_chernoff(
            het["heterodyne_chernoff_exponent"], error_probability
        ),
        "heterodyne_stein": measurement.samples_stein(het["heterodyne_kl_qc"], error_probability),
        "estimate_E_N": n_est,
    }
    return Budget(
        model=model,
        compare=compare,
        parameters=p,
        log_base=base,
        units=TABLE_UNITS | {"delta_E": entanglement_unit(base)},
        kappa_G=h.kappa,
        error_probability=error_probability,
        efficiency=efficiency,
        added_noise=added_noise,
        E_N_quantum=e_q / factor,
        E_N_classical=(e_q - d_e) / factor,
        delta_E=d_e / factor,
        relative_entropy_metric=0.5 * km * h.kappa**2,
        kubo_mori=km,
        one_minus_fidelity_metric=0.25 * fq * h.kappa**2,
        qfi_sld=fq,
        samples_fidelity_necessary=n_f[0],
        sigma_E_N_single=sigma_e / factor,
        relaxation_time=tau_relax,
        correlation_time=tau_int,
        sample_interval=dt,
        samples_per_second=1 / dt,
        times={k: _times(n, dt) for k, n in counts.items()},
        **exact,
        **het,
        **{f"samples_{k}": n for k, n in counts.items()},
    )


def check_options(efficiency: float, added_noise: float, error_probability: float) -> None:
    if not 0 < efficiency <= 1:
        raise GravsimInputError(f"`efficiency` must be in (0, 1], got {efficiency}")
    if not 0 <= added_noise < math.inf:
        raise GravsimInputError(f"`added_noise` must be a finite number >= 0, got {added_noise}")
    if not 0 < error_probability < 0.5:
        raise GravsimInputError(f"`error_probability` must be in (0, 0.5), got {error_probability}")


def _exact(v0: np.ndarray, v1: np.ndarray) -> dict[str, float]:
    """:func:`~gravsim.analysis.distinguishability.exact_divergences`, with mpmath's failures
    at the extremes as one :class:`NumericalError`."""
    try:
        return distinguishability.exact_divergences(v0, v1)
    except (ZeroDivisionError, ValueError, OverflowError) as exc:  # mpmath at the extremes
        raise NumericalError(
            f"the exact relative entropy, fidelity and Chernoff bound fail for these "
            f"covariances ({': '.join(filter(None, (type(exc).__name__, str(exc))))}); the "
            "state is too far from the "
            "physical range (largest variance {:.3g}): bring the rates nearer the others".format(
                float(max(np.max(np.abs(v0)), np.max(np.abs(v0 + v1))))
            )
        ) from None


def heterodyne(h: HypothesisPair, efficiency: float, added_noise: float) -> dict[str, float]:
    """Information in heterodyne records of the two states (the ``heterodyne_*`` fields)."""
    sig0 = measurement.heterodyne_covariance(h.v0, efficiency, added_noise)
    dsig = efficiency * h.v1
    xi, _ = measurement.gaussian_chernoff(sig0, dsig)
    return {
        "heterodyne_fisher": measurement.classical_fisher(sig0, efficiency * h.dv),
        "heterodyne_kl_qc": measurement.gaussian_kl(sig0, delta=dsig),
        "heterodyne_kl_cq": measurement.gaussian_kl_reverse(sig0, dsig),
        "heterodyne_chernoff_exponent": xi,
    }


def _times(samples: float, interval: float) -> dict[str, float]:
    """``samples`` taken ``interval`` s apart: the count and its time in s, hours and years."""
    t = samples * interval
    return {"samples": samples, "s": t, "hours": t / 3600, "years": t / _YEAR}


def heterodyne_years(
    p: Parameters, efficiency: float, added_noise: float = 0.0, **kw: Any
) -> float:
    """Years of averaging heterodyne needs at efficiency η (Chernoff, error probability p)."""
    b = budget(p, efficiency=efficiency, added_noise=added_noise, **kw)
    return b.times["heterodyne_chernoff"]["years"]


def required_efficiency(
    p: Parameters, years: float = 1.0, added_noise: float = 0.0, **kw: Any
) -> float | None:
    """Smallest η ∈ (0, 1] for which heterodyne needs ≤ ``years``; None if η = 1 is not enough."""
    if heterodyne_years(p, 1.0, added_noise, **kw) > years:
        return None
    lo, hi = 1e-6, 1.0
    if heterodyne_years(p, lo, added_noise, **kw) <= years:
        return lo
    for _ in range(40):
        mid = math.sqrt(lo * hi)
        if heterodyne_years(p, mid, added_noise, **kw) <= years:
            hi = mid
        else:
            lo = mid
        if hi / lo < 1.001:
            break
    return hi


def versus_quality_factor(
    p: Parameters,
    q_values: np.ndarray,
    *,
    efficiency: float = 1.0,
    added_noise: float = 0.0,
    error_probability: float = 0.01,
    compare: str = "both",
    progress: Any = True,
) -> dict[str, np.ndarray]:
    """Samples and years (optimal and heterodyne) at each Q_m under the tuning rule, for the
    two hypotheses of ``compare``."""
    from tqdm import tqdm

    cols: dict[str, list[float]] = {
        k: []
        for k in (
            "Q_m",
            "delta_E",
            "samples_optimal",
            "years_optimal",
            "samples_heterodyne",
            "years_heterodyne",
        )
    }
    for q in tqdm(q_values, disable=not shown(progress), desc="budget vs Q_m", unit="pt"):
        with warnings.catch_warnings():  # the tuning rule's points, not the one asked about
            warnings.simplefilter("ignore", GravsimWarning)
            b = budget(
                tuned(p, float(q)),
                efficiency=efficiency,
                added_noise=added_noise,
                error_probability=error_probability,
                compare=compare,
            )
        cols["Q_m"].append(float(q))
        cols["delta_E"].append(b.delta_E)
        cols["samples_optimal"].append(b.samples_chernoff)
        cols["years_optimal"].append(b.times["chernoff"]["years"])
        cols["samples_heterodyne"].append(b.samples_heterodyne_chernoff)
        cols["years_heterodyne"].append(b.times["heterodyne_chernoff"]["years"])
    return {k: np.array(v) for k, v in cols.items()}


#: Q_m values of :func:`versus_quality_factor` by default (Fig. 2's range, two per decade).
Q_GRID = np.logspace(10, 18, 17)
#: Name of the budget-vs-Q_m run: ``budget_vs_Qm.{csv,json,png}``.
RUN_NAME = Budget.RUN_NAME


#: Units of the budget's own quantities (ΔE: the table against Q_m is in nats).
TABLE_UNITS = {
    "Q_m": "1",
    "delta_E": "nats",
    "samples_*": "samples",
    "years_*": "years",
    "times": "s, hours, years",
    "kappa_G": "rad/s",
}


def _table_inputs(b: Budget) -> dict[str, Any]:
    """What the budget against Q_m depends on beyond the parameters."""
    keys = ("efficiency", "added_noise", "error_probability") + (
        ("compare",) if b.compare != "both" else ()  # the identity of earlier runs unchanged
    )
    return {k: getattr(b, k) for k in keys} | {"model": b.model, "q_values": Q_GRID.tolist()}


def _identity(p: Parameters, inputs: dict[str, Any], preset: str | None) -> dict[str, Any]:
    return run_identity(kind="budget", preset=preset, parameters=p.as_dict(), inputs=inputs)


def figure(
    cols: dict[str, np.ndarray],
    efficiency: float,
    *,
    error_probability: float = 0.01,
    compare: str = "both",
) -> Any:
    """Samples (left) and years (right) against Q_m under the tuning rule (the effective
    rung, :func:`versus_quality_factor`); a dotted line at one year."""
    fig, (ax1, ax2) = new_figure((10, 4.4), 1, 2)
    q = cols["Q_m"]
    ax1.loglog(q, cols["samples_optimal"], "C0-", label="optimal (quantum Chernoff)")
    ax1.loglog(q, cols["samples_heterodyne"], "C1--", label=f"heterodyne, η = {efficiency:g}")
    ax1.set_ylabel(f"samples for error probability {error_probability:.3g} (samples)")
    ax2.loglog(q, cols["years_optimal"], "C0-", label="optimal (quantum Chernoff)")
    ax2.loglog(q, cols["years_heterodyne"], "C1--", label=f"heterodyne, η = {efficiency:g}")
    ax2.axhline(1.0, color="0.5", ls=":", lw=1, label="one year")
    ax2.set_ylabel("measurement time (years)")
    for ax in (ax1, ax2):
        ax.set_xlabel("Q_m = ω_m/γ_m (dimensionless)")
        ax.legend(fontsize=8)
    pair = " from ".join(
        g.name.upper() if g.name == "ktm" else g.name for g in gravity.choose(compare)
    )
    fig.suptitle(
        f"Telling {pair} gravity apart against Q_m (tuning rule of Fig. 2): effective rung, "
        "Gaussian backend",
        fontsize=10,
    )
    return fig


def run(
    p: Parameters,
    *,
    out: Path | str | None = None,
    force: bool = False,
    preset: str | None = None,
    command: str = "",
    progress: Any = True,
    **options: Any,
) -> tuple[Budget, list[Path]]:
    """The ``budget`` command: the :func:`budget` at ``p`` (``options``: its keywords
    ``model``, ``efficiency``, ``added_noise``, ``error_probability``, ``compare``, ``base``)
    and, with ``out``, the budget against Q_m (:data:`Q_GRID`, :func:`versus_quality_factor`)
    written into the folder ``out`` (:meth:`Budget.write`); returns the budget and the files.

    The folder is opened (and a run with other inputs refused, unless ``force``) before the
    Q_m sweep; ``preset`` and ``command`` are recorded in the run's identity and sidecar;
    ``progress`` is the sweep's bar (QuTiP's convention, :mod:`gravsim.progress`).
    """
    b = budget(p, **options)
    if out is None:
        if force:
            warnings.warn("`force=True` has no effect without `out`", GravsimWarning, stacklevel=2)
        return b, []
    inputs = _table_inputs(b)
    with RunFolder(Path(out), RUN_NAME, _identity(p, inputs, preset), force=force) as folder:
        measured = {k: v for k, v in inputs.items() if k not in ("model", "q_values")}
        table = versus_quality_factor(p, Q_GRID, **measured, progress=progress)
        b = dataclasses.replace(b, versus_Q_m=table)
        return b, b.write(folder, command)
