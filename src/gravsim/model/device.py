"""A real device's imperfections: per-oscillator parameters, a warm cavity, mis-set tones and
technical heating, as :class:`~gravsim.model.parameters.Parameters` reads them.

Conventions (docs/physics.md, "A real device"):

* **Per oscillator** ``g_a g_b`` (rad/s), ``gamma_a gamma_b`` (rad/s; or ``Q_a Q_b``),
  ``T_a T_b`` (K; or ``n_th_a n_th_b`` given directly), ``M_a M_b`` (kg).  Unset (None), each
  is the symmetric input (``g``, ``gamma_m``, ``T``/``n_th``, ``M``); setting a symmetric key
  sets both again.  Couplings G±,j = g_j |c±|, so the symmetric G± are the means
  ḡ|c±|, ḡ = (g_a + g_b)/2; n̄_j and x_zpf,j are taken at ω_m (Ω ≪ ω_m).  Masses enter the
  coupling as K_G = 2G M_a M_b/d³ (point mass) or 2GρΛ·sqrt(M_a M_b) (form factor, so that
  k_G = GρΛ/ω_m still), k_M = K_M x_zpf,a x_zpf,b/ħ, and KTM at its optimum as
  κ_G,j = k_G x_zpf,j/x_zpf,k.
* **Warm cavity** κ(n̄_c + 1)D[c] + κ n̄_c D[c†], n̄_c = 1/expm1(ħω_c/k_B T_c) (``T_c`` in K,
  ``omega_c`` in rad/s), or ``n_c`` given directly.
* **Mis-set tones** at ω_p ± ν with ω_p = ω_c − Δ_c, ν = ω_m − Δ_m: in the frames rotating at
  ω_p (cavity) and ν (mechanics) H gains Δ_c c†c + Δ_m(a†a + b†b), and the intracavity
  amplitudes are |c₊| = |E₊|/sqrt(κ²/4 + (ν − Δ_c)²), |c₋| = |E₋|/sqrt(κ²/4 + (ν + Δ_c)²).
* **Technical heating** Γ_h,j (phonons/s) with correlation c ∈ [−1, 1]: in the RWA frame
  dV/dt gains Γ_h,j on the diagonal of (q_j, p_j) and c·sqrt(Γ_h,a Γ_h,b) between q_a, q_b and
  between p_a, p_b (vacuum variance ½).  That kernel K = [[Γ_a, cs], [cs, Γ_b]]
  (:attr:`Device.heating_kernel`) is written as l₁l₁ᵀ + l₂l₂ᵀ with l₁ = (sqrt Γ_a, c sqrt Γ_b),
  l₂ = (0, sqrt((1 − c²)Γ_b)) (:func:`gravsim.model.noise.kernel_vectors`); each lᵢ is
  D[lᵢ·(a, b)] + D[lᵢ·(a†, b†)] under the RWA
  and D[lᵢ·(a + a†, b + b†)] above it: momentum diffusion, a jump ∝ x_j kicking p_j as a
  force noise does (docs/physics.md writes it "D[p_j]", meaning the diffusion of p_j).

At the defaults (all None or 0) every quantity is the ideal device's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from gravsim.model.units import HBAR, K_B

#: The per-oscillator keys of each symmetric one (a symmetric key sets both).
PER_OSCILLATOR: dict[str, tuple[str, str]] = {
    "g": ("g_a", "g_b"),
    "gamma_m": ("gamma_a", "gamma_b"),
    "Q_m": ("Q_a", "Q_b"),
    "T": ("T_a", "T_b"),
    "n_th": ("n_th_a", "n_th_b"),
    "M": ("M_a", "M_b"),
}

#: The symmetric key whose input field a rate-level or quality key stands for.
_FIELD_OF = {"Q_m": "gamma_m", "n_th": "T"}
#: Per-oscillator input fields (None: the symmetric value).
OSCILLATOR_FIELDS = tuple(f for k in ("g", "gamma_m", "T", "M") for f in PER_OSCILLATOR[k])
#: The fields a symmetric key clears when it is set (it sets both oscillators).
CLEARS = {key: PER_OSCILLATOR[_FIELD_OF.get(key, key)] for key in PER_OSCILLATOR}
#: Keys that set one quantity: a symmetric key and a per-oscillator key of one group given
#: together is refused (which one was meant?).
SAME_QUANTITY: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = tuple(
    (group, tuple(f for k in group for f in PER_OSCILLATOR[k]))
    for group in (("g",), ("gamma_m", "Q_m"), ("T", "n_th"), ("M",))
)
#: The imperfection inputs and their ideal values, in the order of ``gravsim params``.
IDEAL = {
    "T_c": 0.0,
    "Delta_m": 0.0,
    "Delta_c": 0.0,
    "heating_a": 0.0,
    "heating_b": 0.0,
    "heating_corr": 0.0,
}


def conflicting(keys: Any) -> str | None:
    """A one-line message if ``keys`` hold a symmetric key and a per-oscillator key of the
    same quantity (e.g. ``g`` and ``g_a``), else None."""
    for symmetric, per_oscillator in SAME_QUANTITY:
        one = next((k for k in symmetric if k in keys), None)
        other = next((k for k in per_oscillator if k in keys), None)
        if one and other:
            return (
                f"{one} and {other} given together: {one} sets both oscillators, {other} one "
                f"of them; give {one} alone, or {'/'.join(per_oscillator[:2])} for each"
            )
    return None


def thermal_occupation(omega: Any, temperature: Any) -> Any:
    """1/expm1(ħω/k_B T) (0 at T = 0), with expm1 for ħω ≪ k_B T."""
    t = np.asarray(temperature, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):
        x = HBAR * np.asarray(omega) / (K_B * t)
        n = np.where(t > 0, 1.0 / np.expm1(x), 0.0)
    return float(n) if n.ndim == 0 else n


class Device:
    """The per-oscillator and imperfect-device quantities of :class:`Parameters` (a mixin:
    every attribute read here is a field or property of the parameters)."""

    def _own(self, symmetric: str, j: int) -> Any:
        """Oscillator ``j``'s input for ``symmetric`` (its own field, or the symmetric one)."""
        value = getattr(self, PER_OSCILLATOR[symmetric][j])
        return getattr(self, symmetric) if value is None else value

    def in_use(self, name: str) -> Any:
        """The value of ``name`` in use: a per-oscillator field's own or the symmetric one."""
        if name not in OSCILLATOR_FIELDS:
            return getattr(self, name)
        symmetric = next(k for k, pair in PER_OSCILLATOR.items() if name in pair)
        return self._own(symmetric, "ab".index(name[-1]))

    @property
    def g_pair(self) -> tuple[Any, Any]:
        """(g_a, g_b): single-photon couplings (rad/s)."""
        return self._own("g", 0), self._own("g", 1)

    @property
    def g_mean(self) -> Any:
        """ḡ = (g_a + g_b)/2 (rad/s): G± = ḡ|c±|."""
        g_a, g_b = self.g_pair
        return (np.asarray(g_a) + np.asarray(g_b)) / 2

    @property
    def gamma_pair(self) -> tuple[Any, Any]:
        """(γ_a, γ_b): mechanical damping rates (rad/s)."""
        return self._own("gamma_m", 0), self._own("gamma_m", 1)

    @property
    def n_th_pair(self) -> tuple[Any, Any]:
        """(n̄_a, n̄_b): each bath's occupation at ω_m; given directly, from T_j, or n̄."""
        out = []
        for j, name in enumerate(("n_th_a", "n_th_b")):
            temperature = getattr(self, ("T_a", "T_b")[j])
            if name in self.overrides:
                out.append(self.overrides[name])
            elif temperature is not None:
                out.append(thermal_occupation(self.omega_m, temperature))
            else:
                out.append(self.n_th)
        return out[0], out[1]

    @property
    def M_pair(self) -> tuple[Any, Any]:
        """(M_a, M_b): sphere masses (kg)."""
        return self._own("M", 0), self._own("M", 1)

    @property
    def x_zpf_pair(self) -> tuple[Any, Any]:
        """(x_zpf,a, x_zpf,b) = sqrt(ħ/2M_jω_m) (m)."""
        m_a, m_b = self.M_pair
        return tuple(np.sqrt(HBAR / (2 * m * self.omega_m)) for m in (m_a, m_b))

    @property
    def G_plus_pair(self) -> tuple[Any, Any]:
        """(G₊,a, G₊,b) = g_j|c₊| = G₊ g_j/ḡ (rad/s)."""
        return self._per_oscillator(self.G_plus)

    @property
    def G_minus_pair(self) -> tuple[Any, Any]:
        """(G₋,a, G₋,b) = g_j|c₋| = G₋ g_j/ḡ (rad/s)."""
        return self._per_oscillator(self.G_minus)

    def _per_oscillator(self, mean: Any) -> tuple[Any, Any]:
        if self.g_a is None and self.g_b is None:
            return mean, mean  # also where g = 0 and G± are given directly
        return tuple(mean * np.asarray(g) / self.g_mean for g in self.g_pair)

    @property
    def kappa_G_pair(self) -> tuple[Any, Any]:
        """KTM's rates at its optimum (rad/s): κ_G,j = κ_G x_zpf,j/x_zpf,k (κ_G = k_G at
        equal masses; one value for both where ``kappa_G`` is given directly)."""
        if self.is_set_directly("kappa_G"):
            return self.kappa_G, self.kappa_G
        x_a, x_b = self.x_zpf_pair
        return self.kappa_G * x_a / x_b, self.kappa_G * x_b / x_a

    @property
    def n_c(self) -> Any:
        """Thermal occupation of the cavity, 1/expm1(ħω_c/k_B T_c), or given directly."""
        return self._get("n_c", thermal_occupation(self.omega_c, self.T_c))

    @property
    def tone_spacing(self) -> Any:
        """ν = ω_m − Δ_m: half the tones' spacing (rad/s)."""
        return self.omega_m - self.Delta_m

    def cavity_response(self, sign: int) -> Any:
        """sqrt(κ²/4 + (ν ∓ Δ_c)²) (rad/s): |E±|/|c±| for the blue (+1) or red (−1) tone."""
        return np.hypot(self.kappa / 2, self.tone_spacing - sign * self.Delta_c)

    @property
    def heating_kernel(self) -> tuple[Any, Any, Any]:
        """(Γ_h,a, Γ_h,b, c sqrt(Γ_h,a Γ_h,b)) (phonons/s): the heating's 2×2 kernel on (a, b)
        (module docstring)."""
        a, b = np.asarray(self.heating_a), np.asarray(self.heating_b)
        return a, b, np.asarray(self.heating_corr) * np.sqrt(a * b)

    def imperfections(self) -> tuple[str, ...]:
        """The keys at which this device differs from the ideal one (empty: ideal): a
        per-oscillator value unlike the symmetric one, a warm cavity, a detuning, heating."""
        out = []
        for symmetric in ("g", "gamma_m", "M"):
            for j, key in enumerate(PER_OSCILLATOR[symmetric]):
                if _differs(self._own(symmetric, j), getattr(self, symmetric)):
                    out.append(key)
        for key, n in zip(("n_th_a", "n_th_b"), self.n_th_pair, strict=True):
            if _differs(n, self.n_th):
                out.append(key)
        if _differs(self.n_c, 0.0):
            out.append("n_c")
        return tuple(out) + tuple(
            k
            for k in ("Delta_m", "Delta_c", "heating_a", "heating_b")
            if _differs(getattr(self, k), 0.0)
        )


def _differs(value: Any, reference: Any) -> bool:
    return bool(np.any(np.asarray(value) != np.asarray(reference)))


def device_problems(p: Any, arrays: dict[str, np.ndarray]) -> Iterator[tuple[Any, str]]:
    """(where, message) of the device's own rules (the inputs of :func:`device_arrays`)."""
    non_negative = ("g_a", "g_b", "gamma_a", "gamma_b", "T_a", "T_b", "T_c", "heating_a")
    for name in (*non_negative, "heating_b", "n_th_a", "n_th_b", "n_c"):
        if name in arrays:
            yield arrays[name] < 0, f"{name} must be >= 0, got {_fmt(arrays[name])}"
    for name in ("M_a", "M_b", "omega_c"):
        if name in arrays:
            yield arrays[name] <= 0, f"{name} must be > 0, got {_fmt(arrays[name])}"
    corr = arrays["heating_corr"]
    yield np.abs(corr) > 1, f"heating_corr must be in [-1, 1], got {_fmt(corr)}"
    if p.g_a is not None or p.g_b is not None:
        yield np.asarray(p.g_mean) <= 0, "g_a + g_b must be > 0: the pumps reach the mechanics"


def device_arrays(p: Any) -> dict[str, Any]:
    """The device's numeric inputs that are set (per-oscillator ones only when given)."""
    out = {k: getattr(p, k) for k in OSCILLATOR_FIELDS if getattr(p, k) is not None}
    return out | {k: getattr(p, k) for k in (*IDEAL, "omega_c")}


def _fmt(x: Any) -> str:
    arr = np.asarray(x)
    return f"{float(arr):.6g}" if arr.ndim == 0 else f"array{arr.shape}"


#: The cavity's default frequency (rad/s): a microwave resonator at 5 GHz; it enters only
#: n̄_c from T_c.
OMEGA_C = 2 * math.pi * 5e9
