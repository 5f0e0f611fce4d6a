"""Run every master notebook on Colab's own stack: ``make test-colab``.

    .venv-colab/bin/python -m coursekit.devtools.colabcheck [--notebook ID ...] [--timeout S]

Run it with the Python of the Colab venv (``.venv-colab``, made by ``make test-colab`` from
``requirements-colab.txt``: Colab's Python, TensorFlow, Keras, NumPy, matplotlib, IPython and
ipykernel versions). It writes small stand-in datasets into a temporary folder, then executes each
``source/<id>/<id>.ipynb`` (and, with ``--editions DIR``, the other-language masters) top to bottom in fast mode (``COURSE_MODE=fast``,
``COURSE_DATA_DIR=<stand-ins>``) in a kernel started from *this* interpreter (a kernelspec in a
temporary ``JUPYTER_PATH``, never installed in the user's Jupyter folders), with matplotlib's
inline backend as in Colab. It prints one line per notebook (ok / FAILED, wall seconds), for a
failure the cell (index, nbgrader id or first line) and its error, and last a line
``N passed, M failed``. Exit status 1 if any notebook failed.

Imports only the standard library at module level (nbclient and nbformat when it runs), so the
main venv's tests can import it.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from coursekit import ROOT  # noqa: E402
# The same sizes as conftest.STANDIN_SIZES (tests/test_repo.py checks): small, so fast mode is fast.
STANDIN_SIZES = dict(mnist_train=2000, mnist_test=500, cifar_train=1000, cifar_test=500)
KERNEL_NAME = "course-colab-stack"
STACK = ("tensorflow-cpu", "tensorflow", "keras", "numpy", "matplotlib", "ipython", "ipykernel",
         "jupyter_client", "nbclient")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def master_notebooks(ids=None) -> list[Path]:
    """``source/<id>/<id>.ipynb`` of every lesson (or of the given ids / id prefixes), in order."""
    found = sorted(p for p in (ROOT / "source").glob("*/*.ipynb") if p.stem == p.parent.name)
    if ids:
        found = [p for p in found if any(p.stem == i or p.stem.startswith(f"{i}_") for i in ids)]
    return found


def stack_versions() -> str:
    parts = [f"Python {sys.version.split()[0]}"]
    for name in STACK:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            pass
    return ", ".join(parts)


def write_kernelspec(folder: Path) -> None:
    """A kernelspec whose kernel is this interpreter, in ``folder/kernels/`` (put on JUPYTER_PATH)."""
    spec = folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Colab's stack)", "language": "python"}))


def kernel_env(data_dir: str) -> dict:
    """The notebooks' environment: fast mode, stand-in data, this venv's bin/ first on PATH,
    matplotlib's default backend in a kernel (inline, as in Colab)."""
    env = dict(os.environ, COURSE_MODE="fast", COURSE_DATA_DIR=data_dir, TF_CPP_MIN_LOG_LEVEL="3",
               PYDEVD_DISABLE_FILE_VALIDATION="1")  # debugpy's "frozen modules" notice, per kernel
    env.pop("MPLBACKEND", None)
    env.pop("NBGRADER_EXECUTION", None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _first_line(source: str) -> str:
    lines = [ln.strip() for ln in source.splitlines() if ln.strip()]
    return (lines[0][:70] + ("..." if len(lines[0]) > 70 else "")) if lines else "(empty)"


def describe_cell(nb, index: int) -> str:
    cell = nb.cells[index]
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    name = f"'{grade_id}'" if grade_id else repr(_first_line(cell.source))
    return f"cell {index} {name}"


def failure_report(nb, exc: BaseException) -> list[str]:
    """Where a notebook failed and why: the cell with an error output, its error and traceback tail."""
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                tb = [_ANSI.sub("", line) for line in out.get("traceback", [])]
                lines = [ln for ln in "\n".join(tb).splitlines() if ln.strip()]
                if len(lines) > 12:  # the cell's own frame first, then where it ended
                    lines = lines[:5] + ["..."] + lines[-6:]
                return [f"{describe_cell(nb, i)}: {out.get('ename')}: {out.get('evalue')}",
                        *("    " + line for line in lines)]
    # no error output: a timeout, a dead kernel, or a failure of the runner itself
    last = (_ANSI.sub("", str(exc)).strip().splitlines() or [""])[-1]
    return [f"{type(exc).__name__}: {last}"]


def stderr_cells(nb) -> list[str]:
    """Cells that wrote to stderr (not an error in Colab, but nbgrader scores such a test cell 0)."""
    return [describe_cell(nb, i) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            and any(o.get("name") == "stderr" for o in c.get("outputs", []))]


def run_notebook(path: Path, env: dict, timeout: int):
    """Execute one notebook in its own kernel; return (ok, seconds, report lines, executed nb)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL_NAME, allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        client.execute(env=env)
        ok, report = True, []
    except Exception as exc:  # CellExecutionError, CellTimeoutError, DeadKernelError, ...
        ok, report = False, failure_report(nb, exc)
    seconds = time.perf_counter() - start
    noisy = stderr_cells(nb)
    if noisy:
        report.append(f"note: {len(noisy)} cell(s) wrote to stderr: {', '.join(noisy)}")
    return ok, seconds, report, nb


def probe_kernel(env: dict) -> str:
    """Start the kernel once and check it is this interpreter. Returns its sys.executable."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")])
    NotebookClient(nb, timeout=60, kernel_name=KERNEL_NAME).execute(env=env)
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs).strip()
    if Path(text).resolve() != Path(sys.executable).resolve():
        raise SystemExit(f"the kernel runs {text!r}, not this interpreter {sys.executable!r}")
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.devtools.colabcheck", description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebook", action="append", metavar="ID",
                        help="only this lesson (id or number, e.g. 01); repeatable")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell (default 300)")
    parser.add_argument("--keep", metavar="DIR", help="write the executed notebooks into DIR")
    parser.add_argument("--editions", metavar="DIR", help="also run the other-language masters in DIR/<language>/ "
                        "(python -m coursekit.authoring.translations masters --out DIR), the same way")
    args = parser.parse_args(argv)
    notebooks = master_notebooks(args.notebook)
    editions = sorted(Path(args.editions).glob("[a-z][a-z]/*.ipynb")) if args.editions else []
    if args.notebook:
        editions = [p for p in editions if any(p.stem == i or p.stem.startswith(f"{i}_") for i in args.notebook)]
    if not notebooks:
        parser.error(f"no master notebook matches {args.notebook}")

    print(f"stack: {stack_versions()}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="course-colab-"))
    saved_jupyter_path = os.environ.get("JUPYTER_PATH")
    try:
        from coursekit.devtools import standins

        data_dir = tmp / "data"
        standins.write_all(data_dir, **STANDIN_SIZES)
        write_kernelspec(tmp / "jupyter")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(tmp / "jupyter"), saved_jupyter_path]))
        env = kernel_env(str(data_dir))
        print(f"kernel: {probe_kernel(env)}; fast mode, stand-in data ({STANDIN_SIZES})", flush=True)

        passed, failed = [], []
        for path in notebooks + editions:
            name = path.stem if path in notebooks else f"{path.parent.name}/{path.stem}"
            ok, seconds, report, nb = run_notebook(path, env, args.timeout)
            (passed if ok else failed).append(name)
            print(f"{'ok    ' if ok else 'FAILED'} {name}  {seconds:.1f} s", flush=True)
            for line in report:
                print(f"    {line}", flush=True)
            if args.keep:
                import nbformat

                Path(args.keep).mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, Path(args.keep) / name.replace("/", "-").join(("", ".ipynb")))
    finally:
        if saved_jupyter_path is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = saved_jupyter_path
        shutil.rmtree(tmp, ignore_errors=True)
    if failed:
        print(f"failed on Colab's stack: {', '.join(failed)}")
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
