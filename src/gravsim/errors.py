"""Exceptions and warnings that carry a one-line message naming the problem and its fix.

Two kinds of failure, each with its exit code on the command line:

* :class:`GravsimInputError` (exit 2): the input cannot be run as given — an unknown key, a
  bad value, a point with no steady state, a truncation too small, a folder that cannot be
  written.  Changing the input fixes it.
* :class:`NumericalError` (exit 3): the input is valid but a numerical method failed — a
  solver that did not converge, a state that does not settle, a result that overflows
  float64.  The message names what to change (a solver, a truncation, a tolerance).

Messages speak in the library's terms: parameter and argument names in backticks
(`` `n_mech` ``, `` `force=True` ``); the command line rewrites those it has a flag for
(``--n-mech``, ``--force``).  :class:`GravsimWarning` is for results that were computed but
deserve a doubt, or an option that has no effect; the command line prints it on one line.
"""

from __future__ import annotations


class GravsimError(Exception):
    """Base of gravsim's one-line errors; ``exit_code`` is what the command line returns."""

    exit_code = 2


class GravsimInputError(GravsimError, ValueError):
    """Bad input: an unknown key, a bad value, a negative rate, an unknown preset or model.

    The message is one line that names the problem and says how to fix it.
    """


class UnstableError(GravsimInputError):
    """The requested model has no steady state (a drift eigenvalue has Re >= 0)."""


class OutOfRegimeError(GravsimInputError):
    """A rung or backend was asked for a point outside the regime where it applies."""


class NumericalError(GravsimError, ArithmeticError):
    """A numerical method failed on valid input: not converged, ill-conditioned, overflow."""

    exit_code = 3


class GravsimWarning(UserWarning):
    """A result to doubt, or an option that has no effect; one line."""
