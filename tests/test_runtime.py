"""The workload-mode switch, seeding and the GPU message (coursekit/runtime.py)."""
import numpy as np
import pytest
import keras

from coursekit import runtime


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
