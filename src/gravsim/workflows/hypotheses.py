"""The gravity hypotheses side by side at one parameter point: each model's decoherence rate
and the ΔE it leaves against quantum gravity (``gravsim hypotheses``).

ΔE of each model comes from its own Gaussian comparison with quantum gravity (V = V₀ + V₁,
without cancellation).  The spheres' geometry is checked too: the radius that the mass and
density give, and the surface gap at the centre distance ``d`` (the paper's table has the
spheres overlap by ~5 µm).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

from gravsim import gaussian
from gravsim.analysis.entanglement import log_base_factor
from gravsim.errors import GravsimInputError, GravsimWarning
from gravsim.model import regime, rungs
from gravsim.model.collapse import sphere_radius
from gravsim.model.gravity import GravityModel, KTMGravity, hypotheses, rate, warn_validity
from gravsim.model.parameters import Parameters
from gravsim.model.regime import tuned
from gravsim.progress import messages
from gravsim.workflows import budget
from gravsim.workflows.options import accepts_options
from gravsim.workflows.result_model import Result

#: The hypotheses compared, in the order of the table.
HYPOTHESES: tuple[GravityModel, ...] = hypotheses()
RUNGS = ("effective", "rwa")


@dataclass(frozen=True, repr=False)
class HypothesesTable(Result):
    """Each hypothesis's rate κ (rad/s), E_N and ΔE against quantum gravity (log base): one
    row per hypothesis (``rows``, JSON key ``hypotheses``), the geometry (m) and the rung."""

    rows: list[dict[str, Any]] = field(metadata={"json_key": "hypotheses"})
    geometry: dict[str, float]
    model: str

    RUN_NAME = "hypotheses"

    def __str__(self) -> str:
        unit = "nats" if self.log_base == "e" else "bits"
        lines = [
            f"Gravity hypotheses, {self.model} rung (E_N and ΔE in {unit}, κ in rad/s)",
            f"  {'hypothesis':<16}{'κ':>14}{'κ / κ_KTM':>12}{'E_N':>16}{'ΔE vs quantum':>16}",
        ]
        for r in self.rows:
            need = ""
            if "Q_m_needed" in r and r["kappa"] > 0:  # quantum gravity is the reference
                q, bound = r["Q_m_needed"], r.get("Q_m_needed_bound", "")
                shown = f"> {Q_RANGE[1]:.0e}" if q is None else f"{q:.4g}"
                need = f"  Q_m for the samples {'<= ' if bound else ''}{shown}"
            lines.append(
                f"  {r['name']:<16}{r['kappa']:>14.6e}{r['kappa_over_ktm']:>12.6f}"
                f"{r['E_N']:>16.10f}{r['delta_E']:>16.6e}{need}"
            )
        g = self.geometry
        lines.append(
            f"geometry: radius from M and ρ {g['radius_from_mass'] * 1e3:.4f} mm, "
            f"surface gap at d {g['surface_gap'] * 1e6:.2f} µm"
        )
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


@accepts_options
def table(
    p: Parameters,
    *,
    model: str = "effective",
    base: str = "e",
    samples: float | None = None,
    progress: Any = None,
) -> HypothesesTable:
    """Every hypothesis at ``p`` on rung ``model`` (``effective`` or ``rwa``).

    With ``samples``, each row also gets ``Q_m_needed``: the least mechanical Q at which the
    optimal measurement tells the hypothesis from quantum gravity with that many samples (1 %
    error), along the paper's tuning rule (E± ∝ Q_m^{−1/2},
    :func:`gravsim.model.regime.tuned`); bisection in log Q_m over 10⁸…10²² to 0.1 %; null
    where 10²² is not enough.  Where 10⁸ is already enough the row says so
    (``Q_m_needed_bound`` = "at most"): the search does not go lower, the answer is a bound.
    Those searches take seconds each: ``progress`` (a callable,
    or ``True`` for standard error, :mod:`gravsim.progress`) hears of each as it starts.

    Raises
    ------
    GravsimInputError
        An unknown rung or log base, or a grid of parameters (one point at a time).
    """
    factor = log_base_factor(base)
    if model not in RUNGS:
        raise GravsimInputError(f"hypotheses are compared on model effective or rwa, not {model!r}")
    if p.batch_shape:
        raise GravsimInputError("hypotheses are compared at one parameter point: give scalars")
    if samples is not None and not (samples >= 1 and math.isfinite(samples)):
        raise GravsimInputError(
            f"`samples` must be a finite number of samples >= 1, got {samples!r}"
        )
    say = messages(progress)
    ktm_rate = float(rate(KTMGravity(), p))
    warn_validity(HYPOTHESES, p, lambda: gaussian.position_spread(p))
    regime.warn_outside(p, model)
    rows = []
    for g in HYPOTHESES:
        kappa = float(rate(g, p))
        if kappa > 0:
            comp = gaussian.compare_gravity(rungs.build(model, p, g))
            e_n, delta = float(comp.E_N_second()), float(comp.delta_E())
        else:
            e_n, delta = (
                float(gaussian.steady_state(rungs.build(model, p, g)).log_negativity()),
                0.0,
            )
        rows.append(
            {
                "name": g.name,
                "label": g.label,
                "kappa": kappa,
                "kappa_over_ktm": kappa / ktm_rate if ktm_rate > 0 else math.nan,
                "E_N": e_n / factor,
                "delta_E": delta / factor,
            }
        )
        if samples is not None:
            if say is not None and kappa > 0:
                say(f"hypotheses: the Q_m {g.name} needs for {samples:g} samples")
            rows[-1]["Q_m_needed"] = _q_needed(p, model, g, samples) if kappa > 0 else None
            if rows[-1]["Q_m_needed"] == Q_RANGE[0]:
                rows[-1]["Q_m_needed_bound"] = "at most"
    return HypothesesTable(
        rows,
        _geometry(p),
        model,
        parameters=p,
        log_base=base,
        units={"kappa": "rad/s", "geometry": "m"},
        notes=tuple(_notes()),
    )


#: Range of the Q_m search of :func:`table` (Fig. 2's, widened).
Q_RANGE = (1e8, 1e22)


def _q_needed(p: Parameters, model: str, g: GravityModel, samples: float) -> float | None:
    """The least Q_m whose optimal sample count for quantum vs ``g`` is ≤ ``samples``."""

    def enough(log_q: float) -> bool:
        q = tuned(p, 10.0**log_q)
        return budget.optimal_samples(q, model=model, compare=f"quantum,{g.name}") <= samples

    lo, hi = (math.log10(q) for q in Q_RANGE)
    if not enough(hi):
        return None
    if enough(lo):
        return 10.0**lo
    while hi - lo > math.log10(1.001):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if enough(mid) else (mid, hi)
    return 10.0**hi


def _geometry(p: Parameters) -> dict[str, float]:
    """The sphere radius that M and ρ give, and the surface gap at the centre distance d;
    warns when the spheres touch or overlap (:func:`gravsim.model.regime.sphere_overlap`)."""
    radius = float(sphere_radius(p))
    overlap = regime.sphere_overlap(p, radius)
    said = regime.sphere_overlap(p, min(radius, float(p.radius)))  # by regime.warn_outside
    if overlap and not said:
        warnings.warn(overlap, GravsimWarning, stacklevel=3)
    return {"radius_from_mass": radius, "surface_gap": float(p.d) - 2 * radius, "d": float(p.d)}


def _notes() -> list[str]:
    return [
        "ktm: Kafri-Taylor-Milburn at the optimal measurement rate, kappa = k_G of the "
        "chosen k_G convention",
        "diosi-penrose: homogeneous spheres, small displacements, kappa = (pi/3) G rho / omega_m "
        "(Diosi's normalisation; Penrose's: normalisation=penrose) and the spheres' mutual term "
        "-2(R/d)^3 kappa (mutual=off drops it); a nuclear cut-off: diosi-penrose:cutoff=SIGMA",
        "tilloy-diosi: least-decoherence kernel (Tilloy & Diosi 2017), equal to diosi-penrose "
        "for each sphere; kernel_ratio L gives (L + 1/L)/2 times it",
        "cq-floor: the least decoherence of any classical-quantum coupling giving the Newtonian "
        "force (Oppenheim et al. 2023), k_G/2; trade_off L gives (L + 1/L)/2 times it",
        "delta_E = E_N(quantum) - E_N(hypothesis), from V0 and the shift V1 (no cancellation)",
    ]
