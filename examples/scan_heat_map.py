"""
Pump-strength scan: ΔE over the (E₊, E₋) plane
==============================================

The two pump tones' amplitudes E₊ and E₋ set the engineered reservoir (G± = g c±), and
with it both the entanglement E_N and ΔE, the part of it that classical (KTM) gravity
removes.  This script scans a 40 × 30 grid of E₊ (linear) and E₋ (log-spaced) at the
paper's point on the ``effective`` rung with the Gaussian backend: one batched Lyapunov
solve per chunk of points, quantum and KTM gravity compared at each point without
cancellation.  Points with G₊ ≥ G₋ have no steady state: they become status rows and are
hatched in the heat map.

It is the command ``gravsim scan --grid E_plus=lin:20:199:40 --grid
E_minus=log:150:400:30`` from Python (:func:`gravsim.workflows.scan.run`).  The folder
gets ``scan.csv`` (one row per point, every parameter a column), ``scan.json`` (the run's
identity) and ``scan.png``; ``gs.load(folder)`` reads it back.

Run:  python examples/scan_heat_map.py [output-folder]     (default examples-out/scan)
E_N in nats.  About 2 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import gravsim as gs

# %%
# The scan
# --------
# Every parameter but the two pump amplitudes is the paper's (table S3).  ``force=True``
# replaces an earlier run of this script with other inputs in the same folder.
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("examples-out/scan")
p = gs.presets.get("paper")
csv_path = gs.scan.run(
    p,
    ["E_plus=lin:20:199:40", "E_minus=log:150:400:30"],
    out,
    model="effective",
    gravity="both",
    backend="gaussian",
    preset="paper",
    progress=False,
    force=True,
    command="python " + " ".join(sys.argv),
)
data = gs.load(out)
print(f"{int(data.ok.sum())} of {data.ok.size} points solved; written to {csv_path.parent}/")

# %%
# Where ΔE is largest
# -------------------
# ``data.grid(key)`` gives a result on the grid's shape (one index per axis, first axis
# E₊; NaN where a point has no steady state).  ΔE grows towards the edge G₊ → G₋, where
# the reservoir's rate Γ = 4(G₋² − G₊²)/κ falls and E_N itself falls off.
delta_e = data.grid("delta_E")
e_n = data.grid("E_N_quantum")
i, j = np.unravel_index(np.nanargmax(delta_e), delta_e.shape)
e_plus, e_minus = data.axes[0].values[i], data.axes[1].values[j]
print(f"largest ΔE on the grid: {delta_e[i, j]:.4e} nats")
print(f"  at E_plus = {e_plus:.4g}, E_minus = {e_minus:.4g} rad/s (E_N = {e_n[i, j]:.4f} nats)")
k = np.argmin(np.abs(data.axes[0].values - p.E_plus))
m = np.argmin(np.abs(data.axes[1].values - p.E_minus))
print(
    f"nearest the paper's point (E_plus = {p.E_plus:g}, E_minus = {p.E_minus:g} rad/s): "
    f"ΔE = {delta_e[k, m]:.4e}, E_N = {e_n[k, m]:.4f} nats"
)

# %%
# The heat maps
# -------------
# ``data.figure()`` is the plot the command line writes (ΔE by default); the module's
# :func:`~gravsim.workflows.scan.figure` draws any other result column, here E_N with
# quantum gravity.  Both are matplotlib ``Figure`` objects made outside pyplot.
fig_delta = data.figure()
fig_entanglement = gs.scan.figure(data, "E_N_quantum")
