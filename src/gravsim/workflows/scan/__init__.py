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
  reason a point failed), the results of :func:`gravsim.workflows.steady.result_keys`, the log base,
  model and backend, and every other parameter.  Numbers are plain floats (``repr``);
  failed rows keep their parameter columns.
* Nothing is lost, nothing is mixed: the run identity (preset, parameters, grid, options,
  versions) is in ``scan.json`` (:mod:`gravsim.workflows.run_folder`).  Rows are appended and
  flushed as they finish (fsync per chunk or point); rerunning the same command skips the indices
  already written, repairs a last line cut in half, and leaves the file in grid order,
  byte-identical to an uninterrupted run (but for the Fock rows' ``wall_time_s``).  A rerun
  with other inputs is refused unless ``force=True``; a second scan into a folder in use is
  refused.
* :func:`load` reads a scan back as columns, with :meth:`ScanData.grid` for the values on
  the grid's shape and :meth:`ScanData.to_pandas` where pandas is installed.

Rooms by role: :mod:`~gravsim.workflows.scan.grid` (axes and the product grid),
:mod:`~gravsim.workflows.scan.runner` (:func:`run`: the folder, the order of work, resuming),
:mod:`~gravsim.workflows.scan.solve` (points and batches solved, serially or by QuTiP's maps),
:mod:`~gravsim.workflows.scan.table` (``scan.csv`` written and read back, :func:`load`),
:mod:`~gravsim.workflows.scan.figure` (:func:`figure`).
"""

from gravsim.workflows.scan.figure import figure
from gravsim.workflows.scan.grid import Axis, Grid, parse_axis
from gravsim.workflows.scan.runner import run
from gravsim.workflows.scan.solve import MAPS
from gravsim.workflows.scan.table import (
    TEXT_COLUMNS,
    ScanData,
    columns,
    load,
    plot_keys,
    written,
)

__all__ = [
    "MAPS",
    "TEXT_COLUMNS",
    "Axis",
    "Grid",
    "ScanData",
    "columns",
    "figure",
    "load",
    "parse_axis",
    "plot_keys",
    "run",
    "written",
]
