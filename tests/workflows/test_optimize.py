"""Experiment design: the constrained optimum against an analytic one and a dense grid, and
``gravsim optimize`` end to end."""

from __future__ import annotations

import numpy as np
import pytest

import gravsim as gs
from gravsim.workflows import optimize, steady
from gravsim.workflows.design import parameters_at
from tests.conftest import gravsim, gravsim_in_process, one_error_line, strict_json

PAPER = gs.presets.get("paper")


@pytest.fixture(scope="module")
def paper_optimum() -> optimize.OptimizeResult:
    return optimize.optimize(PAPER, ["E_plus", "E_minus"])


def test_optimum_on_the_stability_boundary_is_the_analytic_one():
    """E₊ fixed, E₋ varied: G₊/G₋ = E₊/E₋ and ΔE grows as G₋ − G₊ shrinks (Eq. 6:
    ΔE ≈ 4κ_G/[(2n̄+1)γ + (4/κ)(G₋ − G₊)²]), so with margin m the optimum is the constraint's
    edge E₋ = E₊/(1 − m), where every other condition holds (validate passes at 0.6)."""
    r = optimize.optimize(PAPER, ["E_minus"], bounds={"E_minus": "120:400"}, margin=0.4)
    assert r.optimum["E_minus"] == pytest.approx(PAPER.E_plus / 0.6, rel=1e-6)
    at = steady.compute(PAPER.replace(E_minus=PAPER.E_plus / 0.6)).delta.value
    assert r.value == pytest.approx(at, rel=1e-5)
    assert all(c["holds"] for c in r.constraints) and r.validation.ok
    assert r.improvement > 1  # the preset's E₋ = 200 is inside, farther from the edge


def test_optimum_beats_the_best_feasible_point_of_a_dense_grid(paper_optimum):
    """Acceptance: at least the best grid point inside the regime, less 1e-3 (relative).

    The grid (80×80 here; 200×200 in benchmarks/bench_optimize.py) uses the same search space
    and constraints; the L1 check, a Floquet solve per point, is applied to the best grid
    points in turn until one passes."""
    r = paper_optimum
    problem = optimize.rebuild(r)
    n = 80
    u = np.stack([g.ravel() for g in np.meshgrid(*[np.linspace(0, 1, n)] * 2)])
    # the search space of the run: rebuild() is centred on the optimum, the bounds are its own
    score = problem.penalised(u)
    order = np.argsort(score)
    best = None
    for k in order[:50]:
        if score[k] >= optimize.PENALTY:
            break
        if problem.passes_l1(u[:, k]):
            best = problem.natural(score[k])
            break
    assert best is not None
    assert r.value >= best * (1 - 1e-3)
    p = parameters_at(problem.p, problem.variables, u[:, order[0]])
    assert float(p.G_plus / p.G_minus) <= 0.9 * (1 + 1e-9)


def test_reported_constraints_hold_and_the_ladder_passes(paper_optimum):
    r = paper_optimum
    assert {c["name"] for c in r.constraints} == {
        "stability", "adiabatic", "rwa", "ladder", "rotating_wave", "entangled",
    }  # fmt: skip
    assert all(c["holds"] for c in r.constraints)
    assert r.validation.ok and r.improvement > 2  # the paper's own point: G₊/G₋ = 0.5
    d = r.to_dict()
    assert d["unit"] == "nats" and d["optimum"] == r.optimum and d["constraints_hold"]
    assert d["budget"]["samples_chernoff"] < gs.budget.budget(PAPER).samples_chernoff


def test_cli_optimize_writes_files_and_refuses_other_inputs(tmp_path):
    out = tmp_path / "design"
    run = gravsim("optimize", "--vary", "E_minus", "--bounds", "E_minus=120:400", "--margin",
                  "0.4", "--json", "--out", str(out), "--no-progress")  # fmt: skip
    assert run.returncode == 0, run.stderr
    data = strict_json(run.stdout)
    assert data["optimum"]["E_minus"] == pytest.approx(PAPER.E_plus / 0.6, rel=1e-6)
    for suffix in (".csv", ".json", ".png"):
        assert (out / f"optimize{suffix}").stat().st_size > 0
    sidecar = strict_json((out / "optimize.json").read_text())
    assert "identity" in sidecar and sidecar["validation"]["ok"]
    other = gravsim_in_process("optimize", "--vary", "E_minus", "--margin", "0.3",
                               "--out", str(out), cwd=tmp_path)  # fmt: skip
    assert "--force" in one_error_line(other, 2)
    # the same run (a default spelled out, no progress bar) is not "other inputs"
    again = gravsim("optimize", "--vary", "E_minus", "--bounds", "E_minus=120:400", "--margin",
                    "0.4", "--rwa-tol", "0.05", "--out", str(out))  # fmt: skip
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize(
    "args,words",
    [
        (["--vary", "E_plus,nonsense"], "cannot vary 'nonsense'"),
        (["--vary", "E_plus", "--bounds", "E_minus=1:2"], "not varied"),
        (["--bounds", "E_plus=300:10"], "LO < HI"),
        (["--margin", "1.5"], "margin"),
        (["--efficiency", "0"], "efficiency"),
        (["--vary", "E_plus", "--bounds", "E_plus=500:600"], "stability"),
        (["--min-E-N", "100"], "--min-E-N"),
        (["--rwa-tol", "0.5"], "--rwa-tol"),
        (["--seed", "-1"], "--seed"),
        (["--vary", ""], "--vary names no input"),
    ],
)
def test_cli_optimize_bad_input_is_one_line(tmp_path, args, words):
    line = one_error_line(gravsim_in_process("optimize", "--no-progress", *args, cwd=tmp_path), 2)
    assert words in line
