"""Physical and rate-level parameters of the two-sphere, one-cavity experiment.

One immutable, validated object, :class:`Parameters`, holds every input in SI units with
angular frequencies (rad/s) and exposes the derived quantities as properties.  There are
two ways in:

* **physical** inputs: masses, distances, density, temperature, pump amplitudes E± and the
  single-photon coupling g, from which n̄, x_zpf, K_G, k_G, c±, G±, r, G and Γ follow;
* **rate-level** overrides: ``G_plus``, ``G_minus``, ``n_th``, ``k_G``, ``k_M``, ``kappa_G``
  given directly.  An override shadows the derived value until an input it is derived from
  is set again (setting ``T`` clears an ``n_th`` override, ``E_plus`` clears ``G_plus``…).

``Q_m`` is not stored: setting it sets ``gamma_m = omega_m / Q_m``.

Every field may also be a NumPy array; arrays broadcast against each other, so one
``Parameters`` object can describe a whole grid of points for the batched Gaussian solver.

Conventions (see ``docs/physics.md``): ħ = 1 in rates, D[O]ρ = OρO† − ½{O†O, ρ}, both spheres
have the same mass and zero-point amplitude x_zpf = sqrt(ħ / 2 M ω_m) (the 1 % difference
between ω_a and ω_b changes x_zpf by 0.5 % and is neglected, as in the paper), both baths
have the same n̄ = 1/expm1(ħω_m / k_B T), and the pump phases are chosen so that c± are real
and positive (the paper's choice), so G± ≥ 0.

Numerics: n̄ is evaluated with ``expm1`` (ħω_m/k_BT ≈ 2.4e-7 at 10 mK, where
``exp(x) - 1`` would lose 7 digits); r = atanh(G₊/G₋) and G² = (G₋ − G₊)(G₋ + G₊) are
formed without subtracting squares of nearly equal numbers.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import math
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError, GravsimWarning
from gravsim.model import changes, device
from gravsim.model.device import OMEGA_C, Device
from gravsim.model.units import G_NEWTON, HBAR, KG_CONVENTIONS, OVERRIDABLE, UNITS

_POSITIVE = ("M", "d", "radius", "rho", "omega_m", "kappa")
_NON_NEGATIVE = ("form_factor", "Omega", "g", "E_plus", "E_minus", "T", "gamma_m")
_OVERRIDE_NON_NEGATIVE = ("n_th", "G_plus", "G_minus", "k_G", "kappa_G")
#: False inside :func:`unchecked`.
_CHECKED: contextvars.ContextVar[bool] = contextvars.ContextVar("checked", default=True)


@dataclass(frozen=True, eq=False)
class Parameters(Device):
    """All inputs of the model, SI units, angular frequencies in rad/s.

    Parameters
    ----------
    M : float
        Mass of each sphere (kg).
    d : float
        Centre-to-centre distance (m).
    radius : float
        Sphere radius (m); informational, the form factor carries the geometry.
    rho : float
        Density (kg/m³).
    form_factor : float
        Λ in k_G = G ρ Λ / ω_m (form-factor convention).
    kG_convention : str
        ``"form-factor"`` (k_G = GρΛ/ω_m) or ``"point-mass"`` (K_G = 2GM²/d³).
    omega_m, Omega, kappa, g, E_plus, E_minus, gamma_m : float
        Rates in rad/s (see :data:`DESCRIPTIONS`).
    T : float
        Bath temperature (K).
    K_others : float
        Non-gravitational cross-gradient (N/m).
    g_a, g_b, gamma_a, gamma_b, T_a, T_b, M_a, M_b : float, optional
        Per-oscillator values (None: the symmetric ``g``, ``gamma_m``, ``T``, ``M``); see
        :mod:`gravsim.model.device` for the imperfections and their conventions.
    T_c, omega_c : float
        Cavity temperature (K) and frequency (rad/s; used only for n̄_c).
    Delta_m, Delta_c : float
        Tone mis-settings (rad/s): ω_m − ν and ω_c − ω_p.
    heating_a, heating_b, heating_corr : float
        Technical heating (phonons/s) and its correlation between the oscillators (−1…1).
    overrides : Mapping[str, float]
        Rate-level values given directly (keys of :data:`OVERRIDABLE`).
    source : str
        Where these numbers come from (a preset names its reference).
    """

    M: Any = 1.3e-6
    d: Any = 0.5e-3
    radius: Any = 0.25e-3
    rho: Any = 19.3e3
    form_factor: Any = math.pi / 3
    kG_convention: str = "form-factor"
    omega_m: Any = 2 * math.pi * 50.0
    Omega: Any = 2 * math.pi * 0.5
    kappa: Any = 2 * math.pi * 10.0
    g: Any = 2 * math.pi * 1.0
    E_plus: Any = 100.0
    E_minus: Any = 200.0
    T: Any = 10e-3
    gamma_m: Any = 2 * math.pi * 2e-9
    K_others: Any = 0.0
    g_a: Any = None
    g_b: Any = None
    gamma_a: Any = None
    gamma_b: Any = None
    T_a: Any = None
    T_b: Any = None
    M_a: Any = None
    M_b: Any = None
    T_c: Any = 0.0
    omega_c: Any = OMEGA_C
    Delta_m: Any = 0.0
    Delta_c: Any = 0.0
    heating_a: Any = 0.0
    heating_b: Any = 0.0
    heating_corr: Any = 0.0
    overrides: Mapping[str, Any] = field(default_factory=dict)
    source: str = "user"

    # ------------------------------------------------------------------ validation
    def __post_init__(self) -> None:
        if not _CHECKED.get():
            return
        for bad, message in self._problems():
            if np.any(bad):
                raise GravsimInputError(message)
        if np.any(np.asarray(self.gamma_m) == 0):
            warnings.warn(
                "gamma_m = 0: the oscillators have no thermal bath (Q_m infinite), so T and "
                "n_th have no effect",
                GravsimWarning,
                stacklevel=4,
            )

    def _problems(self) -> Iterator[tuple[Any, str]]:
        """(where, message) of every rule the inputs must obey, in the order they are checked.

        ``where`` is a boolean array over the batch (or a bool) marking the points that
        break the rule.  Malformed inputs (a wrong type, shapes that do not broadcast) raise
        at once: they are not a property of some points.
        """
        arrays = self._input_arrays()
        for name, arr in arrays.items():
            yield ~np.isfinite(arr), f"{name} is not finite ({_fmt(arr)}): give a finite value"
        for name in _POSITIVE:
            yield arrays[name] <= 0, f"{name} must be > 0 ({UNITS[name]}), got {_fmt(arrays[name])}"
        for name in _NON_NEGATIVE + tuple(k for k in _OVERRIDE_NON_NEGATIVE if k in arrays):
            yield arrays[name] < 0, f"{name} must be >= 0 ({UNITS[name]}), got {_fmt(arrays[name])}"
        yield (
            arrays["Omega"] >= arrays["omega_m"],
            "Omega must be < omega_m (omega_b = omega_m - Omega is the frequency of oscillator "
            f"b), got Omega={_fmt(self.Omega)}, omega_m={_fmt(self.omega_m)} rad/s",
        )
        yield from device.device_problems(self, arrays)
        with np.errstate(all="ignore"):
            yield (
                np.asarray(self.G_plus >= self.G_minus),
                "no steady state: the reservoir needs G_plus < G_minus "
                f"(got G_plus={_fmt(self.G_plus)}, G_minus={_fmt(self.G_minus)} rad/s); "
                "lower E_plus/G_plus or raise E_minus/G_minus",
            )
            yield from self._underived()

    def _input_arrays(self) -> dict[str, np.ndarray]:
        """Every checked input as an array; malformed ones (an unknown convention or key, a
        non-real value, shapes that do not broadcast) raise here."""
        if self.kG_convention not in KG_CONVENTIONS:
            raise GravsimInputError(
                f"unknown kG_convention {self.kG_convention!r}: use one of "
                + ", ".join(KG_CONVENTIONS)
            )
        for key in self.overrides:
            if key not in OVERRIDABLE:
                raise GravsimInputError(
                    f"{key!r} cannot be given directly: rate-level keys are "
                    + ", ".join(OVERRIDABLE)
                )
        values = {name: getattr(self, name) for name in _POSITIVE + _NON_NEGATIVE}
        values["K_others"] = self.K_others
        values.update(device.device_arrays(self))
        values.update(self.overrides)
        arrays = {}
        for name, value in values.items():
            arr = np.asarray(value)
            if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
                raise GravsimInputError(f"{name} must be a real number, got {value!r}")
            arrays[name] = arr
        try:
            np.broadcast(*arrays.values())
        except ValueError as exc:
            raise GravsimInputError(
                f"array-valued parameters do not broadcast together ({exc}): "
                "give arrays of one shape"
            ) from None
        return arrays

    def _underived(self) -> Iterator[tuple[Any, str]]:
        """(where, message) of derived quantities that are not finite float64."""
        for name in DERIVED_KEYS:
            if name == "Q_m" or (name.startswith("c_") and self.is_set_directly("G_" + name[2:])):
                continue  # Q_m is infinite without damping; c± = G±/g are not used then
            value = np.asarray(getattr(self, name))
            yield (
                ~np.isfinite(value),
                f"{name} = {_fmt(value)} ({UNITS[name]}) derived from these inputs is not a "
                "finite float64: the inputs lie outside the range gravsim can represent; "
                "bring them nearer the physical scale",
            )

    def invalid_points(self) -> np.ndarray:
        """Boolean array over :attr:`batch_shape`: the points that break a rule.

        Meant for parameters built with :func:`unchecked`, e.g. a scan's chunk of grid
        points, so that only the valid ones are solved together.
        """
        bad = np.zeros(self.batch_shape, dtype=bool)
        for where, _ in self._problems():
            bad |= np.broadcast_to(where, bad.shape)
        return bad

    # ------------------------------------------------------------------ updating
    def replace(self, **updates: Any) -> Parameters:
        """Return a copy with some inputs or rate-level quantities changed.

        Any input field, any key of :data:`OVERRIDABLE` (given directly), ``Q_m`` (which
        sets ``gamma_m = omega_m / Q_m``, applied after every other change) and ``Q_a``,
        ``Q_b`` are accepted.  Setting an input clears the overrides that are derived from
        it; a symmetric key (``g``, ``gamma_m``, ``T``, ``M``…) sets both oscillators
        (:mod:`gravsim.model.changes`).

        Raises
        ------
        GravsimInputError
            For an unknown key or an invalid value.
        """
        fields = {f.name for f in dataclasses.fields(self)} - {"overrides"}
        direct, overrides = changes.split(
            dict(updates), fields, self.overrides, self.omega_m, known_keys
        )
        return dataclasses.replace(self, overrides=overrides, **direct)

    # ------------------------------------------------------------------ derived
    def _get(self, name: str, derived: Any) -> Any:
        return self.overrides[name] if name in self.overrides else derived

    def is_set_directly(self, name: str) -> bool:
        """Whether the rate-level quantity ``name`` was given directly (not derived)."""
        return name in self.overrides

    @property
    def omega_a(self) -> Any:
        """Frequency of oscillator a, ω_m + Ω (rad/s)."""
        return self.omega_m + self.Omega

    @property
    def omega_b(self) -> Any:
        """Frequency of oscillator b, ω_m − Ω (rad/s)."""
        return self.omega_m - self.Omega

    @property
    def Q_m(self) -> Any:
        """Mechanical quality factor ω_m / γ_m (infinite when γ_m = 0)."""
        with np.errstate(divide="ignore"):
            return np.divide(self.omega_m, self.gamma_m)

    @property
    def n_th(self) -> Any:
        """Thermal occupation 1/expm1(ħω_m/k_B T) of each bath (0 at T = 0)."""
        return self._get("n_th", device.thermal_occupation(self.omega_m, self.T))

    @property
    def x_zpf(self) -> Any:
        """Zero-point amplitude sqrt(ħ / 2 M ω_m) of each sphere (m); with unequal masses the
        geometric mean sqrt(x_zpf,a x_zpf,b), the one k_M = K_M x_zpf²/ħ reads."""
        if self.M_a is None and self.M_b is None:
            return np.sqrt(HBAR / (2 * self.M * self.omega_m))
        x_a, x_b = self.x_zpf_pair
        return np.sqrt(x_a * x_b)

    @property
    def K_G_convention(self) -> Any:
        """Gravitational cross-gradient from the chosen convention, ignoring any override (N/m).

        form-factor: K_G = 2 G ρ Λ M (so that k_G = G ρ Λ / ω_m);
        point-mass: K_G = 2 G M² / d³.
        """
        m_a, m_b = self.M_pair
        if self.kG_convention == "point-mass":
            return 2 * G_NEWTON * m_a * m_b / self.d**3
        return 2 * G_NEWTON * self.rho * self.form_factor * np.sqrt(m_a * m_b)

    @property
    def k_G(self) -> Any:
        """Gravitational coupling rate K_G x_zpf² / ħ (rad/s), or the value given directly."""
        return self._get("k_G", self.K_G_convention * self.x_zpf**2 / HBAR)

    @property
    def K_G(self) -> Any:
        """Gravitational cross-gradient consistent with k_G: k_G ħ / x_zpf² (N/m)."""
        return self.k_G * HBAR / self.x_zpf**2

    @property
    def k_others(self) -> Any:
        """Non-gravitational coupling rate K_others x_zpf² / ħ (rad/s)."""
        return self.K_others * self.x_zpf**2 / HBAR

    @property
    def k_M(self) -> Any:
        """Total coupling rate k_G + k_others (rad/s), or the value given directly."""
        return self._get("k_M", self.k_G + self.k_others)

    @property
    def K_M(self) -> Any:
        """Total cross-gradient consistent with k_M (N/m)."""
        return self.k_M * HBAR / self.x_zpf**2

    @property
    def kappa_G(self) -> Any:
        """KTM decoherence rate per oscillator (rad/s).

        At the optimal measurement rates Γ_a = Γ_b = K_G/2 it equals k_G; a value given
        directly overrides that.
        """
        return self._get("kappa_G", self.k_G)

    @property
    def c_plus(self) -> Any:
        """Intracavity amplitude at the blue sideband (sqrt(photons)).

        |E₊| / sqrt(κ²/4 + (ν − Δ_c)²) (= sqrt(ω_m² + κ²/4) for tones set right), or G₊/ḡ
        where G₊ is given directly (then E₊ is not used).
        """
        if self.is_set_directly("G_plus"):
            return self.overrides["G_plus"] / self.g_mean
        return self.E_plus / self.cavity_response(+1)

    @property
    def c_minus(self) -> Any:
        """Intracavity amplitude at the red sideband (sqrt(photons)).

        |E₋| / sqrt(κ²/4 + (ν + Δ_c)²), or G₋/ḡ where G₋ is given directly.
        """
        if self.is_set_directly("G_minus"):
            return self.overrides["G_minus"] / self.g_mean
        return self.E_minus / self.cavity_response(-1)

    @property
    def G_plus(self) -> Any:
        """Many-photon coupling G₊ = (g_a + g_b) c₊ / 2 = ḡ c₊ (rad/s)."""
        return self._get("G_plus", self.g_mean * self.c_plus)

    @property
    def G_minus(self) -> Any:
        """Many-photon coupling G₋ = ḡ c₋ (rad/s)."""
        return self._get("G_minus", self.g_mean * self.c_minus)

    @property
    def r(self) -> Any:
        """Reservoir squeezing r = atanh(G₊/G₋) (dimensionless)."""
        return np.arctanh(np.divide(self.G_plus, self.G_minus))

    @property
    def G(self) -> Any:
        """Effective coupling sqrt(G₋² − G₊²) = sqrt((G₋−G₊)(G₋+G₊)) (rad/s)."""
        return np.sqrt((self.G_minus - self.G_plus) * (self.G_minus + self.G_plus))

    @property
    def Gamma(self) -> Any:
        """Engineered-reservoir rate Γ = 4G²/κ (rad/s)."""
        return 4 * (self.G_minus - self.G_plus) * (self.G_minus + self.G_plus) / self.kappa

    @property
    def kG_source(self) -> str:
        """Which convention produced k_G, as a phrase for outputs."""
        if self.is_set_directly("k_G"):
            k = np.asarray(self.k_G) / (2 * math.pi)
            shown = f"2pi x {float(k):.4g} rad/s" if k.ndim == 0 else "an array"
            return f"given directly ({shown})"
        if self.kG_convention == "point-mass":
            return "point-mass: K_G = 2GM^2/d^3, x_zpf = sqrt(hbar/2M omega_m)"
        return "form-factor: k_G = G rho Lambda / omega_m"

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Broadcast shape of all array-valued inputs (``()`` for a single point)."""
        arrays = [np.asarray(getattr(self, n)) for n in _POSITIVE + _NON_NEGATIVE]
        arrays += [np.asarray(self.K_others)] + [np.asarray(v) for v in self.overrides.values()]
        arrays += [np.asarray(v) for v in device.device_arrays(self).values()]
        return np.broadcast_shapes(*(a.shape for a in arrays))

    # ------------------------------------------------------------------ output
    def values_in_use(self) -> dict[str, Any]:
        """Every input and derived quantity by key (SI, rad/s; arrays over a batch), a
        per-oscillator input not set as the symmetric value it takes."""
        return {name: self.in_use(name) for name in INPUT_KEYS + DERIVED_KEYS}

    def as_dict(self) -> dict[str, Any]:
        """Every input and derived quantity as plain Python values (SI, rad/s)."""
        out: dict[str, Any] = {}
        for name, value in self.values_in_use().items():
            out[name] = _plain(value)
        out["kG_source"] = self.kG_source
        out["set_directly"] = sorted(self.overrides)
        out["set_per_oscillator"] = [
            k for k in device.OSCILLATOR_FIELDS if getattr(self, k) is not None
        ]
        out["source"] = self.source
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Parameters:
        """The parameters whose :meth:`as_dict` is ``data``: its inputs (per-oscillator ones
        where ``set_per_oscillator`` lists them), the quantities it lists under
        ``set_directly`` and its ``source`` (derived entries are recomputed)."""
        own = set(data.get("set_per_oscillator", ()))  # the others show the symmetric value
        inputs = {
            k: _array_or_float(data[k])
            for k in INPUT_KEYS
            if k in data and (k in own or k not in device.OSCILLATOR_FIELDS)
        }
        overrides = {k: _array_or_float(data[k]) for k in data.get("set_directly", ())}
        return cls(**inputs, overrides=overrides, source=data.get("source", "user"))


def _array_or_float(x: Any) -> Any:
    return np.asarray(x, dtype=float) if isinstance(x, list) else x


def _scalar(x: Any) -> Any:
    arr = np.asarray(x)
    return float(arr) if arr.ndim == 0 else arr


def _plain(x: Any) -> Any:
    if isinstance(x, str):
        return x
    arr = np.asarray(x)
    return float(arr) if arr.ndim == 0 else arr.tolist()


def _fmt(x: Any) -> str:
    arr = np.asarray(x)
    return f"{float(arr):.6g}" if arr.ndim == 0 else f"array{arr.shape}"


INPUT_KEYS: list[str] = [
    f.name for f in dataclasses.fields(Parameters) if f.name not in ("overrides", "source")
]
DERIVED_KEYS: list[str] = [
    "n_th",
    "Q_m",
    "omega_a",
    "omega_b",
    "x_zpf",
    "K_G",
    "k_G",
    "k_others",
    "K_M",
    "k_M",
    "kappa_G",
    "c_plus",
    "c_minus",
    "G_plus",
    "G_minus",
    "r",
    "G",
    "Gamma",
    "n_c",
]


@contextlib.contextmanager
def unchecked() -> Iterator[None]:
    """Within this block, :class:`Parameters` are built without validation.

    For tools that check many points at once (:meth:`Parameters.invalid_points`) and need
    the derived quantities of invalid points too (a scan's failed rows keep their columns).
    Never hand such an object to a solver.
    """
    token = _CHECKED.set(False)
    try:
        yield
    finally:
        _CHECKED.reset(token)


def known_keys() -> str:
    """Comma-separated list of every key ``replace`` and ``--set`` accept."""
    return ", ".join(INPUT_KEYS + list(OVERRIDABLE) + ["Q_m", "Q_a", "Q_b"])
