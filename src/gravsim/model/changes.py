"""What a change of parameters means: keys that cannot be given together, what a symmetric
key clears, quality factors turned into damping rates, overrides set and cleared.

:meth:`Parameters.replace <gravsim.model.parameters.Parameters.replace>` reads it.  Rules:

* a rate-level quantity given directly (``n_th``, ``G_plus``…, :data:`OVERRIDABLE`) shadows
  the inputs it is derived from until one of them is set again;
* a key and the one it shadows given at once are refused (:data:`SHADOWS`), and so are a
  symmetric key and a per-oscillator key of the same quantity
  (:func:`gravsim.model.device.conflicting`);
* a symmetric key (``g``, ``gamma_m``, ``Q_m``, ``T``, ``n_th``, ``M``) sets both
  oscillators: it clears their own values (:data:`gravsim.model.device.CLEARS`);
* ``Q_m``, ``Q_a``, ``Q_b`` set ``gamma_m``, ``gamma_a``, ``gamma_b`` = ω_m/Q (with the new
  ω_m where that changes too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.model import device
from gravsim.model.units import OVERRIDABLE

#: Pairs of keys of which the second, given at once with the first, would have no effect.
SHADOWS = (
    ("n_th", "T"),
    ("G_plus", "E_plus"),
    ("G_minus", "E_minus"),
    ("k_M", "K_others"),
    ("Q_m", "gamma_m"),
    ("n_th_a", "T_a"),
    ("n_th_b", "T_b"),
    ("n_c", "T_c"),
    ("Q_a", "gamma_a"),
    ("Q_b", "gamma_b"),
)

#: The quality factors and the damping rate each sets.
QUALITY = {"Q_m": "gamma_m", "Q_a": "gamma_a", "Q_b": "gamma_b"}


def conflicting_keys(keys: Any) -> str | None:
    """A one-line message if ``keys`` (changed together) hold a key and the one it shadows,
    or a symmetric and a per-oscillator key of one quantity; else None.

    ``n_th`` given directly makes ``T`` irrelevant, ``G_plus`` makes ``E_plus`` irrelevant
    (likewise ``G_minus``/``E_minus`` and ``k_M``/``K_others``), and ``Q_m`` sets
    ``gamma_m``; changed at once, the second would silently have no effect.
    """
    for winner, loser in SHADOWS:
        if winner in keys and loser in keys:
            return (
                f"{loser} and {winner} given together: {winner} sets the same quantity, so "
                f"{loser} would have no effect; give one of them"
            )
    return device.conflicting(keys)


def damping(q: Any, omega_m: Any, name: str = "Q_m") -> Any:
    """γ = ω_m / Q (rad/s), refusing a Q that is not finite and > 0."""
    q_arr = np.asarray(q, dtype=float)
    if np.any(~np.isfinite(q_arr)) or np.any(q_arr <= 0):
        raise GravsimInputError(f"{name} must be a finite number > 0, got {q!r}")
    gamma = np.asarray(omega_m) / q_arr
    return float(gamma) if np.ndim(gamma) == 0 else gamma


def split(
    updates: dict[str, Any],
    fields: set[str],
    overrides: Mapping[str, Any],
    omega_m: Any,
    known_keys: Callable[[], str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The field values and the overrides after ``updates`` (see the module docstring).

    Raises
    ------
    GravsimInputError
        For keys that conflict, an unknown key, or a quality factor that is not > 0.
    """
    conflict = conflicting_keys(updates)
    if conflict:
        raise GravsimInputError(conflict)
    new_overrides = dict(overrides)
    direct: dict[str, Any] = {}
    for key in updates:  # a symmetric key sets both oscillators
        direct |= dict.fromkeys(device.CLEARS.get(key, ()))
    qualities = {k: updates.pop(k) for k in list(updates) if k in QUALITY}
    for key, value in updates.items():
        if key in OVERRIDABLE:
            new_overrides[key] = value
        elif key in fields:
            direct[key] = value
        else:
            raise GravsimInputError(f"unknown parameter {key!r}: known keys are {known_keys()}")
    for key in updates:
        for name, inputs in OVERRIDABLE.items():
            if key in inputs and name not in updates:
                new_overrides.pop(name, None)
    omega = direct.get("omega_m", omega_m)
    for key, q in qualities.items():
        direct[QUALITY[key]] = damping(q, omega, key)
    return direct, new_overrides


def dropped_by(varied: Any, given: Any) -> str | None:
    """A one-line message where varying a key would silently drop a value given with it (a
    rate-level quantity it clears, or a per-oscillator value a symmetric key sets), else
    None: e.g. ``n_th`` given and ``T`` varied, ``G_plus`` given and ``E_plus`` varied."""
    for key in varied:
        for name, inputs in OVERRIDABLE.items():
            if name in given and key in inputs and name not in varied:
                return (
                    f"{name} is given, but {key} is varied and sets it again at every point: "
                    f"vary {name} instead, or drop it"
                )
        for name in device.CLEARS.get(key, ()):
            if name in given:
                return f"{name} is given, but {key} is varied and sets both oscillators: drop one"
    return None
