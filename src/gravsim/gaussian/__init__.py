"""Gaussian backend: exact moments of the linear rungs (L1–L3, conventional scheme).

:mod:`~gravsim.gaussian.moments` reads a model description into drift A and diffusion D;
:mod:`~gravsim.gaussian.lyapunov` solves A V + V Aᵀ + D = 0 (batched over grids);
:mod:`~gravsim.gaussian.propagation` integrates dV/dt for transients and
:mod:`~gravsim.gaussian.floquet` finds the periodic state of the lab-frame L1;
:mod:`~gravsim.gaussian.hypothesis_pair` solves the two states a measurement tells apart.
Imports the model and the entanglement measures, never the Fock backend.
"""

from gravsim.gaussian import floquet, propagation
from gravsim.gaussian.hypothesis_pair import position_spread
from gravsim.gaussian.lyapunov import (
    GaussianState,
    GravityComparison,
    compare_gravity,
    compare_hypotheses,
    solve_lyapunov,
    steady_state,
)
from gravsim.gaussian.moments import check_stable, drift_diffusion, split_gravity

__all__ = [
    "GaussianState",
    "GravityComparison",
    "check_stable",
    "compare_gravity",
    "compare_hypotheses",
    "drift_diffusion",
    "floquet",
    "position_spread",
    "propagation",
    "solve_lyapunov",
    "split_gravity",
    "steady_state",
]
