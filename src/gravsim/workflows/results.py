"""Result objects: immutable, printable, and convertible to a dict or one CSV row."""

from __future__ import annotations

import abc
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.model.gravity import choose
from gravsim.model.parameters import Parameters
from gravsim.model.units import DESCRIPTIONS, UNITS
from gravsim.workflows.options import PERIODIC


class Result(abc.ABC):
    """What every public result of gravsim shares: a JSON-ready dict and a short repr.

    Subclasses (frozen dataclasses, one per workflow, with typed fields) define
    :meth:`to_dict`: plain Python types, every number in the units its ``"units"`` entry
    names, the inputs that produced it and the method.  Files are written from that dict by
    the one writer (:func:`dumps` for JSON, :func:`csv_cell` for CSV cells,
    :mod:`gravsim.workflows.run_folder` for folders), so a result reads the same in Python,
    in ``--json`` output and in a run's sidecar.
    """

    @abc.abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (plain types): results, units, method, inputs."""

    def to_json(self) -> str:
        """:meth:`to_dict` as strict JSON text (non-finite numbers as ``null``, named)."""
        return dumps(self.to_dict())

    def __repr__(self) -> str:
        shown = [
            f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v!r}"
            for k, v in self.to_dict().items()
            if isinstance(v, (str, float, int))
        ]
        more = ", ..." if len(shown) > 8 else ""
        return f"{type(self).__name__}({', '.join(shown[:8])}{more})"


#: JSON key of each per-gravity result; ``{s}`` is "" when one gravity model is reported
#: and "_quantum" / "_classical" (the model's ``label``) when both are.
OUTCOME_KEYS = {
    "E_N": "E_N{s}",
    "E_N_ripple": "E_N{s}_ripple",
    "truncation_error": "truncation_error{s}",
    "E_N_extrapolated": "E_N_extrapolated{s}",
    "E_N_from_covariance": "E_N_from_covariance{s}",
    "truncation_error_from_covariance": "truncation_error_from_covariance{s}",
    "occupations": "occupations{s}",
    "last_level_population": "last_level_population{s}",
    "periods": "periods{s}",
    "stroboscopic_change": "stroboscopic_change{s}",
    "truncation_warning": "truncation_warning{s}",
    "covariance": "covariance{s}",
}

#: JSON key of each part of ΔE.
DELTA_KEYS = {
    "value": "delta_E",
    "ripple": "delta_E_ripple",
    "truncation_error": "truncation_error_delta_E",
    "extrapolated": "delta_E_extrapolated",
}


def result_keys(
    model: str, gravity: str | tuple, backend: str, tol: bool = False
) -> tuple[str, ...]:
    """The scalar results :func:`gravsim.workflows.steady.compute` reports for this
    combination, in a fixed order.

    A scan's result columns; E_N (or E_N,q, E_N,c, ΔE) first, then what says how far to
    trust them (truncation errors, residuals, ripples), then the method's own numbers; with a
    tolerance (``tol``) on the steady Fock rungs, the levels each point chose.
    """
    chosen = choose(gravity)
    both = len(chosen) == 2
    suffixes = [f"_{g.label}" for g in chosen] if both else [""]

    def per_gravity(*names: str) -> list[str]:
        return [OUTCOME_KEYS[name].format(s=s) for name in names for s in suffixes]

    keys = per_gravity("E_N") + ([DELTA_KEYS["value"]] if both else [])
    if model == "closed-form":
        return (*keys, "eq24_E_N_quantum", "eq24_E_N_classical", "eq24_delta_E", "eq6_delta_E")
    if backend == "gaussian" and model == "linear":
        ripples = per_gravity("E_N_ripple") + ([DELTA_KEYS["ripple"]] if both else [])
        return (
            *keys,
            *ripples,
            "period_s",
            "floquet_multiplier_max",
            "periodicity_error",
            "stein_condition",
        )
    if backend == "gaussian":
        return (*keys, "lyapunov_residual")
    keys += [
        OUTCOME_KEYS[n].format(s=s)
        for s in suffixes
        for n in ("truncation_error", "E_N_extrapolated")
    ]
    if both:
        keys += [DELTA_KEYS["truncation_error"], DELTA_KEYS["extrapolated"]]
    if model in PERIODIC:
        keys += per_gravity("E_N_ripple")
        keys += [
            OUTCOME_KEYS[n].format(s=s)
            for s in suffixes
            for n in ("periods", "stroboscopic_change")
        ]
        return (*keys, "period_s", "wall_time_s", *per_gravity("truncation_warning"))
    keys += [
        OUTCOME_KEYS[n].format(s=s)
        for s in suffixes
        for n in ("E_N_from_covariance", "truncation_error_from_covariance")
    ]
    chosen = ["n_mech_chosen"] + (["n_cav_chosen"] if model == "rwa" else [])
    return (*keys, "solver", "residual", "wall_time_s", *(chosen if tol else []))


class _NotComputed:
    """The value of a result field that its method does not compute.

    Left out of :attr:`SteadyResult.values` and the JSON, unlike None (computed, and
    undefined there: an extrapolation of a convergence that is not monotone is ``null``).
    """

    def __repr__(self) -> str:
        return "NOT_COMPUTED"


NOT_COMPUTED: Any = _NotComputed()


@dataclass(frozen=True, eq=False)
class GravityOutcome:
    """One gravity model's numbers on one rung (a field the method does not
    compute is :data:`NOT_COMPUTED`).

    Attributes
    ----------
    E_N : float or ndarray
        Logarithmic negativity of the mechanical modes (the result's log base); the period
        average for the periodic rungs.
    E_N_ripple : float, optional
        max − min of E_N over the period (periodic rungs).
    truncation_error, E_N_extrapolated : float, optional
        Fock backend: error bound from the comparison truncations (mechanics at N−4, N−2, one
        cavity level more; :mod:`gravsim.fock.truncation`) and the extrapolated limit.
    E_N_from_covariance, truncation_error_from_covariance : float, optional
        Fock backend: E_N of the Gaussian state with ρ's covariance, and its error.
    occupations, last_level_population : dict, optional
        ⟨j†j⟩ per mode, and the highest kept Fock level's population per mode.
    periods, stroboscopic_change : optional
        Fock periodic state: periods propagated and the last ‖ρ(T) − ρ(0)‖_F.
    truncation_warning : str, optional
        Why the truncation is doubtful, found after the solve.
    covariance : ndarray, optional
        Gaussian backend: the full covariance (ordering x₁, p₁, …; vacuum ½·I).
    state : qutip.Qobj, optional
        Fock backend: the density matrix (the periodic rungs: at t = nT), never in the JSON.
    """

    E_N: Any
    E_N_ripple: float | None = NOT_COMPUTED
    truncation_error: float | None = NOT_COMPUTED
    E_N_extrapolated: float | None = NOT_COMPUTED
    E_N_from_covariance: float | None = NOT_COMPUTED
    truncation_error_from_covariance: float | None = NOT_COMPUTED
    occupations: dict[str, Any] | None = NOT_COMPUTED
    last_level_population: dict[str, float] | None = NOT_COMPUTED
    periods: int | None = NOT_COMPUTED
    stroboscopic_change: float | None = NOT_COMPUTED
    truncation_warning: str | None = NOT_COMPUTED
    covariance: np.ndarray | None = NOT_COMPUTED
    state: Any = NOT_COMPUTED


@dataclass(frozen=True, eq=False)
class DeltaE:
    """ΔE = E_N,q − E_N,c (the result's log base), computed without cancellation.

    ``ripple`` (periodic rungs), ``truncation_error`` and ``extrapolated`` (Fock backend)
    are :data:`NOT_COMPUTED` where the method has none.
    """

    value: Any
    ripple: float | None = NOT_COMPUTED
    truncation_error: float | None = NOT_COMPUTED
    extrapolated: float | None = NOT_COMPUTED


@dataclass(frozen=True, eq=False, repr=False)
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
    outcomes : dict of str to GravityOutcome
        Per gravity model, keyed by its label (``"quantum"``, ``"classical"``), quantum first.
    delta : DeltaE or None
        ΔE when both gravity models are reported.
    parameters : Parameters
    stats : dict
        How the numbers were obtained: residuals, solver, wall time (s), truncation, period.
    variants : dict
        Other estimates of the same quantities by the same method: the closed forms' Eq. (24)
        and Eq. (6) values, the conventional scheme's transient maximum.
    notes : tuple of str
        Approximations and methods, for people.
    options : dict
        The options it ran with (:meth:`~gravsim.workflows.options.RunOptions.as_kwargs`):
        ``steady.compute(p, result.options)`` computes it again.
    """

    model: str
    backend: str
    gravity: str
    log_base: str
    outcomes: dict[str, GravityOutcome]
    delta: DeltaE | None
    parameters: Parameters
    stats: dict[str, Any] = field(default_factory=dict)
    variants: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = field(default_factory=tuple)
    options: dict[str, Any] = field(default_factory=dict)

    def outcome(self, label: str | None = None) -> GravityOutcome:
        """The outcome of gravity ``label`` (``"quantum"``, ``"classical"``; None: the only one)."""
        if label is None:
            if len(self.outcomes) != 1:
                raise KeyError("two gravity models were computed: name one")
            return next(iter(self.outcomes.values()))
        return self.outcomes[label]

    def state(self, label: str | None = None) -> Any:
        """ρ of hypothesis ``label`` as a ``qutip.Qobj`` (Fock backend; the periodic rungs: at
        t = nT, modes a, b[, c] in that order)."""
        rho = self.outcome(label).state
        if rho is NOT_COMPUTED:
            raise GravsimInputError(
                f"the {self.backend} backend has no density matrix: use backend='fock' on a "
                "scaled preset (small, driven), or .covariance(label) for the Gaussian state"
            )
        return rho

    def covariance(self, label: str | None = None) -> np.ndarray:
        """The quadrature covariance (x, p per mode, vacuum ½·I) of hypothesis ``label``: the
        Gaussian backend's, or from ρ on the Fock backend (:func:`gravsim.fock.covariance`)."""
        outcome = self.outcome(label)
        if outcome.covariance is not NOT_COMPUTED:
            return outcome.covariance
        if outcome.state is NOT_COMPUTED:
            raise GravsimInputError(f"model {self.model!r} gives no covariance: it has no state")
        from gravsim.fock import operators

        rho = outcome.state
        return operators.covariance(rho, operators.DEFAULT_MODES[len(rho.dims[0])])

    def comparison(self) -> dict[str, Any]:
        """E_N of the two compared hypotheses and ΔE under their JSON keys (``E_N_quantum``,
        ``E_N_classical``, ``delta_E`` for ``gravity="both"``)."""
        return self._compared("E_N", "value")

    def comparison_errors(self) -> dict[str, Any]:
        """The truncation errors of :meth:`comparison`'s numbers (Fock backend)."""
        return self._compared("truncation_error", "truncation_error")

    def _compared(self, field_name: str, delta_part: str) -> dict[str, Any]:
        if self.delta is None:
            raise KeyError("one gravity model was computed: a comparison needs two")
        out = {f"E_N_{label}": getattr(o, field_name) for label, o in self.outcomes.items()}
        return out | {"delta_E": getattr(self.delta, delta_part)}

    @property
    def values(self) -> dict[str, Any]:
        """Every result under its JSON key (``E_N`` or ``E_N_quantum``, ``E_N_classical``,
        ``delta_E``, …): per-gravity fields first, then ΔE, the stats and the variants."""
        out: dict[str, Any] = {}
        single = len(self.outcomes) == 1
        for name, key in OUTCOME_KEYS.items():
            if name == "E_N_ripple" and self.delta is not None:
                out |= _delta_items(self.delta, ("value",))
            for label, outcome in self.outcomes.items():
                value = getattr(outcome, name)
                if value is not NOT_COMPUTED and name != "covariance":
                    out[key.format(s="" if single else f"_{label}")] = value
        if self.delta is not None:
            out |= _delta_items(self.delta, tuple(DELTA_KEYS))
        out |= self.stats | self.variants
        for label, outcome in self.outcomes.items():
            if outcome.covariance is not NOT_COMPUTED:
                out[OUTCOME_KEYS["covariance"].format(s="" if single else f"_{label}")] = (
                    outcome.covariance
                )
        return out

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
        out["options"] = to_plain(self.options)
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


def _delta_items(delta: DeltaE, parts: tuple[str, ...]) -> dict[str, Any]:
    values = {DELTA_KEYS[part]: getattr(delta, part) for part in parts}
    return {key: value for key, value in values.items() if value is not NOT_COMPUTED}


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
