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
from gravsim.plotting import axis_label, new_figure
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


#: Fig. 2's curves per k_G convention: column stem, colour, line style, marker, width, label
#: (the effective rung wide and pale under the thin RWA and Eq. (6) curves it overlaps).
FIG2_CURVES = (
    ("effective", "C0", "-", "", 4.0, "effective rung L3 (exact Gaussian)"),
    ("rwa", "C1", "--", "o", 1.4, "three-mode RWA L2"),
    ("eq6", "C2", ":", "", 1.6, "Eq. (6), closed form"),
    ("conventional", "C3", "-.", "s", 1.4, "conventional scheme: transient maximum of E_N"),
)
#: Line styles and markers of the other hypotheses' curves (KTM's is solid).
HYPOTHESIS_STYLES = (("--", "o"), (":", "^"), ("-.", "s"), ((0, (5, 1, 1, 1)), "D"))
#: Fig. 2's panels: k_G convention tag and title.
FIG2_PANELS = (
    ("table", "k_G from table S3"),
    ("point_mass", "k_G of two point masses, 2GM²/d³"),
)


def _figure(data: FigureData) -> Any:
    return _fig2(data) if data.name == "fig2" else _fig3(data)


def _fig2(data: FigureData) -> Any:
    """Fig. 2 in three panels sharing ΔE's axis: the ladder and the conventional scheme for
    each k_G convention (the threshold line and the range without entanglement marked), and
    the other hypotheses against quantum gravity (table k_G)."""
    fig, axes = new_figure((15.0, 6.0), 1, 3)
    for ax, (tag, name) in zip(axes[:2], FIG2_PANELS, strict=True):
        _fig2_panel(ax, data, tag)
        k_g = data.summary[tag]["k_G_rad_s"]
        ax.set_title(f"{name}: k_G = κ_G = {k_g:.3g} rad/s", fontsize=9)
    _fig2_hypotheses(axes[2], data)
    base = data.summary["log_base"]
    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(1e-14, 3)
        ax.set_xlim(data.columns["Q_m"].min() / 2, data.columns["Q_m"].max() * 2)
        ax.set_xlabel(axis_label("Q_m = ω_m/γ_m", "1"))
        ax.set_ylabel(axis_label("ΔE = E_N,q − E_N,c", entanglement_unit(base)))
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16))
    fig.suptitle(
        "Fig. 2: ΔE against Q_m under the tuning rule (γ_m/Γ and r fixed); presets paper, "
        f"paper-point-mass; Gaussian backend; log base {base} ({entanglement_unit(base)})",
        fontsize=10,
    )
    return fig


def _positive(ax: Any, q: np.ndarray, y: np.ndarray, **style: Any) -> None:
    """``y`` against ``q`` where it is positive (a log axis cannot show ΔE = 0)."""
    ok = y > 0
    ax.plot(q[ok], y[ok], markevery=4, ms=3.5, **style)


def _unentangled(ax: Any, q: np.ndarray, lost: float | None) -> None:
    """The Q_m range where nothing is entangled (ΔE = 0, which a log axis cannot show)."""
    if lost is not None:
        label = "E_N,q = 0: nothing entangled, ΔE = 0 (not on a log axis)"
        ax.axvspan(q.min(), lost, facecolor="0.92", edgecolor="0.6", hatch="..", lw=0, label=label)


def _fig2_panel(ax: Any, data: FigureData, tag: str) -> None:
    c, summary = data.columns, data.summary[tag]
    q = c["Q_m"]
    _unentangled(ax, q, summary["no_entanglement_below_Qm"])
    for key, colour, ls, marker, lw, label in FIG2_CURVES:
        if key == "conventional":
            label += "\n(= its ΔE: KTM gravity never entangles)"
        y = c[f"delta_E_{key}_{tag}"]
        alpha = 0.45 if lw > 2 else 1.0
        _positive(ax, q, y, color=colour, ls=ls, marker=marker, lw=lw, alpha=alpha, label=label)
    threshold = summary["conventional_threshold_Qm"]
    label = f"conventional threshold Q_m* = ω_m n̄/k_G = {threshold:.2g}"
    ax.axvline(threshold, color="0.35", ls=(0, (1, 1)), lw=1.5, label=label)


def _fig2_hypotheses(ax: Any, data: FigureData) -> None:
    c = data.columns
    q = c["Q_m"]
    _unentangled(ax, q, data.summary["table"]["no_entanglement_below_Qm"])
    curves = {"KTM": c["delta_E_effective_table"]}
    curves |= {name: c[h["column"]] for name, h in data.summary.get("hypotheses", {}).items()}
    seen: dict[str, np.ndarray] = {}
    for k, (name, y) in enumerate(curves.items()):
        same = [n for n, v in seen.items() if np.allclose(v, y, rtol=1e-12, atol=0)]
        label = name + (f" (identical to {same[0]})" if same else "")
        ls, marker = ("-", "") if k == 0 else HYPOTHESIS_STYLES[(k - 1) % 4]
        width = {"lw": 4.0, "alpha": 0.45} if k == 0 else {"lw": 1.4}
        colour = f"C{k if k < 1 else k + 3}"
        _positive(ax, q, y, color=colour, ls=ls, marker=marker, label=label, **width)
        seen[name] = y
    ax.set_title("each hypothesis against quantum gravity\n(effective rung, table k_G)", fontsize=9)


def _fig3(data: FigureData) -> Any:
    fig, ax = new_figure((7.0, 4.8))
    c, summary = data.columns, data.summary
    x = c["K_others_over_K_G"]
    agree = summary["max_rel_difference_R_quantum_vs_classical"]
    ax.plot(x, np.abs(c["R_quantum"]), "C0-", lw=4, alpha=0.45, label="|R|, quantum gravity")
    ax.plot(
        x,
        np.abs(c["R_classical"]),
        "C1--",
        marker="o",
        markevery=6,
        ms=3.5,
        label=f"|R|, KTM gravity (agrees to {agree:.1g} relative)",
    )
    ax.axhline(0.1, color="0.4", lw=1.5, ls=(0, (1, 1)), label="threshold |R| = 0.1")
    cross = summary["K_others_over_K_G_at_abs_R_0.1"]
    if cross is not None:
        ax.plot([cross], [0.1], "k*", ms=9, label=f"|R| = 0.1 at K_others/K_G = {cross:.2g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(axis_label("K_others/K_G", "1"))
    ax.set_ylabel(axis_label(f"|R| (R is {summary['sign_of_R']})", "1"))
    rung = data.options.get("rung", "effective")
    ax.set_title(
        f"Fig. 3: R = (E_N − E_N|K_others=0)/(E_N,q − E_N,c) at Q_m = {summary['Q_m']:.2g}\n"
        f"preset paper, {rung} rung, Gaussian backend, log base {summary['log_base']} "
        "(R is a ratio: any base)",
        fontsize=9,
    )
    ax.legend(fontsize=7)
    return fig
