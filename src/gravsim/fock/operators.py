"""Fock backend: QuTiP operators on truncated spaces, read from the same model description.

Each mode gets its own truncation (``dims``: number of Fock levels per mode, in the order
of ``model.modes``); ladder operators are ``qutip.destroy`` / ``qutip.create`` tensored with
identities.  The Hamiltonian is Σ coeff·op₁op₂… (+ h.c.) and the collapse operators are
sqrt(rate)·L, exactly as the description lists them — no model is written here.

Only single points are built here (coefficients must be scalars); a grid of points is a map
over parameter sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import numpy as np
import qutip

from gravsim.analysis.entanglement import log_negativity_of_state
from gravsim.analysis.states import MechanicalState
from gravsim.errors import GravsimInputError
from gravsim.fock.solvers import SolveReport, steady_state_vector
from gravsim.model.description import Ladder, ModelDescription
from gravsim.model.quadratures import ladder_vector


def ladder_operators(modes: tuple[str, ...], dims: tuple[int, ...]) -> dict[Ladder, qutip.Qobj]:
    """Every annihilation and creation operator on the tensor space ``dims`` (CSR data)."""
    if len(dims) != len(modes):
        raise GravsimInputError(
            f"give one truncation per mode ({', '.join(modes)}): got {len(dims)} numbers"
        )
    ops: dict[Ladder, qutip.Qobj] = {}
    for k, mode in enumerate(modes):
        factors = [qutip.qeye(n) for n in dims]
        factors[k] = qutip.destroy(dims[k])
        a = reduce(qutip.tensor, factors).to("csr")
        ops[Ladder(mode, False)] = a
        ops[Ladder(mode, True)] = a.dag()
    return ops


def _scalar(x: object, what: str) -> complex:
    if np.ndim(x) != 0:
        raise GravsimInputError(
            f"the Fock backend takes one parameter point at a time, but {what} is an array"
        )
    return complex(x)


def _phase(frequency: float):
    """The coefficient function t ↦ exp(−iνt) of a QobjEvo term."""

    def coefficient(t: float) -> complex:
        return complex(np.exp(-1j * frequency * t))

    return coefficient


def _fourier(series: tuple[tuple[float, complex], ...]):
    """The coefficient function t ↦ Σ_ν c_ν exp(−iνt) of a QobjEvo term."""
    nu = np.array([f for f, _ in series])
    c = np.array([v for _, v in series])

    def coefficient(t: float) -> complex:
        return complex(c @ np.exp(-1j * nu * t))

    return coefficient


def hamiltonian(model: ModelDescription, dims: tuple[int, ...]) -> qutip.Qobj | qutip.QobjEvo:
    """The Hamiltonian of ``model`` on the truncated space (rad/s, ħ = 1).

    Static models give a ``Qobj``; time-dependent ones a ``QobjEvo`` H₀ + Σ_k f_k(t) O_k
    (a term c·O e^{−iνt} + h.c. puts c at ν on O and c* at −ν on O†).  Each time-dependent
    operator product O is one QobjEvo term with its Fourier series f(t) = Σ_ν c_ν e^{−iνt},
    and products with the same series are summed: the Liouvillian then has as few sparse
    terms as there are distinct time dependences (e.g. 5 instead of 15 for the full model),
    which sets mesolve's cost per step.
    """
    ops = ladder_operators(model.modes, dims)
    static = 0 * ops[Ladder(model.modes[0])]
    series: dict[tuple[Ladder, ...], dict[float, complex]] = {}
    for term in model.hamiltonian:
        coeff = _scalar(term.coeff, term.label)
        parts = [(term.ops, term.frequency, coeff)]
        if term.hermitian_conjugate:
            dagger = tuple(Ladder(o.mode, not o.dagger) for o in reversed(term.ops))
            parts.append((dagger, -term.frequency, coeff.conjugate()))
        for product, nu, c in parts:
            if nu == 0:
                static = static + c * operator_product(ops, product)
            else:
                by_frequency = series.setdefault(product, {})
                by_frequency[nu] = by_frequency.get(nu, 0) + c
    if not series:
        return static
    grouped: dict[tuple[tuple[float, complex], ...], qutip.Qobj] = {}
    for product, by_frequency in series.items():
        key = tuple(sorted(by_frequency.items()))
        op = operator_product(ops, product)
        grouped[key] = grouped[key] + op if key in grouped else op
    return qutip.QobjEvo([static] + [[op, _fourier(key)] for key, op in grouped.items()])


def operator_product(ops: dict[Ladder, qutip.Qobj], product: tuple[Ladder, ...]) -> qutip.Qobj:
    return reduce(lambda x, y: x @ y, (ops[o] for o in product))


def collapse_operators(
    model: ModelDescription, dims: tuple[int, ...]
) -> list[qutip.Qobj | qutip.QobjEvo]:
    """sqrt(rate)·L for every jump operator with a non-zero rate.

    A time-dependent L(t) = Σ_k c_k e^{−iν_k t} O_k becomes a ``QobjEvo`` (for mesolve;
    steady-state solvers need static models).
    """
    ops = ladder_operators(model.modes, dims)
    out: list[qutip.Qobj | qutip.QobjEvo] = []
    for jump in model.jumps:
        rate = _scalar(jump.rate, jump.label).real
        if rate == 0:
            continue
        pieces = [np.sqrt(rate) * _scalar(c, jump.label) * ops[o] for c, o in jump.terms]
        if jump.static:
            out.append(sum(pieces))
        else:
            out.append(
                qutip.QobjEvo([[op, _phase(jump.frequency(k))] for k, op in enumerate(pieces)])
            )
    return out


def liouvillian(model: ModelDescription, dims: tuple[int, ...]) -> qutip.Qobj:
    """The Liouvillian superoperator of ``model`` on the truncated space."""
    return qutip.liouvillian(hamiltonian(model, dims), collapse_operators(model, dims))


def mechanical_covariance(rho: qutip.Qobj, modes: tuple[str, ...]) -> np.ndarray:
    """The (x_a, p_a, x_b, p_b) covariance of ρ (:func:`covariance` of the mechanics)."""
    return covariance(rho, modes, ("a", "b"))


def covariance(
    rho: qutip.Qobj, modes: tuple[str, ...], keep: tuple[str, ...] | None = None
) -> np.ndarray:
    """The quadrature covariance (x₁, p₁, x₂, p₂, …) of the modes ``keep`` (default all of
    ``modes``) of ρ, vacuum ½·I, from normally ordered moments.

    The symmetrised moments use the exact commutator [a, a†] = 1 (⟨aa†⟩ = ⟨a†a⟩ + 1) rather
    than products of truncated operators, whose top level breaks it.  Means are subtracted
    (they vanish for the even steady states of the linear rungs).
    """
    keep = tuple(modes) if keep is None else tuple(keep)
    ops = ladder_operators(modes, tuple(rho.dims[0]))
    ladders = [Ladder(m, d) for m in keep for d in (False, True)]
    mean = np.array([qutip.expect(ops[o], rho) for o in ladders])
    size = len(ladders)
    sym = np.zeros((size, size), dtype=complex)
    for i, oi in enumerate(ladders):
        for j, oj in enumerate(ladders):
            if oi.mode == oj.mode and oi.dagger != oj.dagger:
                normal = qutip.expect(ops[Ladder(oi.mode, True)] @ ops[Ladder(oi.mode)], rho)
                sym[i, j] = normal + 0.5
            else:
                first, second = (oi, oj) if oi.dagger or not oj.dagger else (oj, oi)
                sym[i, j] = qutip.expect(ops[first] @ ops[second], rho)
            sym[i, j] -= mean[i] * mean[j]
    # α = T R with rows u(a), u(a†) per mode (the Gaussian rule's convention): V = T⁻¹ S T⁻ᵀ
    t = np.array([ladder_vector(Ladder(o.mode, o.dagger), keep) for o in ladders])
    t_inv = np.linalg.inv(t)
    v = t_inv @ sym @ t_inv.T
    return np.real_if_close(0.5 * (v + v.T), tol=1e6).real


@dataclass(frozen=True, eq=False)
class FockState(MechanicalState):
    """A Fock-space steady state with its truncation and solver report.

    Attributes
    ----------
    rho : qutip.Qobj
        The density matrix on the truncated space (modes in ``modes`` order).
    modes : tuple of str
    dims : tuple of int
        Fock levels kept per mode.
    rung, gravity : str
        What produced ρ (``"given"``, ``""`` for a state of one's own, :func:`from_qobj`).
    report : SolveReport or None
        Solver, residual, trace and hermiticity errors, wall time (None: not solved here).

    Like the Gaussian backend's ``GaussianState`` it has ``mechanical_covariance``,
    ``log_negativity(base)`` and ``occupations()``; here E_N is that of ρ itself.
    """

    rho: qutip.Qobj
    modes: tuple[str, ...]
    dims: tuple[int, ...]
    rung: str
    gravity: str
    report: SolveReport | None = None

    @property
    def mechanical_rho(self) -> qutip.Qobj:
        """Reduced state of the mechanical modes a, b."""
        keep = [self.modes.index("a"), self.modes.index("b")]
        return self.rho if len(self.modes) == 2 else self.rho.ptrace(keep)

    def log_negativity(self, base: str = "e") -> float:
        """E_N = log‖ρ_ab^{T_b}‖₁ of the mechanical modes (nats by default)."""
        return log_negativity_of_state(self.mechanical_rho, base)

    @property
    def mechanical_covariance(self) -> np.ndarray:
        """The (x_a, p_a, x_b, p_b) covariance (4, 4) of ρ, as ``GaussianState``'s."""
        return mechanical_covariance(self.rho, self.modes)

    def covariance(self) -> np.ndarray:
        """The quadrature covariance (x, p per mode in ``modes`` order) of ρ, vacuum ½·I."""
        return covariance(self.rho, self.modes)

    def occupations(self) -> dict[str, float]:
        """⟨j†j⟩ for every mode."""
        ops = ladder_operators(self.modes, self.dims)
        return {
            m: float(qutip.expect(ops[Ladder(m, True)] @ ops[Ladder(m)], self.rho))
            for m in self.modes
        }

    def last_level_population(self) -> dict[str, float]:
        """Population of the highest kept Fock level of every mode."""
        return last_level_population(self.rho, self.modes)


#: Mode names of a state given without them, by its number of subsystems.
DEFAULT_MODES = {2: ("a", "b"), 3: ("a", "b", "c")}
#: How far from 1 the trace, and from Hermitian ρ, a given state may be (rounding).
STATE_TOLERANCE = 1e-8


def from_qobj(rho: qutip.Qobj, modes: tuple[str, ...] | None = None) -> FockState:
    """A state of one's own (a ``qutip.Qobj`` density matrix or ket of the two mechanical
    modes, or of the mechanics and the cavity) as a :class:`FockState`, for its E_N
    (``log_negativity(base)``), ``covariance()``, ``mechanical_covariance`` and
    ``occupations()``.

    ``modes``: the subsystems' names in order (default ``("a", "b")`` or ``("a", "b", "c")``);
    ``"a"`` and ``"b"`` are the two whose entanglement is reported.

    Raises
    ------
    GravsimInputError
        Not a ``Qobj`` operator or ket, not two or three subsystems, names that do not match,
        a trace other than 1 or a non-Hermitian ρ (beyond :data:`STATE_TOLERANCE`).
    """
    if not isinstance(rho, qutip.Qobj) or not (rho.isoper or rho.isket):
        raise GravsimInputError(
            f"give the state as a qutip.Qobj density matrix or ket, not {type(rho).__name__}"
        )
    rho = qutip.ket2dm(rho) if rho.isket else rho
    dims = tuple(int(n) for n in rho.dims[0])
    if modes is None:
        if len(dims) not in DEFAULT_MODES:
            raise GravsimInputError(
                f"the state has {len(dims)} subsystem(s) (dims {list(dims)}): give two (a, b) or "
                "three (a, b, c), e.g. qutip.tensor(rho_a, rho_b)"
            )
        modes = DEFAULT_MODES[len(dims)]
    modes = tuple(modes)
    if len(modes) != len(dims) or not {"a", "b"} <= set(modes) or len(set(modes)) != len(modes):
        raise GravsimInputError(
            f"modes {modes} do not name the state's {len(dims)} subsystems once each with "
            "'a' and 'b' among them"
        )
    if abs(rho.tr() - 1) > STATE_TOLERANCE:
        raise GravsimInputError(
            f"the state's trace is {rho.tr():.6g}: normalise it (rho / rho.tr())"
        )
    if (rho - rho.dag()).norm("max") > STATE_TOLERANCE:
        raise GravsimInputError("the state is not Hermitian: give a density matrix")
    return FockState(rho, modes, dims, "given", "")


def cavity_index(model: ModelDescription) -> int | None:
    """Position of the cavity mode ``c`` in ``model.modes`` (None for the two-mode rungs)."""
    return model.modes.index("c") if "c" in model.modes else None


def last_level_population(rho: qutip.Qobj, modes: tuple[str, ...]) -> dict[str, float]:
    """Population of the highest kept Fock level of every mode of ``rho``."""
    return {mode: float(np.real(rho.ptrace(k).diag())[-1]) for k, mode in enumerate(modes)}


def steady_state(
    model: ModelDescription,
    dims: tuple[int, ...],
    *,
    solver: str = "auto",
    parity: bool = True,
) -> FockState:
    """Steady state of ``model`` on the truncated space ``dims`` (levels per mode).

    Solves the even-parity block by default (see :mod:`gravsim.fock.solvers`); a cavity
    mode ``c``, where the model has one, is what ``solver="cavity-split"`` splits by.
    """
    rho, report = steady_state_vector(
        liouvillian(model, dims), dims, solver, parity, cavity_index(model)
    )
    return FockState(rho, model.modes, tuple(dims), model.rung, model.gravity.name, report)
