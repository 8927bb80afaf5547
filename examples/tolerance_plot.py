"""
Tolerances: how far a real device may stray before ΔE moves
===========================================================

ΔE, the entanglement that classical (KTM) gravity removes, is ~5×10⁻⁸ nats at the paper's
point: the imperfections of a real device must not move it much.  For each imperfection
(tones mis-set by Δ_m or Δ_c, thermal photons n_c in the cavity, unequal couplings g_a and
damping γ_a, technical heating of one oscillator or of both) this script finds the value at
which ΔE first moves 10 % and 50 % from the ideal device's, the others held
(:func:`gravsim.workflows.tolerances.compute`, the command ``gravsim tolerances``;
``docs/tolerances.md`` reads the table for the lab).  Each path is one batched Gaussian
solve on the ``rwa`` rung, ΔE without cancellation, then a bisection to 10⁻⁶.

The figure puts every imperfection on one axis, in units of its own 10 % tolerance.  The
script then checks one row the way a user would: the ``--set`` value of the table, solved
again as a steady state, moves ΔE by 10 %.

Writes ``tolerances.{csv,json,png}`` into the output folder.

Run:  python examples/tolerance_plot.py [output-folder]     (default examples-out/tolerances)
E_N in nats.  About 5 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gravsim as gs
from gravsim.workflows import tolerances

# %%
# The table
# ---------
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("examples-out/tolerances")
p = gs.presets.get("paper")
result = tolerances.compute(p, model="rwa")
print(result)
paths = result.write(out, "python " + " ".join(sys.argv), force=True, preset="paper")
print("written:", ", ".join(str(path) for path in paths))

# %%
# Checked by a steady state
# -------------------------
# The row's value is what ``gravsim steady --set KEY=VALUE`` takes (with the row's held
# keys); the steady state there gives ΔE 10 % from the ideal device's.
row = next(r for r in result.rows if r["key"] == "n_c")
value = row["value_10pct"]
settings = row["fixed"] | {row["key"]: value} | dict.fromkeys(row["tied"], value)
ideal = gs.steady.compute(p, model="rwa", gravity="both").delta.value
moved = gs.steady.compute(p.replace(**settings), model="rwa", gravity="both").delta.value
print(f"{row['name']} = {value:.4g}: ΔE / ΔE_ideal = {moved / ideal:.4f} (the table: 10 %)")

# %%
# The figure
# ----------
# ΔE/ΔE_ideal along each path (``result.figure()``, as ``gravsim tolerances --out`` writes
# it): a matplotlib ``Figure`` made outside pyplot.
fig = result.figure()
