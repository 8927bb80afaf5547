"""The interface every backend's state offers, so that callers never branch on the backend.

A Gaussian state (:class:`gravsim.gaussian.GaussianState`) and a Fock state
(:class:`gravsim.fock.FockState`) both give the mechanical covariance (x_a, p_a, x_b, p_b)
in the conventions of :mod:`gravsim.model.quadratures` (vacuum ½·I), the log-negativity of
the two mechanical modes and the occupation of every mode.
"""

from __future__ import annotations

import abc
from typing import Any

import numpy as np

from gravsim.analysis.entanglement import log_negativity


class MechanicalState(abc.ABC):
    """Base of the backends' states: E_N from the mechanical covariance.

    Subclasses provide :attr:`mechanical_covariance` and :meth:`occupations`; a state that
    is not Gaussian (Fock) overrides :meth:`log_negativity` with the E_N of ρ itself and
    keeps :meth:`log_negativity_from_covariance` as the Gaussian estimate.
    """

    @property
    @abc.abstractmethod
    def mechanical_covariance(self) -> np.ndarray:
        """The (x_a, p_a, x_b, p_b) covariance (batch + (4, 4)), vacuum ½·I."""

    @abc.abstractmethod
    def occupations(self) -> dict[str, Any]:
        """Mean phonon/photon number ⟨j†j⟩ of every mode."""

    def log_negativity_from_covariance(self, base: str = "e") -> Any:
        """E_N of the Gaussian state with this state's mechanical covariance (nats by
        default; ``base="2"``: bits)."""
        return log_negativity(self.mechanical_covariance, base)

    def log_negativity(self, base: str = "e") -> Any:
        """E_N between the two mechanical modes (exact for a Gaussian state)."""
        return self.log_negativity_from_covariance(base)
