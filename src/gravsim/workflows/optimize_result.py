"""The result of :func:`gravsim.workflows.optimize.optimize`: the optimum, its objective in
its own units, every constraint with its value, and the evidence at the optimum (the
approximation ladder and the full budget)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gravsim.model.parameters import Parameters
from gravsim.workflows.design import Variable
from gravsim.workflows.results import Result, to_plain

__all__ = ["OptimizeResult"]


@dataclass(frozen=True, eq=False, repr=False)
class OptimizeResult(Result):
    """An optimum of the experiment design and the evidence that it holds.

    Attributes
    ----------
    objective : str
        ``delta_E`` (nats), ``samples`` (heterodyne records) or ``time`` (s).
    value, start_value : float
        The objective at the optimum and at the given parameters (the preset's own settings).
    optimum : dict
        The varied inputs at the optimum (their units: ``gravsim params``).
    parameters : Parameters
        Every parameter at the optimum.
    constraints : list of dict
        Each regime condition: name, value, limit, whether it holds, what it stands for.
    validation : Validation
        The approximation ladder at the optimum.
    budget : Budget
        The full distinguishability budget at the optimum (optimal and heterodyne).
    path : list of dict
        The search: the best point of each generation, then the local steps.
    stats : dict
        Evaluations, generations, wall time (s), the local search's message.
    inputs : dict
        The arguments of :func:`optimize`.
    variables : tuple of Variable
        The search space: each varied input with its bounds.
    """

    objective: str
    value: float
    start_value: float
    optimum: dict[str, float]
    parameters: Parameters
    constraints: list[dict[str, Any]]
    validation: Any
    budget: Any
    path: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    variables: tuple[Variable, ...] = ()

    @property
    def improvement(self) -> float:
        """How many times better than the start (ΔE ratio, or samples/time saved)."""
        if self.objective == "delta_E":
            return self.value / self.start_value
        return self.start_value / self.value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: objective, optimum, constraints, validation, budget, path."""
        return to_plain(
            {
                "objective": self.objective,
                "value": self.value,
                "start_value": self.start_value,
                "improvement": self.improvement,
                "unit": {"delta_E": "nats", "samples": "records", "time": "s"}[self.objective],
                "optimum": self.optimum,
                "constraints": self.constraints,
                "constraints_hold": all(c["holds"] for c in self.constraints),
                "validation": self.validation.to_dict(),
                "budget": self.budget.to_dict(),
                "path": self.path,
                "stats": self.stats,
                "inputs": self.inputs,
                "bounds": {v.key: [v.lo, v.hi] for v in self.variables},
                "parameters": self.parameters.as_dict(),
            }
        )

    def __str__(self) -> str:
        unit = {"delta_E": "nats", "samples": "records", "time": "s"}[self.objective]
        lines = [
            f"optimum of {self.objective}: {self.value:.6g} {unit} "
            f"({self.improvement:.3g}x the start, {self.start_value:.6g} {unit})",
            *(f"  {k:<14} {v:.8g}" for k, v in self.optimum.items()),
            "constraints:",
            *(f"  {c['name']:<11} {c['value']:.4g} {c['relation']} {c['limit']:.4g}  "
              f"{'holds' if c['holds'] else 'VIOLATED'}  ({c['text']})" for c in self.constraints),
            f"validate at the optimum: {'all checks pass' if self.validation.ok else 'FAILED'}",
            f"budget at the optimum: {self.budget.samples_chernoff:.3e} samples (optimal), "
            f"{self.budget.samples_heterodyne_chernoff:.3e} heterodyne, "
            f"{self.budget.times['heterodyne_chernoff']['years']:.3g} years",
        ]  # fmt: skip
        return "\n".join(lines)
