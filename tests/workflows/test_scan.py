"""Scans as users run them: batched = per point, status rows, typed rows, reruns, kills, locks."""

from __future__ import annotations

import csv
import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import gravsim as gs
from gravsim.workflows import scan, steady
from tests.conftest import gravsim, gravsim_in_process, one_error_line
from tests.conftest import gravsim_background as popen

QUANTITIES = ("E_N_quantum", "E_N_classical", "delta_E")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def wait_for_rows(csv_path: Path, rows: int, proc: subprocess.Popen, limit: float = 300) -> None:
    """Wait until ``csv_path`` holds at least ``rows`` complete rows (or the process ends)."""
    deadline = time.time() + limit
    while time.time() < deadline and proc.poll() is None:
        if csv_path.exists() and csv_path.read_bytes().count(b"\n") > rows:
            return
        time.sleep(0.01)


def kill_after_rows(args: list[str], out: Path, rows: int) -> bytes:
    """Start a scan into ``out``, kill -9 it once ``rows`` rows are written; the CSV's bytes."""
    proc = popen(*args, "--out", str(out))
    wait_for_rows(out / "scan.csv", rows, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return (out / "scan.csv").read_bytes()


def test_parse_axis():
    assert np.allclose(scan.parse_axis("E_plus=lin:0:10:3").values, [0, 5, 10])
    assert np.allclose(scan.parse_axis("Q_m=log:1e10:1e12:3").values, [1e10, 1e11, 1e12])
    assert np.allclose(scan.parse_axis("Omega=2*pi*0.5,pi").values, [np.pi, np.pi])
    bad = ("E_plus", "E_plus=lin:1:2", "Q_m=log:0:1:3", "E_plus=lin:1:2:x", "nope=1,2",
           "E_plus=lin:1:2:0", "E_plus=lin:nan:2:3", "E_plus=lin:1:2:100000000")  # fmt: skip
    for spec in bad:
        with pytest.raises(gs.GravsimInputError):
            scan.parse_axis(spec)
    for keys in (("E_plus", "E_plus"), ("T", "n_th"), ("Q_m", "gamma_m")):
        with pytest.raises(gs.GravsimInputError):
            scan.Grid([scan.parse_axis(f"{k}=1,2") for k in keys])


def _count_solves(monkeypatch) -> list[int]:
    """Count calls of steady.compute made by the scan (a batch is one call)."""
    calls: list[int] = []
    compute = steady.compute

    def counted(p, options=None, **kw):
        calls.append(int(np.prod(p.batch_shape)))
        return compute(p, options, **kw)

    monkeypatch.setattr(steady, "compute", counted)
    return calls


@pytest.mark.parametrize(
    "specs",
    [("Q_m=log:1e10:1e12:5",), ("E_plus=lin:50:150:6", "E_minus=lin:180:300:5")],
)
def test_valid_grid_is_one_batch_equal_to_steady_per_point(tmp_path, monkeypatch, specs):
    """Grids that once crashed (Q_m log axis, E₊×E₋): one batched solve, rows = steady (1e-12)."""
    calls = _count_solves(monkeypatch)
    p = gs.presets.get("paper")
    rows = read(scan.run(p, [scan.parse_axis(s) for s in specs], tmp_path, progress=False))
    assert len(calls) == 1 and calls[0] == len(rows)  # batched: no per-point fallback
    monkeypatch.undo()
    assert all(r["status"] == "ok" for r in rows)
    for r in rows:
        point = {s.split("=")[0]: float(r[s.split("=")[0]]) for s in specs}
        single = steady.compute(p.replace(**point)).values
        for key in QUANTITIES:
            assert float(r[key]) == pytest.approx(single[key], rel=1e-12, abs=0)


def test_grid_across_the_stability_edge_gives_status_rows(tmp_path, monkeypatch):
    """G₊ ≥ G₋ points are rows with their reason and parameter columns; the rest one batch."""
    calls = _count_solves(monkeypatch)
    p = gs.presets.get("paper")
    axes = [scan.parse_axis("E_plus=lin:20:300:12"), scan.parse_axis("E_minus=lin:20:300:12")]
    rows = read(scan.run(p, axes, tmp_path, progress=False))
    monkeypatch.undo()
    assert len(calls) == 1
    assert [int(r["index"]) for r in rows] == list(range(144))
    failed = [r for r in rows if r["status"] != "ok"]
    assert len(failed) == 78  # E_plus >= E_minus: the diagonal and below
    for r in failed:
        assert "G_plus < G_minus" in r["status"] and float(r["E_plus"]) >= float(r["E_minus"])
        assert float(r["G_plus"]) >= float(r["G_minus"]) > 0  # parameter columns kept
        assert float(r["n_th"]) == pytest.approx(p.n_th) and r["E_N_quantum"] == ""
    for r in rows[1::7]:
        if r["status"] == "ok":
            point = {k: float(r[k]) for k in ("E_plus", "E_minus")}
            single = steady.compute(p.replace(**point))
            assert float(r["delta_E"]) == pytest.approx(single.values["delta_E"], rel=1e-12)


def test_cli_scan_rows_are_plain_floats_and_load(tmp_path):
    out = gravsim("scan", "--gravity", "quantum", "--grid", "Q_m=1e10,1e11", "--no-progress",
                  "--out", str(tmp_path / "s"))  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = read(tmp_path / "s" / "scan.csv")
    assert "np." not in (tmp_path / "s" / "scan.csv").read_text()
    text = set(scan.TEXT_COLUMNS)
    for r in rows:
        for key, value in r.items():
            if key not in text:
                float(value)  # every number is a plain float
    data = scan.load(tmp_path / "s")
    assert data.shape == (2,) and data.ok.all()
    assert np.allclose(data.grid("Q_m"), [1e10, 1e11])
    assert data.sidecar["identity"]["preset"] == "paper"
    assert (tmp_path / "s" / "scan.png").stat().st_size > 1000


def test_rerun_resumes_changed_inputs_are_refused_force_rewrites(tmp_path):
    out = str(tmp_path / "s")
    base = ["scan", "--grid", "Q_m=log:1e10:1e12:4", "--no-progress", "--out", out]
    first = gravsim(*base)
    assert first.returncode == 0, first.stderr
    csv_path = tmp_path / "s" / "scan.csv"
    before = csv_path.read_bytes()
    again = gravsim(*base)
    assert again.returncode == 0 and csv_path.read_bytes() == before
    for change in (
        ["--set", "T=0.02"],
        ["--log-base", "2"],
        ["--model", "rwa"],
        ["--gravity", "quantum"],
        ["--preset", "paper-point-mass"],
    ):
        refused = gravsim(*base, *change)
        line = one_error_line(refused, 2)
        assert "--force" in line and "--out" in line
        assert csv_path.read_bytes() == before
    changed_grid = ["scan", "--grid", "Q_m=log:1e10:1e12:5", "--no-progress", "--out", out]
    assert "--force" in one_error_line(gravsim(*changed_grid), 2)
    forced = gravsim(*changed_grid, "--force")
    assert forced.returncode == 0, forced.stderr
    rows = read(csv_path)
    assert len(rows) == 5 and float(rows[-1]["Q_m"]) == pytest.approx(1e12)


def test_second_scan_into_a_folder_in_use_is_refused(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    fd = os.open(folder, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a running scan holds it
    try:
        out = gravsim("scan", "--grid", "Q_m=1e10,1e11", "--no-progress", "--out", str(folder))
    finally:
        os.close(fd)
    assert "in use" in one_error_line(out, 2)
    assert not any(folder.iterdir())


def test_torn_last_line_is_repaired_on_resume(tmp_path):
    out = str(tmp_path / "s")
    args = ["scan", "--grid", "Q_m=log:1e10:1e12:6", "--no-progress", "--out", out]
    assert gravsim(*args).returncode == 0
    csv_path = tmp_path / "s" / "scan.csv"
    whole = csv_path.read_bytes()
    csv_path.write_bytes(whole[: whole.rstrip(b"\r\n").rfind(b"\n") + 40])  # half a row
    again = gravsim(*args)
    assert again.returncode == 0, again.stderr
    assert csv_path.read_bytes() == whole
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "scan.csv", "scan.json", "scan.png"]  # fmt: skip


def test_gaussian_scan_killed_and_rerun_is_byte_identical(tmp_path):
    """A kill -9 between chunks loses at most the chunk in flight; the rerun completes it."""
    args = ["scan", "--grid", "E_plus=lin:50:150:40", "--grid", "E_minus=lin:180:300:256",
            "--no-progress"]  # fmt: skip
    full = gravsim(*args, "--out", str(tmp_path / "full"))
    assert full.returncode == 0, full.stderr
    killed = tmp_path / "killed"
    partial = kill_after_rows(args, killed, 1)
    assert 0 < partial.count(b"\n") - 1 < 40 * 256, "the scan should have been killed part-way"
    again = gravsim(*args, "--out", str(killed))
    assert again.returncode == 0, again.stderr
    final = (killed / "scan.csv").read_bytes()
    assert final.startswith(partial)  # finished rows are kept as they were
    assert final == (tmp_path / "full" / "scan.csv").read_bytes()


FOCK = ["scan", "--preset", "small", "--backend", "fock", "--n-mech", "6",
        "--set", "k_G=0.002", "--grid", "G_plus=lin:0.02:0.1:10", "--no-progress"]  # fmt: skip


def _same_rows(a: list[dict[str, str]], b: list[dict[str, str]]) -> None:
    """Equal rows but for the wall time (and rounding of parallel BLAS)."""
    assert len(a) == len(b) and [r["status"] for r in a] == [r["status"] for r in b]
    for ra, rb in zip(a, b, strict=True):
        for key in ra:
            if key == "wall_time_s" or ra[key] == rb[key]:
                continue
            assert float(ra[key]) == pytest.approx(float(rb[key]), rel=1e-12, abs=1e-15), key


def test_fock_scan_rows_killed_rerun_and_two_workers(tmp_path):
    serial = gravsim(*FOCK, "--out", str(tmp_path / "serial"))
    assert serial.returncode == 0, serial.stderr
    rows = read(tmp_path / "serial" / "scan.csv")
    assert rows[-1]["status"].startswith("error: truncation too small")  # a row, not a crash
    assert float(rows[-1]["G_plus"]) == pytest.approx(0.1)
    for r in rows[:-1]:
        for key in ("truncation_error_quantum", "truncation_error_delta_E", "residual",
                    "wall_time_s"):  # fmt: skip
            assert float(r[key]) >= 0
        assert r["solver"] in ("pardiso", "superlu", "lgmres")
    killed = tmp_path / "killed"
    partial = kill_after_rows(FOCK, killed, 3)
    assert 3 <= partial.count(b"\n") - 1 < 10
    assert gravsim(*FOCK, "--out", str(killed)).returncode == 0
    assert (killed / "scan.csv").read_bytes().startswith(partial)
    _same_rows(read(killed / "scan.csv"), rows)
    parallel = gravsim(*FOCK, "--workers", "2", "--map", "parallel", "--out", str(tmp_path / "p"))
    assert parallel.returncode == 0, parallel.stderr
    _same_rows(read(tmp_path / "p" / "scan.csv"), rows)
    assert (tmp_path / "p" / "scan.png").exists()


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killed_parallel_scan_leaves_no_workers(tmp_path):
    slow = [*FOCK[:6], "8", *FOCK[7:10], "G_plus=lin:0.02:0.06:8", "--no-progress"]
    proc = popen(*slow, "--workers", "2", "--out", str(tmp_path / "s"))
    deadline = time.time() + 120
    workers: list[int] = []
    while time.time() < deadline and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert workers, "the scan should have started its workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_is_one_line_and_resumable(tmp_path, workers):
    out = tmp_path / "s"
    proc = popen(*FOCK, "--workers", workers, "--out", str(out), session=True)
    wait_for_rows(out / "scan.csv", 1, proc)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    _, stderr = proc.communicate(timeout=60)
    lines = [x for x in stderr.splitlines() if x.strip()]
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr
    assert len(lines) == 1 and "interrupted" in lines[0] and "resume" in lines[0]
    assert gravsim(*FOCK, "--workers", workers, "--out", str(out)).returncode == 0


@pytest.mark.parametrize(
    "extra,needle",
    [
        (["--plot", "nosuch"], "--plot"),
        (["--grid", "T=0.01,0.02", "--grid", "n_th=1,2"], "give one of them"),
        (["--grid", "Q_m=1e11,1e12"], "given twice"),
        (["--grid", "nosuch=1,2"], "unknown grid key"),
        (["--backend", "fock", "--n-mech", "1"], "--n-mech"),
        (["--backend", "fock", "--workers", "0"], "--workers"),
        (["--backend", "fock", "--model", "rwa", "--n-mech", "40", "--n-cav", "10"], "GiB"),
    ],
)
def test_bad_scan_input_is_refused_before_any_work(tmp_path, extra, needle):
    out = gravsim("scan", "--grid", "Q_m=1e10,1e11", *extra, "--out", str(tmp_path / "s"))
    assert needle in one_error_line(out, 2)
    assert not (tmp_path / "s").exists()


def test_options_without_effect_are_named(tmp_path):
    extra = ["--workers", "2", "--n-mech", "5", "--frame", "undisplaced", "--no-progress"]
    out = gravsim("scan", "--grid", "Q_m=1e10,1e11", *extra, "--out", str(tmp_path / "s"))
    assert out.returncode == 0, out.stderr
    warnings = [x for x in out.stderr.splitlines() if x.startswith("gravsim: warning:")]
    for flag in ("--workers", "--n-mech", "--frame"):
        assert any(flag in w and "no effect" in w for w in warnings), out.stderr


def test_map_mpi_without_mpi4py_is_refused(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # as on a machine without it
    out = gravsim_in_process(*FOCK, "--map", "mpi", "--out", "s", cwd=tmp_path)
    assert "mpi4py" in one_error_line(out, 2)
    assert not (tmp_path / "s").exists()


def test_fock_scan_without_levels_chooses_them_per_point_as_steady_does(tmp_path):
    """The project preset's defaults are never refused: each point's levels are chosen from
    its Gaussian state, recorded in n_mech_chosen, and its numbers are steady's."""
    p = gs.presets.get("small")
    axes = [scan.parse_axis("G_plus=0.1,0.15")]
    rows = read(scan.run(p, axes, tmp_path, backend="fock", progress=False))
    for row in rows:
        assert row["status"] == "ok"
        single = steady.compute(p.replace(G_plus=float(row["G_plus"])), backend="fock").values
        assert int(row["n_mech_chosen"]) == single["n_mech_chosen"]
        assert float(row["delta_E"]) == pytest.approx(single["delta_E"], rel=1e-9)


def test_axes_as_the_command_line_writes_them(tmp_path):
    """``gs.scan.run`` takes the CLI's axis text; the rows equal those of parsed axes."""
    p = gs.presets.get("paper")
    text = read(scan.run(p, ["E_plus=lin:50:150:3"], tmp_path / "text", progress=False))
    parsed = [scan.parse_axis("E_plus=lin:50:150:3")]
    axes = read(scan.run(p, parsed, tmp_path / "axes", progress=False))
    assert [r["delta_E"] for r in text] == [r["delta_E"] for r in axes]
    with pytest.raises(gs.GravsimInputError, match="scan axis is text"):
        scan.run(p, [("E_plus", [1, 2])], tmp_path / "bad", progress=False)


def test_to_pandas_without_pandas_names_the_extra(tmp_path, monkeypatch):
    """Without pandas, `to_pandas()` says how to install it in one line (not ImportError)."""
    import builtins

    gs.scan.run(gs.presets.get("paper"), ["E_plus=100,120"], tmp_path / "s", progress=False)
    data = gs.load(tmp_path / "s")
    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(gs.errors.GravsimInputError, match=r"gravsim\[pandas\]"):
        data.to_pandas()
