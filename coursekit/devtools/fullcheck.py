"""`make fullcheck`: every lesson's solved master in FULL mode, at full data size, within memory.

The student's path is Colab: full mode, the real datasets (MNIST 60,000 / 10,000 images, CIFAR-10
50,000 / 10,000), a T4 GPU with 15 GB and a host with about 12.7 GB. This check runs that path on
any machine, in minutes:

- stand-in datasets are written at the REAL sizes, in the official formats;
- each master notebook runs end to end with ``COURSE_MODE=full``; ``COURSE_TRAIN_CAP=E,S`` (the one
  switch, read by the setup cell) caps training at E epochs of ``fit`` and S steps per training
  epoch, so everything else - data sizes, evaluation on the whole test set, predictions, plots,
  saving and reloading, BatchNorm recalibration - runs at full size;
- the kernel's resident-memory high-water mark (``VmHWM``) is read after every cell, and the
  largest batch any eager model call received is recorded (a 10,000-image call is what runs out of
  GPU memory on a T4).

It prints one JSON object on stdout, ``{lesson id: {"ok", "wall_s", "peak_rss_gib",
"max_call_images", "error"}, ...}`` (progress and the budget go to stderr); the exit status is 1 when a lesson fails or breaks
the budget. ``python -m coursekit.devtools.fullcheck [--lessons 01 04] [--cap 1,2] [--keep DIR]``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

from coursekit.devtools import standins
from coursekit.authoring.build import lesson_ids

from coursekit import ROOT  # noqa: E402
REAL_SIZES = dict(mnist_train=60_000, mnist_test=10_000, cifar_train=50_000, cifar_test=10_000)
BUDGET = {"peak_rss_gib": 10.0, "max_call_images": 4096}
REPORT_CELL = (
    "import json as _json\n"
    "print('FULLCHECK ' + _json.dumps({'max_call_images': _CapState.max_call_images}))"
)


def _peak_rss_gib(pid) -> float | None:
    """The process's resident-memory high-water mark, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20  # kB -> GiB
    except (OSError, ValueError, IndexError):
        return None
    return None


class _WatchedClient(NotebookClient):
    """An nbclient run that reads the kernel's peak RSS after every cell."""

    peak = 0.0

    def _watch(self, **_):
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        value = _peak_rss_gib(pid) if pid else None
        if value is not None:
            self.peak = max(self.peak, value)

    def __init__(self, nb, **kw):
        super().__init__(nb, on_cell_executed=self._watch, on_cell_error=self._watch, **kw)


def _first_error(nb) -> str | None:
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                where = cell.get("id") or f"cell {index}"
                return f"{where}: {out.get('ename')}: {out.get('evalue')}"[:500]
    return None


def check_lesson(lesson: str, data_dir: Path, cap: str, workdir: Path, timeout: int, root: Path = ROOT) -> dict:
    nb = nbformat.read(root / "source" / lesson / f"{lesson}.ipynb", as_version=4)
    cells = []
    for cell in nb.cells:  # graded checks train tiny models for set epochs: no cap while they run
        graded = cell.get("metadata", {}).get("nbgrader", {}).get("grade")
        cells += [nbformat.v4.new_code_cell("_CapState.pause()")] if graded else []
        cells += [cell] + ([nbformat.v4.new_code_cell("_CapState.resume()")] if graded else [])
    nb.cells = cells + [nbformat.v4.new_code_cell(REPORT_CELL)]
    env_before = dict(os.environ)
    os.environ.update(COURSE_MODE="full", COURSE_DATA_DIR=str(data_dir), COURSE_TRAIN_CAP=cap,
                      MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3")
    os.environ.pop("NBGRADER_EXECUTION", None)
    run_dir = workdir / lesson
    run_dir.mkdir(parents=True, exist_ok=True)
    client = _WatchedClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(run_dir)}})
    start, error = time.perf_counter(), None
    try:
        client.execute()
    except CellExecutionError:
        error = _first_error(nb) or "a cell failed"
    except DeadKernelError as err:  # out of memory kills the kernel
        error = f"the kernel died ({err}); out of memory?"
    except Exception as err:  # a timeout or a kernel that never started: still a verdict
        error = f"{type(err).__name__}: {err}"[:500]
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    wall = time.perf_counter() - start
    max_call = None
    for out in nb.cells[-1].get("outputs", []):
        text = out.get("text", "")
        if "FULLCHECK " in text:
            max_call = json.loads(text.split("FULLCHECK ", 1)[1])["max_call_images"]
    peak = round(client.peak, 2)
    if error is None and peak > BUDGET["peak_rss_gib"]:
        error = f"peak RSS {peak} GiB is over the {BUDGET['peak_rss_gib']} GiB budget"
    if error is None and max_call is not None and max_call > BUDGET["max_call_images"]:
        error = (f"an eager model call on {max_call} images at once (budget {BUDGET['max_call_images']}): "
                 "batch it (model.predict(x, batch_size=...)) to fit a T4's 15 GB")
    return {"ok": error is None, "wall_s": round(wall, 1), "peak_rss_gib": peak,
            "max_call_images": max_call, "error": error}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", nargs="*", default=None, help="lesson ids or prefixes (default: all)")
    parser.add_argument("--cap", default="1,2", help="COURSE_TRAIN_CAP: 'EPOCHS,STEPS' (default 1,2)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell (default 1800)")
    parser.add_argument("--keep", type=Path, default=None, help="keep data and outputs in this folder")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="run the masters of another build (a folder with source/<id>/<id>.ipynb)")
    args = parser.parse_args(argv)
    lessons = lesson_ids()
    if args.lessons:
        lessons = [i for i in lessons if any(i == w or i.startswith(w + "_") for w in args.lessons)]
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="fullcheck-"))
    results = {}
    try:
        data_dir = workdir / "data"
        start = time.perf_counter()
        if not (data_dir / "mnist.npz").exists():
            standins.write_all(data_dir, **REAL_SIZES)
        print(f"full-size stand-ins in {data_dir} ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
        for lesson in lessons:
            results[lesson] = check_lesson(lesson, data_dir, args.cap, workdir, args.timeout, args.root)
            print(f"{lesson}: {results[lesson]}", file=sys.stderr, flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"cap {args.cap}; budget {BUDGET}", file=sys.stderr)
    print(json.dumps(results, indent=1))
    return 0 if results and all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
