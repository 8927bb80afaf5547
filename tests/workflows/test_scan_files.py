"""A scan's files under damage: a bad row, a cut header, a link; workers capped; a finished
scan said to be finished.  A refused run changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import gravsim as gs
from gravsim.workflows import scan
from tests.conftest import gravsim, gravsim_in_process, one_error_line

ARGS = ["scan", "--grid", "Q_m=log:1e10:1e12:6", "--no-progress"]


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> bytes:
    """The bytes of an uninterrupted scan."""
    out = tmp_path_factory.mktemp("whole") / "s"
    assert gravsim(*ARGS, "--out", str(out)).returncode == 0
    return (out / "scan.csv").read_bytes()


def _damaged(tmp_path: Path, whole: bytes, data: bytes) -> Path:
    """A finished scan's folder whose scan.csv now holds ``data``."""
    out = tmp_path / "s"
    assert gravsim(*ARGS, "--out", str(out)).returncode == 0
    assert (out / "scan.csv").read_bytes() == whole
    (out / "scan.csv").write_bytes(data)
    return out


def test_a_garbage_row_is_named_by_its_line_and_nothing_changes(tmp_path, whole):
    lines = whole.splitlines(keepends=True)
    garbage = b"".join([*lines[:3], b"3,this is not a row\r\n", *lines[4:]])
    out = _damaged(tmp_path, whole, garbage)
    line = one_error_line(gravsim(*ARGS, "--out", str(out)), 2)
    assert "line 4" in line and "delete that line" in line
    assert (out / "scan.csv").read_bytes() == garbage  # refused: the file as it was
    with pytest.raises(gs.GravsimInputError, match="line 4"):
        gs.scan.load(out)
    (out / "scan.csv").write_bytes(b"".join([*lines[:3], *lines[4:]]))  # as the error says
    assert gravsim(*ARGS, "--out", str(out)).returncode == 0
    assert (out / "scan.csv").read_bytes() == whole


def test_a_row_with_a_cell_that_is_not_a_number_is_named_when_read(tmp_path, whole):
    lines = whole.splitlines(keepends=True)
    bad = lines[2].replace(b",ok,", b",ok,zz", 1)  # a whole row, one cell not a number
    out = _damaged(tmp_path, whole, b"".join([*lines[:2], bad, *lines[3:]]))
    with pytest.raises(gs.GravsimInputError, match="line 3"):
        gs.scan.load(out)


def test_a_header_cut_by_a_kill_is_written_again(tmp_path, whole):
    out = _damaged(tmp_path, whole, whole[:30])  # killed while writing the header
    again = gravsim(*ARGS, "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert (out / "scan.csv").read_bytes() == whole


def test_a_refused_rerun_of_a_damaged_header_changes_nothing(tmp_path, whole):
    out = _damaged(tmp_path, whole, b"index,Q_m,statu-garbage")  # no newline, not a prefix
    assert "columns" in one_error_line(gravsim(*ARGS, "--out", str(out)), 2)
    assert (out / "scan.csv").read_bytes() == b"index,Q_m,statu-garbage"


def test_a_resume_never_writes_through_a_link(tmp_path, whole):
    lines = whole.splitlines(keepends=True)
    outside = tmp_path / "outside.csv"
    outside.write_bytes(b"".join(lines[:3]))  # a partial scan, elsewhere
    out = tmp_path / "s"
    assert gravsim(*ARGS, "--out", str(out)).returncode == 0
    (out / "scan.csv").unlink()
    (out / "scan.csv").symlink_to(outside)
    line = one_error_line(gravsim(*ARGS, "--out", str(out)), 2)
    assert "symbolic link" in line and "scan.csv" in line
    assert outside.read_bytes() == b"".join(lines[:3])
    assert (out / "scan.csv").is_symlink()


def test_a_finished_scan_rerun_says_so(tmp_path):
    args = [*ARGS, "--out", "s"]
    assert gravsim_in_process(*args, cwd=tmp_path).returncode == 0
    again = gravsim_in_process(*args, cwd=tmp_path)
    assert again.returncode == 0
    assert "complete already" in again.stderr and "--force" in again.stderr


FOCK = [
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
    "G_plus=lin:0.02:0.08:3",
    "--no-progress",
]


@pytest.mark.parametrize(("map_name", "cap"), [("parallel", "cores"), ("mpi", "points")])
def test_workers_are_capped_at_the_points_and_the_cores_and_it_is_said(
    tmp_path, monkeypatch, map_name, cap
):
    """1000 workers on 3 points: never more processes than points (nor, on this machine's
    maps, than cores); MPI's workers may be on other nodes, so only the points cap them."""
    import qutip

    asked: list[int] = []

    def fake_map(task, values, task_args, reduce_func, map_kw, **kw):
        asked.append(map_kw["num_cpus"])
        for v in values:
            reduce_func(task(v, *task_args))

    monkeypatch.setattr(qutip, "parallel_map" if map_name == "parallel" else "mpi_pmap", fake_map)
    monkeypatch.setitem(__import__("sys").modules, "mpi4py", object())  # as if installed
    out = gravsim_in_process(
        *FOCK, "--workers", "1000", "--map", map_name, "--out", "s", cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    expected = min(3, os.cpu_count() or 1) if cap == "cores" else 3
    assert asked == [expected]
    warning = [x for x in out.stderr.splitlines() if "capped" in x]
    assert len(warning) == 1 and f"capped at {expected}" in warning[0]


def test_a_row_marked_ok_without_a_finite_result_is_named(tmp_path, whole):
    lines = whole.splitlines(keepends=True)
    header = lines[0].decode().strip().split(",")
    cells = lines[2].decode().rstrip("\r\n").split(",")
    cells[header.index("E_N_quantum")] = "nan"
    edited = b"".join([*lines[:2], (",".join(cells) + "\r\n").encode(), *lines[3:]])
    out = _damaged(tmp_path, whole, edited)
    line = one_error_line(gravsim(*ARGS, "--out", str(out)), 2)
    assert "line 3" in line and "E_N_quantum" in line
    assert (out / "scan.csv").read_bytes() == edited


def test_a_key_given_and_on_the_grid_is_refused(tmp_path):
    out = gravsim_in_process(
        "scan", "--set", "T=1", "--grid", "T=0.01,0.02", "--out", "s", cwd=tmp_path
    )
    assert "T is given with --set and as a --grid axis" in one_error_line(out, 2)


def test_the_text_summary_counts_points_without_a_result(tmp_path):
    out = gravsim_in_process(
        "scan", "--grid", "M=-1,1", "--no-progress", "--out", "s", cwd=tmp_path
    )
    assert out.returncode == 0
    assert "1 points solved, 1 without a result" in out.stdout


def test_a_quoted_index_and_a_missing_row_resume_in_order(tmp_path, whole):
    """A row whose index cell an editor quoted ("2") is a row; the resume that appends the
    missing row and re-sorts once failed on it (exit 4)."""
    lines = whole.splitlines(keepends=True)
    quoted = b'"3"' + lines[4][lines[4].index(b",") :]
    out = _damaged(tmp_path, whole, b"".join([lines[0], lines[1], lines[2], quoted, *lines[5:]]))
    again = gravsim(*ARGS, "--out", str(out))
    assert again.returncode == 0, again.stderr
    rows = scan.load(out).columns["index"]
    assert list(rows) == sorted(rows) and len(rows) == 6


def test_a_line_that_is_not_utf8_is_named(tmp_path, whole):
    lines = whole.splitlines(keepends=True)
    broken = lines[2].replace(b"effective", b"effectiv\xe9")
    out = _damaged(tmp_path, whole, b"".join([*lines[:2], broken, *lines[3:]]))
    assert "line 3 is not UTF-8" in one_error_line(gravsim(*ARGS, "--out", str(out)), 2)


def test_a_row_marked_ok_with_an_empty_main_result_is_named(tmp_path, whole):
    lines = whole.splitlines(keepends=True)
    header = lines[0].decode().strip().split(",")
    cells = lines[2].decode().rstrip("\r\n").split(",")
    cells[header.index("delta_E")] = ""
    out = _damaged(
        tmp_path, whole, b"".join([*lines[:2], (",".join(cells) + "\r\n").encode(), *lines[3:]])
    )
    line = one_error_line(gravsim(*ARGS, "--out", str(out)), 2)
    assert "line 3" in line and "delta_E" in line


def test_keys_that_shadow_each_other_across_set_and_grid_are_refused(tmp_path):
    args = ["scan", "--set", "Q_m=1e5", "--grid", "gamma_m=0.001,0.01", "--out", "s"]
    assert "given together" in one_error_line(gravsim_in_process(*args, cwd=tmp_path), 2)


def test_a_scan_over_overlapping_spheres_says_so(tmp_path):
    out = gravsim_in_process(
        "scan", "--grid", "d=1e-6,1e-3", "--no-progress", "--out", "s", cwd=tmp_path
    )
    assert out.returncode == 0 and "spheres overlap by 499 µm" in out.stderr, out.stderr
