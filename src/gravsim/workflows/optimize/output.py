"""The ``optimize`` command: the search, with its run folder opened before the work and the
result written into it (:meth:`OptimizeResult.write`: the path as CSV, the result as the JSON
sidecar, the map of :mod:`~gravsim.workflows.optimize.figure` as PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gravsim.errors import GravsimInputError
from gravsim.model.parameters import Parameters
from gravsim.workflows.optimize import search as optimizer
from gravsim.workflows.optimize.design import (
    DEFAULT_ADIABATIC_TOL,
    DEFAULT_MARGIN,
    DEFAULT_RWA_TOL,
    variables,
)
from gravsim.workflows.optimize.result import OptimizeResult
from gravsim.workflows.run_folder import RunFolder, run_identity

RUN_NAME = "optimize"


def run(
    p: Parameters,
    vary: list[str],
    *,
    out: Path | str | None = None,
    force: bool = False,
    pdf: bool = False,
    preset: str | None = None,
    command: str = "",
    **options: Any,
) -> tuple[OptimizeResult, list[Path]]:
    """:func:`~gravsim.workflows.optimize.optimize` and, with ``out``, its files.

    The folder is opened (and a rerun with other inputs refused, unless ``force``) before
    the search starts, so that a refused run costs nothing.
    """
    identity = run_identity(
        kind=RUN_NAME,
        preset=preset,
        parameters=p.as_dict(),
        vary=list(vary),
        options=_what_counts(p, vary, options),
    )
    if out is None:
        return optimizer.optimize(p, vary, **options), []
    with RunFolder(Path(out), RUN_NAME, identity, force=force) as folder:
        result = optimizer.optimize(p, vary, **options)
        return result, result.write(folder, command, pdf)


def _what_counts(p: Parameters, vary: list[str], options: dict[str, Any]) -> dict[str, Any]:
    """The options that change the result, with defaults filled in (a rerun that spells out
    a default, or turns the progress bar off, is the same run)."""
    counted = {k: v for k, v in options.items() if k != "progress"}
    defaults = {
        "margin": DEFAULT_MARGIN,
        "adiabatic_tol": DEFAULT_ADIABATIC_TOL,
        "rwa_tol": DEFAULT_RWA_TOL,
    }
    for key, default in defaults.items():
        if counted.get(key) is None:
            counted[key] = default
    try:
        space = variables(p, list(vary), dict(options.get("bounds") or {}))
    except GravsimInputError:
        return counted  # refused with its own message by the search
    counted["bounds"] = {v.key: [v.lo, v.hi] for v in space}
    return counted
