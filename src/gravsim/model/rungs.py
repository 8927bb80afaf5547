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

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.model.classical_field import ClassicalField
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
from gravsim.model.noise import both_ways, correlated_pair
from gravsim.model.parameters import Parameters

RUNGS = ("full", "linear", "rwa", "effective", "conventional")
FRAMES = ("displaced", "undisplaced")


def thermal_baths(p: Parameters, modes: tuple[str, ...] = ("a", "b")) -> tuple[JumpOperator, ...]:
    """γ_j(n̄_j+1)D[j] + γ_j n̄_j D[j†] for each mechanical mode j, written as
    γ_j D[j] + γ_j n̄_j (D[j] + D[j†]).

    The two forms are the same dissipator; the second keeps the drift −γ_j/2 exact at
    n̄ ≈ 4×10⁶ (the pair D[j] + D[j†] with one rate has exactly opposite drifts, whereas
    γ(n̄+1)/2 − γn̄/2 would lose 7 digits).  γ_j, n̄_j are each oscillator's own
    (:attr:`~gravsim.model.parameters.Parameters.gamma_pair`, ``n_th_pair``).
    """
    out: list[JumpOperator] = []
    for j, gamma, n in zip(modes, p.gamma_pair, p.n_th_pair, strict=False):
        out.append(JumpOperator(gamma, ((1.0, ann(j)),), f"γ_{j} D[{j}]"))
        out += both_ways(gamma * np.asarray(n), (j,), (1.0,), f"γ_{j} n̄_{j}")
    return tuple(out)


def heating(p: Parameters, *, rwa: bool) -> tuple[JumpOperator, ...]:
    """Technical heating Γ_h,j (phonons/s) with correlation c (:mod:`gravsim.model.device`):
    the kernel (:func:`~gravsim.model.noise.correlated_pair`) as phase-insensitive noise under
    the RWA, as momentum diffusion
    Γ_h D[j + j†] = 2Γ_h D[x_j] above it (d⟨p²⟩/dt = 2Γ_h, d⟨n⟩/dt = Γ_h); none on the ideal
    device."""
    if not (np.any(np.asarray(p.heating_a) != 0) or np.any(np.asarray(p.heating_b) != 0)):
        return ()
    return correlated_pair(1.0, p.heating_kernel, "heating", rwa=rwa)


def cavity_decay(p: Parameters, mode: str = "c") -> tuple[JumpOperator, ...]:
    """κ(n̄_c+1)D[c] + κ n̄_c D[c†] as κ D[c] + κ n̄_c (D[c] + D[c†]); κ D[c] for a cold cavity."""
    out = [JumpOperator(p.kappa, ((1.0, ann(mode)),), f"κ D[{mode}]")]
    if np.any(np.asarray(p.n_c) != 0):
        out += both_ways(p.kappa * np.asarray(p.n_c), (mode,), (1.0,), "κ n̄_c")
    return tuple(out)


def frequency_difference(p: Parameters, *, tones_frame: bool = True) -> tuple[HamiltonianTerm, ...]:
    """Ω(a†a − b†b), and in the tones' frame Δ_m(a†a + b†b) where the tones are mis-set: the
    oscillators' detunings from the frame's ν = ω_m − Δ_m (``tones_frame=False``: the lab
    frame's part beside ω_m Σ j†j, where Δ_m does not appear)."""
    terms = [
        HamiltonianTerm(p.Omega, (cre("a"), ann("a")), False, "Ω a†a"),
        HamiltonianTerm(-np.asarray(p.Omega), (cre("b"), ann("b")), False, "−Ω b†b"),
    ]
    if tones_frame and np.any(np.asarray(p.Delta_m) != 0):
        terms += [HamiltonianTerm(p.Delta_m, (cre(j), ann(j)), False, f"Δ_m {j}†{j}") for j in "ab"]
    return tuple(terms)


def rwa(p: Parameters, gravity: GravityModel | None = None) -> ModelDescription:
    """L2: the linearised three-mode model after the rotating-wave approximation, with each
    oscillator's own G±,j, the cavity's detuning Δ_c c†c and its thermal occupation."""
    gravity = gravity or QuantumGravity()
    cavity: list[HamiltonianTerm] = []
    for j, g_minus, g_plus in zip("ab", p.G_minus_pair, p.G_plus_pair, strict=True):
        cavity.append(HamiltonianTerm(g_minus, (cre("c"), ann(j)), True, f"G₋ ({j} c† + h.c.)"))
        cavity.append(HamiltonianTerm(g_plus, (cre("c"), cre(j)), True, f"G₊ ({j}† c† + h.c.)"))
    if np.any(np.asarray(p.Delta_c) != 0):
        cavity.append(HamiltonianTerm(p.Delta_c, (cre("c"), ann("c")), False, "Δ_c c†c"))
    return ModelDescription(
        rung="rwa",
        modes=("a", "b", "c"),
        hamiltonian=frequency_difference(p) + gravity.hamiltonian(p, rwa=True) + tuple(cavity),
        jumps=thermal_baths(p)
        + cavity_decay(p)
        + heating(p, rwa=True)
        + gravity.jumps(p, rwa=True),
        parameters=p,
        gravity=gravity,
        frame="mechanics rotating at ν = ω_m − Δ_m, cavity at the tones' centre ω_p; "
        "displaced by the classical field",
        notes=("rotating-wave approximation: terms at 2ω_m dropped (needs ω_m ≫ κ, G±)",),
    )


def effective(
    p: Parameters, gravity: GravityModel | None = None, *, reservoir: str = "collective"
) -> ModelDescription:
    """L3: the two-mode model with the cavity eliminated.

    Eliminating δc from L2 (dδc/dt = −(κ/2 + iΔ_c)δc − iL, L = Σ_j (G₋,j j + G₊,j j†)) gives
    one collective jump operator and, for a detuned cavity, a shift:

        κ/(κ²/4 + Δ_c²) [(n̄_c + 1)D[L] + n̄_c D[L†]],   H ⊃ −Δ_c/(κ²/4 + Δ_c²) L†L.

    On the ideal device (G±,j = G±, Δ_c = n̄_c = 0) this is Γ D[β₁ + β₂]
    (β₁ = a cosh r + b† sinh r, β₂ = b cosh r + a† sinh r, Γ = 4G²/κ), written so.  The
    elimination needs |κ/2 + iΔ_c| ≫ G±,j, Ω, |Δ_m| (the cavity's response flat over the
    mechanics' frequencies in the frame); a detuning Δ_c ≳ κ/2 also makes the response's
    frequency dependence, dropped here, of order Ω/|κ/2 + iΔ_c|.

    Parameters
    ----------
    p : Parameters
    gravity : GravityModel, optional
        Default :class:`~gravsim.model.gravity.QuantumGravity`.
    reservoir : {"collective", "double"}
        ``"collective"`` (the physical result of the elimination).  ``"double"``:
        Γ(D[β₁] + D[β₂]), the form the paper's Eq. 24 belongs to (ideal device only).
    """
    gravity = gravity or QuantumGravity()
    if reservoir not in ("collective", "double"):
        raise GravsimInputError(f"unknown reservoir form {reservoir!r}: use collective or double")
    cavity = ("Delta_c", "n_c", "g_a", "g_b")
    uneven = [k for k in p.imperfections() if k in cavity]
    if reservoir == "double" and uneven:
        raise GravsimInputError(
            f"the double reservoir is the ideal device's form; {uneven[0]} is set: use "
            "reservoir='collective'"
        )
    res = _reservoir(p, reservoir) if not uneven else _eliminated(p)
    hamiltonian = frequency_difference(p) + gravity.hamiltonian(p, rwa=True)
    return ModelDescription(
        rung="effective",
        modes=("a", "b"),
        hamiltonian=hamiltonian + res[0],
        jumps=thermal_baths(p) + res[1] + heating(p, rwa=True) + gravity.jumps(p, rwa=True),
        parameters=p,
        gravity=gravity,
        frame="mechanics rotating at ν = ω_m − Δ_m",
        notes=(
            "rotating-wave approximation (ω_m ≫ κ)",
            "adiabatic elimination of the cavity: errors of order (Ω/κ)², (G/κ)²"
            + (", needs |κ/2 + iΔ_c| ≫ G±, Ω" if uneven else ""),
            f"{reservoir} reservoir",
        ),
    )


def _reservoir(p: Parameters, reservoir: str) -> tuple[tuple, tuple[JumpOperator, ...]]:
    """The ideal device's reservoir: Γ D[β₁ + β₂], or Γ(D[β₁] + D[β₂])."""
    ch, sh = np.cosh(p.r), np.sinh(p.r)
    if reservoir == "collective":
        terms = ((ch, ann("a")), (ch, ann("b")), (sh, cre("a")), (sh, cre("b")))
        return (), (JumpOperator(p.Gamma, terms, "Γ D[β₁ + β₂]"),)
    return (), (
        JumpOperator(p.Gamma, ((ch, ann("a")), (sh, cre("b"))), "Γ D[β₁]"),
        JumpOperator(p.Gamma, ((ch, ann("b")), (sh, cre("a"))), "Γ D[β₂]"),
    )


def _eliminated(p: Parameters) -> tuple[tuple[HamiltonianTerm, ...], tuple[JumpOperator, ...]]:
    """The reservoir of unequal couplings, a detuned or warm cavity (see :func:`effective`)."""
    (m_a, m_b), (p_a, p_b) = p.G_minus_pair, p.G_plus_pair
    width = p.kappa**2 / 4 + np.asarray(p.Delta_c) ** 2
    rate, shift = p.kappa / width, -np.asarray(p.Delta_c) / width
    down = ((m_a, ann("a")), (m_b, ann("b")), (p_a, cre("a")), (p_b, cre("b")))
    jumps = [JumpOperator(rate, down, "κ/(κ²/4+Δ_c²) D[L]")]
    if np.any(np.asarray(p.n_c) != 0):
        up = ((m_a, cre("a")), (m_b, cre("b")), (p_a, ann("a")), (p_b, ann("b")))  # L†
        heat = rate * np.asarray(p.n_c)
        jumps += [JumpOperator(heat, down, "n̄_c D[L]"), JumpOperator(heat, up, "n̄_c D[L†]")]
    hamiltonian: list[HamiltonianTerm] = []
    if np.any(np.asarray(p.Delta_c) != 0):
        for j, (gm, gp) in zip("ab", ((m_a, p_a), (m_b, p_b)), strict=True):
            hamiltonian.append(HamiltonianTerm(shift * (gm * gm + gp * gp), (cre(j), ann(j))))
            hamiltonian.append(HamiltonianTerm(shift * gm * gp, (cre(j), cre(j)), True))
        mix, squeeze = m_a * m_b + p_a * p_b, m_a * p_b + m_b * p_a
        hamiltonian.append(HamiltonianTerm(shift * mix, (cre("a"), ann("b")), True, "L†L"))
        hamiltonian.append(HamiltonianTerm(shift * squeeze, (cre("a"), cre("b")), True, "L†L"))
    return tuple(hamiltonian), tuple(jumps)


def conventional(p: Parameters, gravity: GravityModel | None = None) -> ModelDescription:
    """The conventional scheme: gravity alone couples two thermal oscillators (lab frame);
    each oscillator's own bath and technical heating (no cavity, no tones)."""
    gravity = gravity or QuantumGravity()
    free = tuple(
        HamiltonianTerm(p.omega_m, (cre(j), ann(j)), False, f"ω_m {j}†{j}") for j in ("a", "b")
    )
    return ModelDescription(
        rung="conventional",
        modes=("a", "b"),
        hamiltonian=free + gravity.hamiltonian(p, rwa=False),
        jumps=thermal_baths(p) + heating(p, rwa=False) + gravity.jumps(p, rwa=False),
        parameters=p,
        gravity=gravity,
        frame="laboratory frame, counter-rotating terms kept",
        notes=("no cavity; both oscillators at ω_m",),
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
    if not p.g_mean > 0:
        raise GravsimInputError(f"model 'full' needs a single-photon coupling g > 0, got {p.g!r}")
    f = ClassicalField.of(p)
    w, g = float(p.omega_m), tuple(float(x) for x in p.g_pair)
    terms = [HamiltonianTerm(w, (cre(j), ann(j)), False, f"ω_m {j}†{j}") for j in ("a", "b")]
    terms += list(frequency_difference(p, tones_frame=False))
    terms += list(gravity.hamiltonian(p, rwa=False))
    terms += _cavity_terms(f, g, f.omega, frame, float(p.Delta_c))
    return ModelDescription(
        rung="full",
        modes=("a", "b", "c"),
        hamiltonian=tuple(terms),
        jumps=thermal_baths(p)
        + cavity_decay(p)
        + heating(p, rwa=False)
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
            f"classical orbit: α₊₁ = {f.alpha.get(1, 0):.4g}, α₋₁ = {f.alpha.get(-1, 0):.4g}, "
            f"static β = {f.beta[0][0]:.4g}, {f.beta[0][1]:.4g}, cavity shift δ_s = "
            f"{f.cavity_shift:.4g} rad/s, 2ω_m modulation |u₂| = {abs(f.u.get(2, 0)):.3g} "
            f"rad/s, harmonics to {f.harmonics}ω_m (highest {f.residual:.1e} of the largest)",
            "tones at the sidebands of the radiation-pressure-shifted cavity",
        ),
    )


def _field_coupling(f: ClassicalField, g_j: float, j: str, w: float) -> list[HamiltonianTerm]:
    """g_j(j + j†)(α*δc + h.c.) with α* = Σ_k α_k* e^{ikωt}: the displaced frame's coupling of
    oscillator ``j`` to the cavity's classical field."""
    return [
        HamiltonianTerm(
            g_j * np.conj(a_k),
            (op, ann("c")),
            True,
            f"g α_{k}* e^{{i{k}ω_m t}} {op} δc + h.c.",
            -k * w,
        )
        for op in (ann(j), cre(j))
        for k, a_k in f.alpha.items()
        if a_k != 0
    ]


def _cavity_terms(
    f: ClassicalField, g: tuple[float, float], w: float, frame: str, detuning: float
) -> list[HamiltonianTerm]:
    """L0's radiation pressure g_j(j + j†)c†c and, in the displaced frame, its coupling to
    the classical field α(t), the cavity's modulation u(t) and its detuning Δ_c δc†δc;
    undisplaced, the cavity's shift and detuning and the two tones (see :func:`full`)."""
    terms: list[HamiltonianTerm] = []
    for j, g_j in zip("ab", g, strict=True):
        label = f"g_{j} ({j} + {j}†) c†c"
        terms.append(HamiltonianTerm(g_j, (ann(j), cre("c"), ann("c")), True, label))
        if frame == "displaced":
            terms += _field_coupling(f, g_j, j, w)
    if detuning != 0:
        terms.append(HamiltonianTerm(detuning, (cre("c"), ann("c")), False, "Δ_c c†c"))
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
    """L1: L0 linearised about its classical field, in the frame rotating at ν = ω_m − Δ_m
    (ω_m for tones set right).

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
        float(p.tone_spacing),
        ("a", "b"),
        rung="linear",
        frame="mechanics rotating at ν = ω_m − Δ_m, cavity at the tones' centre; displaced by the "
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
