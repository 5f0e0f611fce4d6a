"""`make fullcheck`'s machinery (coursekit/devtools/fullcheck.py) on small notebooks: the training cap is on for
the lesson's own cells and off for graded checks, the largest eager model call and the kernel's peak
memory are measured, and a failing cell or a call over the budget is a verdict that names it."""
import json

import nbformat

from coursekit.devtools import fullcheck

SETUP = """\
from coursekit.notebook.runtime import course_setup, _CapState
import json, numpy as np, keras
course_setup()
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
x, y = np.zeros((64, 4), "float32"), np.zeros(64, "int32")
"""
LESSON_FIT = 'h = model.fit(x, y, batch_size=8, epochs=5, verbose=0)\nprint("LESSON", json.dumps(len(h.history["loss"])))'
GRADED_FIT = 'g = model.fit(x, y, batch_size=8, epochs=3, verbose=0)\nprint("GRADED", json.dumps(len(g.history["loss"])))'


def _lesson(root, cells):
    nb = nbformat.v4.new_notebook()
    for i, (source, graded) in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source)
        cell.id = f"c{i}"
        if graded:
            cell.metadata["nbgrader"] = {"grade": True, "grade_id": f"c{i}", "points": 1}
        nb.cells.append(cell)
    path = root / "source" / "99_tiny" / "99_tiny.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return nb


def test_cap_measures_and_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(fullcheck.ROOT))
    _lesson(tmp_path, [(SETUP, False), (LESSON_FIT, False), (GRADED_FIT, True),
                       ("model(np.zeros((5000, 4), 'float32'))", False)])
    result = fullcheck.check_lesson("99_tiny", tmp_path / "data", "1,2", tmp_path / "work", 300, tmp_path)
    assert result["max_call_images"] == 5000
    assert result["ok"] is False and "5000 images at once" in result["error"]
    assert 0.05 < result["peak_rss_gib"] < fullcheck.BUDGET["peak_rss_gib"]
    assert result["wall_s"] > 0


def test_capped_lesson_cells_and_uncapped_checks(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(fullcheck.ROOT))
    _lesson(tmp_path, [(SETUP, False), (LESSON_FIT, False), (GRADED_FIT, True),
                       ('assert (len(h.history["loss"]), len(g.history["loss"])) == (1, 3), "cap"', False)])
    result = fullcheck.check_lesson("99_tiny", tmp_path / "data", "1,2", tmp_path / "work", 300, tmp_path)
    assert result == {**result, "ok": True, "error": None}, result
    assert json.dumps(result)  # one JSON-able verdict per lesson


def test_a_failing_cell_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(fullcheck.ROOT))
    _lesson(tmp_path, [(SETUP, False), ("raise MemoryError('too big')", False), ("print('never')", False)])
    result = fullcheck.check_lesson("99_tiny", tmp_path / "data", "1,2", tmp_path / "work", 300, tmp_path)
    assert result["ok"] is False and result["error"].startswith("c1: MemoryError: too big")
    assert result["max_call_images"] is None
