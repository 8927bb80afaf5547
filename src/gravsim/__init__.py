"""gravsim: a master-equation simulator for telling quantum from classical (KTM) gravity.

Two gold spheres on membranes share a microwave cavity; two pump tones engineer a reservoir
that holds them in a steady entangled state.  Quantum gravity leaves that entanglement alone;
classical gravity in the Kafri–Taylor–Milburn model adds dissipation that lowers it.

The package follows the model ladder (docs/architecture.md): :mod:`gravsim.model`
(parameters, presets, gravity models, the rungs as data) at the bottom; the measures of
:mod:`gravsim.analysis` (entanglement, distinguishability); two backends that read the same
descriptions, :mod:`gravsim.gaussian` (Lyapunov) and :mod:`gravsim.fock` (QuTiP); the
paper's formulas in :mod:`gravsim.closed_form`, written apart as the check; and
:mod:`gravsim.workflows` (steady, evolve, scan, validate, figures, budget), which the command
line (:mod:`gravsim.cli`) parses for and prints.
"""

__version__ = "0.1.0"

import importlib
from typing import Any

from gravsim.errors import GravsimInputError, NumericalError, OutOfRegimeError, UnstableError
from gravsim.model.parameters import Parameters

#: Short names for the modules a script uses most (``gs.steady``, ``gs.models``, …) and
#: where they live; each is imported on first use, so ``import gravsim`` stays fast and
#: QuTiP loads only when a Fock space is built.
SUBMODULES = {
    "analysis": "gravsim.analysis",
    "budget": "gravsim.workflows.budget",
    "closed_form": "gravsim.closed_form",
    "conventional": "gravsim.closed_form.conventional",
    "description": "gravsim.model.description",
    "distinguishability": "gravsim.analysis.distinguishability",
    "entanglement": "gravsim.analysis.entanglement",
    "evolve": "gravsim.workflows.evolve",
    "feasibility": "gravsim.workflows.budget",
    "figures": "gravsim.workflows.figures",
    "floquet": "gravsim.gaussian.floquet",
    "fock": "gravsim.fock",
    "fock_dynamics": "gravsim.fock.dynamics",
    "fock_period_map": "gravsim.fock.period_map",
    "gaussian": "gravsim.gaussian",
    "gravity": "gravsim.model.gravity",
    "grid": "gravsim.workflows.scan.grid",
    "model": "gravsim.model",
    "options": "gravsim.workflows.options",
    "measurement": "gravsim.analysis.measurement",
    "models": "gravsim.model.rungs",
    "parameters": "gravsim.model.parameters",
    "presets": "gravsim.model.presets",
    "propagation": "gravsim.gaussian.propagation",
    "run_folder": "gravsim.workflows.run_folder",
    "scan": "gravsim.workflows.scan",
    "steady": "gravsim.workflows.steady",
    "truncation": "gravsim.fock.truncation",
    "validate": "gravsim.workflows.validate",
    "workflows": "gravsim.workflows",
}

#: Functions at the top level, each imported on first use.
FUNCTIONS = {
    "load": ("gravsim.workflows.loading", "load"),
    "optimize": ("gravsim.workflows.optimize", "optimize"),
}

__all__ = [
    "GravsimInputError",
    "NumericalError",
    "OutOfRegimeError",
    "Parameters",
    "UnstableError",
    "load",
    "optimize",
    *SUBMODULES,
]


def __getattr__(name: str) -> Any:
    if name in FUNCTIONS:  # gs.optimize(p, ["E_plus", "E_minus"]), gs.load(folder)
        module, function = FUNCTIONS[name]
        return getattr(importlib.import_module(module), function)
    if name in SUBMODULES:
        return importlib.import_module(SUBMODULES[name])
    raise AttributeError(f"module 'gravsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(SUBMODULES) | set(FUNCTIONS))
