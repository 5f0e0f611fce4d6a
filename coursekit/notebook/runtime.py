"""Workload mode, seeding, quiet logging and the GPU check (runs first in every notebook)."""
import os
import re
import sys
import warnings

try:
    course_text, course_translate, course_language  # in a notebook: defined by the i18n module, run just before
except NameError:                                    # imported as a module (the grader, the tests)
    from coursekit.notebook.i18n import course_language, course_text, course_translate

# TensorFlow reads this when it is imported: keep its C++ log lines out of the notebook. Level 3
# (fatal only) because TF 2.21 logs harmless ERROR lines too (e.g. "NodeDef mentions attribute
# use_unbounded_threadpool" under op determinism), and nbgrader scores a test cell 0 for any
# stderr. Real failures still surface as Python exceptions.
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"

import numpy as np


def _import_tensorflow_quietly():
    """Import TensorFlow with the C++ runtime's start-up lines (written straight to file
    descriptor 2, before TF_CPP_MIN_LOG_LEVEL applies) sent to /dev/null. Python errors
    still surface: they are raised as exceptions, not written to the descriptor."""
    try:
        saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    except OSError:  # no usable descriptor 2: import as usual
        import tensorflow
        return tensorflow
    try:
        os.dup2(devnull, 2)
        import tensorflow
        tensorflow.constant(0)  # the first op initialises the runtime, which logs once more
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow


tf = _import_tensorflow_quietly()
import keras

COURSE_MODE_VAR = "COURSE_MODE"
COURSE_MODES = ("fast", "full")


def course_mode(environ=None):
    """Return 'fast' or 'full'.

    COURSE_MODE wins when it is set; otherwise nbgrader's NBGRADER_EXECUTION
    (autograde / validate) means 'fast', and anything else means 'full'.
    """
    environ = os.environ if environ is None else environ
    raw = environ.get(COURSE_MODE_VAR, "").strip().lower()
    if raw in COURSE_MODES:
        return raw
    if raw:
        raise ValueError(course_text(
            "{0} must be 'fast' or 'full', not {1}. Unset it to get 'full' (or 'fast' while nbgrader grades).",
            COURSE_MODE_VAR, repr(raw)))
    return "fast" if environ.get("NBGRADER_EXECUTION") else "full"


def by_mode(fast, full, mode=None):
    """Pick the value for the current workload mode: ``EPOCHS = by_mode(fast=1, full=5)``. (While
    nbgrader grades, the lesson's training is capped instead: ``grading_cap``.)"""
    return fast if (mode or course_mode()) == "fast" else full


def _show_warning_on_stdout(message, category, filename, lineno, file=None, line=None):
    # nbgrader scores a test cell 0 when anything reaches stderr; warnings still teach, so print them.
    print(f"[{category.__name__}] {message}", file=sys.stdout)


def quiet_logging():
    """Send Python warnings to stdout and silence TensorFlow's own INFO/WARNING logging."""
    warnings.showwarning = _show_warning_on_stdout
    tf.get_logger().setLevel("ERROR")
    try:
        from absl import logging as _absl_logging
        _absl_logging.set_verbosity(_absl_logging.ERROR)
    except ImportError:  # absl ships with TensorFlow, but do not insist
        pass


def set_seed(seed=42, deterministic=True):
    """Seed Python, NumPy and TensorFlow; make TF ops deterministic with ``deterministic``, and
    switch determinism off again without it (picking full mode after a fast run in the same runtime
    must not keep the slower deterministic GPU kernels for the whole full run).

    Deterministic ops make graded numbers repeatable; they cost speed on a GPU, so the
    notebooks ask for them in fast mode (grading, CI) only.
    """
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    elif _op_determinism_enabled():
        _disable_op_determinism()
    return seed


def _op_determinism_enabled():
    from tensorflow.python.framework import config as _tf_config
    probe = getattr(_tf_config, "is_op_determinism_enabled", None)
    return bool(probe and probe())


def _disable_op_determinism():
    """TensorFlow has no public switch back (only ``enable_op_determinism``); its own
    ``disable_op_determinism`` has been there since 2.9. Without it, stop and say what to do."""
    from tensorflow.python.framework import config as _tf_config
    switch = getattr(_tf_config, "disable_op_determinism", None)
    if switch is None:
        raise CourseStop(course_text(
            "This runtime ran in fast mode first, which made TensorFlow's operations deterministic "
            "(slower on a GPU), and this TensorFlow cannot switch that off again.\n"
            "Restart the runtime (Colab: Runtime > Restart session; JupyterLab: Kernel > Restart), "
            "then run the Workload cell (full) and this cell again."))
    switch()


class CourseStop(Exception):
    """A stop the student can act on: the notebook shows its message alone, without a traceback
    (IPython calls ``_render_traceback_``), and *Run all* stops at the cell that raised it."""

    def _render_traceback_(self):
        return [course_text("STOP: {0}", self)]


FULL_ON_CPU_VAR = "COURSE_FULL_ON_CPU"


def _runtime_time_phrase(text):
    """A lesson's estimate of its CPU time ("about 5 minutes", "about 40-60 minutes (an estimate)", "about
    11 hours") in the reader's language: the kit's own patterns, else whatever ``course_translate`` knows."""
    match = re.fullmatch(r"about (\S+) (minutes|hours)( \(an estimate\))?", text)
    if not match:
        return course_translate(text)
    number, unit, estimate = match.groups()
    said = course_text("about {0} minutes", number) if unit == "minutes" else course_text("about {0} hours", number)
    return course_text("{0} (an estimate)", said) if estimate else said


def full_mode_device_check(full_cpu_time=None, environ=None, gpu=None, stop=True):
    """Full mode without a GPU stops here, before hours of CPU training start, unless the student
    chose it (``%env COURSE_FULL_ON_CPU=yes``) or a training cap marks a check of the course. A lesson
    whose full run is short on a CPU passes ``stop=False``: one line says what it costs, and it goes on."""
    environ = os.environ if environ is None else environ
    gpu = bool(tf.config.list_physical_devices("GPU")) if gpu is None else gpu
    if gpu or train_cap(environ) is not None:
        return
    if not stop:
        print(course_text("Full mode on the CPU: training will take {0} (a GPU is faster).",
                          _runtime_time_phrase(full_cpu_time) if full_cpu_time else course_text("a while")))
        return
    how_long = _runtime_time_phrase(full_cpu_time) if full_cpu_time else course_text("hours")
    if environ.get(FULL_ON_CPU_VAR, "").strip().lower() in ("1", "yes", "true", "on"):
        print(course_text("Full mode on the CPU, as you chose ({0}): training will take {1}.", FULL_ON_CPU_VAR, how_long))
        return
    where = (course_text("Runtime > Change runtime type > Hardware accelerator: GPU (T4) > Save, then Runtime > Run all")
             if "google.colab" in sys.modules else course_text("run the notebook on a machine with a GPU"))
    raise CourseStop(course_text(
        "Full mode, but no GPU: this lesson's full training on a CPU would take {0}.\n"
        "  - to use a GPU: {1};\n"
        "  - or pick fast mode in the Workload cell above and run it and this cell again;\n"
        "  - or, to train on the CPU anyway, run this line in a new cell, then this cell again:\n"
        "        %env {2}=yes", how_long, where, FULL_ON_CPU_VAR))


def gpu_check():
    """Say which device trains; in Colab without a GPU, say how to switch one on."""
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        print(course_text("GPU: {0} found ({1}); training runs on the GPU.", len(gpus), ", ".join(g.name for g in gpus)))
    elif "google.colab" in sys.modules:
        print(course_text("NO GPU in this Colab runtime. Training will be very slow on the CPU.\n"
                          "  Fix: Runtime > Change runtime type > Hardware accelerator: GPU (T4) > Save,\n"
                          "  then Runtime > Run all."))
    else:
        print(course_text("No GPU found: training runs on the CPU (fine in fast mode, slow in full mode)."))
    return bool(gpus)


class Speedups:
    """What ``training_speedups()`` switched on: ``mixed_precision`` (float16 maths, float32 weights)
    and ``jit_compile`` (XLA), both on a GPU in full mode only. Build the model to train inside
    ``with speed.policy():`` so that only it computes in float16; wrap its optimizer with
    ``speed.optimizer(...)`` (loss scaling keeps small float16 gradients from rounding to zero: the
    train step must take the gradients of ``optimizer.scale_loss(loss)``)."""

    def __init__(self, mixed_precision, jit_compile):
        self.mixed_precision, self.jit_compile = mixed_precision, jit_compile

    def policy(self):
        import contextlib

        @contextlib.contextmanager
        def scope():
            before = keras.mixed_precision.global_policy()
            keras.mixed_precision.set_global_policy("mixed_float16" if self.mixed_precision else "float32")
            try:
                yield
            finally:
                keras.mixed_precision.set_global_policy(before)
        return scope()

    def optimizer(self, optimizer):
        return keras.optimizers.LossScaleOptimizer(optimizer) if self.mixed_precision else optimizer

    def __repr__(self):
        return f"Speedups(mixed_precision={self.mixed_precision}, jit_compile={self.jit_compile})"


def training_speedups(mode=None):
    """Mixed precision and XLA where they pay: on a GPU, for full-size training. On a CPU they do
    not help (no fast float16 units; XLA's compile time is not paid back on a few small epochs),
    and fast mode keeps float32 so graded numbers stay repeatable. Prints what it chose."""
    gpu = bool(tf.config.list_physical_devices("GPU"))
    on = gpu and (mode or course_mode()) == "full"
    if on:
        print(course_text("Speed-ups ON: mixed precision (mixed_float16: float16 maths, float32 weights, float32 "
                          "softmax output, loss scaling) and XLA (jit_compile=True)."))
    else:
        why = course_text("no GPU") if not gpu else course_text("fast mode keeps float32 for repeatable grading")
        print(course_text("Speed-ups off ({0}): float32, no XLA.", why))
    return Speedups(mixed_precision=on, jit_compile=on)


TRAIN_CAP_VAR = "COURSE_TRAIN_CAP"


def train_cap(environ=None):
    """``(max_epochs, max_steps)`` from ``COURSE_TRAIN_CAP="E,S"``, or None when it is unset.

    A check of the course itself (``make fullcheck``), never set for a real run: every full-mode
    path runs at full size - data, evaluation, predictions, plots, saving - except training, which
    stops after at most E epochs of ``fit`` and at most S training steps per epoch."""
    environ = os.environ if environ is None else environ
    raw = environ.get(TRAIN_CAP_VAR, "").strip()
    if not raw or raw.lower() == "off":
        return None
    try:
        epochs, steps = (int(v) for v in raw.split(","))
        if epochs < 1 or steps < 1:
            raise ValueError
    except ValueError:
        raise ValueError(f"{TRAIN_CAP_VAR} must be 'EPOCHS,STEPS' (two positive integers), not {raw!r}.") from None
    return epochs, steps


class _CapState:
    """The training cap's switch (``active``: off while a graded check runs its own tiny training)
    and what it saw: the largest number of images any eager model call received. ``eager``: while
    grading, the lesson's own code runs its ``tf.function`` code (Keras's training steps, the lessons'
    loops) eagerly - every line still runs, and two steps cost far less than tracing a graph for them;
    ``pause``/``resume`` (the judge's questions) give graph mode back."""
    active = True
    eager = False
    max_call_images = 0

    @classmethod
    def pause(cls):
        cls.active = False
        if cls.eager:
            tf.config.run_functions_eagerly(False)

    @classmethod
    def resume(cls):
        cls.active = True
        if cls.eager:
            tf.config.run_functions_eagerly(True)


def _at_most(value, cap):
    """A count the caller gave (None: all of it), capped."""
    return cap if value is None else min(value, cap)


def _batch_at_most(x, batch_size, max_batch):
    """``batch_size`` capped where Keras batches the data itself (arrays: 32 unless said); a dataset
    brings its own batches (capped by ``capped_batch`` where they are shuffled training data)."""
    return min(batch_size or 32, max_batch) if batch_size is not None or hasattr(x, "shape") else batch_size


def _arrays(data):
    """Whether ``validation_data`` is arrays (a tuple of them) that Keras batches itself."""
    return isinstance(data, (tuple, list)) and bool(data) and hasattr(data[0], "shape")


def _evaluated_note(x, steps, size):
    """The line a capped ``evaluate`` prints: how many images the graded run evaluated (the notebook's
    own line after it names the whole test set)."""
    total = len(x) if hasattr(x, "shape") and getattr(x, "ndim", 0) else None
    if total is not None and size:
        return course_text("(graded run: evaluate used {0} of the {1} images given; no check reads this score)",
                           min(total, steps * size), total)
    return course_text("(graded run: evaluate used at most {0} batches; no check reads this score)", steps)


def _install_train_cap(max_epochs, max_steps, max_batch=None):
    """Cap ``keras.Model.fit`` (epochs and steps per epoch; with ``max_batch``, images per batch too) and
    shuffled-then-batched tf.data pipelines (training loops written by hand), and record the largest
    eager model call. With ``max_batch`` (grading's cap) evaluation too: ``fit``'s validation and
    ``evaluate``, ``max_steps`` batches of at most ``max_batch`` images (``COURSE_TRAIN_CAP``, make
    fullcheck's cap, leaves them whole: it measures full mode's memory)."""
    if getattr(keras.Model, "_course_train_cap", None):
        keras.Model._course_train_cap = (max_epochs, max_steps, max_batch)
        return
    fit, evaluate, call, batch = keras.Model.fit, keras.Model.evaluate, keras.Model.__call__, tf.data.Dataset.batch

    def capped_fit(self, x=None, y=None, batch_size=None, epochs=1, *args, **kwargs):
        if not _CapState.active:
            return fit(self, x, y, batch_size, epochs, *args, **kwargs)
        max_e, max_s, max_b = keras.Model._course_train_cap
        epochs = min(epochs, kwargs.get("initial_epoch", 0) + max_e)
        kwargs["steps_per_epoch"] = _at_most(kwargs.get("steps_per_epoch"), max_s)
        if max_b:
            batch_size = _batch_at_most(x, batch_size, max_b)
            if kwargs.get("validation_data") is not None or kwargs.get("validation_split"):
                # grading: validation is evaluation, capped as evaluate is (below); arrays in batches of max_b
                kwargs["validation_steps"] = _at_most(kwargs.get("validation_steps"), max_s)
                if hasattr(x, "shape") or _arrays(kwargs.get("validation_data")):
                    kwargs["validation_batch_size"] = max_b
        return fit(self, x, y, batch_size, epochs, *args, **kwargs)

    def capped_evaluate(self, x=None, y=None, batch_size=None, *args, **kwargs):
        """Grading only (``max_b``): ``max_s`` batches of at most ``max_b`` images. A test score in a
        graded run is read by no check, and evaluating a VGG16 on a whole test set costs more than its
        training steps there. ``predict`` stays whole: its output's length is the data's."""
        if not _CapState.active or not keras.Model._course_train_cap[2] or len(args) >= 3:  # steps given by position
            return evaluate(self, x, y, batch_size, *args, **kwargs)
        _, max_s, max_b = keras.Model._course_train_cap
        kwargs["steps"] = steps = _at_most(kwargs.get("steps"), max_s)
        size = _batch_at_most(x, batch_size, max_b)
        result = evaluate(self, x, y, size, *args, **kwargs)
        if not kwargs.get("_use_cached_eval_dataset"):  # not fit's validation (Keras calls evaluate for it)
            print(_evaluated_note(x, steps, size), flush=True)
        return result

    def recording_call(self, *args, **kwargs):
        shape = getattr(args[0] if args else None, "shape", None)
        if tf.executing_eagerly() and shape is not None and len(shape) and shape[0] is not None:
            _CapState.max_call_images = max(_CapState.max_call_images, int(shape[0]))
        return call(self, *args, **kwargs)

    def capped_batch(self, batch_size, *args, **kwargs):
        node = self if _CapState.active else None
        while node is not None:
            if "Shuffle" in type(node).__name__:
                _, max_s, max_b = keras.Model._course_train_cap
                if max_b and isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool):
                    batch_size = min(batch_size, max_b)
                return batch(self, batch_size, *args, **kwargs).take(max_s)
            node = getattr(node, "_input_dataset", None)
        return batch(self, batch_size, *args, **kwargs)

    keras.Model._course_train_cap = (max_epochs, max_steps, max_batch)
    keras.Model.fit, keras.Model.evaluate = capped_fit, capped_evaluate
    keras.Model.__call__, tf.data.Dataset.batch = recording_call, capped_batch


class EpochLog(keras.callbacks.Callback):
    """One printed line per epoch: the epoch, what Keras logged (loss, accuracy, validation),
    the epoch's seconds and, from the mean so far, the time left. For long ``fit`` runs, in place
    of Keras's progress bars (two lines an epoch in a notebook) or silence (``verbose=0``):
    ``model.fit(..., verbose=0, callbacks=[EpochLog("member 1")])``."""

    def __init__(self, label="", every=1):
        super().__init__()
        self.label, self.every = label, max(1, int(every))

    def on_train_begin(self, logs=None):
        import time
        self._clock, self._started = time.perf_counter, time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_started = self._clock()

    def on_epoch_end(self, epoch, logs=None):
        done, total = epoch + 1, (self.params or {}).get("epochs") or epoch + 1
        if done % self.every and done != total:
            return
        now = self._clock()
        shown = [k for k in (logs or {}) if k.endswith(("loss", "accuracy", "acc"))]
        shown.sort(key=lambda k: (k.startswith("val_"), not k.endswith("loss"), k))  # loss first, then val_
        metrics = ", ".join(f"{k} {float(logs[k]):.4f}" for k in shown)
        mean = (now - self._started) / done
        tail = _time_left((total - done) * mean) if done < total else _time_taken(now - self._started)
        took = f"{now - self._epoch_started:.1f}"
        if self.label:
            line = course_text("{0}: epoch {1}/{2} - {3} - {4} s - {5}", course_translate(self.label), done, total,
                               metrics, took, tail)
        else:
            line = course_text("epoch {0}/{1} - {2} - {3} s - {4}", done, total, metrics, took, tail)
        print(line, flush=True)


def _duration(seconds):
    """(number, unit) of a duration as EpochLog says it: seconds up to 90 s, minutes up to 90 min, then hours."""
    seconds = max(0.0, float(seconds))
    if seconds < 90:
        return f"{seconds:.0f}", "s"
    if seconds < 5400:
        return f"{seconds / 60:.0f}", "min"
    return f"{seconds / 3600:.1f}", "h"


def _time_left(seconds):
    number, unit = _duration(seconds)
    if unit == "s":
        return course_text("about {0} s left", number)
    return course_text("about {0} min left", number) if unit == "min" else course_text("about {0} h left", number)


def _time_taken(seconds):
    number, unit = _duration(seconds)
    if unit == "s":
        return course_text("done in {0} s", number)
    return course_text("done in {0} min", number) if unit == "min" else course_text("done in {0} h", number)


GRADING_CAP = (1, 2, 8)


def grading_cap(environ=None):
    """The training cap while nbgrader autogrades a notebook in fast mode: ``GRADING_CAP`` (one epoch of
    ``fit``, two steps per epoch of at most 8 images each, and hand-written loops cut to two such batches,
    all run eagerly: tracing a graph costs more than two steps; a VGG16's step on 64 images costs three
    times one on 8), unless ``COURSE_TRAIN_CAP`` names one (or ``off``). Grading must run every line of the student's code, not the lesson's
    demonstrations: no graded check reads what these cells compute, and the judge's questions train
    uncapped (``coursekit/grading/judge/wire.py``). None outside grading."""
    environ = os.environ if environ is None else environ
    if environ.get("NBGRADER_EXECUTION") != "autograde" or course_mode(environ) != "fast":
        return None  # nbgrader validate runs the visible checks in the kernel: they train uncapped
    if environ.get(TRAIN_CAP_VAR, "").strip():
        return None  # course_setup applies COURSE_TRAIN_CAP itself (or none: "off")
    return GRADING_CAP


def course_setup(seed=42, full_cpu_time=None, stop_on_cpu=True):
    """The locked setup cell's last step: mode, seed, logging, device. Returns the mode.
    ``full_cpu_time`` (e.g. "about 5 hours") is what the lesson's full training costs on a CPU:
    full mode without a GPU stops and says so (``full_mode_device_check``), unless ``stop_on_cpu``
    is False (a lesson whose full run takes minutes on a CPU), which only says it."""
    quiet_logging()
    cap, grading = train_cap(), grading_cap()
    if grading:
        _install_train_cap(*grading)  # quietly: the feedback a student reads is about their code
        _CapState.eager = True
        tf.config.run_functions_eagerly(True)  # no graph to trace for two steps (see _CapState)
    elif cap:
        _install_train_cap(*cap)
        print(f"!! {TRAIN_CAP_VAR}={cap[0]},{cap[1]}: training CAPPED at {cap[0]} epoch(s) of fit and "
              f"{cap[1]} step(s) per epoch - a check of the course, not a real run. Unset it to train.")
    mode = course_mode()
    set_seed(seed, deterministic=(mode == "fast"))
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, NumPy {np.__version__}")
    if mode == "fast":
        print(course_text("Workload mode: {0} (small subsets, few epochs: minutes on a CPU; the numbers it prints are "
                          "not the real results); to change it, pick the workload in the cell above and run both "
                          "cells again. Seed: {1}.", mode.upper(), seed))
    else:
        print(course_text("Workload mode: {0} (full data and the post's epochs); to change it, pick the workload in "
                          "the cell above and run both cells again. Seed: {1}.", mode.upper(), seed))
    if course_language() == "ko":
        hangul_plot_font()  # Korean titles and labels in the plots, not boxes
    gpu_check()
    if mode == "full":
        full_mode_device_check(full_cpu_time, stop=stop_on_cpu)
    return mode


# ---- Korean text in plots ----------------------------------------------------------------------------

HANGUL_FONTS = ("NanumGothic", "NanumBarunGothic", "NanumSquare", "Noto Sans CJK KR", "Noto Sans KR",
                "Source Han Sans KR", "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans CJK TC", "UnDotum",
                "Malgun Gothic", "AppleGothic", "Apple SD Gothic Neo", "Baekmuk Gulim", "Baekmuk Dotum")
HANGUL_FONT_DIRS = ("/usr/share/fonts/truetype/nanum", "/usr/share/fonts/opentype/noto")


def _hangul_family(ttflist):
    """The first family of ``HANGUL_FONTS`` that matplotlib's font list holds (Korean first), or None."""
    names = {getattr(font, "name", None) for font in ttflist}
    return next((name for name in HANGUL_FONTS if name in names), None)


def _add_hangul_font_files(manager, folders):
    """Register the font files under ``folders`` with matplotlib (installed after its font cache was made)."""
    known = {getattr(font, "fname", None) for font in manager.ttflist}
    for folder in folders:
        for base, _, files in os.walk(folder):  # nothing when the folder does not exist
            for name in sorted(files):
                path = os.path.join(base, name)
                if name.lower().endswith((".ttf", ".otf", ".ttc")) and path not in known:
                    try:
                        manager.addfont(path)
                    except Exception:  # a file FreeType cannot read: skip it
                        pass


def _install_nanum_fonts():
    """Install Debian's fonts-nanum quietly (Colab runs as root, online); refresh apt's lists if it fails."""
    import subprocess
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "-qq", "-y", "install", "fonts-nanum"]
    if subprocess.run(install, capture_output=True, env=env, timeout=300).returncode != 0:
        subprocess.run(["apt-get", "-qq", "update"], capture_output=True, env=env, timeout=300)
        subprocess.run(install, capture_output=True, env=env, timeout=300)


def hangul_plot_font(manager=None, rc=None, folders=HANGUL_FONT_DIRS, environ=None, colab=None, install=None):
    """Make a font with Hangul matplotlib's default (DejaVu Sans, its own default, has none: Korean text
    in a plot would show as boxes). Looks for a known Korean font (``HANGUL_FONTS``) among matplotlib's
    fonts, then among the files under ``folders``; in Colab, outside grading, installs fonts-nanum (a
    few seconds) if there is none. Sets ``font.family`` to DejaVu Sans, then the Korean font: matplotlib
    falls back glyph by glyph, so Latin letters, digits and the minus sign (which Korean fonts often lack,
    and which log-scale ticks draw in mathtext) stay DejaVu's and Hangul comes from the Korean font. Returns the family, or None after
    printing how to get one. Never raises: fonts are never a reason to stop a lesson.

    ``manager`` (matplotlib's ``fontManager``), ``rc`` (``rcParams``), ``environ``, ``colab`` and
    ``install`` are for tests."""
    environ = os.environ if environ is None else environ
    colab = "google.colab" in sys.modules if colab is None else colab
    family = None
    try:
        if manager is None or rc is None:
            import matplotlib
            from matplotlib import font_manager
            manager = font_manager.fontManager if manager is None else manager
            rc = matplotlib.rcParams if rc is None else rc
        family = _hangul_family(manager.ttflist)
        if family is None:
            _add_hangul_font_files(manager, folders)
            family = _hangul_family(manager.ttflist)
        if family is None and colab and not environ.get("NBGRADER_EXECUTION"):
            (install or _install_nanum_fonts)()
            _add_hangul_font_files(manager, folders)
            family = _hangul_family(manager.ttflist)
        if family is not None:
            rc["font.family"] = ["DejaVu Sans", family]
            return family
    except Exception:  # an install that failed or timed out, an odd matplotlib: say how to fix it below
        family = None
    print(course_text("Korean text in the plots may show as boxes: no font with Hangul was found. To fix it, "
                      "install one (Colab or Debian/Ubuntu: run !apt-get -qq -y install fonts-nanum in a new cell), "
                      "then run the setup cell again."))
    return None
