"""Each other-language edition's master, run top to bottom in fast mode on stand-in data, as nbval runs the
English masters (no cell may fail), with training capped (COURSE_TRAIN_CAP): its code is the English code
(tests/test_translations.py proves it), so what is new here is its text - the Korean kit lines, the visible
checks' pass lines and the plots' Korean labels, which must all run."""
import re

import nbformat
import pytest
from nbclient import NotebookClient

from coursekit.authoring import build, translations

LESSONS = build.lesson_ids()
LANGUAGES = build.edition_languages()


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("lesson", LESSONS)
def test_the_edition_runs_and_speaks_its_language(lesson, language, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_TRAIN_CAP", "1,2")
    path = translations.write_masters(tmp_path, [language], [lesson])[0]
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    script = translations.SCRIPTS[language]
    setup = next(c for c in nb.cells if c.id == "setup")
    assert script.search(_text(setup)), f"the setup cell printed no {language}: {_text(setup)[:300]}"
    visible = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.id.endswith("_visible")]
    said = [_text(c) for c in visible]
    assert visible and all(script.search(s) for s in said), f"pass lines not in {language}: {said}"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if re.search(r"Glyph \d+ .* missing from", o.get("text", ""))]
    assert not errors, "a plot's text has characters its font cannot draw"
