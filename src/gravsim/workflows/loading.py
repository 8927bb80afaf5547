"""Reading a written run back: :func:`load` (``gs.load``) for every result a command writes.

A run's sidecar (``<name>.json``) names its ``result_type``; the result is rebuilt from the
sidecar by that class's :meth:`~gravsim.workflows.result_model.Result.from_dict`, with its
table (``csv_columns``) read back from ``<name>.csv``.  Scans are read by
:func:`gravsim.workflows.scan.load` (their rows are the CSV).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.workflows.approximation_order import Scaling
from gravsim.workflows.budget import Budget
from gravsim.workflows.evolve_result import EvolveResult
from gravsim.workflows.figures import FigureData
from gravsim.workflows.hypotheses import HypothesesTable
from gravsim.workflows.optimize.result import OptimizeResult
from gravsim.workflows.reference import ReferenceTable
from gravsim.workflows.result_model import Result
from gravsim.workflows.scan import load as load_scan
from gravsim.workflows.steady_result import SteadyResult
from gravsim.workflows.text_forms import loads
from gravsim.workflows.tolerances import Tolerances
from gravsim.workflows.validate import Validation

#: Every result that can be written, by its ``result_type``.
RESULTS: dict[str, type[Result]] = {
    cls.__name__: cls
    for cls in (
        SteadyResult,
        EvolveResult,
        FigureData,
        OptimizeResult,
        Budget,
        Validation,
        Scaling,
        HypothesesTable,
        ReferenceTable,
        Tolerances,
    )
}


def load(folder: Path | str, name: str | None = None) -> Result:
    """The run written into ``folder`` (by a command, or by ``result.write(folder)``).

    Parameters
    ----------
    folder : path
        The run's folder (a command's ``--out``).
    name : str, optional
        The run's name (its files' stem, e.g. ``"evolve_effective_gaussian"``), where the
        folder holds more than one run.

    Raises
    ------
    GravsimInputError
        A folder with no gravsim run (or one written by a gravsim too old to name its
        result), or several runs and no ``name``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise GravsimInputError(f"no folder {str(folder)!r}: give the `out` of a gravsim run")
    runs = [
        (path, data)
        for path in sorted(folder.glob("*.json"))
        if name is None or path.stem == name
        for data in [_sidecar(path)]
        if data is not None
    ]
    if not runs:
        which = f"run {name!r}" if name else "gravsim run"
        raise GravsimInputError(
            f"{str(folder)!r} holds no {which} that can be read (a sidecar with its "
            "result_type): run the command again with this `out`"
        )
    if len(runs) > 1:
        names = ", ".join(path.stem for path, _ in runs)
        raise GravsimInputError(f"{str(folder)!r} holds several runs ({names}): give `name`")
    path, data = runs[0]
    if data.get("result_type", "ScanData") == "ScanData":
        return load_scan(folder)
    cls = RESULTS[data["result_type"]]
    if cls.TABLE is not None and "csv_columns" in data:
        data[cls.TABLE] = read_columns(path.with_suffix(".csv"), data["csv_columns"])
    return cls.from_dict(data)


def _sidecar(path: Path) -> dict[str, Any] | None:
    """A sidecar's data, or None for a JSON file that is not the sidecar of a readable run
    (a scan's sidecar from before result types is one: it has a ``grid``)."""
    try:
        data = loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    known = data.get("result_type") in RESULTS or data.get("result_type") == "ScanData"
    return data if known or (path.name == "scan.json" and "grid" in data) else None


def read_columns(path: Path, names: list[str]) -> dict[str, np.ndarray]:
    """Columns ``names`` of the CSV at ``path``: float arrays (an empty cell is NaN), or
    string arrays for a column with text in it."""
    try:
        with path.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise GravsimInputError(f"cannot read {str(path)!r} ({exc.strerror or exc})") from None
    out = {}
    for key in names:
        cells = [row.get(key) or "" for row in rows]
        try:
            out[key] = np.array([float(c) if c else np.nan for c in cells])
        except ValueError:
            out[key] = np.array(cells, dtype=str)
    return out


__all__ = ["RESULTS", "load", "read_columns"]
