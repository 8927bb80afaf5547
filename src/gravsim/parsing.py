"""Reading numbers that people type: floats, or arithmetic with pi (``2*pi*50``)."""

from __future__ import annotations

import ast
import math
import operator

from .errors import GravsimInputError

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_NAMES = {"pi": math.pi, "e": math.e}


def parse_number(text: str) -> float:
    """A float, or arithmetic of numbers with ``pi`` and ``e`` (e.g. ``2*pi*50``)."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in _NAMES:
            return _NAMES[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = walk(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        raise ValueError(text)

    try:
        return float(text)
    except ValueError:
        pass
    try:
        return float(walk(ast.parse(text, mode="eval")))
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, TypeError):
        raise GravsimInputError(
            f"cannot read {text!r} as a number: give e.g. 1e-9, 2*pi*50 or 0.5"
        ) from None
