"""The gravity hypotheses through the workflows: `gravsim hypotheses`, and every rung of
`steady` with a hypothesis other than KTM."""

from __future__ import annotations

import numpy as np
import pytest

import gravsim as gs
from gravsim import gaussian
from gravsim.model import rungs
from gravsim.model.gravity import DiosiPenrose
from gravsim.workflows import hypotheses
from tests.conftest import gravsim, strict_json

PAPER = gs.presets.get("paper")


def test_cli_hypotheses_table_and_geometry_warning():
    out = gravsim("hypotheses", "--json")
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    rows = {r["name"]: r for r in data["hypotheses"]}
    assert list(rows) == ["quantum", "ktm", "diosi-penrose", "tilloy-diosi", "cq-floor"]
    assert rows["quantum"]["delta_E"] == 0 and rows["cq-floor"]["kappa_over_ktm"] == 0.5
    assert rows["tilloy-diosi"]["kappa"] == rows["diosi-penrose"]["kappa"]
    dp = gaussian.compare_gravity(rungs.effective(PAPER, DiosiPenrose()))
    assert rows["diosi-penrose"]["delta_E"] == pytest.approx(dp.delta_E(), rel=1e-12)
    assert rows["ktm"]["delta_E"] == pytest.approx(4.965285e-8, rel=1e-6)
    # the table's spheres (1.3 mg of gold at d = 0.5 mm) overlap by 4.8 µm: said once
    assert data["geometry"]["surface_gap"] == pytest.approx(-4.81e-6, rel=1e-2)
    assert "overlap by 4.81 µm" in out.stderr and len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("model", ["effective", "rwa", "closed-form", "linear", "conventional"])
def test_steady_takes_the_diosi_penrose_hypothesis_on_every_gaussian_rung(model):
    """Without its mutual term DP's diffusion is KTM's scaled, so ΔE is (κ_DP/κ_KTM) ΔE_KTM
    (the mutual term, a correlated diffusion, is tested in tests/model/test_gravity.py)."""
    r = gs.steady.compute(PAPER, model=model, gravity="diosi-penrose:mutual=off")
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
    dp = gs.budget.budget(PAPER, compare="quantum,diosi-penrose:mutual=off")
    apart = gs.budget.budget(PAPER, compare="ktm,diosi-penrose:mutual=off")
    k_dp, k_ktm = DiosiPenrose().rates(PAPER)[0], PAPER.kappa_G
    assert dp.samples_chernoff == pytest.approx(
        ktm.samples_chernoff * (k_ktm / k_dp) ** 2, rel=1e-4
    )
    assert apart.samples_chernoff == pytest.approx(
        ktm.samples_chernoff * (k_ktm / (k_ktm - k_dp)) ** 2, rel=1e-6
    )
    assert dp.compare == "quantum,diosi-penrose:mutual=off"
    assert dp.delta_E == pytest.approx(4.8474e-8, 1e-4)
    with pytest.raises(gs.GravsimInputError, match="two hypotheses"):
        gs.budget.budget(PAPER, compare="ktm")
    # A with less entanglement than B (ΔE < 0): the E_N gap still resolves, in either order
    down, up = (gs.budget.budget(PAPER, compare=c) for c in ("ktm,cq-floor", "cq-floor,ktm"))
    assert down.delta_E < 0 < up.delta_E
    assert down.samples_estimate_E_N == pytest.approx(up.samples_estimate_E_N, rel=1e-3)


def test_the_q_m_each_hypothesis_needs_for_a_number_of_samples():
    """The least Q_m (tuning rule) at which the optimal count is ≤ N: enough there, not 0.5 %
    below (the bisection stops at 0.1 %)."""
    from gravsim.model.gravity import KTMGravity
    from gravsim.model.regime import tuned
    from gravsim.workflows import hypotheses

    q = hypotheses._q_needed(PAPER, "effective", KTMGravity(), 1e6)
    assert gs.budget.budget(tuned(PAPER, q)).samples_chernoff <= 1e6
    assert gs.budget.budget(tuned(PAPER, q / 1.005)).samples_chernoff > 1e6
    assert hypotheses._q_needed(PAPER, "effective", KTMGravity(), 1e-3) is None  # < 1 sample


def test_validate_runs_the_ladder_for_a_hypothesis(tmp_path):
    """`validate --compare quantum,B`: every row reports E_N_B; the closed form and both
    Gaussian rungs agree with steady's comparison; a pair without quantum gravity, exit 2."""
    out = gravsim(
        "validate", "--preset", "paper", "--no-fock", "--compare", "quantum,cq-floor", "--json"
    )
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    assert data["ok"] and data["compare"] == "quantum,cq-floor"
    assert all(set(r["values"]) == {"E_N_quantum", "E_N_cq_floor", "delta_E"}
               for r in data["rows"] if r["values"])  # fmt: skip
    rows = {r["method"]: r["values"] for r in data["rows"]}
    for rung in ("effective", "rwa"):
        one = gs.steady.compute(PAPER, model=rung, gravity="quantum,cq-floor")
        assert rows[f"{rung} Gaussian"]["delta_E"] == pytest.approx(one.delta.value, rel=1e-14)
    ktm = gs.steady.compute(PAPER, model="closed-form").delta.value
    assert rows["closed form S2 Eq. (19)"]["delta_E"] == pytest.approx(ktm / 2, rel=1e-6)
    text = gravsim("validate", "--preset", "paper", "--no-fock", "--compare", "quantum,cq-floor")
    assert "E_N cq-floor" in text.stdout and "all checks passed" in text.stdout
    from tests.conftest import gravsim_in_process, one_error_line

    for compare in ("ktm,diosi-penrose", "ktm"):
        line = one_error_line(
            gravsim_in_process("validate", "--no-fock", "--compare", compare, cwd=tmp_path), 2
        )
        assert "quantum,B" in line


def test_gravity_settings_reach_the_model_from_the_command_line(tmp_path):
    """`--gravity NAME:KEY=VALUE`: the DP cut-off raises κ by ~4e14 and says, once, that the
    thermal motion is above the cut-off; an unknown key is one line and exit 2."""
    out = gravsim("steady", "--preset", "paper", "--compare",
                  "quantum,diosi-penrose:cutoff=1e-15", "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    assert data["E_N_diosi_penrose"] == 0.0 and data["delta_E"] == data["E_N_quantum"]
    assert out.stderr.count("well below the cut-off") == 1
    from tests.conftest import gravsim_in_process, one_error_line

    line = one_error_line(gravsim_in_process("steady", "--gravity", "cq-floor:lambda=2",
                                             cwd=tmp_path), 2)  # fmt: skip
    assert "(trade_off)" in line


def test_fig2_has_one_curve_per_hypothesis():
    """Each hypothesis's ΔE column is its own comparison on the effective rung (table preset),
    at Q_ref equal to `hypotheses`' ΔE; the CQ floor is half the KTM curve at first order."""
    from gravsim.workflows import figures

    data = figures.fig2(q_values=np.array([1e12, figures.Q_REF]))
    with pytest.warns(gs.errors.GravsimWarning, match="overlap"):
        table = {r["name"]: r for r in gs.workflows.hypotheses.table(PAPER).rows}
    for name, h in data.summary["hypotheses"].items():
        at_ref = data.columns[h["column"]][data.columns["Q_m"] == figures.Q_REF][0]
        assert at_ref == pytest.approx(table[name]["delta_E"], rel=1e-12)
    ratio = data.columns["delta_E_cq_floor_table"] / data.columns["delta_E_effective_table"]
    assert ratio == pytest.approx(0.5, rel=1e-6)


def test_fock_backend_takes_every_hypothesis():
    """The small preset's effective rung in Fock space (8 levels) with the CQ floor at a
    trade-off of 3 (κ ~ Γ/7 there, ΔE ~ 0.45) and Tilloy–Diósi at a given rate: within the
    reported truncation errors of the exact Gaussian values.  (Tilloy–Diósi from the
    density, κ ~ 1e-7 here, leaves ΔE ~ 1e-6 whose N−4, N−2, N error estimate is 4× below
    the true error: issue 14.)"""
    small = gs.presets.get("small")
    for gravity in ("quantum,cq-floor:trade_off=3", "quantum,tilloy-diosi:kappa=0.005"):
        fock = gs.steady.compute(small, backend="fock", gravity=gravity, n_mech=8)
        exact = gs.steady.compute(small, gravity=gravity).comparison()
        errors = fock.comparison_errors()
        for key, value in fock.comparison().items():
            assert abs(value - exact[key]) <= errors[key], (gravity, key)


def test_the_q_m_search_says_its_steps_and_draws_no_solver_warning(tmp_path):
    """``--samples`` searches Q_m up to 10²²: it says which hypothesis it is on, and asks
    only for the sample count (the correlation times' ill-conditioned solve at γ_m → 0 once
    warned at every step, and took 10× the time)."""
    from tests.conftest import gravsim_in_process

    out = gravsim_in_process("hypotheses", "--preset", "small", "--samples", "1000", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    said = [x for x in out.stderr.splitlines() if x.startswith("gravsim: hypotheses:")]
    assert len(said) == 4 and "floating-point" not in out.stderr, out.stderr


def test_optimal_samples_is_the_budget_s_chernoff_count():
    from gravsim.workflows import budget

    p = gs.presets.get("small")
    for compare in ("both", "quantum,diosi-penrose"):
        full = budget.budget(p, compare=compare)
        assert budget.optimal_samples(p, compare=compare) == full.samples_chernoff


def test_a_q_m_the_search_cannot_go_below_is_a_bound_not_an_answer(tmp_path):
    """On ``small`` even Q_m = 1e8, the search's lower end, is enough for 1000 samples: the
    row says "at most", not 1e8 as if found; infinite samples are refused."""
    from tests.conftest import gravsim_in_process, one_error_line

    table = hypotheses.table(gs.presets.get("small"), samples=1000)
    ktm = next(r for r in table.rows if r["name"] == "ktm")
    assert ktm["Q_m_needed"] == 1e8 and ktm["Q_m_needed_bound"] == "at most"
    assert "<= 1e+08" in str(table)
    paper = hypotheses.table(gs.presets.get("paper"), samples=1e6)
    assert all("Q_m_needed_bound" not in r for r in paper.rows)
    line = one_error_line(gravsim_in_process("hypotheses", "--samples", "1e400", cwd=tmp_path), 2)
    assert "finite" in line
