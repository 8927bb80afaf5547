"""
The validation ladder: L2, L1 and L0 on the ``driven`` preset
=============================================================

The top of the model ladder on the ``driven`` preset: L2 vs L1 vs L0, and L0 − L1 vs g.

The rungs compared (all at the ``driven`` point: ω_m = 5κ, G₊ = 0.15κ, G₋ = 0.3κ, n̄ = 0.3):

* L2 ``rwa``: linearised, rotating-wave approximation; Gaussian steady state (Lyapunov).
* L1 ``linear``: linearised about the classical periodic orbit, counter-rotating terms kept;
  time periodic (T = 2π/ω_m), so its asymptotic state is periodic.  Gaussian: exact Floquet
  state, E_N averaged over the period, and its ripple (max − min over the period).
* L1 in Fock space on 6×6×3 levels (a, b, cavity fluctuation), the same periodic state
  found by ``qutip.mesolve`` period by period: its gap to the Gaussian L1 is the truncation
  error at these levels.
* L0 ``full``: the driven model with the cubic radiation-pressure term g(j + j†)δc†δc, in
  the frame displaced by the classical orbit; Fock space at the same 6×6×3 levels.

L0 − L1 at equal truncation isolates what linearisation drops (the truncation errors of the
two largely cancel).  It is computed for g = 0.05 and g = 0.025 at fixed G± — halving g
doubles the intracavity amplitudes, of modulus G±/g — and it should fall like g².  L1 does
not depend on g at fixed G± (the orbit in scaled variables gα, gβ does not); the script
checks this on the Gaussian L1 and then solves the Fock L1 once.

The Fock periodic states are computed with quantum gravity only (each L0 solve is ~40
periods of mesolve, ~10 s); the Gaussian rungs give quantum and KTM gravity and ΔE.  The
periodic-state tolerance is ‖ρ(T) − ρ(0)‖_F < 1e-8, which leaves E_N uncertain by ~1e-7
(the library default, 1e-7, leaves ~1e-6: two different starts differed by 1.4e-6).

Writes ``ladder.png`` and ``ladder.json`` (the numbers) into the output folder.

Run:  python examples/ladder_L0_L1_L2.py [output-folder]     (default examples-out/ladder)
E_N in nats.  About 1 minute (measured 66 s).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import gravsim as gs
from gravsim import fock, gaussian
from gravsim.fock import period_map as fock_period_map
from gravsim.gaussian import floquet
from gravsim.model import description
from gravsim.model import rungs as models
from gravsim.model.gravity import KTMGravity, QuantumGravity
from gravsim.model.parameters import Parameters
from gravsim.plotting import new_figure, save_figure

DIMS = (6, 6, 3)
G_VALUES = (0.05, 0.025)
TOL = 1e-8  # stop the Fock periodic-state iteration when ‖ρ(T) − ρ(0)‖_F < TOL
RUNGS = ("L2 Gaussian", "L1 Gaussian", "L1 Fock", "L0 Fock")


def gaussian_rungs(p: Parameters) -> dict[str, dict]:
    """L2 steady state and L1 Floquet state, quantum and KTM gravity."""
    l2 = gaussian.compare_gravity(models.rwa(p, KTMGravity()))
    e2 = float(l2.E_N_quantum())
    l1 = floquet.periodic_state(models.linear(p, KTMGravity()))
    series = l1.E_N_quantum()
    summary = l1.summary()
    return {
        "L2 Gaussian": {
            "E_N": e2,
            "min": e2,
            "max": e2,
            "E_N_classical": float(l2.E_N_classical()),
            "delta_E": float(l2.delta_E()),
        },
        "L1 Gaussian": {
            "E_N": summary["E_N_quantum"],
            "min": float(series.min()),
            "max": float(series.max()),
            "E_N_classical": summary["E_N_classical"],
            "delta_E": summary["delta_E"],
        },
    }


def fock_periodic(model, start, label: str) -> tuple[dict, object]:
    """Periodic state of ``model`` on DIMS levels from ``start``; E_N average, min, max."""
    t0 = time.perf_counter()
    state = fock_period_map.periodic_state(model, DIMS, start, depth=20, tol=TOL)
    e_n = state.samples["E_N"]
    print(
        f"  {label}: {state.periods} periods, ‖ρ(T) − ρ(0)‖_F = {state.change:.1e}, "
        f"{time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    row = {
        "E_N": state.mean_log_negativity,
        "min": float(e_n.min()),
        "max": float(e_n.max()),
        "n_c": float(np.mean(state.samples["n_c"])),
    }
    return row, state


def figure(results: dict, path: Path):
    """The ladder's figure (a matplotlib ``Figure``, outside pyplot), also saved to ``path``."""
    fig, (ax, bx) = new_figure((11, 4.3), 1, 2)
    x = np.arange(len(RUNGS))
    for k, g in enumerate(G_VALUES):
        rows = results[g]["rungs"]
        mean = np.array([rows[r]["E_N"] for r in RUNGS])
        low = mean - np.array([rows[r]["min"] for r in RUNGS])
        high = np.array([rows[r]["max"] for r in RUNGS]) - mean
        ax.errorbar(
            x + 0.12 * (k - 0.5),
            mean,
            yerr=[low, high],
            fmt="os"[k],
            color=f"C{k}",
            capsize=4,
            label=f"g = {g:g} rad/s (|c₋| = {results[g]['c_minus']:.0f})",
        )
    ax.set_xticks(x, [r + ("\n6×6×3" if "Fock" in r else "") for r in RUNGS])
    ax.set_ylabel("$E_N$, quantum gravity (nats)")
    ax.set_title("period average; bars: min–max over the period", fontsize=10)
    ax.legend(fontsize=8)

    g = np.array(G_VALUES)
    diff = np.array([abs(results[gv]["L0_minus_L1"]) for gv in G_VALUES])
    bx.loglog(g, diff, "ko-", label="|L0 − L1|, Fock 6×6×3 (period average)")
    fine = np.geomspace(g.min() / 1.5, g.max() * 1.5, 20)
    bx.loglog(fine, diff[0] * (fine / g[0]) ** 2, "k:", lw=1, label="∝ g²")
    first = results[G_VALUES[0]]["rungs"]
    trunc = abs(first["L1 Fock"]["E_N"] - first["L1 Gaussian"]["E_N"])
    rwa_gap = abs(first["L1 Gaussian"]["E_N"] - first["L2 Gaussian"]["E_N"])
    bx.axhline(trunc, color="C2", ls="--", lw=1, label="|L1 Fock − L1 Gaussian| (truncation)")
    bx.axhline(rwa_gap, color="C3", ls="--", lw=1, label="|L1 − L2|, Gaussian (beyond the RWA)")
    bx.set_xlabel("single-photon coupling g (rad/s), G± fixed")
    bx.set_ylabel("difference in $E_N$ (nats)")
    bx.set_title("what linearisation drops vs the other gaps", fontsize=10)
    bx.legend(fontsize=7, loc="lower right")
    save_figure(fig, path)
    return fig


def main():
    """Run the ladder, print its table, write ``ladder.{png,json}``; returns the figure."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("examples-out/ladder")
    out.mkdir(parents=True, exist_ok=True)
    base = gs.presets.get("driven")
    quantum = QuantumGravity()
    print(f"preset driven: G+ = {base.G_plus:g}, G- = {base.G_minus:g}, n_th = {base.n_th:g}")
    print(f"Fock levels {DIMS} (a, b, cavity), quantum gravity; periodic-state tol {TOL:g}")

    results: dict[float, dict] = {}
    l1_fock = None
    for g in G_VALUES:
        p = base.replace(g=g, G_plus=base.G_plus, G_minus=base.G_minus)
        orbit = models.ClassicalField.of(p)
        print(f"g = {g:g}: |c+| = {abs(orbit.alpha[1]):.3f}, |c-| = {abs(orbit.alpha[-1]):.3f}")
        rows = gaussian_rungs(p)
        if l1_fock is None or not np.isclose(
            rows["L1 Gaussian"]["E_N"], l1_fock["gaussian"], rtol=0, atol=1e-12
        ):
            secular = description.secular(models.linear(p, quantum), rung="rwa", note="")
            start = fock.steady_state(secular, DIMS).rho
            l1 = description.quadratic_part(models.full(p, quantum), rung="linear", note="")
            row, state = fock_periodic(l1, start, "L1 Fock periodic state")
            l1_fock = {"row": row, "rho": state.rho, "gaussian": rows["L1 Gaussian"]["E_N"]}
        else:
            print("  L1 Fock: the Gaussian L1 is unchanged (independent of g at fixed G±): reused")
        rows["L1 Fock"] = l1_fock["row"]
        # L0 starts from L1's periodic state (same frame, same levels): fewer periods
        rows["L0 Fock"], _ = fock_periodic(
            models.full(p, quantum), l1_fock["rho"], "L0 Fock periodic state"
        )
        results[g] = {
            "c_plus": abs(orbit.alpha[1]),
            "c_minus": abs(orbit.alpha[-1]),
            "rungs": rows,
            "L0_minus_L1": rows["L0 Fock"]["E_N"] - rows["L1 Fock"]["E_N"],
        }

    print()
    print(
        f"{'g':>6} {'rung':<12} {'E_N,q (avg)':>12} {'ripple':>10} {'E_N,c (avg)':>12} "
        f"{'ΔE (avg)':>10}"
    )
    for g, res in results.items():
        for rung in RUNGS:
            r = res["rungs"][rung]
            classical = f"{r['E_N_classical']:12.6f}" if "E_N_classical" in r else f"{'–':>12}"
            delta = f"{r['delta_E']:10.6f}" if "delta_E" in r else f"{'–':>10}"
            print(
                f"{g:6g} {rung:<12} {r['E_N']:12.8f} {r['max'] - r['min']:10.6f} "
                f"{classical} {delta}"
            )
    print()
    d = [results[g]["L0_minus_L1"] for g in G_VALUES]
    levels = "×".join(map(str, DIMS))
    for g, value in zip(G_VALUES, d, strict=True):
        print(f"L0 − L1 (Fock {levels}, period average) at g = {g:g}: {value:+.4e}")
    ratio = d[0] / d[1]
    print(f"ratio for g → g/2: {ratio:.3f}  (g² scaling: {(G_VALUES[0] / G_VALUES[1]) ** 2:g})")
    first = results[G_VALUES[0]]["rungs"]
    print(
        f"for scale: L1 Fock − L1 Gaussian (truncation) "
        f"{first['L1 Fock']['E_N'] - first['L1 Gaussian']['E_N']:+.4e}, "
        f"L1 − L2 (Gaussian) {first['L1 Gaussian']['E_N'] - first['L2 Gaussian']['E_N']:+.4e}"
    )

    fig = figure(results, out / "ladder.png")
    (out / "ladder.json").write_text(
        json.dumps(
            {
                "preset": "driven",
                "dims": DIMS,
                "periodic_state_tol": TOL,
                "log_base": "e",
                "fock_gravity": "quantum",
                "command": "python " + " ".join(sys.argv),
                "results": {str(g): res for g, res in results.items()},
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"\nwritten: {out / 'ladder.png'}, {out / 'ladder.json'}")
    return fig


if __name__ == "__main__":
    with threadpool_limits(1):  # small dense matrices: extra BLAS threads only contend
        fig = main()  # the docs' gallery shows the Figure objects a script leaves in its globals
