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

__version__ = "0.1.0"  # before the submodules: figures and scan record it

from . import (  # noqa: E402
    closed_form,
    conventional,
    distinguishability,
    entanglement,
    evolve,
    feasibility,
    figures,
    floquet,
    fock,
    fock_dynamics,
    gaussian,
    gravity,
    models,
    presets,
    propagation,
    scan,
    steady,
    truncation,
    validate,
)
from .errors import GravsimInputError, OutOfRegimeError, UnstableError  # noqa: E402
from .parameters import Parameters  # noqa: E402

__all__ = [
    "GravsimInputError",
    "OutOfRegimeError",
    "Parameters",
    "UnstableError",
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
    "scan",
    "steady",
    "truncation",
    "validate",
]
