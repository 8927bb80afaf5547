"""What a workflow may be asked: the rung, gravity, backend, and the Fock backend's settings.

The choices and every default live here, once: :func:`check_choices` refuses an unknown
rung, gravity or backend (or one that cannot run on the other), :class:`FockOptions` holds
the truncation, solver and frame with the defaults of each workflow, and
:func:`unused_options` warns about a setting the chosen combination ignores.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from gravsim.analysis.entanglement import log_base
from gravsim.errors import GravsimInputError, GravsimWarning
from gravsim.model.gravity import CHOICES as GRAVITY
from gravsim.model.gravity import choose

__all__ = [
    "BACKENDS",
    "GRAVITY",
    "RUNGS",
    "PERIODIC",
    "FockOptions",
    "RunOptions",
    "check_choices",
]

#: The rungs of the ladder (``closed-form`` is L4, the paper's formulas).
RUNGS = ("full", "linear", "rwa", "effective", "closed-form", "conventional")
#: Rungs whose asymptotic state is periodic (period 2π/ω_m), not steady.
PERIODIC = ("full", "linear")
#: Rungs with a transient from the thermal state (``evolve``).
TRANSIENT_RUNGS = ("full", "linear", "rwa", "effective", "conventional")
BACKENDS = ("gaussian", "fock")

#: Fock levels per mechanical mode and of the cavity, per workflow.  ``steady`` resolves
#: the static rungs to ~1e-4 in E_N at the small presets with 10 levels; the periodic rungs
#: take 8 (each truncation is a factorisation plus ~6–15 periods of mesolve: ``driven``
#: 6×6×3 takes 11 s); transients start thermal and need one cavity level more than the
#: steady state (the cavity's transient photon number); ``validate`` runs every Fock rung
#: at once and keeps 8.
DEFAULT_N_MECH = 10
DEFAULT_N_MECH_PERIODIC = 8
DEFAULT_N_CAV = 3
#: Static rungs (``effective``, ``rwa``, ``conventional``) in ``steady``: levels not given are
#: chosen from the Gaussian state's tails for a truncation error of every E_N ≤
#: DEFAULT_TARGET (nats), within AUTO_TIME_BUDGET seconds of predicted solve time; beyond
#: it, the most accurate truncation within it (:mod:`gravsim.workflows.fock_steady`).  The
#: DEFAULT_N_* above are the periodic rungs' levels in ``steady``, ``validate`` and ``scan``.
DEFAULT_TARGET = 1e-3
#: Smallest `tol` a Fock solve is asked for: the solvers' residuals (~1e-13…1e-12) and the
#: rounding of E_N from ρ set a floor well above float64's epsilon.
TOL_FLOOR = 1e-10
AUTO_TIME_BUDGET = 30.0
EVOLVE_N_MECH = 8
EVOLVE_N_CAV = 4


def check_choices(model: str, gravity: str, backend: str) -> tuple[Any, ...]:
    """Refuse an unknown model, gravity or backend, or a combination that cannot run;
    return the gravity models ``gravity`` names.

    Raises
    ------
    GravsimInputError
    """
    if model not in RUNGS:
        raise GravsimInputError(f"unknown model {model!r}: choose one of {', '.join(RUNGS)}")
    models = choose(gravity)  # one hypothesis, "both", or a pair "A,B" to compare
    if backend not in BACKENDS:
        raise GravsimInputError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if model == "closed-form" and backend != "gaussian":
        raise GravsimInputError("the closed forms have no backend: use `backend='gaussian'`")
    if model == "full" and backend == "gaussian":
        raise GravsimInputError(
            "model full (radiation pressure g(j + j†)c†c) is not Gaussian: use "
            "`backend='fock'`, or `model='linear'` for its linearisation"
        )
    return models


def uses(option: str, model: str, backend: str) -> bool:
    """Whether ``model`` on ``backend`` uses the option (``n_mech``, ``n_cav``, ``solver``,
    ``frame``, ``tol``)."""
    return {
        "n_mech": backend == "fock",
        "n_cav": backend == "fock" and model not in ("effective", "conventional"),
        "solver": backend == "fock" and model not in PERIODIC,
        "tol": backend == "fock" and model not in PERIODIC,
        "frame": model == "full",
    }.get(option, True)


def chooses_levels(run: RunOptions) -> bool:
    """Whether :func:`gravsim.workflows.steady.compute` with these options picks the Fock
    levels itself (a static Fock rung with ``tol``, or with levels not all given): then each
    result says which (``n_mech_chosen``, ``n_cav_chosen``)."""
    if not uses("tol", run.model, run.backend):
        return False
    fock = run.fock
    cavity = uses("n_cav", run.model, run.backend)
    given = fock.n_mech is not None and (fock.n_cav is not None or not cavity)
    return fock.tol is not None or not given


def unused_options(
    model: str,
    backend: str,
    given: dict[str, Any],
    used: bool | None = None,
    reason: str | None = None,
) -> None:
    """Warn about each option in ``given`` (not None) that ``model``/``backend`` do not use.

    Whether an option is used follows from :func:`uses`, or is given as ``used`` (with the
    ``reason`` it is not).
    """
    for name, value in given.items():
        if value is not None and not (uses(name, model, backend) if used is None else used):
            warnings.warn(
                f"`{name}` has no effect "
                + (reason or f"with model {model!r} on the {backend} backend"),
                GravsimWarning,
                stacklevel=3,
            )


@dataclass(frozen=True)
class FockOptions:
    """Settings of the Fock backend; None means "the workflow's default".

    Attributes
    ----------
    n_mech, n_cav : int, optional
        Fock levels per mechanical mode and of the cavity; on the static rungs of ``steady``,
        those not given are chosen from the Gaussian state (:data:`DEFAULT_TARGET`).
    solver : str, optional
        Linear solver of the static rungs (``"auto"``; see :mod:`gravsim.fock.solvers`).
    frame : {"displaced", "undisplaced"}, optional
        Frame of the ``full`` model (see :func:`gravsim.model.rungs.full`).
    tol : float, optional
        Choose (or grow from ``n_mech``, ``n_cav``) the truncation of a steady Fock solve
        until the truncation error of every E_N is at most ``tol`` (in the result's log base;
        see :mod:`gravsim.workflows.fock_steady`); a target beyond the search's time or
        memory budget is a :class:`~gravsim.errors.NumericalError`.
    """

    n_mech: int | None = None
    n_cav: int | None = None
    solver: str | None = None
    frame: str | None = None
    tol: float | None = None

    def __post_init__(self) -> None:
        if self.tol is not None and not (
            isinstance(self.tol, (int, float)) and math.isfinite(self.tol) and self.tol > 0
        ):
            raise GravsimInputError(f"`tol` must be a positive number, got {self.tol!r}")
        if self.tol is not None and self.tol < TOL_FLOOR:
            raise GravsimInputError(
                f"`tol` {self.tol:g} is below what a Fock solve can certify ({TOL_FLOOR:g}: the "
                f"solver's residual and E_N's rounding): give tol >= {TOL_FLOOR:g}"
            )

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> FockOptions:
        """Options from keyword arguments, refusing a name that is not an option."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(kwargs) - names)
        if unknown:
            raise GravsimInputError(
                f"unknown Fock option {unknown[0]!r}: the options are {', '.join(sorted(names))}"
            )
        return cls(**kwargs)

    def given(self) -> dict[str, Any]:
        """The options set explicitly (not None), by name."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    def resolved(
        self, model: str, n_mech: int | None = None, n_cav: int | None = None, auto: bool = False
    ) -> Any:
        """Every option filled in: the given value, else the workflow's default.

        ``n_mech`` and ``n_cav`` are the workflow's own defaults where they differ from the
        steady state's (:data:`EVOLVE_N_MECH`, …).  ``auto``: levels not given stay None on
        the static rungs, to be chosen from the Gaussian state (:data:`DEFAULT_TARGET`).
        """
        if auto and model not in PERIODIC:
            return dataclasses.replace(
                self,
                solver="auto" if self.solver is None else self.solver,
                frame="displaced" if self.frame is None else self.frame,
            )
        if n_mech is None:
            n_mech = DEFAULT_N_MECH_PERIODIC if model in PERIODIC else DEFAULT_N_MECH
        return FockOptions(
            n_mech=n_mech if self.n_mech is None else self.n_mech,
            n_cav=(n_cav or DEFAULT_N_CAV) if self.n_cav is None else self.n_cav,
            solver="auto" if self.solver is None else self.solver,
            frame="displaced" if self.frame is None else self.frame,
            tol=self.tol,
        )

    def dims(self, modes: tuple[str, ...]) -> tuple[int, ...]:
        """Levels per mode of a description's ``modes`` (cavity ``"c"``, mechanics else)."""
        return tuple(self.n_cav if m == "c" else self.n_mech for m in modes)  # type: ignore[misc]


@dataclass(frozen=True)
class RunOptions:
    """What a workflow is asked to compute: a rung, gravity, backend, log base, Fock settings.

    The keyword arguments of :func:`gravsim.workflows.steady.compute`,
    :func:`gravsim.workflows.scan.run` and :func:`gravsim.workflows.evolve.compute`.

    Attributes
    ----------
    model : {"full", "linear", "rwa", "effective", "closed-form", "conventional"}
        The rung (default ``"effective"``).
    gravity : str
        One hypothesis of :data:`GRAVITY` (with settings ``name:key=value``), two to compare
        ``"A,B"`` with ΔE, or ``"both"`` (quantum,ktm; default); see
        :func:`gravsim.model.gravity.choose`.
    backend : {"gaussian", "fock"}
        Lyapunov (exact for the linear rungs) or QuTiP on truncated Fock spaces; ``full``
        (radiation pressure is cubic) is Fock only.
    base : {"e", "2"} or 2
        Log base of every E_N and ΔE: nats (default) or bits (the number 2 is "2").
    fock : FockOptions
        ``n_mech``, ``n_cav``, ``solver``, ``frame`` (given as keywords of their own).
    """

    model: str = "effective"
    gravity: str = "both"
    backend: str = "gaussian"
    base: str = "e"
    fock: FockOptions = FockOptions()

    #: The gravity models of :attr:`gravity`, parsed once when the options are made.
    models: tuple[Any, ...] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", log_base(self.base))  # 2, "2" -> "2"; refuses others
        models = check_choices(self.model, self.gravity, self.backend)
        object.__setattr__(self, "models", models)

    @classmethod
    def from_any(
        cls, options: RunOptions | dict[str, Any] | None = None, **kwargs: Any
    ) -> RunOptions:
        """Options given as an object, a dict, keywords, or an object or dict and keywords
        (a key given both ways is refused), checked as :meth:`from_kwargs`."""
        if isinstance(options, RunOptions) and not kwargs:
            return options  # checked when it was made; its gravity models already parsed
        return cls.from_kwargs(**merged(options, kwargs, "a RunOptions or a dict of options"))

    def as_kwargs(self) -> dict[str, Any]:
        """The options as keywords (Fock settings not given left out)."""
        own = {"model": self.model, "gravity": self.gravity, "backend": self.backend}
        return own | {"base": self.base} | self.fock.given()

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> RunOptions:
        """Options from a workflow's keyword arguments, checked.

        Raises
        ------
        GravsimInputError
            For a name that is not an option, an unknown model, gravity, backend or log
            base, or a combination that cannot run.  An option the combination does not use
            draws a :class:`GravsimWarning`.
        """
        fock_names = [f.name for f in dataclasses.fields(FockOptions)]
        own = [f.name for f in dataclasses.fields(cls) if f.init and f.name != "fock"]
        unknown = sorted(set(kwargs) - set(own) - set(fock_names))
        if unknown:
            raise GravsimInputError(
                f"unknown option {unknown[0]!r}: the options are {', '.join(own + fock_names)}"
            )
        fock = FockOptions(**{k: kwargs.pop(k) for k in fock_names if k in kwargs})
        run = cls(fock=fock, **kwargs)
        unused_options(run.model, run.backend, fock.given())
        return run


_F = TypeVar("_F", bound=Callable[..., Any])


def keyword_options(func: Callable[..., Any]) -> list[str]:
    """The keyword-only parameters of ``func``: its options."""
    kinds = inspect.signature(func).parameters.values()
    return [q.name for q in kinds if q.kind is inspect.Parameter.KEYWORD_ONLY]


def defaults(func: Callable[..., Any]) -> dict[str, Any]:
    """The defaults of ``func``'s options, where the command line reads them (one place)."""
    params = inspect.signature(func).parameters
    return {name: params[name].default for name in keyword_options(func)}


def merged(options: Any, kwargs: dict[str, Any], what: str) -> dict[str, Any]:
    """``options`` (None, a dict, an object with ``as_kwargs()`` or a dataclass) and the
    keywords as one dict; a key given both ways, or ``options`` of another kind (``what``
    says which it must be), is refused in one line."""
    if options is None:
        given: dict[str, Any] = {}
    elif isinstance(options, dict):
        given = dict(options)
    elif hasattr(options, "as_kwargs"):
        given = options.as_kwargs()
    elif dataclasses.is_dataclass(options) and not isinstance(options, type):
        given = {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}
    else:
        raise GravsimInputError(f"`options` must be {what}, not {type(options).__name__}")
    twice = sorted(set(given) & set(kwargs))
    if twice:
        raise GravsimInputError(
            f"option {twice[0]!r} given twice, in `options` and as a keyword: give it once"
        )
    return given | kwargs


def accepts_options(func: _F) -> _F:
    """Let a workflow whose options are keyword-only parameters take them as ``options=``
    too: a dict, or an object with those fields (a dataclass), or keywords, or both (a key
    given both ways, or one that is not an option, is refused in one line naming it)."""
    names = keyword_options(func)

    @functools.wraps(func)
    def wrapper(*args: Any, options: Any = None, **kwargs: Any) -> Any:
        given = merged(options, kwargs, f"a dict of {func.__name__}'s options")
        unknown = sorted(set(given) - set(names))
        if unknown:
            raise GravsimInputError(
                f"unknown option {unknown[0]!r} of {func.__name__}: the options are "
                + ", ".join(names)
            )
        start = time.perf_counter()
        result = func(*args, **given)
        return _recorded(result, defaults(func) | given, time.perf_counter() - start)

    return wrapper  # type: ignore[return-value]


def _recorded(result: Any, ran: dict[str, Any], seconds: float) -> Any:
    """``result`` with the options it ran with (all of them, defaults filled in; not the
    progress reporter) and its wall time (s), where it is a result that records them and has
    not already."""
    fields = getattr(result, "__dataclass_fields__", {})
    if "options" not in fields or "stats" not in fields:
        return result
    ran = {k: v for k, v in ran.items() if k != "progress"}
    stats = {"wall_time_s": seconds} | result.stats
    return dataclasses.replace(result, options=result.options or ran, stats=stats)
