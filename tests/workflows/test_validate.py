"""`gravsim validate`: every check compares a measured difference with a derived prediction,
and a deliberately wrong rung makes its check fail."""

from __future__ import annotations

import dataclasses

import pytest

import gravsim as gs
from gravsim.model import diffusion, gravity, rungs
from gravsim.workflows import approximation_order, ladder_checks, validate
from tests.conftest import gravsim, strict_json

SMALL = gs.presets.get("small")
PAPER = gs.presets.get("paper")


def _rung_checks(result: validate.Validation, name: str) -> list[ladder_checks.Check]:
    return [c for c in result.checks if c.name == name]


ADIABATIC = "RWA Gaussian vs effective Gaussian"
ROTATING = "L1 Floquet vs RWA Gaussian"


@pytest.mark.parametrize("name", ["paper", "small", "small-weak", "driven"])
def test_gaussian_rung_checks_pass_with_ratios_near_one(name):
    """The adiabatic and rotating-wave checks pass on every preset, their measured/estimated
    ratios within 0.75–1.25 (the estimates are derived, the differences exact)."""
    result = validate.run(gs.presets.get(name), fock=False)
    assert result.ok
    for check in _rung_checks(result, ADIABATIC) + _rung_checks(result, ROTATING):
        assert check.ran and check.passed
        assert check.ratio is None or 0.75 <= check.ratio <= 1.25, check


def test_checks_not_run_carry_their_reason_and_count():
    """--no-fock: the Fock and L0 checks are reported not run with the reason; the summary
    counts "k of n checks ran"; the JSON carries estimate, ratio and the counts."""
    result = validate.run(PAPER, fock=False)
    skipped = [c for c in result.checks if not c.ran]
    assert len(skipped) == 7 and all("left out on request" in c.skipped for c in skipped)
    assert result.ok and not result.complete
    assert f"{len(result.checks) - 7} of {len(result.checks)} checks ran" in str(result)
    data = result.to_dict()
    assert data["checks_run"] == len(result.checks) - 7 and data["complete"] is False
    assert {"estimate", "ratio", "difference", "skipped"} <= set(data["checks"][0])


def test_strict_turns_a_check_not_run_into_exit_1():
    plain = gravsim("validate", "--preset", "paper", "--no-fock")
    strict = gravsim("validate", "--preset", "paper", "--no-fock", "--strict", "--json")
    assert plain.returncode == 0, plain.stderr
    assert strict.returncode == 1, strict.stderr
    data = strict_json(strict.stdout)
    assert data["ok"] and not data["complete"]


def _scaled_reservoir(factor):
    original = rungs.effective

    def effective(p, gravity=None, *, reservoir="collective"):
        model = original(p, gravity, reservoir=reservoir)
        jumps = tuple(
            dataclasses.replace(j, rate=j.rate * factor) if j.label.startswith("Γ") else j
            for j in model.jumps
        )
        return dataclasses.replace(model, jumps=jumps)

    return effective


def test_a_wrong_effective_rung_fails_the_adiabatic_check(monkeypatch):
    """The reservoir rate Γ 5 % too large in L3 (a coefficient changed): the adiabatic check
    fails (the difference is no longer what the cavity's finite response predicts)."""
    monkeypatch.setattr(rungs, "effective", _scaled_reservoir(1.05))
    result = validate.run(PAPER, fock=False)
    assert not result.ok
    failed = [c for c in _rung_checks(result, ADIABATIC) if not c.passed]
    assert failed and all(abs(c.ratio) > 3 for c in failed)


def test_dropping_the_rwa_diffusion_factor_two_fails_the_rwa_check(monkeypatch):
    """KTM's RWA form 2κ(D[j] + D[j†]) with the 2 dropped: L2's ΔE halves while L1 keeps
    2κ D[j + j†], and the rotating-wave check of ΔE fails."""
    original = diffusion.PositionDiffusion.jumps

    def jumps(self, p, *, rwa):
        out = original(self, p, rwa=rwa)
        return tuple(dataclasses.replace(j, rate=j.rate / 2) for j in out) if rwa else out

    monkeypatch.setattr(diffusion.PositionDiffusion, "jumps", jumps)
    result = validate.run(SMALL, fock=False)
    delta = [c for c in _rung_checks(result, ROTATING) if c.quantity == "delta_E"]
    assert delta and not delta[0].passed and not result.ok


def test_dropping_the_counter_rotating_gravity_term_fails_the_rwa_check(monkeypatch):
    """L1 without k_M(ab + a†b†) (the bug that once survived every test): on small
    (k_M/ω_m = 5e-4) the rotating-wave check fails."""
    original = diffusion.coherent_coupling
    for module in (gravity, diffusion):
        monkeypatch.setattr(module, "coherent_coupling", lambda p, *, rwa: original(p, rwa=True))
    result = validate.run(SMALL, fock=False)
    assert not all(c.passed for c in _rung_checks(result, ROTATING))


@pytest.fixture
def quick_l0(monkeypatch):
    """validate's L0 row on a 4×4×3 truncation, below what its pre-check admits (driven: the
    period map and the estimate by harmonic balance, a few seconds)."""
    monkeypatch.setattr(validate, "L0_DIMS", (4, 3))
    monkeypatch.setattr(validate.levels, "check_covariances", lambda *args: None)
    p = gs.presets.get("driven")
    state = gs.gaussian.floquet.periodic_state(rungs.linear(p, gs.gravity.KTMGravity()))
    return lambda: validate._l0_rows(p, [], state, "e", lambda message: None)


def test_l0_check_compares_with_the_second_order_response(quick_l0):
    (check,) = quick_l0()
    assert check.passed and check.ratio == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("factor", [0.0, 2.0])
def test_a_wrong_radiation_pressure_fails_the_l0_check(quick_l0, monkeypatch, factor):
    """L0's cubic g(j + j†)c†c dropped (factor 0) or doubled (2): the L0 check fails."""
    original = rungs.full

    def full(p, gravity=None, *, frame="displaced"):
        model = original(p, gravity, frame=frame)
        terms = tuple(
            dataclasses.replace(t, coeff=t.coeff * factor) if t.order == 3 else t
            for t in model.hamiltonian
        )
        return dataclasses.replace(model, hamiltonian=terms)

    monkeypatch.setattr(rungs, "full", full)
    (check,) = quick_l0()
    assert not check.passed


def test_ratio_rule():
    """1/3 ≤ measured/estimated ≤ 3 passes; a wrong sign, or 3.1×, fails; both at rounding
    passes with no ratio."""
    rule = ladder_checks.against_estimate
    assert rule("x", "q", 1.0 + 2e-3, 1.0, 1e-3, "").passed
    assert not rule("x", "q", 1.0 + 3.1e-3, 1.0, 1e-3, "").passed
    assert not rule("x", "q", 1.0 - 1e-3, 1.0, 1e-3, "").passed
    assert not rule("x", "q", 1.0 + 0.3e-3, 1.0, 1e-3, "").passed
    zero = rule("x", "q", 0.0, 0.0, 0.0, "")
    assert zero.passed and zero.ratio is None


def test_quantum_gravity_hypothesis_is_refused():
    with pytest.raises(gs.errors.GravsimInputError, match="quantum,B"):
        validate.run(PAPER, fock=False, compare="ktm")


def test_scaling_measures_the_predicted_orders_at_the_paper_point():
    """validate --scaling (Gaussian pairs): the elimination's and the RWA's differences fall
    as the derived estimates predict (slopes 1.97–2.00 at paper), every slope checked."""
    result = approximation_order.run(PAPER, l0=False)
    assert result.ok and result.checked == 6
    for series in result.series:
        assert series.slope == pytest.approx(2.0, abs=0.05)


def test_scaling_fails_for_a_wrong_rung(monkeypatch):
    """Γ 5 % too large in L3: L2 − L3 no longer vanishes with Γ/κ; its slope (~0) is far
    from the predicted ~2, and the ladder check fails too."""
    monkeypatch.setattr(rungs, "effective", _scaled_reservoir(1.05))
    result = approximation_order.run(PAPER, l0=False)
    wrong = [s for s in result.series if s.pair == "adiabatic elimination"]
    assert all(s.passed is False and abs(s.slope) < 1 for s in wrong)
    assert not result.ok


def test_scaling_writes_table_json_and_plot(tmp_path):
    args = ["--preset", "paper", "--scaling", "--no-l0", "--json"]
    out = gravsim("validate", *args, "--out", str(tmp_path / "s"))
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    assert data["slopes_checked"] == 6 and data["not_run"]["linearisation"]
    assert {p.name for p in (tmp_path / "s").iterdir()} >= {"scaling.csv", "scaling.png"}
