"""Parameter scans: product grids, rows written as they finish, resumable, plotted.

``gravsim scan --grid E_plus=lin:50:150:21 --grid E_minus=log:180:400:21 --out DIR``

* Grid axes: ``KEY=lin:START:STOP:N``, ``KEY=log:START:STOP:N`` (log-spaced, both ends
  included) or ``KEY=v1,v2,...``; several ``--grid`` give the product grid, first axis
  slowest.  Points are numbered in that (C) order.
* Gaussian backend: the grid is solved in batched chunks (one batched Lyapunov solve per
  chunk, no Python loop per point); a chunk that contains an invalid or unstable point is
  redone point by point so that such points become rows with a ``status``, not crashes.
* Fock backend: one task per point through QuTiP's own maps (``serial_map``,
  ``parallel_map``, ``loky_pmap``, ``mpi_pmap``); BLAS threads are capped at
  cores/workers in each worker.
* Rows are appended to ``scan.csv`` and flushed as points finish, so a crash or ``kill -9``
  loses no finished row; rerunning the same command skips the indices already written.  At
  the end the file is rewritten in grid order, identical to an uninterrupted run.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from . import steady
from .errors import GravsimInputError
from .parameters import DERIVED_KEYS, INPUT_KEYS, Parameters
from .parsing import parse_number
from .results import save_figure

CHUNK = 2048
MAPS = ("serial", "parallel", "loky", "mpi")
RESULT_KEYS = ("E_N_quantum", "E_N_classical", "delta_E", "E_N")


@dataclass(frozen=True)
class Axis:
    """One grid axis: a parameter name and its values."""

    key: str
    values: np.ndarray


def parse_axis(spec: str) -> Axis:
    """``KEY=lin:START:STOP:N`` | ``KEY=log:START:STOP:N`` | ``KEY=v1,v2,...``."""
    key, sep, rest = spec.partition("=")
    if not sep or not key.strip() or not rest:
        raise GravsimInputError(
            f"--grid needs KEY=lin:START:STOP:N, log:... or a list; got {spec!r}"
        )
    key = key.strip()
    parts = rest.split(":")
    if parts[0] in ("lin", "log"):
        if len(parts) != 4:
            raise GravsimInputError(f"--grid {spec!r}: give {parts[0]}:START:STOP:N")
        start, stop = parse_number(parts[1]), parse_number(parts[2])
        try:
            n = int(parts[3])
        except ValueError:
            raise GravsimInputError(f"--grid {spec!r}: N must be an integer") from None
        if n < 1:
            raise GravsimInputError(f"--grid {spec!r}: N must be >= 1")
        if parts[0] == "log":
            if start <= 0 or stop <= 0:
                raise GravsimInputError(f"--grid {spec!r}: log axes need START, STOP > 0")
            values = np.geomspace(start, stop, n)
        else:
            values = np.linspace(start, stop, n)
    else:
        values = np.array([parse_number(v) for v in rest.split(",")])
    return Axis(key, values)


def points(axes: list[Axis]) -> list[dict[str, float]]:
    """The product grid in C order (first axis slowest)."""
    return [
        {a.key: float(v) for a, v in zip(axes, combo, strict=True)}
        for combo in itertools.product(*(a.values for a in axes))
    ]


def _columns(axes: list[Axis]) -> list[str]:
    keys = [a.key for a in axes]
    params = [k for k in INPUT_KEYS + DERIVED_KEYS if k not in keys]
    return ["index", *keys, "status", *RESULT_KEYS, "log_base", "model", "backend", *params]


def _row(
    index: int,
    point: dict[str, float],
    values: dict[str, Any],
    p: Parameters | None,
    status: str,
    meta: dict[str, str],
    k: int | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {"index": index, **point, "status": status, **meta}
    for key in RESULT_KEYS:
        if key in values:
            v = np.asarray(values[key])
            row[key] = float(v if k is None else v.reshape(-1)[k])
    if p is not None:
        for key, v in p.as_dict().items():
            if key in INPUT_KEYS or key in DERIVED_KEYS:
                row[key] = v if k is None or not isinstance(v, list) else np.ravel(v)[k]
    return row


def _point_task(
    point_and_index: tuple[int, dict[str, float]],
    base_p: Parameters,
    options: dict[str, Any],
    threads: int | None = None,
) -> dict[str, Any]:
    index, point = point_and_index
    meta = {"log_base": options["base"], "model": options["model"], "backend": options["backend"]}
    try:
        p = base_p.replace(**point)
        with threadpool_limits(limits=threads):  # BLAS and OpenMP (MKL PARDISO) threads
            result = steady.compute(p, **options)
        return _row(index, point, result.values, p, "ok", meta)
    except GravsimInputError as exc:
        return _row(index, point, {}, None, f"error: {exc}", meta)


class _Writer:
    """Appends rows to the CSV and flushes each one."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        new = not path.exists() or path.stat().st_size == 0
        self.fh = path.open("a", newline="")
        self.writer = csv.DictWriter(self.fh, fieldnames=columns, extrasaction="ignore")
        if new:
            self.writer.writeheader()
            self.fh.flush()

    def __call__(self, row: dict[str, Any]) -> None:
        self.writer.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in row.items()})
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.fh.close()


def done_indices(path: Path) -> set[int]:
    """Indices already in ``path`` (complete lines only)."""
    if not path.exists():
        return set()
    done = set()
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("index", "").isdigit() and row.get("status"):
                done.add(int(row["index"]))
    return done


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
    n_cav: int = steady.DEFAULT_N_CAV,
    workers: int = 1,
    map_name: str = "serial",
    solver: str = "auto",
    frame: str = "displaced",
    progress: bool = True,
    command: str = "",
) -> Path:
    """Run (or resume) a scan into ``out``; returns the CSV path.

    ``n_mech`` defaults to :func:`gravsim.steady.compute`'s; ``frame`` is used by the full
    model only.
    """
    if map_name not in MAPS:
        raise GravsimInputError(f"unknown --map {map_name!r}: choose one of {', '.join(MAPS)}")
    steady.check_options(model, gravity, backend)  # a bad combination fails here, not per point
    for axis in axes:
        base_p.replace(**{axis.key: float(axis.values[0])})  # unknown keys fail here, early
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "scan.csv"
    grid = points(axes)
    columns = _columns(axes)
    done = done_indices(csv_path)
    todo = [(i, pt) for i, pt in enumerate(grid) if i not in done]
    options = dict(model=model, gravity=gravity, backend=backend, base=base)
    if backend == "fock":
        options |= dict(n_mech=n_mech, n_cav=n_cav, solver=solver)
    if model == "full":
        options["frame"] = frame
    _write_sidecar(out, base_p, axes, options, command)
    writer = _Writer(csv_path, columns)
    try:
        if backend == "gaussian":
            _run_gaussian(base_p, todo, options, writer, progress)
        else:
            _run_fock(base_p, todo, options, writer, workers, map_name, progress)
    finally:
        writer.close()
    _sort_csv(csv_path, columns)
    return csv_path


def _run_gaussian(base_p, todo, options, writer, progress) -> None:
    from tqdm import tqdm

    meta = {"log_base": options["base"], "model": options["model"], "backend": "gaussian"}
    bar = tqdm(total=len(todo), disable=not progress, unit="pt", desc="scan")
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start : start + CHUNK]
        keys = list(chunk[0][1])
        arrays = {k: np.array([pt[k] for _, pt in chunk]) for k in keys}
        try:
            p = base_p.replace(**arrays)
            result = steady.compute(p, **options)
            rows = [_row(i, pt, result.values, p, "ok", meta, k) for k, (i, pt) in enumerate(chunk)]
        except GravsimInputError:
            rows = [_point_task(item, base_p, options) for item in chunk]
        for row in rows:
            writer(row)
        bar.update(len(chunk))
    bar.close()


def _run_fock(base_p, todo, options, writer, workers, map_name, progress) -> None:
    import qutip

    maps = {
        "serial": qutip.serial_map,
        "parallel": qutip.parallel_map,
        "loky": qutip.loky_pmap,
        "mpi": qutip.mpi_pmap,
    }
    if workers > 1 and map_name == "serial":
        map_name = "parallel"  # concurrent.futures: no extra dependency (loky is optional)
    if map_name == "loky":
        try:
            import loky  # noqa: F401
        except ImportError:
            raise GravsimInputError(
                "--map loky needs the loky package: pip install loky, or use --map parallel"
            ) from None
    # cap every worker at cores/workers threads (env variables would come too late: the
    # libraries are loaded already, and forked workers inherit their thread pools)
    threads = max(1, (os.cpu_count() or 1) // max(1, workers)) if workers > 1 else None
    maps[map_name](
        _point_task,
        todo,
        task_args=(base_p, options, threads),
        reduce_func=writer,
        map_kw={"num_cpus": workers} if map_name != "serial" else None,
        progress_bar="tqdm" if progress else None,
    )


def _sort_csv(path: Path, columns: list[str]) -> None:
    with path.open(newline="") as fh:
        rows = {int(r["index"]): r for r in csv.DictReader(fh) if r.get("index", "").isdigit()}
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        for i in sorted(rows):
            w.writerow(rows[i])
    tmp.replace(path)


def _write_sidecar(out, base_p, axes, options, command) -> None:
    from .figures import versions
    from .parameters import UNITS

    (out / "scan.json").write_text(
        json.dumps(
            {
                "command": command,
                "grid": {a.key: a.values.tolist() for a in axes},
                "options": options,
                "parameters": base_p.as_dict(),
                "units": UNITS,
                "versions": versions(),
            },
            indent=2,
            ensure_ascii=False,
        )
    )


def plot(
    csv_path: Path, axes: list[Axis], quantity: str = "delta_E", pdf: bool = False
) -> list[Path]:
    """Line plot (one axis) or heat map (two axes) of ``quantity``; failed points marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    with csv_path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    if rows and not any(r.get(quantity) for r in rows):
        quantity = "E_N"  # a single-gravity scan has no delta_E
    ok = np.array([r["status"] == "ok" for r in rows])
    y = np.array([float(r[quantity]) if r.get(quantity) else np.nan for r in rows])
    base = rows[0]["log_base"] if rows else "e"
    label = f"{quantity} ({'nats' if base == 'e' else 'bits'})"
    fig, ax = plt.subplots(figsize=(6.4, 4.6), constrained_layout=True)
    if len(axes) == 1:
        x = axes[0].values
        ax.plot(x[ok], y[ok], "o-", ms=3)
        for xv in x[~ok]:
            ax.axvline(xv, color="0.8", lw=3)
        if np.any(ok) and np.all(y[ok] > 0):
            ax.set_yscale("log")
        ax.set_xlabel(axes[0].key)
        ax.set_ylabel(label)
        ax.set_title("grey: no steady state / outside the rung's regime")
    else:
        shape = tuple(len(a.values) for a in axes[:2])
        z = np.where(ok, y, np.nan).reshape(shape)
        positive = z[np.isfinite(z) & (z > 0)]
        norm = LogNorm(positive.min(), positive.max()) if positive.size else None
        mesh = ax.pcolormesh(axes[1].values, axes[0].values, z, norm=norm, shading="nearest")
        bad = (~ok).reshape(shape)
        if np.any(bad):
            ax.contourf(
                axes[1].values, axes[0].values, bad, levels=[0.5, 1.5], colors="0.8", hatches=["//"]
            )
        fig.colorbar(mesh, ax=ax, label=label)
        ax.set_xlabel(axes[1].key)
        ax.set_ylabel(axes[0].key)
        ax.set_title("hatched: no steady state / outside the rung's regime")
    return save_figure(fig, csv_path.with_name("scan.png"), pdf)
