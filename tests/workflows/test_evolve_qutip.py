"""``gs.evolve.compute`` on the Fock backend behaves like ``qutip.mesolve`` on
``gs.fock.liouvillian(model, dims)``: own start, own times, e_ops, states."""

from __future__ import annotations

import numpy as np
import pytest
import qutip

import gravsim as gs
from gravsim.errors import GravsimInputError
from gravsim.model import rungs
from gravsim.model.gravity import KTMGravity, QuantumGravity

SMALL = gs.presets.get("small")
DRIVEN = gs.presets.get("driven")
#: mesolve's own tolerances (rtol 1e-8 on both sides): the two runs agree to ~1e-7.
AGREE = 1e-6


def _ops(modes: tuple[str, ...], dims: tuple[int, ...]) -> dict[str, qutip.Qobj]:
    ladder = gs.fock.ladder_operators(modes, dims)
    return {f"{k.mode}{'+' if k.dagger else ''}": op for k, op in ladder.items()}


def _start(dims: tuple[int, ...]) -> qutip.Qobj:
    """A start that is neither thermal nor even: a coherent mechanical state, a thermal b."""
    parts = [qutip.coherent_dm(dims[0], 0.4 + 0.2j), qutip.thermal_dm(dims[1], 0.3)]
    parts += [qutip.fock_dm(n, 0) for n in dims[2:]]
    return qutip.tensor(*parts)


def test_static_rung_matches_mesolve_on_the_liouvillian():
    dims = (6, 6)
    model = rungs.effective(SMALL, QuantumGravity())
    ops = _ops(model.modes, dims)
    e_ops = [ops["a"], ops["a+"] @ ops["b"], ops["b+"] @ ops["b"]]
    times = np.linspace(0.0, 3.0, 7)
    rho0 = _start(dims)
    ours = gs.evolve.compute(
        SMALL,
        model="effective",
        backend="fock",
        gravity="quantum",
        n_mech=6,
        rho0=rho0,
        times=times,
        e_ops=e_ops,
        store_states=True,
    )
    plain = qutip.mesolve(
        gs.fock.liouvillian(model, dims),
        rho0,
        times,
        e_ops=e_ops,
        options={"rtol": 1e-10, "atol": 1e-12, "store_states": True},
    )
    assert np.array_equal(ours.times, times)
    assert len(ours.expect) == 3
    assert np.iscomplexobj(ours.expect[0]) and not np.iscomplexobj(ours.expect[2])
    for mine, theirs in zip(ours.expect, plain.expect, strict=True):
        assert np.max(np.abs(mine - theirs)) < AGREE
    assert len(ours.states) == len(times)
    for mine, theirs in zip(ours.states, plain.states, strict=True):
        assert (mine - theirs).norm("max") < AGREE
    assert ours.columns["E_N_quantum"][-1] == pytest.approx(
        gs.fock.from_qobj(ours.states[-1]).log_negativity(), abs=1e-12
    )


def test_l0_states_come_back_in_the_models_frame():
    """L0 is propagated rotating at ω_m; ⟨a⟩(t) and ρ(t) must be the laboratory-frame ones
    that mesolve gives on L0's own Liouvillian (a wrong sign of the rotation fails here)."""
    p = DRIVEN.replace(g=0.02)
    dims = (4, 4, 2)
    model = rungs.full(p, QuantumGravity())
    ops = _ops(model.modes, dims)
    period = 2 * np.pi / float(p.omega_m)
    times = np.linspace(0.0, 0.35 * period, 5)
    rho0 = _start(dims)
    ours = gs.evolve.compute(
        p,
        model="full",
        backend="fock",
        gravity="quantum",
        n_mech=4,
        n_cav=2,
        rho0=rho0,
        times=times,
        e_ops=[ops["a"], ops["b"]],
        store_states=True,
    )
    plain = qutip.mesolve(
        gs.fock.liouvillian(model, dims),
        rho0,
        times,
        e_ops=[ops["a"], ops["b"]],
        options={"rtol": 1e-10, "atol": 1e-12, "store_states": True, "nsteps": 100_000},
    )
    assert abs(plain.expect[0][-1] - plain.expect[0][0]) > 0.1  # ⟨a⟩ turns: a real check
    for mine, theirs in zip(ours.expect, plain.expect, strict=True):
        assert np.max(np.abs(mine - theirs)) < AGREE
    assert (ours.states[-1] - plain.states[-1]).norm("max") < AGREE


def test_two_hypotheses_give_their_expectations_by_label():
    dims = (5, 5)
    ops = _ops(("a", "b"), dims)
    both = gs.evolve.compute(
        SMALL,
        model="effective",
        backend="fock",
        n_mech=5,
        rho0=_start(dims),
        times=[0.0, 0.5, 1.0],
        e_ops=[ops["a+"] @ ops["a"]],
    )
    assert set(both.expect) == {"quantum", "classical"}
    model = rungs.effective(SMALL, KTMGravity())
    plain = qutip.mesolve(
        gs.fock.liouvillian(model, dims),
        _start(dims),
        [0.0, 0.5, 1.0],
        e_ops=[ops["a+"] @ ops["a"]],
        options={"rtol": 1e-10, "atol": 1e-12},
    )
    assert np.max(np.abs(both.expect["classical"][0] - plain.expect[0])) < AGREE


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"backend": "gaussian", "rho0": qutip.fock_dm(4, 0)}, "backend='fock'"),
        ({"rho0": qutip.fock_dm(4, 0)}, "rho0.*on \\[5, 5\\] levels"),
        ({"e_ops": [qutip.num(5)]}, "e_ops\\[0\\].*on \\[5, 5\\] levels"),
        ({"t_final": 1.0, "times": [0.0, 1.0]}, "give one of them"),
        ({"times": [0.5, 1.0]}, "starting at 0"),
        ({"times": [0.0, 1.0, 0.5]}, "increasing"),
        ({"rho0": "start", "ground": True}, "give one start"),
    ],
)
def test_qutip_style_inputs_are_checked(kwargs, message):
    kw = {"model": "effective", "backend": "fock", "n_mech": 5, "gravity": "quantum"}
    kw |= {"times": [0.0, 1.0]} if "t_final" not in kwargs and "times" not in kwargs else {}
    with pytest.raises(GravsimInputError, match=message):
        gs.evolve.compute(SMALL, **(kw | kwargs))


def test_rho0_with_comparison_runs_is_refused():
    rho0 = qutip.tensor(qutip.fock_dm(7, 0), qutip.fock_dm(7, 0))
    with pytest.raises(GravsimInputError, match="comparisons"):
        gs.evolve.compute(
            SMALL,
            model="effective",
            backend="fock",
            n_mech=7,
            gravity="quantum",
            rho0=rho0,
            times=[0.0, 1.0],
            comparisons=1,
        )
