"""Noise written as jump operators, once for every rung and gravity model: phase-insensitive
noise (its drifts cancel exactly), momentum diffusion above the RWA, and a correlated pair of
oscillators through the Cholesky vectors of its 2×2 kernel."""

from __future__ import annotations

from typing import Any

import numpy as np

from gravsim.model.description import JumpOperator, ann, cre


def both_ways(
    rate: Any,
    modes: tuple[str, ...],
    weights: tuple[Any, ...],
    label: str,
    *,
    momentum: bool = False,
    group: str = "system",
) -> list[JumpOperator]:
    """rate·(D[Σ w_j j] + D[Σ w_j j†]) (phase-insensitive noise, its drifts cancel exactly),
    or with ``momentum`` rate·D[Σ w_j (j + j†)] (momentum diffusion: a jump ∝ x_j kicks p_j,
    as a force noise does; above the RWA)."""
    names = "+".join(modes)
    pairs = list(zip(modes, weights, strict=True))
    if momentum:
        terms = tuple(t for j, w in pairs for t in ((w, ann(j)), (w, cre(j))))
        return [JumpOperator(rate, terms, f"{label} D[x_{names}]", group)]
    down = tuple((w, ann(j)) for j, w in pairs)
    up = tuple((w, cre(j)) for j, w in pairs)
    return [
        JumpOperator(rate, down, f"{label} D[{names}]", group),
        JumpOperator(rate, up, f"{label} D[{names}†]", group),
    ]


def kernel_vectors(k_a: Any, k_b: Any, k_ab: Any) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """l₁ = (sqrt k_a, k_ab/sqrt k_a), l₂ = (0, sqrt(k_b − k_ab²/k_a)): the kernel
    [[k_a, k_ab], [k_ab, k_b]] (positive semi-definite) as l₁l₁ᵀ + l₂l₂ᵀ (l₁ = (0, 0) where
    k_a = 0, when k_ab must be 0 too)."""
    root_a = np.sqrt(np.asarray(k_a, dtype=float))
    k_ab = np.asarray(k_ab, dtype=float)
    shape = np.broadcast(root_a, k_ab).shape
    cross = np.divide(k_ab, root_a, out=np.zeros(shape), where=root_a > 0)
    return (root_a, cross), (0.0, np.sqrt(np.maximum(np.asarray(k_b) - cross**2, 0.0)))


def correlated_pair(
    rate: Any, kernel: tuple[Any, Any, Any], label: str, *, rwa: bool, group: str = "system"
) -> tuple[JumpOperator, ...]:
    """rate × the noise of kernel (k_a, k_b, k_ab) on oscillators a, b: each Cholesky vector
    (:func:`kernel_vectors`) as phase-insensitive noise under the RWA, momentum diffusion
    above it (:func:`both_ways`)."""
    out: list[JumpOperator] = []
    for k, weights in enumerate(kernel_vectors(*kernel), start=1):
        out += both_ways(rate, ("a", "b"), weights, f"{label} l{k}", momentum=not rwa, group=group)
    return tuple(out)
