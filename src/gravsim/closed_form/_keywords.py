"""Keyword-only signatures stated once and shared by a family of closed forms.

Several public closed forms take exactly the same parameters (Eq. 19's moments, covariance
and E_N; Eq. 24's E_N and ΔE; the transient's V and V − ½I).  Rather than writing the
parameter list out in every ``def``, a family states it once as an :class:`inspect.Signature`
(:func:`keyword_signature`, or the signature of one written-out member) and
:func:`keyword_only` gives it to the others.  ``help`` and :func:`inspect.signature` show it,
and every call is checked against it as a written-out ``def f(*, ...)`` would be: a
positional, missing or unknown argument raises :class:`TypeError`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

_R = TypeVar("_R")


def keyword_signature(
    names: Sequence[str],
    annotation: str,
    returns: str,
    optional: Sequence[tuple[str, str, Any]] = (),
) -> inspect.Signature:
    """Required keyword-only ``names`` (all annotated ``annotation``), then ``optional`` ones.

    ``optional`` holds (name, annotation, default) triples; ``returns`` is the return
    annotation.  Annotations are strings, as under ``from __future__ import annotations``.
    """
    kind = inspect.Parameter.KEYWORD_ONLY
    params = [inspect.Parameter(name, kind, annotation=annotation) for name in names]
    params += [inspect.Parameter(n, kind, default=d, annotation=a) for n, a, d in optional]
    return inspect.Signature(params, return_annotation=returns)


def keyword_only(signature: inspect.Signature) -> Callable[[Callable[..., _R]], Callable[..., _R]]:
    """Decorate ``impl(*values)`` into the public function taking ``signature``'s arguments.

    The public function keeps ``impl``'s name and docstring, binds its call to ``signature``
    (defaults filled in) and passes the values to ``impl`` positionally, in the signature's
    order.
    """

    def decorate(impl: Callable[..., _R]) -> Callable[..., _R]:
        @functools.wraps(impl)
        def public(*args: Any, **kwargs: Any) -> _R:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as exc:
                raise TypeError(f"{impl.__name__}(): {exc}") from None
            bound.apply_defaults()
            return impl(*(bound.arguments[name] for name in signature.parameters))

        public.__signature__ = signature  # type: ignore[attr-defined]
        return public

    return decorate
