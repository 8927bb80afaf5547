"""How a scan's points are solved: batched Gaussian chunks, point by point, or Fock points
through QuTiP's maps (with workers that die with their scan)."""

from __future__ import annotations

import os
import signal
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from gravsim.errors import GravsimError, GravsimInputError, GravsimWarning
from gravsim.model.parameters import (
    unchecked,
)
from gravsim.workflows import steady
from gravsim.workflows.options import RunOptions, chooses_levels
from gravsim.workflows.scan.table import parameter_cells

#: Points per batched Gaussian solve (~0.5 s each at the paper preset).
CHUNK = 2048
MAPS = ("serial", "parallel", "loky", "mpi")


def check_parallel(backend: str, workers: int | None, map_name: str | None) -> None:
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


# ---------------------------------------------------------------------- Gaussian, batched
def run_batched(base_p, grid, todo, options, rows, progress) -> None:
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
        params = {key: _flat(v, indices.size) for key, v in parameter_cells(batch).items()}
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
        result = steady.compute(p, options).values
    except GravsimError:
        half = group.size // 2
        _solve_group(base_p, grid, indices, values, group[:half], options, out)
        _solve_group(base_p, grid, indices, values, group[half:], options, out)
        return
    keys = steady.result_keys(
        options.model, options.models, options.backend, chooses_levels(options)
    )
    columns = {key: _flat(result[key], group.size) for key in keys if key in result}
    columns |= {key: _flat(v, group.size) for key, v in parameter_cells(p).items()}
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


def _meta(options: RunOptions) -> dict[str, str]:
    return {"log_base": options.base, "model": options.model, "backend": options.backend}


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
            values = steady.compute(p, options).values
    except GravsimError as exc:
        kind = "numerical failure" if exc.exit_code == 3 else "error"
        with unchecked():
            p = base_p.replace(**point)
        return {"index": index, **point, "status": f"{kind}: {exc}"} | meta | parameter_cells(p)
    keys = steady.result_keys(
        options.model, options.models, options.backend, chooses_levels(options)
    )
    results = {k: values[k] for k in keys if k in values}
    return {"index": index, **point, "status": "ok"} | results | meta | parameter_cells(p)


def run_points(base_p, grid, todo, options, rows, progress) -> None:
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


def run_fock(base_p, grid, todo, options, rows, workers, map_name, progress) -> None:
    import qutip

    map_name = map_name or ("parallel" if (workers or 1) > 1 else "serial")
    workers = _capped_workers(workers or 1, len(todo), map_name)
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


def _capped_workers(workers: int, points: int, map_name: str) -> int:
    """At most one worker per point left and, on this machine's maps, per core (said in a
    warning when it caps); MPI's workers may run on other nodes, so only the points cap them."""
    limits = [(max(points, 1), f"{points} points are left to solve")]
    if map_name in ("parallel", "loky"):
        cores = os.cpu_count() or 1
        limits.append((cores, f"this machine has {cores} cores"))
    cap, reason = min(limits)
    if workers <= cap:
        return workers
    warnings.warn(f"`workers` {workers} capped at {cap}: {reason}", GravsimWarning, stacklevel=4)
    return cap


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
