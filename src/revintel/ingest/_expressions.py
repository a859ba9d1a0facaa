"""Expressions of a mapping's ``where`` and ``computed``: parsed once, evaluated per column.

``{Header}`` refers to a column of the file (or an earlier computed column). The text is parsed
by Python's :mod:`ast` after each ``{Header}`` is replaced by a safe name; only the operators and
functions listed in :data:`FUNCTIONS` pass. Evaluation works on whole Arrow columns, never row by
row.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from revintel.ingest._errors import IngestError


class ExpressionError(IngestError):
    """An expression that is not valid; the message names the offending text."""


#: Functions an expression may call, with (least, most) number of arguments.
FUNCTIONS: dict[str, tuple[int, int]] = {
    "number": (1, 1),
    "date": (1, 1),
    "text": (1, 1),
    "concat": (1, 99),
    "upper": (1, 1),
    "lower": (1, 1),
    "trim": (1, 1),
    "startswith": (2, 2),
    "endswith": (2, 2),
    "contains": (2, 2),
    "coalesce": (1, 99),
    "if": (3, 3),
    "year": (1, 1),
    "quarter": (1, 1),
    "month": (1, 1),
    "week": (1, 1),
    "day": (1, 1),
    "lookup": (2, 2),
    "abs": (1, 1),
    "round": (1, 2),
    "is_empty": (1, 1),
    "month_start": (1, 2),
    "month_end": (1, 2),
}
#: Functions whose argument at this position must be a literal (a text or a whole number).
LITERAL_ARGUMENTS = {"startswith": 1, "endswith": 1, "contains": 1, "lookup": 0, "round": 1}
_BOOL_OPS = (ast.And, ast.Or)
_UNARY_OPS = (ast.Not, ast.USub, ast.UAdd)
_BIN_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_COMPARE_OPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)
# A quoted text, a {Header}, or a word that means something else in Python than here.
_TOKENS = re.compile(
    r"""(?P<text>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    r"|\{(?P<column>[^{}]*)\}"
    r"|\b(?P<word>if|true|false|True|False|None)\b"
)
_WORDS = {"if": "if_", "true": "True", "false": "False", "True": "True", "False": "False"}
_COLUMN_NAME = "c__{}"


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, its syntax tree and the columns it refers to.

    ``columns`` maps each safe name in ``tree`` to the header aliases written between braces.
    """

    text: str
    tree: ast.expr
    columns: dict[str, tuple[str, ...]]

    def references(self) -> list[tuple[str, ...]]:
        """The header aliases of every ``{…}`` in the expression, in order."""
        return list(self.columns.values())


def parse_expression(text: str) -> Expression:
    """Parse and check ``text``; :class:`ExpressionError` naming what is not allowed."""
    columns: dict[str, tuple[str, ...]] = {}

    def replace(match: re.Match[str]) -> str:
        if match.group("text") is not None:
            return match.group("text")
        if match.group("word") is not None:
            word = match.group("word")
            if word == "None":
                raise ExpressionError(f"{text!r}: unknown name 'None'")
            return _WORDS[word]
        aliases = tuple(a.strip() for a in match.group("column").split("|") if a.strip())
        if not aliases:
            raise ExpressionError(f"{text!r}: empty column reference {{}}")
        name = _COLUMN_NAME.format(len(columns))
        columns[name] = aliases
        return name

    if not text.strip():
        raise ExpressionError("empty expression")
    source = _TOKENS.sub(replace, text)
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError:
        raise ExpressionError(f"{text!r}: not a valid expression") from None
    _check(tree, text, columns)
    return Expression(text, tree, columns)


def _check(node: ast.AST, text: str, columns: dict[str, tuple[str, ...]]) -> None:
    """Allow only the node types of the documented syntax, recursively."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, _BOOL_OPS):
        children: list[ast.AST] = list(node.values)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, _UNARY_OPS):
        children = [node.operand]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, _BIN_OPS):
        children = [node.left, node.right]
    elif isinstance(node, ast.Compare):
        if len(node.ops) != 1 or not isinstance(node.ops[0], _COMPARE_OPS):
            raise ExpressionError(f"{text!r}: compare two values at a time (a < b and b < c)")
        children = [node.left, *node.comparators]
    elif isinstance(node, ast.Call):
        _check_call(node, text)
        children = list(node.args)
    elif isinstance(node, ast.Name):
        if node.id not in columns:
            raise ExpressionError(
                f"{text!r}: unknown name {node.id!r} (write columns as {{{node.id}}}, "
                "texts in quotes)"
            )
        return
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, str | int | float | bool):
            raise ExpressionError(f"{text!r}: unsupported value {node.value!r}")
        return
    else:
        shown = shown_text(node, columns)
        raise ExpressionError(f"{text!r}: {shown!r} is not allowed in an expression")
    for child in children:
        _check(child, text, columns)


def _check_call(node: ast.Call, text: str) -> None:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(f"{text!r}: {ast.unparse(node.func)!r} is not a function")
    name = node.func.id.removesuffix("_") if node.func.id == "if_" else node.func.id
    if name not in FUNCTIONS:
        known = ", ".join(sorted(FUNCTIONS))
        raise ExpressionError(f"{text!r}: unknown function {name!r} (functions: {known})")
    if node.keywords:
        raise ExpressionError(f"{text!r}: {name}() takes no named arguments")
    least, most = FUNCTIONS[name]
    if not least <= len(node.args) <= most:
        wanted = str(least) if least == most else f"{least} to {most}"
        raise ExpressionError(f"{text!r}: {name}() takes {wanted} arguments, not {len(node.args)}")
    position = LITERAL_ARGUMENTS.get(name)
    if position is not None and position < len(node.args):
        argument = node.args[position]
        expected = int if name == "round" else str
        if not (isinstance(argument, ast.Constant) and type(argument.value) is expected):
            kind = "a whole number" if expected is int else "a text in quotes"
            raise ExpressionError(f"{text!r}: argument {position + 1} of {name}() must be {kind}")


def function_name(node: ast.Call) -> str:
    """The documented name of a checked call (``if`` is spelt ``if_`` in the tree)."""
    assert isinstance(node.func, ast.Name)
    return "if" if node.func.id == "if_" else node.func.id


def lookup_names(expression: Expression) -> list[str]:
    """Names of the lookups the expression's ``lookup()`` calls use."""
    return [
        str(node.args[0].value)
        for node in ast.walk(expression.tree)
        if isinstance(node, ast.Call)
        and function_name(node) == "lookup"
        and isinstance(node.args[0], ast.Constant)
    ]


def shown_text(node: ast.AST, columns: dict[str, tuple[str, ...]]) -> str:
    """A part of an expression as the user wrote it: columns in braces, ``if`` without ``_``."""
    text = ast.unparse(node).replace("if_(", "if(")
    for name, aliases in columns.items():
        text = re.sub(rf"\b{name}\b", "{" + "|".join(aliases) + "}", text)
    return text
