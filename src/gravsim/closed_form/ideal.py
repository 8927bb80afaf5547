"""The closed forms are the ideal device's: the ``*_from(p)`` functions refuse parameters of
an imperfect one (unequal oscillators, a warm or detuned cavity, mis-set tones, heating)."""

from __future__ import annotations

from typing import Any

from gravsim.errors import GravsimInputError


def require_ideal(p: Any) -> None:
    """Refuse ``p`` in one line, naming its first imperfection, where it has any.

    ``p`` is read duck-typed: an object without ``imperfections()`` is taken as ideal.
    """
    found = getattr(p, "imperfections", lambda: ())()
    if found:
        raise GravsimInputError(
            f"the closed forms hold for the ideal device, and {found[0]} is set: use model "
            "'rwa' or 'effective' (Gaussian or Fock backend) for an imperfect device"
        )
