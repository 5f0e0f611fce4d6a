"""Lesson 01's text against what its code computes (issue 24): every figure the notebook states is
recomputed here from the real Keras model, the lesson's own code or the course's measurements, and
the type check of ``prepare_images`` is proven in the visible cell and in the judge alike.

The Colab notebook (notebooks/<id>.ipynb) is read because it is what students read; tests/test_build.py
keeps it equal to a fresh build of lessons/<id>.py.
"""
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from tests.lessontext import flat as _flat, code_cell as _code_cell, call_keywords as _call_keywords, by_mode as _by_mode, benchmark_seconds as _benchmark_seconds, kit_names, InProcessKernel as _InProcessKernel

ROOT = Path(__file__).resolve().parent.parent
LESSON = "01_mnist_vgg_subclassing"
WORKLOAD = "01_mnist_vgg"   # its row in benchmarks/results/


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(ROOT / "notebooks" / f"{LESSON}.ipynb", as_version=4)


def _markdown(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


# ---- claims that were not true ------------------------------------------------------------------

def test_the_gpu_figures_are_labelled_as_the_backends_that_were_measured(nb):
    seconds = _benchmark_seconds(WORKLOAD)
    assert {"jax", "torch"} <= set(seconds), seconds
    cells = [_flat(m) for m in _markdown(nb) if "H200" in m]
    assert cells, "the first cell gives the H200 figures"
    for text in cells:
        jax = re.search(r"took ([\d.]+) s with Keras 3 on its JAX backend", text)
        torch = re.search(r"and ([\d.]+) s on its PyTorch backend \(eager", text)
        assert jax and torch, f"the H200 figures must be labelled as JAX (XLA) and PyTorch (eager): {text[:300]}"
        assert float(jax.group(1)) == round(seconds["jax"], 1), (jax.group(1), seconds)
        assert float(torch.group(1)) == round(seconds["torch"], 1), (torch.group(1), seconds)
        assert "TensorFlow itself was not timed" in text
        assert not re.search(r"s with XLA and [\d.]+ s without", text), "not TensorFlow with and without XLA"
    everything = _flat(" ".join(_markdown(nb)))
    assert "which is why section 4" not in everything, "no argument from figures of other backends"


def test_the_model_widths_are_said_to_be_the_courses_reconstruction(nb):
    section = _flat(next(m for m in _markdown(nb) if m.startswith("## 4. Exercise")))
    assert "leaves the model as a TODO" in section and "course's reconstruction" in section
    # what the text says the post fixes: a 7x7x64 tensor flattened into 3,136 values
    from solutions.l01_mnist_vgg_subclassing import MyModel
    import keras

    model = MyModel()
    x = keras.Input((28, 28, 1))
    shapes, h = [], x
    for layer in model.layers:
        h = layer(h)
        shapes.append((type(layer).__name__, tuple(h.shape[1:])))
    flat = next(s for kind, s in shapes if kind == "Flatten")
    before = shapes[[k for k, _ in shapes].index("Flatten") - 1][1]
    assert f"a {before[0]}x{before[1]}x{before[2]} tensor flattened into {flat[0]:,} values" in section
    pools = [s for kind, s in shapes if kind == "MaxPooling2D"]
    for shape in pools:    # the table's output shapes are the model's
        assert str(shape) in section, (shape, section[:400])
    model(np.zeros((1, 28, 28, 1), "float32"))
    assert f"**{model.count_params():,}** parameters" in section


def test_the_posts_figure_and_the_expected_range_agree_with_the_arithmetic(nb):
    text = _flat(" ".join(_markdown(nb)))
    m = re.search(r"reads ([\d.]+) after epoch 4 and ([\d.]+) after epoch 5, so epoch 5 alone scored "
                  r"5 x \2 - 4 x \1 = \*\*([\d.]+) %\*\*", text)
    assert m, "section 7 undoes the post's running average from its own output"
    after4, after5, alone = (float(g) for g in m.groups())
    assert round(5 * after5 - 4 * after4, 2) == alone
    assert f"The post prints **{after5:.2f} % test accuracy after 5 epochs**" in text
    low, high = (float(v) for v in re.search(r"test accuracy of about \*\*([\d.]+)-([\d.]+) %\*\*", text).groups())
    measured = float(re.search(r"real MNIST gave ([\d.]+) % \(measured by the course\)", text).group(1))
    assert low < measured < high and low < alone < high, "the range holds the course's run and the post's last epoch"
    assert after5 < low, "the post's running average lies below the range, as the text says"
    assert text.count(f"{low}-{high} %") >= 2, "section 8 repeats the same range"


def test_epochs_and_sizes_in_the_text_are_the_ones_the_code_runs(nb):
    epochs, sizes = _by_mode(nb, "EPOCHS"), _by_mode(nb, "N_TRAIN, N_TEST")
    first = _flat(_markdown(nb)[0])
    assert f"all 60,000 images, {epochs['full']} epochs" in first
    assert f"*Fast* mode ({sizes['fast'][0]:,} training images, {epochs['fast']} short epochs)" in first
    train = _flat(next(m for m in _markdown(nb) if m.startswith("## 8. Train")))
    assert f"trains {epochs['full']} epochs on all 60,000 images" in train
    assert f"Fast mode trains {epochs['fast']} short epochs" in train


def test_full_cpu_time_matches_the_measured_epochs(nb):
    setup = next(c.source for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
    given = _call_keywords(setup, "course_setup")["full_cpu_time"]
    first = _flat(_markdown(nb)[0])
    minutes = int(re.fullmatch(r"about (\d+) minutes", given).group(1))
    assert f"about {minutes} minutes on a two-core CPU" in first
    per_epoch = float(re.search(r"about (\d+) s per epoch", first).group(1))
    full = _by_mode(nb, "EPOCHS")["full"]
    assert abs(per_epoch * full / 60 - minutes) <= 1.5, (per_epoch, full, minutes)


def test_no_environment_variables_or_grader_talk_in_the_text(nb):
    for text in _markdown(nb):
        for word in ("COURSE_MODE", "COURSE_DATA_DIR", "NBGRADER", "nbgrader", "stand-in"):
            assert word not in text, f"{word!r} in: {text[:200]}"
        assert not re.search(r"\bCI\b", text), text[:200]


# ---- the exercises say what their checks check ----------------------------------------------------

def test_run_epochs_says_the_progress_bar_is_optional_and_prints_one_line_per_epoch(nb, capsys):
    stub = _code_cell(nb, "def run_epochs(")
    assert "Optional, not checked: a progress bar" in stub
    text = _flat(next(m for m in _markdown(nb) if m.startswith("## 7. Exercise")))
    assert "print one line per epoch with its four numbers" in text and "is optional" in text

    import keras
    import tensorflow as tf
    from solutions import l01_mnist_vgg_subclassing as sol

    metrics = [keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy(),
               keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy()]
    ds = tf.data.Dataset.from_tensor_slices((np.zeros((4, 1), "float32"), np.zeros(4, "int64"))).batch(2)

    def train_step(x, y):
        metrics[0].update_state(0.5)
        metrics[1].update_state(y, tf.one_hot(y, 2))

    def test_step(x, y):
        metrics[2].update_state(0.25)
        metrics[3].update_state(y, tf.one_hot(y, 2))

    sol.run_epochs(3, ds, ds, train_step, test_step, *metrics)
    lines = [line for line in re.split(r"[\r\n]", capsys.readouterr().out) if line.startswith("Epoch ")]
    assert len(lines) == 3
    for n, line in enumerate(lines, 1):
        assert re.fullmatch(rf"Epoch {n}/3: loss 0\.5000, accuracy 100\.00%, test loss 0\.2500, "
                            r"test accuracy 100\.00% - \d+\.\d s", line), line


def _prepare_from_tensor(images):
    import tensorflow as tf

    return tf.cast(images, tf.float32)[..., tf.newaxis] / 255.0


def _visible_cell(nb) -> str:
    return next(c.source for c in nb.cells
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "prepare_images_visible")


def _run_visible(nb, prepare_images):

    namespace = kit_names(np=np, prepare_images=prepare_images)
    exec(compile(_visible_cell(nb), "<prepare_images_visible>", "exec"), namespace)



def test_prepare_images_must_return_a_numpy_array_in_the_visible_cell_and_the_judge(nb):
    from coursekit.grading import judge
    from coursekit.notebook.checks import CheckFailed
    from solutions.l01_mnist_vgg_subclassing import prepare_images

    judges = judge.cell_judges(LESSON)
    _run_visible(nb, prepare_images)                     # the solution passes ...
    for grade_id in ("prepare_images_visible", "prepare_images_hidden"):
        passed, _, message = judge.run_judge(judges[grade_id], _InProcessKernel(prepare_images=prepare_images))
        assert passed, message

    with pytest.raises(CheckFailed) as visible:          # ... a tensor fails, with the same words
        _run_visible(nb, _prepare_from_tensor)
    assert "must return a NumPy array, found EagerTensor" in str(visible.value) and ".numpy()" in str(visible.value)
    for grade_id in ("prepare_images_visible", "prepare_images_hidden"):
        passed, ename, message = judge.run_judge(judges[grade_id], _InProcessKernel(prepare_images=_prepare_from_tensor))
        assert not passed and ename == "CheckFailed", (grade_id, ename, message)
        assert message == str(visible.value), (message, str(visible.value))

    # the reason the text gives is real: a tensor cannot be indexed with a NumPy array of positions
    images = _prepare_from_tensor(np.zeros((3, 2, 2), np.uint8))
    with pytest.raises(TypeError):
        images[np.array([0, 2])]


def test_full_mode_on_a_cpu_goes_on_and_names_the_lessons_cpu_time(nb, capsys):
    """Five minutes on a CPU is no reason to stop a student: lesson 01 says what it costs and goes on
    (the lessons that take hours stop: their own tests)."""
    from coursekit.notebook import runtime

    setup = next(c.source for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
    keywords = _call_keywords(setup, "course_setup")
    given = keywords["full_cpu_time"]
    assert "minutes" in given and keywords.get("stop_on_cpu") is False
    runtime.full_mode_device_check(given, environ={}, gpu=False, stop=keywords["stop_on_cpu"])
    assert given in capsys.readouterr().out
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "full mode stops" not in text
