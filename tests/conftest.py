"""Shared test set-up: the one way tests run the ``gravsim`` command, and the ``slow`` marker.

Tests marked ``slow`` (README lines as written, minutes each) are left out by default;
``python -m pytest -m slow`` runs them.  :func:`gravsim` runs the command as a user does (a
subprocess, ``python -m gravsim``); :func:`gravsim_in_process` runs the same entry point
in this process for tables of quick cases; :func:`strict_json` and :func:`one_error_line`
read what it printed.  Analytic reference systems shared by several test modules are in
:mod:`tests.reference_systems`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: Threads per test process: CI's two cores are shared with the subprocess under test.
ENV = os.environ | {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def gravsim(
    *args: str, cwd: Path | str | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """``python -m gravsim ARGS`` in a subprocess (the console script's own entry point)."""
    return subprocess.run(
        [sys.executable, "-m", "gravsim", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=ENV,
    )


def gravsim_background(*args: str, session: bool = False) -> subprocess.Popen:
    """:func:`gravsim` started in the background (to be killed or interrupted by the test);
    stderr is piped, stdout discarded; ``session`` starts it in a new process group."""
    return subprocess.Popen(
        [sys.executable, "-m", "gravsim", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        start_new_session=session,
    )


def strict_json(text: str) -> dict:
    """Parse ``text`` as JSON, refusing NaN and Infinity (RFC 8259)."""

    def refuse(constant: str) -> None:
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def one_error_line(out: subprocess.CompletedProcess, code: int) -> str:
    """Assert exit ``code``, no traceback and one stderr line (progress bars aside); return it."""
    lines = [
        line
        for line in out.stderr.splitlines()
        if line.strip() and not any(bar in line for bar in ("%|", "pt/s", "it/s"))
    ]
    assert out.returncode == code, (out.returncode, out.stderr[-2000:])
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    assert len(lines) == 1, out.stderr[-2000:]
    assert lines[0].startswith("gravsim: error: "), lines[0]
    return lines[0]


def gravsim_in_process(*args: str, cwd: Path | str) -> subprocess.CompletedProcess:
    """:func:`gravsim` without a new interpreter: ``gravsim.cli.main`` in this process.

    The same code path as the console script after start-up (parsing, the command, the
    exit-code mapping), for tables of many quick cases; stdout, stderr, the working folder,
    warning filters and ``warnings.showwarning`` are restored afterwards.
    """
    import contextlib
    import io
    import warnings

    from gravsim.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    show = warnings.showwarning
    before = os.getcwd()
    os.chdir(cwd)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(stdout), \
                contextlib.redirect_stderr(stderr):  # fmt: skip
            try:
                code = main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(before)
        warnings.showwarning = show
    return subprocess.CompletedProcess(args, code, stdout.getvalue(), stderr.getvalue())
