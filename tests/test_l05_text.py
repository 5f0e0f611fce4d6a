"""Lesson 05's text against what its code computes (issue 24): every figure the notebook states is
recomputed here from the real Keras models (keras.applications.VGG16 and the solutions'), the lesson's
own code, the course's measurements or the posts' logs (quoted below as the source data they are), and
the exercise ``vgg16_param_table`` is proven to check what its text says (a non-square input, pooling
that rounds down) in the visible cell and in the judge alike.

The Colab notebook (notebooks/<id>.ipynb) is read because it is what students read; tests/test_build.py
keeps it equal to a fresh build of lessons/<id>.py.
"""
import ast
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from tests.lessontext import flat as _flat, code_cell as _code_cell, call_keywords as _call_keywords, by_mode as _by_mode, benchmark_seconds as _benchmark_seconds, kit_names, InProcessKernel as _InProcessKernel

ROOT = Path(__file__).resolve().parent.parent
LESSON = "05_vggnet_why_deep_nets_fail"

# The posts' own logs, the sources the text quotes (the posts themselves are not part of the project).
# "12. VGGNet" (this lesson's post): per epoch, (seconds, loss, accuracy, val_loss, val_accuracy); then
# its test loss and accuracy.
POST_EPOCHS = [(1253, 2.3029, 0.0996, 2.3027, 0.0980), (1184, 2.3027, 0.0996, 2.3028, 0.0952),
               (1435, 2.3028, 0.0993, 2.3027, 0.0952), (1336, 2.3028, 0.0992, 2.3027, 0.0980),
               (1411, 2.3028, 0.0997, 2.3028, 0.0952), (1310, 2.3028, 0.0992, 2.3027, 0.1014),
               (1282, 2.3027, 0.0986, 2.3027, 0.1022), (1300, 2.3028, 0.0981, 2.3027, 0.1025),
               (1360, 2.3027, 0.1002, 2.3029, 0.0952), (1400, 2.3027, 0.0996, 2.3026, 0.1016)]
POST_TEST = (2.3026254177093506, 0.10000000149011612)
# Lesson 04's post ("I implemented the VGG16 model in Keras ..."): the same VGG16 with BatchNorm and
# Adam; training and validation accuracy of its first 10 epochs.
POST04_ACC = [0.1912, 0.3763, 0.5354, 0.6714, 0.7347, 0.7803, 0.8129, 0.8405, 0.8594, 0.8785]
POST04_VAL_ACC = [0.2345, 0.3522, 0.5108, 0.6202, 0.6974, 0.6942, 0.7184, 0.7069, 0.8064, 0.7826]


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(ROOT / "notebooks" / f"{LESSON}.ipynb", as_version=4)


def _markdown(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def _first(nb) -> str:
    return _flat(_markdown(nb)[0])


def _section(nb, start: str) -> str:
    return _flat(next(m for m in _markdown(nb) if m.startswith(start)))


def _everything(nb) -> str:
    return _flat(" ".join(_markdown(nb)))


def _percent(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}"


def _relu_rms(model, images):
    """RMS of every ReLU layer's output, input to output (the lesson's activation_stats)."""
    import keras

    a, rms = images, []
    for layer in model.layers:
        a = layer(a)
        if getattr(layer, "activation", None) is keras.activations.relu:
            rms.append(float(np.sqrt(np.mean(np.asarray(a) ** 2))))
    return rms


# ---- claims that were not true ------------------------------------------------------------------

def test_the_gpu_figures_are_labelled_as_the_backends_that_were_measured(nb):
    plain, bn = _benchmark_seconds("05_plain_vgg16"), _benchmark_seconds("05_vgg16_bn")
    assert {"jax", "torch"} <= set(plain) & set(bn), (plain, bn)
    text = _first(nb)
    jax = re.search(r"took ([\d.]+) s \(plain\) and ([\d.]+) s \(BatchNorm\) with Keras 3 on its JAX backend "
                    r"\(every step compiled by XLA\)", text)
    torch = re.search(r"and ([\d.]+) s and ([\d.]+) s on its PyTorch backend \(eager, not compiled\)", text)
    assert jax and torch, f"the H200 figures must be labelled as JAX (XLA) and PyTorch (eager): {text[:1500]}"
    assert [float(v) for v in jax.groups()] == [round(plain["jax"], 1), round(bn["jax"], 1)], (jax.groups(), plain, bn)
    assert [float(v) for v in torch.groups()] == [round(plain["torch"], 1), round(bn["torch"], 1)]
    assert "TensorFlow itself was not timed" in text
    everything = _everything(nb)
    assert "with XLA, which `fit` uses" not in everything and not re.search(r"s without; a T4", everything), \
        "no argument from figures of other backends"


def test_the_t4_estimate_rests_on_the_models_forward_flops(nb):
    """'0.66 billion floating-point operations per image and forward pass': 2 per multiply-add of every
    Conv2D and Dense layer of the post's model, counted from its layer table."""
    from solutions.l05_vggnet_why_deep_nets_fail import vgg16_param_table

    flops, channels = 0, 3
    for name, shape, _ in vgg16_param_table((32, 32, 3), 10):
        if "conv" in name:
            flops += 2 * shape[0] * shape[1] * 9 * channels * shape[2]
            channels = shape[2]
        elif name in ("fc1", "fc2", "predictions"):
            n_in = {"fc1": 512, "fc2": 4096, "predictions": 4096}[name]
            flops += 2 * n_in * shape[0]
    stated = float(re.search(r"model's ([\d.]+) billion floating-point operations per image and forward pass",
                             _first(nb)).group(1))
    assert stated == round(flops / 1e9, 2), (stated, flops)
    assert "an estimate" in _first(nb) and "not a measurement" in _first(nb)


def test_the_two_sizes_differ_in_fc1_and_predictions_as_keras_counts_them(nb):
    """Keras' own VGG16 (no weights: nothing is downloaded) at 224x224 / 1000 classes and at 32x32 / 10."""
    import keras

    big = keras.applications.VGG16(weights=None, include_top=True, classes=1000)
    small = keras.applications.VGG16(weights=None, include_top=True, input_shape=(32, 32, 3), classes=10)
    counts = [{l.name: l.count_params() for l in m.layers[1:]} for m in (big, small)]   # after the Input
    assert list(counts[0]) == list(counts[1])
    diff = {name: counts[0][name] - counts[1][name] for name in counts[0] if counts[0][name] != counts[1][name]}
    assert set(diff) == {"fc1", "predictions"}, diff
    total = big.count_params() - small.count_params()
    assert total == sum(diff.values())
    conv = [sum(n for name, n in c.items() if "conv" in name) for c in counts]
    assert conv[0] == conv[1]

    text = _everything(nb)
    after_table = _flat(next(m for m in _markdown(nb) if m.startswith("The same network at both input sizes")))
    assert f"**{conv[0]:,}** parameters in both" in after_table
    assert f"The difference, **{total:,}** parameters, is in two layers" in after_table
    assert f"(**{diff['fc1']:,}** parameters fewer)" in after_table
    assert f"(**{diff['predictions']:,}** fewer)" in after_table
    assert f"{big.count_params():,} parameters at 224x224 with 1000 classes, {small.count_params():,} at 32x32" in text
    for wrong in ("all in `fc1`", "only `fc1` changes"):
        assert wrong not in text, wrong


def test_the_param_table_cell_prints_the_same_difference():
    """The lesson's print_param_tables says which layers differ: the solution's table gives the text's figures."""
    from solutions.l05_vggnet_why_deep_nets_fail import vgg16_param_table

    a, b = vgg16_param_table((224, 224, 3), 1000), vgg16_param_table((32, 32, 3), 10)
    diff = {r[0]: r[2] - q[2] for r, q in zip(a, b) if r[2] != q[2]}
    assert diff == {"fc1": 100_663_296, "predictions": 4_056_030}


def test_the_full_model_loses_its_signal_like_the_fast_one_as_the_text_says(nb):
    """'about 500-fold from the first ReLU to the last (fast mode's narrow model: about 1,000-fold), most of
    it in the 13 convolutions' and 'hundreds of times weaker when it leaves the 13 convolutions'."""
    import keras
    from solutions.l05_vggnet_why_deep_nets_fail import build_plain_vgg16

    text = _everything(nb)
    m = re.search(r"its RMS falling about ([\d,]+)-fold from the first ReLU to the last \(fast mode's narrow "
                  r"model: about ([\d,]+)-fold\), most of it in the 13 convolutions", text)
    assert m, "section 9 states what the course measured on the full model"
    stated = {"full": int(m.group(1).replace(",", "")), "fast": int(m.group(2).replace(",", ""))}
    assert "hundreds of times weaker when it leaves the 13 convolutions" in text
    images = np.random.default_rng(0).random((64, 32, 32, 3)).astype("float32")
    for mode, (base, fc) in (("full", (64, 4096)), ("fast", (8, 1024))):
        keras.utils.set_random_seed(1)
        rms = _relu_rms(build_plain_vgg16(fc=fc, base=base), images)
        assert len(rms) == 15
        whole, convs = rms[0] / rms[-1], rms[0] / rms[12]
        assert stated[mode] / 2 <= whole <= stated[mode] * 2, (mode, whole, stated)
        assert math.log(convs) > 0.5 * math.log(whole), (mode, convs, whole)   # most of it, in log terms
        assert 100 <= convs < 1000, (mode, convs)
    for wrong in ("the effect is stronger", "adds two more shrinking layers"):
        assert wrong not in text


def test_a_smaller_head_saves_what_the_text_says():
    from solutions.l05_vggnet_why_deep_nets_fail import build_plain_vgg16

    saved = build_plain_vgg16().count_params() - build_plain_vgg16(fc=512).count_params()
    assert saved == 18_393_088


def test_the_smaller_head_figure_in_the_text(nb):
    assert "A head of `fc=512` has **18,393,088** parameters fewer" in _everything(nb)
    assert "16 million" not in _everything(nb)


def test_the_papers_figures_are_the_submission_and_the_best_ensemble(nb):
    section = _section(nb, "## 1. VGGNet in one page")
    assert "an ensemble of 7 networks, had a **7.3 % top-5 error** on the ILSVRC test set" in section
    assert "post's \"92.7 % top-5 accuracy\"" in section and round(100 - 7.3, 1) == 92.7
    assert "ensemble of just two networks (configurations D and E) brought it to **6.8 %** on the test set" in section
    assert "Table 6" in section
    assert "their best ensemble reached" not in section


# ---- time and workload: what full mode costs and what it should print ---------------------------

def test_full_cpu_time_is_three_runs_at_the_posts_pace(nb):
    seconds = [e[0] for e in POST_EPOCHS]
    text = _first(nb)
    assert f"the post's own run logged {min(seconds):,}-{max(seconds):,} s per epoch" in text
    hours = sum(seconds) / 3600
    epochs = _by_mode(nb, "EPOCHS, BATCH_SIZE")["full"]
    assert epochs == len(POST_EPOCHS) == 10
    assert f"{hours:.1f} hours for its {epochs} epochs" in text
    runs = [n for c in nb.cells if c.cell_type == "code" for n in ast.walk(ast.parse(
        "\n".join("" if l.lstrip().startswith(("%", "!")) else l for l in c.source.splitlines())))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "train"]
    assert len(runs) == 3, "the text says full mode trains three times"
    assert "trains the post's 33.6-million-parameter VGG16 three times" in text
    total = round(len(runs) * hours)
    assert f"so about **{total} hours** for full mode's three runs" in text
    setup = next(c.source for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
    assert _call_keywords(setup, "course_setup")["full_cpu_time"] == f"about {total} hours"
    assert "three and a half hours" not in _everything(nb)
    assert f"the post spent {hours:.1f} hours training" in _everything(nb)


def test_the_workload_figures_are_the_ones_the_code_runs(nb):
    sizes, width, epochs = _by_mode(nb, "N_TRAIN, N_TEST"), _by_mode(nb, "BASE, FC"), _by_mode(nb, "EPOCHS, BATCH_SIZE")
    assert width == {"fast": (8, 1024), "full": (64, 4096)}
    text = _first(nb)
    n_fit = int(50_000 * 0.8)                                   # validation_split=0.2 of CIFAR-10's 50,000
    assert f"{epochs['full']} epochs of {n_fit:,} images each" in text
    assert f"*Fast* mode ({sizes['fast'][0]} images, {epochs['fast']} epochs" in text
    data = _section(nb, "Fast mode keeps")
    assert f"keeps {sizes['fast'][0]} training and {sizes['fast'][1]} test images" in data
    assert f"`base={width['fast'][0]}` filters instead of {width['full'][0]}, a {width['fast'][1]}-wide head " \
           f"instead of {width['full'][1]}), trained for {epochs['fast']} epochs" in data
    assert f"{n_fit:,} to train on, {50_000 - n_fit:,} held out), {epochs['full']} epochs" in data
    fast_fit = int(sizes["fast"][0] * 0.8)
    steps = math.ceil(fast_fit / 32) * epochs["fast"]
    assert f"({steps} steps on a narrow network, {fast_fit} training images)" in _everything(nb)


def test_the_expected_plain_run_is_the_posts_log(nb):
    table = _section(nb, "## 11. Fix it")
    losses = [e[1] for e in POST_EPOCHS] + [e[3] for e in POST_EPOCHS]
    accs = [e[2] for e in POST_EPOCHS] + [e[4] for e in POST_EPOCHS]
    source = (f"the post's log: training loss {min(e[1] for e in POST_EPOCHS):.4f}-{max(e[1] for e in POST_EPOCHS):.4f}, "
              f"validation loss {min(e[3] for e in POST_EPOCHS):.4f}-{max(e[3] for e in POST_EPOCHS):.4f}, "
              f"accuracies {_percent(min(accs) + 1e-9)[:-2]}")
    assert source in table, source
    assert f"accuracies {100 * min(accs):.2f}-{100 * max(accs):.2f} %" in table
    assert f"test loss {POST_TEST[0]:.4f}, test accuracy {_percent(POST_TEST[1])} %" in table
    low, high = (float(v) for v in re.search(r"loss ([\d.]+)-([\d.]+) and accuracy 9-11 % in every epoch", table).groups())
    assert low <= min(losses) and max(losses) <= high and low <= math.log(10) <= high
    assert 0.09 <= min(accs) and max(accs) <= 0.11
    assert f"stays at a loss of {low}-{high} and 9-11 % accuracy in every epoch" in _first(nb)


def test_the_expected_batchnorm_range_holds_the_lesson_04_posts_log(nb):
    table = _section(nb, "## 11. Fix it")
    m = re.search(r"training accuracy about (\d+)-(\d+) % in epoch 10; test accuracy about \*\*(\d+)-(\d+) %\*\*", table)
    assert m, table[:2000]
    train_low, train_high, low, high = (int(v) for v in m.groups())
    assert f"{_percent(POST04_ACC[9], 2)} % training and {_percent(POST04_VAL_ACC[9], 2)} % validation accuracy " \
           "in epoch 10" in table
    late = POST04_VAL_ACC[4:10]
    assert f"validation between {_percent(min(late), 2)} % and {_percent(max(late), 2)} % in epochs 5-10" in table
    assert train_low <= 100 * POST04_ACC[9] <= train_high
    assert low <= 100 * POST04_VAL_ACC[9] <= high and max(late) * 100 <= high
    assert "the same 33,655,114-parameter model" in table
    assert f"the BatchNorm model reaches a test accuracy of about **{low}-{high} %**" in _first(nb)
    assert f"lesson 04's post trained the same model to {round(100 * POST04_VAL_ACC[9])} % validation accuracy " \
           f"in {len(POST04_VAL_ACC)} epochs" in _everything(nb)


def test_the_he_init_range_is_labelled_an_estimate_in_both_places(nb):
    table = _section(nb, "## 11. Fix it")
    m = re.search(r"test accuracy about \*\*(\d+)-(\d+) %\*\*, training accuracy well above it", table)
    assert m and "the course's estimate, not yet measured" in table
    assert f"He initialisation and Adam at 1e-4 about **{m.group(1)}-{m.group(2)} %** (the course's estimate: " \
           "not yet measured)" in _first(nb)


def test_the_first_cell_says_what_fast_mode_shows_without_promising_the_fixes(nb):
    text = _first(nb)
    assert "already shows the failure and the fixes" not in text
    assert "but of the two fixes only the first signs" in text and "Its accuracies, on a few hundred images, mean nothing" in text


def test_no_environment_variables_or_grader_talk_in_the_text(nb):
    for text in _markdown(nb):
        for word in ("COURSE_MODE", "COURSE_DATA_DIR", "NBGRADER", "nbgrader", "stand-in"):
            assert word not in text, f"{word!r} in: {text[:200]}"
        assert not re.search(r"\bCI\b", text), text[:200]


def test_every_training_run_prints_one_line_per_epoch(nb):
    train = _code_cell(nb, "def train(")
    fit = next(n for n in ast.walk(ast.parse(train)) if isinstance(n, ast.Call)
               and isinstance(n.func, ast.Attribute) and n.func.attr == "fit")
    keywords = {k.arg: ast.unparse(k.value) for k in fit.keywords}
    assert keywords["verbose"] == "0" and keywords["callbacks"] == "[EpochLog(name)]"


# ---- the exercise says what its checks check -----------------------------------------------------


def _table_rounding_up(input_shape=(32, 32, 3), num_classes=10, fc=4096):
    """What lesson 04's padding="same" pools would give: each side rounds up."""
    from solutions.l05_vggnet_why_deep_nets_fail import vgg16_param_table

    h, w, c = input_shape
    rows = []
    for name, shape, params in vgg16_param_table(input_shape, num_classes, fc):
        if name.endswith("pool"):
            h, w = -(-h // 2), -(-w // 2)
            shape = (h, w, shape[2])
        elif "conv" in name:
            shape = (h, w, shape[2])
        elif name == "flatten":
            shape = (h * w * 512,)
        rows.append((name, shape, params))
    return rows


def _table_square(input_shape=(32, 32, 3), num_classes=10, fc=4096):
    from solutions.l05_vggnet_why_deep_nets_fail import vgg16_param_table

    side = input_shape[0]
    return vgg16_param_table((side, side, input_shape[2]), num_classes, fc)


def _run_visible(nb, table):

    source = next(c.source for c in nb.cells
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "vgg16_param_table_visible")
    exec(compile(source, "<vgg16_param_table_visible>", "exec"),
         kit_names(np=np, vgg16_param_table=table))


def test_the_param_table_exercise_states_non_square_inputs_and_rounding_down(nb):
    text = _section(nb, "## 3. Exercise")
    assert "height and width need not be equal" in text
    assert 'Keras\' default `padding="valid"`: each halves height and width **rounding down**' in text
    assert "(a side of 5 becomes 2, a side of 3 becomes 1)" in text
    assert "unlike lesson 04's pools with `padding=\"same\"`, which round up (5 becomes 3)" in text
    assert "The check below also tries a 48x40 input." in text
    # the text's examples are Keras' own arithmetic
    import keras

    for pad, side, want in (("valid", 5, 2), ("valid", 3, 1), ("same", 5, 3)):
        got = keras.layers.MaxPooling2D(2, padding=pad).compute_output_shape((None, side, side, 1))[1]
        assert got == want, (pad, side, got)


@pytest.mark.parametrize("wrong,words", [(_table_rounding_up, "rounding down"),
                                         (_table_square, "height and width can differ")])
def test_the_visible_cell_and_the_judge_catch_what_the_text_states_with_the_same_words(nb, wrong, words):
    from coursekit.grading import judge
    from coursekit.notebook.checks import CheckFailed
    from solutions.l05_vggnet_why_deep_nets_fail import vgg16_param_table

    judges = judge.cell_judges(LESSON)
    _run_visible(nb, vgg16_param_table)                  # the solution passes ...
    for grade_id in ("vgg16_param_table_visible", "vgg16_param_table_hidden"):
        passed, _, message = judge.run_judge(judges[grade_id], _InProcessKernel(vgg16_param_table=vgg16_param_table))
        assert passed, message
    with pytest.raises(CheckFailed) as visible:          # ... the mistake fails, with the same words
        _run_visible(nb, wrong)
    assert "vgg16_param_table((48, 40, 3), 10)" in str(visible.value) and words in str(visible.value)
    passed, ename, message = judge.run_judge(judges["vgg16_param_table_visible"], _InProcessKernel(vgg16_param_table=wrong))
    assert not passed and ename == "CheckFailed" and message == str(visible.value), (message, str(visible.value))
    passed, ename, message = judge.run_judge(judges["vgg16_param_table_hidden"], _InProcessKernel(vgg16_param_table=wrong))
    assert not passed and ename == "CheckFailed", message
