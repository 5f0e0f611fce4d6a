"""Other-language editions: translation of messages at run time, the rules a translated cell keeps, and
no drift between an edition and the English it translates (coursekit/authoring/translations.py)."""
import json
import shutil

import nbformat
import pytest

from coursekit import ROOT, locale
from coursekit.authoring import build, translations
from coursekit.grading import judge
from coursekit.notebook import i18n

LESSONS = build.lesson_ids()
LANGUAGES = build.edition_languages()


# ---- messages at run time -------------------------------------------------------------------------

CATALOGUE = {
    "{0}: expected shape {1}, found {2}.": "{0}: 모양이 {1}이어야 하는데 {2}입니다.",
    "prepare_images(images of shape {0})": "prepare_images(모양이 {0}인 이미지)",
    "found {0} and {0} again": "{0}를 두 번 찾았습니다",
    "a {{literal}} brace and {0}": "중괄호 {{literal}}와 {0}",
    "Ready.": "준비됨.",
}


def test_a_message_is_matched_and_the_values_it_captures_are_translated_too():
    english = "prepare_images(images of shape (2, 28, 28)): expected shape (2, 28, 28, 1), found (2, 28, 28)."
    assert i18n.course_translate(english, "ko", CATALOGUE) == \
        "prepare_images(모양이 (2, 28, 28)인 이미지): 모양이 (2, 28, 28, 1)이어야 하는데 (2, 28, 28)입니다."


def test_untranslated_text_english_and_literal_braces():
    assert i18n.course_translate("no template says this", "ko", CATALOGUE) == "no template says this"
    assert i18n.course_translate("Ready.", "en", CATALOGUE) == "Ready."
    assert i18n.course_translate("Ready.", "ko", CATALOGUE) == "준비됨."
    assert i18n.course_translate("a {literal} brace and x", "ko", CATALOGUE) == "중괄호 {literal}와 x"
    assert i18n.course_translate("found 3 and 3 again", "ko", CATALOGUE) == "3를 두 번 찾았습니다"
    assert i18n.course_translate("found 3 and 4 again", "ko", CATALOGUE) == "found 3 and 4 again"
    assert i18n.course_text("{0}: expected shape {1}, found {2}.", "w", (1,), (2,), language="ko",
                            catalogue=CATALOGUE) == "w: 모양이 (1,)이어야 하는데 (2,)입니다."
    assert i18n.course_text("{0}: expected shape {1}, found {2}.", "w", (1,), (2,), language="en",
                            catalogue=CATALOGUE) == "w: expected shape (1,), found (2,)."


def test_the_language_comes_from_COURSE_LANG():
    assert i18n.course_language({}) == "en"
    assert i18n.course_language({"COURSE_LANG": "ko"}) == "ko"
    assert i18n.course_language({"COURSE_LANG": "../../etc"}) == "en"


def test_a_long_message_with_no_template_is_answered_at_once():
    import time

    text = "x" * 4000
    started = time.perf_counter()
    for _ in range(20):
        assert i18n.course_translate(text, "ko", locale.catalogue("ko") or CATALOGUE) == text
    assert time.perf_counter() - started < 2.0


# ---- what a translated cell may change -------------------------------------------------------------

@pytest.mark.parametrize("english, translated, same", [
    ('x = 1  # one\nprint("two words")', 'x = 1  # 하나\nprint("두 단어")', True),
    ('def f():\n    """Doc string."""\n    return g("same")', 'def f():\n    """설명."""\n    return g("same")', True),
    ('plt.xlabel("epoch")', 'plt.xlabel("에폭")', True),
    ('print(f"{n} images of {m} in total")', 'print(f"전체 {m}개 중 {n}개의 이미지")', True),
    ('layers.Conv2D(8, 3, padding="same")', 'layers.Conv2D(8, 3, padding="valid")', False),
    ('x = 1', 'x = 2', False),
    ('print(f"{n} images")', 'print(f"{m}개의 이미지")', False),
    ('y = f(x)', 'y = f(x) + 1', False),
    ('os.environ["COURSE_LANG"] = "en"', 'os.environ["COURSE_LANG"] = "ko"', True),
])
def test_same_code(english, translated, same):
    assert translations.same_code(english, translated, "ko") is same


# ---- the editions, complete and current ------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("lesson", LESSONS)
def test_every_cell_of_every_edition_is_translated_and_current(language, lesson):
    """A translation that is missing, stale (the English changed since: its en= hash differs) or breaks
    a rule (code changed) fails here, naming the cells; `make translations` says the same."""
    _, report = translations.translate_master(nbtools_master(lesson), language, lesson)
    problems = [f"{cell}: {why}" for cell, why in report.stale + report.wrong] + \
        [f"{cell}: not translated" for cell in report.missing] + \
        [f"{cell}: no such English cell" for cell in report.unknown]
    assert not problems, f"{language} {lesson}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("scope", [locale.KIT] + LESSONS)
def test_every_message_is_translated_and_none_is_stale(language, scope):
    wanted = translations.kit_messages() if scope == locale.KIT else list(translations.lesson_messages(scope))
    report = translations.message_report(language, scope, wanted)
    problems = [f"missing: {t!r}" for t in report.missing] + [f"stale (no such English): {t!r}" for t in report.stale] \
        + [f"{t!r}: {why}" for t, why in report.wrong]
    assert not problems, f"{language} {scope}: {len(problems)} problem(s)\n" + "\n".join(problems[:20])


def nbtools_master(lesson):
    return build.build_master(lesson)


@pytest.fixture(scope="module")
def scratch_root(tmp_path_factory):
    """A copy of what a lesson's build reads (lessons/, solutions/, coursekit/), to change the English."""
    root = tmp_path_factory.mktemp("root")
    for folder in ("lessons", "solutions", "coursekit"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_english_change_makes_its_translation_stale_and_the_build_keeps_the_english(scratch_root, language):
    lesson = LESSONS[0]
    template = scratch_root / "lessons" / f"{lesson}.py"
    original = template.read_text()
    master = build.build_master(lesson, scratch_root)
    markdown = [c for c in master.cells if c.cell_type == "markdown" and c.id.startswith("md-")]
    target = markdown[1]
    first_line = "# " + target.source.splitlines()[0]
    assert original.count(first_line) == 1
    template.write_text(original.replace(first_line, first_line + " (changed)"))
    try:
        nb, report = translations.translate_master(build.build_master(lesson, scratch_root), language, lesson, scratch_root)
        assert [cell for cell, _ in report.stale] == [target.id]
        assert "(changed)" in next(c for c in nb.cells if c.id == target.id).source  # the English, not a stale text
        assert translations.status(language, [lesson], scratch_root) is False
    finally:
        template.write_text(original)


def test_a_changed_message_is_missing_and_its_old_entry_stale():
    language = LANGUAGES[0]
    wanted = list(translations.lesson_messages(LESSONS[0]))
    changed = wanted[0] + " (reworded)"
    report = translations.message_report(language, LESSONS[0], [changed] + wanted[1:])
    assert changed in report.missing and wanted[0] in report.stale


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("lesson", LESSONS)
def test_an_edition_has_the_same_cells_grade_ids_points_and_code(language, lesson):
    english = nbformat.read(ROOT / "notebooks" / f"{lesson}.ipynb", as_version=4)
    other = nbformat.read(ROOT / "notebooks" / language / f"{lesson}.ipynb", as_version=4)
    assert [c.id for c in other.cells] == [c.id for c in english.cells]
    assert [c.cell_type for c in other.cells] == [c.cell_type for c in english.cells]

    def grading(cell):
        return {k: v for k, v in cell.metadata.get("nbgrader", {}).items() if k != "checksum"}
    assert [grading(c) for c in other.cells] == [grading(c) for c in english.cells]
    for en, tr in zip(english.cells, other.cells):
        if en.cell_type != "code":
            continue
        if en.id == "setup":
            assert tr.source.splitlines()[1:] == en.source.splitlines()[1:], "the setup cell differs beyond its title"
        elif grading(en).get("grade") or grading(en).get("locked"):
            import ast
            assert ast.dump(ast.parse(tr.source)) == ast.dump(ast.parse(en.source)), f"{en.id}: locked code differs"
        else:
            assert translations.same_code(en.source, tr.source, language), f"{en.id}: the code differs"


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_setup_cell_carries_the_kit_and_visible_messages_but_not_the_hidden_ones(lesson):
    messages = translations.notebook_messages(lesson)
    shown = translations.lesson_messages(lesson)
    for language, table in messages.items():
        hidden_only = [t for t in table if t in shown and not shown[t]
                       and t not in {e["en"] for e in locale.read_entries(language, locale.KIT)}]
        assert not hidden_only, f"{lesson}: the setup cell would show hidden checks' wording: {hidden_only[:3]}"
    setup = next(c for c in nbformat.read(ROOT / "notebooks" / f"{lesson}.ipynb", as_version=4).cells if c.id == "setup")
    if messages:
        assert "COURSE_MESSAGES = " in setup.source


def test_the_grader_reads_the_language_from_the_workload_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('import os\nos.environ["COURSE_LANG"] = "ko"  # note')]
    assert judge.submission_language(nb) == "ko"
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    assert judge.submission_language(nb) == "en"
    for language in LANGUAGES:
        edition = nbformat.read(ROOT / "notebooks" / language / f"{LESSONS[0]}.ipynb", as_version=4)
        assert judge.submission_language(edition) == language
    assert judge.submission_language(nbformat.read(ROOT / "notebooks" / f"{LESSONS[0]}.ipynb", as_version=4)) == "en"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_verdict_is_written_in_the_notebooks_language(language):
    lesson = LESSONS[0]
    edition = nbformat.read(ROOT / "notebooks" / language / f"{lesson}.ipynb", as_version=4)
    translate = judge.verdict_language(edition, lesson)
    english = "prepare_images(images of shape (2, 28, 28)): expected shape (2, 28, 28, 1), found (2, 28, 28)."
    said = translate(english)
    assert said != english and translations.SCRIPTS[language].search(said)
    assert "(2, 28, 28, 1)" in said
    english_nb = nbformat.read(ROOT / "notebooks" / f"{lesson}.ipynb", as_version=4)
    assert judge.verdict_language(english_nb, lesson) is None


def test_the_status_command(capsys):
    code = translations.main(["status"])
    out = capsys.readouterr().out
    for language in LANGUAGES:
        for lesson in LESSONS:
            assert f"[{language}] {lesson}: cells " in out
    assert code == 0, out


def test_catalogue_files_are_tidy():
    for language in locale.languages():
        for path in sorted((locale.HERE / language).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            ens = [e["en"] for e in data["messages"]]
            assert len(ens) == len(set(ens)), f"{path.name}: an English template twice"
            assert data["language"] == language and data["scope"] == path.stem


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("lesson", LESSONS)
def test_the_intake_takes_an_edition_as_it_is(language, lesson):
    """Matched to the English release, an edition's notebook needs no repair and raises no flag: its
    nbgrader metadata differs only in the checksums of the cells whose text is translated."""
    from coursekit.grading import audit, intake
    from tests import nbtools

    edition = nbformat.read(ROOT / "notebooks" / language / f"{lesson}.ipynb", as_version=4)
    release = nbtools.release(lesson)
    assert intake.repair(edition, release) == []
    assert audit.audit(edition, release) == []
