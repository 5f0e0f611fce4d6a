"""Rules every lesson template keeps, read from lessons/<id>.py and solutions/l<id>.py (no notebook runs):

- a cell a student may skip (``# %% [code] optional=yes``: a demonstration, a long extra run) defines
  nothing that a later cell needs: every name a required cell reads is defined by the setup cell, a
  builtin, or an earlier required cell;
- no long training run is silent or floods the notebook: every ``fit`` outside the graded checks
  prints one line per epoch (``EpochLog``) or asks for Keras's progress output explicitly.
"""
import ast
import builtins
import re
import symtable

import pytest

from coursekit.authoring import build
from coursekit.authoring.template import definitions, parse_template
from coursekit.grading import audit

ROOT = build.ROOT
# What IPython itself puts in every kernel's namespace.
IPYTHON_NAMES = {"In", "Out", "get_ipython", "display", "exit", "quit", "_", "__", "___", "_ih", "_oh"}


def _code(source: str) -> str:
    """The cell as Python: IPython's magics and shell lines (``%env``, ``!pip``) blanked."""
    return "\n".join("" if re.match(r"\s*[%!]", line) else line for line in source.splitlines())


def _free_and_bound(source: str) -> tuple[set[str], set[str]]:
    """(the global names a cell reads and does not define itself, the names it defines)."""
    top = symtable.symtable(_code(source), "<cell>", "exec")
    bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}
    free = set()

    def walk(table, top_level):
        for sym in table.get_symbols():
            if sym.is_referenced() and (top_level or sym.is_global()) and sym.get_name() not in bound:
                free.add(sym.get_name())
        for child in table.get_children():
            walk(child, False)

    walk(top, True)
    return free, bound


def _cells(lesson):
    """(kind, attrs, source, line) per template cell, its code as the build writes it (build.cell_code)."""
    template = ROOT / "lessons" / f"{lesson}.py"
    defs = definitions(ROOT / "solutions" / f"l{lesson}.py")
    for cell in parse_template(template.read_text(), template.name):
        yield cell.kind, cell.attrs, build.cell_code(cell, lesson, ROOT, defs, template.name), cell.lineno


def test_optional_is_the_only_attribute_of_plain_code_cells():
    for lesson in build.lesson_ids():
        for kind, attrs, _, line in _cells(lesson):
            if kind == "code":
                assert set(attrs) <= {"optional"} and attrs.get("optional", "yes") == "yes", \
                    f"lessons/{lesson}.py:{line}: a [code] cell takes only optional=yes, not {attrs}"


@pytest.mark.parametrize("lesson", build.lesson_ids())
def test_required_cells_need_nothing_from_optional_ones(lesson):
    master = build.build_master(lesson)
    setup = next(c for c in master.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    kit, _ = audit.setup_names(setup.source)
    required = set(dir(builtins)) | IPYTHON_NAMES | kit
    anywhere = set(required)
    problems = []
    for kind, attrs, source, line in _cells(lesson):
        if kind in ("markdown", "setup"):
            continue
        free, bound = _free_and_bound(source)
        optional = attrs.get("optional") == "yes"
        missing = free - (anywhere if optional else required)
        if missing:
            origin = "a later cell or nowhere" if optional else "an optional cell, a later cell or nowhere"
            problems.append(f"lessons/{lesson}.py:{line} ({kind}) reads {sorted(missing)}, defined in {origin}")
        anywhere |= bound
        if not optional:
            required |= bound
    assert not problems, "\n".join(problems)


def test_the_name_rule_catches_a_name_defined_only_in_an_optional_cell():
    free, bound = _free_and_bound("BATCH = 32\ndef f():\n    return DROPOUT * BATCH\nf()\n%env X=1")
    assert free == {"DROPOUT"} and {"BATCH", "f"} <= bound


def _fit_calls(source):
    tree = ast.parse(_code(source))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "fit":
            yield node


def _silent_or_flooding(call) -> str | None:
    keywords = {k.arg: k.value for k in call.keywords}
    if "EpochLog" in ast.unparse(keywords.get("callbacks", ast.Constant(None))):
        return None
    epochs, steps = keywords.get("epochs"), keywords.get("steps_per_epoch")
    if all(isinstance(v, ast.Constant) and isinstance(v.value, int) for v in (epochs, steps)) \
            and epochs.value == 1 and steps.value <= 10:
        return None  # a probe of a few steps, not a training run
    verbose = keywords.get("verbose")
    if verbose is None:
        return "no verbose= (Keras's 'auto': two lines an epoch) and no EpochLog"
    if isinstance(verbose, ast.Constant) and verbose.value in (0, False):
        return "verbose=0 and no EpochLog: a silent run"
    return None


@pytest.mark.parametrize("lesson", build.lesson_ids())
def test_no_training_run_is_silent(lesson):
    problems = []
    for kind, _, source, line in _cells(lesson):
        if kind not in ("code", "answer"):
            continue
        for call in _fit_calls(source):
            why = _silent_or_flooding(call)
            if why:
                problems.append(f"lessons/{lesson}.py:{line} ({kind}): `{ast.unparse(call)[:80]}`: {why}")
    assert not problems, "\n".join(problems)


def test_the_fit_rule_tells_silent_from_logged():
    calls = list(_fit_calls("m.fit(x, y, verbose=0)\nm.fit(x, y)\nm.fit(x, y, verbose=0, callbacks=[EpochLog('a')])\n"
                            "m.fit(x, y, verbose=verbose)\nm.fit(d, epochs=1, steps_per_epoch=1, verbose=0)\n"
                            "m.fit(d, epochs=1, steps_per_epoch=500, verbose=0)"))
    assert [bool(_silent_or_flooding(c)) for c in calls] == [True, True, False, False, False, True]
