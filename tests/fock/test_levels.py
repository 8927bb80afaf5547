"""The Fock truncation policy (fock/levels.py): which levels hold the state, checked against
the exact Gaussian state before any solve, and the levels chosen where none are given or to a
requested tolerance."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gravsim as gs
from gravsim.analysis import fock_tails
from gravsim.fock import levels, truncation
from gravsim.model import rungs
from gravsim.model.gravity import KTMGravity, QuantumGravity
from tests.conftest import gravsim, gravsim_in_process, one_error_line, strict_json

PAPER = gs.presets.get("paper")
SMALL = gs.presets.get("small")


def _within(reported: float, true: float) -> bool:
    """reported ≥ true and ≤ 10× it."""
    return true <= reported <= 10 * true


# --- the check before a solve ---


@pytest.mark.parametrize("n", [0.0, 0.05, 0.5, 3.0, 40.0, 4e6])
def test_required_levels_is_the_thermal_tail_threshold(n):
    """N is the fewest levels whose thermal tail (n/(n+1))^(N−1) is within the limit: N
    passes, N − 1 does not (above the floor of MIN_LEVELS)."""
    limit = truncation.LAST_LEVEL_LIMIT
    big_n = levels.required_levels(n)
    assert fock_tails.thermal_tail(n, big_n - 1) <= limit * (1 + 1e-12)
    if big_n > truncation.MIN_LEVELS:
        assert fock_tails.thermal_tail(n, big_n - 2) > limit


def test_required_levels_at_the_paper_occupation_is_out_of_reach():
    """n̄ ≈ 4×10⁶: ~n̄·ln(1/limit) ≈ 3×10⁷ levels, far beyond REACH."""
    n = float(PAPER.n_th)
    assert levels.required_levels(n) == pytest.approx(n * math.log(1 / 1e-3), rel=1e-3)
    assert levels.required_levels(n) > levels.REACH
    assert levels.required_levels(math.inf) > 1e17  # an infinite occupation stays finite


def test_check_truncation_refuses_a_space_too_small_and_names_the_levels():
    """`small` effective: 5 levels leave too much population at the top (refused, naming
    ``n_mech`` and a number that passes); that number is accepted, one fewer is not."""
    model = rungs.effective(SMALL, QuantumGravity())
    state = gs.gaussian.steady_state(model)
    with pytest.raises(gs.errors.OutOfRegimeError, match=r"use `n_mech` (\d+) or more") as err:
        levels.check_truncation(model, (5, 5), state)
    need = int(err.value.args[0].split("use `n_mech` ")[1].split()[0])
    occupations = levels.check_truncation(model, (need, need), state)
    assert occupations["a"] == pytest.approx(state.occupations()["a"])
    with pytest.raises(gs.errors.OutOfRegimeError):
        levels.check_truncation(model, (need - 1, need - 1), state)


def test_the_worst_sample_of_a_period_decides():
    """A periodic state's samples: one sample too wide for the space is enough to refuse."""
    narrow = np.diag([0.5, 0.5, 0.5, 0.5])[None]
    wide = np.diag([20.0, 20.0, 0.5, 0.5])[None]
    levels.check_covariances(("a", "b"), narrow, (6, 6))
    with pytest.raises(gs.errors.OutOfRegimeError, match="mode a"):
        levels.check_covariances(("a", "b"), np.concatenate([narrow, wide]), (6, 6))


# --- levels chosen by default, and to a requested tolerance ---


def test_default_levels_are_chosen_from_the_gaussian_tails():
    """No ``n_mech``: ``small`` effective picks 12 levels for a predicted error ≤ 1e-3 and
    reports ≤ 1e-3; ``n_mech`` given wins."""
    out = gravsim("steady", "--preset", "small", "--backend", "fock", "--json")
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    exact = gs.steady.compute(SMALL).comparison()
    assert data["levels_chosen"].startswith("auto: Gaussian tails")
    assert data["n_mech_chosen"] == data["truncation"]["dims"]["a"] >= 10
    for label in ("quantum", "classical"):
        error = data[f"truncation_error_{label}"]
        assert _within(error, abs(data[f"E_N_{label}"] - exact[f"E_N_{label}"]))
        assert error <= 1e-3
    given = gs.steady.compute(SMALL, backend="fock", n_mech=8)
    assert given.stats["truncation"]["dims"] == {"a": 8, "b": 8}
    assert given.stats["levels_chosen"] == "given" and "n_mech_chosen" not in given.stats


@pytest.mark.parametrize("name", ["paper", "paper-point-mass", "small", "small-weak", "driven"])
@pytest.mark.parametrize("rung", ["effective", "rwa"])
def test_default_levels_on_every_preset(name, rung):
    """The choice alone (no solve): never refused on a project preset; within the 30 s budget
    of a default run; the target 1e-3 where that budget allows it, else said (three-mode)."""
    p = gs.presets.get(name)
    described = {g.label: rungs.build(rung, p, g) for g in (QuantumGravity(), KTMGravity())}
    states = [gs.gaussian.steady_state(d) for d in described.values()]
    choice = levels.choose_levels(described, 1e-3, 30.0, states=states)
    if choice.predicted_time > 30.0:  # nothing smaller holds the state: the fewest that do
        assert choice.dims == levels.choose_levels(described, 1.0, 1e9, states=states).dims
    if choice.predicted_error > 1e-3:
        assert "needs about" in choice.how and "ask for the target" in choice.how


def test_out_of_reach_is_a_one_line_refusal(tmp_path):
    """The conventional scheme at the paper's n̄ ≈ 4e6: no Fock space holds it (exit 2)."""
    args = ("steady", "--preset", "paper", "--model", "conventional", "--backend", "fock")
    out = gravsim_in_process(*args, cwd=tmp_path)
    line = one_error_line(out, 2)
    assert "out of reach" in line and "levels per mode" in line


def test_steady_to_a_tolerance_from_the_command_line():
    """`--tol`: levels chosen for it, grown until every E_N error is ≤ tol; the result names
    them and is within tol of the exact value (``small``, 3e-4)."""
    out = gravsim("steady", "--preset", "small", "--backend", "fock", "--tol", "3e-4", "--json")
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    exact = gs.steady.compute(SMALL).comparison()
    assert data["tolerance_search"]["target"] == 3e-4 and data["n_mech_chosen"] >= 12
    for label in ("quantum", "classical"):
        assert data[f"truncation_error_{label}"] <= 3e-4
        assert abs(data[f"E_N_{label}"] - exact[f"E_N_{label}"]) <= 3e-4
    assert data["truncation"]["dims"] == {"a": data["n_mech_chosen"], "b": data["n_mech_chosen"]}


def test_a_tolerance_beyond_the_budgets_names_the_levels_it_needs(tmp_path, monkeypatch):
    """Exit 3, one line: where no truncation that fits in memory reaches the tolerance; where
    its predicted time is beyond the budget; and, after solving, where the next truncation
    would overrun it."""
    monkeypatch.setattr(truncation, "available_memory", lambda: 2**20)
    result = gravsim_in_process(
        "steady", "--preset", "small", "--backend", "fock", "--tol", "1e-9", cwd=tmp_path
    )
    assert "GiB available" in one_error_line(result, 3)
    monkeypatch.setattr(truncation, "available_memory", lambda: 2**40)
    with pytest.raises(gs.errors.NumericalError, match=r"needs about \d+x\d+ levels .*budget"):
        gs.steady.compute(SMALL, backend="fock", tol=1e-10)
    from gravsim.workflows import fock_steady

    monkeypatch.setattr(levels, "PREDICTED_AMPLITUDE", 1e-6)  # the prediction too hopeful
    monkeypatch.setattr(fock_steady, "TIME_BUDGET", 1.0)
    with pytest.raises(gs.errors.NumericalError, match=r"needs about \d+x\d+ levels \(reached"):
        gs.steady.compute(SMALL, backend="fock", tol=1e-6)
    bad = gravsim_in_process("steady", "--backend", "fock", "--tol", "0", cwd=tmp_path)
    assert "--tol must be a positive number" in one_error_line(bad, 2)


@pytest.mark.parametrize(("n_mech", "tol"), [(6, 1e-2), (5, 1e-1)])
def test_a_tolerance_grows_the_levels_from_those_given(n_mech, tol):
    """``--n-mech 6 --tol 1e-2``: the help promises levels added from 6 until the error is
    within 1e-2; 6 was once the only truncation tried, and the run refused ("beyond 60").
    From 5, too few to hold the mode at all, the growth starts where the mode fits."""
    p = gs.presets.get("small")
    r = gs.steady.compute(p, model="effective", backend="fock", n_mech=n_mech, tol=tol)
    q = r.outcomes["quantum"]
    assert r.stats["n_mech_chosen"] >= n_mech and q.truncation_error <= tol
