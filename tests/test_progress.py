"""``progress`` takes what QuTiP's ``progress_bar`` takes, or a callable, everywhere."""

from __future__ import annotations

import pytest

import gravsim as gs
from gravsim.errors import GravsimInputError
from gravsim.progress import bar, messages, shown


@pytest.mark.parametrize(
    ("progress", "name"),
    [(False, ""), (None, ""), ("", ""), (True, "tqdm"), ("text", "text"), ("enhanced", "enhanced")],
)
def test_qutip_bar_names(progress, name):
    assert bar(progress) == name
    assert shown(progress) is bool(name)


def test_a_callable_gets_messages_and_no_bar():
    lines: list[str] = []
    say = lines.append
    assert bar(say) == "" and messages(say) is say
    gs.steady.compute(gs.presets.get("small"), backend="fock", progress=say)
    assert any("levels" in line for line in lines)


def test_true_prints_the_messages_to_stderr(capsys):
    gs.steady.compute(gs.presets.get("small"), backend="fock", progress=True)
    assert "gravsim: " in capsys.readouterr().err


def test_an_unknown_bar_is_refused_with_the_choices():
    with pytest.raises(GravsimInputError, match="text, enhanced, tqdm"):
        gs.evolve.compute(gs.presets.get("paper"), t_final=1.0, n_times=3, progress="fancy")
