"""Whether two code cells are the same program, differing only in their text.

An other-language edition of a lesson (coursekit/authoring/translations.py) translates comments, docstrings
and the prose a cell prints or draws; its code stays the English code. The build checks each translated cell
with :func:`same_program`, and the grading audit (coursekit/grading/audit.py) uses it to recognise an
edition's own cells as the course's code, as it recognises the English ones.
"""
from __future__ import annotations

import ast
import re

_LANGUAGE = re.compile(r"[a-z]{2}")


def is_prose(text: str) -> bool:
    return bool(re.search(r"\s", text)) or not text.isascii()


def _same_node(a, b, language: str) -> bool:
    if isinstance(a, ast.JoinedStr) or isinstance(b, ast.JoinedStr):
        def values(node):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                return []
            if not isinstance(node, ast.JoinedStr):
                return None
            return sorted(ast.dump(v.value) for v in node.values if isinstance(v, ast.FormattedValue))
        return values(a) is not None and values(a) == values(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, ast.Constant):
        if isinstance(a.value, str) and isinstance(b.value, str):
            return a.value == b.value or is_prose(a.value) or is_prose(b.value) \
                or (a.value == "en" and (b.value == language or (language is None and _LANGUAGE.fullmatch(b.value))))
        return a.value == b.value and type(a.value) is type(b.value)
    if isinstance(a, ast.AST):
        return all(_same_node(getattr(a, f, None), getattr(b, f, None), language) for f in a._fields)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_node(x, y, language) for x, y in zip(a, b))
    return a == b


def same_tree(english: ast.AST, translated: ast.AST, language: str | None = None) -> bool:
    """:func:`same_program` on two parsed cells (e.g. as IPython runs them, magics turned into calls)."""
    return _same_node(english, translated, language)


def same_program(english: str, translated: str, language: str | None = None) -> bool:
    """Whether two code cells are the same program: equal syntax trees, where a string may differ only
    if it is prose (has a space or a non-ASCII letter on either side) and an f-string only in its text
    (the same values, in any order). Comments are free; the language code itself may differ ("en" and
    ``language``, or any two-letter code when ``language`` is None)."""
    try:
        return _same_node(ast.parse(english), ast.parse(translated), language)
    except SyntaxError:
        return False
