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
from gravsim.plotting import new_figure
from gravsim.workflows.result_model import Result
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
        """E_N(t) for each gravity model (steady reference dashed) and, for both, ΔE(t)."""
        c = self.columns
        t = c["time_s"]
        unit = "nats" if self.log_base == "e" else "bits"
        both = "delta_E" in c
        fig, axes = new_figure((6.4, 6.4 if both else 4.2), 2 if both else 1)
        ax = axes[0] if both else axes
        names = {"quantum": "quantum", "classical": "KTM", "diosi_penrose": "Diósi–Penrose"}
        curves = [k for k in c if k.startswith("E_N_") and k.removeprefix("E_N_") in names]
        for k, key in enumerate(curves):
            color, label = f"C{k}", f"{names[key.removeprefix('E_N_')]} gravity"
            if key in c:
                ax.plot(t, c[key], color, lw=1.4, label=label)
                ref = self.steady.get("E_N_quantum" if key == "E_N_quantum" else "E_N_classical")
                if ref is not None:
                    ax.axhline(ref, color=color, ls="--", lw=1, label=f"{label}: steady")
        peak = self.steady.get("transient_maximum")
        if peak:
            ax.plot([peak["t_max"]], [peak["E_N"]], "k*", ms=9, label="maximum over t (exact)")
        ax.set_xlabel("time t (s)")
        ax.set_ylabel(f"$E_N$ ({unit})")
        ax.set_title(f"{self.model} model, {self.backend} backend", fontsize=10)
        ax.text(0.01, 0.02, f"dashed: {self.steady['method']}", transform=ax.transAxes, fontsize=6)
        ax.legend(fontsize=7)
        if both:
            d = c["delta_E"]
            ok = d > 0
            axes[1].semilogy(t[ok], d[ok], "C2", lw=1.4, label="ΔE = E_N,q − E_N,c")
            if self.steady.get("delta_E"):
                axes[1].axhline(self.steady["delta_E"], color="C2", ls="--", lw=1, label="steady")
            axes[1].set_xlabel("time t (s)")
            axes[1].set_ylabel(f"ΔE ({unit})")
            axes[1].legend(fontsize=7)
        return fig


def run_name(model: str, backend: str) -> str:
    """Files of a transient: ``evolve_<model>_<backend>.{csv,json,png}``."""
    return f"evolve_{model}_{backend}"


def identity(p: Parameters, inputs: dict[str, Any], preset: str | None) -> dict[str, Any]:
    """The identity of the transient :func:`~gravsim.workflows.evolve.compute` gives for ``p``
    and its checked arguments ``inputs``."""
    return run_identity(kind="evolve", preset=preset, parameters=p.as_dict(), inputs=inputs)
