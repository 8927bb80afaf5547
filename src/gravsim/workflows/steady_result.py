"""The steady-state result and its schema: which numbers each method reports, under which
JSON key and scan column.

The schema is written once, on the fields of :class:`GravityOutcome` and :class:`DeltaE`:
each field that is a scan column says, in its ``metadata``, the methods that compute it
(:func:`method`) and its column group; :data:`METHOD_STATS` names the stats and variants
each method reports.  :data:`OUTCOME_KEYS`, :data:`DELTA_KEYS` and :func:`result_keys` (a
scan's columns) are derived from them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.model.gravity import choose
from gravsim.model.parameters import Parameters
from gravsim.model.units import DESCRIPTIONS, UNITS
from gravsim.workflows.options import PERIODIC
from gravsim.workflows.result_model import NOT_COMPUTED, Result
from gravsim.workflows.text_forms import to_plain

#: The methods of :func:`method`: how a rung is solved on a backend.
CLOSED_FORM, FLOQUET, LYAPUNOV, FOCK_PERIODIC, FOCK = (
    "closed-form",
    "gaussian-floquet",
    "gaussian-lyapunov",
    "fock-periodic",
    "fock-static",
)
_ALL = (CLOSED_FORM, FLOQUET, LYAPUNOV, FOCK_PERIODIC, FOCK)
_PERIODIC = (FLOQUET, FOCK_PERIODIC)
_FOCK = (FOCK_PERIODIC, FOCK)

#: Stats and variants each method reports as scan columns, after the per-gravity ones.
METHOD_STATS = {
    CLOSED_FORM: ("eq24_E_N_quantum", "eq24_E_N_classical", "eq24_delta_E", "eq6_delta_E"),
    FLOQUET: ("period_s", "floquet_multiplier_max", "periodicity_error", "stein_condition"),
    LYAPUNOV: ("lyapunov_residual",),
    FOCK_PERIODIC: ("period_s", "wall_time_s"),
    FOCK: ("solver", "residual", "wall_time_s"),
}


def method(model: str, backend: str) -> str:
    """How ``model`` is solved on ``backend``: one of :data:`METHOD_STATS`'s keys."""
    if model == "closed-form":
        return CLOSED_FORM
    if backend == "gaussian":
        return FLOQUET if model == "linear" else LYAPUNOV
    return FOCK_PERIODIC if model in PERIODIC else FOCK


def _column(group: int, methods: tuple[str, ...], key: str | None = None) -> dict[str, Any]:
    """Field metadata of a scan column: its group (columns go group by group), the methods
    that compute it, and its JSON key pattern when it is not ``<name>{s}``."""
    return {"group": group, "methods": methods} | ({"key": key} if key else {})


def _result(default: Any = NOT_COMPUTED, **column: Any) -> Any:
    return field(default=default, metadata=_column(**column) if column else {})


#: Column groups in their order: E_N, truncation, ripple, periods, from the covariance, and
#: after the stats, the warnings.
_E_N, _TRUNCATION, _RIPPLE, _PERIODS, _COVARIANCE, _WARNING = range(6)


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

    E_N: Any = field(metadata=_column(_E_N, _ALL))
    E_N_ripple: float | None = _result(group=_RIPPLE, methods=_PERIODIC, key="E_N{s}_ripple")
    truncation_error: float | None = _result(group=_TRUNCATION, methods=_FOCK)
    E_N_extrapolated: float | None = _result(group=_TRUNCATION, methods=_FOCK)
    E_N_from_covariance: float | None = _result(group=_COVARIANCE, methods=(FOCK,))
    truncation_error_from_covariance: float | None = _result(group=_COVARIANCE, methods=(FOCK,))
    occupations: dict[str, Any] | None = NOT_COMPUTED
    last_level_population: dict[str, float] | None = NOT_COMPUTED
    periods: int | None = _result(group=_PERIODS, methods=(FOCK_PERIODIC,))
    stroboscopic_change: float | None = _result(group=_PERIODS, methods=(FOCK_PERIODIC,))
    truncation_warning: str | None = _result(group=_WARNING, methods=(FOCK_PERIODIC,))
    covariance: np.ndarray | None = NOT_COMPUTED
    state: Any = field(default=NOT_COMPUTED, metadata={"json": False})


@dataclass(frozen=True, eq=False)
class DeltaE:
    """ΔE = E_N,q − E_N,c (the result's log base), computed without cancellation.

    ``ripple`` (periodic rungs), ``truncation_error`` and ``extrapolated`` (Fock backend)
    are :data:`NOT_COMPUTED` where the method has none.
    """

    value: Any = field(metadata=_column(_E_N, _ALL, "delta_E"))
    ripple: float | None = _result(group=_RIPPLE, methods=(FLOQUET,), key="delta_E_ripple")
    truncation_error: float | None = _result(
        group=_TRUNCATION, methods=_FOCK, key="truncation_error_delta_E"
    )
    extrapolated: float | None = _result(
        group=_TRUNCATION, methods=_FOCK, key="delta_E_extrapolated"
    )


#: JSON key of each per-gravity result; ``{s}`` is "" when one gravity model is reported
#: and "_quantum" / "_classical" (the model's ``label``) when both are.
OUTCOME_KEYS = {
    f.name: f.metadata.get("key", f.name + "{s}")
    for f in dataclasses.fields(GravityOutcome)
    if f.metadata.get("json", True)
}

#: JSON key of each part of ΔE.
DELTA_KEYS = {f.name: f.metadata["key"] for f in dataclasses.fields(DeltaE)}


def result_keys(
    model: str, gravity: str | tuple, backend: str, tol: bool = False
) -> tuple[str, ...]:
    """The scalar results :func:`gravsim.workflows.steady.compute` reports for this
    combination, in a fixed order: a scan's result columns, derived from the schema.

    Group by group (E_N, truncation, ripple, periods, from the covariance): each computed
    field per gravity model (fields of one group interleaved per model), then ΔE's part of
    the group; then the method's :data:`METHOD_STATS`, the warnings, and with a tolerance
    (``tol``) on the static Fock rungs the levels each point chose.
    """
    chosen = choose(gravity)
    suffixes = [f"_{g.label}" for g in chosen] if len(chosen) == 2 else [""]
    how = method(model, backend)
    keys: list[str] = []
    for group in range(_WARNING + 1):
        if group == _WARNING:
            keys += METHOD_STATS[how]
        names = _group_fields(GravityOutcome, group, how)
        keys += [OUTCOME_KEYS[n].format(s=s) for s in suffixes for n in names]
        if len(chosen) == 2:
            keys += [DELTA_KEYS[n] for n in _group_fields(DeltaE, group, how)]
    if tol and how == FOCK:
        keys += ["n_mech_chosen"] + (["n_cav_chosen"] if model == "rwa" else [])
    return tuple(keys)


def _group_fields(cls: type, group: int, how: str) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(cls)
        if f.metadata.get("group") == group and how in f.metadata["methods"]
    ]


@dataclass(frozen=True, eq=False, repr=False)
class SteadyResult(Result):
    """Steady-state entanglement of one rung with one backend.

    Attributes
    ----------
    model, backend : str
        The rung and the backend that produced the numbers.
    gravity : str
        ``"quantum"``, ``"ktm"`` or ``"both"``.
    outcomes : dict of str to GravityOutcome
        Per gravity model, keyed by its label (``"quantum"``, ``"classical"``), quantum first.
    delta : DeltaE or None
        ΔE when both gravity models are reported.
    variants : dict
        Other estimates of the same quantities by the same method: the closed forms' Eq. (24)
        and Eq. (6) values, the conventional scheme's transient maximum.

    The base's ``parameters``, ``stats`` (residuals, solver, wall time in s, truncation,
    period), ``log_base``, ``notes`` and ``options`` (those of
    :meth:`~gravsim.workflows.options.RunOptions.as_kwargs`: ``steady.compute(p,
    result.options)`` computes it again) are as :class:`~gravsim.workflows.result_model.Result`
    says.
    """

    model: str
    backend: str
    gravity: str
    outcomes: dict[str, GravityOutcome]
    delta: DeltaE | None
    variants: dict[str, Any] = field(default_factory=dict)

    RUN_NAME = "steady"

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
            raise GravsimInputError(f"no density matrix: {self._no_state}")
        return rho

    @property
    def _no_state(self) -> str:
        """Why there is no ρ, and what to do."""
        if self.backend == "fock":
            return (
                "ρ is not kept in the dict form or the files (this result was read back); "
                "compute it again: gs.steady.compute(result.parameters, result.options)"
            )
        return (
            f"the {self.backend} backend has none: use backend='fock' on a scaled preset "
            "(small, driven), or .covariance(label) for the Gaussian state"
        )

    def covariance(self, label: str | None = None) -> np.ndarray:
        """The quadrature covariance (x, p per mode, vacuum ½·I) of hypothesis ``label``: the
        Gaussian backend's, or from ρ on the Fock backend (:func:`gravsim.fock.covariance`)."""
        outcome = self.outcome(label)
        if outcome.covariance is not NOT_COMPUTED:
            return outcome.covariance
        if outcome.state is NOT_COMPUTED:
            raise GravsimInputError(f"model {self.model!r} gives no covariance: {self._no_state}")
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

    def view(self) -> dict[str, Any]:
        """The keys scripts read: model, backend, gravity, log base, every value under its
        JSON key (:attr:`values`), the k_G convention and the parameters."""
        out: dict[str, Any] = {
            "model": self.model,
            "backend": self.backend,
            "gravity": self.gravity,
            "log_base": self.log_base,
        }
        out.update(to_plain(self.values))
        out["kG_convention"] = self.parameters.kG_source
        out["parameters"] = self.parameters.as_dict()
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
        if key in ("kG_source", "set_directly", "set_per_oscillator", "source"):
            continue
        mark = " (set directly)" if key in p.overrides else ""
        if key in _UNUSED_IF and _UNUSED_IF[key] in p.overrides:
            mark = f" (not used: {_UNUSED_IF[key]} set directly)"
        shown = f"{value:.10g}" if isinstance(value, float) else str(value)
        lines.append(
            f"  {key:<14} {shown:>22} {UNITS.get(key, ''):<7} {DESCRIPTIONS.get(key, '')}{mark}"
        )
    return "\n".join(lines)
