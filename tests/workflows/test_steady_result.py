"""The result model and the options objects: typed fields, JSON keys derived in one place,
unknown options refused, and one state interface across the backends."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gravsim as gs
from gravsim.errors import GravsimInputError, GravsimWarning
from gravsim.model.gravity import KTMGravity
from gravsim.workflows.options import FockOptions, RunOptions
from gravsim.workflows.result_model import NOT_COMPUTED
from gravsim.workflows.steady_result import DeltaE, GravityOutcome, SteadyResult

PAPER = gs.presets.get("paper")
SMALL = gs.presets.get("small")


def _result(gravity: str, outcomes: dict, delta: DeltaE | None) -> SteadyResult:
    return SteadyResult("effective", "fock", gravity, outcomes, delta, parameters=SMALL)


def test_keys_follow_the_gravity_labels_and_skip_what_was_not_computed():
    one = _result("quantum", {"quantum": GravityOutcome(E_N=0.5, truncation_error=1e-3)}, None)
    assert one.values == {"E_N": 0.5, "truncation_error": 1e-3}
    both = _result(
        "both",
        {"quantum": GravityOutcome(E_N=0.5), "classical": GravityOutcome(E_N=0.4)},
        DeltaE(0.1, truncation_error=2e-3, extrapolated=None),
    )
    # None (computed, undefined) is kept as null; NOT_COMPUTED (ripple) is left out
    assert both.values == {
        "E_N_quantum": 0.5, "E_N_classical": 0.4, "delta_E": 0.1,
        "truncation_error_delta_E": 2e-3, "delta_E_extrapolated": None,
    }  # fmt: skip
    assert both.comparison() == {"E_N_quantum": 0.5, "E_N_classical": 0.4, "delta_E": 0.1}
    assert GravityOutcome(E_N=1.0).covariance is NOT_COMPUTED


@pytest.mark.parametrize(
    "kw",
    [
        dict(model="effective"),
        dict(model="effective", gravity="quantum"),
        dict(model="closed-form"),
        dict(model="conventional", gravity="ktm"),
        dict(model="linear"),
    ],
)
def test_every_gaussian_result_is_typed_and_its_dict_is_plain(kw):
    r = gs.steady.compute(PAPER, **kw)
    d = r.to_dict()
    assert set(r.values) <= set(d) and d["parameters"]["Q_m"] == pytest.approx(PAPER.Q_m)
    keys = gs.steady.result_keys(r.model, r.gravity, r.backend)
    assert all(k in d for k in keys)  # the scan columns come from the same result
    if r.gravity == "both":
        assert r.delta.value == d["delta_E"] and r.outcome("quantum").E_N == d["E_N_quantum"]
    else:
        assert r.outcome().E_N == d["E_N"]
    assert repr(r).startswith("SteadyResult(model=")


def test_unknown_options_are_refused_and_unused_ones_warned():
    with pytest.raises(GravsimInputError, match="unknown option 'n_levels'"):
        gs.steady.compute(PAPER, n_levels=3)
    with pytest.raises(GravsimInputError, match="unknown Fock option"):
        FockOptions.from_kwargs(tolerance=1e-3)
    with pytest.raises(GravsimInputError, match="unknown gravity"):
        RunOptions.from_kwargs(gravity="classical")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        RunOptions.from_kwargs(backend="gaussian", n_mech=4)
    assert any(issubclass(w.category, GravsimWarning) for w in caught)


def test_fock_defaults_live_in_one_place():
    assert FockOptions().resolved("rwa") == FockOptions(10, 3, "auto", "displaced")
    assert FockOptions().resolved("full").n_mech == 8
    assert FockOptions(n_cav=5).resolved("rwa", 8, 4) == FockOptions(8, 5, "auto", "displaced")


def test_gaussian_and_fock_states_share_one_interface():
    model = gs.models.effective(SMALL.replace(n_th=0.05), KTMGravity())
    g = gs.gaussian.steady_state(model)
    f = gs.fock.steady_state(model, (12, 12))
    for state in (g, f):
        assert state.mechanical_covariance.shape == (4, 4)
        assert set(state.occupations()) == {"a", "b"}
    # 12 levels at occupation ~0.5 with squeezing: truncation errors ~4e-4 here (measured)
    np.testing.assert_allclose(f.mechanical_covariance, g.mechanical_covariance, atol=1e-3)
    for mode in "ab":
        assert f.occupations()[mode] == pytest.approx(g.occupations()[mode], abs=1e-3)
    assert f.log_negativity() == pytest.approx(g.log_negativity(), abs=1e-3)
    assert f.log_negativity_from_covariance() == pytest.approx(g.log_negativity(), abs=1e-3)


def test_results_record_the_options_they_ran_with():
    """steady, evolve and validate results carry their options (in Python and the JSON), and
    running again with them gives the same numbers."""
    p = gs.presets.get("paper")
    steady = gs.steady.compute(p, model="rwa", gravity="quantum,diosi-penrose", base=2)
    assert steady.to_dict()["options"]["gravity"] == "quantum,diosi-penrose"
    assert gs.steady.compute(p, steady.options).comparison() == steady.comparison()
    ev = gs.evolve.compute(p, model="effective", t_final=5.0, n_times=3)
    assert ev.to_dict()["options"]["t_final"] == 5.0
    again = gs.evolve.compute(p, **{k: v for k, v in ev.options.items() if v is not None})
    assert (again.columns["delta_E"] == ev.columns["delta_E"]).all()
    v = gs.validate.run(p, fock=False, l0=False)
    assert v.to_dict()["options"] == v.options and v.options["fock"] is False
    rerun = gs.validate.run(p, options=v.options)
    assert [c.difference for c in rerun.checks] == [c.difference for c in v.checks]


@pytest.mark.parametrize(
    "combination, columns",
    [
        (
            ("rwa", "both", "fock", True),
            "E_N_quantum E_N_classical delta_E truncation_error_quantum E_N_extrapolated_quantum "
            "truncation_error_classical E_N_extrapolated_classical truncation_error_delta_E "
            "delta_E_extrapolated E_N_from_covariance_quantum "
            "truncation_error_from_covariance_quantum E_N_from_covariance_classical "
            "truncation_error_from_covariance_classical solver residual wall_time_s "
            "n_mech_chosen n_cav_chosen",
        ),
        (
            ("linear", "both", "gaussian", False),
            "E_N_quantum E_N_classical delta_E E_N_quantum_ripple E_N_classical_ripple "
            "delta_E_ripple period_s floquet_multiplier_max periodicity_error stein_condition",
        ),
        (
            ("full", "quantum", "fock", False),
            "E_N truncation_error E_N_extrapolated E_N_ripple periods stroboscopic_change "
            "period_s wall_time_s truncation_warning",
        ),
    ],
)
def test_scan_columns_derived_from_the_schema_keep_their_names_and_order(combination, columns):
    """The columns scans have always written (a resumed scan.csv checks its header), now
    derived from the fields' metadata: the same names in the same order."""
    assert gs.steady.result_keys(*combination) == tuple(columns.split())
