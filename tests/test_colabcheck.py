"""coursekit/devtools/colabcheck.py (`make test-colab`): its report, on two tiny notebooks in this venv's kernel.

The real run, on Colab's stack and every lesson, is `make test-colab` (CI runs it after make test).
"""
import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from coursekit.devtools import colabcheck


def _write(path, *sources, grade_ids=()):
    cells = [new_code_cell(src) for src in sources]
    for cell, gid in zip(cells, grade_ids):
        if gid:
            cell.metadata["nbgrader"] = {"grade_id": gid}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_reports_each_notebook_and_names_the_failing_cell(tmp_path, monkeypatch, capsys):
    good = _write(tmp_path / "10_good" / "10_good.ipynb",
                  "import os\nassert os.environ['COURSE_MODE'] == 'fast'\n"
                  "assert os.path.isfile(os.path.join(os.environ['COURSE_DATA_DIR'], 'mnist.npz'))")
    bad = _write(tmp_path / "11_bad" / "11_bad.ipynb",
                 "x = 1", "y = x / 0", "print('never')", grade_ids=(None, "divide"))
    monkeypatch.setattr(colabcheck, "master_notebooks", lambda ids=None: [good, bad])
    monkeypatch.setattr(colabcheck, "STANDIN_SIZES",
                        dict(mnist_train=20, mnist_test=10, cifar_train=20, cifar_test=10))

    assert colabcheck.main([]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith("ok     10_good ") and line.endswith(" s") for line in out), out
    assert any(line.startswith("FAILED 11_bad ") for line in out), out
    assert any("cell 1 'divide': ZeroDivisionError: division by zero" in line for line in out), out
    assert out[-1] == "1 passed, 1 failed"
