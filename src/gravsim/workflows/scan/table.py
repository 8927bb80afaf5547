"""A scan's table: its columns, rows appended as they finish (and repaired, sorted, resumed),
and the table read back (:class:`ScanData`, :func:`load`)."""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.model.gravity import GRAVITY_MODELS
from gravsim.model.parameters import (
    DERIVED_KEYS,
    INPUT_KEYS,
    Parameters,
)
from gravsim.workflows import steady
from gravsim.workflows.result_model import Result
from gravsim.workflows.run_folder import RunFolder, run_identity
from gravsim.workflows.scan.figure import figure
from gravsim.workflows.scan.grid import Axis, Grid
from gravsim.workflows.text_forms import csv_cell, loads

#: The results every solved row has: E_N of one hypothesis, of each of two, and ΔE.
MAIN_RESULTS = frozenset(
    {"E_N", "delta_E"} | {f"E_N_{cls().label}" for cls in GRAVITY_MODELS.values()}
)

#: Columns that hold text, not numbers.
TEXT_COLUMNS = ("status", "log_base", "model", "backend", "solver", "kG_convention")


def columns(grid: Grid, model: str, gravity: str, backend: str, tol: bool = False) -> list[str]:
    """The CSV header: index, grid keys, status, results, method, the other parameters."""
    params = [k for k in INPUT_KEYS + DERIVED_KEYS if k not in grid.keys]
    results = steady.result_keys(model, gravity, backend, tol)
    return ["index", *grid.keys, "status", *results, "log_base", "model", "backend", *params]


def parameter_cells(p: Parameters) -> dict[str, Any]:
    """Every input and derived parameter of ``p`` (arrays over a batch, or plain values; a
    per-oscillator input not set is the symmetric value it takes)."""
    with np.errstate(all="ignore"):  # invalid points: NaN where undefined (r at G₊ ≥ G₋)
        return p.values_in_use()


def _column_cells(values: list[Any]) -> list[str]:
    """CSV cells of one column (:func:`~gravsim.workflows.text_forms.csv_cell`; floats at C
    speed)."""
    if all(type(v) is float for v in values):
        return list(map(repr, values))
    return [csv_cell(v) for v in values]


class Rows:
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
        """Indices already written; a last line without its newline (a kill) is cut off.

        Every check comes before the cut, so a refused resume leaves the file as it was.  A
        header cut short by a kill (nothing computed yet) is written again whole.
        """
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        header = self._line(self.header).encode()
        if end == 0 and header.startswith(data):
            self.path.write_bytes(header)  # killed while writing the header: start it again
            return
        try:
            lines = data[:end].decode().splitlines()
        except UnicodeDecodeError as exc:
            number = data[: exc.start].count(b"\n") + 1
            raise GravsimInputError(
                f"{str(self.path)!r} line {number} is not UTF-8 text: delete that line and "
                "rerun to compute its point again"
            ) from None
        if not lines or next(csv.reader([lines[0]])) != self.header:
            raise GravsimInputError(
                f"{str(self.path)!r} does not have this scan's columns: pass `force=True` to "
                "start afresh, or choose another `out`"
            )
        for number, line in enumerate(lines[1:], start=2):
            self._mark(self._row_index(line, number), number)
        if end < len(data):
            with self.path.open("r+b") as fh:
                fh.truncate(end)

    def _row_index(self, line: str, number: int) -> int:
        """The index of the row on line ``number`` (1-based), checked to be a whole row."""
        cells = next(csv.reader([line]), [])
        try:
            index = int(cells[0])
        except (IndexError, ValueError):
            index = None
        if index is None or len(cells) != len(self.header):
            raise GravsimInputError(
                f"{str(self.path)!r} line {number} is not a row of this scan ({len(cells)} "
                f"cells, {len(self.header)} expected): delete that line and rerun to compute "
                "its point again, or pass `force=True` to start afresh"
            )
        bad = self._unsolved_result(cells)
        if bad:
            raise GravsimInputError(
                f"{str(self.path)!r} line {number} says ok but its {bad} is not a finite "
                "number: delete that line and rerun to compute its point again"
            )
        return index

    def _unsolved_result(self, cells: list[str]) -> str | None:
        """The first E_N or ΔE column of a row marked ok whose cell is not a finite number
        (a row gravsim wrote never has one; an edited file may); the main results (E_N of
        each hypothesis, ΔE) may not be empty either."""
        if cells[self.header.index("status")] != "ok":
            return None
        for name, cell in zip(self.header, cells, strict=True):
            if not name.startswith(("E_N", "delta_E")):
                continue
            value = _float(cell)
            if (cell or name in MAIN_RESULTS) and (value is None or not math.isfinite(value)):
                return name
        return None

    def _mark(self, index: int, number: int) -> None:
        if not 0 <= index < self.done.size or self.done[index]:
            raise GravsimInputError(
                f"{str(self.path)!r} line {number} holds a row (index {index}) that is not "
                "one of this grid's points, or holds it twice: delete that line and rerun, or "
                "pass `force=True` to start afresh"
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
        lines = self.path.read_bytes().decode().splitlines(keepends=True)  # keeps each \r\n
        body = sorted(lines[1:], key=lambda line: int(next(csv.reader([line]))[0]))
        folder.write_text(self.path, "".join([lines[0], *body]))


# ---------------------------------------------------------------------- reading back
@dataclass(frozen=True, eq=False, repr=False)
class ScanData(Result):
    """A scan read back: one array per column, in grid order, and the sidecar.

    Attributes
    ----------
    columns : dict of ndarray
        Numbers as float arrays (NaN where a point has no value), text columns
        (:data:`TEXT_COLUMNS`) as string arrays: ``scan.csv``.
    axes : tuple of Axis
        The grid (JSON key ``grid``).
    sidecar : dict
        ``scan.json`` as read: identity, command, options, parameters, units, status.

    The base's ``parameters`` are the scan's base point and ``options`` those every point ran
    with.
    """

    columns: dict[str, np.ndarray]
    axes: tuple[Axis, ...] = field(metadata={"json_key": "grid"})
    sidecar: dict[str, Any] = field(default_factory=dict, metadata={"json": False})

    RUN_NAME = "scan"
    TABLE = "columns"

    def view(self) -> dict[str, Any]:
        """The sidecar's entries (but the identity and versions, which a written run has)."""
        return {k: v for k, v in self.sidecar.items() if k not in ("identity", "versions")}

    def identity(self, preset: str | None = None) -> dict[str, Any]:
        """The scan's identity: as read, or (a scan made otherwise) from its parts."""
        if "identity" in self.sidecar:
            return self.sidecar["identity"]
        return run_identity(
            kind="scan",
            preset=preset,
            parameters=self.parameters.as_dict(),
            grid=[a.to_dict() for a in self.axes],
            options=self.options,
        )

    def figure(self) -> Any:
        """The default plot (:func:`gravsim.workflows.scan.figure.figure`)."""
        return figure(self)

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
        """The rows as a ``pandas.DataFrame`` (needs pandas: ``pip install -e ".[pandas]"``)."""
        try:
            import pandas
        except ImportError:
            raise GravsimInputError(
                'to_pandas() needs pandas: pip install "gravsim[pandas]" (or pip install pandas)'
            ) from None

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
        sidecar = loads((folder / "scan.json").read_text())
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
            data[name] = _numbers(raw, name, folder)
    axes = tuple(Axis.from_dict(a) for a in sidecar["grid"])
    described = {
        "parameters": Parameters.from_dict(sidecar["parameters"]),
        "options": sidecar.get("options", {}),
        "log_base": sidecar.get("options", {}).get("base", "e"),
    }
    return ScanData(data, axes, sidecar, **described)


def _float(text: str) -> float | None:
    """A cell as a float: NaN where it is empty, None where it is not a number."""
    if not text:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return None


def _numbers(raw: list[str], name: str, folder: Path) -> np.ndarray:
    """A number column read back; a cell that is not a number is named by its line."""
    try:
        return np.array([float(x) if x else np.nan for x in raw])
    except ValueError:
        line = next(k for k, x in enumerate(raw, start=2) if _float(x) is None)
        raise GravsimInputError(
            f"{str(folder / 'scan.csv')!r} line {line}: column {name!r} holds "
            f"{raw[line - 2][:40]!r}, not a number: delete that line and rerun the scan to "
            "compute its point again"
        ) from None


def written(folder: Path | str) -> tuple[dict[str, int], list[str]]:
    """What the scan in ``folder`` holds: points per status (``ok``, ``failed``) as its
    sidecar counts them, and its files."""
    folder = Path(folder)
    sidecar = loads((folder / "scan.json").read_text())
    files = [folder / f"scan{x}" for x in (".csv", ".json", ".png", ".pdf")]
    return sidecar["points"], [str(p) for p in files if p.exists()]


def plot_keys(model: str, gravity: str, backend: str) -> tuple[str, ...]:
    """The quantities a scan of this combination can plot."""
    return tuple(
        k
        for k in steady.result_keys(model, gravity, backend)
        if k not in TEXT_COLUMNS and not k.startswith("truncation_warning")
    )
