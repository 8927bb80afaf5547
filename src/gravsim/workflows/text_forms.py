"""Text forms of results: strict JSON out and back, and CSV cells.

:func:`dumps` writes strict JSON (RFC 8259: a non-finite number becomes ``null``, and its
place and value are named under ``"non_finite"``); :func:`loads` reads it back with those
numbers restored; :func:`csv_cell` is one CSV cell; :func:`to_plain` turns NumPy values into
plain Python ones.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np


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


_STEP = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def loads(text: str) -> dict[str, Any]:
    """JSON text from :func:`dumps`, with the numbers named under ``"non_finite"`` put back
    (``nan``, ``inf``, ``-inf``) in place of their ``null``."""
    data = json.loads(text)
    for path, value in data.pop("non_finite", {}).items():
        steps = [int(i) if i else key for i, key in _STEP.findall(path)]
        where = data
        for step in steps[:-1]:
            where = where[step]
        where[steps[-1]] = float(value)
    return data


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
