"""Gravity models: objects that add their terms to a model description.

Every model of gravity keeps the coherent coupling k_M(a+a†)(b+b†) between the spheres
(k_M = k_G + k_others: the mean Newtonian force plus any non-gravitational one).

* :class:`QuantumGravity` adds only that coherent term.
* :class:`KTMGravity` (Kafri–Taylor–Milburn) reproduces the same mean force by continuous
  position measurement at rates Γ_a, Γ_b (N/m) and classical feedback, which adds the
  decoherence 2κ_G,a D[a+a†] + 2κ_G,b D[b+b†] with
  κ_G,a = Γ_a x_zpf²/ħ + K_G² x_zpf²/(4 Γ_b ħ) (a ↔ b likewise); at the optimum
  Γ_a = Γ_b = K_G/2 this is κ_G = K_G x_zpf²/ħ = k_G.

In a frame rotating at ω_m with the rotating-wave approximation the coherent term becomes
k_M(a†b + b†a) and D[a+a†] becomes D[a] + D[a†]; each model gives both forms.  The
hypotheses beyond KTM (:mod:`gravsim.model.collapse`: Diósi–Penrose, Tilloy–Diósi, the
classical–quantum floor) share KTM's terms (:class:`~gravsim.model.diffusion.PositionDiffusion`)
with their own rates; :func:`choose` turns the text of ``--gravity``/``--compare`` into them.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError, GravsimWarning
from gravsim.model.collapse import CQFloor, DiosiPenrose, TilloyDiosi
from gravsim.model.description import HamiltonianTerm, JumpOperator
from gravsim.model.diffusion import GravityModel, PositionDiffusion, coherent_coupling
from gravsim.model.parameters import Parameters
from gravsim.model.units import HBAR

__all__ = [
    "CHOICES",
    "GRAVITY_MODELS",
    "CQFloor",
    "DiosiPenrose",
    "GravityModel",
    "KTMGravity",
    "PositionDiffusion",
    "QuantumGravity",
    "TilloyDiosi",
    "choose",
    "classical_in",
    "coherent_coupling",
    "hypotheses",
    "rate",
    "warn_validity",
]


@dataclass(frozen=True)
class QuantumGravity:
    """Quantum gravity: the coherent coupling k_M only, no extra dissipation."""

    name: str = "quantum"
    label: str = "quantum"

    def hamiltonian(self, p: Parameters, *, rwa: bool) -> tuple[HamiltonianTerm, ...]:
        """The coherent coupling (see :func:`coherent_coupling`)."""
        return coherent_coupling(p, rwa=rwa)

    def jumps(self, p: Parameters, *, rwa: bool) -> tuple[JumpOperator, ...]:
        """None: quantum gravity adds no dissipation."""
        return ()


@dataclass(frozen=True)
class KTMGravity(PositionDiffusion):
    """Classical gravity in the Kafri–Taylor–Milburn model.

    Parameters
    ----------
    Gamma_a, Gamma_b : float, optional
        Measurement rates (N/m).  Default: the optimum K_G/2 each, where κ_G = k_G.
    kappa_G : float, optional
        Decoherence rate per oscillator (rad/s) given directly; overrides the rates above
        and the parameters' own ``kappa_G``.
    """

    Gamma_a: float | None = None
    Gamma_b: float | None = None
    kappa_G: float | None = None
    name: str = "ktm"
    label: str = "classical"
    symbol = "κ_G"

    def __post_init__(self) -> None:
        for key in ("Gamma_a", "Gamma_b", "kappa_G"):
            value = getattr(self, key)
            if value is not None and not value >= 0:
                raise GravsimInputError(f"KTM {key} must be >= 0, got {value!r}")
        if (self.Gamma_a is None) != (self.Gamma_b is None):
            raise GravsimInputError(
                "give both KTM measurement rates Gamma_a and Gamma_b, or neither"
            )
        if self.Gamma_a is not None and (self.Gamma_a == 0 or self.Gamma_b == 0):
            raise GravsimInputError("KTM measurement rates must be > 0 (feedback noise ~ 1/Gamma)")

    def rates(self, p: Parameters) -> tuple[Any, Any]:
        """(κ_G,a, κ_G,b) in rad/s for parameters ``p``."""
        if self.kappa_G is not None:
            return self.kappa_G, self.kappa_G
        if self.Gamma_a is None:
            return p.kappa_G_pair
        x2_a, x2_b = (x**2 for x in p.x_zpf_pair)
        K = p.K_G
        ka = self.Gamma_a * x2_a / HBAR + K**2 * x2_a / (4 * self.Gamma_b * HBAR)
        kb = self.Gamma_b * x2_b / HBAR + K**2 * x2_b / (4 * self.Gamma_a * HBAR)
        return ka, kb


def classical_in(chosen: tuple[GravityModel, ...]) -> PositionDiffusion:
    """The model that adds diffusion among ``chosen`` (KTM where there is none): the one whose
    shift V₁ a Gaussian solve computes next to the quantum state."""
    return next((g for g in chosen if isinstance(g, PositionDiffusion)), KTMGravity())


def rate(model: GravityModel, p: Parameters) -> Any:
    """κ of a gravity model for ``p`` (rad/s; 0 for quantum gravity), oscillator a's."""
    return model.rates(p)[0] if isinstance(model, PositionDiffusion) else 0.0


#: The hypotheses by name, in the order of tables and figures.
GRAVITY_MODELS: dict[str, type] = {
    "quantum": QuantumGravity,
    "ktm": KTMGravity,
    "diosi-penrose": DiosiPenrose,
    "tilloy-diosi": TilloyDiosi,
    "cq-floor": CQFloor,
}

#: The ``gravity`` choices of every workflow: one model, or quantum and KTM compared.
CHOICES = (*GRAVITY_MODELS, "both")


def hypotheses() -> tuple[GravityModel, ...]:
    """Every hypothesis with its default settings, in the order of :data:`GRAVITY_MODELS`."""
    return tuple(cls() for cls in GRAVITY_MODELS.values())


def choose(gravity: str | tuple[GravityModel, ...]) -> tuple[GravityModel, ...]:
    """The gravity models a ``gravity`` choice names: one name of :data:`CHOICES`, or two
    names ``"A,B"`` to compare (``"both"`` is ``"quantum,ktm"``).  A name may carry settings
    of its model, ``name:key=value[:key=value]`` (e.g. ``diosi-penrose:cutoff=1e-15``,
    ``cq-floor:trade_off=3``; the keys are the model's parameters).

    The one place where the text of ``--gravity`` and ``--compare`` becomes model objects;
    models already chosen (a tuple of one or two, as :class:`RunOptions` keeps them) are
    returned as they are, so that the text is parsed once per run.

    Raises
    ------
    GravsimInputError
        For a name outside :data:`CHOICES`, a setting the model does not have, or a
        comparison that is not of two different single models.
    """
    if isinstance(gravity, tuple):
        return gravity
    if "," in gravity:
        names = [n.strip() for n in gravity.split(",")]
        loose = [n for n in names[1:] if "=" in n and ":" not in n]
        if loose:
            raise GravsimInputError(
                f"gravity {gravity!r}: {loose[0]!r} is a setting, and ',' separates two "
                "hypotheses; a hypothesis's settings are separated by ':', e.g. "
                "ktm:Gamma_a=1:Gamma_b=1"
            )
        if len(names) != 2 or len(set(names)) != 2 or "both" in names:
            raise GravsimInputError(
                f"compare {gravity!r}: give two different hypotheses A,B, e.g. quantum,ktm"
            )
        first, second = (choose(n) for n in names)
        if first[0].label == second[0].label:
            raise GravsimInputError(
                f"compare {gravity!r}: give two different hypotheses A,B (one model with two "
                "settings is compared through a scan of its setting)"
            )
        return first + second
    if gravity == "both":
        return (QuantumGravity(), KTMGravity())
    name, *settings = gravity.split(":")
    if name not in GRAVITY_MODELS:
        raise GravsimInputError(f"unknown gravity {gravity!r}: choose one of {', '.join(CHOICES)}")
    return (GRAVITY_MODELS[name](**_settings(name, settings)),)


def _settings(name: str, settings: list[str]) -> dict[str, Any]:
    """``key=value`` settings of hypothesis ``name`` as keyword arguments: text for the
    fields whose default is text (``mutual=off``, ``normalisation=penrose``), else floats."""
    fields = {
        f.name: f
        for f in dataclasses.fields(GRAVITY_MODELS[name])
        if f.name not in ("name", "label")
    }
    out: dict[str, Any] = {}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or key not in fields:
            known = ", ".join(fields) or "none"
            raise GravsimInputError(
                f"gravity {name!r}: setting {item!r} is not KEY=VALUE with a key of this "
                f"model ({known})"
            )
        if isinstance(fields[key].default, str):
            out[key] = value.strip()
            continue
        try:
            out[key] = float(value)
        except ValueError:
            raise GravsimInputError(f"gravity {name!r}: {key}={value!r} is not a number") from None
    return out


def warn_validity(
    models: tuple[GravityModel, ...], p: Parameters, spread: Callable[[], Any] | None = None
) -> None:
    """One :class:`GravsimWarning` for each reason a chosen model's form may not hold at
    ``p`` (:meth:`PositionDiffusion.validity`).  ``spread`` gives the oscillators' rms
    position in the steady state (m; e.g. :func:`gravsim.gaussian.position_spread`), asked
    only where a model's validity depends on it; None: the bath's thermal amplitude."""
    judged = [m for m in models if isinstance(m, PositionDiffusion)]
    needs = any(type(m).validity is not PositionDiffusion.validity for m in judged)
    rms = spread() if spread is not None and needs else None
    for model in judged:
        notes = (*model.validity(p, rms), *_faster_than_the_motion(model, p))
        for note in notes + (_below_ktm_least(model, p) if isinstance(model, KTMGravity) else ()):
            warnings.warn(note, GravsimWarning, stacklevel=3)


def _below_ktm_least(model: KTMGravity, p: Parameters) -> tuple[str, ...]:
    """KTM's rates obey κ_G,a κ_G,b ≥ k_G² for any measurement rates (equality at Γ = K_G/2),
    so a rate given below that is no KTM model: said, not refused."""
    with np.errstate(all="ignore"):
        ka, kb = (np.asarray(k, dtype=float) for k in model.rates(p))
        ratio = np.min(np.sqrt(ka * kb) / np.abs(np.asarray(p.k_G, dtype=float)))
    if not ratio < 1 - 1e-9:
        return ()
    return (
        f"ktm: its decoherence rate is {ratio:.3g} of k_G, below the least any KTM "
        "measurement rates give (k_G, at Γ = K_G/2); this kappa_G is not a KTM model",
    )


def _faster_than_the_motion(model: PositionDiffusion, p: Parameters) -> tuple[str, ...]:
    """A Markovian decoherence rate κ ≥ ω_m acts faster than the oscillation it is derived
    for (every model here assumes κ ≪ ω_m): said, not refused."""
    with np.errstate(all="ignore"):
        ratio = np.max([np.max(np.asarray(k, dtype=float)) for k in model.rates(p)])
        ratio = ratio / np.min(np.asarray(p.omega_m, dtype=float))
    if not ratio >= 1:
        return ()
    return (
        f"{model.name}: its decoherence rate is {ratio:.3g} ω_m; the Markovian model assumes "
        "a rate well below the mechanical frequency, so its numbers are outside its regime",
    )
