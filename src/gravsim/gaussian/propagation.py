"""Exact propagators of Gaussian covariances: V(t) = Φ V(0) Φᵀ + Q.

For a linear model, dV/dt = A(t)V + VA(t)ᵀ + D(t), so over any interval the covariance
moves by a fundamental matrix Φ and a noise matrix Q = ∫ Φ(t, s) D(s) Φ(t, s)ᵀ ds.  KTM
gravity adds diffusion only, so the classical covariance is V_q + S with the *shift*
S(t) = Φ S(0) Φᵀ + Q₁, Q₁ the noise of the gravity dissipators alone: ΔE(t) then follows
without subtracting two nearly equal covariances.

Static models (L2, L3, the conventional scheme): Φ = e^{Ah} and Q by Van Loan's block
exponential, exp([[−A, D], [0, Aᵀ]] h) = [[·, G], [0, F]] with Φ = Fᵀ, Q = Fᵀ G, over a
sub-step with ‖A‖h ≤ 1 that is then doubled (:meth:`Propagator.step`): Q is built from
products of bounded factors, never as V_ss − Φ V_ss Φᵀ (which would cancel 7 digits at
n̄ ≈ 4×10⁶ at early times), and a step of 10⁸ s costs ~30 doublings.

Periodic models (L1, period T = 2π/ω₀): A(t), D(t) are trigonometric polynomials; their
Fourier coefficients are taken exactly from 4K + 4 samples (K the highest harmonic), and the
one-period fundamental solution (Φ(τ), Q(τ)), 0 ≤ τ ≤ T, is integrated once with SciPy's
DOP853 at rtol 1e-12 (atol scaled per block) with dense output.  Any time t = nT + τ is
then reached exactly in n by binary powers of the one-period map (Φ_{2n} = Φ_n²,
Q_{2n} = Φ_n Q_n Φ_nᵀ + Q_n) and by the dense output in τ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.integrate
import scipy.linalg

from gravsim.errors import NumericalError
from gravsim.gaussian.moments import split_gravity
from gravsim.model.description import ModelDescription

#: Relative tolerance of the one-period integration of periodic models.
PERIOD_RTOL = 1e-12


def van_loan(a: np.ndarray, d: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """(Φ, Q) of dV/dt = AV + VAᵀ + D over a step h (s), by one block exponential."""
    m = a.shape[0]
    block = np.zeros((2 * m, 2 * m))
    block[:m, :m] = -a
    block[:m, m:] = d
    block[m:, m:] = a.T
    e = scipy.linalg.expm(block * h)
    f = e[m:, m:]
    q = f.T @ e[:m, m:]
    return f.T, 0.5 * (q + q.T)


@dataclass(frozen=True, eq=False)
class Step:
    """One interval's propagator: V → Φ V Φᵀ + Q (quantum), S → Φ S Φᵀ + Q₁ (KTM shift)."""

    phi: np.ndarray
    q: np.ndarray
    q1: np.ndarray

    def apply(self, v: np.ndarray, shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Propagate the quantum covariance and the KTM shift together."""
        return self.phi @ v @ self.phi.T + self.q, self.phi @ shift @ self.phi.T + self.q1

    def then(self, later: Step) -> Step:
        """This step followed by ``later``."""
        phi = later.phi @ self.phi
        q = later.phi @ self.q @ later.phi.T + later.q
        q1 = later.phi @ self.q1 @ later.phi.T + later.q1
        return Step(phi, q, q1)


class Propagator:
    """Exact covariance propagation for one model, static or periodic.

    Parameters
    ----------
    model : ModelDescription
        A linear model (quadratic H, linear jump operators) for one parameter point.
    """

    def __init__(self, model: ModelDescription) -> None:
        self.model = model
        self.omega0 = model.base_frequency()
        if self.omega0 == 0:
            self.a, self.d0, self.d1 = split_gravity(model, None)
            self.period = 0.0
        else:
            self.period = 2 * np.pi / self.omega0
            self._harmonics()
            self._one_period()

    @property
    def dimension(self) -> int:
        """Size of the covariance matrix (2 × number of modes)."""
        return 2 * len(self.model.modes)

    def step(self, h: float) -> Step:
        """The propagator over a step h (s) of a static model (Van Loan, exact).

        Van Loan's block holds e^{−Ah}, which grows like e^{|Re λ|h}: the step is therefore
        taken as 2^k squarings (Φ_{2h} = Φ_h², Q_{2h} = Φ_h Q_h Φ_hᵀ + Q_h, products of
        bounded factors) of a sub-step with ‖A‖h ≤ 1.
        """
        norm = float(np.max(np.sum(np.abs(self.a), axis=1)))
        k = max(0, int(np.ceil(np.log2(max(norm * h, 1.0)))))
        sub = h / 2**k
        phi, q = van_loan(self.a, self.d0, sub)
        _, q1 = van_loan(self.a, self.d1, sub)
        out = Step(phi, q, q1)
        for _ in range(k):
            out = out.then(out)
        return out

    # -- periodic models -------------------------------------------------------------------

    def _harmonics(self) -> None:
        kmax = max(int(round(abs(f) / self.omega0)) for f in self.model.frequencies())
        n = 4 * kmax + 4  # the D's hold products of two terms: harmonics up to 2·kmax
        times = self.period * np.arange(n) / n
        samples = [split_gravity(self.model, float(t)) for t in times]
        self._k = np.fft.fftfreq(n, 1.0 / n)
        self._coeffs = [np.fft.fft(np.array([s[i] for s in samples]), axis=0) / n for i in range(3)]

    def matrices(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A(t), D₀(t), D₁(t) of a periodic model from its exact Fourier series."""
        phase = np.exp(1j * self._k * self.omega0 * t)
        return tuple(np.tensordot(phase, c, axes=(0, 0)).real for c in self._coeffs)

    def _one_period(self) -> None:
        m = self.dimension
        a0, d0, d1 = self.matrices(0.0)
        s0 = max(np.max(np.abs(d0)), 1e-300)
        s1 = max(np.max(np.abs(d1)), 1e-300)

        def rhs(t: float, y: np.ndarray) -> np.ndarray:
            a, d0t, d1t = self.matrices(t)
            phi, q0, q1 = y.reshape(3, m, m)
            return np.concatenate(
                [
                    (a @ phi).ravel(),
                    (a @ q0 + q0 @ a.T + d0t / s0).ravel(),
                    (a @ q1 + q1 @ a.T + d1t / s1).ravel(),
                ]
            )

        y0 = np.concatenate([np.eye(m).ravel(), np.zeros(2 * m * m)])
        scale = self.period * max(1.0, np.max(np.abs(a0)) * self.period)
        atol = np.concatenate([np.full(m * m, 1.0), np.full(2 * m * m, scale)]) * 1e-15
        sol = scipy.integrate.solve_ivp(
            rhs,
            (0.0, self.period),
            y0,
            method="DOP853",
            rtol=PERIOD_RTOL,
            atol=atol,
            dense_output=True,
        )
        if not sol.success:
            raise NumericalError(
                f"the one-period integration failed ({sol.message}): the rates may span more "
                "than float64 resolves over one period"
            )
        self._dense = sol.sol
        self._scales = (s0, s1)
        self.monodromy = self._within(self.period)
        self._powers: list[Step] = [self.monodromy]

    def _within(self, tau: float) -> Step:
        """The propagator from 0 to τ ∈ [0, T]."""
        m = self.dimension
        if tau == 0:
            zero = np.zeros((m, m))
            return Step(np.eye(m), zero, zero)
        phi, q0, q1 = self._dense(tau).reshape(3, m, m)
        s0, s1 = self._scales
        return Step(phi, 0.5 * (q0 + q0.T) * s0, 0.5 * (q1 + q1.T) * s1)

    def periods(self, n: int) -> Step:
        """The propagator over n whole periods, by binary powers of the monodromy."""
        m = self.dimension
        zero = np.zeros((m, m))
        out = Step(np.eye(m), zero, zero)
        bit = 0
        while n:
            while len(self._powers) <= bit:
                last = self._powers[-1]
                self._powers.append(last.then(last))
            if n & 1:
                out = out.then(self._powers[bit])
            n >>= 1
            bit += 1
        return out

    def _whole_periods(self, t: float) -> tuple[int, float]:
        """t = nT + τ with 0 ≤ τ ≤ T."""
        n = int(np.floor(t / self.period))
        return n, min(max(t - n * self.period, 0.0), self.period)

    def evolve(self, v0: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Quantum covariances and KTM shifts at ``times`` (s, increasing, ≥ 0) from V(0) = v0."""
        m = self.dimension
        v, shift = np.array(v0, dtype=float), np.zeros((m, m))
        out_v = np.empty((len(times), m, m))
        out_s = np.empty_like(out_v)
        if self.period == 0:
            steps = np.diff(np.concatenate([[0.0], times]))
            uniform = np.allclose(steps[1:], steps[-1], rtol=1e-12, atol=0)
            common = self.step(float(steps[-1])) if uniform and len(steps) > 1 else None
            for i, h in enumerate(steps):
                if h != 0:
                    step = common if common is not None and i > 0 else self.step(float(h))
                    v, shift = step.apply(v, shift)
                out_v[i], out_s[i] = v, shift
            return out_v, out_s
        base_n, base_v, base_s = 0, v, shift  # state at the last whole period reached
        for i, t in enumerate(times):
            n, tau = self._whole_periods(float(t))
            if n > base_n:
                base_v, base_s = self.periods(n - base_n).apply(base_v, base_s)
                base_n = n
            out_v[i], out_s[i] = self._within(tau).apply(base_v, base_s)
        return out_v, out_s


def initial_covariance(modes: tuple[str, ...], occupations: dict[str, float]) -> np.ndarray:
    """A product of thermal states: V = diag(n_j + ½) per mode (vacuum ½, dimensionless)."""
    return np.diag(np.repeat([occupations.get(mode, 0.0) + 0.5 for mode in modes], 2))
