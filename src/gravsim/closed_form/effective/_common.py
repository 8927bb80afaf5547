"""Shared helpers of the effective-model closed forms: the parameter tables, the public keyword
API built from them (input coercion, log base, docstrings), and the ``p`` protocol."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gravsim.closed_form._keywords import keyword_only, keyword_signature
from gravsim.closed_form.ideal import require_ideal
from gravsim.errors import GravsimInputError

_LN2 = math.log(2.0)

#: A float64 array of any shape: what the kernels of :func:`_public` receive.
_Arr = NDArray[np.float64]

#: Parameters of the collective-reservoir closed forms (Eq. 19), in the order kernels take them.
_COLLECTIVE = ("gamma_m", "Gamma", "r", "Omega", "k_M", "n_th", "kappa_G")
#: Parameters of the double-reservoir closed forms (Eq. 24, Eq. 6: k = 0, any Ω).
_DOUBLE = ("gamma_m", "Gamma", "r", "n_th", "kappa_G")

#: numpy-style description (with units) of each parameter, assembled into the docstrings.
_DESCRIPTIONS = {
    "gamma_m": "Mechanical damping rate γ (rad/s).",
    "Gamma": "Engineered-reservoir rate Γ = 4G²/κ (rad/s).",
    "r": "Squeezing parameter r = atanh(G₊/G₋) (dimensionless).",
    "Omega": "Half the mechanical frequency difference Ω = (ω_a − ω_b)/2 (rad/s).",
    "k_M": "Beam-splitter coupling k in H = Ω(a†a − b†b) + k(a†b + b†a) (rad/s).",
    "n_th": "Thermal occupation n̄ of both baths (dimensionless).",
    "kappa_G": "KTM decoherence rate κ_G (rad/s); enters as 2κ_G(D[a]+D[a†]+D[b]+D[b†]).",
}
_BASE_DOC = (
    'base : {"e", "2"}',
    '    Log base: "e" gives nats (default), "2" gives bits (= nats / ln 2).',
)
#: Where a kernel's docstring receives the Parameters section (indented by four spaces).
_SLOT = "{parameters}"


class _HasParams(Protocol):
    """Anything with the effective model's parameters as attributes (e.g. ``Parameters``)."""

    gamma_m: Any
    Gamma: Any
    r: Any
    Omega: Any
    k_M: Any
    n_th: Any
    kappa_G: Any


def _f(x: ArrayLike) -> _Arr:
    return np.asarray(x, dtype=np.float64)


def _scalar_or_array(x: NDArray[Any]) -> Any:
    """Return a NumPy scalar for 0-d input, the array otherwise."""
    return x[()] if x.ndim == 0 else x


def _log_scale(base: str) -> float:
    if base == "e":
        return 1.0
    if base == "2":
        return 1.0 / _LN2
    raise GravsimInputError(f"unknown log base {base!r}: use 'e' or '2'")


def _attributes(p: _HasParams, names: Sequence[str]) -> dict[str, Any]:
    """``{name: p.name}`` for each of ``names`` (the keyword arguments of a ``*_from`` twin);
    an imperfect device is refused (:func:`~gravsim.closed_form.ideal.require_ideal`)."""
    require_ideal(p)
    return {name: getattr(p, name) for name in names}


def _parameters_section(names: Sequence[str], log_base: bool) -> str:
    """The numpy-style Parameters section of ``names`` (and ``base``), indented by four."""
    lines = ["Parameters", "----------"]
    for name in names:
        lines += [f"{name} : float or array", f"    {_DESCRIPTIONS[name]}"]
    if log_base:
        lines += _BASE_DOC
    return "\n    ".join(lines)


def _public(
    names: Sequence[str], returns: str, *, log_base: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate ``kernel(*float arrays)`` into the closed form taking ``names`` by keyword only.

    The public function converts each argument (in the order of ``names``) to a float64
    array; broadcasting is the kernel's.  With ``log_base`` it also takes ``base`` (checked
    first), multiplies the kernel's result (nats) by the log-base factor and returns a NumPy
    scalar for 0-d input.  ``{parameters}`` in the kernel's docstring becomes the Parameters
    section of ``names`` (and ``base``).
    """
    optional = [("base", "str", "e")] if log_base else []
    signature = keyword_signature(names, "ArrayLike", returns, optional)
    section = _parameters_section(names, log_base)

    def decorate(kernel: Callable[..., Any]) -> Callable[..., Any]:
        doc = kernel.__doc__ or ""
        if doc.count(_SLOT) != 1:
            raise ValueError(f"{kernel.__name__}: the docstring needs one {_SLOT} slot")

        @functools.wraps(kernel)
        def impl(*values: Any) -> Any:
            if not log_base:
                return kernel(*(_f(x) for x in values))
            *params, base = values
            scale = _log_scale(base)
            return _scalar_or_array(np.asarray(kernel(*(_f(x) for x in params)) * scale))

        impl.__doc__ = doc.replace(_SLOT, section)
        return keyword_only(signature)(impl)

    return decorate
