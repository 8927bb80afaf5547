"""
Classical-gravity hypotheses compared
=====================================

Quantum gravity leaves the engineered entanglement alone; each classical hypothesis keeps
the coherent Newtonian coupling and adds position diffusion 2κ D[a + a†] + 2κ D[b + b†] to
both spheres, and they differ only in the rate κ (``docs/physics.md``, "Gravity
hypotheses"):

* ``ktm``: Kafri–Taylor–Milburn at the optimal measurement rate, κ = k_G;
* ``diosi-penrose``: homogeneous spheres, κ = (π/3)Gρ/ω_m with the spheres' mutual term;
* ``tilloy-diosi``: the least-decoherence kernel, equal to Diósi–Penrose per sphere;
* ``cq-floor``: the least decoherence of any classical-quantum coupling giving the Newtonian
  force, k_G/2.

This script prints ``gravsim hypotheses --samples 1e6`` from Python
(:func:`gravsim.workflows.hypotheses.table`): each hypothesis's κ, E_N and ΔE against
quantum gravity at the paper's point (effective rung, Gaussian backend, ΔE without
cancellation), and the least mechanical quality factor Q_m at which the optimal measurement
tells it from quantum gravity in 10⁶ samples.  It then follows ΔE along the paper's tuning
rule (E± ∝ Q_m^(−1/2), :func:`gravsim.model.regime.tuned`) for every hypothesis in one
batched solve each.  The paper's sphere radius and centre distance make the spheres overlap
by ~5 µm; gravsim warns about it (the rates are those of the table's numbers).

Writes ``hypotheses.json`` (the table) and ``hypotheses.png`` into the output folder.

Run:  python examples/hypotheses_compared.py [output-folder]  (default examples-out/hypotheses)
E_N in nats.  About 10–15 s (the Q_m search; the rest takes a second).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import gravsim as gs
from gravsim import gaussian
from gravsim.model import rungs
from gravsim.model.gravity import hypotheses, rate
from gravsim.model.regime import tuned
from gravsim.plotting import new_figure, save_figure
from gravsim.workflows.hypotheses import table

SAMPLES = 1e6  # samples of the optimal measurement for the Q_m column
Q_M = np.geomspace(1e10, 1e18, 81)  # the tuning rule's quality factors

# %%
# The table at the paper's point
# ------------------------------
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("examples-out/hypotheses")
p = gs.presets.get("paper")
result = table(p, model="effective", samples=SAMPLES)
print(result)
result.write(out, "python " + " ".join(sys.argv), force=True, preset="paper")

# %%
# ΔE along the tuning rule
# ------------------------
# ``tuned(p, q)`` takes an array of Q_m: the pumps scale so that γ_m/Γ stays fixed, and one
# batched Gaussian solve per hypothesis gives ΔE at every Q_m.  ΔE grows like Q_m until the
# classical diffusion takes the entanglement away altogether (ΔE → E_N).
p_q = tuned(p, Q_M)
fig, (ax, bx) = new_figure((11, 4.3), 1, 2)
models = hypotheses()[1:]  # all but quantum gravity
for k, (g, row) in enumerate(zip(models, result.rows[1:], strict=True)):
    delta_e = np.asarray(gaussian.compare_gravity(rungs.build("effective", p_q, g)).delta_E())
    ok = delta_e > 0
    style = "-" if g.name != "tilloy-diosi" else "--"  # equal to Diósi–Penrose here
    ax.loglog(Q_M[ok], delta_e[ok], style, color=f"C{k}", label=g.name)
    q_needed = row.get("Q_m_needed")
    if q_needed is not None:
        at = np.asarray(
            gaussian.compare_gravity(rungs.build("effective", tuned(p, q_needed), g)).delta_E()
        )
        ax.plot([q_needed], [float(at)], "o", color=f"C{k}")
    bx.bar(k, float(rate(g, p)), color=f"C{k}")
quantum = gaussian.steady_state(rungs.build("effective", p_q, hypotheses()[0]))
ax.loglog(Q_M, np.asarray(quantum.log_negativity()), color="0.5", lw=1, label="E_N, quantum")
ax.axvline(float(p.Q_m), color="0.6", lw=0.8, ls=":", label="the paper's $Q_m$")
ax.set_xlabel("mechanical quality factor $Q_m$ (1), pumps tuned as $Q_m^{-1/2}$")
ax.set_ylabel("ΔE against quantum gravity (nats)")
ax.set_title(
    f"dots: the least $Q_m$ for $10^{{{np.log10(SAMPLES):.0f}}}$ optimal samples (1 % error)",
    fontsize=10,
)
ax.legend(fontsize=8)
bx.set_xticks(range(len(models)), [g.name for g in models])
bx.set_ylabel("decoherence rate κ per sphere (rad/s)")
bx.set_title("κ at the paper's point", fontsize=10)
save_figure(fig, out / "hypotheses.png")
print(f"written: {out / 'hypotheses.json'}, {out / 'hypotheses.png'}")
