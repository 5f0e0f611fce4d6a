"""Other-language editions of the lessons: the same notebook, cell for cell, with its text translated.

What a translation is made of, per language (``ko``, ...):

- ``lessons/<language>/<lesson id>.py``: the lesson's cells in the template format, each header naming
  the built cell it translates and a hash of that cell's English text:
  ``# %% [markdown] cell=md-03 en=1f2e3d4c5b``. Markdown cells are translated whole; code and answer
  cells whole too, but their code must stay the same (only comments, docstrings and prose strings
  may differ: :func:`same_code`); a test cell's translation holds only its comment lines, one for one
  (the code, and the hidden tests, always come from the English cell); the locked setup cell's
  translation is its ``#@title`` line.
- ``lessons/<language>/_every_lesson.py``: the cells the build adds to every lesson (Workload, hand-in).
- ``coursekit/locale/<language>/*.json``: the messages (``coursekit.locale``).

The build (``build.py``) writes ``notebooks/<language>/<id>.ipynb`` from the English master with the
translated cells swapped in, through ``nbgrader generate_assignment`` like the English edition. A cell
whose English changed since it was translated (its ``en=`` hash differs) keeps the English text and is
reported: ``python -m coursekit.authoring.translations status`` lists, per lesson, what is translated,
stale or missing, and a test fails while anything is.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from coursekit import ROOT
from coursekit import locale
from coursekit.authoring.template import TemplateError, markdown_text, parse_template
from coursekit.sameprogram import is_prose as _is_prose, same_program as same_code  # noqa: F401

EVERY_LESSON = "_every_lesson"
BUILD_CELLS = ("workload", "md-handin", "handin_check", "md-handin-next")
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.DOTALL)
SCRIPTS = {"ko": re.compile(r"[\uac00-\ud7a3]")}   # a translated text must contain its script


def english_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def translation_dir(language: str, root: Path = ROOT) -> Path:
    return root / "lessons" / language


# ---- which part of an English cell is translated ----------------------------------------------------

def _comment_lines(source: str) -> list[str]:
    """A test cell's full-line comments outside its hidden region (what a student reads)."""
    return [line for line in HIDDEN.sub("", source).splitlines()
            if line.lstrip().startswith("#") and not line.lstrip().startswith("###")]


def translatable_text(cell) -> str:
    """The part of a built English cell that a translation replaces ('' when there is nothing to
    translate): a markdown cell's text, a code or answer cell's source, a test cell's comment lines,
    the setup cell's title line."""
    gid = cell.metadata.get("nbgrader", {}).get("grade_id")
    if cell.cell_type == "markdown":
        return cell.source
    if gid == "setup":
        return cell.source.splitlines()[0]
    if cell.metadata.get("nbgrader", {}).get("grade"):
        return "\n".join(_comment_lines(cell.source))
    return cell.source if has_prose(cell.source) else ""


def has_prose(source: str) -> bool:
    """Whether a code cell holds anything to translate: a comment, or a string with spaces in it."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return True
    if any(line.lstrip().startswith("#") or "  # " in line for line in source.splitlines()):
        return True
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and _is_prose(n.value) for n in ast.walk(tree))



# ---- reading translations ---------------------------------------------------------------------------

@dataclass
class CellText:
    cell: str
    en: str
    kind: str
    text: str
    where: str


@dataclass
class CellReport:
    translated: list = field(default_factory=list)
    stale: list = field(default_factory=list)       # (cell, why)
    missing: list = field(default_factory=list)
    wrong: list = field(default_factory=list)       # (cell, why): the translation breaks a rule
    unknown: list = field(default_factory=list)     # translations of cells the English no longer has

    @property
    def ok(self) -> bool:
        return not (self.stale or self.missing or self.wrong or self.unknown)


def read_cell_texts(path: Path, root: Path = ROOT) -> dict[str, CellText]:
    if not path.is_file():
        return {}
    where_file = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    found: dict[str, CellText] = {}
    for tc in parse_template(path.read_text(encoding="utf-8"), where_file):
        where = f"{where_file}:{tc.lineno}"
        cell_id, en = tc.attrs.get("cell"), tc.attrs.get("en", "")
        if not cell_id:
            raise TemplateError(f"{where}: a translated cell needs cell=<id of the built cell>")
        if cell_id in found:
            raise TemplateError(f"{where}: cell {cell_id!r} translated twice")
        text = markdown_text(tc.lines, where) if tc.kind == "markdown" else "\n".join(tc.lines)
        found[cell_id] = CellText(cell_id, en, tc.kind, text, where)
    return found


def lesson_cell_texts(language: str, lesson_id: str, root: Path = ROOT) -> dict[str, CellText]:
    folder = translation_dir(language, root)
    return {**read_cell_texts(folder / f"{EVERY_LESSON}.py", root),
            **read_cell_texts(folder / f"{lesson_id}.py", root)}


def _apply(cell, text: str) -> str:
    """The translated cell's new source, from the English cell and the translated part."""
    gid = cell.metadata.get("nbgrader", {}).get("grade_id")
    if gid == "setup":
        return "\n".join([text.strip()] + cell.source.splitlines()[1:])
    if cell.metadata.get("nbgrader", {}).get("grade"):
        new = iter(text.splitlines())
        out, hidden = [], False
        for line in cell.source.splitlines():
            hidden = hidden or "### BEGIN HIDDEN TESTS" in line
            if not hidden and line.lstrip().startswith("#") and not line.lstrip().startswith("###"):
                indent = line[:len(line) - len(line.lstrip())]
                line = indent + next(new).strip()
            hidden = hidden and "### END HIDDEN TESTS" not in line
            out.append(line)
        return "\n".join(out)
    return text


def _rule_broken(cell, text: str, language: str) -> str | None:
    gid = cell.metadata.get("nbgrader", {}).get("grade_id")
    script = SCRIPTS.get(language)
    if text.strip() == translatable_text(cell).strip() or (script is not None and not script.search(text)):
        return "not translated: no text in the language's script"
    if cell.cell_type == "markdown":
        return None
    if gid == "setup":
        return None if text.strip().startswith("#@title") and "\n" not in text.strip() else \
            "the setup cell's translation is its one '#@title ...' line"
    if cell.metadata.get("nbgrader", {}).get("grade"):
        lines = text.splitlines()
        if len(lines) != len(_comment_lines(cell.source)) or not all(line.strip().startswith("#") for line in lines):
            return f"a test cell's translation is its {len(_comment_lines(cell.source))} comment line(s), one for one"
        return None
    if not same_code(cell.source, text, language):
        return "the code differs from the English cell's (only comments, docstrings and prose strings may)"
    return None


def translate_master(master, language: str, lesson_id: str, root: Path = ROOT):
    """(translated copy of ``master``, :class:`CellReport`)."""
    import copy

    nb = copy.deepcopy(master)
    texts = lesson_cell_texts(language, lesson_id, root)
    report = CellReport()
    seen = set()
    for cell in nb.cells:
        english = translatable_text(cell)
        if not english.strip():
            continue
        seen.add(cell.id)
        tr = texts.get(cell.id)
        if tr is None:
            report.missing.append(cell.id)
            continue
        if tr.en != english_hash(english):
            report.stale.append((cell.id, f"{tr.where}: translates en={tr.en}, the English is now "
                                          f"en={english_hash(english)}"))
            continue
        broken = _rule_broken(cell, tr.text, language)
        if broken:
            report.wrong.append((cell.id, f"{tr.where}: {broken}"))
            continue
        cell.source = _apply(cell, tr.text)
        report.translated.append(cell.id)
    report.unknown = sorted(c for c in texts if c not in seen and c not in BUILD_CELLS)
    return nb, report


# ---- messages -------------------------------------------------------------------------------------

CHECK_CALLS = {"expect": 1, "expect_shape": 2, "expect_dtype": 2, "expect_close": 2, "CheckFailed": 0,
               "check_passed": 0, "course_text": 0, "ArchitectureMismatch": 0, "StudentError": 0}


def _message_templates(node) -> list[str]:
    """The English templates an expression can produce: literal text kept (braces doubled), every
    interpolated value a numbered ``{n}``."""
    parts = _template_parts(node)
    out = []
    for variant in parts:
        text, n = [], 0
        for kind, piece in variant:
            if kind == "text":
                text.append(piece.replace("{", "{{").replace("}", "}}"))
            else:
                text.append(f"{{{n}}}")
                n += 1
        template = "".join(text)
        if re.search(r"[A-Za-z]{2}", re.sub(r"\{\d+\}", "", template)):
            out.append(template)
    return out


def _template_parts(node) -> list[list[tuple[str, str]]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [[("text", node.value)]]
    if isinstance(node, ast.JoinedStr):
        return [[("text", v.value) if isinstance(v, ast.Constant) else ("value", "") for v in node.values]]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template_parts(node.left), _template_parts(node.right)
        if not left or not right:
            left = left or [[("value", "")]]
            right = right or [[("value", "")]]
        return [a + b for a in left for b in right][:8]
    if isinstance(node, ast.IfExp):
        return (_template_parts(node.body) or [[("value", "")]]) + (_template_parts(node.orelse) or [[("value", "")]])
    return []


def messages_in(source: str, judge_returns: bool = False) -> list[str]:
    """The message templates of a piece of code: the message arguments of the check calls
    (``CHECK_CALLS``), and with ``judge_returns`` the strings that judge functions return."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    judged = set()
    if judge_returns:   # the pass lines: what the functions registered with @cell(...) return
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef) and any(
                    isinstance(d, ast.Call) and getattr(d.func, "id", None) == "cell" for d in fn.decorator_list):
                judged.update(id(n) for n in ast.walk(fn) if isinstance(n, ast.Return))
    for node in ast.walk(tree):
        arg, name = None, None
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in CHECK_CALLS:
                index = CHECK_CALLS[name]
                if len(node.args) > index:
                    arg = node.args[index]
                else:
                    arg = next((k.value for k in node.keywords if k.arg in ("message", "what", "template")), None)
        elif id(node) in judged and node.value is not None:
            arg = node.value
        if arg is not None:
            found += _course_text_templates(arg) if name == "course_text" else _message_templates(arg)
    return list(dict.fromkeys(found))


def _course_text_templates(node) -> list[str]:
    """The templates a ``course_text(template, ...)`` call names: its first argument is already a
    template (``{0}``, ``{{``), taken as it is; a conditional names both of its branches."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        found = [node.value]
    elif isinstance(node, ast.IfExp):
        found = _course_text_templates(node.body) + _course_text_templates(node.orelse)
    else:
        return []
    # words, or a word around a value ("a {0}": the article of a layer kind)
    return [t for t in found if re.search(r"[A-Za-z]{2}", re.sub(r"\{\d+\}", "", t))
            or (re.search(r"[A-Za-z]", t) and re.search(r"\{\d+\}", t))]


def lesson_messages(lesson_id: str, root: Path = ROOT) -> dict[str, bool]:
    """{template: visible} of one lesson: its test cells' messages and its judge's (visible: a student
    can see the template in the released notebook's test cells)."""
    from coursekit.grading.judge import judge_module

    found: dict[str, bool] = {}
    template = root / "lessons" / f"{lesson_id}.py"
    for tc in parse_template(template.read_text(encoding="utf-8"), str(template)):
        if tc.kind != "tests":
            continue
        body = "\n".join(tc.lines)
        visible = HIDDEN.sub("", body)
        for t in messages_in(visible):
            found[t] = True
        for t in messages_in(body):
            found.setdefault(t, False)
    module = judge_module(lesson_id)
    if module:
        source = (root / "coursekit" / "grading" / "judge" / f"{module}.py").read_text(encoding="utf-8")
        for t in messages_in(source, judge_returns=True):
            found.setdefault(t, False)
    return found


def kit_messages(root: Path = ROOT) -> list[str]:
    """The kit's sentences (``course_text`` templates and check messages in ``coursekit/notebook``) and
    the judges' shared ones (``coursekit/grading/judge/__init__.py``, ``probes.py``)."""
    found = []
    for path in sorted((root / "coursekit" / "notebook").glob("*.py")):
        found += messages_in(path.read_text(encoding="utf-8"))
    for name in ("__init__", "probes", "wire"):
        found += messages_in((root / "coursekit" / "grading" / "judge" / f"{name}.py").read_text(encoding="utf-8"))
    return list(dict.fromkeys(found))


@dataclass
class MessageReport:
    translated: int = 0
    total: int = 0
    missing: list = field(default_factory=list)
    stale: list = field(default_factory=list)
    wrong: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.wrong)


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"(?<!\{)\{(\d+)\}(?!\})", text))


def message_report(language: str, scope: str, wanted: list[str]) -> MessageReport:
    entries = {e["en"]: e.get(language, "") for e in locale.read_entries(language, scope)}
    report = MessageReport(total=len(wanted))
    script = SCRIPTS.get(language)
    for template in wanted:
        tr = entries.get(template)
        if re.search(r"(?<!\{)\{\d+\}\{\d+\}", template):
            report.wrong.append((template, "two placeholders side by side: a message cannot be matched back to "
                                           "this template; make the second value part of a template of its own"))
        elif not tr:
            report.missing.append(template)
        elif _placeholders(tr) != _placeholders(template):
            report.wrong.append((template, "the translation's placeholders differ from the English's"))
        elif script is not None and not script.search(tr) and re.search(r"[^\W\d_]", re.sub(r"\{\d+\}", "", tr)):
            report.wrong.append((template, "not translated: no text in the language's script"))
        else:
            report.translated += 1
    report.stale = [en for en in entries if en not in set(wanted)]
    return report


def notebook_messages(lesson_id: str, root: Path = ROOT) -> dict[str, dict[str, str]]:
    """What a lesson's setup cell carries: {language: {template: translation}} for the kit's sentences
    and the lesson's *visible* checks (the hidden checks' wording stays with the grader)."""
    visible = {t for t, shown in lesson_messages(lesson_id, root).items() if shown}
    out = {}
    for language in locale.languages():
        table = {en: tr for en, tr in locale.catalogue(language, lesson_id).items()
                 if en in visible or en in _kit_set(language)}
        if table:
            out[language] = dict(sorted(table.items()))
    return out


def _kit_set(language: str) -> set:
    return {e["en"] for e in locale.read_entries(language, locale.KIT)}


# ---- the command ----------------------------------------------------------------------------------

def status(language: str, lessons: list[str], root: Path = ROOT, verbose: bool = False) -> bool:
    from coursekit.authoring.build import build_master

    ok = True
    kit = message_report(language, locale.KIT, kit_messages(root))
    print(f"[{language}] kit messages: {kit.translated}/{kit.total} translated"
          + (f", {len(kit.missing)} missing" if kit.missing else "") + (f", {len(kit.stale)} stale" if kit.stale else ""))
    ok &= kit.ok
    _details(kit, verbose)
    for lesson_id in lessons:
        _, cells = translate_master(build_master(lesson_id, root), language, lesson_id, root)
        msgs = message_report(language, lesson_id, list(lesson_messages(lesson_id, root)))
        total = len(cells.translated) + len(cells.stale) + len(cells.missing) + len(cells.wrong)
        print(f"[{language}] {lesson_id}: cells {len(cells.translated)}/{total} translated"
              + (f", {len(cells.stale)} stale" if cells.stale else "")
              + (f", {len(cells.missing)} missing" if cells.missing else "")
              + (f", {len(cells.wrong)} breaking a rule" if cells.wrong else "")
              + (f", {len(cells.unknown)} unknown" if cells.unknown else "")
              + f"; messages {msgs.translated}/{msgs.total}"
              + (f", {len(msgs.missing)} missing" if msgs.missing else "")
              + (f", {len(msgs.stale)} stale" if msgs.stale else ""))
        for cell_id, why in cells.stale + cells.wrong:
            print(f"    {cell_id}: {why}")
        if cells.unknown:
            print(f"    no English cell for: {', '.join(cells.unknown)}")
        if verbose and cells.missing:
            print(f"    missing: {', '.join(cells.missing)}")
        _details(msgs, verbose)
        ok &= cells.ok and msgs.ok
    return ok


def _details(report: MessageReport, verbose: bool) -> None:
    for template, why in report.wrong:
        print(f"    message {template[:90]!r}: {why}")
    if verbose:
        for template in report.missing:
            print(f"    missing message: {template[:110]!r}")
        for template in report.stale:
            print(f"    stale message (no such English any more): {template[:100]!r}")


def scaffold(language: str, lesson_id: str, root: Path = ROOT) -> list[Path]:
    """Add what is missing, in English, for a translator to rewrite: the lesson's untranslated cells
    (appended to ``lessons/<language>/<id>.py`` with their ``en=`` hash) and its untranslated messages
    (appended to the catalogue with an empty translation). Stale entries are left for the translator."""
    from coursekit.authoring.build import build_master

    written = []
    master = build_master(lesson_id, root)
    _, cells = translate_master(master, language, lesson_id, root)
    by_id = {c.id: c for c in master.cells}
    path = translation_dir(language, root) / f"{lesson_id}.py"
    missing = [c for c in cells.missing if c not in BUILD_CELLS]
    if missing:
        chunks = [path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"] if path.is_file() else []
        for cell_id in missing:
            cell = by_id[cell_id]
            english = translatable_text(cell)
            kind = "markdown" if cell.cell_type == "markdown" else (
                "tests" if cell.metadata.get("nbgrader", {}).get("grade") else
                "setup" if cell_id == "setup" else "answer" if cell.metadata.get("nbgrader", {}).get("solution") else "code")
            body = "\n".join(("# " + line) if line else "#" for line in english.splitlines()) \
                if kind == "markdown" else english
            chunks.append(f"# %% [{kind}] cell={cell_id} en={english_hash(english)}\n{body}\n\n")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(chunks).rstrip("\n") + "\n", encoding="utf-8")
        written.append(path)
    for scope, wanted in ((lesson_id, list(lesson_messages(lesson_id, root))), (locale.KIT, kit_messages(root))):
        entries = locale.read_entries(language, scope)
        have = {e["en"] for e in entries}
        new = [{"en": t, language: ""} for t in wanted if t not in have]
        if new:
            written.append(locale.write_entries(language, scope, entries + new))
    return written


def write_masters(out: Path, languages: list[str], lessons: list[str], root: Path = ROOT) -> list[Path]:
    """``out/<language>/<id>.ipynb``: each edition's master (solutions, hidden tests), for running it
    end to end (``make test-colab``, tests/test_editions_run.py); never committed (source/ is nbgrader's)."""
    from coursekit.authoring.build import build_master, write_notebook

    written = []
    for lesson_id in lessons:
        master = build_master(lesson_id, root)
        for language in languages:
            path = out / language / f"{lesson_id}.ipynb"
            write_notebook(translate_master(master, language, lesson_id, root)[0], path)
            written.append(path)
    return written


def main(argv=None) -> int:
    from coursekit.authoring.build import lesson_ids

    parser = argparse.ArgumentParser(description="Translations of the lessons: status (what is translated, "
                                     "stale, missing), scaffold (add what is missing, in English, for a translator), "
                                     "masters (write each edition's master notebook, to run it).")
    parser.add_argument("command", choices=["status", "scaffold", "masters"])
    parser.add_argument("--out", type=Path, help="masters: the folder to write <language>/<id>.ipynb into")
    parser.add_argument("--language", "-l", action="append", help="default: every language under coursekit/locale")
    parser.add_argument("lessons", nargs="*")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every missing and stale item")
    args = parser.parse_intermixed_args(argv)
    languages = args.language or locale.languages()
    lessons = args.lessons or lesson_ids()
    lessons = [i for i in lesson_ids() if any(i == w or i.startswith(w) for w in lessons)]
    if args.command == "masters":
        if args.out is None:
            parser.error("masters needs --out DIR")
        for path in write_masters(args.out, languages, lessons):
            print(f"wrote {path}")
        return 0
    if args.command == "scaffold":
        for language in languages:
            for lesson_id in lessons:
                for path in scaffold(language, lesson_id):
                    print(f"wrote {path.relative_to(ROOT)}")
        return 0
    ok = all([status(language, lessons, verbose=args.verbose) for language in languages])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
