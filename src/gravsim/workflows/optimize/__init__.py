"""Experiment design (``gravsim optimize``): the pump settings that tell quantum from KTM
gravity best, inside the regime where the model holds.

Rooms by role:

* :mod:`~gravsim.workflows.optimize.design` — the design space: the varied inputs and their
  bounds, and the regime constraints;
* :mod:`~gravsim.workflows.optimize.problem` — one problem: the (log) objective, the
  constraints and the ladder's agreement on batches of points;
* :mod:`~gravsim.workflows.optimize.search` — :func:`optimize`: differential evolution, then
  SLSQP, the optimum's evidence;
* :mod:`~gravsim.workflows.optimize.result` — :class:`OptimizeResult` and ΔE on every rung;
* :mod:`~gravsim.workflows.optimize.output` — the command's folder: JSON, CSV, the map.
"""

from gravsim.workflows.optimize.problem import LADDER_LIMIT, PENALTY, SEARCH_RUNGS, Problem, rebuild
from gravsim.workflows.optimize.result import OptimizeResult, delta_E_by_rung, local_stage
from gravsim.workflows.optimize.search import OBJECTIVES, InfeasibleError, optimize

__all__ = [
    "LADDER_LIMIT",
    "SEARCH_RUNGS",
    "OBJECTIVES",
    "PENALTY",
    "InfeasibleError",
    "OptimizeResult",
    "Problem",
    "delta_E_by_rung",
    "local_stage",
    "optimize",
    "rebuild",
]
