"""Reading what people type: numbers (floats, or arithmetic with pi: ``2*pi*50``), durations
with a unit (``20s``, ``300 periods``, ``10/Gamma``) and ``KEY=VALUE`` parameter settings."""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Sequence
from typing import Any

from gravsim.errors import GravsimInputError
from gravsim.model.parameters import INPUT_KEYS, OVERRIDABLE, Parameters, known_keys

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_NAMES = {"pi": math.pi, "e": math.e}


#: Longest arithmetic a number may be written as (characters).
MAX_NUMBER_TEXT = 200


def parse_number(text: str, names: dict[str, float] | None = None) -> float:
    """A float, or arithmetic of numbers with ``pi``, ``e`` and ``names`` (e.g. ``2*pi*50``)."""
    known = _NAMES | (names or {})

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in known:
            return known[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = walk(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        raise ValueError(text)

    try:
        return float(text)
    except ValueError:
        pass
    if len(text) > MAX_NUMBER_TEXT:  # deep nesting would exhaust the parser's stack
        raise GravsimInputError(
            f"the number {text[:16]!r}... is {len(text)} characters long: give a plain number "
            f"or arithmetic of at most {MAX_NUMBER_TEXT} characters, e.g. 2*pi*50"
        )
    try:
        return float(walk(ast.parse(text, mode="eval")))
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, TypeError, RecursionError):
        raise GravsimInputError(
            f"cannot read {text!r} as a number: give e.g. 1e-9, 2*pi*50 or 0.5"
        ) from None


#: Time units a duration may carry (seconds each).
TIME_UNITS = {
    "s": 1.0,
    "ms": 1e-3,
    "us": 1e-6,
    "µs": 1e-6,
    "ns": 1e-9,
    "min": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "yr": 365.25 * 86400.0,
}


def parse_duration(text: str, rates: dict[str, float]) -> float:
    """A duration in seconds: ``"20 s"``, ``"5ms"``, ``"300 periods"``, ``"10/Gamma"``.

    Parameters
    ----------
    text : str
        Arithmetic (with ``pi`` and the names in ``rates``) followed by a unit: one of
        :data:`TIME_UNITS` or ``periods`` (mechanical periods 2π/ω_m, which
        ``rates["omega_m"]`` gives); or arithmetic of a rate (``10/Gamma``), which is a time
        in itself.  A bare number is refused: 5 could mean 5 s or 5/Γ.
    rates : dict
        Names usable in the arithmetic, in rad/s (e.g. ``Gamma``, ``gamma_m``, ``kappa``):
        ``10/Gamma`` is ten reservoir times in seconds.
    """
    body, scale = text.strip(), 1.0
    match = re.fullmatch(r"(.*?[\d.)\s])\s*([a-zµ]+)", body)
    if match and match.group(2) in TIME_UNITS:
        body, scale = match.group(1), TIME_UNITS[match.group(2)]
    elif match and match.group(2) == "periods":
        body, scale = match.group(1), 2 * math.pi / rates["omega_m"]
    elif match:
        raise GravsimInputError(
            f"the duration {text!r} has the unit {match.group(2)!r}, which is not one: use one "
            f"of {', '.join(TIME_UNITS)}, periods, or a rate such as 10/Gamma"
        )
    elif not re.search(r"[A-Za-z_]", body):  # a bare number (names are read below)
        raise GravsimInputError(
            f"the duration {text!r} has no unit: write e.g. {body} s, {body} periods or "
            f"{body}/Gamma"
        )
    try:
        value = parse_number(body, rates) * scale
    except GravsimInputError:
        unknown = sorted(set(re.findall(r"(?<![\d.])[A-Za-z_]\w*", body)) - set(rates) - {"pi"})
        named = f" ({unknown[0]!r} is no rate: use one of {', '.join(rates)})" if unknown else ""
        raise GravsimInputError(
            f"cannot read the duration {text!r}{named}: give e.g. 20s, 5 ms, 300 periods or "
            "10/Gamma"
        ) from None
    if not math.isfinite(value):
        raise GravsimInputError(f"the duration {text!r} is not a finite time: give e.g. 20s")
    if not value > 0:
        raise GravsimInputError(f"the duration must be > 0, got {text!r}")
    return value


#: Names of the rates (rad/s) that a duration may be written in (``10/Gamma``).
RATE_NAMES = ("omega_m", "Omega", "kappa", "Gamma", "gamma_m", "G", "G_plus", "G_minus", "k_M")


def duration_rates(p: Parameters) -> dict[str, float]:
    """Rates (rad/s) a duration may be written in: the ``rates`` of :func:`parse_duration`."""
    return {k: float(getattr(p, k)) for k in RATE_NAMES}


#: Setting keys whose value is text; every other key of :func:`parse_settings` is a number.
_STRING_KEYS = {"kG_convention"}
_NUMBER_KEYS = (
    set(INPUT_KEYS) - _STRING_KEYS - {"source"} | set(OVERRIDABLE) | {"Q_m", "Q_a", "Q_b"}
)


def parse_settings(items: Sequence[str]) -> dict[str, Any]:
    """``["KEY=VALUE", ...]`` (the command line's `set`) → ``{KEY: value}`` with the keys checked.

    A value is text for ``kG_convention`` and a number (:func:`parse_number`) for every other
    key: the input fields of :class:`~gravsim.model.parameters.Parameters`, the rate-level
    quantities that may be given directly, and ``Q_m``.  The result is the keyword arguments
    of :meth:`Parameters.replace <gravsim.model.parameters.Parameters.replace>`.

    Raises
    ------
    GravsimInputError
        For an item without ``=`` or a key, an unknown key, or a value that is not a number.
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise GravsimInputError(f"`set` needs KEY=VALUE, got {item!r}")
        if key in _STRING_KEYS:
            out[key] = text.strip()
        elif key in _NUMBER_KEYS:
            out[key] = parse_number(text.strip())
        else:
            raise GravsimInputError(f"unknown `set` key {key!r}: known keys are {known_keys()}")
    return out
