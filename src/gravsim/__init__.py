"""gravsim: a master-equation simulator for telling quantum from classical (KTM) gravity.

Two gold spheres on membranes share a microwave cavity; two pump tones engineer a reservoir
that holds them in a steady entangled state.  Quantum gravity leaves that entanglement alone;
classical gravity in the Kafri–Taylor–Milburn model adds dissipation that lowers it.

Modules: :mod:`parameters` and :mod:`presets` (inputs), :mod:`gravity` (gravity models),
:mod:`models` (the rungs of the model ladder as data), :mod:`gaussian` (Lyapunov backend),
:mod:`entanglement` (E_N and ΔE), :mod:`closed_form` (the paper's formulas, the independent
check), :mod:`conventional` (the comparison scheme's transient).
"""

from . import entanglement, gaussian, gravity, models, presets
from .errors import GravsimInputError, OutOfRegimeError, UnstableError
from .parameters import Parameters

__version__ = "0.1.0"

__all__ = [
    "GravsimInputError",
    "OutOfRegimeError",
    "Parameters",
    "UnstableError",
    "entanglement",
    "gaussian",
    "gravity",
    "models",
    "presets",
]
