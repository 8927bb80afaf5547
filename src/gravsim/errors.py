"""Exceptions that carry a one-line message naming the problem and its fix.

The command line turns every :class:`GravsimInputError` into one line on stderr and exit
code 2; the Python API raises them as ordinary exceptions.
"""

from __future__ import annotations


class GravsimInputError(ValueError):
    """Bad input: an unknown key, a bad value, a negative rate, an unknown preset or model.

    The message is one line that names the problem and says how to fix it.
    """


class UnstableError(GravsimInputError):
    """The requested model has no steady state (a drift eigenvalue has Re >= 0)."""


class OutOfRegimeError(GravsimInputError):
    """A rung or backend was asked for a point outside the regime where it applies."""
