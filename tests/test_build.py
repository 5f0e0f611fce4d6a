"""The generated notebooks: no drift from their inputs, no leaks into the student edition."""
import ast
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from coursekit.authoring import build
from tests import nbtools

ROOT = build.ROOT
LESSONS = build.lesson_ids()
LANGUAGES = build.edition_languages()   # the other-language editions: notebooks/<language>/<id>.ipynb


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    out = tmp_path_factory.mktemp("rebuilt")
    build.build(ROOT, out)
    return out


def committed_generated_files():
    files = [p for lesson in LESSONS for p in (
        Path("source") / lesson / f"{lesson}.ipynb",
        Path("release") / lesson / f"{lesson}.ipynb",
        Path("notebooks") / f"{lesson}.ipynb",
        *(Path("notebooks") / language / f"{lesson}.ipynb" for language in LANGUAGES))]
    return files


def test_every_lesson_has_its_files():
    assert LESSONS, "no lessons under lessons/"
    for path in committed_generated_files():
        assert (ROOT / path).is_file(), f"{path} missing: run `make build`"
    every = {p.stem for p in (ROOT / "lessons").glob("[0-9][0-9]_*.py")}  # even under COURSE_LESSONS
    for folder in [ROOT / "notebooks"] + [ROOT / "notebooks" / language for language in LANGUAGES]:
        extra = {p.stem for p in folder.glob("*.ipynb")} - every
        assert not extra, f"{folder.relative_to(ROOT)}/ holds notebooks of no lesson: {extra}"
    folders = {p.name for p in (ROOT / "notebooks").iterdir() if p.is_dir()}
    assert folders <= set(LANGUAGES), f"notebooks/ holds folders of no edition: {folders - set(LANGUAGES)}"


@pytest.mark.parametrize("path", committed_generated_files(), ids=str)
def test_no_drift(rebuilt, path):
    committed, fresh = (ROOT / path).read_bytes(), (rebuilt / path).read_bytes()
    assert committed == fresh, f"{path} differs from what `make build` makes: run `make build` and commit"


def test_building_twice_gives_the_same_bytes(rebuilt, tmp_path):
    lesson = LESSONS[0]
    again = build.build(ROOT, tmp_path, [lesson])
    assert len(again) == 3 + len(LANGUAGES)
    for path in again:
        rel = path.relative_to(tmp_path)
        assert path.read_bytes() == (rebuilt / rel).read_bytes(), f"{rel}: a second build wrote other bytes"


@pytest.mark.parametrize("path", committed_generated_files(), ids=str)
def test_written_as_nbformat_writes(path):
    """Every generated notebook is in nbformat's own layout (what Jupyter saves and nbgrader writes):
    valid, sources split into lines (so a diff shows the lines that changed), keys sorted, indent 1,
    a trailing newline."""
    text = (ROOT / path).read_bytes().decode("utf-8")
    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert text == build.notebook_text(nb), f"{path} is not in nbformat's layout: run `make build`"
    raw = json.loads(text)
    one_line = [c.get("id") for c in raw["cells"] if isinstance(c["source"], str) and "\n" in c["source"]]
    assert not one_line, f"{path}: sources written as one JSON string, not line by line: {one_line}"
    assert text.endswith("}\n") and text.startswith('{\n "cells": [\n')


def test_generate_assignment_reproduces_release(tmp_path):
    """The README tells instructors to run `nbgrader generate_assignment <lesson>`: in a course directory
    holding the committed master, it writes the committed release notebook byte for byte."""
    from coursekit.grading.coursedir import run_nbgrader

    lesson = LESSONS[0]
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    shutil.copytree(ROOT / "source" / lesson, tmp_path / "source" / lesson)
    run_nbgrader(tmp_path, "generate_assignment", lesson, "--force", "--log-level=WARN",
                 env={"COURSE_SANDBOX": "off"})  # nothing is executed
    written = (tmp_path / "release" / lesson / f"{lesson}.ipynb").read_bytes()
    committed = (ROOT / "release" / lesson / f"{lesson}.ipynb").read_bytes()
    assert written == committed, (f"nbgrader generate_assignment {lesson} rewrote release/{lesson}: "
                                  "run `make build` and commit")


def solution_lines(lesson):
    """Non-trivial lines inside the solution regions of the lesson's solutions module."""
    text = (ROOT / "solutions" / f"l{lesson}.py").read_text()
    regions = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, re.S)
    return {line.strip() for region in regions for line in region.splitlines() if len(line.strip()) > 12}


@pytest.mark.parametrize("edition", ["release", "notebooks"] + [f"notebooks/{language}" for language in LANGUAGES])
@pytest.mark.parametrize("lesson", LESSONS)
def test_student_editions_leak_nothing(lesson, edition):
    path = ROOT / (f"release/{lesson}/{lesson}.ipynb" if edition == "release" else f"{edition}/{lesson}.ipynb")
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    code = {l.strip() for c in nb.cells if c.cell_type == "code" for l in c.source.splitlines()}
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"{path.name} contains '{marker}'"
    leaked = [line for line in solution_lines(lesson) if line in code]
    assert not leaked, f"{path.name} contains solution code: {leaked[:3]}"
    master_hidden = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS",
                               "\n".join(c.source for c in nbtools.master(lesson).cells), re.S)
    assert master_hidden, "the master has no hidden tests"
    master_text = "\n".join(c.source for c in nbtools.master(lesson).cells)
    public = re.sub(r"### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS", "", master_text, flags=re.S)
    hidden_lines = {l.strip() for h in master_hidden for l in h.splitlines()
                    if len(l.strip()) > 20 and l.strip() not in public}
    assert hidden_lines, "no line of the hidden tests is unique to them"
    assert not [l for l in hidden_lines if l in code], f"{path.name} contains hidden test code"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "outputs must be cleared"


@pytest.mark.parametrize("lesson", LESSONS)
def test_master_answer_cells_are_the_solutions_module(lesson):
    """Each answer cell is exactly the named definitions of solutions/l<id>.py."""
    defs = build.definitions(ROOT / "solutions" / f"l{lesson}.py")
    for cell in nbtools.master(lesson).cells:
        if nbtools.meta(cell).get("solution"):
            chunks = cell.source.split("\n\n\n")
            assert all(chunk in defs.values() for chunk in chunks), f"answer {nbtools.meta(cell)['grade_id']} drifted"


@pytest.mark.parametrize("lesson", LESSONS)
def test_stub_keeps_a_statement_and_todo(lesson):
    for cell in nbtools.release(lesson).cells:
        if nbtools.meta(cell).get("solution"):
            assert "# TODO" in cell.source and "raise NotImplementedError()" in cell.source
            ast.parse(cell.source)  # every stubbed function still has a body


@pytest.mark.parametrize("lesson", LESSONS)
def test_colab_edition(lesson):
    nb = json.loads((ROOT / "notebooks" / f"{lesson}.ipynb").read_text())
    assert nb["metadata"]["accelerator"] == "GPU"
    rel = nbtools.release(lesson)
    assert [c["metadata"].get("nbgrader") for c in nb["cells"]] == [c.metadata.get("nbgrader") for c in rel.cells]
    workload, setup = nb["cells"][1], nb["cells"][2]   # the student picks the workload, then runs the setup
    assert workload["id"] == "workload" and workload["metadata"]["cellView"] == "form"
    assert 'WORKLOAD = "full"  #@param ["full", "fast"]' in "".join(workload["source"])
    assert setup["metadata"]["nbgrader"]["grade_id"] == "setup" and setup["metadata"]["cellView"] == "form"
    assert "".join(setup["source"]).startswith("#@title")


def test_notebook_folder_is_what_the_setup_cell_carries():
    """coursekit/notebook/ holds exactly the modules packed into every setup cell; each imports only the
    standard library, numpy, TensorFlow, Keras and matplotlib (never each other, never the rest of the
    kit, except an earlier-packed module's functions where a name is not yet defined - ``except NameError``,
    the module imported outside a notebook: the i18n module's ``course_text``, the runtime module's
    ``grading_cap`` in the data module), and no two define the same top-level name (they share one
    namespace in the notebook)."""
    allowed = {"numpy", "tensorflow", "keras", "matplotlib", "absl", "google"}  # google.colab: only in Colab
    import sys
    folder = ROOT / "coursekit" / "notebook"
    assert sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__") == sorted(build.INJECTED_MODULES)
    defined: dict[str, str] = {}
    for module in build.INJECTED_MODULES:
        tree = ast.parse((folder / f"{module}.py").read_text())
        fallback = {id(n) for h in ast.walk(tree) if isinstance(h, ast.ExceptHandler)
                    and getattr(h.type, "id", None) == "NameError" for n in h.body
                    if isinstance(n, ast.ImportFrom) and n.module in {
                        f"coursekit.notebook.{m}" for m in build.INJECTED_MODULES[:build.INJECTED_MODULES.index(module)]}}
        for node in ast.walk(tree):
            if id(node) in fallback:
                continue
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{module}.py uses a relative import"
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in allowed or top in sys.stdlib_module_names, f"{module}.py imports {name}"
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            else:
                continue
            for name in names:
                assert defined.setdefault(name, module) == module, \
                    f"{name!r} is defined by both {defined[name]}.py and {module}.py: one namespace in the notebook"


def test_template_errors_name_the_line():
    with pytest.raises(build.TemplateError, match=r"x.py:2: unknown cell kind"):
        build.parse_template("# %% [markdown]\n# %% [nope]\n", "x.py")
    with pytest.raises(build.TemplateError, match=r"text before"):
        build.parse_template("print(1)\n# %% [code]\n", "x.py")
    cells = build.parse_template("# %% [tests] id=a points=2\nassert 1\n\n", "x.py")
    assert cells[0].attrs == {"id": "a", "points": "2"} and cells[0].lines == ["assert 1"]


def test_a_test_cell_takes_its_expected_table_from_the_judge(tmp_path):
    """`#<< judge: NAME, ...` in a test cell becomes those definitions of the lesson's judge, verbatim (one
    home for what a check compares with); a name the judge lacks, or a malformed marker, names the line."""
    from coursekit.authoring.template import judge_injected

    judge = tmp_path / "l09.py"
    judge.write_text('"""A judge."""\nSPEC = [\n    dict(kind="Dense", units=2),\n]\nTOTAL: int = 3\n\n\n'
                     'def _spec(n):\n    """The table."""\n    return SPEC * n\n\n\ndef other():\n    pass\n')
    body = "x = 1\n#<< judge: SPEC, _spec\ncheck(_spec(2))"
    assert judge_injected(body, judge, "l.py:3") == (
        'x = 1\nSPEC = [\n    dict(kind="Dense", units=2),\n]\ndef _spec(n):\n    """The table."""\n    return SPEC * n\n'
        "check(_spec(2))")
    assert judge_injected("#<< judge: TOTAL", judge, "w") == "TOTAL: int = 3"
    assert judge_injected("plain = 1", judge, "w") == "plain = 1"
    with pytest.raises(build.TemplateError, match=r"l.py:3: l09.py defines no \['MISSING'\]"):
        judge_injected("#<< judge: SPEC, MISSING", judge, "l.py:3")
    with pytest.raises(build.TemplateError, match=r"l.py:3: write '#<< judge: NAME, NAME'"):
        judge_injected("#<< judge SPEC", judge, "l.py:3")
    # The lessons use it: the tables the visible checks show students are the judges' own.
    from coursekit.grading.judge import l01, l03

    master = nbtools.master(next(l for l in build.lesson_ids() if l.startswith("01_")))
    visible = next(c.source for c in master.cells if nbtools.meta(c).get("grade_id") == "my_model_visible")
    namespace = {}
    exec(visible.split("check_architecture(")[0], namespace)
    assert namespace["MNIST_VGG_SPEC"] == l01.MNIST_VGG_SPEC
    master = nbtools.master(next(l for l in build.lesson_ids() if l.startswith("03_")))
    visible = next(c.source for c in master.cells if nbtools.meta(c).get("grade_id") == "build_model_visible")
    namespace = {}
    exec(visible.split("_err = ")[0], namespace)
    assert namespace["CIFAR_CNN_SPEC"] == l03.CIFAR_CNN_SPEC


@pytest.mark.parametrize("lesson", build.lesson_ids())
def test_setup_cell_is_one_screen_and_carries_the_kit(lesson):
    """The locked setup cell carries exactly today's coursekit/notebook/ modules, packed (kitpack), in
    one screen; the grading audit reads the helpers' names back out of it."""
    from coursekit.authoring import kitpack
    from coursekit.grading import audit

    for path in (ROOT / "source" / lesson / f"{lesson}.ipynb", ROOT / "release" / lesson / f"{lesson}.ipynb",
                 ROOT / "notebooks" / f"{lesson}.ipynb", *(ROOT / "notebooks" / lang / f"{lesson}.ipynb" for lang in LANGUAGES)):
        nb = nbformat.read(path, as_version=4)
        setup = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
        assert kitpack.unpack_setup(setup.source) == build.kit_sources(), f"{path}: stale or missing helpers"
        assert len(setup.source.splitlines()) <= 40, f"{path}: setup cell of {len(setup.source.splitlines())} lines"
    helpers, _ = audit.setup_names(setup.source)
    assert {"expect", "expect_shape", "course_setup", "load_mnist", "handin_check", "HANDIN_EXPECTED"} <= helpers


def test_kitpack_round_trip_and_damage():
    from coursekit.authoring import kitpack

    sources = {"a": "x = 1\n", "b": "def f():\n    return 'é'\n"}
    assert kitpack.unpack(kitpack.pack(sources)) == sources
    assert kitpack.pack(sources) == kitpack.pack(dict(sources))   # deterministic
    cell = kitpack.setup_code(sources)
    assert kitpack.unpack_setup(cell) == sources
    namespace = {}
    exec(compile(cell, "<setup>", "exec"), namespace)
    assert namespace["x"] == 1 and namespace["f"]() == "é" and list(namespace["COURSE_HELPERS"]) == ["a", "b"]
    assert kitpack.unpack_setup(cell.replace(kitpack.pack(sources), "not base64!")) == {}
    assert kitpack.unpack_setup("this is not python (") == {}
