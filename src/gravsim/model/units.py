"""Physical constants, and the unit and meaning of every parameter a person sees.

SI units throughout; rates are angular frequencies (rad/s).  :mod:`gravsim.model.parameters`
validates and derives the values; this module only names them, so that the command line, the
sidecars and the docs state one unit per quantity.
"""

from __future__ import annotations

from scipy import constants as sc

HBAR = sc.hbar  # J s
K_B = sc.k  # J/K
ATOMIC_MASS = sc.atomic_mass  # kg
G_NEWTON = sc.G  # m^3 kg^-1 s^-2

KG_CONVENTIONS = ("form-factor", "point-mass")

#: Quantities that may be given directly, and the inputs whose change clears the override.
OVERRIDABLE: dict[str, frozenset[str]] = {
    "n_th": frozenset({"T"}),
    "G_plus": frozenset({"E_plus", "g"}),
    "G_minus": frozenset({"E_minus", "g"}),
    "k_G": frozenset({"M", "d", "rho", "form_factor", "kG_convention"}),
    "k_M": frozenset({"K_others", "k_G", "M", "d", "rho", "form_factor", "kG_convention"}),
    "kappa_G": frozenset({"k_G", "M", "d", "rho", "form_factor", "kG_convention"}),
    "n_th_a": frozenset({"T_a", "T", "n_th"}),
    "n_th_b": frozenset({"T_b", "T", "n_th"}),
    "n_c": frozenset({"T_c", "omega_c"}),
}

#: Units of every input, override and derived quantity, as shown to a person.
UNITS: dict[str, str] = {
    "M": "kg",
    "d": "m",
    "radius": "m",
    "rho": "kg/m^3",
    "form_factor": "1",
    "kG_convention": "",
    "omega_m": "rad/s",
    "Omega": "rad/s",
    "kappa": "rad/s",
    "g": "rad/s",
    "E_plus": "rad/s",
    "E_minus": "rad/s",
    "T": "K",
    "gamma_m": "rad/s",
    "K_others": "N/m",
    "n_th": "1",
    "G_plus": "rad/s",
    "G_minus": "rad/s",
    "k_G": "rad/s",
    "k_M": "rad/s",
    "kappa_G": "rad/s",
    "Q_m": "1",
    "x_zpf": "m",
    "K_G": "N/m",
    "K_M": "N/m",
    "k_others": "rad/s",
    "c_plus": "1",
    "c_minus": "1",
    "r": "1",
    "G": "rad/s",
    "Gamma": "rad/s",
    "omega_a": "rad/s",
    "omega_b": "rad/s",
    "g_a": "rad/s",
    "g_b": "rad/s",
    "gamma_a": "rad/s",
    "gamma_b": "rad/s",
    "Q_a": "1",
    "Q_b": "1",
    "T_a": "K",
    "T_b": "K",
    "n_th_a": "1",
    "n_th_b": "1",
    "M_a": "kg",
    "M_b": "kg",
    "T_c": "K",
    "omega_c": "rad/s",
    "n_c": "1",
    "Delta_m": "rad/s",
    "Delta_c": "rad/s",
    "heating_a": "phonons/s",
    "heating_b": "phonons/s",
    "heating_corr": "1",
}

DESCRIPTIONS: dict[str, str] = {
    "M": "mass of each sphere",
    "d": "centre-to-centre distance of the spheres",
    "radius": "sphere radius",
    "rho": "sphere density",
    "form_factor": "geometric form factor Λ of the form-factor convention",
    "kG_convention": "how k_G is derived: form-factor (k_G = GρΛ/ω_m) or point-mass",
    "omega_m": "mean mechanical frequency (ω_a+ω_b)/2",
    "Omega": "half the mechanical frequency difference (ω_a−ω_b)/2",
    "kappa": "cavity energy decay rate",
    "g": "single-photon optomechanical coupling of both oscillators (g_a, g_b: each)",
    "E_plus": "pump amplitude at ω_c+ω_m (blue, two-mode squeezing)",
    "E_minus": "pump amplitude at ω_c−ω_m (red, beam splitter)",
    "T": "bath temperature",
    "gamma_m": "mechanical damping rate",
    "K_others": "non-gravitational cross-gradient between the spheres",
    "n_th": "thermal phonon occupation of each bath",
    "G_plus": "many-photon coupling G₊ = g c₊",
    "G_minus": "many-photon coupling G₋ = g c₋",
    "k_G": "gravitational coupling rate K_G x_zpf²/ħ",
    "k_M": "total inter-oscillator coupling rate k_G + k_others",
    "kappa_G": "KTM decoherence rate per oscillator (optimum: k_G)",
    "Q_m": "mechanical quality factor ω_m/γ_m",
    "x_zpf": "zero-point amplitude sqrt(ħ/2Mω_m)",
    "K_G": "gravitational cross-gradient implied by k_G",
    "K_M": "total cross-gradient K_G + K_others",
    "k_others": "non-gravitational coupling rate K_others x_zpf²/ħ",
    "c_plus": "intracavity amplitude at the blue sideband |E₊|/sqrt(ω_m²+κ²/4), or G₊/g",
    "c_minus": "intracavity amplitude at the red sideband |E₋|/sqrt(ω_m²+κ²/4), or G₋/g",
    "r": "reservoir squeezing atanh(G₊/G₋)",
    "G": "effective coupling sqrt(G₋²−G₊²)",
    "Gamma": "engineered-reservoir rate 4G²/κ",
    "omega_a": "frequency of oscillator a, ω_m+Ω",
    "omega_b": "frequency of oscillator b, ω_m−Ω",
    "g_a": "single-photon coupling of oscillator a (default g)",
    "g_b": "single-photon coupling of oscillator b (default g)",
    "gamma_a": "damping rate of oscillator a (default gamma_m; or Q_a)",
    "gamma_b": "damping rate of oscillator b (default gamma_m; or Q_b)",
    "Q_a": "quality factor of oscillator a, ω_m/γ_a (sets gamma_a)",
    "Q_b": "quality factor of oscillator b, ω_m/γ_b (sets gamma_b)",
    "T_a": "bath temperature of oscillator a (default T)",
    "T_b": "bath temperature of oscillator b (default T)",
    "n_th_a": "thermal occupation of oscillator a's bath (default from T_a, or n_th)",
    "n_th_b": "thermal occupation of oscillator b's bath (default from T_b, or n_th)",
    "M_a": "mass of sphere a (default M)",
    "M_b": "mass of sphere b (default M)",
    "T_c": "cavity temperature (n_c = 1/expm1(ħω_c/k_B T_c))",
    "omega_c": "cavity frequency (used for n_c from T_c only)",
    "n_c": "thermal photon occupation of the cavity",
    "Delta_m": "mean mechanical frequency minus half the tones' spacing, ω_m − ν",
    "Delta_c": "cavity frequency minus the tones' centre, ω_c − ω_p",
    "heating_a": "extra (technical) heating of oscillator a",
    "heating_b": "extra (technical) heating of oscillator b",
    "heating_corr": "correlation of the two heatings (1: common, −1: opposite)",
}

#: Inputs that must be strictly positive and those that must be non-negative.
