"""The gravity hypotheses through the workflows: `gravsim hypotheses`, and every rung of
`steady` with a hypothesis other than KTM."""

from __future__ import annotations

import pytest

import gravsim as gs
from gravsim import gaussian
from gravsim.model import rungs
from gravsim.model.gravity import DiosiPenrose
from tests.conftest import gravsim, strict_json

PAPER = gs.presets.get("paper")


def test_cli_hypotheses_table_and_geometry_warning():
    out = gravsim("hypotheses", "--json")
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    rows = {r["name"]: r for r in data["hypotheses"]}
    assert set(rows) == {"quantum", "ktm", "diosi-penrose"} and rows["quantum"]["delta_E"] == 0
    dp = gaussian.compare_gravity(rungs.effective(PAPER, DiosiPenrose()))
    assert rows["diosi-penrose"]["delta_E"] == pytest.approx(dp.delta_E(), rel=1e-12)
    assert rows["ktm"]["delta_E"] == pytest.approx(4.965285e-8, rel=1e-6)
    # the table's spheres (1.3 mg of gold at d = 0.5 mm) overlap by 4.8 µm: said once
    assert data["geometry"]["surface_gap"] == pytest.approx(-4.81e-6, rel=1e-2)
    assert "overlap by 4.81 µm" in out.stderr and len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("model", ["effective", "rwa", "closed-form", "linear", "conventional"])
def test_steady_takes_the_diosi_penrose_hypothesis_on_every_gaussian_rung(model):
    r = gs.steady.compute(PAPER, model=model, gravity="diosi-penrose")
    e_dp = r.outcome("diosi_penrose").E_N
    q = gs.steady.compute(PAPER, model=model, gravity="quantum").outcome().E_N
    if model == "conventional":
        assert e_dp == q == 0.0  # the conventional steady state is not entangled
        return
    # ΔE linear in κ: E_N,q − E_N,DP = (κ_DP/κ_KTM) ΔE_KTM to first order (ΔE ~ 5e-8)
    ktm = gs.steady.compute(PAPER, model=model).delta.value
    ratio = DiosiPenrose().rates(PAPER)[0] / PAPER.kappa_G
    # a float64 difference of two E_N (~1e-8 relative) and the second order in κ (~1e-7)
    assert q - e_dp == pytest.approx(ratio * ktm, rel=1e-6)


def test_cli_compare_gives_delta_E_and_refuses_what_it_cannot_compare(tmp_path):
    out = gravsim("steady", "--preset", "paper", "--compare", "quantum,diosi-penrose", "--json")
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    dp = gaussian.compare_gravity(rungs.effective(PAPER, DiosiPenrose())).delta_E()
    assert data["delta_E"] == pytest.approx(dp, rel=1e-14)
    assert data["E_N_quantum"] > data["E_N_diosi_penrose"] and data["gravity"] == (
        "quantum,diosi-penrose"
    )
    from tests.conftest import gravsim_in_process, one_error_line

    for args, words in (
        (["--compare", "ktm,ktm"], "two different hypotheses"),
        (["--compare", "ktm,diosi-penrose", "--model", "linear"], "with quantum gravity only"),
        (["--compare", "quantum,newton"], "unknown gravity"),
    ):
        line = one_error_line(gravsim_in_process("steady", *args, cwd=tmp_path), 2)
        assert words in line


def test_scan_and_evolve_take_a_comparison(tmp_path):
    axis = gs.scan.parse_axis("E_plus=lin:60:140:3")
    csv_path = gs.scan.run(PAPER, [axis], tmp_path / "s", gravity="quantum,diosi-penrose",
                           plot=False, progress=False)  # fmt: skip
    data = gs.scan.load(csv_path.parent)
    for k, e_plus in enumerate(axis.values):
        one = gs.steady.compute(PAPER.replace(E_plus=e_plus), gravity="quantum,diosi-penrose")
        assert data.columns["delta_E"][k] == pytest.approx(one.delta.value, rel=1e-12)
    ev = gs.evolve.compute(PAPER, t_final=10 / PAPER.Gamma, n_times=5,
                           gravity="quantum,diosi-penrose")  # fmt: skip
    assert {"E_N_quantum", "E_N_diosi_penrose", "delta_E"} <= set(ev.columns)
    with pytest.raises(gs.GravsimInputError, match="with quantum gravity"):
        gs.evolve.compute(PAPER, t_final=1.0, gravity="ktm,diosi-penrose")


def test_budget_tells_any_two_hypotheses_apart():
    """Samples scale as 1/Δκ² for nearby states: DP needs (κ_KTM/κ_DP)² the KTM count, KTM
    against DP (Δκ = 2.4 % of κ) (κ_KTM/Δκ)² of it; measured to 2e-9 and 1e-7 (second order
    in κ, ~ΔE), asserted to 1e-6."""
    ktm = gs.budget.budget(PAPER)
    dp = gs.budget.budget(PAPER, compare="quantum,diosi-penrose")
    apart = gs.budget.budget(PAPER, compare="ktm,diosi-penrose")
    k_dp, k_ktm = DiosiPenrose().rates(PAPER)[0], PAPER.kappa_G
    assert dp.samples_chernoff == pytest.approx(
        ktm.samples_chernoff * (k_ktm / k_dp) ** 2, rel=1e-4
    )
    assert apart.samples_chernoff == pytest.approx(
        ktm.samples_chernoff * (k_ktm / (k_ktm - k_dp)) ** 2, rel=1e-6
    )
    assert dp.compare == "quantum,diosi-penrose" and dp.delta_E == pytest.approx(4.8474e-8, 1e-4)
    with pytest.raises(gs.GravsimInputError, match="two hypotheses"):
        gs.budget.budget(PAPER, compare="ktm")


def test_the_q_m_each_hypothesis_needs_for_a_number_of_samples():
    """The least Q_m (tuning rule) at which the optimal count is ≤ N: enough there, not 0.5 %
    below (the bisection stops at 0.1 %)."""
    from gravsim.model.gravity import KTMGravity
    from gravsim.workflows import hypotheses
    from gravsim.workflows.figures import tuned

    q = hypotheses._q_needed(PAPER, "effective", KTMGravity(), 1e6)
    assert gs.budget.budget(tuned(PAPER, q)).samples_chernoff <= 1e6
    assert gs.budget.budget(tuned(PAPER, q / 1.005)).samples_chernoff > 1e6
    assert hypotheses._q_needed(PAPER, "effective", KTMGravity(), 1e-3) is None  # < 1 sample
