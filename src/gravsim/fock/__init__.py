"""Fock backend: the master equation of a rung on truncated Fock spaces, with QuTiP.

:mod:`~gravsim.fock.operators` builds H, the collapse operators and the Liouvillian from a
model description and holds :class:`FockState`; :mod:`~gravsim.fock.solvers` solves L ρ = 0
(parity block, MKL PARDISO or SuperLU) and :mod:`~gravsim.fock.cavity_split` the three-mode
blocks too large to factorise; :mod:`~gravsim.fock.response` gives a second hypothesis as an
exact shift of the first; :mod:`~gravsim.fock.dynamics` evolves ρ(t);
:mod:`~gravsim.fock.periodic` finds the periodic state of the lab-frame L0/L1 (by
:mod:`~gravsim.fock.period_map` or :mod:`~gravsim.fock.harmonic_balance`);
:mod:`~gravsim.fock.truncation` checks level counts
and memory and extrapolates results in the truncation; :mod:`~gravsim.fock.levels` is the
truncation policy (which levels hold the state, their predicted error, the levels chosen),
given the exact Gaussian state by the workflows.  Imports the model descriptions and the
entanglement measures, never the Gaussian backend.

QuTiP is imported on first use of a name below (``gs.fock.steady_state``), so that
``import gravsim`` and the Gaussian workflows stay free of it.
"""

import importlib
from typing import Any

#: Public names and the submodule that defines them.
_NAMES = {
    "FockState": "operators",
    "collapse_operators": "operators",
    "covariance": "operators",
    "from_qobj": "operators",
    "hamiltonian": "operators",
    "ladder_operators": "operators",
    "last_level_population": "operators",
    "liouvillian": "operators",
    "mechanical_covariance": "operators",
    "steady_state": "operators",
    "SolveReport": "liouville_system",
    "SolverError": "liouville_system",
}
_SUBMODULES = (
    "cavity_split",
    "dynamics",
    "harmonic_balance",
    "levels",
    "liouville_system",
    "operators",
    "period_map",
    "periodic",
    "response",
    "solvers",
    "truncation",
)

__all__ = sorted([*_NAMES, *_SUBMODULES])


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
