"""validate, optimize, budget and hypotheses take ``options=`` too (a dict or a dataclass),
refuse an unknown or doubled key in one line, and the command line reads their defaults
from their signatures."""

from __future__ import annotations

import dataclasses

import pytest

import gravsim as gs
from gravsim.cli import parser
from gravsim.errors import GravsimInputError
from gravsim.workflows import budget, hypotheses, optimize, validate
from gravsim.workflows.options import defaults

PAPER = gs.presets.get("paper")


@dataclasses.dataclass
class BudgetAsked:
    efficiency: float = 0.26
    error_probability: float = 0.05


def test_budget_takes_a_dict_a_dataclass_or_keywords_alike():
    by_keywords = budget.budget(PAPER, efficiency=0.26, error_probability=0.05)
    by_dict = budget.budget(PAPER, options={"efficiency": 0.26, "error_probability": 0.05})
    by_object = budget.budget(PAPER, options=BudgetAsked())
    numbers = [
        {k: v for k, v in b.to_dict().items() if k != "stats"}
        for b in (by_keywords, by_dict, by_object)
    ]
    assert numbers[0] == numbers[1] == numbers[2]  # all but the wall time
    assert by_dict.options == by_keywords.options | {"efficiency": 0.26, "error_probability": 0.05}


@pytest.mark.parametrize(
    ("entry", "options", "kwargs", "message"),
    [
        (budget.budget, {"efficiencyy": 0.3}, {}, "unknown option 'efficiencyy' of budget"),
        (hypotheses.table, {"model": "rwa"}, {"model": "effective"}, "'model' given twice"),
        (validate.run, {"no_fock": True}, {}, "unknown option 'no_fock' of run: the options"),
        (optimize.optimize, ["seed"], {}, "must be a dict"),
    ],
)
def test_bad_options_are_one_line(entry, options, kwargs, message):
    args = (PAPER, ["E_plus"]) if entry is optimize.optimize else (PAPER,)
    with pytest.raises(GravsimInputError, match=message):
        entry(*args, options=options, **kwargs)


def test_the_command_line_reads_each_default_from_the_library():
    assert parser.VALIDATE == defaults(validate.run)
    assert parser.OPTIMIZE == defaults(optimize.optimize)
    cli = parser.build_parser()
    args = cli.parse_args(["optimize"])
    for key in ("objective", "model", "efficiency", "error_probability", "seed"):
        assert getattr(args, key) == defaults(optimize.optimize)[key]
    args = cli.parse_args(["budget"])
    for key in ("model", "efficiency", "added_noise", "error_probability", "compare"):
        assert getattr(args, key) == defaults(budget.budget)[key]
