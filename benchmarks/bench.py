"""`make bench`: speed figures for this machine, printed as one JSON object.

- per lesson: fast-mode execution seconds of the master notebook (nbclient, median of --repeats)
  and `nbgrader autograde` seconds per submission (the demo's three sample students, each graded
  by its own nbgrader run as `make grade` does; median over students x --repeats);
- lesson 01 training throughput (images/second) on the same data and batch size: the solution's
  @tf.function GradientTape loop, `model.fit`, and the same loop run eagerly (an epoch of each in
  turn, --repeats rounds: medians, and the median of the per-round ratios);
- grading accuracy per lesson: the variant corpus (tests/variants/) - correct answers accepted,
  wrong answers rejected, and each false verdict;
- with --class-size N: a synthetic class of N students of lesson 01 (coursekit.devtools.synthclass) graded
  serially on SQLite and with --workers on a throwaway PostgreSQL server (coursekit.devtools.pgserver):
  wall times, speedup, and whether the two gave identical scores (one run each);
- with --baseline: each lesson's autograde seconds also as grading ran before issue 23 (a new Python per
  submission and per kernel, the lesson's training uncapped), in the same invocation, and the speed-up;
- with --kernel-fork-off: each lesson's autograde seconds also with every kernel started afresh (no
  kernel fork server), in the same invocation, and the speed-up;
- with --plain-class N: a synthetic class of N (lesson 01) graded by one plain `nbgrader autograde` and by
  `make grade` with one worker, sandbox on for both: wall times and the ratio;
- with --corpus-graded: the whole variant corpus, packed into notebooks, graded by plain `nbgrader
  autograde` and by `make grade`: accuracy per lesson and command, and whether both gave the same scores;
- with --make-test: the wall time of `make test` (one run), and its worker seconds per test module
  (pytest's JUnit times, summed).

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

from coursekit.devtools import pgserver, studentwork, standins, synthclass  # noqa: E402
from coursekit.grading import classgrade, coursedir, gradebook  # noqa: E402
from coursekit.authoring.build import lesson_ids  # noqa: E402


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


# What grading did before issue 23, reproducible in the same invocation: each submission in a new Python
# (no fork server), each kernel a new Python that imports TensorFlow (no kernel fork server), and the
# lesson's own training uncapped.
BASELINE_ENV = {"COURSE_GRADE_FORK": "off", "COURSE_KERNEL_FORK": "off", "COURSE_TRAIN_CAP": "off"}
# The kernel fork server alone switched off (coursekit/grading/kernelfork.py).
NO_KERNEL_FORK_ENV = {"COURSE_KERNEL_FORK": "off"}


@contextlib.contextmanager
def environment(values):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


def autograde_seconds(lesson, repeats, env=None):
    """Seconds per submission, per sample student (solved / partial / blank): each graded by its own
    nbgrader run as `make grade` does (staging included); medians over --repeats. The fork server is
    started before the timed runs (as in a class, where the first student pays it once)."""
    times = {}
    with environment(env or {}), tempfile.TemporaryDirectory(prefix="bench-course-") as tmp:
        course = Path(tmp)
        coursedir.prepare_course(course, [lesson])
        samples = studentwork.submit_samples(course, lesson)
        classgrade.grade_class(course, lesson, students=samples[-1:], force=True, progress=None)  # warm-up
        for _ in range(repeats):
            classgrade.grade_class(course, lesson, force=True, progress=None)
            for s in samples:
                times.setdefault(s.replace("sample_", ""), []).append(classgrade.read_record(course, lesson, s)["seconds"])
    return {name: round(statistics.median(runs), 2) for name, runs in times.items()}, times


def plain_vs_make_grade(lesson, n):
    """The same synthetic class of ``n``, graded by one plain `nbgrader autograde` run and by `make grade`
    with one worker (sandbox on for both, SQLite): wall seconds and the ratio make grade / plain."""
    out = {"lesson": lesson, "students": n}
    with tempfile.TemporaryDirectory(prefix="bench-plain-") as tmp:
        for name in ("plain", "make_grade"):
            course = Path(tmp) / name
            coursedir.prepare_course(course, [lesson])
            synthclass.write_class(course, lesson, n, seed=1)
            start = time.perf_counter()
            if name == "plain":
                coursedir.run_nbgrader(course, "autograde", lesson, "--force", env={"COURSE_SANDBOX": "on"})
            else:
                classgrade.grade_class(course, lesson, workers=1, force=True, progress=None)
            out[f"{name}_s"] = round(time.perf_counter() - start, 1)
    out["ratio"] = round(out["make_grade_s"] / out["plain_s"], 3)
    return out


def class_grading(lesson, n, workers):
    """Serial on SQLite vs ``workers`` on PostgreSQL, same synthetic class."""
    out = {"lesson": lesson, "students": n, "workers": workers}
    why = pgserver.available()
    if why:
        return {**out, "skipped": why}
    server = pgserver.PostgresServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
            results = {}
            for name, url, w in (("serial_sqlite", None, 1),
                                 ("parallel_postgres", server.create_database("bench"), workers)):
                course = Path(tmp) / name
                coursedir.prepare_course(course, [lesson], db_url=url)
                synthclass.write_class(course, lesson, n, seed=1)
                run = classgrade.grade_class(course, lesson, workers=w, db_url=url, progress=None)
                out[f"{name}_s"] = round(run.seconds, 1)
                results[name] = (gradebook.scores(course, lesson, url),
                                 {r.student: (r.status, r.score) for r in run.results})
            out["speedup"] = round(out["serial_sqlite_s"] / out["parallel_postgres_s"], 2)
            out["identical_scores"] = results["serial_sqlite"] == results["parallel_postgres"]
    finally:
        server.stop()
    return out


def throughput_l01(repeats, n_images=2048, batch_size=32):
    """Images/second of one epoch three ways (the @tf.function GradientTape loop, `model.fit`, the
    same loop run eagerly), same data and batch size. After a warm-up epoch of each (tracing, first
    allocations), the three are timed interleaved - one epoch of each in turn, ``repeats`` rounds - so
    that a slow moment of the machine hits all three alike; ratios are the median of the per-round ratios."""
    import keras
    import tensorflow as tf
    from coursekit.notebook.data import load_mnist
    from solutions import l01_mnist_vgg_subclassing as sol

    (x, y), _ = load_mnist()
    x, y = sol.prepare_images(x[:n_images]), y[:n_images]
    ds, _ = sol.make_datasets(x, y, x[:batch_size], y[:batch_size], batch_size=batch_size, seed=0)

    def loop_epoch(eager):
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
        return epoch

    def fit_epoch():
        keras.utils.set_random_seed(0)
        model = sol.MyModel()
        model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return lambda: model.fit(ds, epochs=1, verbose=0)

    runners = {"loop_tf_function": loop_epoch(False), "fit": fit_epoch(), "loop_eager": loop_epoch(True)}
    for epoch in runners.values():
        epoch()  # warm-up
    rounds = []
    for _ in range(repeats):
        seconds = {}
        for name, epoch in runners.items():
            start = time.perf_counter()
            epoch()
            seconds[name] = time.perf_counter() - start
        rounds.append(seconds)
    out = {name: round(n_images / statistics.median(r[name] for r in rounds), 1) for name in runners}
    out["ratio_loop_over_fit"] = round(statistics.median(r["fit"] / r["loop_tf_function"] for r in rounds), 2)
    out["ratio_loop_over_eager"] = round(statistics.median(r["loop_eager"] / r["loop_tf_function"] for r in rounds), 2)
    out["rounds_s"] = [{k: round(v, 3) for k, v in r.items()} for r in rounds]
    out["images"], out["batch_size"], out["device"] = n_images, batch_size, (
        "GPU" if tf.config.list_physical_devices("GPU") else "CPU")
    return out


def grading_accuracy(lessons):
    """Per lesson, the variant corpus (tests/variants/) graded as the tests grade it: correct answers
    accepted / total, wrong answers rejected / total, and every variant the grading got wrong."""
    from tests import variants

    out = {}
    for lesson in lessons:
        corpus = variants.lesson_module(lesson).VARIANTS
        start = time.perf_counter()
        with variants.LessonGrader(lesson) as grader:
            problems = {v.id: grader.grade(v).problem() for v in corpus}
        ok = [v for v in corpus if v.correct]
        bad = [v for v in corpus if not v.correct]
        out[lesson] = {"correct_accepted": f"{sum(problems[v.id] is None for v in ok)}/{len(ok)}",
                       "wrong_rejected": f"{sum(problems[v.id] is None for v in bad)}/{len(bad)}",
                       "false_verdicts": [p for p in problems.values() if p],
                       "seconds": round(time.perf_counter() - start, 1)}
    return out


def corpus_graded(lessons):
    """Per lesson, the whole variant corpus packed into notebooks (``tests.variants.packs``: one variant of
    every exercise per notebook) and graded by plain `nbgrader autograde` and by `make grade` (one worker,
    SQLite, sandbox on for both): correct answers accepted, wrong ones rejected, each false verdict (as
    ``Verdict.problem`` words it), seconds, and whether the two commands gave identical cell scores."""
    from tests import variants

    out = {}
    for lesson in lessons:
        packs = variants.packs(lesson)
        corpus = [v for p in packs for v in p.answers]
        entry, scores = {"notebooks": len(packs), "variants": len(corpus)}, {}
        with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
            for name in ("plain_autograde", "make_grade"):
                course = Path(tmp) / name
                coursedir.prepare_course(course, [lesson])
                variants.hand_in_packs(course, lesson, packs)
                start = time.perf_counter()
                if name == "plain_autograde":
                    coursedir.autograde(course, lesson, env={"COURSE_SANDBOX": "on"})
                else:
                    classgrade.grade_class(course, lesson, workers=1, force=True, progress=None)
                seconds = time.perf_counter() - start
                problems = variants.graded_problems(course, lesson, packs)
                ok = [v for v in corpus if v.correct]
                bad = [v for v in corpus if not v.correct]
                entry[name] = {"correct_accepted": f"{sum(problems[v.id] is None for v in ok)}/{len(ok)}",
                               "wrong_rejected": f"{sum(problems[v.id] is None for v in bad)}/{len(bad)}",
                               "false_verdicts": [p for p in problems.values() if p],
                               "seconds": round(seconds, 1), "seconds_per_notebook": round(seconds / len(packs), 1)}
                scores[name] = {p.name: gradebook.cell_scores(course, lesson, p.name) for p in packs}
        entry["identical_cell_scores"] = scores["plain_autograde"] == scores["make_grade"]
        out[lesson] = entry
    return out


def worker_seconds(junit: Path, top: int = 12) -> dict:
    """Where `make test`'s time goes: pytest's JUnit XML times (setup, call and teardown of each test)
    summed per test module (the notebooks under nbval together), the ``top`` largest, the rest together,
    and the total: seconds of worker time, over all xdist workers."""
    import xml.etree.ElementTree as ET

    spent: dict[str, float] = {}
    for case in ET.parse(junit).iter("testcase"):
        parts = (case.get("classname") or "?").split(".")
        name = parts[1] if parts[0] == "tests" and len(parts) > 1 else "notebooks under nbval"
        spent[name] = spent.get(name, 0.0) + float(case.get("time") or 0)
    ranked = sorted(spent.items(), key=lambda kv: -kv[1])
    out = {name: round(seconds, 1) for name, seconds in ranked[:top]}
    out["everything else"] = round(sum(seconds for _, seconds in ranked[top:]), 1)
    out["total"] = round(sum(spent.values()), 1)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lessons", nargs="*", default=None)
    parser.add_argument("--skip", nargs="*", default=[], choices=["lessons", "throughput", "accuracy"],
                        help="leave these parts out (e.g. to time only --class-size)")
    parser.add_argument("--class-size", type=int, default=0, help="also grade a synthetic class of N (lesson 01)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="workers for --class-size")
    parser.add_argument("--make-test", action="store_true", help="also time `make test`")
    parser.add_argument("--corpus-graded", action="store_true",
                        help="also grade the whole variant corpus by plain nbgrader autograde and by make grade")
    parser.add_argument("--kernel-fork-off", action="store_true",
                        help="also grade with each kernel started afresh (%s) and print the speed-up" % NO_KERNEL_FORK_ENV)
    parser.add_argument("--baseline", action="store_true",
                        help="also grade as before issue 23 (%s) and print the speed-up" % BASELINE_ENV)
    parser.add_argument("--plain-class", type=int, default=0,
                        help="also grade a synthetic class of N (lesson 01) by plain nbgrader autograde and by make grade")
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
    for lesson in [] if "lessons" in args.skip else args.lessons or lesson_ids():
        median, runs = notebook_seconds(lesson, args.repeats)
        per_sub, sub_runs = autograde_seconds(lesson, args.repeats)
        entry = {"fast_mode_notebook_s": round(median, 2), "fast_mode_runs_s": runs,
                 "autograde_s_per_submission": per_sub, "autograde_runs_s": sub_runs}
        if args.baseline:
            before, _ = autograde_seconds(lesson, args.repeats, env=BASELINE_ENV)
            entry["autograde_s_before"] = before
            entry["speedup"] = {k: round(before[k] / per_sub[k], 2) for k in per_sub}
        if args.kernel_fork_off:
            started, _ = autograde_seconds(lesson, args.repeats, env=NO_KERNEL_FORK_ENV)
            entry["autograde_s_kernels_started"] = started
            entry["kernel_fork_speedup"] = {k: round(started[k] / per_sub[k], 2) for k in per_sub}
        result["lessons"][lesson] = entry
    if "throughput" not in args.skip:
        with contextlib.redirect_stdout(sys.stderr):  # the stand-in banner must not break the JSON
            result["training_images_per_s_l01"] = throughput_l01(args.repeats)
    if "accuracy" not in args.skip:
        result["grading_accuracy"] = grading_accuracy(args.lessons or lesson_ids())
    if args.class_size:
        first = next(l for l in lesson_ids() if l.startswith("01_"))
        result["class_grading"] = class_grading(first, args.class_size, args.workers)
    if args.plain_class:
        first = next(l for l in lesson_ids() if l.startswith("01_"))
        result["plain_vs_make_grade"] = plain_vs_make_grade(first, args.plain_class)
    if args.corpus_graded:
        result["corpus_graded"] = corpus_graded(args.lessons or lesson_ids())
    if args.make_test:
        with tempfile.TemporaryDirectory(prefix="bench-junit-") as folder:
            junit = Path(folder) / "junit.xml"
            env = dict(os.environ, PYTEST_ADDOPTS=f"{os.environ.get('PYTEST_ADDOPTS', '')} --junitxml={junit}".strip())
            start = time.perf_counter()
            rc = subprocess.run(["make", "test"], cwd=ROOT, capture_output=True, env=env).returncode
            result["make_test_s"], result["make_test_rc"] = round(time.perf_counter() - start, 1), rc
            if junit.is_file():
                result["make_test_worker_s"] = worker_seconds(junit)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
