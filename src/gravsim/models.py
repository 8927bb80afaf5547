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
    Its period average (:func:`~gravsim.description.secular`) is L2 up to mode phases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .description import (
    HamiltonianTerm,
    JumpOperator,
    ModelDescription,
    ann,
    cre,
    quadratic_part,
    rotating_frame,
)
from .errors import GravsimInputError
from .gravity import GravityModel, QuantumGravity
from .parameters import Parameters

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
        Default :class:`~gravsim.gravity.QuantumGravity`.
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


@dataclass(frozen=True)
class ClassicalField:
    """The classical periodic solution L0's displaced frame subtracts (ħ = 1).

    Attributes
    ----------
    c_plus, c_minus : complex
        Cavity field α(t) = c₊e^{−iω_m t} + c₋e^{iω_m t} in the tones' frame, the exact
        periodic solution of dα/dt = −i(E₊e^{−iω_m t} + E₋e^{iω_m t}) − (κ/2)α with real
        E± > 0: c₊ = −iE₊/(κ/2 − iω_m), c₋ = −iE₋/(κ/2 + iω_m); |c±| = G±/g.
    E_plus, E_minus : float
        Pump amplitudes (rad/s) that give those fields.
    beta_static : ndarray, shape (2,)
        β_j⁰ (j = a, b): the static displacement under the mean radiation pressure
        g(|c₊|² + |c₋|²).
    beta_2 : ndarray, shape (2, 2)
        Rows j = a, b: the amplitudes (b_j, b̃_j) of β_j(t) = β_j⁰ + b_j e^{−2iω_m t} +
        b̃_j e^{2iω_m t}, the response to the beat g(c₊c₋* e^{−2iω_m t} + c.c.).
        β(t) solves the damped mechanical mean equations (ω_j, γ_m, k_M) exactly, so the
        displaced frame has no force on the mechanics left.
    cavity_shift : float
        δ_s = 2g Re(β_a⁰ + β_b⁰) (rad/s): the static shift of the cavity frequency.  The
        tones sit at the sidebands of the *shifted* cavity, as an experiment tunes them.
    modulation : complex
        u₂ of the remaining cavity-frequency modulation u(t) = 2g Σ_j Re β_j(t) − δ_s
        = u₂ e^{−2iω_m t} + c.c. (rad/s), independent of g at fixed G±.
    """

    c_plus: complex
    c_minus: complex
    E_plus: float
    E_minus: float
    beta_static: np.ndarray
    beta_2: np.ndarray
    cavity_shift: float
    modulation: complex

    def beta(self, t: float) -> np.ndarray:
        """β_a(t), β_b(t)."""
        w2 = 2 * self._omega
        return (
            self.beta_static
            + self.beta_2[:, 0] * np.exp(-1j * w2 * t)
            + self.beta_2[:, 1] * np.exp(1j * w2 * t)
        )

    @classmethod
    def of(cls, p: Parameters) -> ClassicalField:
        """The classical solution for parameters ``p`` (G±, g, ω_m, Ω, κ, γ_m, k_M)."""
        w, k, g = float(p.omega_m), float(p.kappa), float(p.g)
        c_plus = complex(p.G_plus / g) * (-1j / (k / 2 - 1j * w)) * np.hypot(k / 2, w)
        c_minus = complex(p.G_minus / g) * (-1j / (k / 2 + 1j * w)) * np.hypot(k / 2, w)
        # mean equations of y = (Re β_a, Im β_a, Re β_b, Im β_b): dy/dt = M y + e F(t)
        gm, km = float(p.gamma_m), float(p.k_M)
        m = np.zeros((4, 4))
        for j, wj in enumerate((float(p.omega_a), float(p.omega_b))):
            m[2 * j, 2 * j : 2 * j + 2] = (-gm / 2, wj)
            m[2 * j + 1, 2 * j : 2 * j + 2] = (-wj, -gm / 2)
            m[2 * j + 1, 2 * (1 - j)] = -2 * km
        e = np.array([0.0, -1.0, 0.0, -1.0])
        y0 = -np.linalg.solve(m, e * g * (abs(c_plus) ** 2 + abs(c_minus) ** 2))
        y2 = np.linalg.solve(-2j * w * np.eye(4) - m, e * g * c_plus * np.conj(c_minus))
        beta_2 = np.array(
            [
                [y2[2 * j] + 1j * y2[2 * j + 1], np.conj(y2[2 * j]) + 1j * np.conj(y2[2 * j + 1])]
                for j in range(2)
            ]
        )
        out = cls(
            c_plus=c_plus,
            c_minus=c_minus,
            E_plus=abs(c_plus) * float(np.hypot(k / 2, w)),
            E_minus=abs(c_minus) * float(np.hypot(k / 2, w)),
            beta_static=y0[0::2] + 1j * y0[1::2],
            beta_2=beta_2,
            cavity_shift=2 * g * float(y0[0] + y0[2]),
            modulation=complex(2 * g * (y2[0] + y2[2])),
        )
        object.__setattr__(out, "_omega", w)
        return out


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
    for j in ("a", "b"):
        terms.append(HamiltonianTerm(g, (ann(j), cre("c"), ann("c")), True, f"g ({j} + {j}†) c†c"))
        if frame == "undisplaced":
            continue
        for op in (ann(j), cre(j)):
            terms.append(
                HamiltonianTerm(
                    g * np.conj(f.c_plus),
                    (op, ann("c")),
                    True,
                    f"g c₊* e^{{iω_m t}} {op} δc + h.c.",
                    -w,
                )
            )
            terms.append(
                HamiltonianTerm(
                    g * np.conj(f.c_minus),
                    (op, ann("c")),
                    True,
                    f"g c₋* e^{{−iω_m t}} {op} δc + h.c.",
                    w,
                )
            )
    if frame == "displaced":
        # the cavity frequency modulation u(t) = u₂e^{−2iω_m t} + c.c. by the mechanics' beat
        u2 = f.modulation
        terms.append(HamiltonianTerm(u2, (cre("c"), ann("c")), True, "u(t) δc†δc", 2 * w))
        for coeff, nu in (
            (u2 * np.conj(f.c_plus), w),
            (u2 * np.conj(f.c_minus), 3 * w),
            (np.conj(u2) * np.conj(f.c_plus), -3 * w),
            (np.conj(u2) * np.conj(f.c_minus), -w),
        ):
            terms.append(HamiltonianTerm(coeff, (ann("c"),), True, "u(t) α* δc + h.c.", nu))
    if frame == "undisplaced":
        terms.append(HamiltonianTerm(-f.cavity_shift, (cre("c"), ann("c")), False, "−δ_s c†c"))
        terms.append(HamiltonianTerm(f.E_plus, (cre("c"),), True, "E₊ e^{−iω_m t} c† + h.c.", w))
        terms.append(HamiltonianTerm(f.E_minus, (cre("c"),), True, "E₋ e^{iω_m t} c† + h.c.", -w))
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
            dict(zip(("a", "b", "c"), [*f.beta(0.0), f.c_plus + f.c_minus], strict=True))
            if frame == "undisplaced"
            else {}
        ),
        notes=(
            f"classical field: c₊ = {f.c_plus:.4g}, c₋ = {f.c_minus:.4g}, static β = "
            f"{f.beta_static[0]:.4g}, {f.beta_static[1]:.4g}, static cavity shift "
            f"δ_s = {f.cavity_shift:.4g} rad/s, 2ω_m modulation |u₂| = "
            f"{abs(f.modulation):.3g} rad/s",
            "tones at the sidebands of the radiation-pressure-shifted cavity",
        ),
    )


def linear(p: Parameters, gravity: GravityModel | None = None) -> ModelDescription:
    """L1: L0 linearised about its classical field, in the frame rotating at ω_m.

    Built from :func:`full` by :func:`~gravsim.description.quadratic_part` and
    :func:`~gravsim.description.rotating_frame`, so that L0 and L1 cannot disagree about a
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
    if rung == "full":
        return full(p, gravity, frame=frame)
    if rung not in builders:
        raise GravsimInputError(f"unknown model {rung!r}: choose one of {', '.join(RUNGS)}")
    return builders[rung](p, gravity)
