"""`make bench`: speed figures for this machine, printed as one JSON object.

- per lesson: fast-mode execution seconds of the master notebook (nbclient, median of --repeats)
  and `nbgrader autograde` seconds per submission (the demo's three sample students, one run);
- lesson 01 training throughput (images/second) on the same data and batch size: the solution's
  @tf.function GradientTape loop, `model.fit`, and the same loop run eagerly (median of --repeats);
- with --make-test: the wall time of `make test`.

Data: COURSE_DATA_DIR if set, else stand-ins written to a temporary folder (reported in the JSON).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coursekit import grading, standins  # noqa: E402
from coursekit.build import lesson_ids  # noqa: E402


def median_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), [round(t, 2) for t in times]


def notebook_seconds(lesson, repeats):
    import nbformat
    from nbclient import NotebookClient

    def run():
        nb = nbformat.read(ROOT / "source" / lesson / f"{lesson}.ipynb", as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    return median_seconds(run, repeats)


def autograde_seconds(lesson):
    with tempfile.TemporaryDirectory(prefix="bench-course-") as tmp:
        course = Path(tmp)
        grading.prepare_course(course, [lesson])
        samples = grading.submit_samples(course, lesson)
        start = time.perf_counter()
        grading.autograde(course, lesson)
        return round((time.perf_counter() - start) / len(samples), 2)


def throughput_l01(repeats, n_images=2048, batch_size=32):
    """Images/second of one epoch (after a warm-up epoch) three ways, same data and batch size."""
    import keras
    import numpy as np
    import tensorflow as tf
    from coursekit.data import load_mnist
    from solutions import l01_mnist_vgg_subclassing as sol

    (x, y), _ = load_mnist()
    x, y = sol.prepare_images(x[:n_images]), y[:n_images]
    ds, _ = sol.make_datasets(x, y, x[:batch_size], y[:batch_size], batch_size=batch_size, seed=0)
    out = {}

    def loop_rate(eager):
        keras.utils.set_random_seed(0)
        model = sol.MyModel()
        loss = keras.losses.SparseCategoricalCrossentropy()
        step = sol.make_train_step(model, loss, keras.optimizers.Adam(), keras.metrics.Mean(),
                                   keras.metrics.SparseCategoricalAccuracy())
        if eager:
            step = step.python_function
        def epoch():
            for images, labels in ds:
                step(images, labels)
        epoch()  # warm-up: tracing, first allocations
        return n_images / median_seconds(epoch, repeats)[0]

    def fit_rate():
        keras.utils.set_random_seed(0)
        model = sol.MyModel()
        model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(ds, epochs=1, verbose=0)
        return n_images / median_seconds(lambda: model.fit(ds, epochs=1, verbose=0), repeats)[0]

    out["loop_tf_function"] = round(loop_rate(False), 1)
    out["fit"] = round(fit_rate(), 1)
    out["loop_eager"] = round(loop_rate(True), 1)
    out["ratio_loop_over_fit"] = round(out["loop_tf_function"] / out["fit"], 2)
    out["ratio_loop_over_eager"] = round(out["loop_tf_function"] / out["loop_eager"], 2)
    out["images"], out["batch_size"], out["device"] = n_images, batch_size, (
        "GPU" if tf.config.list_physical_devices("GPU") else "CPU")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lessons", nargs="*", default=None)
    parser.add_argument("--make-test", action="store_true", help="also time `make test`")
    args = parser.parse_args(argv)

    os.environ["COURSE_MODE"] = "fast"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tmp = None
    if not os.environ.get("COURSE_DATA_DIR"):
        tmp = tempfile.TemporaryDirectory(prefix="bench-data-")
        standins.write_all(tmp.name)
        os.environ["COURSE_DATA_DIR"] = tmp.name
    result = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "platform": platform.platform()},
              "repeats": args.repeats,
              "data": "stand-ins" if tmp else os.environ["COURSE_DATA_DIR"],
              "lessons": {}}
    for lesson in args.lessons or lesson_ids():
        median, runs = notebook_seconds(lesson, args.repeats)
        result["lessons"][lesson] = {"fast_mode_notebook_s": round(median, 2), "fast_mode_runs_s": runs,
                                     "autograde_s_per_submission": autograde_seconds(lesson)}
    with contextlib.redirect_stdout(sys.stderr):  # the stand-in banner must not break the JSON
        result["training_images_per_s_l01"] = throughput_l01(args.repeats)
    if args.make_test:
        start = time.perf_counter()
        rc = subprocess.run(["make", "test"], cwd=ROOT, capture_output=True).returncode
        result["make_test_s"], result["make_test_rc"] = round(time.perf_counter() - start, 1), rc
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
