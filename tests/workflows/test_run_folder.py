"""Every command that writes files keeps a run identity: same inputs rewrite, others refuse."""

from __future__ import annotations

import json

import pytest

import gravsim as gs
from tests.conftest import gravsim, one_error_line, strict_json

EVOLVE = ["evolve", "--t-final", "10/Gamma", "--n-times", "11", "--no-progress"]


def test_evolve_rerun_same_inputs_rewrites_other_inputs_refused(tmp_path):
    out = ["--out", str(tmp_path / "e")]
    first = gravsim(*EVOLVE, *out, "--json")
    assert first.returncode == 0, first.stderr
    files = strict_json(first.stdout)["files"]
    csv_path = tmp_path / "e" / "evolve_effective_gaussian.csv"
    csv_text = csv_path.read_text()
    again = gravsim(*EVOLVE, *out)
    assert again.returncode == 0 and csv_path.read_text() == csv_text
    line = one_error_line(gravsim(*EVOLVE, "--set", "Q_m=1e12", *out), 2)
    assert "--force" in line and "parameters" in line
    assert csv_path.read_text() == csv_text
    forced = gravsim(*EVOLVE, "--set", "Q_m=1e12", *out, "--force")
    assert forced.returncode == 0, forced.stderr
    sidecar = strict_json((tmp_path / "e" / "evolve_effective_gaussian.json").read_text())
    assert sidecar["identity"]["parameters"]["Q_m"] == pytest.approx(1e12)
    assert sidecar["identity"]["preset"] == "paper" and "command" in sidecar
    other_model = gravsim(*EVOLVE, "--model", "rwa", *out)  # another run, its own files
    assert other_model.returncode == 0 and len(files) == 3


def test_figure_and_budget_reruns(tmp_path):
    assert gravsim("figure", "fig3", "--out", "f", cwd=tmp_path).returncode == 0
    assert "--force" in one_error_line(
        gravsim("figure", "fig3", "--out", "f", "--log-base", "2", cwd=tmp_path), 2
    )
    assert gravsim("figure", "fig3", "--out", "f", "--log-base", "2", "--force",
                   cwd=tmp_path).returncode == 0  # fmt: skip
    sidecar = json.loads((tmp_path / "f" / "fig3.json").read_text())
    assert sidecar["identity"]["inputs"]["base"] == "2"
    budget = ["budget", "--plot-out", "b", "--set", "Q_m=1e12"]
    assert gravsim(*budget, cwd=tmp_path).returncode == 0
    assert {p.suffix for p in (tmp_path / "b").iterdir()} == {".csv", ".json", ".png"}
    refused = gravsim(*budget, "--efficiency", "0.5", cwd=tmp_path)
    assert "--force" in one_error_line(refused, 2) and "efficiency" in refused.stderr


def test_linear_transient_of_the_readme_entangles(tmp_path):
    """README's L1 line: thermal start at n̄ ≈ 4×10⁶, entangled well before 60 s."""
    out = gravsim("evolve", "--model", "linear", "--t-final", "60s", "--json",
                  "--out", str(tmp_path / "e"))  # fmt: skip
    assert out.returncode == 0, out.stderr
    summary = strict_json(out.stdout)
    final, steady = summary["E_N_quantum"]["final"], summary["steady"]["E_N_quantum"]
    assert final == pytest.approx(steady, rel=1e-3)


def test_sidecar_of_a_huge_axis_is_small():
    axis = gs.scan.parse_axis("E_plus=lin:1:100:10000000")
    assert len(json.dumps(axis.to_dict())) < 200
    assert gs.scan.Axis.from_dict(axis.to_dict()).values[-1] == 100.0


def test_errors_have_their_exit_codes():
    from gravsim.fock.solvers import SolverError

    assert issubclass(SolverError, gs.NumericalError) and SolverError.exit_code == 3
    assert gs.GravsimInputError.exit_code == 2 and gs.UnstableError.exit_code == 2
    with pytest.raises(gs.GravsimInputError):
        gs.closed_form.eq24_delta_E(gamma_m=1.0, Gamma=1.0, r=0.5, n_th=1.0, kappa_G=0.1, base="3")


def test_a_forced_run_that_fails_before_writing_keeps_the_old_files(tmp_path):
    """--force replaces a run only once the new one has written: a failure or Ctrl-C before
    that puts the old files back; a success removes them."""
    from gravsim.workflows.run_folder import RunFolder

    with RunFolder(tmp_path, "run", {"x": 1}) as folder:
        folder.write_sidecar({"result": "old"})
        folder.write_table({"a": [1.0]})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(KeyboardInterrupt):
        with RunFolder(tmp_path, "run", {"x": 2}, force=True):
            raise KeyboardInterrupt
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    with RunFolder(tmp_path, "run", {"x": 2}, force=True) as folder:
        folder.write_sidecar({"result": "new"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]
    assert strict_json((tmp_path / "run.json").read_text())["result"] == "new"


FOCK_EVOLVE = ["evolve", "--backend", "fock", "--preset", "small", "--no-progress"]


def test_a_killed_replacing_run_gives_the_old_run_back_and_its_identity_holds(tmp_path):
    """``--force`` sets the old run aside; killed before writing, the next start puts it
    back, so a run with other inputs is still refused without ``--force``."""
    import signal
    import time

    from tests.conftest import gravsim_background

    out = tmp_path / "e"
    quick = [*FOCK_EVOLVE, "--n-mech", "8", "--t-final", "1/Gamma", "--n-times", "5"]
    assert gravsim(*quick, "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    slow = [*FOCK_EVOLVE, "--n-mech", "12", "--t-final", "50/Gamma", "--force"]
    proc = gravsim_background(*slow, "--out", str(out))
    backup = out / ".evolve_effective_fock.replaced"
    deadline = time.time() + 60
    while not backup.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert backup.exists() and not any(p.suffix for p in out.iterdir() if p.is_file())
    other = [*FOCK_EVOLVE, "--n-mech", "10", "--t-final", "1/Gamma", "--n-times", "5"]
    assert "--force" in one_error_line(gravsim(*other, "--out", str(out)), 2)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # back, and no backup


def test_a_killed_replacing_run_that_wrote_its_files_drops_the_old_run(tmp_path):
    out = tmp_path / "e"
    assert gravsim(*EVOLVE, "--out", str(out)).returncode == 0
    backup = out / ".evolve_effective_gaussian.replaced"
    backup.mkdir()
    (backup / "evolve_effective_gaussian.csv").write_text("an older run\n")
    again = gravsim(*EVOLVE, "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert not backup.exists()
    assert "older" not in (out / "evolve_effective_gaussian.csv").read_text()


def test_a_run_never_writes_through_a_link(tmp_path):
    out = tmp_path / "e"
    assert gravsim(*EVOLVE, "--out", str(out)).returncode == 0
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    sidecar = out / "evolve_effective_gaussian.json"
    sidecar.unlink()
    sidecar.symlink_to(outside)
    line = one_error_line(gravsim(*EVOLVE, "--out", str(out), "--force"), 2)
    assert "symbolic link" in line
    assert outside.read_text() == "{}" and sidecar.is_symlink()


def test_validate_scaling_with_another_log_base_is_refused(tmp_path):
    """The scaling run's identity once left out its options: a rerun in bits replaced the
    run in nats without --force.  The refusal now comes before the work (one line)."""
    args = ["validate", "--preset", "small", "--no-fock", "--scaling", "--no-l0", "--out", "v"]
    assert gravsim(*args, cwd=tmp_path).returncode == 0
    line = one_error_line(gravsim(*args, "--log-base", "2", cwd=tmp_path), 2)
    assert "options.base" in line and "--force" in line


def test_tolerances_into_a_folder_that_refuses_it_is_refused_before_the_work(tmp_path):
    args = ["tolerances", "--preset", "small", "--out", "t"]
    assert gravsim(*args, cwd=tmp_path).returncode == 0
    line = one_error_line(gravsim(*args, "--log-base", "2", cwd=tmp_path), 2)
    assert "options.base" in line
