"""Two habits of gravsim's docstrings, read by Sphinx as their authors mean them.

gravsim's docstrings are written to be read as plain text first (``help()``, an editor) and
as numpy-style reST second.  Two habits of that plain text are not what reST would make of
them; this extension translates both, on the docstring lines autodoc reads, and nothing else:

* **Absolute values.**  ``|c±|``, ``|ΔE/ΔE_ideal − 1|``, ``e^{|Re λ|h}``: a bar is always a
  bar of an absolute value or a norm, never a reST substitution reference (gravsim defines
  no substitutions, so every such reference would be an error).  :func:`escape_bars` escapes
  each ``|`` outside inline literals (````...````), literal blocks (after ``::``) and doctest
  lines, so that it is printed as written.
* **A closing paragraph after a field section.**  Result classes describe their fields
  under ``Attributes`` and then add a paragraph about what the base class holds.  The
  numpy-style standard runs a section to the next header, so napoleon would read that
  paragraph as one more field, mangled.  :func:`close_field_sections` puts a ``Notes``
  header in front of such a paragraph: a line at column 0, after a blank line, inside a
  field section, that is not a field (``name : type``, ``a, b : type``, or a bare name).

And one habit of napoleon is undone: it reads the first line of every attribute, data and
property docstring as ``type: text`` (a Google-style convention), so that a line such as
``#: Floor of every truncation error: 1e-12`` would be shown as the type "Floor of every
truncation error".  gravsim gives types as annotations, never that way, and napoleon does
nothing else with such docstrings: :func:`keep_attribute_docstring` gives them back as
written.

Any other reST problem of a docstring still fails the build (``sphinx-build -W``).
"""

from __future__ import annotations

import re
from typing import Any

#: numpy-style sections whose entries are fields (``name : type`` and an indented text).
FIELD_SECTIONS = (
    "Parameters",
    "Other Parameters",
    "Attributes",
    "Returns",
    "Yields",
    "Raises",
    "Warns",
    "Receives",
)
#: A field's first line: names (``*args`` too), comma separated, then `` : type`` or nothing.
FIELD = re.compile(r"^\*{0,2}\w+(, \*{0,2}\w+)*( : .*)?$")


def _is_header(lines: list[str], i: int) -> bool:
    """Whether line ``i`` is a section header (a title underlined with dashes)."""
    return (
        i + 1 < len(lines)
        and bool(lines[i].strip())
        and not lines[i].startswith(" ")
        and set(lines[i + 1].strip()) == {"-"}
        and len(lines[i + 1].strip()) >= len(lines[i].strip())
    )


def close_field_sections(lines: list[str]) -> None:
    """Put a ``Notes`` header before a paragraph that follows a field section (in place)."""
    section = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if _is_header(lines, i):
            section = line.strip()
            i += 2
            continue
        closing = (
            section in FIELD_SECTIONS
            and line.strip()
            and not line.startswith(" ")
            and i > 0
            and not lines[i - 1].strip()
            and not FIELD.match(line.strip())
        )
        if closing:
            lines[i:i] = ["Notes", "-----"]
            section = "Notes"
            i += 2
        i += 1


def _escape_outside_literals(line: str, in_literal: bool) -> tuple[str, bool]:
    """``line`` with each ``|`` outside inline literals escaped; whether a literal is open."""
    parts = line.split("``")
    for k, part in enumerate(parts):
        if not (in_literal ^ (k % 2 == 1)):
            parts[k] = part.replace("|", "\\|")
    open_after = in_literal ^ (len(parts) % 2 == 0)
    return "``".join(parts), open_after


def escape_bars(lines: list[str]) -> None:
    """Escape the absolute-value bars of reST docstring ``lines`` (in place)."""
    block_indent = None  # indentation of the line that opened a literal block
    in_literal = False  # an inline literal runs on from the previous line
    for i, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if not stripped:
            in_literal = False  # inline markup does not cross paragraphs
            continue
        if stripped.startswith((">>>", "... ")):
            continue
        lines[i], in_literal = _escape_outside_literals(line, in_literal)
        if stripped.endswith("::"):
            block_indent = indent


#: The kinds of docstring napoleon reads as ``type: text`` and nothing else.
ATTRIBUTES = ("attribute", "data", "property")
#: Attribute docstrings as written, while napoleon runs (keyed by the id of the line list).
_WRITTEN: dict[int, list[str]] = {}


def _before_napoleon(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]):
    if what in ATTRIBUTES:
        _WRITTEN[id(lines)] = list(lines)
    else:
        close_field_sections(lines)


def keep_attribute_docstring(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """An attribute's, data's or property's docstring as written, after napoleon."""
    written = _WRITTEN.pop(id(lines), None)
    if written is not None:
        lines[:] = written


def _escape(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]):
    escape_bars(lines)


def setup(app: Any) -> dict[str, Any]:
    # napoleon turns numpy sections into reST at priority 500: close the sections before it,
    # keep the attribute docstrings from it, escape the bars in what it makes
    app.connect("autodoc-process-docstring", _before_napoleon, priority=400)
    app.connect("autodoc-process-docstring", keep_attribute_docstring, priority=550)
    app.connect("autodoc-process-docstring", _escape, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
