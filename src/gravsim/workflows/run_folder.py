"""Output folders: one run identity per result, one writer at a time, files written whole.

Every command that writes files (``scan``, ``evolve``, ``figure``, ``budget``) writes one
*run* — a CSV, a JSON sidecar, a plot, all named after the run — into a folder through
:class:`RunFolder`:

* The folder is created with its parents.  A path that is a file, lies under a file, or
  cannot be created or written is refused (:class:`~gravsim.errors.GravsimInputError`)
  before any work, naming the path.
* The run's *identity* — everything that determines its numbers: preset, every parameter,
  grid, options and the versions of gravsim, NumPy, SciPy and QuTiP — is stored in the
  sidecar under ``"identity"``.  A run into a folder that holds the same run with another
  identity (or files of that name without a sidecar) is refused before any work; with
  ``force=True`` the old run's files are removed first.  The same identity resumes (a scan)
  or writes the same files again.
* An exclusive ``flock`` on the folder itself keeps a second gravsim process out while the
  first is alive; the kernel drops it when the process dies, so a ``kill -9`` leaves nothing
  to clean up, and no lock file is left behind.  A folder this run created is removed again
  if the run ends with nothing written (refused, or failed before writing).
* A replacing run (``force=True``) sets the old run aside in ``.<name>.replaced/``; if it is
  killed, the next run in the folder puts the old run back (the killed run wrote nothing) or
  drops it (the killed run's files stand), before the identity check.
* The run's files are never written through a symbolic link: a link in their place is
  refused before any work.
* :meth:`RunFolder.write_text` and :meth:`RunFolder.write_figure` write to a temporary name
  and rename, so a kill leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from gravsim.errors import GravsimInputError
from gravsim.plotting import save_figure
from gravsim.workflows.text_forms import csv_cell, dumps


def versions() -> dict[str, str]:
    """Versions of Python, gravsim and its main dependencies (read without importing them)."""
    from importlib.metadata import PackageNotFoundError, version

    from gravsim import __version__

    out = {"gravsim": __version__, "python": sys.version.split()[0]}
    for name in ("numpy", "scipy", "qutip", "matplotlib"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


#: Versions that can change a run's numbers (Python and matplotlib cannot).
IDENTITY_VERSIONS = ("gravsim", "numpy", "scipy", "qutip")


def run_identity(**inputs: Any) -> dict[str, Any]:
    """The identity of a run: ``inputs`` as plain JSON data, plus the versions that matter.

    Round-tripped through JSON so that it compares equal to the copy read back from a
    sidecar (NumPy scalars, tuples and non-finite numbers normalised).
    """
    v = versions()
    data = inputs | {"versions": {k: v[k] for k in IDENTITY_VERSIONS}}
    return json.loads(dumps(data))


class RunFolder:
    """The folder of one run; use as a context manager around the work and the writing.

    Parameters
    ----------
    path : Path
        The folder (created with its parents).
    name : str
        The run's name: its files are ``<name>.csv``, ``<name>.json`` (the sidecar),
        ``<name>.png``, ``<name>.pdf``.
    identity : dict
        From :func:`run_identity`.
    force : bool
        Replace an earlier run of this name with another identity instead of refusing. Its
        files are set aside (``.<name>.replaced/``) until this run ends: they come back if it
        fails or is interrupted before writing a file of its own, and are removed once it
        succeeds (a scan that has started writing its rows keeps them, to resume).

    Attributes
    ----------
    resumed : bool
        True when the folder already held this run with the same identity.
    """

    SUFFIXES = (".csv", ".json", ".png", ".pdf")

    def __init__(self, path: Path, name: str, identity: dict[str, Any], *, force: bool = False):
        self.path = Path(path)
        self.name = name
        self.identity = identity
        self.force = force
        self.resumed = False
        self._lock: int | None = None
        self._created = False
        self._backup: Path | None = None

    @property
    def sidecar(self) -> Path:
        """``<name>.json``: identity, command, versions, units, notes, summary."""
        return self.path / f"{self.name}.json"

    def file(self, suffix: str) -> Path:
        """The run's file with ``suffix`` (e.g. ``".csv"``)."""
        return self.path / f"{self.name}{suffix}"

    def __enter__(self) -> RunFolder:
        self._create()
        try:
            self._take_lock()
            self._settle_killed_replacement()
            self._refuse_links()
            self._check_identity()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, exc_type: Any = None, *exc: Any) -> None:
        if self._backup is not None:
            self._settle_backup(failed=exc_type is not None)
        if self._lock is not None:
            os.close(self._lock)  # closing drops the flock
            self._lock = None
        if self._created and not any(self.path.iterdir()):
            self.path.rmdir()  # refused or failed before writing: leave no trace

    # ------------------------------------------------------------------ opening
    def _create(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise GravsimInputError(
                f"`out` {str(self.path)!r} is a file, not a folder: choose another `out`"
            )
        self._created = not self.path.exists()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise GravsimInputError(
                f"cannot create the `out` folder {str(self.path)!r} ({exc.strerror or exc}): "
                "choose another `out`"
            ) from None
        if not os.access(self.path, os.W_OK | os.X_OK):
            raise GravsimInputError(
                f"the `out` folder {str(self.path)!r} is not writable: choose another `out`"
            )

    def _take_lock(self) -> None:
        self._lock = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise GravsimInputError(
                f"the `out` folder {str(self.path)!r} is in use by another gravsim run: wait "
                "for it to finish, or choose another `out`"
            ) from None

    def _settle_killed_replacement(self) -> None:
        """A ``.<name>.replaced/`` left by a replacing run that was killed: its run comes back
        if the killed run wrote no file of its own, else it is dropped (the killed run's files
        stand, and the identity check judges them)."""
        backup = self.path / f".{self.name}.replaced"
        if not backup.is_dir() or backup.is_symlink():
            return
        if not any(os.path.lexists(p) for p in map(self.file, self.SUFFIXES)):
            for p in backup.iterdir():
                p.replace(self.path / p.name)
        shutil.rmtree(backup, ignore_errors=True)

    def _refuse_links(self) -> None:
        """Never write through a symbolic link: the run's files must be files of the folder."""
        for p in map(self.file, self.SUFFIXES):
            if p.is_symlink():
                raise GravsimInputError(
                    f"{str(p)!r} is a symbolic link: gravsim does not write through links; "
                    "replace it by the file itself, or choose another `out`"
                )

    def _check_identity(self) -> None:
        present = [p for p in map(self.file, self.SUFFIXES) if p.exists()]
        if not present:
            return
        difference = self._difference()
        if difference is None:
            self.resumed = True
            return
        if not self.force:
            raise GravsimInputError(
                f"the `out` folder {str(self.path)!r} holds the run {self.name!r} made with "
                f"other inputs ({difference}): pass `force=True` to replace it, or choose "
                "another `out`"
            )
        self._backup = self.path / f".{self.name}.replaced"
        shutil.rmtree(self._backup, ignore_errors=True)  # left by a killed run
        self._backup.mkdir()
        for p in present:
            p.replace(self._backup / p.name)

    def _settle_backup(self, failed: bool) -> None:
        """Put the replaced run back if this one failed before writing, else drop it."""
        assert self._backup is not None
        new = [p for p in map(self.file, self.SUFFIXES) if p.exists()]
        if failed and not new:
            for p in self._backup.iterdir():
                p.replace(self.path / p.name)
        shutil.rmtree(self._backup, ignore_errors=True)
        self._backup = None

    def _difference(self) -> str | None:
        """None if the sidecar holds this identity, else what differs (one phrase)."""
        if not self.sidecar.exists():
            return f"{self.name} files without their sidecar {self.sidecar.name}"
        try:
            old = json.loads(self.sidecar.read_text()).get("identity")
        except (OSError, ValueError, AttributeError):
            return f"an unreadable sidecar {self.sidecar.name}"
        if old is None:
            return "a sidecar without a run identity (an older gravsim)"
        return _first_difference(old, self.identity)

    # ------------------------------------------------------------------ writing
    def write_text(self, path: Path, text: str) -> Path:
        """Write ``text`` to ``path`` whole: a temporary file, fsync, rename."""
        tmp = path.with_name(f".{path.name}.tmp")
        with tmp.open("w", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
        return path

    def write_table(self, columns: dict[str, Any], constants: dict[str, Any] | None = None) -> Path:
        """``<name>.csv``: one row per entry of ``columns``, then ``constants`` in every row.

        Numbers as plain float text (:func:`~gravsim.workflows.text_forms.csv_cell`); written whole.
        """
        constants = constants or {}
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([*columns, *constants])
        tail = [csv_cell(v) for v in constants.values()]
        for row in zip(*columns.values(), strict=True):
            writer.writerow([csv_cell(v) for v in row] + tail)
        return self.write_text(self.file(".csv"), buffer.getvalue())

    def write_sidecar(self, data: dict[str, Any]) -> Path:
        """The sidecar: ``data`` plus this run's identity and the versions (strict JSON)."""
        full = {"identity": self.identity, "versions": versions()} | data
        return self.write_text(self.sidecar, dumps(full) + "\n")

    def write_figure(self, fig: Any, pdf: bool = False) -> list[Path]:
        """The run's PNG (and PDF) from a matplotlib figure, each written whole."""
        tmp = self.path / f".{self.name}.tmp.png"
        paths = save_figure(fig, tmp, pdf)
        out = []
        for p in paths:
            final = self.file(p.suffix)
            p.replace(final)
            out.append(final)
        return out


def _first_difference(old: Any, new: Any, path: str = "") -> str | None:
    """The first place where two JSON values differ, as 'path: old → new', or None."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(new) + [k for k in old if k not in new]:
            where = f"{path}.{key}" if path else key
            if key not in old or key not in new:
                return f"{where} only in the {'new' if key in new else 'old'} run"
            found = _first_difference(old[key], new[key], where)
            if found:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        pairs = (
            _first_difference(a, b, f"{path}[{k}]")
            for k, (a, b) in enumerate(zip(old, new, strict=True))
        )
        return next((found for found in pairs if found), None)
    return f"{path}: {_short(old)} before, {_short(new)} now" if old != new else None


def _short(x: Any) -> str:
    text = json.dumps(x, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
