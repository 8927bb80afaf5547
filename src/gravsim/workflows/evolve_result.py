"""The result of ``evolve``: one column per quantity and time, its files and its figure.

:class:`EvolveResult` holds what :func:`gravsim.workflows.evolve.compute` gives (gravsim's
columns, the steady reference, and on the Fock backend the ``e_ops`` values and states, as
``qutip.Result``'s ``times``, ``expect``, ``states``); :func:`identity` is the identity of
its output folder (:func:`gravsim.workflows.evolve.run` opens it before the work).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.model.parameters import Parameters
from gravsim.plotting import new_figure, set_value_axis
from gravsim.workflows.result_model import Result, entanglement_unit
from gravsim.workflows.run_folder import run_identity
from gravsim.workflows.text_forms import to_plain


@dataclass(frozen=True, eq=False, repr=False)
class EvolveResult(Result):
    """A transient: one column per quantity, one entry per output time.

    Attributes
    ----------
    columns : dict of ndarray
        ``time_s``; ``E_N_quantum``, ``E_N_classical``, ``delta_E`` (as requested);
        ``n_<mode>_<gravity>`` occupations; ``purity_<gravity>`` of the mechanical state;
        ``truncation_error_*`` (Fock with comparisons).
    steady : dict
        The reference the transient tends to (see the module docstring), with ``method``.
    model, backend, gravity, frame : str
    expectations, state_series : dict
        Fock backend, per hypothesis label: ⟨O⟩(t) for each of the ``e_ops`` and ρ(t) where
        ``store_states`` was asked (read them as :attr:`expect` and :attr:`states`); not in
        the dict form or the files.

    ``options`` (the base's) are the arguments :func:`~gravsim.workflows.evolve.compute` ran
    with, checked: the run identity of :meth:`write`.
    """

    columns: dict[str, np.ndarray]
    steady: dict[str, Any]
    model: str
    backend: str
    gravity: str
    frame: str
    expectations: dict[str, list[np.ndarray]] = field(
        default_factory=dict, metadata={"json": False}
    )
    state_series: dict[str, list[Any]] = field(default_factory=dict, metadata={"json": False})

    TABLE = "columns"

    @property
    def times(self) -> np.ndarray:
        """The output times (s), as ``qutip.Result.times``."""
        return self.columns["time_s"]

    @property
    def expect(self) -> Any:
        """⟨O⟩(t) per ``e_ops`` entry, as ``qutip.Result.expect``: a list of arrays for one
        hypothesis; for two, a dict {label: list} (``"quantum"``, ``"classical"``)."""
        return self._per_hypothesis(self.expectations)

    @property
    def states(self) -> Any:
        """ρ(t) (``qutip.Qobj``) per output time where ``store_states`` was asked: a list for
        one hypothesis; for two, a dict {label: list}."""
        return self._per_hypothesis(self.state_series)

    def _per_hypothesis(self, by_label: dict[str, list]) -> Any:
        if self.backend != "fock":
            raise GravsimInputError("e_ops and states come from the Fock backend only")
        return next(iter(by_label.values())) if len(by_label) == 1 else by_label

    def summary(self) -> dict[str, Any]:
        """Final values, maxima over t and the steady reference."""
        out: dict[str, Any] = {"t_final_s": float(self.columns["time_s"][-1])}
        for key in [k for k in self.columns if k.startswith("E_N_")] + ["delta_E"]:
            if key in self.columns:
                col = self.columns[key]
                k = int(np.argmax(col))
                out[key] = {
                    "final": float(col[-1]),
                    "max": float(col[k]),
                    "t_max_s": float(self.columns["time_s"][k]),
                }
        out["steady"] = self.steady
        return out

    def run_name(self) -> str:
        """``evolve_<model>_<backend>`` (:func:`run_name`)."""
        return run_name(self.model, self.backend)

    def identity(self, preset: str | None = None) -> dict[str, Any]:
        """The run's identity (:func:`identity`)."""
        return identity(self.parameters, self.options, preset)

    def table(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """One row per time; the rung, backend, log base and every parameter in each row."""
        params = self.parameters.values_in_use()
        meta = {"model": self.model, "backend": self.backend, "log_base": self.log_base}
        return self.columns, meta | params

    def view(self) -> dict[str, Any]:
        """The run's description: rung, backend, gravity, frame, log base, the summary, the
        parameters and the k_G convention."""
        return {
            "model": self.model,
            "backend": self.backend,
            "gravity": self.gravity,
            "frame": self.frame,
            "log_base": self.log_base,
            "summary": to_plain(self.summary()),
            "parameters": self.parameters.as_dict(),
            "kG_convention": self.parameters.kG_source,
        }

    def figure(self) -> Any:
        """E_N(t) for each gravity model (steady reference dashed) and, for both, ΔE(t);
        Fock truncation errors as bands where the columns have them."""
        return _figure(self)


#: Display names of the gravity models by column label (others: their label).
_NAMES = {"quantum": "quantum", "classical": "KTM"}


def _figure(result: EvolveResult) -> Any:
    """The transient's plot: E_N(t) per gravity model with its steady value (dashed), the
    exact transient maximum where there is one, and ΔE(t) below when both are computed;
    the title names the rung, backend, gravity and log base."""
    c = result.columns
    both = "delta_E" in c
    fig, axes = new_figure((6.6, 6.6 if both else 4.4), 2 if both else 1)
    ax = axes[0] if both else axes
    unit = entanglement_unit(result.log_base)
    for k, key in enumerate(k for k in c if k.startswith("E_N_")):
        label = _NAMES.get(key.removeprefix("E_N_"), key.removeprefix("E_N_")) + " gravity"
        _curve(ax, c, key, "truncation_error_" + key.removeprefix("E_N_"), f"C{k}", label)
        ref = result.steady.get("E_N_quantum" if key == "E_N_quantum" else "E_N_classical")
        if ref is not None:
            ax.axhline(ref, color=f"C{k}", ls="--", lw=1, label=f"{label}: steady")
    peak = result.steady.get("transient_maximum")
    if peak:
        ax.plot([peak["t_max"]], [peak["E_N"]], "k*", ms=9, label="maximum over t (exact)")
    ax.set_ylabel(f"$E_N$ ({unit})")
    ax.set_title(
        f"E_N(t): {result.model} rung, {result.backend} backend, gravity {result.gravity}, "
        f"log base {result.log_base} ({unit})",
        fontsize=9,
    )
    ax.text(0.01, 0.02, f"dashed: {result.steady['method']}", transform=ax.transAxes, fontsize=6)
    if both:
        ax = axes[1]
        _curve(ax, c, "delta_E", "truncation_error_delta_E", "C2", "ΔE = E_N,q − E_N,c")
        if result.steady.get("delta_E") is not None:
            ax.axhline(result.steady["delta_E"], color="C2", ls="--", lw=1, label="steady")
        set_value_axis(ax, c["delta_E"])
        ax.set_ylabel(f"ΔE ({unit})")
    for ax in np.atleast_1d(axes):
        ax.set_xlabel("time t (s)")
        ax.legend(fontsize=7)
    return fig


def _curve(ax: Any, c: dict[str, np.ndarray], key: str, err_key: str, colour: str, label: str):
    """Column ``key`` against time, with its Fock truncation error as a band if present."""
    t = c["time_s"]
    ax.plot(t, c[key], color=colour, lw=1.4, label=label)
    if err_key in c:
        lo, hi = c[key] - c[err_key], c[key] + c[err_key]
        ax.fill_between(t, lo, hi, color=colour, alpha=0.25, lw=0, label="± Fock truncation error")


def run_name(model: str, backend: str) -> str:
    """Files of a transient: ``evolve_<model>_<backend>.{csv,json,png}``."""
    return f"evolve_{model}_{backend}"


def identity(p: Parameters, inputs: dict[str, Any], preset: str | None) -> dict[str, Any]:
    """The identity of the transient :func:`~gravsim.workflows.evolve.compute` gives for ``p``
    and its checked arguments ``inputs``."""
    return run_identity(kind="evolve", preset=preset, parameters=p.as_dict(), inputs=inputs)
