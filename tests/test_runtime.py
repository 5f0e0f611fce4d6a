"""The workload-mode switch, seeding and the GPU message (coursekit/notebook/runtime.py)."""
import numpy as np
import pytest
import keras

from coursekit.notebook import runtime


@pytest.mark.parametrize("env,mode", [
    ({}, "full"),
    ({"NBGRADER_EXECUTION": "autograde"}, "fast"),
    ({"NBGRADER_EXECUTION": "validate"}, "fast"),
    ({"COURSE_MODE": "fast"}, "fast"),
    ({"COURSE_MODE": " FULL "}, "full"),
    ({"COURSE_MODE": "full", "NBGRADER_EXECUTION": "autograde"}, "full"),
])
def test_course_mode(env, mode):
    assert runtime.course_mode(env) == mode
    assert runtime.by_mode(fast=1, full=5, mode=runtime.course_mode(env)) == (1 if mode == "fast" else 5)


def test_bad_mode_says_what_is_allowed():
    with pytest.raises(ValueError, match="'fast' or 'full'"):
        runtime.course_mode({"COURSE_MODE": "quick"})


def test_set_seed_repeats_weights():
    runtime.set_seed(7, deterministic=False)
    a = keras.layers.Dense(3)
    a.build((None, 4))
    runtime.set_seed(7, deterministic=False)
    b = keras.layers.Dense(3)
    b.build((None, 4))
    assert np.array_equal(a.kernel.numpy(), b.kernel.numpy())


def test_gpu_check_tells_colab_students_what_to_do(monkeypatch, capsys):
    import sys
    import types

    monkeypatch.setattr(runtime.tf.config, "list_physical_devices", lambda kind=None: [])
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert runtime.gpu_check() is False
    assert "Change runtime type" in capsys.readouterr().out


def test_warnings_go_to_stdout(capsys):
    import warnings

    saved = warnings.showwarning
    try:
        runtime.quiet_logging()
        warnings.warn("layer hint", UserWarning)
    finally:
        warnings.showwarning = saved
    captured = capsys.readouterr()
    assert "layer hint" in captured.out and captured.err == ""


@pytest.mark.parametrize("raw,cap", [("", None), ("1,2", (1, 2)), (" 3, 40 ", (3, 40))])
def test_train_cap_parses(raw, cap):
    assert runtime.train_cap({"COURSE_TRAIN_CAP": raw}) == cap


@pytest.mark.parametrize("raw", ["1", "0,2", "a,b", "1,2,3"])
def test_train_cap_rejects_what_it_cannot_read(raw):
    with pytest.raises(ValueError, match="EPOCHS,STEPS"):
        runtime.train_cap({"COURSE_TRAIN_CAP": raw})


CAP_SCRIPT = r"""
import json, numpy as np, tensorflow as tf, keras
from coursekit.notebook import runtime
runtime._install_train_cap(2, 3, 4)
m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", run_eagerly=True)  # eager: calls are recorded
x, y = np.zeros((100, 4), "float32"), np.zeros(100, "int32")
seen = {"batches": 0}
cb = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs=None: seen.__setitem__("batches", seen["batches"] + 1))
h = m.fit(x, y, batch_size=10, epochs=5, verbose=0, callbacks=[cb])
fit_batch = runtime._CapState.max_call_images
m.fit(x, y, epochs=1, verbose=0)          # Keras's default batch of 32, capped too
default_batch = runtime._CapState.max_call_images
m(np.zeros((37, 4), "float32"))
shuffled = tf.data.Dataset.range(100).shuffle(100).batch(np.int64(10))
plain = tf.data.Dataset.range(100).batch(10)
max_call = runtime._CapState.max_call_images
tested = []
count = keras.callbacks.LambdaCallback(on_test_batch_end=lambda b, logs=None: tested.append(b))
runtime._CapState.active = True
runtime._CapState.max_call_images = 0
m.fit(x, y, batch_size=10, epochs=1, verbose=0, validation_data=(x, y), callbacks=[count])
validated, val_batch = len(tested), runtime._CapState.max_call_images
m.fit(x, y, epochs=1, verbose=0, validation_split=0.5, validation_steps=1, callbacks=[count])
split = len(tested) - validated
m.evaluate(x, y, batch_size=50, verbose=0, callbacks=[count])
evaluated = len(tested) - validated - split
m.evaluate(tf.data.Dataset.from_tensor_slices((x, y)).batch(5), verbose=0, callbacks=[count])
dataset = len(tested) - validated - split - evaluated
runtime._CapState.active = False
m.evaluate(x, y, batch_size=10, verbose=0, callbacks=[count])
uncapped = m.fit(x, y, batch_size=10, epochs=3, verbose=0)
off = tf.data.Dataset.range(100).shuffle(100).batch(10)
print(json.dumps({"epochs": len(h.history["loss"]), "batches": seen["batches"], "fit_batch": fit_batch,
                  "default_batch": default_batch, "max_call": max_call,
                  "shuffled": [len(b) for b in shuffled], "plain": len(list(plain)),
                  "validated": validated, "val_batch": val_batch, "split": split, "evaluated": evaluated,
                  "dataset": dataset, "evaluated_off": len(tested) - validated - split - evaluated - dataset,
                  "uncapped_epochs": len(uncapped.history["loss"]), "off": len(list(off))}))
"""


def test_train_cap_caps_training_only():
    """fit (epochs, steps and images per batch) and shuffled-then-batched pipelines (batches and their
    size) are capped, and so are fit's validation and evaluate (steps, and images per batch of arrays);
    unshuffled pipelines and, while a graded check runs (_CapState.active False), everything else are
    not; the largest eager call is recorded.
    In a subprocess: the cap patches Keras for the whole process."""
    import json
    import os
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", CAP_SCRIPT], capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"), cwd=str(runtime.__file__).rsplit("/coursekit/", 1)[0])
    assert out.returncode == 0, out.stderr[-2000:]
    *notes, last = out.stdout.strip().splitlines()
    got = json.loads(last)
    # a capped evaluate says how much it used (the notebook's next line names the whole test set); fit's
    # validation and an uncapped evaluate say nothing
    assert notes == ["(graded run: evaluate used 12 of the 100 images given; no check reads this score)",
                     "(graded run: evaluate used at most 3 batches; no check reads this score)"], notes
    assert got == {"epochs": 2, "batches": 6, "fit_batch": 4, "default_batch": 4, "max_call": 37,
                   "shuffled": [4, 4, 4], "plain": 10, "validated": 3, "val_batch": 4, "split": 1,
                   "evaluated": 3, "dataset": 3, "evaluated_off": 10, "uncapped_epochs": 3, "off": 10}


@pytest.mark.parametrize("env,choice,expected", [
    ({}, "fast", "fast"),                                                    # the student's pick
    ({"COURSE_MODE": "full", "COURSE_MODE_FROM": "notebook"}, "fast", "fast"),  # picked again
    ({"COURSE_MODE": "fast"}, "full", "fast"),                               # set outside (CI, tests)
    ({"NBGRADER_EXECUTION": "autograde"}, "full", None),                     # grading decides
])
def test_workload_cell(monkeypatch, env, choice, expected):
    from coursekit.authoring.build import WORKLOAD_CELL

    import os

    # The cell writes os.environ itself: put the whole environment back afterwards (monkeypatch restores
    # only what it set; a COURSE_MODE_FROM left behind would put later notebooks of this worker in full mode).
    saved = dict(os.environ)
    try:
        for var in ("COURSE_MODE", "COURSE_MODE_FROM", "NBGRADER_EXECUTION"):
            os.environ.pop(var, None)
        os.environ.update(env)
        exec(WORKLOAD_CELL.replace('WORKLOAD = "full"', f'WORKLOAD = "{choice}"'), {})
        assert os.environ.get("COURSE_MODE") == expected
        assert runtime.course_mode() == (expected or "fast")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert "COURSE_MODE_FROM" not in os.environ or saved.get("COURSE_MODE_FROM")


def test_full_mode_on_a_cpu_stops_and_says_how_to_go_on():
    with pytest.raises(runtime.CourseStop) as stop:
        runtime.full_mode_device_check("about 8 hours", environ={}, gpu=False)
    text = "".join(stop.value._render_traceback_())
    assert "about 8 hours" in text and "%env COURSE_FULL_ON_CPU=yes" in text and "fast mode" in text
    assert "Traceback" not in text


@pytest.mark.parametrize("env,gpu", [
    ({"COURSE_FULL_ON_CPU": "yes"}, False),   # the student's one line
    ({"COURSE_TRAIN_CAP": "1,2"}, False),     # make fullcheck: a capped check of the course
    ({}, True),                               # a GPU: nothing to stop
])
def test_full_mode_goes_on_when_chosen(env, gpu, capsys):
    runtime.full_mode_device_check("about 8 hours", environ=env, gpu=gpu)
    out = capsys.readouterr().out
    assert ("as you chose" in out) == ("COURSE_FULL_ON_CPU" in env)


def test_a_short_full_run_on_a_cpu_is_said_not_stopped(capsys):
    runtime.full_mode_device_check("about 5 minutes", environ={}, gpu=False, stop=False)
    assert "about 5 minutes" in capsys.readouterr().out


def test_full_mode_after_fast_switches_determinism_off():
    from tensorflow.python.framework import config as tf_config

    try:
        runtime.set_seed(1, deterministic=True)
        assert tf_config.is_op_determinism_enabled()
        runtime.set_seed(1, deterministic=False)   # what course_setup does in full mode
        assert not tf_config.is_op_determinism_enabled()
    finally:
        tf_config.disable_op_determinism()


def test_epoch_log_prints_one_line_per_epoch(capsys):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = np.zeros((16, 3), "float32"), np.zeros(16, "int32")
    model.fit(x, y, epochs=3, batch_size=8, verbose=0, validation_data=(x, y),
              callbacks=[runtime.EpochLog("run A")])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith("run A: epoch 1/3 - loss ") and "val_accuracy" in lines[0] and "left" in lines[0]
    assert lines[-1].startswith("run A: epoch 3/3") and "done in" in lines[-1]


def test_epoch_log_every_n_keeps_the_last(capsys):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(np.zeros((8, 3), "float32"), np.zeros(8, "int32"), epochs=5, verbose=0,
              callbacks=[runtime.EpochLog(every=2)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(" - ")[0] for line in lines] == ["epoch 2/5", "epoch 4/5", "epoch 5/5"]


@pytest.mark.parametrize("env,cap", [
    ({"NBGRADER_EXECUTION": "autograde"}, runtime.GRADING_CAP),                        # graded: capped
    ({"NBGRADER_EXECUTION": "autograde", "COURSE_MODE": "fast"}, runtime.GRADING_CAP),
    ({"NBGRADER_EXECUTION": "autograde", "COURSE_TRAIN_CAP": "off"}, None),           # a test's choice
    ({"NBGRADER_EXECUTION": "autograde", "COURSE_TRAIN_CAP": "2,3"}, None),           # its own cap applies
    ({"NBGRADER_EXECUTION": "autograde", "COURSE_MODE": "full"}, None),
    ({"COURSE_MODE": "fast"}, None),                                                  # CI's nbval run, students
    ({"NBGRADER_EXECUTION": "validate"}, None),                   # validate runs visible checks in the kernel
    ({}, None),
])
def test_grading_caps_the_lessons_training_in_fast_mode_only(env, cap):
    assert runtime.grading_cap(env) == cap
    assert runtime.train_cap({"COURSE_TRAIN_CAP": "off"}) is None


EAGER_SCRIPT = r"""
import json, os, sys
os.environ.update(NBGRADER_EXECUTION=sys.argv[1], COURSE_MODE="fast")
import tensorflow as tf
from coursekit.notebook import runtime
runtime.course_setup(seed=1)
runs = []
@tf.function
def step(x):
    runs.append(1)  # a Python line: runs on every call eagerly, once per trace in graph mode
    return x + 1
def calls():
    runs.clear()
    for v in (1.0, 2.0, 3.0):
        step(tf.constant(v))
    return len(runs)
lesson = calls()
runtime._CapState.pause()
question = calls()
runtime._CapState.resume()
print(json.dumps({"lesson": lesson, "question": question, "after": calls()}))
"""


@pytest.mark.parametrize("execution,want", [("autograde", {"lesson": 3, "question": 1, "after": 3}),
                                            ("validate", {"lesson": 1, "question": 0, "after": 0})])
def test_grading_runs_the_lessons_own_tf_functions_eagerly(execution, want):
    """Under nbgrader autograde (fast mode) every line of a tf.function runs on every call (no graph is
    traced for the two capped steps); a judge's question gets graph mode (traced once); validate and
    students' runs are untouched. In a subprocess: the switch is TensorFlow's, for the whole process."""
    import json
    import os
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", EAGER_SCRIPT, execution], capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"), cwd=str(runtime.__file__).rsplit("/coursekit/", 1)[0])
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == want


def test_a_judges_question_trains_uncapped_and_in_graph_mode():
    """While grading, the lesson's own tf.functions run eagerly (course_setup under the grading cap); the
    question prelude switches the cap off and graph mode back on while the judge's code runs, then
    restores both - also when the student's code raised."""
    import tensorflow as tf

    from coursekit.grading.judge import wire

    state = runtime._CapState
    saved_state = (state.active, state.eager, tf.config.functions_run_eagerly())
    seen = []
    namespace = {"_CapState": state, "seen": seen, "tf": tf}
    code = wire.question("seen.append((_CapState.active, tf.config.functions_run_eagerly()))\n"
                         "raise ValueError('the student code failed')")
    import IPython.display

    shown = []
    saved = IPython.display.display
    IPython.display.display = lambda *a, **k: shown.append(a)
    try:
        state.active, state.eager = True, True
        tf.config.run_functions_eagerly(True)
        exec(code, namespace)
        after = (state.active, tf.config.functions_run_eagerly())
    finally:
        IPython.display.display = saved
        state.active, state.eager = saved_state[:2]
        tf.config.run_functions_eagerly(saved_state[2])
    assert seen == [(False, False)] and after == (True, True) and len(shown) == 1
