"""Bad and extreme input, every subcommand × every input class: one line, the right exit code.

Exit 2 is bad input (the message names the problem and the fix), 3 a numerical failure; no
traceback ever.  The tables run ``gravsim.cli.main`` in this process (the console script's
code after start-up, many cases in seconds); the last tests go through the real console
entry point in a subprocess.  Extreme but valid input exits 0 with JSON a strict parser
reads (non-finite numbers as null, named under "non_finite").
"""

from __future__ import annotations

import pytest

from tests.conftest import gravsim, one_error_line, strict_json
from tests.conftest import gravsim_in_process as run

#: Commands that write files, with the flag that names their folder.
WRITERS = {
    "scan": ["scan", "--grid", "Q_m=1e10,1e11", "--no-progress", "--out"],
    "evolve": ["evolve", "--t-final", "10/Gamma", "--n-times", "5", "--no-progress", "--out"],
    "figure": ["figure", "fig3", "--out"],
    "budget": ["budget", "--plot-out"],
}
#: Every command that reads parameters, in a quick form.
POINT = {
    "params": ["params"],
    "steady": ["steady"],
    "evolve": ["evolve", "--t-final", "10/Gamma", "--n-times", "5", "--no-progress"],
    "scan": ["scan", "--grid", "Q_m=1e10,1e11", "--no-progress"],
    "budget": ["budget"],
    "validate": ["validate", "--no-fock"],
}


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize(
    "where,needle",
    [
        ("file.txt", "is a file"),
        ("file.txt/sub", "cannot create"),
        ("/proc/gravsim-out", "cannot create"),
        ("", "is empty"),
    ],
)
def test_folder_that_cannot_be_written(tmp_path, command, where, needle):
    (tmp_path / "file.txt").write_text("a user's file\n")
    out = run(*WRITERS[command], where, cwd=tmp_path)
    assert needle in one_error_line(out, 2)
    assert (tmp_path / "file.txt").read_text() == "a user's file\n"


@pytest.mark.parametrize("command", POINT)
@pytest.mark.parametrize(
    "setting,needle",
    [
        ("omega_m=1e-320", "Omega must be < omega_m"),
        ("T=1e308", "n_th = inf"),
        ("g=1e200", "not a finite float64"),
        ("Omega=2*pi*60", "Omega must be < omega_m"),
        ("kappa=nan", "not finite"),
        ("gamma_m=-1", "gamma_m must be >= 0"),
        ("T=1", "give one of them"),  # with --set n_th=3 below: T would have no effect
    ],
)
def test_parameters_out_of_range(tmp_path, command, setting, needle):
    extra = ["--set", "n_th=3"] if setting == "T=1" else []
    out = run(*POINT[command], "--set", setting, *extra, cwd=tmp_path)
    assert needle in one_error_line(out, 2)
    assert not any(tmp_path.iterdir())  # refused before writing anything


#: A short Fock transient on the small preset, the start of the option cases below.
EVOLVE_FOCK = ["evolve", "--preset", "small", "--backend", "fock", "--t-final", "1s"]


@pytest.mark.parametrize(
    "args,code,needle",
    [
        (["evolve", "--t-final", "1s", "--n-init", "nan"], 2, "--n-init"),
        (["evolve", "--t-final", "1s", "--n-init", "1", "--ground"], 2, "--ground"),
        (["evolve", "--t-final", "1s", "--n-times", "0"], 2, "--n-times"),
        (["evolve", "--t-final", "0s"], 2, "duration"),
        (["evolve", "--t-final", "1s", "--n-init", "1e308"], 3, "--n-init"),
        ([*EVOLVE_FOCK, "--n-mech", "1"], 2, "--n-mech"),
        ([*EVOLVE_FOCK, "--truncation-error", "-1"], 2, "--truncation-error"),
        ([*EVOLVE_FOCK, "--truncation-error", "100"], 2, "--truncation-error"),
        (["steady", "--backend", "fock", "--preset", "small", "--n-mech", "1"], 2, "--n-mech"),
        (["steady", "--n-cav", "0"], 2, "--n-cav"),
        (
            [
                "steady",
                "--model",
                "rwa",
                "--backend",
                "fock",
                "--preset",
                "small",
                "--n-mech",
                "40",
                "--n-cav",
                "10",
            ],
            2,
            "GiB",
        ),
        (["steady", "--set", "gamma_m=0", "--set", "Omega=0", "--set", "k_M=0"], 2, "no steady"),
        (["steady", "--set", "Q_m=1e-300"], 3, "overflows float64"),
        (["validate", "--no-fock", "--set", "kappa=1e-300"], 3, "not finite"),
        (["budget", "--set", "n_th=1e300"], 3, "exact relative entropy"),
        (["validate", "--n-mech", "1"], 2, "--n-mech"),
        (["budget", "--set", "k_G=0"], 2, "kappa_G = 0"),
        (["budget", "--efficiency", "nan"], 2, "--efficiency"),
        (["budget", "--error-probability", "0.5"], 2, "--error-probability"),
        (["budget", "--added-noise", "-1"], 2, "--added-noise"),
        (["scan", "--grid", "E_plus=lin:1:2"], 2, "START:STOP:N"),
        (["scan", "--grid", "Q_m=log:-1:1:3"], 2, "log axis"),
        (["steady", "--set", "nosuch=1"], 2, "unknown"),
        (["steady", "--preset", "nosuch"], 2, "unknown preset"),
        (["optimize", "--vary", "kG_convention"], 2, "a choice, not a number"),
        (["steady", "--compare", "quantum"], 2, "names one hypothesis"),
        (
            ["steady", "--preset", "small", "--backend", "fock", "--n-mech", "4", "--tol", "1e-30"],
            2,
            "below what a Fock solve can certify",
        ),
        (["steady", "--gravity", "ktm", "--compare", "quantum,diosi-penrose"], 2, "together"),
        (["evolve", "--t-final", "5"], 2, "has no unit"),
        (["steady", "--set", "radius=0"], 2, "radius must be > 0"),
        (["hypotheses", "--samples", "0"], 2, "--samples must be"),
        (["optimize", "--set", "G_plus=0.3"], 2, "G_plus is given with --set, but E_plus"),
        (["scan", "--grid", "T=0.01,0.02", "--set", "n_th=1"], 2, "n_th is given with --set"),
        (["scan", "--grid", "g=1,2", "--set", "g_a=2"], 2, "sets both oscillators"),
        (["steady", "--set", "E_plus=" + "*".join(["1"] * 3000)], 2, "characters long"),
        (["steady", "--set", "E_plus=" + "-" * 5000 + "1"], 2, "characters long"),
        # from the probe of 2026-12-07: each once a message that misled, or exit 3
        (["evolve", "--t-final", "inf s"], 2, "not a finite time"),
        (["evolve", "--t-final", "5 parsecs"], 2, "the unit 'parsecs', which is not one"),
        (["evolve", "--t-final", "10/bogus"], 2, "'bogus' is no rate"),
        (["steady", "--gravity", "ktm:Gamma_a=1,Gamma_b=1"], 2, "separated by ':'"),
        (["budget", "--out", "/proc/x"], 2, "the --out folder"),
        (["steady", "--gravity", "diosi-penrose:cutoff=1e-300"], 2, "nuclear size"),
        (["evolve", "--t-final", "10s", "--n-times", "1000000"], 2, "--grid log"),
        (["optimize", "--vary", "E_plus", "--bounds", "E_plus=-10:50"], 2, "must be >= 0"),
    ],
)
def test_bad_options(tmp_path, args, code, needle):
    out = run(*args, cwd=tmp_path)
    assert needle in one_error_line(out, code)


@pytest.mark.parametrize(
    "args,null",
    [
        (["steady", "--set", "gamma_m=0"], "parameters.Q_m"),
        (["budget", "--set", "E_plus=0"], "samples_estimate_E_N"),
        (["budget", "--set", "T=1e6"], "samples_estimate_E_N"),
        (["params", "--set", "gamma_m=0"], "parameters.Q_m"),
    ],
)
def test_extreme_valid_input_gives_strict_json(tmp_path, args, null):
    out = run(*args, "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    assert null in data["non_finite"]


@pytest.mark.parametrize(
    "setting,key,value",
    [
        ("kappa_G=1e300", "E_N_classical", 0.0),
        ("n_th=1e300", "E_N_quantum", 0.0),
        ("k_G=0", "delta_E", 0.0),  # gravity off: no KTM noise, ΔE = 0 (a 0/0 residual once)
    ],
)
def test_huge_rates_are_answered_not_overflowed(tmp_path, setting, key, value):
    """A KTM rate or a bath 10³⁰⁰ above the rest: no entanglement left, said without NaN."""
    out = run("steady", "--set", setting, "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert strict_json(out.stdout)[key] == value


def test_gamma_m_zero_is_said(tmp_path):
    out = run("steady", "--set", "gamma_m=0", cwd=tmp_path)
    assert out.returncode == 0
    assert "gravsim: warning: gamma_m = 0" in out.stderr


def test_options_without_effect_are_said(tmp_path):
    out = run("steady", "--n-mech", "12", "--frame", "undisplaced", cwd=tmp_path)
    assert out.returncode == 0
    assert "--n-mech has no effect" in out.stderr and "--frame has no effect" in out.stderr
    out = run("validate", "--no-fock", "--n-mech", "6", cwd=tmp_path)
    assert out.returncode == 0 and "--n-mech has no effect" in out.stderr


def test_help_names_the_exit_codes_and_version(tmp_path):
    out = gravsim("scan", "--help", cwd=tmp_path)
    assert out.returncode == 0 and "exit codes" in out.stdout and "numerical" in out.stdout
    top = gravsim("--help", cwd=tmp_path)  # a '%' in a subcommand's help once broke it
    assert top.returncode == 0 and "tolerances" in top.stdout, top.stderr[-500:]
    version = gravsim("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("gravsim ")


def test_console_script_one_line(tmp_path):
    """The real entry point: bad input and a folder that is a file, in a subprocess."""
    assert "Omega must be" in one_error_line(gravsim("steady", "--set", "Omega=1e3"), 2)
    (tmp_path / "f").write_text("")
    out = gravsim("scan", "--grid", "Q_m=1e10,2e10", "--out", "f", cwd=tmp_path)
    assert "is a file" in one_error_line(out, 2)


@pytest.mark.parametrize(
    "args",
    [
        ["hypotheses", "--preset", "small", "--samples", "1000", "--json"],
        ["budget", "--preset", "small", "--json"],
        ["budget", "--set", "kappa_G=1e10", "--json"],
        ["optimize", "--vary", "Q_m", "--no-progress", "--json"],
        ["optimize", "--vary", "T", "--no-progress", "--json"],
        ["steady", "--model", "linear", "--set", "E_plus=0", "--json"],
    ],
    ids=[
        "hypotheses-samples",
        "budget-small",
        "budget-kappa_G",
        "vary-Q_m",
        "vary-T",
        "linear-one-tone",
    ],
)
def test_ordinary_inputs_that_once_were_internal_errors(tmp_path, args):
    """Orthogonal states (1 − F = 1 to float64) once hit log1p's domain; a search over an
    input no constraint depends on once returned a scalar penalty; one tone (E₊ = 0) left
    the classical orbit without its α₊₁ harmonic, which L0's notes read: each now answers."""
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    strict_json(out.stdout)


def test_budget_sweep_can_be_quiet(tmp_path):
    """`budget --plot-out DIR --no-progress`: nothing on stderr but the warnings' lines."""
    out = run("budget", "--plot-out", str(tmp_path / "b"), "--no-progress", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "budget vs Q_m" not in out.stderr


def test_budget_takes_out_like_every_command(tmp_path):
    """`budget --out DIR` writes the run, as `--plot-out DIR` (kept) does."""
    for flag, name in (("--out", "a"), ("--plot-out", "b")):
        out = run("budget", flag, str(tmp_path / name), "--no-progress", "--json", cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert (tmp_path / name / "budget_vs_Qm.csv").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["steady", "--set", "T=1e30"], "gold's melting point"),
        (["steady", "--set", "kappa=1e300"], "rotating-wave approximation does not hold"),
        (["steady", "--model", "closed-form", "--set", "kappa=1e300"], "rotating-wave"),
        (["steady", "--set", "kappa_G=1e300"], "ktm: its decoherence rate is"),
        (["steady", "--model", "effective", "--set", "kappa=2"], "adiabatic elimination"),
        (["steady", "--set", "Q_m=1e-5"], "Q below 1"),
        (["steady", "--set", "Delta_m=1e3"], "tones are mis-set"),
        (["steady", "--preset", "small", "--set", "kappa_G=0.001"], "not a KTM model"),
        (
            [
                "evolve",
                "--preset",
                "small",
                "--set",
                "kappa=50",
                "--t-final",
                "1s",
                "--out",
                "e",
                "--no-progress",
            ],
            "rotating-wave approximation does not hold",
        ),
        (["budget", "--set", "kappa=1e300"], "rotating-wave approximation does not hold"),
        (["budget", "--preset", "small", "--set", "T=1e30"], "gold's melting point"),
        (["hypotheses", "--preset", "small", "--set", "kappa=50"], "rotating-wave approx"),
        (["steady", "--set", "d=1e-6", "--set", "kG_convention=point-mass"], "spheres overlap"),
        (["steady", "--set", "d=1e-6"], "spheres overlap"),  # k_M is computed from d
        (["steady", "--set", "n_th=1e30"], "gold's melting point"),  # n̄ read as its T
        (["params", "--set", "d=1e-6"], "spheres overlap"),
    ],
)
def test_unphysical_extremes_are_answered_with_a_regime_warning(tmp_path, args, needle):
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    warnings = [x for x in out.stderr.splitlines() if x.startswith("gravsim: warning:")]
    assert any(needle in w for w in warnings), out.stderr


def test_the_paper_point_draws_no_regime_warning(tmp_path):
    out = run("steady", "--json", cwd=tmp_path)
    assert out.returncode == 0 and "warning" not in out.stderr, out.stderr


@pytest.mark.parametrize("args", [["steady", "--model", "closed-form", "--set", "T=1e30"]])
def test_no_raw_numpy_warning_reaches_the_user(tmp_path, args):
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 0
    assert "encountered" not in out.stderr, out.stderr


def test_another_library_s_warning_is_said_in_gravsim_s_words(tmp_path, monkeypatch):
    import warnings

    from gravsim.workflows import steady

    compute = steady.compute

    def noisy(*a, **k):
        warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
        return compute(*a, **k)

    monkeypatch.setattr(steady, "compute", noisy)
    out = run("steady", cwd=tmp_path)
    lines = [x for x in out.stderr.splitlines() if x.startswith("gravsim: warning:")]
    assert len(lines) == 1 and "floating-point trouble" in lines[0]
    assert "(RuntimeWarning: overflow encountered in exp)" in lines[0]


def test_an_unentangled_fock_state_prints_zero(tmp_path):
    """One tone (E₊ = 0) cools without squeezing: no entanglement, so every E_N, its
    extrapolation and ΔE print 0 exactly, not the eigensolver's ~1e-15."""
    args = [
        "steady",
        "--preset",
        "small",
        "--model",
        "effective",
        "--backend",
        "fock",
        "--n-mech",
        "6",
        "--set",
        "E_plus=0",
        "--json",
    ]
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    for key in (
        "E_N_quantum",
        "E_N_classical",
        "delta_E",
        "E_N_extrapolated_quantum",
        "E_N_extrapolated_classical",
        "delta_E_extrapolated",
    ):
        assert data[key] == 0.0, (key, data[key])


def test_validate_names_output_options_without_scaling(tmp_path):
    out = run("validate", "--preset", "small", "--no-fock", "--out", "x", cwd=tmp_path)
    assert "--out has no effect without --scaling" in out.stderr
    assert not (tmp_path / "x").exists()
