"""The paper's steady-state numbers at its reference point, for both k_G conventions.

:func:`compute` solves the paper's two presets (k_G as printed, and k_G from the point-mass
K_G) on the effective and RWA rungs (exact Gaussian, Lyapunov) and with the closed form (S2
Eq. (19)), for both gravity models: the ``reference`` command's table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gravsim.model import presets
from gravsim.workflows import steady
from gravsim.workflows.result_model import Result

#: The presets of the table: k_G as the paper prints it, and from the point-mass formula.
PRESETS = ("paper", "paper-point-mass")
#: The rungs of the table, in its order.
RUNGS = ("effective", "rwa", "closed-form")


@dataclass(frozen=True, eq=False, repr=False)
class ReferenceTable(Result):
    """E_N (quantum and KTM gravity) and ΔE per preset and rung, in ``log_base``.

    Attributes
    ----------
    rows : tuple of dict
        One per preset and rung: ``preset``, ``model``, ``E_N_quantum``, ``E_N_classical``,
        ``delta_E``, ``k_G`` (rad/s) and ``kG_convention`` (how k_G was obtained).
    sources : dict
        Where each preset's numbers come from (text, for people).
    """

    rows: tuple[dict[str, Any], ...]
    sources: dict[str, str]

    RUN_NAME = "reference"

    def __str__(self) -> str:
        unit = "nats (natural log)" if self.log_base == "e" else "bits (log base 2)"
        lines = [
            f"Steady-state entanglement at the paper's reference point; E_N and ΔE in {unit}.",
            "Backend: exact Gaussian (Lyapunov) for effective/rwa; closed-form = S2 Eq. (19).",
        ]
        for name, source in self.sources.items():
            rows = [r for r in self.rows if r["preset"] == name]
            lines += [
                f"\npreset {name}: k_G = {rows[0]['k_G']:.6g} rad/s, {rows[0]['kG_convention']}",
                f"  source: {source}",
                f"  {'model':<12} {'E_N quantum':>14} {'E_N classical':>14} {'ΔE':>14}",
            ]
            lines += [
                f"  {r['model']:<12} {r['E_N_quantum']:>14.8f} {r['E_N_classical']:>14.8f} "
                f"{r['delta_E']:>14.6e}"
                for r in rows
            ]
        return "\n".join(lines)


def compute(base: str = "e") -> ReferenceTable:
    """The reference table: every preset of :data:`PRESETS` on every rung of :data:`RUNGS`,
    E_N and ΔE in log ``base`` (``"e"`` or ``"2"``)."""
    rows = []
    for name in PRESETS:
        p = presets.get(name)
        for model in RUNGS:
            r = steady.compute(p, model=model, gravity="both", base=base)
            rows.append(
                {
                    "preset": name,
                    "model": model,
                    "E_N_quantum": r.values["E_N_quantum"],
                    "E_N_classical": r.values["E_N_classical"],
                    "delta_E": r.values["delta_E"],
                    "k_G": p.k_G,
                    "kG_convention": p.kG_source,
                }
            )
    sources = {name: presets.get(name).source for name in PRESETS}
    return ReferenceTable(tuple(rows), sources, log_base=base, options={"base": base})
