"""The one result model: what every result holds, and its dict and JSON forms.

Every public result of gravsim is a frozen dataclass derived from :class:`Result`.  The base
holds what every result shares, each under one name: ``parameters`` (the
:class:`~gravsim.model.parameters.Parameters` it was computed at), ``options`` (what it ran
with, such that running again with them computes it again), ``stats`` (how it was obtained:
wall time in s, solver, truncation, iterations, residuals), ``log_base`` (``"e"`` or ``"2"``:
the unit of every E_N and ΔE in it), ``units`` (the units of its own quantities beyond the
parameters') and ``notes``.

:meth:`Result.to_dict` and :meth:`Result.from_dict` are derived from the fields and their type
hints, so that a new field is written and read without code of its own:

* a nested dataclass becomes a dict of its fields (a field holding :data:`NOT_COMPUTED`, or
  marked ``metadata={"json": False}`` like a ``qutip.Qobj``, is left out); a value with a
  dict form of its own (``to_dict``/``from_dict``: results, scan axes) uses it;
* :class:`~gravsim.model.parameters.Parameters` becomes :meth:`~Parameters.as_dict` (every
  input and derived quantity) and is rebuilt from its inputs;
* arrays become lists and come back as arrays where the hint says ``np.ndarray``.

A result may also show *view* keys (:meth:`Result.view`): the flat keys that scripts and the
command line have read since before this model (``E_N_quantum``, ``delta_E``, ...).  They are
kept as they were; :meth:`Result.from_dict` reads only the fields.

Files: :meth:`Result.write` writes one run into a folder (:mod:`~gravsim.workflows.run_folder`)
— a CSV of the field named by :attr:`Result.TABLE` where there is one, the JSON sidecar (the
dict form without that field), the figure where :meth:`Result.figure` draws one;
:func:`gravsim.workflows.loading.load` reads it back.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.model.parameters import Parameters
from gravsim.model.units import UNITS
from gravsim.workflows.run_folder import RunFolder, run_identity
from gravsim.workflows.text_forms import dumps, to_plain


class _NotComputed:
    """The value of a result field that its method does not compute.

    Left out of the dict forms, unlike None (computed, and undefined there: an extrapolation
    of a convergence that is not monotone is ``null``).
    """

    def __repr__(self) -> str:
        return "NOT_COMPUTED"


NOT_COMPUTED: Any = _NotComputed()


def entanglement_unit(log_base: str) -> str:
    """The unit of E_N and ΔE in log base ``log_base``: ``"nats"`` (e) or ``"bits"`` (2)."""
    return "nats" if log_base == "e" else "bits"


@dataclass(frozen=True, eq=False, repr=False, kw_only=True)
class Result:
    """What every result of gravsim holds, and its dict form.

    Attributes
    ----------
    parameters : Parameters or None
        The parameters it was computed at (None for results that have none, such as the
        published-number table).
    options : dict
        What it ran with (plain values); the same call with these computes it again.
    stats : dict
        How it was obtained: ``wall_time_s`` (s), and where the method has them, solver,
        truncation, iterations, residuals.
    log_base : str
        ``"e"`` (nats) or ``"2"`` (bits): the unit of every E_N and ΔE in the result.
    units : dict
        Units of the result's own quantities beyond the parameters' (``gravsim params``).
    notes : tuple of str
        Approximations and methods, for people.
    """

    parameters: Parameters | None = None
    options: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    log_base: str = "e"
    units: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    #: The file name of a written result (``<RUN_NAME>.json`` and so on).
    RUN_NAME: ClassVar[str] = "result"

    def view(self) -> dict[str, Any]:
        """The flat keys scripts read (kept as they were); none by default."""
        return {}

    def unit_table(self) -> dict[str, str]:
        """Every unit the dict form uses: the parameters', E_N's, then :attr:`units`."""
        return dict(UNITS) | {"E_N": entanglement_unit(self.log_base)} | dict(self.units)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``result_type``, the view keys, then every field not already
        shown (``units`` as the full :meth:`unit_table`)."""
        out: dict[str, Any] = {"result_type": type(self).__name__} | self.view()
        for f in _json_fields(self):
            out.setdefault(_key(f), encode(getattr(self, f.name)))
        out["units"] = self.unit_table()
        return to_plain(out)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        """The result that :meth:`to_dict` gave ``data`` (its fields; other keys ignored).

        Raises
        ------
        GravsimInputError
            If ``data`` is the dict of another kind of result.
        """
        kind = data.get("result_type", cls.__name__)
        if kind != cls.__name__:
            raise GravsimInputError(f"this is a {kind}, not a {cls.__name__}: load it as one")
        return _decode_dataclass(cls, data)

    # ------------------------------------------------------------------ files
    #: The field written as the run's CSV (one row per entry), or None: no CSV of a field.
    TABLE: ClassVar[str | None] = None

    def run_name(self) -> str:
        """The name of the run's files (:attr:`RUN_NAME` unless the result says otherwise)."""
        return self.RUN_NAME

    def identity(self, preset: str | None = None) -> dict[str, Any]:
        """What determines the numbers of a written run (see
        :mod:`~gravsim.workflows.run_folder`): the kind, preset, parameters and options."""
        parameters = None if self.parameters is None else self.parameters.as_dict()
        return run_identity(
            kind=self.run_name(), preset=preset, parameters=parameters, options=self.options
        )

    def table(self) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The run's CSV: columns (one row per entry) and constants (in every row), or None."""
        columns = None if self.TABLE is None else getattr(self, self.TABLE)
        return None if columns is None else (columns, {})

    def sidecar_data(self) -> dict[str, Any]:
        """The run's JSON sidecar: :meth:`to_dict` without the :attr:`TABLE` field, whose
        column names it lists under ``csv_columns`` (the CSV holds the values)."""
        data = {k: v for k, v in self.to_dict().items() if k != self.TABLE}
        table = self.table()
        if self.TABLE is not None and table is not None:
            data["csv_columns"] = list(table[0])
        return data

    def figure(self) -> Any:
        """The run's plot as a matplotlib ``Figure``, or None (no plot)."""
        return None

    def write(
        self,
        out: Path | str | RunFolder,
        command: str = "",
        pdf: bool = False,
        *,
        force: bool = False,
        preset: str | None = None,
    ) -> list[Path]:
        """Write the run into the folder ``out``: its CSV, JSON sidecar and figure (PNG, and
        PDF with ``pdf``), each where the result has one; return the paths.

        ``out`` is a folder path (refused if it holds this run made with other inputs, unless
        ``force``; see :mod:`~gravsim.workflows.run_folder`) or a :class:`RunFolder` already
        opened before the work.  ``command`` and ``preset`` are recorded in the sidecar and
        the run's identity.  :func:`gravsim.load` reads it back.
        """
        if not isinstance(out, RunFolder):
            identity = self.identity(preset)
            with RunFolder(Path(out), self.run_name(), identity, force=force) as folder:
                return self.write(folder, command, pdf)
        table = self.table()
        paths = [] if table is None else [out.write_table(*table)]
        paths.append(out.write_sidecar(self.sidecar_data() | {"command": command}))
        fig = self.figure()
        return paths if fig is None else [*paths, *out.write_figure(fig, pdf)]

    def to_json(self) -> str:
        """:meth:`to_dict` as strict JSON text (see :func:`dumps`)."""
        return dumps(self.to_dict())

    def __repr__(self) -> str:
        shown = [
            f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v!r}"
            for k, v in self.to_dict().items()
            if isinstance(v, (str, float, int)) and k != "result_type"
        ]
        more = ", ..." if len(shown) > 8 else ""
        return f"{type(self).__name__}({', '.join(shown[:8])}{more})"


def computed_into(
    out: Path | str,
    name: str,
    parameters: Parameters,
    options: dict[str, Any],
    compute: typing.Callable[[], Result],
    *,
    command: str = "",
    pdf: bool = False,
    force: bool = False,
    preset: str | None = None,
) -> tuple[Result, list[Path]]:
    """Open the run's folder ``out`` first (its identity from ``name``, ``parameters`` and
    ``options``, as :meth:`Result.identity` forms it), then ``compute()`` and write it there:
    a folder that would refuse the run refuses it before the work, not after.

    Returns
    -------
    (Result, list of Path)
        The result and the files written.
    """
    identity = run_identity(
        kind=name, preset=preset, parameters=parameters.as_dict(), options=options
    )
    with RunFolder(Path(out), name, identity, force=force) as folder:
        result = compute()
        if result.identity(preset) != identity:
            raise AssertionError(f"{name}: the folder's identity is not the result's")
        return result, result.write(folder, command, pdf)


def _json_fields(obj: Any) -> list[dataclasses.Field]:
    """The fields of a dict form: all but those marked ``metadata={"json": False}``."""
    return [f for f in dataclasses.fields(obj) if f.metadata.get("json", True)]


def _key(f: dataclasses.Field) -> str:
    """A field's key in the dict form: its name, or ``metadata["json_key"]`` where the key
    scripts read was named before the field."""
    return f.metadata.get("json_key", f.name)


# ---------------------------------------------------------------------- fields to dict
def encode(value: Any) -> Any:
    """A field value as plain data: :class:`Parameters` and values with a ``to_dict`` as their
    dicts, dataclasses as dicts of their fields (without the :data:`NOT_COMPUTED` ones),
    arrays as lists."""
    if isinstance(value, Parameters):
        return value.as_dict()
    if hasattr(value, "to_dict"):  # a result, or a value with a dict form of its own
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = _json_fields(value)
        pairs = ((_key(f), getattr(value, f.name)) for f in fields)
        return {name: encode(v) for name, v in pairs if v is not NOT_COMPUTED}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return to_plain(value)


def decode(hint: Any, data: Any) -> Any:
    """Plain ``data`` back as a value of type ``hint`` (the inverse of :func:`encode`)."""
    if data is None:
        return None
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        kinds = [a for a in typing.get_args(hint) if a is not type(None)]
        return decode(kinds[0], data) if len(kinds) == 1 else data
    if isinstance(hint, type) and hasattr(hint, "from_dict"):  # Parameters, results, axes
        return hint.from_dict(data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decode_dataclass(hint, data)
    return np.asarray(data) if hint is np.ndarray else _decode_container(hint, data)


def _decode_container(hint: Any, data: Any) -> Any:
    """A dict, list or tuple of ``hint`` (its items decoded by their own hint); else ``data``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is dict and len(args) == 2:
        return {k: decode(args[1], v) for k, v in data.items()}
    if origin in (tuple, list):
        return origin(decode(args[0], v) for v in data) if args else origin(data)
    return data


def _decode_dataclass(cls: type, data: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    kwargs = {
        f.name: decode(hints[f.name], data[_key(f)])
        for f in _json_fields(cls)
        if f.init and _key(f) in data
    }
    return cls(**kwargs)
