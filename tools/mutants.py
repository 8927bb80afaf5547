"""Plant known one-line bugs in a copy of the repository and check that the tests catch them.

Usage
-----
::

    python tools/mutants.py                 # all: caught / survived, by which test, time
    python tools/mutants.py --list          # each mutant's file and tests; does it apply?
    python tools/mutants.py --only NAME ... # some of them
    python tools/mutants.py --keep          # keep the copy (its path is printed)

Other options: ``--timeout S`` (per pytest run, default 300), ``--no-baseline`` (skip the
unmutated run), ``--all`` (run every listed test of a mutant instead of stopping at the first
failure, to see all that catch it), ``--repo DIR`` (default: the checkout holding this file).

What it does
------------
1. Copies the repository to a temporary folder: the files ``git ls-files --cached --others
   --exclude-standard`` lists (tracked files and untracked, not ignored ones, as they are in
   the working tree, so that work in progress is what is tested).  The working tree is never
   written to.
2. Canary: a test written into the copy only checks that the copy's tests import the copy's
   ``gravsim`` (``PYTHONPATH=<copy>/src``, run from the copy), not the installed editable one,
   and that a ``python`` subprocess started by a test does too.  If not, it stops (exit 2).
3. Baseline: the mutants' tests run once on the unmutated copy.  A test that fails there
   cannot tell a mutant apart; it is deselected (``--deselect``) in the mutant runs and named
   in the report.
4. Each mutant: literal text replacements in one source file, each asserted to match
   exactly once (so that a mutant whose code has moved is reported ``stale`` instead of
   silently testing nothing); then ``pytest -x`` on the mutant's tests (fast, targeted ones
   first); then the file is restored.  A mutant with ``alternatives`` applies every candidate
   that matches exactly once (at least one must): for code being rewritten; the report says
   which applied.

Every pytest run has ``-p no:cacheprovider``, ``PYTHONDONTWRITEBYTECODE=1`` (no stale
bytecode of a same-size mutant) and one BLAS/OpenMP thread.

Report and exit status
----------------------
One line per mutant: ``caught`` (by the first failing test), ``SURVIVED``, ``stale`` (its
text no longer matches exactly once: update the mutant), or ``untested`` (none of its test
files exist, or all of its tests fail unmutated); the time of its pytest run; and the score
caught/total.  Exit 0 when every mutant is caught, 1 when one survived or is untested, 2 when
the set-up failed (the canary, a stale mutant, a pytest usage error).

Left out as equivalent (they change no result): the Floquet period average over the first
half of L1's sampled period (L1's base frequency is ω_m because KTM's D[j e^{−iω_m t} +
j†e^{iω_m t}] has terms at ±ω_m, but the dynamics repeats after π/ω_m, so half the sampled
period is a whole one; measured: the averages agree to 1e-16).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Replacements (old, new), applied in order, each matching the current text exactly once.
Edits = tuple[tuple[str, str], ...]

# Test files and node ids (relative to the repository).  Targeted, fast tests first: with -x
# the run stops at the first failure.
RUNG_TERMS = "tests/model/test_rung_terms.py"
EFFECTIVE_COVARIANCE = "tests/closed_form/test_effective_covariance.py"
COUNTER_ROTATING = "tests/gaussian/test_counter_rotating_gravity.py"
APPROXIMATION = "tests/gaussian/test_approximation_errors.py"
LYAPUNOV = "tests/gaussian/test_lyapunov.py"
CLOSED_FORM = "tests/closed_form/test_effective.py"
PARAMETERS = "tests/model/test_parameters.py"
GRAVITY = "tests/model/test_gravity.py"
TRUNCATION = "tests/fock/test_truncation_error.py"
VALIDATE = "tests/workflows/test_validate.py"


@dataclass(frozen=True)
class Mutant:
    """One planted bug.

    Attributes
    ----------
    name : str
        Short name (``--only``).
    description : str
        The bug, for people.
    path : str
        The source file (relative to the repository).
    edits : tuple of (str, str)
        Replacements applied in order, each required to match exactly once.
    tests : tuple of str
        pytest files or node ids expected to catch it, in the order they run.
    alternatives : tuple of Edits
        Instead of ``edits``: candidates each applied if it matches exactly once, at least
        one of them (for code being rewritten).
    fallback : tuple of (str, str)
        (marker, code): where no alternative applies but the file contains ``marker``,
        ``code`` is appended to the file instead.
    """

    name: str
    description: str
    path: str
    edits: Edits
    tests: tuple[str, ...]
    alternatives: tuple[Edits, ...] = field(default_factory=tuple)
    fallback: tuple[str, str] | tuple[()] = ()


_TRUNCATION_WRAPPER = """

# --- mutant: every truncation error halved, wherever an Estimate is built ---
_mutant_estimate_init = Estimate.__init__


def _mutant_halved_init(self, *args, **kwargs):
    _mutant_estimate_init(self, *args, **kwargs)
    if self.truncation_error is not None:
        object.__setattr__(self, "truncation_error", self.truncation_error / 2)


Estimate.__init__ = _mutant_halved_init
"""

MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "full-rwa-gravity",
        "L0/L1 lose the counter-rotating gravity term k_M(ab + a†b†): full() builds gravity "
        "with rwa=True",
        "src/gravsim/model/rungs.py",
        (
            (
                "list(gravity.hamiltonian(p, rwa=False))",
                "list(gravity.hamiltonian(p, rwa=True))",
            ),
        ),
        (f"{RUNG_TERMS}::test_linear_rung", COUNTER_ROTATING, APPROXIMATION),
    ),
    Mutant(
        "detuned-cavity-sign",
        "the cavity's detuning written −Δ_c c†c in the RWA rung",
        "src/gravsim/model/rungs.py",
        (
            (
                'HamiltonianTerm(p.Delta_c, (cre("c"), ann("c")), False, "Δ_c c†c")',
                'HamiltonianTerm(-np.asarray(p.Delta_c), (cre("c"), ann("c")), False, "Δ_c c†c")',
            ),
        ),
        (
            "tests/model/test_device.py::test_the_imperfect_rwa_rung_equals_its_conventions_written_by_hand",
        ),
    ),
    Mutant(
        "eliminated-cavity-shift-sign",
        "the detuned cavity's shift +Δ_c/(κ²/4 + Δ_c²) L†L in the effective rung",
        "src/gravsim/model/rungs.py",
        (
            (
                "rate, shift = p.kappa / width, -np.asarray(p.Delta_c) / width",
                "rate, shift = p.kappa / width, np.asarray(p.Delta_c) / width",
            ),
        ),
        ("tests/model/test_device.py::test_validate_passes_at_a_modestly_imperfect_point",),
    ),
    Mutant(
        "heating-correlation-sign",
        "the heating kernel's cross term with the wrong sign (anticorrelated for corr > 0)",
        "src/gravsim/model/device.py",
        (
            (
                "return a, b, np.asarray(self.heating_corr) * np.sqrt(a * b)",
                "return a, b, -np.asarray(self.heating_corr) * np.sqrt(a * b)",
            ),
        ),
        (
            "tests/model/test_device.py::test_common_heating_is_one_collective_noise_on_the_sum_mode",
            "tests/model/test_device.py::test_the_imperfect_rwa_rung_equals_its_conventions_written_by_hand",
        ),
    ),
    Mutant(
        "l0-mean-coupling",
        "L0's displaced frame couples each oscillator to the field with the mean g, not g_j",
        "src/gravsim/model/rungs.py",
        (
            (
                "terms += _field_coupling(f, g_j, j, w)",
                "terms += _field_coupling(f, sum(g) / 2, j, w)",
            ),
        ),
        ("tests/model/test_device.py::test_the_periodic_rungs_take_every_imperfection",),
    ),
    Mutant(
        "dp-mutual-sign",
        "Diósi–Penrose's mutual term with the wrong sign (the centre of mass decohering faster)",
        "src/gravsim/model/collapse.py",
        (("return -G_NEWTON * np.sqrt(m_a * m_b)", "return G_NEWTON * np.sqrt(m_a * m_b)"),),
        (
            "tests/model/test_gravity.py::"
            "test_diosi_penrose_mutual_term_is_the_functional_of_two_displaced_spheres",
        ),
    ),
    Mutant(
        "eq19-delta-E-root-shift",
        "the closed form's ΔE loses the sign of δ sqrt(Σ² − 4Δ) (closed_form/effective/eq19.py)",
        "src/gravsim/closed_form/effective/eq19.py",
        (
            (
                "    d_u = d_sigma + d_x / (root0 + root1)",
                "    d_u = d_sigma - d_x / (root0 + root1)",
            ),
        ),
        (
            "tests/closed_form/test_effective.py::"
            "test_eq19_delta_E_is_its_own_and_agrees_with_the_lyapunov_solve",
            "tests/workflows/test_steady.py::test_closed_form_delta_E_is_cancellation_free",
        ),
    ),
    Mutant(
        "k_M-sign-coupling",
        "the sign of k_M flipped in the coherent coupling (model/diffusion.py)",
        "src/gravsim/model/diffusion.py",
        (("    k = p.k_M\n", "    k = -p.k_M\n"),),
        (RUNG_TERMS, EFFECTIVE_COVARIANCE),
    ),
    Mutant(
        "k_M-sign-parameters",
        "the sign of k_M flipped in Parameters.k_M",
        "src/gravsim/model/parameters.py",
        (
            (
                'return self._get("k_M", self.k_G + self.k_others)',
                'return self._get("k_M", -(self.k_G + self.k_others))',
            ),
        ),
        (RUNG_TERMS, PARAMETERS),
    ),
    Mutant(
        "rwa-gravity-diffusion-factor-2",
        "the factor 2 of the RWA gravity diffusion dropped: κ D[j] + κ D[j†]",
        "src/gravsim/model/diffusion.py",
        (
            ("2 * rate, ((1.0, ann(mode)),)", "rate, ((1.0, ann(mode)),)"),
            ("2 * rate, ((1.0, cre(mode)),)", "rate, ((1.0, cre(mode)),)"),
        ),
        (f"{RUNG_TERMS}::test_rwa_rung", EFFECTIVE_COVARIANCE, GRAVITY),
    ),
    Mutant(
        "validate-ratio-limit-x100",
        "validate's rung-pair ratio limit 3 → 300 (no check can fail)",
        "src/gravsim/workflows/ladder_checks.py",
        (("RATIO_LIMIT = 3.0\n", "RATIO_LIMIT = 300.0\n"),),
        (
            f"{COUNTER_ROTATING}::test_the_rotating_wave_check_fails_for_an_estimate_ten_times_off",
            VALIDATE,
        ),
    ),
    Mutant(
        "truncation-error-halved",
        "the Fock truncation error estimate halved",
        "src/gravsim/fock/truncation.py",
        (),
        (TRUNCATION,),
        alternatives=(
            (  # the series estimator (2026-12 rewrite)
                (
                    "    error = max(b_m + b_c, ROUNDING * max(1.0, abs(value)))\n",
                    "    error = 0.5 * max(b_m + b_c, ROUNDING * max(1.0, abs(value)))\n",
                ),
            ),
            (  # estimate(values): the last-differences rule
                (
                    "    error = max(error, ROUNDING * max(1.0, abs(value)))\n"
                    "    return Estimate(value, error, extrapolated, tuple(values))\n",
                    "    error = 0.5 * max(error, ROUNDING * max(1.0, abs(value)))\n"
                    "    return Estimate(value, error, extrapolated, tuple(values))\n",
                ),
            ),
        ),
        fallback=("class Estimate", _TRUNCATION_WRAPPER),
    ),
    Mutant(
        "thermal-n-plus-1",
        "the thermal bath's γ_m(n̄+1)D[j] becomes γ_m n̄ D[j] (its γ_m D[j] part dropped)",
        "src/gravsim/model/rungs.py",
        (
            (
                'out.append(JumpOperator(gamma, ((1.0, ann(j)),), f"γ_{j} D[{j}]"))',
                "pass  # mutant: γ_j D[j] dropped",
            ),
        ),
        (f"{RUNG_TERMS}::test_effective_rung", EFFECTIVE_COVARIANCE, LYAPUNOV),
    ),
    Mutant(
        "rwa-G-swapped",
        "G₊ and G₋ swapped in the RWA rung",
        "src/gravsim/model/rungs.py",
        (
            (
                'HamiltonianTerm(g_minus, (cre("c"), ann(j))',
                'HamiltonianTerm(g_plus, (cre("c"), ann(j))',
            ),
            (
                'HamiltonianTerm(g_plus, (cre("c"), cre(j))',
                'HamiltonianTerm(g_minus, (cre("c"), cre(j))',
            ),
        ),
        (f"{RUNG_TERMS}::test_rwa_rung", APPROXIMATION),
    ),
    Mutant(
        "Gamma-2G2",
        "Γ = 4G²/κ → 2G²/κ (Parameters.Gamma)",
        "src/gravsim/model/parameters.py",
        (
            (
                "return 4 * (self.G_minus - self.G_plus) * (self.G_minus + self.G_plus)",
                "return 2 * (self.G_minus - self.G_plus) * (self.G_minus + self.G_plus)",
            ),
        ),
        (f"{RUNG_TERMS}::test_effective_rung", PARAMETERS),
    ),
    Mutant(
        "double-reservoir-default",
        "the effective rung's default reservoir made double: Γ(D[β₁] + D[β₂])",
        "src/gravsim/model/rungs.py",
        (('reservoir: str = "collective"', 'reservoir: str = "double"'),),
        (f"{RUNG_TERMS}::test_effective_rung", EFFECTIVE_COVARIANCE, CLOSED_FORM),
    ),
    Mutant(
        "E_N-log-base",
        "E_N's log-base factor wrong: ln 2 → log₁₀ 2",
        "src/gravsim/analysis/entanglement.py",
        (("else float(np.log(2.0))", "else float(np.log10(2.0))"),),
        (f"{LYAPUNOV}::test_two_mode_squeezed_vacuum_has_E_N_2r", LYAPUNOV),
    ),
    Mutant(
        "eq19-k2-coefficient",
        "closed form Eq. (19): 3k² → 2k² in ⟨a†a⟩'s numerator",
        "src/gravsim/closed_form/effective/eq19.py",
        (
            (
                "th_a = g * Delta + G * (gG * gG + (2.0 * W - k) ** 2 + 3.0 * k2)",
                "th_a = g * Delta + G * (gG * gG + (2.0 * W - k) ** 2 + 2.0 * k2)",
            ),
        ),
        (EFFECTIVE_COVARIANCE, CLOSED_FORM),
    ),
    Mutant(
        "eq19-kappa_G-drive",
        "closed form Eq. (19): the drive of ⟨ab†⟩, ⟨a†b⟩ takes κ_G instead of 2κ_G",
        "src/gravsim/closed_form/effective/eq19.py",
        (("drive = g * (n - sh2) + 2.0 * kg", "drive = g * (n - sh2) + kg"),),
        (EFFECTIVE_COVARIANCE, CLOSED_FORM),
    ),
    Mutant(
        "lyapunov-residual-transpose",
        "the Lyapunov residual's transpose dropped: A V + V A + D",
        "src/gravsim/gaussian/lyapunov.py",
        (
            (
                "res = a @ v + v @ np.swapaxes(a, -1, -2) + d",
                "res = a @ v + v @ a + d",
            ),
        ),
        (f"{LYAPUNOV}::test_lyapunov_residual_is_at_rounding_level",),
    ),
    Mutant(
        "lyapunov-operator-transpose",
        "the Lyapunov operator's transpose dropped: A V + V A instead of A V + V Aᵀ",
        "src/gravsim/gaussian/lyapunov.py",
        (
            (
                "tensor[j, k, e, index[i, k]] += 1.0  # V_ik A_jk",
                "tensor[k, j, e, index[i, k]] += 1.0  # V_ik A_kj",
            ),
        ),
        (EFFECTIVE_COVARIANCE, LYAPUNOV),
    ),
    Mutant(
        "adiabatic-one-order",
        "the adiabatic-elimination estimate keeps one order of the series instead of two",
        "src/gravsim/gaussian/approximation_errors.py",
        (("ADIABATIC_ORDERS = 2\n", "ADIABATIC_ORDERS = 1\n"),),
        (f"{APPROXIMATION}::test_adiabatic_estimate_predicts_rwa_minus_effective",),
    ),
    Mutant(
        "floquet-average-half-true-period",
        "L1's period average over the first quarter of the samples (half of the true period π/ω_m)",
        "src/gravsim/gaussian/floquet.py",
        (
            (
                "out[key] = float(np.mean(series))",
                "out[key] = float(np.mean(series[: len(series) // 4]))",
            ),
        ),
        (f"{APPROXIMATION}::test_rotating_wave_estimate_predicts_linear_minus_rwa",),
    ),
    Mutant(
        "ktm-rwa-form-above-rwa",
        "KTM above the RWA written as 2κ_G(D[j] + D[j†]) instead of 2κ_G D[j + j†]",
        "src/gravsim/model/diffusion.py",
        (
            (
                "            if rwa:\n                out.append(",
                "            if True:\n                out.append(",
            ),
        ),
        (f"{RUNG_TERMS}::test_conventional_rung", RUNG_TERMS),
    ),
    Mutant(
        "Omega-sign-of-b",
        "the frequency difference written Ω(a†a + b†b)",
        "src/gravsim/model/rungs.py",
        (
            (
                'HamiltonianTerm(-np.asarray(p.Omega), (cre("b"), ann("b"))',
                'HamiltonianTerm(np.asarray(p.Omega), (cre("b"), ann("b"))',
            ),
        ),
        (f"{RUNG_TERMS}::test_rwa_rung", RUNG_TERMS),
    ),
    Mutant(
        "cavity-decay-half-in-rwa",
        "κ D[c] → (κ/2) D[c] in the cavity's decay (the RWA rung and L0)",
        "src/gravsim/model/rungs.py",
        (
            (
                'out = [JumpOperator(p.kappa, ((1.0, ann(mode)),), f"κ D[{mode}]")]',
                'out = [JumpOperator(p.kappa / 2, ((1.0, ann(mode)),), f"κ D[{mode}]")]',
            ),
        ),
        (f"{RUNG_TERMS}::test_rwa_rung", APPROXIMATION),
    ),
    Mutant(
        "diosi-penrose-pi-over-6",
        "Diósi–Penrose's rate (π/3)Gρ/ω_m → (π/6)Gρ/ω_m",
        "src/gravsim/model/collapse.py",
        (("return (math.pi / 3) * G_NEWTON", "return (math.pi / 6) * G_NEWTON"),),
        (f"{RUNG_TERMS}::test_collapse_models_add_their_position_diffusion", GRAVITY),
    ),
    Mutant(
        "ktm-unequal-rates-swapped",
        "KTM's feedback noise on a uses Γ_a instead of Γ_b",
        "src/gravsim/model/gravity.py",
        (
            (
                "K**2 * x2_a / (4 * self.Gamma_b * HBAR)\n",
                "K**2 * x2_a / (4 * self.Gamma_a * HBAR)\n",
            ),
        ),
        (f"{RUNG_TERMS}::test_ktm_rates_at_unequal_measurement_rates",),
    ),
    Mutant(
        "negativity-floor-too-high",
        "E_N's rounding floor a million times eigvalsh's backward error: real entanglement lost",
        "src/gravsim/analysis/entanglement.py",
        (
            (
                "rounding = eigenvalues.size * np.finfo(float).eps * np.max",
                "rounding = 1e6 * eigenvalues.size * np.finfo(float).eps * np.max",
            ),
        ),
        ("tests/analysis/test_entanglement.py",),
    ),
    Mutant(
        "regime-threshold-lax",
        "a rung's approximation said broken only at ε ≥ 1000, not at ε ≥ 1",
        "src/gravsim/model/regime.py",
        (("if applies and worst >= 1:\n", "if applies and worst >= 1e3:\n"),),
        (
            "tests/cli/test_bad_input.py::test_unphysical_extremes_are_answered_with_a_regime_warning",
        ),  # noqa: E501
    ),
)

CANARY_MODULE = "_mutants_canary"
CANARY_TEST = "tests/test_zz_mutants_canary.py"
_CANARY_SOURCE = '''"""Written by tools/mutants.py into its copy only: its tests import the copy."""

import os
import subprocess
import sys
from pathlib import Path

import gravsim
import tests

COPY = Path(__file__).resolve().parents[1]


def test_the_copy_is_imported():
    assert Path(gravsim.__file__).resolve().is_relative_to(COPY / "src"), gravsim.__file__
    assert Path(tests.__file__).resolve().is_relative_to(COPY), tests.__file__
    from gravsim import {module}  # noqa: F401  (exists in the copy only)

    out = subprocess.run(
        [sys.executable, "-c", "import gravsim; print(gravsim.__file__)"],
        capture_output=True, text=True, env=os.environ, check=True,
    )
    assert Path(out.stdout.strip()).resolve().is_relative_to(COPY / "src"), out.stdout
'''


@dataclass
class Outcome:
    """What one mutant run gave."""

    mutant: Mutant
    status: str
    seconds: float = 0.0
    by: str = ""
    note: str = ""
    output: str = ""


# ------------------------------------------------------------------------------------------
# Applying mutants
# ------------------------------------------------------------------------------------------


class StaleMutant(Exception):
    """A mutant's text does not match exactly once."""


def _apply(text: str, edits: Edits) -> str:
    for old, new in edits:
        count = text.count(old)
        if count != 1:
            raise StaleMutant(f"{old.strip()[:70]!r} matches {count} times (needs exactly 1)")
        text = text.replace(old, new)
    return text


def mutate(text: str, mutant: Mutant) -> tuple[str, str]:
    """The mutated text and a note saying which candidates applied.

    Raises
    ------
    StaleMutant
        If an edit does not match exactly once (or, with alternatives, none does).
    """
    if not mutant.alternatives:
        return _apply(text, mutant.edits), ""
    applied, reasons = [], []
    for k, candidate in enumerate(mutant.alternatives, 1):
        try:
            text = _apply(text, candidate)
            applied.append(k)
        except StaleMutant as exc:
            reasons.append(f"candidate {k}: {exc}")
    if not applied and mutant.fallback and mutant.fallback[0] in text:
        applied.append("the fallback")
        text += mutant.fallback[1]
    if not applied:
        raise StaleMutant("; ".join(reasons))
    total = len(mutant.alternatives)
    if applied == ["the fallback"]:
        return text, f"none of the {total} candidates matched: appended the fallback"
    return text, "applied candidate(s) " + ", ".join(map(str, applied)) + f" of {total}"


# ------------------------------------------------------------------------------------------
# The copy and pytest
# ------------------------------------------------------------------------------------------


def copy_repository(repo: Path, dest: Path) -> int:
    """Copy the working-tree files git knows of (tracked and untracked, not ignored)."""
    listed = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    count = 0
    for raw in listed:
        if not raw:
            continue
        rel = os.fsdecode(raw)
        src = repo / rel
        if not src.is_file():  # deleted in the working tree
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target, follow_symlinks=False)
        count += 1
    return count


def _environment(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(copy / "src"),
        PYTHONDONTWRITEBYTECODE="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
    )
    return env


def run_pytest(copy: Path, args: list[str], timeout: float) -> tuple[int | None, str, float]:
    """(exit code or None on timeout, output, seconds) of pytest in the copy."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE", *args]
    start = time.monotonic()
    proc = subprocess.Popen(
        command,
        cwd=copy,
        env=_environment(copy),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the run started here, with its children
        out, _ = proc.communicate()
        code = None
    return code, out, time.monotonic() - start


def failed_tests(output: str) -> list[str]:
    """Node ids of the FAILED and ERROR lines of pytest's short summary."""
    ids = []
    for line in output.splitlines():
        for tag in ("FAILED ", "ERROR "):
            if line.startswith(tag):
                ids.append(line[len(tag) :].split(" - ")[0].strip())
    return ids


def _existing(copy: Path, tests: tuple[str, ...]) -> list[str]:
    return [t for t in tests if (copy / t.split("::")[0]).is_file()]


def _belongs(node: str, tests: list[str]) -> bool:
    return any(node == t or node.startswith(t + "::") or node.startswith(t + "[") for t in tests)


def run_mutant(
    copy: Path, mutant: Mutant, broken: list[str], timeout: float, stop: bool
) -> Outcome:
    """Apply ``mutant`` to the copy, run its tests, restore the file."""
    tests = _existing(copy, mutant.tests)
    missing = [t for t in mutant.tests if t not in tests]
    note = f"missing: {', '.join(missing)}" if missing else ""
    target = copy / mutant.path
    original = target.read_text(encoding="utf-8")
    try:
        mutated, applied = mutate(original, mutant)
    except StaleMutant as exc:
        return Outcome(mutant, "stale", note=str(exc))
    note = "; ".join(n for n in (applied, note) if n)
    if not tests:
        return Outcome(mutant, "untested", note=note or "no test files")
    deselect = [node for node in broken if _belongs(node, tests)]
    if deselect:
        left_out = f"{len(deselect)} test(s) failing unmutated left out"
        note = "; ".join(n for n in (note, left_out) if n)
    args = (["-x"] if stop else []) + [a for node in deselect for a in ("--deselect", node)]
    target.write_text(mutated, encoding="utf-8")
    try:
        code, out, seconds = run_pytest(copy, args + tests, timeout)
    finally:
        target.write_text(original, encoding="utf-8")
    if code is None:
        return Outcome(mutant, "caught", seconds, f"timeout after {timeout:g} s", note, out)
    if code == 0:
        return Outcome(mutant, "SURVIVED", seconds, "", note, out)
    if code == 5:
        return Outcome(mutant, "untested", seconds, "", note + "; no test collected", out)
    if code in (1, 2):
        by = ", ".join(failed_tests(out)[:3]) or f"exit {code}"
        return Outcome(mutant, "caught", seconds, by, note, out)
    return Outcome(mutant, "error", seconds, f"pytest exit {code}", note, out)


def check_canary(copy: Path, timeout: float) -> None:
    """Stop (exit 2) unless the copy's tests, and their subprocesses, import the copy."""
    (copy / "src" / "gravsim" / f"{CANARY_MODULE}.py").write_text("COPY = True\n")
    (copy / CANARY_TEST).write_text(_CANARY_SOURCE.replace("{module}", CANARY_MODULE))
    code, out, _ = run_pytest(copy, [CANARY_TEST], timeout)
    (copy / "src" / "gravsim" / f"{CANARY_MODULE}.py").unlink()
    (copy / CANARY_TEST).unlink()
    if code != 0:
        print(out[-3000:])
        sys.exit("canary: the copy's tests do not import the copy's gravsim; nothing was run")
    print("canary: the copy's tests import the copy's gravsim (and so do their subprocesses)")


def baseline(copy: Path, mutants: list[Mutant], timeout: float) -> list[str]:
    """Node ids of the mutants' tests that fail on the unmutated copy."""
    tests: list[str] = []
    for m in mutants:
        tests += [t for t in _existing(copy, m.tests) if t not in tests]
    whole = {t for t in tests if "::" not in t}
    tests = [t for t in tests if "::" not in t or t.split("::")[0] not in whole]
    if not tests:
        return []
    code, out, seconds = run_pytest(copy, tests, 4 * timeout)
    broken = failed_tests(out)
    status = "timed out" if code is None else f"{len(broken)} failing"
    print(f"baseline: {len(tests)} test files/ids unmutated in {seconds:.0f} s, {status}")
    for node in broken:
        print(f"  fails unmutated (left out of the mutant runs): {node}")
    if code not in (0, 1):
        print(out[-3000:])
        sys.exit(f"baseline: pytest exit {code}: fix the set-up first")
    return broken


# ------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------


def _list(repo: Path, mutants: list[Mutant]) -> int:
    for m in mutants:
        path = repo / m.path
        try:
            _, note = mutate(path.read_text(encoding="utf-8"), m)
            state = "applies" + (f" ({note})" if note else "")
        except StaleMutant as exc:
            state = f"STALE: {exc}"
        except OSError as exc:
            state = f"STALE: {exc}"
        print(f"{m.name}\n    {m.description}\n    {m.path}: {state}")
        for t in m.tests:
            present = "" if (repo / t.split("::")[0]).is_file() else "   (missing)"
            print(f"    test: {t}{present}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these mutants")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per pytest run")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    parser.add_argument("--all", action="store_true", help="run every test (no -x)")
    parser.add_argument("--keep", action="store_true", help="keep the copy")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    names = {m.name: m for m in MUTANTS}
    unknown = [n for n in args.only or () if n not in names]
    if unknown:
        parser.error(f"unknown mutant(s) {', '.join(unknown)}: choose from {', '.join(names)}")
    mutants = [names[n] for n in args.only] if args.only else list(MUTANTS)
    if args.list:
        return _list(repo, mutants)

    copy = Path(tempfile.mkdtemp(prefix="gravsim-mutants-"))
    try:
        print(f"copied {copy_repository(repo, copy)} files of {repo} to {copy}")
        check_canary(copy, args.timeout)
        broken = [] if args.no_baseline else baseline(copy, mutants, args.timeout)
        outcomes = []
        for m in mutants:
            outcome = run_mutant(copy, m, broken, args.timeout, stop=not args.all)
            outcomes.append(outcome)
            line = f"{outcome.status:9} {m.name:34} {outcome.seconds:6.1f} s"
            print(line + (f"  by {outcome.by}" if outcome.by else ""), flush=True)
            if outcome.note:
                print(f"{'':9} {'':34} {'':8}  ({outcome.note})")
            if outcome.status in ("SURVIVED", "error"):
                print("\n".join("    | " + s for s in outcome.output.splitlines()[-8:]))
    finally:
        if args.keep:
            print(f"kept the copy: {copy}")
        else:
            shutil.rmtree(copy, ignore_errors=True)
    caught = sum(o.status == "caught" for o in outcomes)
    print(f"score: {caught}/{len(outcomes)} caught")
    if any(o.status in ("stale", "error") for o in outcomes):
        return 2
    return 0 if caught == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
