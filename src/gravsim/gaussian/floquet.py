"""The periodic asymptotic state of a time-periodic linear model (L1), exactly.

With the one-period map V → Φ V Φᵀ + Q (the monodromy Φ and noise Q of
:class:`~gravsim.gaussian.propagation.Propagator`), the asymptotic state at the start of every
period solves the discrete Lyapunov (Stein) equation V = Φ V Φᵀ + Q; it exists when every Floquet
multiplier (eigenvalue of Φ) lies inside the unit circle.  The state within the period is
V(τ) = Φ(τ) V Φ(τ)ᵀ + Q(τ).  The KTM shift S solves the same equation with the gravity noise
Q₁, so ΔE(τ) comes from (V, S) without cancellation.

Accuracy: the Stein equation amplifies the integration error of Φ, Q (relative ~1e-12) by
1/(1 − ρ(Φ)²), ρ the spectral radius, reported as ``stein_condition``; the periodicity
‖V(T) − V(0)‖/‖V‖ is reported as ``periodicity_error``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg

from gravsim.analysis.entanglement import delta_log_negativity, log_negativity
from gravsim.errors import UnstableError
from gravsim.gaussian.lyapunov import GaussianState
from gravsim.gaussian.propagation import Propagator
from gravsim.model.description import ModelDescription
from gravsim.model.quadratures import mechanical_block

#: Samples per period for the period average and the ripple.
SAMPLES = 64


@dataclass(frozen=True, eq=False)
class FloquetState:
    """The periodic state of a linear model, sampled over one period.

    Attributes
    ----------
    times : ndarray
        Sample times τ_k = kT/SAMPLES over one period (s), k = 0 … SAMPLES − 1.
    covariance : ndarray
        Quantum-gravity covariance at each τ (samples, 2n, 2n).
    shift : ndarray
        KTM covariance shift S(τ) (classical = covariance + shift).
    modes : tuple of str
    period : float
        T = 2π/ω₀ (s).
    multipliers : ndarray
        Floquet multipliers (eigenvalues of the monodromy).
    periodicity_error : float
        ‖V(T) − V(0)‖_max / ‖V(0)‖_max after propagating the state over one period.
    stein_condition : float
        1/(1 − ρ(Φ)²), the amplification of integration errors by the Stein solve.
    """

    times: np.ndarray
    covariance: np.ndarray
    shift: np.ndarray
    modes: tuple[str, ...]
    period: float
    multipliers: np.ndarray
    periodicity_error: float
    stein_condition: float

    def _mech(self, v: np.ndarray) -> np.ndarray:
        return mechanical_block(v, self.modes)

    def E_N_quantum(self, base: str = "e") -> np.ndarray:
        """E_N(τ) with quantum gravity over the period."""
        return log_negativity(self._mech(self.covariance), base)

    def E_N_classical(self, base: str = "e") -> np.ndarray:
        """E_N(τ) with KTM gravity over the period."""
        return log_negativity(self._mech(self.covariance + self.shift), base)

    def delta_E(self, base: str = "e") -> np.ndarray:
        """ΔE(τ) = E_N,q − E_N,c over the period, without cancellation."""
        return delta_log_negativity(self._mech(self.covariance), self._mech(self.shift), base)

    def occupations(self) -> dict[str, dict[str, float]]:
        """Period-averaged ⟨j†j⟩ of every mode, for ``"quantum"`` and ``"classical"`` gravity
        (the model's own, with its diffusion).

        Occupations are linear in V, so they are those of the period-averaged covariance.
        """
        v = self.covariance.mean(axis=0)
        s = self.shift.mean(axis=0)
        return {
            name: GaussianState(cov, self.modes, "linear", name, None).occupations()
            for name, cov in (("quantum", v), ("classical", v + s))
        }

    def summary(self, base: str = "e") -> dict[str, Any]:
        """Period averages and ripples (max − min over the period) of E_N,q, E_N,c and ΔE."""
        out: dict[str, Any] = {}
        for key, series in (
            ("E_N_quantum", self.E_N_quantum(base)),
            ("E_N_classical", self.E_N_classical(base)),
            ("delta_E", self.delta_E(base)),
        ):
            out[key] = float(np.mean(series))
            out[f"{key}_ripple"] = float(np.max(series) - np.min(series))
        out["period_s"] = self.period
        out["floquet_multiplier_max"] = float(np.max(np.abs(self.multipliers)))
        out["periodicity_error"] = self.periodicity_error
        return out


def periodic_state(model: ModelDescription, samples: int = SAMPLES) -> FloquetState:
    """The periodic asymptotic state of a time-periodic linear ``model``.

    Raises
    ------
    UnstableError
        If a Floquet multiplier has modulus ≥ 1 (no periodic attractor).
    """
    prop = Propagator(model)
    if prop.period == 0:
        raise UnstableError(
            f"model {model.rung!r} is time independent: use its Lyapunov steady state"
        )
    mono = prop.monodromy
    multipliers = np.linalg.eigvals(mono.phi)
    radius = float(np.max(np.abs(multipliers)))
    if radius >= 1:
        raise UnstableError(
            f"no periodic state for model {model.rung!r}: a Floquet multiplier has modulus "
            f"{radius:.6g} >= 1 (the linearised dynamics grows); the reservoir needs "
            "G_plus < G_minus and, with the counter-rotating terms kept, couplings well below "
            "omega_m/2: lower G_plus and G_minus or raise omega_m"
        )
    v0 = _stein(mono.phi, mono.q)
    s0 = _stein(mono.phi, mono.q1)
    times = prop.period * np.arange(samples) / samples
    steps = [prop._within(float(t)) for t in times]
    pairs = [st.apply(v0, s0) for st in steps]
    v_end, _ = mono.apply(v0, s0)
    return FloquetState(
        times=times,
        covariance=np.array([p[0] for p in pairs]),
        shift=np.array([p[1] for p in pairs]),
        modes=model.modes,
        period=prop.period,
        multipliers=multipliers,
        periodicity_error=float(np.max(np.abs(v_end - v0)) / np.max(np.abs(v0))),
        stein_condition=1.0 / (1.0 - radius**2),
    )


def _stein(phi: np.ndarray, q: np.ndarray) -> np.ndarray:
    """V = Φ V Φᵀ + Q (symmetrised)."""
    v = scipy.linalg.solve_discrete_lyapunov(phi, q)
    return 0.5 * (v + v.T)
