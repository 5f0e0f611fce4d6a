"""Lesson 02's text against what its code computes (issue 24): the parameter table from the real
Keras model, the learning-rate schedule's possible steps from the callback's own parameters, the
epochs and batches the code runs, dropout's rescaling as Keras applies it, the size estimates from
the model's layers, and the GPU figures from the course's measurements.

The Colab notebook (notebooks/<id>.ipynb) is read because it is what students read; tests/test_build.py
keeps it equal to a fresh build of lessons/<id>.py.
"""
import ast
import inspect
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from tests.lessontext import flat as _flat, code_cell as _code_cell, keywords as _keywords, by_mode as _by_mode, benchmark_seconds as _benchmark_seconds

ROOT = Path(__file__).resolve().parent.parent
LESSON = "02_cifar10_vgg16_brief"
WORKLOAD = "02_vgg16_brief"    # its row in benchmarks/results/
N_TRAIN_FULL = 50_000          # CIFAR-10's training set, which full mode uses whole
WORDS = {"one": 1, "once": 1, "two": 2, "twice": 2, "three": 3, "four": 4}



def _calls(source: str, func: str) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name) and n.func.id == func]

@pytest.fixture(scope="module")
def nb():
    return nbformat.read(ROOT / "notebooks" / f"{LESSON}.ipynb", as_version=4)


@pytest.fixture(scope="module")
def model():
    from solutions.l02_cifar10_vgg16_brief import build_model

    return build_model()


def _markdown(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def _section(nb, start: str) -> str:
    return _flat(next(m for m in _markdown(nb) if m.startswith(start)))


def _everything(nb) -> str:
    return _flat(" ".join(_markdown(nb)))


def _forward_flops(model) -> int:
    """Floating-point operations of one image's forward pass (a multiply-add is two), from the layers."""
    import keras

    flops = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kh, kw, c_in, c_out = layer.kernel.shape
            _, h, w, _ = layer.output.shape
            flops += 2 * h * w * kh * kw * c_in * c_out
        elif isinstance(layer, keras.layers.Dense):
            n_in, n_out = layer.kernel.shape
            flops += 2 * n_in * n_out
    return flops


# ---- the learning-rate schedule -------------------------------------------------------------------

def _schedule(epochs: int, capsys=None) -> tuple[list[float], int]:
    """The learning rates the lesson's callback sets over ``epochs`` epochs in which val_loss never
    improves - the real ReduceLROnPlateau from make_callbacks(), on an optimizer at compile_model's
    default rate - and how many "reducing learning rate" messages it prints."""
    import keras
    from solutions.l02_cifar10_vgg16_brief import compile_model, make_callbacks

    tiny = compile_model(keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")]))
    default = inspect.signature(compile_model).parameters["learning_rate"].default
    assert float(tiny.optimizer.learning_rate) == pytest.approx(default, rel=1e-6)
    (callback,) = make_callbacks()
    callback.set_model(tiny)
    callback.on_train_begin({})
    if capsys is not None:
        capsys.readouterr()
    rates = [float(tiny.optimizer.learning_rate)]
    for epoch in range(epochs):
        callback.on_epoch_end(epoch, {"val_loss": 1.0})
        rates.append(float(tiny.optimizer.learning_rate))
    messages = capsys.readouterr().out.count("reducing learning rate") if capsys is not None else 0
    return rates, messages


def _decimal(rate: float) -> str:
    return f"{rate:.10f}".rstrip("0")


def test_the_schedules_possible_steps_are_the_ones_the_text_gives(nb, capsys):
    full = _by_mode(nb, "EPOCHS")["full"]
    rates, messages = _schedule(full, capsys)
    changes = [(a, b) for a, b in zip(rates, rates[1:]) if a != b]
    levels = [rates[0]] + [b for a, b in changes if not math.isclose(a, b, rel_tol=1e-6)]
    steps = len(levels) - 1              # steps a learning-rate plot shows
    roundings = len(changes) - steps     # changes in the last float32 digits only
    assert steps >= 1 and messages == len(changes) == steps + roundings
    # the training cell uses exactly that callback and that default rate
    training = _code_cell(nb, "history = train_model(")
    assert "compile_model(build_model())" in training and "make_callbacks()" in training

    text = _everything(nb)
    assert "two or three" not in text
    claims = re.findall(r"at most (?:\*\*)?(\w+)(?:\*\*)? steps down", text)
    assert len(claims) >= 3, claims      # section 5, section 9 and the expected results all say it
    assert all(WORDS[c] == steps for c in claims), (claims, steps)
    (lines,) = re.findall(r"at most (\w+) lines from `ReduceLROnPlateau`", text)
    assert WORDS[lines] == messages, (lines, messages)
    if roundings:
        assert "a third \"reducing learning rate to 1e-05\" that only rounds it onto `min_lr`" in text
        assert f"lands a hair above 1e-5 ({levels[-2] * 0.1!r})" in text
    chain = " -> ".join(_decimal(round(r, 10)) for r in levels)
    assert text.count(chain) >= 2, (chain, "the chain of rates in section 5 and in the expected results")


def test_the_schedule_really_stops_at_min_lr():
    rates, _ = _schedule(100)
    from solutions.l02_cifar10_vgg16_brief import make_callbacks

    (callback,) = make_callbacks()
    assert min(rates) == pytest.approx(callback.min_lr) and rates[-1] == rates[-10]


# ---- the model's figures ----------------------------------------------------------------------------

def test_the_parameter_table_is_the_models(nb, model):
    section = _everything(nb)
    rows = re.findall(r"\| (\d+) \| [^|]+ \| `(\w+)` \| \(([\d, ]+)\) \| ([\d,]+) \|", section)
    by_name = {layer.name: layer for layer in model.layers}
    assert [name for _, name, _, _ in rows] == [l.name for l in model.layers if l.name in by_name and
                                                  type(l).__name__ != "InputLayer"]
    for _, name, shape, params in rows:
        layer = by_name[name]
        assert tuple(int(v) for v in shape.split(",") if v.strip()) == tuple(layer.output.shape[1:]), name
        assert int(params.replace(",", "")) == layer.count_params(), name
    total = model.count_params()
    assert f"| **total** | | | **{total:,}** |" in section
    assert f"**{total:,} parameters**" in section
    assert f"**Total params: {total:,} ({total * 4 / 2 ** 20:.2f} MB)**" in section
    dense = max(l.count_params() for l in model.layers)
    share = round(100 * dense / total)
    assert f"{share} % of them sit in the single Dense layer" in section
    assert f"here {share} % of the {total:,} parameters are in the first Dense layer" in section
    per_layer = " + ".join(f"{l.count_params():,}" for l in model.layers if l.count_params())
    assert f"Per layer: {per_layer}." in section


def test_dropout_rates_and_rescaling_are_what_keras_does(nb, model):
    import keras

    section = _section(nb, "## 3. Exercise")
    rates = {layer.name: layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)}
    for name, rate in rates.items():
        assert re.search(rf"\| Dropout {rate:g} \| `{name}` \|", section), (name, rate)
    m = re.search(r"multiplies the ones it keeps by 1 / \(1 - rate\) - for rate ([\d.]+), by ([\d.]+); "
                  r"for ([\d.]+), by ([\d.]+)", section)
    assert m, "section 3 says how Keras rescales the activations dropout keeps"
    ones = np.ones((1, 4000), "float32")
    for rate, factor in ((float(m.group(1)), m.group(2)), (float(m.group(3)), m.group(4))):
        out = np.asarray(keras.layers.Dropout(rate, seed=1)(ones, training=True))
        kept = np.unique(out[out != 0])
        assert len(kept) == 1 and float(kept[0]) == pytest.approx(float(factor), abs=0.005), (rate, kept)
        assert 0 < (out == 0).mean() < 1
        np.testing.assert_array_equal(np.asarray(keras.layers.Dropout(rate)(ones, training=False)), ones)


def test_the_size_estimates_come_from_the_model(nb, model):
    first = _flat(_markdown(nb)[0])
    forward = _forward_flops(model)
    m = re.search(r"\((\d+) million floating-point operations per image, about ([\d.]+) TFLOP per epoch", first)
    assert m, first[:500]
    assert int(m.group(1)) == round(forward / 1e6)
    assert float(m.group(2)) == round(3 * forward * N_TRAIN_FULL / 1e12, 1)   # training ~ 3x the forward pass
    # the CPU estimate, at the rate lesson 01's measured epochs imply on a two-core CPU
    from solutions.l01_mnist_vgg_subclassing import MyModel

    mnist = MyModel()
    mnist(np.zeros((1, 28, 28, 1), "float32"))
    import keras

    functional = keras.Sequential([keras.Input((28, 28, 1))] + list(mnist.layers))
    lesson01 = nbformat.read(ROOT / "notebooks" / "01_mnist_vgg_subclassing.ipynb", as_version=4)
    seconds = float(re.search(r"about (\d+) s per epoch", _flat(lesson01.cells[0].source)).group(1))
    cpu_flops_per_s = 3 * _forward_flops(functional) * 60_000 / seconds
    epochs = _by_mode(nb, "EPOCHS")["full"]
    minutes = epochs * 3 * forward * N_TRAIN_FULL / cpu_flops_per_s / 60
    low, high = (int(v) for v in re.search(r"and (\d+)-(\d+) minutes on a two-core CPU", first).groups())
    assert low <= minutes <= high, minutes


def test_the_gpu_figures_are_labelled_as_the_backends_that_were_measured(nb):
    seconds = _benchmark_seconds(WORKLOAD)
    cells = [_flat(m) for m in _markdown(nb) if "H200" in m]
    assert cells
    for text in cells:
        jax = re.search(r"took ([\d.]+) s with Keras 3 on its JAX backend", text)
        torch = re.search(r"and ([\d.]+) s on its PyTorch backend \(eager", text)
        assert jax and torch, text[:300]
        assert float(jax.group(1)) == round(seconds["jax"], 1) and float(torch.group(1)) == round(seconds["torch"], 1)
        assert "TensorFlow itself was not timed" in text
        assert "s with XLA" not in text and "a few minutes at most" not in text


# ---- what full mode runs and prints ---------------------------------------------------------------------

def test_epochs_batches_and_sizes_in_the_text_are_the_ones_the_code_runs(nb):
    epochs, sizes = _by_mode(nb, "EPOCHS"), _by_mode(nb, "N_TRAIN, N_TEST")
    training = _code_cell(nb, "history = train_model(")
    (call,) = _calls(training, "train_model")
    batch = _keywords(call)["batch_size"]
    text = _everything(nb)
    first = _flat(_markdown(nb)[0])
    assert f"{epochs['full']} epochs on all {N_TRAIN_FULL:,} images, batches of {batch}" in first
    assert f"*Fast* mode ({sizes['fast'][0]:,} images, {epochs['fast']} epochs)" in first
    assert f"Fast mode trains {epochs['fast']} epochs" in text
    assert f"{epochs['full']} epoch lines of {math.ceil(N_TRAIN_FULL / batch)} batches each" in text


def test_the_training_cell_prints_one_line_per_epoch(nb):
    (call,) = _calls(_code_cell(nb, "history = train_model("), "train_model")
    keywords = {k.arg: k.value for k in call.keywords}
    assert ast.literal_eval(keywords["verbose"]) == 0
    assert "EpochLog(" in ast.unparse(keywords["callbacks"])
    # and train_model hands verbose to fit as it is
    from solutions.l02_cifar10_vgg16_brief import train_model

    assert "verbose=verbose" in inspect.getsource(train_model)


def test_expected_results_and_cpu_time_agree_across_the_notebook(nb):
    text = _everything(nb)
    ranges = re.findall(r"roughly \*\*(\d+)-(\d+) %\*\*", text)
    assert len(ranges) == 2 and len(set(ranges)) == 1, ranges
    assert "The post gives no number in its text" in text and "TensorFlow's CNN tutorial" in text
    setup = next(c.source for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
    (call,) = _calls(setup, "course_setup")
    given = _keywords(call)["full_cpu_time"]
    low, high = re.search(r"(\d+)-(\d+) minutes on a two-core CPU", _flat(_markdown(nb)[0])).groups()
    assert given == f"about {low}-{high} minutes (an estimate)"


def test_no_environment_variables_or_grader_talk_in_the_text(nb):
    for text in _markdown(nb):
        for word in ("COURSE_MODE", "COURSE_DATA_DIR", "NBGRADER", "nbgrader", "stand-in"):
            assert word not in text, f"{word!r} in: {text[:200]}"
        assert not re.search(r"\bCI\b", text), text[:200]


def test_full_mode_on_a_cpu_stops_and_names_the_lessons_cpu_time(nb):
    from coursekit.notebook import runtime

    setup = next(c.source for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
    (call,) = _calls(setup, "course_setup")
    given = _keywords(call)["full_cpu_time"]
    with pytest.raises(runtime.CourseStop) as stop:
        runtime.full_mode_device_check(given, environ={}, gpu=False)
    assert f"would take {given}" in str(stop.value) and "COURSE_FULL_ON_CPU=yes" in str(stop.value)
    runtime.full_mode_device_check(given, environ={}, gpu=True)   # a GPU goes on
