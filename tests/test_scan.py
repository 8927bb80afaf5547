"""Scans: batched = per point, resumable after SIGKILL, parallel = serial, status rows."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import gravsim as gs
from gravsim import scan, steady


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_parse_axis():
    assert np.allclose(scan.parse_axis("E_plus=lin:0:10:3").values, [0, 5, 10])
    assert np.allclose(scan.parse_axis("Q_m=log:1e10:1e12:3").values, [1e10, 1e11, 1e12])
    assert np.allclose(scan.parse_axis("Omega=2*pi*0.5,pi").values, [np.pi, np.pi])
    for bad in ("E_plus", "E_plus=lin:1:2", "Q_m=log:0:1:3", "E_plus=lin:1:2:x"):
        with pytest.raises(gs.GravsimInputError):
            scan.parse_axis(bad)


def test_batched_scan_equals_point_by_point(tmp_path):
    axes = [scan.parse_axis("E_plus=lin:40:190:6"), scan.parse_axis("E_minus=log:180:400:5")]
    p = gs.presets.get("paper")
    rows = read(scan.run(p, axes, tmp_path, progress=False))
    assert [int(r["index"]) for r in rows] == list(range(30))
    unstable = [r for r in rows if r["status"] != "ok"]
    assert unstable and all("G_plus < G_minus" in r["status"] for r in unstable)
    for r in rows:
        if r["status"] != "ok":
            continue
        single = steady.compute(p.replace(E_plus=float(r["E_plus"]), E_minus=float(r["E_minus"])))
        for key in ("E_N_quantum", "E_N_classical", "delta_E"):
            assert abs(float(r[key]) - single.values[key]) <= 1e-12 * abs(single.values[key])


ARGS = [
    "scan", "--preset", "small", "--backend", "fock", "--n-mech", "6",
    "--set", "k_G=0.002", "--grid", "G_plus=lin:0.02:0.1:10", "--no-progress",
]  # fmt: skip


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gravsim.cli", *ARGS, "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_scan_killed_and_rerun_equals_uninterrupted(tmp_path):
    full = _run(tmp_path / "full")
    assert full.returncode == 0, full.stderr
    killed = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gravsim.cli", *ARGS, "--out", str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    csv_path = killed / "scan.csv"
    deadline = time.time() + 300
    while time.time() < deadline:
        if csv_path.exists() and len(csv_path.read_text().splitlines()) >= 4:  # header + 3 rows
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = len(csv_path.read_text().splitlines()) - 1
    assert 3 <= partial < 10, "the scan should have been killed part-way"
    again = _run(killed)
    assert again.returncode == 0, again.stderr
    assert csv_path.read_bytes() == (tmp_path / "full" / "scan.csv").read_bytes()


def test_fock_scan_with_two_workers_equals_serial(tmp_path):
    serial = _run(tmp_path / "serial")
    parallel = _run(tmp_path / "parallel", "--workers", "2", "--map", "parallel")
    assert serial.returncode == 0 and parallel.returncode == 0, parallel.stderr
    a = read(tmp_path / "serial" / "scan.csv")
    b = read(tmp_path / "parallel" / "scan.csv")
    assert len(a) == len(b) == 10
    assert [r["status"] for r in a] == [r["status"] for r in b]
    assert a[-1]["status"].startswith("error: truncation too small")  # a row, not a crash
    for ra, rb in zip(a[:-1], b[:-1], strict=True):
        for key in ("E_N_quantum", "E_N_classical", "delta_E"):
            assert float(ra[key]) == pytest.approx(float(rb[key]), rel=1e-12, abs=1e-15)
    assert (tmp_path / "parallel" / "scan.png").exists()
