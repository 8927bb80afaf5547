"""gravsim: a master-equation simulator for telling quantum from classical (KTM) gravity.

Two gold spheres on membranes share a microwave cavity; two pump tones engineer a reservoir
that holds them in a steady entangled state.  Quantum gravity leaves that entanglement alone;
classical gravity in the Kafri–Taylor–Milburn model adds dissipation that lowers it.

Modules: :mod:`parameters` and :mod:`presets` (inputs), :mod:`gravity` (gravity models),
:mod:`description` and :mod:`models` (the rungs of the model ladder as data),
:mod:`gaussian` (Lyapunov backend), :mod:`fock` with :mod:`liouville_solvers` and
:mod:`truncation` (QuTiP backend), :mod:`entanglement` (E_N and ΔE), :mod:`closed_form`
(the paper's formulas, the independent check), :mod:`conventional` (the comparison scheme's
transient), :mod:`steady` and :mod:`validate` (what the command line runs), :mod:`scan`,
:mod:`figures`, :mod:`distinguishability` and :mod:`feasibility` (the budget).
"""

__version__ = "0.1.0"

import importlib
from typing import Any

from .errors import GravsimInputError, NumericalError, OutOfRegimeError, UnstableError
from .parameters import Parameters

#: Submodules, imported on first use (``gs.steady``): ``import gravsim`` stays fast, and
#: QuTiP loads only when a Fock space is built.
SUBMODULES = (
    "closed_form",
    "conventional",
    "distinguishability",
    "entanglement",
    "evolve",
    "feasibility",
    "figures",
    "floquet",
    "fock",
    "fock_dynamics",
    "gaussian",
    "gravity",
    "models",
    "presets",
    "propagation",
    "run_folder",
    "scan",
    "steady",
    "truncation",
    "validate",
)

__all__ = [
    "GravsimInputError",
    "NumericalError",
    "OutOfRegimeError",
    "Parameters",
    "UnstableError",
    *SUBMODULES,
]


def __getattr__(name: str) -> Any:
    if name in SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'gravsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(SUBMODULES))
