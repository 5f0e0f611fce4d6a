"""The lesson templates' format (lessons/README.md): a percent-format Python file whose ``# %% [kind]
key=value ...`` lines start cells, read into :class:`TemplateCell` objects; and the exact source of
the solutions' definitions that answer cells copy. The build (``build.py``) turns these into notebooks."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

CELL_HEADER = re.compile(r"^# %% \[(?P<kind>\w+)\](?P<attrs>.*)$")
KINDS = ("markdown", "code", "setup", "answer", "tests")


class TemplateError(ValueError):
    """A lesson template that cannot be built; the message names the file and line."""


@dataclass
class TemplateCell:
    kind: str
    attrs: dict
    lines: list = field(default_factory=list)
    lineno: int = 0


def parse_template(text: str, name: str = "<template>") -> list[TemplateCell]:
    """Split a percent-format template into cells: ``# %% [kind] key=value ...`` starts one."""
    cells: list[TemplateCell] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        match = CELL_HEADER.match(line)
        if match:
            kind = match["kind"]
            if kind not in KINDS:
                raise TemplateError(f"{name}:{lineno}: unknown cell kind [{kind}]; use one of {KINDS}")
            attrs = {}
            for item in match["attrs"].split():
                key, sep, value = item.partition("=")
                if not sep:
                    raise TemplateError(f"{name}:{lineno}: expected key=value, got {item!r}")
                attrs[key] = value
            cells.append(TemplateCell(kind, attrs, [], lineno))
        elif cells:
            cells[-1].lines.append(line)
        elif line.strip() and not line.startswith("# "):  # a file may open with a comment
            raise TemplateError(f"{name}:{lineno}: text before the first '# %% [kind]' header")
    for cell in cells:
        while cell.lines and not cell.lines[-1].strip():
            cell.lines.pop()
        while cell.lines and not cell.lines[0].strip():
            cell.lines.pop(0)
    return cells


def definitions(path: Path, assignments: bool = False) -> dict[str, str]:
    """Top-level functions and classes of a module (and, with ``assignments``, its top-level assignments to
    one name), each as its exact source text."""
    text = path.read_text()
    lines = text.splitlines()
    found = {}
    for node in ast.parse(text).body:
        if assignments and isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                found[targets[0].id] = "\n".join(lines[node.lineno - 1:node.end_lineno])
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            end = node.end_lineno
            # The AST ends at the last statement; an indented trailing comment such as
            # "    ### END SOLUTION" still belongs to the definition.
            while end < len(lines) and (not lines[end].strip() or re.match(r"\s+#", lines[end])):
                end += 1
            while not lines[end - 1].strip():
                end -= 1
            found[node.name] = "\n".join(lines[start - 1:end])
    return found


JUDGE_LINE = re.compile(r"^#<< judge: (?P<names>[\w, ]+)$")


def judge_injected(body: str, judge: Path, where: str) -> str:
    """A test cell's text with each ``#<< judge: NAME, NAME`` line replaced by those definitions of the
    lesson's judge module (``judge``: coursekit/grading/judge/l<NN>.py), verbatim: the table a visible check
    compares with, or a hidden check's expected architecture, is written once, where the grader reads it."""
    if "#<<" not in body:
        return body
    defs = definitions(judge, assignments=True)
    out = []
    for line in body.splitlines():
        match = JUDGE_LINE.match(line.strip())
        if match is None:
            if line.strip().startswith("#<<"):
                raise TemplateError(f"{where}: write '#<< judge: NAME, NAME', not {line.strip()!r}")
            out.append(line)
            continue
        names = [n.strip() for n in match["names"].split(",") if n.strip()]
        missing = [n for n in names if n not in defs]
        if missing:
            raise TemplateError(f"{where}: {judge.name} defines no {missing}")
        out.append("\n".join(defs[n] for n in names))
    return "\n".join(out)


def markdown_text(lines: list[str], where: str) -> str:
    out = []
    for line in lines:
        if line == "#":
            out.append("")
        elif line.startswith("# "):
            out.append(line[2:])
        else:
            raise TemplateError(f"{where}: markdown lines must start with '# ', got {line!r}")
    return "\n".join(out)
