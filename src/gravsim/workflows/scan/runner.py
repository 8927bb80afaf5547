"""A scan's run: the grid solved into its folder, row by row, resumable
(:func:`run`; the package's docstring, :mod:`gravsim.workflows.scan`, says how)."""

from __future__ import annotations

import csv
import shutil
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError, GravsimWarning
from gravsim.fock import truncation
from gravsim.model.gravity import choose
from gravsim.model.parameters import Parameters
from gravsim.progress import shown
from gravsim.workflows.options import PERIODIC, RunOptions, chooses_levels, uses
from gravsim.workflows.run_folder import RunFolder, run_identity
from gravsim.workflows.scan.figure import figure
from gravsim.workflows.scan.grid import Axis, Grid, parse_axis
from gravsim.workflows.scan.solve import check_parallel, run_batched, run_fock, run_points
from gravsim.workflows.scan.table import Rows, columns, load, plot_keys

#: Rungs the Gaussian backend solves as one batch (the others one point at a time).
BATCHED = ("rwa", "effective", "closed-form")


def run(
    base_p: Parameters,
    axes: list[Axis | str],
    out: Path,
    options: RunOptions | dict[str, Any] | None = None,
    *,
    workers: int | None = None,
    map_name: str | None = None,
    force: bool = False,
    plot: bool | str = True,
    pdf: bool = False,
    progress: Any = True,
    preset: str | None = None,
    command: str = "",
    **kwargs: Any,
) -> Path:
    """Run (or resume) a scan into the folder ``out``; returns the CSV path.

    Parameters
    ----------
    base_p : Parameters
        Every parameter that the grid does not set.
    axes : list of Axis or str
        Each an :class:`~gravsim.workflows.scan.grid.Axis` or its text as the command line takes
        it (``"E_plus=lin:20:199:40"``, see :func:`~gravsim.workflows.scan.grid.parse_axis`);
        their product is the grid.
    out : Path
        Folder of ``scan.csv``, ``scan.json`` (and the plot, see :func:`figure`).
    options : RunOptions or dict, optional
        ``model``, ``gravity``, ``backend``, ``base``, ``n_mech``, ``n_cav``, ``solver``,
        ``frame``, ``tol``: as :func:`gravsim.workflows.steady.compute`
        (:class:`~gravsim.workflows.options.RunOptions`), or as keywords; every point is
        solved with the one options object built from them.
    workers, map_name
        Fock backend: parallel workers (default 1) and QuTiP map (default ``"serial"``,
        ``"parallel"`` once ``workers`` > 1).
    force : bool
        Replace a scan with other inputs in ``out`` instead of refusing.
    plot : bool or str
        Write ``scan.png`` (see :func:`figure`) of the default quantity (True), of this
        quantity (a result key), or none (False); grids of one or two axes only.
    pdf : bool
        Also write the plot as ``scan.pdf``.
    progress : bool, str or callable
        A tqdm bar over the points (``True`` or a QuTiP bar name; :mod:`gravsim.progress`).
    preset, command : str
        Recorded in the sidecar (the preset is part of the run identity).

    Raises
    ------
    GravsimInputError
        Before any work: a bad combination of options, grid keys that conflict, a folder
        that cannot be written, is in use, or holds a scan with other inputs, a grid too
        large for the free disk space.
    """
    run = RunOptions.from_any(options, **kwargs)  # a bad combination fails here, not per point
    progress = shown(progress)
    model, gravity, backend = run.model, run.gravity, run.backend
    options = _options(run)  # what ran, resolved: the run identity
    point = RunOptions.from_kwargs(**options)  # the one object every point is solved with
    check_parallel(backend, workers, map_name)
    grid = Grid([_axis(a) for a in axes])
    quantity = _plot_quantity(plot, model, gravity, backend, len(axes))
    header = columns(grid, model, gravity, backend, chooses_levels(point))
    identity = run_identity(
        kind="scan",
        preset=preset,
        parameters=base_p.as_dict(),
        grid=[a.to_dict() for a in grid.axes],
        options=options,
    )
    with RunFolder(Path(out), "scan", identity, force=force) as folder:
        _check_disk(folder.path, grid.size, len(header))
        if not folder.resumed:
            folder.write_sidecar(_sidecar(grid, options, base_p, preset, command, "running"))
        started = time.perf_counter()
        csv_path = _fill(folder, header, grid, base_p, point, (workers, map_name), progress)
        summary = _sidecar(grid, options, base_p, preset, command, "complete")
        summary["wall_time_s_last_run"] = time.perf_counter() - started
        summary["points"] = _count(csv_path)
        folder.write_sidecar(summary)
        if summary["points"]["ok"] == 0:
            warnings.warn(
                "no point of the grid has a result: the status column of scan.csv says why",
                GravsimWarning,
                stacklevel=2,
            )
        if quantity is not None:
            folder.write_figure(figure(load(folder.path), quantity), pdf)
    return csv_path


def _axis(axis: Any) -> Axis:
    """An axis as given, or parsed from its command-line text."""
    if isinstance(axis, str):
        return parse_axis(axis)
    if not isinstance(axis, Axis):
        raise GravsimInputError(
            f"a scan axis is text such as 'E_plus=lin:20:199:40' or an Axis, not {axis!r}"
        )
    return axis


def _fill(folder, header, grid, base_p, point: RunOptions, parallel, progress) -> Path:
    """Solve every point not yet in the folder's CSV, appending rows; leave it sorted."""
    csv_path = folder.file(".csv")
    stale = folder.path / f".{csv_path.name}.tmp"  # a sort cut short by a kill
    stale.unlink(missing_ok=True)
    rows = Rows(csv_path, header, grid.size, folder.resumed)
    todo = np.flatnonzero(~rows.done)
    try:
        if todo.size == 0:
            warnings.warn(
                f"the scan in {str(folder.path)!r} was complete already: nothing computed "
                "again (pass `force=True` to recompute it, or choose another `out`)",
                GravsimWarning,
                stacklevel=3,
            )
        elif point.backend == "gaussian" and point.model in BATCHED:
            run_batched(base_p, grid, todo, point, rows, progress)
        elif point.backend == "gaussian":
            run_points(base_p, grid, todo, point, rows, progress)
        else:
            run_fock(base_p, grid, todo, point, rows, *parallel, progress)
    finally:
        rows.close()
    rows.sort(folder)
    return csv_path


def _plot_quantity(plot: bool | str, model, gravity, backend, n_axes) -> str | None:
    """The quantity to plot (None: no plot), checked before any work."""
    if plot is False:
        return None
    keys = plot_keys(model, gravity, backend)
    if plot is not True and plot not in keys:
        raise GravsimInputError(
            f"`plot` {plot!r} is not a result of this scan: choose one of {', '.join(keys)}"
        )
    if n_axes > 2:
        if plot is not True:
            warnings.warn("`plot` has no effect on a grid of more than two axes", GravsimWarning, 3)
        return None
    if plot is True:
        return "delta_E" if len(choose(gravity)) == 2 else "E_N"
    return plot


def _options(run: RunOptions) -> dict[str, Any]:
    """What :func:`gravsim.workflows.steady.compute` gets for every point: the Fock defaults
    resolved (so that the run identity names what ran), unused options left out.  On the
    static Fock rungs levels not given are chosen per point from its Gaussian state, as
    ``steady`` chooses them (the columns ``n_mech_chosen``, ``n_cav_chosen`` say which)."""
    model, backend = run.model, run.backend
    fock = run.fock.resolved(model, auto=True)  # static rungs: levels not given stay None
    options: dict[str, Any] = dict(model=model, gravity=run.gravity, backend=backend, base=run.base)
    if backend == "fock":
        truncation.check_levels(fock.n_mech, fock.n_cav)
        if fock.n_mech is not None:
            options["n_mech"] = fock.n_mech
        if uses("n_cav", model, backend) and fock.n_cav is not None:
            options["n_cav"] = fock.n_cav
        if not chooses_levels(run):
            # the same for every point: refused once, before the grid, not as a row per point
            dims = (fock.n_mech,) * 2 + ((fock.n_cav,) if "n_cav" in options else ())
            truncation.check_memory(dims, factorised=model not in PERIODIC)
        if uses("solver", model, backend):
            options["solver"] = fock.solver
        if uses("tol", model, backend) and fock.tol is not None:
            options["tol"] = fock.tol
    if uses("frame", model, backend):
        options["frame"] = fock.frame
    return options


def _check_disk(folder: Path, points: int, n_columns: int) -> None:
    """Refuse a grid whose CSV cannot fit on the disk (~22 bytes a cell)."""
    need = points * n_columns * 22
    free = shutil.disk_usage(folder).free
    if need > free:
        raise GravsimInputError(
            f"a scan of {points} points needs ~{need / 1e9:.3g} GB for scan.csv, but "
            f"{free / 1e9:.3g} GB are free: use fewer points or another `out`"
        )


def _sidecar(grid, options, base_p, preset, command, status) -> dict[str, Any]:
    from gravsim.model.units import UNITS

    return {
        "result_type": "ScanData",
        "status": status,
        "command": command,
        "preset": preset,
        "grid": [a.to_dict() for a in grid.axes],
        "shape": list(grid.shape),
        "options": options,
        "parameters": base_p.as_dict(),
        "units": UNITS,
    }


def _count(csv_path: Path) -> dict[str, int]:
    counts = {"ok": 0, "failed": 0}
    with csv_path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            counts["ok" if row["status"] == "ok" else "failed"] += 1
    return counts
