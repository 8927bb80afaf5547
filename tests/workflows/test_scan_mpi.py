"""A Fock scan under MPI equals the serial scan: workers spawned by one process, and ranks
started up front under ``mpi4py.futures`` (as Slurm's ``srun`` starts them)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ENV, gravsim
from tests.workflows.test_scan import _same_rows, read

SCAN = [
    "scan",
    "--preset",
    "small",
    "--backend",
    "fock",
    "--n-mech",
    "6",
    "--set",
    "k_G=0.002",
    "--grid",
    "G_plus=lin:0.02:0.08:4",
    "--no-progress",
]


def _mpiexec() -> str:
    """The MPI launcher installed beside this Python (the mpich wheel), else on PATH."""
    here = Path(sys.executable).parent
    found = shutil.which("mpiexec", path=f"{here}:{ENV.get('PATH', '')}")
    assert found, 'no mpiexec: pip install -e ".[test]" installs mpi4py and mpich'
    return found


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> list[dict[str, str]]:
    out = tmp_path_factory.mktemp("serial") / "s"
    assert gravsim(*SCAN, "--out", str(out)).returncode == 0
    return read(out / "scan.csv")


@pytest.mark.parametrize(
    ("launch", "extra"),
    [
        (["-n", "3", sys.executable, "-m", "mpi4py.futures", "-m", "gravsim"], []),
        (["-n", "1", sys.executable, "-m", "gravsim"], ["--workers", "2"]),
    ],
    ids=["ranks-up-front", "spawned"],
)
def test_mpi_scan_equals_the_serial_scan(tmp_path, serial, launch, extra):
    """Ranks up front: rank 0 runs the scan, ranks 1-2 are its workers (as under ``srun``);
    spawned: one process spawns two workers."""
    args = [_mpiexec(), *launch, *SCAN, "--map", "mpi", *extra, "--out", str(tmp_path / "m")]
    out = subprocess.run(args, capture_output=True, text=True, timeout=300, env=ENV)
    assert out.returncode == 0, out.stderr[-2000:]
    _same_rows(read(tmp_path / "m" / "scan.csv"), serial)
