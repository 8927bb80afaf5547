"""Tests of the budget workflow (gravsim.workflows.budget): samples and years to tell two
hypotheses apart, the required efficiency, the command line."""

from __future__ import annotations

import math

import pytest

import gravsim as gs
from gravsim.errors import GravsimWarning
from gravsim.workflows.budget import budget
from tests.conftest import gravsim, one_error_line, strict_json


@pytest.fixture(scope="module")
def paper_budget():
    return budget(gs.presets.get("paper"))


def test_budget_small_sample_count():
    b = budget(gs.presets.get("small"))
    assert b.delta_E == pytest.approx(0.5237, rel=1e-3)
    assert b.samples_estimate_E_N == pytest.approx((2 * b.sigma_E_N_single / b.delta_E) ** 2)
    assert 10 < b.samples_estimate_E_N < 1e4
    b2 = budget(gs.presets.get("small"), base="2")
    assert b2.samples_estimate_E_N == pytest.approx(b.samples_estimate_E_N, rel=1e-9)
    assert b2.delta_E == pytest.approx(b.delta_E / math.log(2))


# ----------------------------------------------------------------------------- time


def test_budget_paper_point(paper_budget):
    b = paper_budget
    d = b.to_dict()
    assert d["base"] == "e" and d["model"] == "effective"
    assert b.delta_E == pytest.approx(4.965e-8, rel=1e-3)
    assert b.sample_interval == pytest.approx(2 * b.correlation_time)
    t = b.times["chernoff"]
    assert t["s"] == pytest.approx(b.samples_chernoff * b.sample_interval)
    assert t["years"] == pytest.approx(t["s"] / (365.25 * 86400))
    assert b.samples_chernoff == pytest.approx(math.log(50) / b.chernoff_exponent)


def test_cli_budget_json_and_bad_input():
    out = gravsim("budget", "--efficiency", "0.26", "--json")
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    assert data["efficiency"] == 0.26 and data["samples_chernoff"] > 1e15
    assert data["times"]["heterodyne_chernoff"]["years"] > data["times"]["chernoff"]["years"]
    one_error_line(gravsim("budget", "--efficiency", "1.5"), 2)


def test_required_efficiency_is_the_one_year_point():
    from gravsim.workflows import budget as feasibility

    p = gs.presets.get("small")
    eta = feasibility.required_efficiency(p, years=1e-3)
    assert eta is not None and 0 < eta <= 1
    assert (
        feasibility.heterodyne_years(p, eta) <= 1e-3 < feasibility.heterodyne_years(p, eta / 1.01)
    )


def test_exact_measures_converge_where_50_digits_do_not():
    """At n̄ ~ 1e30 the covariances' condition number is ~1e39: 50 digits gave a relative
    entropy of −1e-12 and a Chernoff count from rounding noise.  The exact measures now
    take the digits they need and agree with the second-order metrics (S ≈ g_KM/2,
    1 − F ≈ F_Q/8) to 1e-6."""
    from gravsim.analysis import distinguishability as d
    from gravsim.gaussian.hypothesis_pair import hypothesis_pair

    p = gs.presets.get("small").replace(T=1e30)
    h = hypothesis_pair(p, "effective", "both")
    exact = d.exact_divergences(h.v0, h.v1)
    km, qfi = d.kubo_mori_metric(h.v0, h.dv), d.qfi_sld(h.v0, h.dv)
    for key in ("relative_entropy_qc", "relative_entropy_cq"):
        assert exact[key] == pytest.approx(km / 2, rel=1e-6)
    assert exact["one_minus_fidelity"] == pytest.approx(qfi / 8, rel=1e-6)
    assert 0 < exact["chernoff_exponent"] <= exact["relative_entropy_qc"]
    with pytest.warns(GravsimWarning, match="melting point"):
        b = gs.budget.budget(p)
    assert b.samples_stein > 1e70 and b.samples_chernoff > 1e70
