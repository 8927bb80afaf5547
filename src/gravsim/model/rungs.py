"""The rungs of the model ladder, each built once as a :class:`ModelDescription`.

L2 ``rwa``
    Three modes a, b, c (c the cavity fluctuation δc), frame rotating at ω_m for the
    mechanics and at ω_c for the cavity, rotating-wave approximation (paper S1 Eq. 11):
    H = Ω(a†a − b†b) + k_M(a†b + b†a) + Σ_{j=a,b} [(G₋ j + G₊ j†) c† + h.c.],
    dissipators γ_m(n̄+1)D[j] + γ_m n̄ D[j†], κ D[c], and the gravity model's terms.
L3 ``effective``
    The cavity eliminated adiabatically (κ ≫ G±, Ω; paper S1 Eq. 17): two modes a, b,
    H = Ω(a†a − b†b) + k_M(a†b + b†a), the engineered reservoir as ONE collective jump
    operator Γ D[β₁ + β₂] (β₁ = a cosh r + b† sinh r, β₂ = b cosh r + a† sinh r), or, with
    ``reservoir="double"``, the form Γ(D[β₁] + D[β₂]) for comparison with the paper's Eq. 24.
``conventional``
    The comparison scheme: two oscillators at ω_m in the lab frame, coupled by
    k_M(a+a†)(b+b†) with the counter-rotating terms kept, thermal baths, no cavity.

L0 ``full``
    The driven three-mode model (paper Eqs. 2–3): mechanics in the laboratory frame, cavity
    in the frame of the pump tones' centre, radiation pressure g(j + j†)c†c, tones at
    ±ω_m, KTM as 2κ_G D[j + j†].  Written in a displaced frame (default, exact) or without.
L1 ``linear``
    Derived, not written: the quadratic part of L0 in its displaced frame (that *is* the
    linearisation about the classical field), taken to the frame rotating at ω_m.  It keeps
    the counter-rotating terms at 2ω_m, and KTM becomes 2κ_G D[j e^{−iω_m t} + j† e^{iω_m t}].
    Its period average (:func:`~gravsim.model.description.secular`) is L2 up to mode phases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gravsim.errors import GravsimInputError, OutOfRegimeError
from gravsim.model.description import (
    HamiltonianTerm,
    JumpOperator,
    ModelDescription,
    ann,
    cre,
    quadratic_part,
    rotating_frame,
    secular,
)
from gravsim.model.gravity import GravityModel, QuantumGravity
from gravsim.model.parameters import Parameters

RUNGS = ("full", "linear", "rwa", "effective", "conventional")
FRAMES = ("displaced", "undisplaced")


def thermal_baths(p: Parameters, modes: tuple[str, ...] = ("a", "b")) -> tuple[JumpOperator, ...]:
    """γ_m(n̄+1)D[j] + γ_m n̄ D[j†] for each mechanical mode j, written as
    γ_m D[j] + γ_m n̄ (D[j] + D[j†]).

    The two forms are the same dissipator; the second keeps the drift −γ_m/2 exact at
    n̄ ≈ 4×10⁶ (the pair D[j] + D[j†] with one rate has exactly opposite drifts, whereas
    γ_m(n̄+1)/2 − γ_m n̄/2 would lose 7 digits).
    """
    out: list[JumpOperator] = []
    for j in modes:
        heating = p.gamma_m * p.n_th
        out.append(JumpOperator(p.gamma_m, ((1.0, ann(j)),), f"γ_m D[{j}]"))
        out.append(JumpOperator(heating, ((1.0, ann(j)),), f"γ_m n̄ D[{j}]"))
        out.append(JumpOperator(heating, ((1.0, cre(j)),), f"γ_m n̄ D[{j}†]"))
    return tuple(out)


def frequency_difference(p: Parameters) -> tuple[HamiltonianTerm, ...]:
    """Ω(a†a − b†b): the oscillators' detuning from ω_m in the rotating frame."""
    return (
        HamiltonianTerm(p.Omega, (cre("a"), ann("a")), False, "Ω a†a"),
        HamiltonianTerm(-np.asarray(p.Omega), (cre("b"), ann("b")), False, "−Ω b†b"),
    )


def rwa(p: Parameters, gravity: GravityModel | None = None) -> ModelDescription:
    """L2: the linearised three-mode model after the rotating-wave approximation."""
    gravity = gravity or QuantumGravity()
    cavity: list[HamiltonianTerm] = []
    for j in ("a", "b"):
        cavity.append(HamiltonianTerm(p.G_minus, (cre("c"), ann(j)), True, f"G₋ ({j} c† + h.c.)"))
        cavity.append(HamiltonianTerm(p.G_plus, (cre("c"), cre(j)), True, f"G₊ ({j}† c† + h.c.)"))
    return ModelDescription(
        rung="rwa",
        modes=("a", "b", "c"),
        hamiltonian=frequency_difference(p) + gravity.hamiltonian(p, rwa=True) + tuple(cavity),
        jumps=thermal_baths(p)
        + (JumpOperator(p.kappa, ((1.0, ann("c")),), "κ D[c]"),)
        + gravity.jumps(p, rwa=True),
        parameters=p,
        gravity=gravity,
        frame="mechanics rotating at ω_m, cavity at ω_c; displaced by the classical field",
        notes=("rotating-wave approximation: terms at 2ω_m dropped (needs ω_m ≫ κ, G±)",),
    )


def effective(
    p: Parameters, gravity: GravityModel | None = None, *, reservoir: str = "collective"
) -> ModelDescription:
    """L3: the two-mode model with the cavity eliminated.

    Parameters
    ----------
    p : Parameters
    gravity : GravityModel, optional
        Default :class:`~gravsim.model.gravity.QuantumGravity`.
    reservoir : {"collective", "double"}
        ``"collective"`` (the physical result of the elimination): Γ D[β₁ + β₂].
        ``"double"``: Γ(D[β₁] + D[β₂]), the form the paper's Eq. 24 belongs to.
    """
    gravity = gravity or QuantumGravity()
    ch, sh = np.cosh(p.r), np.sinh(p.r)
    if reservoir == "collective":
        res = (
            JumpOperator(
                p.Gamma,
                ((ch, ann("a")), (ch, ann("b")), (sh, cre("a")), (sh, cre("b"))),
                "Γ D[β₁ + β₂]",
            ),
        )
    elif reservoir == "double":
        res = (
            JumpOperator(p.Gamma, ((ch, ann("a")), (sh, cre("b"))), "Γ D[β₁]"),
            JumpOperator(p.Gamma, ((ch, ann("b")), (sh, cre("a"))), "Γ D[β₂]"),
        )
    else:
        raise GravsimInputError(f"unknown reservoir form {reservoir!r}: use collective or double")
    return ModelDescription(
        rung="effective",
        modes=("a", "b"),
        hamiltonian=frequency_difference(p) + gravity.hamiltonian(p, rwa=True),
        jumps=thermal_baths(p) + res + gravity.jumps(p, rwa=True),
        parameters=p,
        gravity=gravity,
        frame="mechanics rotating at ω_m",
        notes=(
            "rotating-wave approximation (ω_m ≫ κ)",
            "adiabatic elimination of the cavity: errors of order (Ω/κ)², (G/κ)²",
            f"{reservoir} reservoir",
        ),
    )


def conventional(p: Parameters, gravity: GravityModel | None = None) -> ModelDescription:
    """The conventional scheme: gravity alone couples two thermal oscillators (lab frame)."""
    gravity = gravity or QuantumGravity()
    free = tuple(
        HamiltonianTerm(p.omega_m, (cre(j), ann(j)), False, f"ω_m {j}†{j}") for j in ("a", "b")
    )
    return ModelDescription(
        rung="conventional",
        modes=("a", "b"),
        hamiltonian=free + gravity.hamiltonian(p, rwa=False),
        jumps=thermal_baths(p) + gravity.jumps(p, rwa=False),
        parameters=p,
        gravity=gravity,
        frame="laboratory frame, counter-rotating terms kept",
        notes=("no cavity; both oscillators at ω_m",),
    )


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

        dα/dt = −i(E₊e^{−iω_m t} + E₋e^{iω_m t}) − (κ/2)α − i u(t) α,
        dβ_j/dt = −(iω_j + γ_m/2)β_j − i[g|α|² + 2k_M Re β_other],
        u(t) = 2g Re(β_a + β_b) − δ_s,

    are solved for their periodic orbit by harmonic balance: α in odd and β in even
    harmonics of ω_m (:data:`ORBIT_HARMONICS`), iterated to a fixed point (each step
    solves the cavity's linear equations for the given u and the mechanics' for the given
    force).  δ_s, the static part of 2g Re(β_a + β_b), is the radiation-pressure shift of the
    cavity; the tones sit at the sidebands of the *shifted* cavity, as an experiment tunes
    them.  In the bare orbit (u = 0) α = c₊e^{−iω_m t} + c₋e^{iω_m t} with
    c₊ = −iE₊/(κ/2 − iω_m), c₋ = −iE₋/(κ/2 + iω_m) and real E± chosen so that |c±| = G±/g.
    In scaled variables gα, gβ the orbit does not depend on g at fixed G±: the modulation
    u(t), of order G±²/ω_m, is a mean-field effect that the linearised model keeps.

    Attributes
    ----------
    omega : float
        ω_m (rad/s).
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
        w, kap, g = float(p.omega_m), float(p.kappa), float(p.g)
        e_plus = float(p.G_plus / g) * float(np.hypot(kap / 2, w))
        e_minus = float(p.G_minus / g) * float(np.hypot(kap / 2, w))
        odd = np.arange(-harmonics, harmonics + 1, 2)
        even = np.arange(-harmonics + 1, harmonics, 2)
        drive = np.where(odd == 1, e_plus, 0.0) + np.where(odd == -1, e_minus, 0.0)
        gm, km = float(p.gamma_m), float(p.k_M)
        mech = np.zeros((4, 4))  # y = (Re β_a, Im β_a, Re β_b, Im β_b): dy/dt = M y + e F
        for j, wj in enumerate((float(p.omega_a), float(p.omega_b))):
            mech[2 * j, 2 * j : 2 * j + 2] = (-gm / 2, wj)
            mech[2 * j + 1, 2 * j : 2 * j + 2] = (-wj, -gm / 2)
            mech[2 * j + 1, 2 * (1 - j)] = -2 * km
        e = np.array([0.0, -1.0, 0.0, -1.0])
        u = np.zeros(even.size, dtype=complex)
        shifts = odd[:, None] - odd[None, :]  # m with α_k coupled to α_{k−m} by u_m
        inside = np.abs(shifts) <= harmonics - 1
        u_index = np.where(inside, (shifts + harmonics - 1) // 2, 0)
        mech_at = -1j * w * even[:, None, None] * np.eye(4) - mech  # (−imω − M) for each m
        alpha = y = None
        change = np.inf
        for _ in range(ORBIT_STEPS):
            # cavity: (κ/2 − ikω) α_k + i Σ_m u_m α_{k−m} = −i E_k
            lhs = np.diag(kap / 2 - 1j * odd * w) + 1j * np.where(inside, u[u_index], 0)
            new_alpha = np.linalg.solve(lhs, -1j * drive)
            # force_m = g Σ_k α_k α*_{k−m}: the correlation of α with itself at shift m/2
            force = g * np.correlate(new_alpha, new_alpha, "full")[even // 2 + harmonics]
            y = np.linalg.solve(mech_at, (e * force[:, None])[..., None])[..., 0]
            new_u = 2 * g * (y[:, 0] + y[:, 2]) * (even != 0)
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
            cavity_shift=float(2 * g * (y[even == 0][0][0] + y[even == 0][0][2]).real),
            residual=float(edge / np.max(np.abs(alpha))),
            harmonics=harmonics,
        )


def _scalar_point(p: Parameters, rung: str) -> None:
    if p.batch_shape:
        raise GravsimInputError(
            f"model {rung!r} is built for one parameter point at a time: scan it point by point"
        )


def full(
    p: Parameters, gravity: GravityModel | None = None, *, frame: str = "displaced"
) -> ModelDescription:
    """L0: the driven three-mode model (mechanics in the lab frame).

    Parameters
    ----------
    p : Parameters
        g (rad/s) is the single-photon coupling; |c±| = G±/g photons' amplitude.
    gravity : GravityModel, optional
    frame : {"displaced", "undisplaced"}
        ``"displaced"``: exact, in terms of the fluctuations j − β_j(t) and δc = c − α(t)
        about :class:`ClassicalField`: H = ω_m Σ j†j + Ω(a†a − b†b) + k_M(a+a†)(b+b†)
        + Σ_j g(j + j†)[α*δc + αδc† + δc†δc] + u(t)[α*δc + αδc† + δc†δc]; the forces on
        the mechanics (static and at 2ω_m) and the baths' reaction to β cancel by the choice
        of β(t), the tones and κ D[c] by that of α.  ``"undisplaced"``: the same model on c itself,
        H = … + Σ_j g(j + j†)c†c − δ_s c†c + [(E₊e^{−iω_m t} + E₋e^{iω_m t})c† + h.c.]; its
        cavity needs ~|α|² photons of room, so it is practical only for small |c±|.
    """
    _scalar_point(p, "full")
    gravity = gravity or QuantumGravity()
    if frame not in FRAMES:
        raise GravsimInputError(f"unknown frame {frame!r}: use displaced or undisplaced")
    if not p.g > 0:
        raise GravsimInputError(f"model 'full' needs a single-photon coupling g > 0, got {p.g!r}")
    f = ClassicalField.of(p)
    w, g = float(p.omega_m), float(p.g)
    terms = [HamiltonianTerm(w, (cre(j), ann(j)), False, f"ω_m {j}†{j}") for j in ("a", "b")]
    terms += list(frequency_difference(p)) + list(gravity.hamiltonian(p, rwa=False))
    terms += _cavity_terms(f, g, w, frame)
    return ModelDescription(
        rung="full",
        modes=("a", "b", "c"),
        hamiltonian=tuple(terms),
        jumps=thermal_baths(p)
        + (JumpOperator(p.kappa, ((1.0, ann("c")),), "κ D[c]"),)
        + gravity.jumps(p, rwa=False),
        parameters=p,
        gravity=gravity,
        frame=(
            f"{frame}: mechanics in the laboratory frame"
            + (" displaced by β_j" if frame == "displaced" else "")
            + "; cavity rotating at the tones' centre (the shifted cavity frequency)"
            + (", displaced by α(t)" if frame == "displaced" else "")
        ),
        initial_means=(
            dict(zip(("a", "b", "c"), [*f.beta_at(0.0), f.alpha_at(0.0)], strict=True))
            if frame == "undisplaced"
            else {}
        ),
        notes=(
            f"classical orbit: α₊₁ = {f.alpha[1]:.4g}, α₋₁ = {f.alpha[-1]:.4g}, static "
            f"β = {f.beta[0][0]:.4g}, {f.beta[0][1]:.4g}, cavity shift δ_s = "
            f"{f.cavity_shift:.4g} rad/s, 2ω_m modulation |u₂| = {abs(f.u.get(2, 0)):.3g} "
            f"rad/s, harmonics to {f.harmonics}ω_m (highest {f.residual:.1e} of the largest)",
            "tones at the sidebands of the radiation-pressure-shifted cavity",
        ),
    )


def _cavity_terms(f: ClassicalField, g: float, w: float, frame: str) -> list[HamiltonianTerm]:
    """L0's radiation pressure g(j + j†)c†c and, in the displaced frame, its coupling to the
    classical field α(t) and the cavity's modulation u(t); undisplaced, the cavity's shift
    and the two tones (see :func:`full`)."""
    terms: list[HamiltonianTerm] = []
    for j in ("a", "b"):
        terms.append(HamiltonianTerm(g, (ann(j), cre("c"), ann("c")), True, f"g ({j} + {j}†) c†c"))
        if frame == "undisplaced":
            continue
        for op in (ann(j), cre(j)):
            for k, a_k in f.alpha.items():  # g(j + j†)(α*δc + h.c.), α* = Σ α_k* e^{ikωt}
                if a_k != 0:
                    label = f"g α_{k}* e^{{i{k}ω_m t}} {op} δc + h.c."
                    terms.append(
                        HamiltonianTerm(g * np.conj(a_k), (op, ann("c")), True, label, -k * w)
                    )
    if frame == "displaced":
        for m, u_m in f.u.items():  # u(t) δc†δc, u real: the m > 0 terms and their h.c.
            if m > 0:
                terms.append(
                    HamiltonianTerm(
                        u_m, (cre("c"), ann("c")), True, f"u_{m} e^{{−i{m}ω_m t}} δc†δc", m * w
                    )
                )
    if frame == "undisplaced":
        terms.append(HamiltonianTerm(-f.cavity_shift, (cre("c"), ann("c")), False, "−δ_s c†c"))
        terms.append(HamiltonianTerm(f.E_plus, (cre("c"),), True, "E₊ e^{−iω_m t} c† + h.c.", w))
        terms.append(HamiltonianTerm(f.E_minus, (cre("c"),), True, "E₋ e^{iω_m t} c† + h.c.", -w))
    return terms


def linear(p: Parameters, gravity: GravityModel | None = None) -> ModelDescription:
    """L1: L0 linearised about its classical field, in the frame rotating at ω_m.

    Built from :func:`full` by :func:`~gravsim.model.description.quadratic_part` and
    :func:`~gravsim.model.description.rotating_frame`, so that L0 and L1 cannot disagree about a
    term.  Time periodic with period 2π/ω_m: counter-rotating terms at ±2ω_m, KTM as
    2κ_G D[j e^{−iω_m t} + j† e^{iω_m t}].
    """
    base = quadratic_part(
        full(p, gravity, frame="displaced"),
        rung="linear",
        note="linearised: cubic radiation pressure g(j + j†)δc†δc and the forces on δc dropped",
    )
    return rotating_frame(
        base,
        float(p.omega_m),
        ("a", "b"),
        rung="linear",
        frame="mechanics rotating at ω_m, cavity at the tones' centre; displaced by the "
        "classical field; counter-rotating terms kept",
    )


def period_average(linear: ModelDescription) -> ModelDescription:
    """The period average of L1 (:func:`linear`): the RWA rung in L1's own frame, the start
    and preconditioner of L0's and L1's Fock periodic states."""
    return secular(linear, rung="rwa", note="period average of L1")


def build(
    rung: str, p: Parameters, gravity: GravityModel | None = None, *, frame: str = "displaced"
) -> ModelDescription:
    """Build the rung called ``rung`` (one of :data:`RUNGS`); ``frame`` is used by L0 only."""
    builders = {
        "linear": linear,
        "rwa": rwa,
        "effective": effective,
        "conventional": conventional,
    }
    if not isinstance(rung, str):
        raise GravsimInputError(
            f"give the rung by name (one of {', '.join(RUNGS)}), not a {type(rung).__name__}"
        )
    if rung == "full":
        return full(p, gravity, frame=frame)
    if rung not in builders:
        raise GravsimInputError(f"unknown model {rung!r}: choose one of {', '.join(RUNGS)}")
    return builders[rung](p, gravity)
