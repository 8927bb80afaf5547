"""Parameter scans: product grids, rows written as they finish, resumable, plotted.

``gravsim scan --grid E_plus=lin:50:150:21 --grid E_minus=log:180:400:21 --out DIR``

* Grid axes: ``KEY=lin:START:STOP:N``, ``KEY=log:START:STOP:N`` (log-spaced, both ends
  included) or ``KEY=v1,v2,...``; several ``--grid`` give the product grid, first axis
  slowest.  Points are numbered in that (C) order: the ``index`` column.
* Gaussian backend, static rungs: the grid is solved in batched chunks of :data:`CHUNK`
  points.  Each chunk's parameters are validated together (:meth:`Parameters.invalid_points`);
  invalid points (G₊ ≥ G₋, a derived quantity out of range) become status rows and the
  valid ones are solved in one batched Lyapunov solve.  A batch that fails as a whole (an
  unstable drift at some point) is split in halves until the failing points stand alone.
  ``linear`` and ``conventional`` are solved point by point, each row written as it is done.
* Fock backend: one task per point through QuTiP's own maps (``serial_map``,
  ``parallel_map``, ``loky_pmap``, ``mpi_pmap``); BLAS threads are capped at cores/workers
  in each worker, and a worker whose scan died (``kill -9``) exits within a second.
* Rows (``scan.csv``): the index, the grid values, ``status`` (``ok`` or the one-line
  reason a point failed), the results of :func:`gravsim.steady.result_keys`, the log base,
  model and backend, and every other parameter.  Numbers are plain floats (``repr``);
  failed rows keep their parameter columns.
* Nothing is lost, nothing is mixed: the run identity (preset, parameters, grid, options,
  versions) is in ``scan.json`` (:mod:`gravsim.run_folder`).  Rows are appended and flushed
  as they finish (fsync per chunk or point); rerunning the same command skips the indices
  already written, repairs a last line cut in half, and leaves the file in grid order,
  byte-identical to an uninterrupted run (but for the Fock rows' ``wall_time_s``).  A rerun
  with other inputs is refused unless ``force=True``; a second scan into a folder in use is
  refused.
* :func:`load` reads a scan back as columns, with :meth:`ScanData.grid` for the values on
  the grid's shape and :meth:`ScanData.to_pandas` where pandas is installed.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import signal
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from gravsim.errors import GravsimError, GravsimInputError, GravsimWarning
from gravsim.fock import truncation
from gravsim.model.inputs import parse_number
from gravsim.model.parameters import (
    DERIVED_KEYS,
    INPUT_KEYS,
    OVERRIDABLE,
    Parameters,
    conflicting_keys,
    known_keys,
    unchecked,
)
from gravsim.plotting import new_figure
from gravsim.workflows import steady
from gravsim.workflows.results import csv_cell
from gravsim.workflows.run_folder import RunFolder, run_identity

#: Points per batched Gaussian solve (~0.5 s each at the paper preset).
CHUNK = 2048
MAPS = ("serial", "parallel", "loky", "mpi")
#: Most values one axis may have (its values are held in memory).
MAX_AXIS = 10_000_000
#: Rungs the Gaussian backend solves as one batch (the others one point at a time).
BATCHED = ("rwa", "effective", "closed-form")
#: Columns that hold text, not numbers.
TEXT_COLUMNS = ("status", "log_base", "model", "backend", "solver", "kG_convention")
SCAN_KEYS = set(INPUT_KEYS) | set(OVERRIDABLE) | {"Q_m"}


@dataclass(frozen=True)
class Axis:
    """One grid axis: a parameter name, its values and, when parsed, the spec they came from.

    ``spec`` is ``("lin" | "log", start, stop, n)`` or None (values given as a list).
    """

    key: str
    values: np.ndarray
    spec: tuple[str, float, float, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the sidecar: the spec where there is one, else the values."""
        if self.spec is not None:
            kind, start, stop, n = self.spec
            return {"key": self.key, "kind": kind, "start": start, "stop": stop, "n": n}
        return {"key": self.key, "kind": "list", "values": [float(v) for v in self.values]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Axis:
        """The axis :meth:`to_dict` describes."""
        if data["kind"] == "list":
            return cls(data["key"], np.array(data["values"], dtype=float))
        spec = (data["kind"], data["start"], data["stop"], data["n"])
        return cls(data["key"], _spaced(*spec), spec)


def _spaced(kind: str, start: float, stop: float, n: int) -> np.ndarray:
    return np.geomspace(start, stop, n) if kind == "log" else np.linspace(start, stop, n)


def parse_axis(spec: str) -> Axis:
    """``KEY=lin:START:STOP:N`` | ``KEY=log:START:STOP:N`` | ``KEY=v1,v2,...``.

    Raises
    ------
    GravsimInputError
        For a malformed spec, an unknown key, N < 1 or above :data:`MAX_AXIS`, or a log
        axis with a bound <= 0.
    """
    key, sep, rest = spec.partition("=")
    key = key.strip()
    if not sep or not key or not rest:
        raise GravsimInputError(
            f"a grid axis is KEY=lin:START:STOP:N, KEY=log:START:STOP:N or KEY=v1,v2,...; "
            f"got {spec!r}"
        )
    if key not in SCAN_KEYS:
        raise GravsimInputError(f"unknown grid key {key!r}: known keys are {known_keys()}")
    parts = rest.split(":")
    if parts[0] not in ("lin", "log"):
        values = np.array([parse_number(v) for v in rest.split(",")])
        if not np.all(np.isfinite(values)):
            raise GravsimInputError(f"grid axis {spec!r}: every value must be finite")
        return Axis(key, values)
    if len(parts) != 4:
        raise GravsimInputError(f"grid axis {spec!r}: give {parts[0]}:START:STOP:N")
    start, stop = parse_number(parts[1]), parse_number(parts[2])
    try:
        n = int(parts[3])
    except ValueError:
        raise GravsimInputError(f"grid axis {spec!r}: N must be a whole number") from None
    if not 1 <= n <= MAX_AXIS:
        raise GravsimInputError(f"grid axis {spec!r}: N must lie in 1 ... {MAX_AXIS}")
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise GravsimInputError(f"grid axis {spec!r}: START and STOP must be finite")
    if parts[0] == "log" and (start <= 0 or stop <= 0):
        raise GravsimInputError(f"grid axis {spec!r}: a log axis needs START, STOP > 0")
    return Axis(key, _spaced(parts[0], start, stop, n), (parts[0], start, stop, n))


class Grid:
    """The product of some axes, first axis slowest; points are addressed by their index."""

    def __init__(self, axes: list[Axis]) -> None:
        keys = [a.key for a in axes]
        if not axes:
            raise GravsimInputError("a scan needs at least one grid axis")
        for key in keys:
            if keys.count(key) > 1:
                raise GravsimInputError(f"grid key {key!r} is given twice: give one axis per key")
        conflict = conflicting_keys(keys)
        if conflict:
            raise GravsimInputError(f"grid axes: {conflict}")
        self.axes = tuple(axes)
        self.keys = tuple(keys)
        self.shape = tuple(len(a.values) for a in axes)
        self.size = math.prod(self.shape)

    def values(self, indices: np.ndarray) -> dict[str, np.ndarray]:
        """Each axis's value at the points ``indices`` (arrays of the same length)."""
        where = np.unravel_index(indices, self.shape)
        return {a.key: a.values[k] for a, k in zip(self.axes, where, strict=True)}

    def point(self, index: int) -> dict[str, float]:
        """The grid values of one point as plain floats."""
        return {k: float(v[0]) for k, v in self.values(np.array([index])).items()}


def columns(grid: Grid, model: str, gravity: str, backend: str) -> list[str]:
    """The CSV header: index, grid keys, status, results, method, the other parameters."""
    params = [k for k in INPUT_KEYS + DERIVED_KEYS if k not in grid.keys]
    results = steady.result_keys(model, gravity, backend)
    return ["index", *grid.keys, "status", *results, "log_base", "model", "backend", *params]


def _parameter_cells(p: Parameters) -> dict[str, Any]:
    """Every input and derived parameter of ``p`` (arrays over a batch, or plain values)."""
    with np.errstate(all="ignore"):  # invalid points: NaN where undefined (r at G₊ ≥ G₋)
        return {key: getattr(p, key) for key in INPUT_KEYS + DERIVED_KEYS}


def _column_cells(values: list[Any]) -> list[str]:
    """CSV cells of one column (:func:`~gravsim.results.csv_cell`; a float column at C speed)."""
    if all(type(v) is float for v in values):
        return list(map(repr, values))
    return [csv_cell(v) for v in values]


class _Rows:
    """``scan.csv``: the header, rows appended and flushed, the indices already written."""

    def __init__(self, path: Path, header: list[str], size: int, resumed: bool) -> None:
        self.path = path
        self.header = header
        self.done = np.zeros(size, dtype=bool)
        self.in_order = True
        self.last = -1
        if resumed and path.exists():
            self._read_back()
            self.fh = path.open("a", newline="")
        else:
            self.fh = path.open("w", newline="")
            self.fh.write(self._line(header))
            self._sync()

    def _read_back(self) -> None:
        """Indices already written; a last line without its newline (a kill) is cut off."""
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            with self.path.open("r+b") as fh:
                fh.truncate(end)
        lines = data[:end].decode().splitlines()
        if not lines or next(csv.reader([lines[0]])) != self.header:
            raise GravsimInputError(
                f"{str(self.path)!r} does not have this scan's columns: pass `force=True` to "
                "start afresh, or choose another `out`"
            )
        for line in lines[1:]:
            index = int(line.partition(",")[0])
            if not 0 <= index < self.done.size or self.done[index]:
                raise GravsimInputError(
                    f"{str(self.path)!r} holds a row (index {index}) that is not one of this "
                    "grid's points, or holds it twice: pass `force=True` to start afresh"
                )
            self.done[index] = True
            self.in_order &= index > self.last
            self.last = index

    def _line(self, cells: list[str]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(cells)
        return buffer.getvalue()

    def _sync(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Append ``rows`` (dicts by column) and flush them to disk (fsync)."""
        for row in rows:
            index = row["index"]
            self.in_order &= index > self.last
            self.last = index
            self.done[index] = True
        cells = [_column_cells([row.get(c) for row in rows]) for c in self.header]
        buffer = io.StringIO()
        csv.writer(buffer).writerows(zip(*cells, strict=True))
        self.fh.write(buffer.getvalue())
        self._sync()

    def close(self) -> None:
        self.fh.close()

    def sort(self, folder: RunFolder) -> None:
        """Rewrite the file in index order, byte for byte the same lines, if it is not."""
        if self.in_order:
            return
        lines = self.path.read_text().splitlines(keepends=True)
        body = sorted(lines[1:], key=lambda line: int(line.partition(",")[0]))
        folder.write_text(self.path, "".join([lines[0], *body]))


def run(
    base_p: Parameters,
    axes: list[Axis],
    out: Path,
    *,
    model: str = "effective",
    gravity: str = "both",
    backend: str = "gaussian",
    base: str = "e",
    n_mech: int | None = None,
    n_cav: int | None = None,
    workers: int | None = None,
    map_name: str | None = None,
    solver: str | None = None,
    frame: str | None = None,
    force: bool = False,
    plot: bool | str = True,
    pdf: bool = False,
    progress: bool = True,
    preset: str | None = None,
    command: str = "",
) -> Path:
    """Run (or resume) a scan into the folder ``out``; returns the CSV path.

    Parameters
    ----------
    base_p : Parameters
        Every parameter that the grid does not set.
    axes : list of Axis
        From :func:`parse_axis`; their product is the grid.
    out : Path
        Folder of ``scan.csv``, ``scan.json`` (and the plot, see :func:`figure`).
    model, gravity, backend, base, n_mech, n_cav, solver, frame
        As :func:`gravsim.steady.compute`.
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
    progress : bool
        A tqdm progress bar.
    preset, command : str
        Recorded in the sidecar (the preset is part of the run identity).

    Raises
    ------
    GravsimInputError
        Before any work: a bad combination of options, grid keys that conflict, a folder
        that cannot be written, is in use, or holds a scan with other inputs, a grid too
        large for the free disk space.
    """
    steady.check_options(model, gravity, backend)  # a bad combination fails here, not per point
    options = _options(model, gravity, backend, base, n_mech, n_cav, solver, frame)
    _check_parallel(backend, workers, map_name)
    grid = Grid(axes)
    quantity = _plot_quantity(plot, model, gravity, backend, len(axes))
    header = columns(grid, model, gravity, backend)
    identity = run_identity(
        kind="scan",
        preset=preset,
        parameters=base_p.as_dict(),
        grid=[a.to_dict() for a in grid.axes],
        options=options,
    )
    with RunFolder(Path(out), "scan", identity, force=force) as folder:
        _check_disk(folder.path, grid.size, len(header))
        csv_path = folder.file(".csv")
        stale = folder.path / f".{csv_path.name}.tmp"  # a sort cut short by a kill
        stale.unlink(missing_ok=True)
        if not folder.resumed:
            folder.write_sidecar(_sidecar(grid, options, base_p, preset, command, "running"))
        rows = _Rows(csv_path, header, grid.size, folder.resumed)
        todo = np.flatnonzero(~rows.done)
        started = time.perf_counter()
        try:
            if backend == "gaussian" and model in BATCHED:
                _run_batched(base_p, grid, todo, options, rows, progress)
            elif backend == "gaussian":
                _run_points(base_p, grid, todo, options, rows, progress)
            else:
                _run_fock(base_p, grid, todo, options, rows, workers, map_name, progress)
        finally:
            rows.close()
        rows.sort(folder)
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
        return "delta_E" if gravity == "both" else "E_N"
    return plot


def _options(model, gravity, backend, base, n_mech, n_cav, solver, frame) -> dict[str, Any]:
    """What :func:`gravsim.steady.compute` gets for every point (warns of unused options)."""
    steady.unused_options(
        model, backend, {"n_mech": n_mech, "n_cav": n_cav, "solver": solver, "frame": frame}
    )
    options: dict[str, Any] = dict(model=model, gravity=gravity, backend=backend, base=base)
    if backend == "fock":  # defaults resolved: the run identity names what ran
        default = (
            steady.DEFAULT_N_MECH_PERIODIC if model in steady.PERIODIC else steady.DEFAULT_N_MECH
        )
        options["n_mech"] = default if n_mech is None else n_mech
        n_cav = steady.DEFAULT_N_CAV if n_cav is None else n_cav
        truncation.check_levels(options["n_mech"], n_cav)
        dims = (options["n_mech"],) * 2
        if steady.uses("n_cav", model, backend):
            options["n_cav"] = n_cav
            dims += (n_cav,)
        # the same for every point: refused once, before the grid, not as a row per point
        truncation.check_memory(dims, factorised=model not in steady.PERIODIC)
        if steady.uses("solver", model, backend):
            options["solver"] = solver or "auto"
    if steady.uses("frame", model, backend):
        options["frame"] = frame or "displaced"
    return options


def _check_parallel(backend: str, workers: int | None, map_name: str | None) -> None:
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)):
        raise GravsimInputError(f"`workers` must be a whole number, got {workers!r}")
    if workers is not None and workers < 1:
        raise GravsimInputError(f"`workers` must be >= 1, got {workers}")
    if map_name is not None and map_name not in MAPS:
        raise GravsimInputError(f"unknown `map_name` {map_name!r}: choose one of {', '.join(MAPS)}")
    if backend != "fock":
        for name, value in (("workers", workers), ("map_name", map_name)):
            if value is not None:
                warnings.warn(
                    f"`{name}` has no effect on the Gaussian backend (its points are batched)",
                    GravsimWarning,
                    stacklevel=3,
                )
        return
    needs = {"loky": ("loky", "pip install loky"), "mpi": ("mpi4py", "pip install mpi4py")}
    if map_name in needs:
        module, how = needs[map_name]
        try:
            __import__(module)
        except ImportError:
            raise GravsimInputError(
                f"`map_name='{map_name}'` needs the {module} package: {how}, or use "
                "`map_name='parallel'`"
            ) from None


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
    from gravsim.model.parameters import UNITS

    return {
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


# ---------------------------------------------------------------------- Gaussian, batched
def _run_batched(base_p, grid, todo, options, rows, progress) -> None:
    from tqdm import tqdm

    bar = tqdm(total=len(todo), disable=not progress, unit="pt", desc="scan")
    for start in range(0, len(todo), CHUNK):
        indices = todo[start : start + CHUNK]
        rows.write(_solve_chunk(base_p, grid, indices, options))
        bar.update(len(indices))
    bar.close()


def _solve_chunk(base_p, grid, indices, options) -> list[dict[str, Any]]:
    """Rows of one chunk: invalid points as status rows, the valid ones solved together."""
    values = grid.values(indices)
    with unchecked():
        batch = base_p.replace(**values)
    bad = batch.invalid_points()
    out: dict[int, dict[str, Any]] = {}
    if np.any(bad):  # their parameter columns, computed once for the chunk
        params = {key: _flat(v, indices.size) for key, v in _parameter_cells(batch).items()}
    for k in np.flatnonzero(bad):
        row = _failed_row(base_p, grid, int(indices[k])) | _meta(options)
        out[k] = row | {key: v[k] for key, v in params.items()}
    _solve_group(base_p, grid, indices, values, np.flatnonzero(~bad), options, out)
    return [out[k] for k in sorted(out)]


def _solve_group(base_p, grid, indices, values, group, options, out) -> None:
    """Solve the chunk positions ``group`` as one batch; split it where that fails."""
    if group.size == 0:
        return
    if group.size == 1:
        k = int(group[0])
        out[k] = _point_row(base_p, grid, int(indices[k]), options)
        return
    try:
        p = base_p.replace(**{key: v[group] for key, v in values.items()})
        result = steady.compute(p, **options).values
    except GravsimError:
        half = group.size // 2
        _solve_group(base_p, grid, indices, values, group[:half], options, out)
        _solve_group(base_p, grid, indices, values, group[half:], options, out)
        return
    keys = steady.result_keys(options["model"], options["gravity"], options["backend"])
    columns = {key: _flat(result[key], group.size) for key in keys if key in result}
    columns |= {key: _flat(v, group.size) for key, v in _parameter_cells(p).items()}
    meta = _meta(options)
    for j, k in enumerate(group):
        index = int(indices[k])
        row = {"index": index, **grid.point(index), "status": "ok", **meta}
        out[int(k)] = row | {key: v[j] for key, v in columns.items()}


def _flat(value: Any, n: int) -> list[Any]:
    """``value`` (a scalar, text or an array over the batch) as a list of n plain values."""
    if isinstance(value, str):
        return [value] * n
    return np.broadcast_to(value, (n,)).tolist()


def _meta(options: dict[str, Any]) -> dict[str, str]:
    return {"log_base": options["base"], "model": options["model"], "backend": options["backend"]}


def _failed_row(base_p, grid, index) -> dict[str, Any]:
    """The status row of an invalid point: index, grid values and its own one-line reason."""
    point = grid.point(index)
    try:
        base_p.replace(**point)
        reason = "invalid parameters"
    except GravsimError as exc:
        reason = str(exc)
    return {"index": index, **point, "status": f"error: {reason}"}


# ---------------------------------------------------------------------- point by point
def _point_row(base_p, grid, index, options, threads=None) -> dict[str, Any]:
    """The row of one point, solved on its own (a failure is a status row)."""
    point = grid.point(index)
    meta = _meta(options)
    try:
        p = base_p.replace(**point)
        with threadpool_limits(limits=threads):  # BLAS and OpenMP (MKL PARDISO) threads
            values = steady.compute(p, **options).values
    except GravsimError as exc:
        kind = "numerical failure" if exc.exit_code == 3 else "error"
        with unchecked():
            p = base_p.replace(**point)
        return {"index": index, **point, "status": f"{kind}: {exc}"} | meta | _parameter_cells(p)
    keys = steady.result_keys(options["model"], options["gravity"], options["backend"])
    results = {k: values[k] for k in keys if k in values}
    return {"index": index, **point, "status": "ok"} | results | meta | _parameter_cells(p)


def _run_points(base_p, grid, todo, options, rows, progress) -> None:
    from tqdm import tqdm

    for index in tqdm(todo, disable=not progress, unit="pt", desc="scan"):
        rows.write([_point_row(base_p, grid, int(index), options)])


# ---------------------------------------------------------------------- Fock, QuTiP maps
def _fock_task(index: int, base_p, grid, options, threads) -> dict[str, Any]:
    if threads is None:  # in the scan's own process
        return _point_row(base_p, grid, index, options, threads)
    _watch_parent()
    with warnings.catch_warnings():  # a worker's stderr is no place for them: the scan warned
        warnings.simplefilter("ignore", GravsimWarning)  # up front, rows carry the rest
        return _point_row(base_p, grid, index, options, threads)


_WATCHED = False


def _watch_parent() -> None:
    """In a worker: exit when the scan that started it has died; leave Ctrl-C to the scan.

    A ``kill -9`` of the scan would otherwise leave its workers finishing their points for
    minutes.  Runs once per worker process.
    """
    global _WATCHED
    if _WATCHED:
        return
    _WATCHED = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _run_fock(base_p, grid, todo, options, rows, workers, map_name, progress) -> None:
    import qutip

    workers = workers or 1
    map_name = map_name or ("parallel" if workers > 1 else "serial")
    maps: dict[str, Callable] = {
        "serial": qutip.serial_map,
        "parallel": qutip.parallel_map,
        "loky": qutip.loky_pmap,
        "mpi": qutip.mpi_pmap,
    }
    # cap every worker at cores/workers threads (env variables would come too late: the
    # libraries are loaded already, and forked workers inherit their thread pools)
    threads = max(1, (os.cpu_count() or 1) // workers) if map_name != "serial" else None
    with _workers_die_on_interrupt():
        maps[map_name](
            _fock_task,
            [int(i) for i in todo],
            task_args=(base_p, grid, options, threads),
            reduce_func=lambda row: rows.write([row]),
            map_kw={"num_cpus": workers} if map_name != "serial" else None,
            progress_bar="tqdm" if progress else None,
        )


class _workers_die_on_interrupt:  # noqa: N801 (a context manager, used like a function)
    """Ctrl-C in the scan kills its worker processes at once (they ignore SIGINT)."""

    def __enter__(self) -> None:
        self.pid = os.getpid()
        self.previous = signal.getsignal(signal.SIGINT)

        def interrupt(signum: int, frame: Any) -> None:
            if os.getpid() != self.pid:
                return  # a forked worker: its scan decides
            import multiprocessing

            for child in multiprocessing.active_children():
                child.kill()
            raise KeyboardInterrupt

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, interrupt)

    def __exit__(self, *exc: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self.previous)


# ---------------------------------------------------------------------- reading back
@dataclass(frozen=True)
class ScanData:
    """A scan read back: one array per column, in grid order, and the sidecar.

    Attributes
    ----------
    columns : dict of ndarray
        Numbers as float arrays (NaN where a point has no value), text columns
        (:data:`TEXT_COLUMNS`) as string arrays.
    axes : tuple of Axis
    sidecar : dict
        ``scan.json``: identity, command, options, parameters, units, status.
    """

    columns: dict[str, np.ndarray]
    axes: tuple[Axis, ...]
    sidecar: dict[str, Any]

    @property
    def shape(self) -> tuple[int, ...]:
        """The grid's shape (one entry per axis)."""
        return tuple(len(a.values) for a in self.axes)

    @property
    def ok(self) -> np.ndarray:
        """Which rows solved (``status == "ok"``)."""
        return self.columns["status"] == "ok"

    def grid(self, key: str) -> np.ndarray:
        """Column ``key`` on the grid's shape (NaN at missing points and failed points).

        Raises
        ------
        GravsimInputError
            For a column that is not a number column of this scan.
        """
        column = self.columns.get(key)
        if column is None or column.dtype.kind != "f":
            numeric = [k for k, v in self.columns.items() if v.dtype.kind == "f"]
            raise GravsimInputError(f"no number column {key!r}: choose one of {numeric}")
        out = np.full(math.prod(self.shape), np.nan)
        index = self.columns["index"].astype(int)
        out[index] = np.where(self.ok, column, np.nan)
        return out.reshape(self.shape)

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (needs pandas)."""
        import pandas

        return pandas.DataFrame(self.columns)


def load(folder: Path | str) -> ScanData:
    """Read the scan in ``folder`` (``scan.csv`` and ``scan.json``).

    Raises
    ------
    GravsimInputError
        If the folder holds no scan.
    """
    folder = Path(folder)
    try:
        sidecar = json.loads((folder / "scan.json").read_text())
        with (folder / "scan.csv").open(newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            cells = list(reader)
    except (OSError, ValueError, StopIteration) as exc:
        raise GravsimInputError(f"no readable scan in {str(folder)!r} ({exc})") from None
    data: dict[str, np.ndarray] = {}
    for j, name in enumerate(header):
        raw = [row[j] if j < len(row) else "" for row in cells]
        if name in TEXT_COLUMNS or name.startswith("truncation_warning"):
            data[name] = np.array(raw, dtype=str)
        else:
            data[name] = np.array([float(x) if x else np.nan for x in raw])
    axes = tuple(Axis.from_dict(a) for a in sidecar["grid"])
    return ScanData(data, axes, sidecar)


# ---------------------------------------------------------------------- plot
def plot_keys(model: str, gravity: str, backend: str) -> tuple[str, ...]:
    """The quantities a scan of this combination can plot."""
    return tuple(
        k
        for k in steady.result_keys(model, gravity, backend)
        if k not in TEXT_COLUMNS and not k.startswith("truncation_warning")
    )


def figure(data: ScanData, quantity: str | None = None) -> Any:
    """Line plot (one axis) or heat map (two axes) of ``quantity``; failed points marked.

    ``quantity`` defaults to ΔE (E_N for a scan of one gravity model).

    Raises
    ------
    GravsimInputError
        For a quantity the scan does not have, or a grid of more than two axes.
    """
    from matplotlib.colors import LogNorm

    if len(data.axes) > 2:
        raise GravsimInputError("a plot shows one or two grid axes; this scan has more")
    if quantity is None:
        quantity = "delta_E" if "delta_E" in data.columns else "E_N"
    z = data.grid(quantity)
    ok = np.isfinite(data.grid("index"))  # the solved points (NaN elsewhere)
    base = data.sidecar["options"]["base"]
    unit = "nats" if base == "e" else "bits"
    label = f"{quantity} ({unit})" if quantity.startswith(("E_N", "delta_E")) else quantity
    fig, ax = new_figure((6.4, 4.6))
    if len(data.axes) == 1:
        x = data.axes[0].values
        ax.plot(x[ok], z[ok], "o-", ms=3)
        for xv in x[~ok]:
            ax.axvline(xv, color="0.8", lw=3)
        if np.any(ok) and np.all(z[ok] > 0):
            ax.set_yscale("log")
        ax.set_xlabel(data.axes[0].key)
        ax.set_ylabel(label)
        ax.set_title("grey: no steady state / outside the rung's regime")
        return fig
    positive = z[np.isfinite(z) & (z > 0)]
    norm = LogNorm(positive.min(), positive.max()) if positive.size else None
    y_axis, x_axis = data.axes
    mesh = ax.pcolormesh(x_axis.values, y_axis.values, z, norm=norm, shading="nearest")
    if np.any(~ok) and min(z.shape) > 1:  # contours need two values on each axis
        ax.contourf(
            x_axis.values, y_axis.values, ~ok, levels=[0.5, 1.5], colors="0.8", hatches=["//"]
        )
    fig.colorbar(mesh, ax=ax, label=label)
    ax.set_xlabel(x_axis.key)
    ax.set_ylabel(y_axis.key)
    ax.set_title("hatched: no steady state / outside the rung's regime")
    return fig
