"""Result objects: immutable, printable, and convertible to a dict or one CSV row."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gravsim.model.parameters import DESCRIPTIONS, UNITS, Parameters


class Result:
    """What every public result of gravsim shares: a JSON-ready dict and a short repr.

    Subclasses (frozen dataclasses, one per workflow, with typed fields) define
    :meth:`to_dict`: plain Python types, every number in the units its ``"units"`` entry
    names, the inputs that produced it and the method.  Files are written from that dict by
    the one writer (:func:`dumps` for JSON, :func:`csv_cell` for CSV cells,
    :mod:`gravsim.workflows.run_folder` for folders), so a result reads the same in Python,
    in ``--json`` output and in a run's sidecar.
    """

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (plain types): results, units, method, inputs."""
        raise NotImplementedError

    def to_json(self) -> str:
        """:meth:`to_dict` as strict JSON text (non-finite numbers as ``null``, named)."""
        return dumps(self.to_dict())

    def __repr__(self) -> str:
        shown = [
            f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v!r}"
            for k, v in self.to_dict().items()
            if isinstance(v, (str, float, int)) and not isinstance(v, bool)
        ]
        more = ", ..." if len(shown) > 8 else ""
        return f"{type(self).__name__}({', '.join(shown[:8])}{more})"


@dataclass(frozen=True, eq=False)
class SteadyResult(Result):
    """Steady-state entanglement of one rung with one backend.

    Attributes
    ----------
    model, backend : str
        The rung and the backend that produced the numbers.
    gravity : str
        ``"quantum"``, ``"ktm"`` or ``"both"``.
    log_base : str
        ``"e"`` (nats) or ``"2"`` (bits): the unit of every E_N and ΔE here.
    values : dict
        ``E_N`` for one gravity model; ``E_N_quantum``, ``E_N_classical``, ``delta_E`` for
        both; plus method-specific entries (occupations, covariance, closed-form variants,
        the conventional scheme's transient maximum).
    parameters : Parameters
    notes : tuple of str
        Approximations and methods, for people.
    """

    model: str
    backend: str
    gravity: str
    log_base: str
    values: dict[str, Any]
    parameters: Parameters
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: results, log base, model, backend and every parameter used."""
        out: dict[str, Any] = {
            "model": self.model,
            "backend": self.backend,
            "gravity": self.gravity,
            "log_base": self.log_base,
        }
        out.update(to_plain(self.values))
        out["kG_convention"] = self.parameters.kG_source
        out["parameters"] = self.parameters.as_dict()
        out["units"] = dict(UNITS) | {"E_N": f"log base {self.log_base}"}
        out["notes"] = list(self.notes)
        return out

    def __str__(self) -> str:
        unit = "nats (ln)" if self.log_base == "e" else "bits (log2)"
        lines = [
            f"model {self.model}, backend {self.backend}, gravity {self.gravity}",
            f"E_N in {unit}; k_G: {self.parameters.kG_source}",
        ]
        lines += _text_lines(self.values, "")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _text_lines(values: dict[str, Any], prefix: str) -> list[str]:
    """Scalars as 'key value' lines; flat dicts on one line; nested dicts with dotted keys."""
    lines = []
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, (float, int)) and not isinstance(value, bool):
            lines.append(f"  {name:<32} {value:.10g}")
        elif isinstance(value, str):
            lines.append(f"  {name:<32} {value}")
        elif isinstance(value, dict) and key != "units":
            if all(isinstance(v, (float, int)) for v in value.values()):
                inner = ", ".join(f"{k}={v:.6g}" for k, v in value.items())
                lines.append(f"  {name:<32} {inner}")
            else:
                lines += _text_lines(value, f"{name}.")
    return lines


#: Inputs that a directly given rate-level quantity makes irrelevant.
_UNUSED_IF = {"E_plus": "G_plus", "E_minus": "G_minus"}


def parameter_table(p: Parameters) -> str:
    """Every input and derived quantity with its unit, one per line."""
    data = p.as_dict()
    lines = [f"source: {p.source}", f"k_G: {p.kG_source}"]
    for key, value in data.items():
        if key in ("kG_source", "set_directly", "source"):
            continue
        mark = " (set directly)" if key in p.overrides else ""
        if key in _UNUSED_IF and _UNUSED_IF[key] in p.overrides:
            mark = f" (not used: {_UNUSED_IF[key]} set directly)"
        shown = f"{value:.10g}" if isinstance(value, float) else str(value)
        lines.append(
            f"  {key:<14} {shown:>22} {UNITS.get(key, ''):<7} {DESCRIPTIONS.get(key, '')}{mark}"
        )
    return "\n".join(lines)


def csv_cell(value: Any) -> str:
    """A CSV cell: plain float text (``repr``) for every number, text on one line, '' for None."""
    if type(value) is float:  # the common case first: a scan writes millions
        return repr(value)
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return " ".join(str(value).split())


def dumps(data: dict[str, Any]) -> str:
    """``data`` as JSON text that a strict parser accepts (RFC 8259: no NaN or Infinity).

    NumPy values become plain ones (:func:`to_plain`); a non-finite number becomes ``null``
    and its place is named, with the value, under the top-level key ``"non_finite"`` (e.g.
    ``{"parameters.Q_m": "inf"}``: γ_m = 0).  Indented, UTF-8 text (units such as "ħ" stay
    readable).
    """
    reasons: dict[str, str] = {}

    def walk(x: Any, path: str) -> Any:
        if isinstance(x, dict):
            return {k: walk(v, f"{path}.{k}" if path else str(k)) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(x)]
        if isinstance(x, float) and not math.isfinite(x):
            reasons[path] = repr(x)
            return None
        return x

    clean = walk(to_plain(data), "")
    if reasons:
        clean["non_finite"] = reasons
    return json.dumps(clean, indent=2, ensure_ascii=False, allow_nan=False)


def to_plain(x: Any) -> Any:
    """Nested dicts/lists of NumPy values as plain JSON-ready Python types."""
    if isinstance(x, dict):
        return {k: to_plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return x
