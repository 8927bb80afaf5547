"""The paper's figures: Fig. 2 (ΔE vs Q_m) and Fig. 3 (robustness ratio R vs K_others/K_G).

Fig. 2.  Q_m = ω_m/γ_m is varied from 10⁸ to 10²² under the paper's tuning rule: γ_m/Γ and r
stay at their reference values by lowering both pump amplitudes, E± = E±,ref·sqrt(Q_ref/Q_m)
(G± ∝ E±, Γ ∝ G²).  For each Q_m: ΔE of the effective (L3) and RWA (L2) rungs (one batched
Gaussian solve per rung), Eq. (6), and the conventional scheme's transient maximum, for
both k_G conventions.  Reported: the slope of log ΔE vs log Q_m over 10¹¹…10¹⁵, the
saturated ΔE at the largest Q_m (in nats and bits), the Q_m below which the effective model
leaves Eq. (6) by more than 10 %, and the conventional threshold Q_m* = ω_m n̄ / k_G.

Fig. 3.  R = (E_N − E_N|_{K_others=0}) / (E_N,q − E_N,c) against K_others/K_G at Q_m = 2.5×10¹⁰.
The numerator is ~10⁻¹⁷ near K_others ≈ K_G: a difference of two float64 E_N values cannot
give it.  The drift is exactly linear in k_M, A(k_M) = A₀ + δk·∂A/∂k_M with δk = k_others,
so the covariance shift δV = V(k_M) − V(k_G) solves the Lyapunov equation
A(k_M) δV + δV A(k_M)ᵀ + (δA V₀ + V₀ δAᵀ) = 0 with δA formed from k_others alone (no
subtraction), and the E_N shift follows from the symplectic invariants without
cancellation (:func:`gravsim.analysis.entanglement.delta_log_negativity`).  Checked against mpmath
at 40 digits in the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gravsim import gaussian
from gravsim.analysis.entanglement import delta_log_negativity, log_base_factor
from gravsim.closed_form import conventional
from gravsim.errors import GravsimInputError
from gravsim.model import presets
from gravsim.model import rungs as models
from gravsim.model.description import HamiltonianTerm, ModelDescription
from gravsim.model.gravity import (
    KTMGravity,
    PositionDiffusion,
    QuantumGravity,
    coherent_coupling,
    hypotheses,
)
from gravsim.model.parameters import Parameters
from gravsim.model.regime import tuned
from gravsim.plotting import new_figure
from gravsim.workflows.result_model import Result, entanglement_unit
from gravsim.workflows.run_folder import RunFolder, run_identity

Q_REF = 2.5e10


@dataclass(frozen=True, eq=False, repr=False)
class FigureData(Result):
    """Columns of a figure (one row per point), its summary numbers and metadata; its
    ``options`` are the arguments of :func:`fig2` or :func:`fig3` that made it."""

    name: str = field(metadata={"json_key": "figure"})
    columns: dict[str, np.ndarray]
    summary: dict[str, Any]

    TABLE = "columns"

    def run_name(self) -> str:
        """The figure's name: ``fig2`` or ``fig3``."""
        return self.name

    def identity(self, preset: str | None = None) -> dict[str, Any]:
        """The figure's name and the arguments that made it (the parameters are a preset's)."""
        return identity(self.name, self.options)

    def figure(self) -> Any:
        """The figure as a matplotlib ``Figure`` (see :func:`gravsim.plotting.new_figure`)."""
        return _figure(self)


def identity(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The run identity of figure ``name`` made from ``inputs``."""
    return run_identity(kind="figure", figure=name, inputs=inputs)


def run(
    name: str,
    out: Path | str,
    *,
    base: str = "e",
    force: bool = False,
    pdf: bool = False,
    command: str = "",
) -> tuple[FigureData, list[Path]]:
    """The ``figure`` command: figure ``name`` (``"fig2"`` or ``"fig3"``) at its default
    points, in log ``base``, written into the folder ``out`` (opened, and a figure made with
    other inputs refused unless ``force``, before the work); returns the data and files."""
    if name not in ("fig2", "fig3"):
        raise GravsimInputError(f"unknown figure {name!r}: choose fig2 or fig3")
    inputs: dict[str, Any] = {"ratios" if name == "fig3" else "q_values": None, "base": base}
    if name == "fig3":
        inputs["rung"] = "effective"
    with RunFolder(Path(out), name, identity(name, inputs), force=force) as folder:
        data = (fig2 if name == "fig2" else fig3)(**inputs)
        return data, data.write(folder, command, pdf)


def fig2(q_values: np.ndarray | None = None, base: str = "e") -> FigureData:
    """Fig. 2 data for both k_G conventions (see the module docstring)."""
    factor = log_base_factor(base)
    q = np.logspace(8, 22, 57) if q_values is None else np.asarray(q_values, dtype=float)
    q = np.unique(np.append(q, Q_REF))  # the reference point itself is a row
    cols: dict[str, np.ndarray] = {"Q_m": q}
    summary: dict[str, Any] = {"log_base": base}
    for name in ("paper", "paper-point-mass"):
        p0 = presets.get(name)
        grid = tuned(p0, q)
        tag = "table" if name == "paper" else "point_mass"
        for rung in ("effective", "rwa"):
            comp = gaussian.compare_gravity(models.build(rung, grid, KTMGravity()))
            cols[f"delta_E_{rung}_{tag}"] = comp.delta_E(base)
            if rung == "effective":
                cols[f"E_N_quantum_{tag}"] = comp.E_N_quantum(base)
        if tag == "table":
            summary["hypotheses"] = _other_hypotheses(grid, q, base, cols)
        b = (2 * grid.n_th + 1) * grid.gamma_m + grid.Gamma * np.exp(-2 * grid.r)
        cols[f"delta_E_eq6_{tag}"] = 4 * grid.kappa_G / b / factor
        cols[f"delta_E_conventional_{tag}"] = np.array(
            [
                conventional.transient_maximum(
                    omega_m=float(grid.omega_m),
                    k_M=float(grid.k_M),
                    gamma_m=float(gm),
                    n_th=float(grid.n_th),
                    kappa_G=0.0,
                    base=base,
                ).E_N
                for gm in np.broadcast_to(grid.gamma_m, q.shape)
            ]
        )
        eff = cols[f"delta_E_effective_{tag}"]
        window = (q >= 1e11) & (q <= 1e15)
        slope = (
            float(np.polyfit(np.log(q[window]), np.log(eff[window]), 1)[0])
            if np.count_nonzero(window) >= 2
            else None
        )
        deviation = np.abs(eff / cols[f"delta_E_eq6_{tag}"] - 1)
        low = q[(deviation > 0.1) & (q < Q_REF)]
        lost = q[(cols[f"E_N_quantum_{tag}"] <= 0) & (q < Q_REF)]
        summary[tag] = {
            "no_entanglement_below_Qm": float(lost.max()) if lost.size else None,
            "k_G_rad_s": float(p0.k_G),
            "slope_log_dE_vs_log_Qm_1e11_1e15": slope,
            "saturated_delta_E": float(eff[-1]),
            "saturated_delta_E_nats": float(eff[-1] * factor),
            "saturated_delta_E_bits": float(eff[-1] * factor / math.log(2)),
            "delta_E_at_Q_ref": float(eff[q == Q_REF][0]),
            "leaves_eq6_below_Qm": float(low.max()) if low.size else None,
            "conventional_threshold_Qm": float(
                p0.omega_m / conventional.threshold_gamma_estimate_from(p0, kappa_G=0.0)
            ),
            "Omega_over_Gamma_at_leave": (
                float(p0.Omega / tuned(p0, low.max()).Gamma) if low.size else None
            ),
        }
    units = {k: ("1" if k == "Q_m" else entanglement_unit(base)) for k in cols}
    notes = [
        "tuning rule: E_plus, E_minus scaled by sqrt(Q_ref/Q_m) so that gamma_m/Gamma, r fixed",
        "table: k_G = kappa_G = 2pi x 7e-10 rad/s (paper table S3); point_mass: 2GM^2/d^3",
        "conventional: transient maximum of E_N from the ground states (quantum gravity; "
        "KTM gravity never entangles)",
    ]
    inputs = {"q_values": None if q_values is None else q.tolist(), "base": base}
    return FigureData(
        "fig2", cols, summary, units=units, notes=tuple(notes), options=inputs, log_base=base
    )


def _other_hypotheses(
    grid: Parameters, q: np.ndarray, base: str, cols: dict[str, np.ndarray]
) -> dict[str, Any]:
    """ΔE against quantum gravity on the effective rung of every diffusive hypothesis but KTM
    (column ``delta_E_<label>_table``), and each one's ΔE at Q_ref and the largest Q_m."""
    out = {}
    for h in hypotheses():
        if not isinstance(h, PositionDiffusion) or isinstance(h, KTMGravity):
            continue
        delta = gaussian.compare_gravity(models.build("effective", grid, h)).delta_E(base)
        cols[f"delta_E_{h.label}_table"] = delta
        out[h.name] = {
            "delta_E_at_Q_ref": float(delta[q == Q_REF][0]),
            "saturated_delta_E": float(delta[-1]),
            "kappa_rad_s": float(np.ravel(h.rates(grid)[0])[0]),
            "column": f"delta_E_{h.label}_table",
        }
    return out


def coupling_shift(
    p: Parameters, rung: str, gravity: Any
) -> tuple[np.ndarray, np.ndarray, ModelDescription]:
    """(V₀ at K_others = 0, δV, model) for the k_M of ``p``, δV without cancellation."""
    base_p = p.replace(K_others=0.0)
    model0 = models.build(rung, base_p, gravity)
    a0, d0 = gaussian.drift_diffusion(model0)
    ((v0, _),) = gaussian.solve_lyapunov(a0, d0)
    # δA: the coherent coupling's drift per unit k_M, times k_others (exact, no subtraction)
    probe = models.build(rung, base_p, QuantumGravity())
    unit = _coupling_drift(probe, p.k_others)
    a1 = a0 + unit
    src = unit @ v0 + v0 @ np.swapaxes(unit, -1, -2)
    ((dv, _),) = gaussian.solve_lyapunov(a1, src)
    return v0, dv, model0


def _coupling_drift(model: ModelDescription, k_others: Any) -> np.ndarray:
    """Drift of the coherent coupling term alone with coefficient ``k_others``."""
    p = model.parameters.replace(k_M=1.0)
    rwa = model.rung != "conventional"
    terms: tuple[HamiltonianTerm, ...] = coherent_coupling(p, rwa=rwa)
    scaled = tuple(
        HamiltonianTerm(np.asarray(k_others), t.ops, t.hermitian_conjugate, t.label, t.frequency)
        for t in terms
    )
    only = ModelDescription(model.rung, model.modes, scaled, (), p, model.gravity)
    a, _ = gaussian.drift_diffusion(only)
    return a


def fig3(ratios: np.ndarray | None = None, base: str = "e", rung: str = "effective") -> FigureData:
    """Fig. 3 data at Q_m = 2.5×10¹⁰ (paper preset): R vs K_others/K_G."""
    x = np.logspace(0, 8, 65) if ratios is None else np.asarray(ratios, dtype=float)
    p0 = presets.get("paper")
    grid = p0.replace(K_others=x * p0.K_G)
    comp = gaussian.compare_gravity(models.build(rung, p0, KTMGravity()))
    gap = comp.delta_E(base)
    cols: dict[str, np.ndarray] = {"K_others_over_K_G": x}
    for label, grav in (("quantum", QuantumGravity()), ("classical", KTMGravity())):
        v0, dv, model0 = coupling_shift(grid, rung, grav)
        idx = _mech(model0)
        shift = -delta_log_negativity(
            v0[..., idx, :][..., :, idx], dv[..., idx, :][..., :, idx], base
        )
        cols[f"E_N_shift_{label}"] = np.broadcast_to(shift, x.shape)
        cols[f"R_{label}"] = cols[f"E_N_shift_{label}"] / gap
    r = cols["R_quantum"]
    summary = {
        "log_base": base,
        "Q_m": float(p0.Q_m),
        "delta_E_qc": float(gap),
        "sign_of_R": "negative" if np.all(r < 0) else ("positive" if np.all(r > 0) else "mixed"),
        "K_others_over_K_G_at_abs_R_0.1": _crossing(x, np.abs(r), 0.1),
        "K_others_over_K_G_at_abs_R_1": _crossing(x, np.abs(r), 1.0),
        "max_rel_difference_R_quantum_vs_classical": float(
            np.max(np.abs(cols["R_classical"] / r - 1))
        ),
    }
    units = {k: "1" for k in cols}
    notes = [
        f"rung {rung}, Gaussian backend; numerator E_N(k_M) - E_N(k_G) from the exact "
        "covariance shift (linear drift in k_M), not a float64 difference",
    ]
    inputs = {"ratios": None if ratios is None else x.tolist(), "base": base, "rung": rung}
    return FigureData(
        "fig3", cols, summary, units=units, notes=tuple(notes), options=inputs, log_base=base
    )


def _mech(model: Any) -> list[int]:
    return [2 * model.modes.index(m) + k for m in ("a", "b") for k in (0, 1)]


def _crossing(x: np.ndarray, y: np.ndarray, level: float) -> float | None:
    """First x (log-interpolated) where y rises through ``level``."""
    above = np.flatnonzero(y >= level)
    if above.size == 0 or above[0] == 0:
        return None if above.size == 0 else float(x[0])
    i = above[0]
    lx = np.interp(np.log(level), np.log(y[i - 1 : i + 1]), np.log(x[i - 1 : i + 1]))
    return float(np.exp(lx))


def _figure(data: FigureData) -> Any:
    fig, ax = new_figure((6.4, 4.4))
    c = data.columns
    base = data.summary["log_base"]
    unit = "nats" if base == "e" else "bits"
    if data.name == "fig2":
        q = c["Q_m"]
        for tag, style in (("table", "-"), ("point_mass", "--")):
            for key, color, label in (
                ("effective", "C0", "effective"),
                ("rwa", "C1", "RWA"),
                ("eq6", "C2", "Eq. (6)"),
                ("conventional", "C3", "conventional"),
            ):
                y = c[f"delta_E_{key}_{tag}"]
                ok = y > 0  # no entanglement (Γ ≫ Ω, or below the conventional threshold)
                ax.loglog(q[ok], y[ok], color + style, lw=1.5, label=f"{label} ({tag})")
            ax.axvline(data.summary[tag]["conventional_threshold_Qm"], color="0.6", ls=style, lw=2)
        for i, (name, h) in enumerate(data.summary.get("hypotheses", {}).items()):
            y = c[h["column"]]
            ax.loglog(q[y > 0], y[y > 0], f"C{4 + i}:", lw=1.5, label=f"{name} (effective, table)")
        ax.set_xlabel("mechanical quality factor $Q_m$")
        ax.set_ylabel(f"$\\Delta E = E_{{N,q}} - E_{{N,c}}$ ({unit})")
        ax.set_ylim(1e-14, 3)
        ax.set_title("Fig. 2: entanglement difference (grey: conventional threshold)")
    else:
        x = c["K_others_over_K_G"]
        ax.loglog(x, np.abs(c["R_quantum"]), "C0", label="|R| quantum gravity")
        ax.loglog(x, np.abs(c["R_classical"]), "C1--", label="|R| KTM gravity")
        ax.axhline(0.1, color="0.6", lw=2, ls="--")
        ax.set_xlabel("$K_{others}/K_G$")
        ax.set_ylabel("$|R|$  (R < 0: the coupling lowers $E_N$)")
        ax.set_title("Fig. 3: non-gravitational coupling vs quantum-classical gap")
    ax.legend(fontsize=7)
    return fig
