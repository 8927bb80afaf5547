"""The classical periodic orbit of the driven model (L0), which its displaced frame subtracts
and its linearisation (L1) is taken about: :class:`ClassicalField`, by harmonic balance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gravsim.errors import OutOfRegimeError
from gravsim.model.parameters import Parameters

#: Harmonics of ω_m kept in the classical orbit (odd ones for α, even ones for β, u), tried
#: in turn until the highest kept one is below :data:`ORBIT_TOL` of the largest.
ORBIT_HARMONICS = (9, 17, 33)
#: Relative size of the highest kept harmonic below which the orbit counts as resolved (the
#: dropped terms are then far below mesolve's rtol 1e-8).
ORBIT_TOL = 1e-10
#: Fixed-point steps of the harmonic balance before it is declared not to settle.
ORBIT_STEPS = 1000
#: Under-relaxation factors λ of the modulation update u ← u + λ(u_new − u), tried in turn:
#: the plain iteration (λ = 1) diverges for some strongly driven points that have an orbit.
ORBIT_RELAX = (1.0, 0.2)


@dataclass(frozen=True, eq=False)
class ClassicalField:
    """The classical periodic orbit that L0's displaced frame subtracts (ħ = 1).

    The mean-field equations of the driven model, in the tones' frame for the cavity and the
    laboratory frame for the mechanics,

        dα/dt = −i(E₊e^{−iνt} + E₋e^{iνt}) − (κ/2 + iΔ_c)α − i u(t) α,
        dβ_j/dt = −(iω_j + γ_j/2)β_j − i[g_j|α|² + 2k_M Re β_other],
        u(t) = 2 Re(g_a β_a + g_b β_b) − δ_s,

    are solved for their periodic orbit by harmonic balance: α in odd and β in even
    harmonics of the tones' half spacing ν = ω_m − Δ_m (ω_m where the tones are set right;
    :data:`ORBIT_HARMONICS`), iterated to a fixed point (each step
    solves the cavity's linear equations for the given u and the mechanics' for the given
    force).  δ_s, the static part of 2g Re(β_a + β_b), is the radiation-pressure shift of the
    cavity; the tones sit at the sidebands of the *shifted* cavity, as an experiment tunes
    them.  In the bare orbit (u = 0) α = c₊e^{−iω_m t} + c₋e^{iω_m t} with
    c₊ = −iE₊/(κ/2 + iΔ_c − iν), c₋ = −iE₋/(κ/2 + iΔ_c + iν) and real E± chosen so that
    |c±| = G±/ḡ (each oscillator's own g_j, a detuned cavity Δ_c, mis-set tones Δ_m:
    docs/physics.md, "A real device").
    In scaled variables gα, gβ the orbit does not depend on g at fixed G±: the modulation
    u(t), of order G±²/ω_m, is a mean-field effect that the linearised model keeps.

    Attributes
    ----------
    omega : float
        ν = ω_m − Δ_m (rad/s): the orbit's base frequency.
    alpha : dict of int to complex
        α_k of α(t) = Σ_k α_k e^{−ikω_m t} (odd k).
    beta : dict of int to ndarray
        (β_a, β_b) amplitudes of e^{−imω_m t} (even m).
    u : dict of int to complex
        u_m of the cavity-frequency modulation (even m ≠ 0; rad/s).
    E_plus, E_minus : float
        Pump amplitudes (rad/s).
    cavity_shift : float
        δ_s (rad/s).
    residual : float
        Amplitude of the highest kept harmonic of α relative to the largest (the size of
        what the truncation drops).
    harmonics : int
        Highest harmonic of ω_m kept.
    """

    omega: float
    alpha: dict[int, complex]
    beta: dict[int, np.ndarray]
    u: dict[int, complex]
    E_plus: float
    E_minus: float
    cavity_shift: float
    residual: float
    harmonics: int

    def beta_at(self, t: float) -> np.ndarray:
        """β_a(t), β_b(t)."""
        return sum(v * np.exp(-1j * m * self.omega * t) for m, v in self.beta.items())

    def alpha_at(self, t: float) -> complex:
        """α(t)."""
        return complex(sum(v * np.exp(-1j * k * self.omega * t) for k, v in self.alpha.items()))

    @classmethod
    def of(cls, p: Parameters, harmonics: int | None = None) -> ClassicalField:
        """The orbit for parameters ``p`` (G±, g, ω_m, Ω, κ, γ_m, k_M).

        ``harmonics``: a fixed odd count, or None to try :data:`ORBIT_HARMONICS` in turn
        until the orbit is resolved to :data:`ORBIT_TOL`.

        Raises
        ------
        OutOfRegimeError
            If the harmonic balance does not settle (no stable orbit nearby: the tones are
            past the radiation-pressure instability) or 33 harmonics do not resolve it.
        """
        for count in (harmonics,) if harmonics else ORBIT_HARMONICS:
            for relax in ORBIT_RELAX:
                field = cls._balance(p, count, relax)
                if field is not None:
                    break
            else:
                raise OutOfRegimeError(
                    "no periodic classical orbit: the mean-field harmonic balance did not "
                    f"settle in {ORBIT_STEPS} steps, plain or under-relaxed; the tones are "
                    "likely past the radiation-pressure instability: lower G_plus and G_minus"
                )
            if harmonics or field.residual <= ORBIT_TOL:
                return field
        raise OutOfRegimeError(
            f"the classical orbit is not resolved by {ORBIT_HARMONICS[-1]} harmonics of ω_m "
            f"(the highest holds {field.residual:.1e} of the largest): the tones drive the "
            "system too hard for a linearised picture; lower G_plus and G_minus or raise omega_m"
        )

    @classmethod
    def _balance(cls, p: Parameters, harmonics: int, relax: float) -> ClassicalField | None:
        """Harmonic balance with ``harmonics`` harmonics iterated to its fixed point (None if
        it does not settle in :data:`ORBIT_STEPS` steps)."""
        w, kap, g = float(p.tone_spacing), float(p.kappa), float(p.g_mean)
        g_a, g_b = (float(x) for x in p.g_pair)
        detuning = float(p.Delta_c)
        e_plus = float(p.c_plus) * float(p.cavity_response(+1))
        e_minus = float(p.c_minus) * float(p.cavity_response(-1))
        odd = np.arange(-harmonics, harmonics + 1, 2)
        even = np.arange(-harmonics + 1, harmonics, 2)
        drive = np.where(odd == 1, e_plus, 0.0) + np.where(odd == -1, e_minus, 0.0)
        km = float(p.k_M)
        mech = np.zeros((4, 4))  # y = (Re β_a, Im β_a, Re β_b, Im β_b): dy/dt = M y + e F
        frequencies = (float(p.omega_a), float(p.omega_b))
        for j, (wj, gm) in enumerate(zip(frequencies, map(float, p.gamma_pair), strict=True)):
            mech[2 * j, 2 * j : 2 * j + 2] = (-gm / 2, wj)
            mech[2 * j + 1, 2 * j : 2 * j + 2] = (-wj, -gm / 2)
            mech[2 * j + 1, 2 * (1 - j)] = -2 * km
        e = np.array([0.0, -g_a, 0.0, -g_b])  # the force g_j |α|² on each oscillator
        u = np.zeros(even.size, dtype=complex)
        shifts = odd[:, None] - odd[None, :]  # m with α_k coupled to α_{k−m} by u_m
        inside = np.abs(shifts) <= harmonics - 1
        u_index = np.where(inside, (shifts + harmonics - 1) // 2, 0)
        mech_at = -1j * w * even[:, None, None] * np.eye(4) - mech  # (−imω − M) for each m
        alpha = y = None
        change = np.inf
        for _ in range(ORBIT_STEPS):
            # cavity: (κ/2 − ikω) α_k + i Σ_m u_m α_{k−m} = −i E_k
            lhs = np.diag(kap / 2 + 1j * detuning - 1j * odd * w)
            lhs = lhs + 1j * np.where(inside, u[u_index], 0)
            new_alpha = np.linalg.solve(lhs, -1j * drive)
            # force_m = g Σ_k α_k α*_{k−m}: the correlation of α with itself at shift m/2
            force = np.correlate(new_alpha, new_alpha, "full")[even // 2 + harmonics]
            y = np.linalg.solve(mech_at, (e * force[:, None])[..., None])[..., 0]
            new_u = 2 * (g_a * y[:, 0] + g_b * y[:, 2]) * (even != 0)
            if alpha is not None:
                change = np.max(np.abs(new_alpha - alpha)) / np.max(np.abs(new_alpha))
            alpha, u = new_alpha, u + relax * (new_u - u)
            if change <= 1e-14:
                break
        else:
            return None
        beta = {int(m): y[b, 0::2] + 1j * y[b, 1::2] for b, m in enumerate(even)}
        edge = max(abs(alpha[0]), abs(alpha[-1]))
        keep = 1e-13 * np.max(np.abs(alpha))  # harmonics below this are rounding noise
        return cls(
            omega=w,
            alpha={int(k): complex(v) for k, v in zip(odd, alpha, strict=True) if abs(v) > keep},
            beta=beta,
            u={
                int(m): complex(v)
                for m, v in zip(even, u, strict=True)
                if m != 0 and abs(v) > keep * g
            },
            E_plus=e_plus,
            E_minus=e_minus,
            cavity_shift=float(2 * (g_a * y[even == 0][0][0] + g_b * y[even == 0][0][2]).real),
            residual=float(edge / np.max(np.abs(alpha))),
            harmonics=harmonics,
        )
