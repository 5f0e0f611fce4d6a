"""Lesson 03's text against what its code computes (issue 24): the epochs, batch sizes and dropout
rates the text names are the ones the code runs; the CPU time and the H200 figures are the course's
measurements, labelled for what they are; a student who skips the optional demonstration loses
nothing; every member prints one line per epoch; and the functional API, which the text allows, earns
the points in the visible cell and in the judge alike.

The Colab notebook (notebooks/<id>.ipynb) is read because it is what students read; tests/test_build.py
keeps it equal to a fresh build of lessons/<id>.py.
"""
import ast
import json
import os
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from coursekit.authoring.template import parse_template
from tests.lessontext import flat as _flat, code_cell as _code_cell, call_keywords as _call_keywords, by_mode as _by_mode, kit_names, InProcessKernel as _InProcessKernel

ROOT = Path(__file__).resolve().parent.parent
LESSON = "03_cifar10_cnn_ensemble"
WORKLOAD = "03_ensemble_member"   # its rows in benchmarks/results/


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(ROOT / "notebooks" / f"{LESSON}.ipynb", as_version=4)


def _lesson_markdown(nb) -> list[str]:
    """The lesson's own markdown cells (not the build's closing hand-in cells)."""
    return [c.source for c in nb.cells if c.cell_type == "markdown" and not c.get("id", "").startswith("md-handin")]


def _section(nb, start: str) -> str:
    """The markdown from ``start`` (a heading or a paragraph's first words) to the end of its cell."""
    cell = next(m for m in _lesson_markdown(nb) if m.startswith(start) or f"\n{start}" in m)
    return _flat(cell[cell.index(start):])


def _template_cells():
    path = ROOT / "lessons" / f"{LESSON}.py"
    return list(parse_template(path.read_text(), path.name))


# ---- figures and epochs -------------------------------------------------------------------------

def test_the_gpu_figures_are_labelled_as_the_backends_that_were_measured(nb):
    rows = {}
    for path in sorted((ROOT / "benchmarks" / "results").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            if row.get("ok") and row["workload"] == WORKLOAD and row["policy"] == "float32":
                rows[row["backend"]] = (row["step_ms"] * row["steps_per_epoch"] / 1e3, row["batch"])
    assert {"jax", "torch"} <= set(rows), rows
    text = _flat(_lesson_markdown(nb)[0])
    m = re.search(r"batch (\d+), float32, took ([\d.]+) s with Keras 3 on its JAX backend \(every step compiled by "
                  r"XLA\) and ([\d.]+) s on its PyTorch backend \(eager, not compiled\)", text)
    assert m, "the H200 figures are labelled as Keras 3 on JAX (XLA) and on PyTorch (eager)"
    assert int(m.group(1)) == rows["jax"][1] == _by_mode(nb, "BATCH_SIZE")["full"]
    assert float(m.group(2)) == round(rows["jax"][0], 1) and float(m.group(3)) == round(rows["torch"][0], 1)
    assert "TensorFlow itself was not timed" in text
    assert not re.search(r"with XLA,? .*and [\d.]+ s without", text), "not TensorFlow with and without XLA"


def test_epochs_sizes_and_rates_in_the_text_are_the_ones_the_code_runs(nb):
    epochs, bug = _by_mode(nb, "EPOCHS"), _by_mode(nb, "BUG_EPOCHS")
    batch, rate = _by_mode(nb, "BATCH_SIZE"), _by_mode(nb, "DROPOUT_RATE")
    n_train = _call_keywords(_code_cell(nb, "N_TRAIN, N_TEST = by_mode("), "by_mode")["fast"][0]
    members = int(re.search(r"^NUM_MODELS = (\d+)$", _code_cell(nb, "NUM_MODELS = "), re.M).group(1))
    assert (epochs["full"], batch["full"], rate["full"], members) == (15, 100, 0.5, 4), "the post's settings"

    first = _flat(_lesson_markdown(nb)[0])
    assert f"the post's buggy loop ({members} x {bug['full']} epochs, a demonstration you may skip)" in first
    assert f"four independent members of {epochs['full']} epochs each - " \
           f"{members * bug['full'] + members * epochs['full']} epochs of a small model in all" in first
    assert f"*Fast* mode ({n_train:,} images, {epochs['fast']} short epochs)" in first

    demo = _section(nb, "Now let us run the post's loop")
    assert f"with {bug['full']} epochs per \"member\" instead of {epochs['full']}" in demo
    assert f"train {members} x {bug['full']} epochs" in demo

    train = _section(nb, "## 8. Train the ensemble")
    assert f"{members} members, {epochs['full']} epochs, batch {batch['full']}, all 50,000 images, " \
           f"`Dropout({rate['full']})`" in train
    assert f"{epochs['fast']} epochs on {n_train:,} images with batch {batch['fast']}, and " \
           f"`Dropout({rate['fast']})`" in train
    everything = _flat(" ".join(_lesson_markdown(nb)))
    for said in re.findall(r"(\d+) short epochs", everything):   # "after 5 short epochs" was fast mode's old count
        assert int(said) == epochs["fast"], f"'{said} short epochs' in the text, fast mode runs {epochs['fast']}"


def test_the_expected_step_counts_follow_from_the_settings(nb):
    bug, batch = _by_mode(nb, "BUG_EPOCHS")["full"], _by_mode(nb, "BATCH_SIZE")["full"]
    per_member = 50_000 // batch * bug
    text = _flat(_lesson_markdown(nb)[-1])
    steps = ", ".join(f"{k * per_member:,}" for k in range(1, 4)) + f" and {4 * per_member:,}"
    assert f"step counter reaches {steps} (50,000 images / batch {batch} x {bug} epochs" in text


def test_expected_results_give_a_source_and_a_range(nb):
    text = _flat(_lesson_markdown(nb)[-1])
    assert text.startswith("## Summary") and "### What to expect in full mode" in text
    assert "66 % test accuracy for its last model and 70.06 %" in text            # the post's figures
    low, high = (int(v) for v in re.search(r"each member at roughly \*\*(\d+)-(\d+) %\*\*", text).groups())
    assert low < 66 <= high, "the post's one model (66 %, after 60 epochs) lies in the range"
    assert re.search(r"\*\*\d-\d points above the mean member\*\*", text)
    assert "our estimate, not a measurement" in text


def test_full_cpu_time_is_the_one_the_text_gives(nb):
    setup = next(c.source for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
    line = next(l for l in setup.splitlines() if l.startswith("MODE = course_setup("))
    given = _call_keywords(line, "course_setup")["full_cpu_time"]
    low, high = (int(v) for v in re.fullmatch(r"about (\d+)-(\d+) minutes", given).groups())
    first = _flat(_lesson_markdown(nb)[0])
    assert f"about {low}-{high} minutes" in first
    per_epoch, epochs = (int(v) for v in re.search(r"we measured (\d+) s per epoch of 50,000 images on a busy "
                                                    r"two-core machine, times (\d+) epochs", first).groups())
    bug, full = _by_mode(nb, "BUG_EPOCHS")["full"], _by_mode(nb, "EPOCHS")["full"]
    assert epochs == 4 * bug + 4 * full
    assert low <= per_epoch * epochs / 60 <= high


def test_no_environment_variables_or_grader_talk_in_the_text(nb):
    for text in _lesson_markdown(nb):
        for word in ("COURSE_MODE", "COURSE_DATA_DIR", "nbgrader", "grader", "stand-in"):
            assert word.lower() not in text.lower(), f"{word!r} in: {text[:200]}"
        assert not re.search(r"\bCI\b", text), text[:200]


# ---- optional cells and visible training ----------------------------------------------------------

def test_the_settings_live_in_a_required_cell_and_the_demonstration_is_optional():
    cells = _template_cells()
    settings = [c for c in cells if c.kind == "code" and any(l.startswith("BATCH_SIZE = ") for l in c.lines)]
    assert len(settings) == 1 and settings[0].attrs.get("optional") != "yes"
    assert any(l.startswith("DROPOUT_RATE = ") for l in settings[0].lines)
    demo = [c for c in cells if c.kind == "code" and any("post_models.append(" in l for l in c.lines)]
    after = [c for c in cells if c.kind == "code" and any("for m in post_models]" in l for l in c.lines)]
    tensorboard = [c for c in cells if c.kind == "code" and any("%tensorboard" in l or '"tensorboard"' in l
                                                                  for l in c.lines) and "load_ext" in "\n".join(c.lines)]
    for found in (demo, after, tensorboard):
        assert len(found) == 1 and found[0].attrs.get("optional") == "yes", [c.lines[:2] for c in found]
    assert not any(l.startswith(("BATCH_SIZE =", "DROPOUT_RATE =")) for l in demo[0].lines)


def test_every_long_training_run_prints_one_line_per_epoch(nb):
    from coursekit.notebook.runtime import EpochLog

    cell = _code_cell(nb, "def callbacks_for(i):")
    tree = ast.parse(cell)
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "callbacks_for")
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func) == "train_members")
    assert {k.arg: ast.unparse(k.value) for k in call.keywords}["member_callbacks"] == "callbacks_for"
    for have_tensorboard in (False, True):
        space = {"EpochLog": EpochLog, "HAVE_TENSORBOARD": have_tensorboard, "os": os, "LOG_ROOT": "logs",
                 "keras": pytest.importorskip("keras")}
        exec(compile(ast.Module([fn], []), "<callbacks_for>", "exec"), space)
        got = space["callbacks_for"](2)
        assert sum(isinstance(c, EpochLog) for c in got) == 1 and got[0].label == "member 3"
        assert len(got) == 1 + have_tensorboard
    demo = _code_cell(nb, "post_models.append(")
    assert "callbacks=[EpochLog(" in demo and "verbose=0" in demo


# ---- the exercise's text and its checks ------------------------------------------------------------

def _functional_build_model():
    """The functional answer of the variant corpus, which the text allows."""
    import keras
    import tensorflow as tf
    from keras import layers
    from tests.variants.l03 import VARIANTS

    variant = next(v for v in VARIANTS if v.exercise == "build_model" and v.name == "functional_api")
    assert variant.correct and "keras.Model(" in variant.source and "keras.Sequential" not in variant.source
    space = {"np": np, "keras": keras, "layers": layers, "tf": tf}
    exec(compile(variant.source, "<functional_api>", "exec"), space)
    return space["build_model"]



def test_text_docstring_and_checks_agree_that_a_functional_model_is_fine(nb):
    import keras
    from keras import layers
    from coursekit.grading import judge
    from coursekit.notebook import archcheck

    text = _section(nb, "## 5. Exercise: a model factory")
    assert "the functional API (`keras.Input` ... `keras.Model(inputs, outputs)`) is fine too" in text
    stub = _code_cell(nb, "def build_model(")
    assert "a keras.Sequential or a functional keras.Model" in _flat(stub) and "NEW compiled keras.Sequential" not in stub

    build_model = _functional_build_model()
    assert not isinstance(build_model(), keras.Sequential)
    visible = next(c.source for c in nb.cells
                   if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "build_model_visible")
    space = kit_names(np=np, keras=keras, layers=layers, build_model=build_model,
                      check_architecture=archcheck.check_architecture)
    exec(compile(visible, "<build_model_visible>", "exec"), space)      # raises if the check refuses it
    judges = judge.cell_judges(LESSON)
    for grade_id in ("build_model_visible", "build_model_hidden"):
        passed, _, message = judge.run_judge(judges[grade_id], _InProcessKernel(build_model=build_model))
        assert passed, (grade_id, message)


def test_full_mode_on_a_cpu_stops_and_names_the_lessons_cpu_time(nb):
    from coursekit.notebook.runtime import CourseStop, full_mode_device_check

    setup = next(c.source for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
    line = next(l for l in setup.splitlines() if l.startswith("MODE = course_setup("))
    given = _call_keywords(line, "course_setup")["full_cpu_time"]
    with pytest.raises(CourseStop) as stop:
        full_mode_device_check(given, environ={}, gpu=False)
    assert given in str(stop.value) and "%env COURSE_FULL_ON_CPU=yes" in str(stop.value)
    assert "The setup cell stops in full mode without a GPU" in _flat(_lesson_markdown(nb)[0]) or \
        "the setup cell stops in full mode without a GPU" in _flat(_lesson_markdown(nb)[0])


def test_the_operation_count_per_image_is_the_models(nb):
    """'7.7 million floating-point operations per image, forward pass': 2 per multiply-add of every
    Conv2D and Dense layer of the reference model."""
    from solutions.l03_cifar10_cnn_ensemble import build_model
    import keras

    model = build_model()
    macs = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            h, w, c_out = layer.output.shape[1:]
            kh, kw, c_in, _ = layer.kernel.shape
            macs += h * w * c_out * kh * kw * c_in
        elif isinstance(layer, keras.layers.Dense):
            macs += int(np.prod(layer.kernel.shape))
    said = float(re.search(r"\(([\d.]+) million floating-point operations per image, forward pass\)",
                           _flat(_lesson_markdown(nb)[0])).group(1))
    assert said == round(2 * macs / 1e6, 1), (said, 2 * macs)
