"""JupyterLab as a local student meets it: `make setup` switches off nbgrader's exchange-only extensions."""
import json
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from coursekit.authoring import build

ROOT = build.ROOT
OFF = {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list"}   # need an nbgrader exchange
ON = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:validate-assignment"}


def makefile_variable(name):
    return re.search(rf"^{name} := (.*)$", (ROOT / "Makefile").read_text(), re.M).group(1).split()


def nbgrader_lab_plugins():
    """The plugin ids nbgrader's installed lab extension registers."""
    static = Path(sysconfig.get_paths()["data"]) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader" / "static"
    text = "".join(p.read_text(errors="replace") for p in static.glob("*.js"))
    return set(re.findall(r'"(@jupyter/nbgrader:[a-z-]+)"', text))


def test_the_makefile_disables_the_exchange_only_plugins_of_the_installed_nbgrader():
    assert set(makefile_variable("LAB_EXTENSIONS_OFF")) == OFF
    plugins = nbgrader_lab_plugins()
    assert OFF | ON <= plugins, f"nbgrader's lab plugins are now {sorted(plugins)}: update LAB_EXTENSIONS_OFF"


def test_make_setup_disables_them_in_a_fresh_environment(tmp_path):
    """`make setup` on a new environment (here: a bare venv that sees this one's packages, its pip
    stamp already written) writes the venv's page_config.json; a second run does nothing."""
    if not shutil.which("make"):
        pytest.skip("no make")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    (purelib / "course-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    shutil.copy(ROOT / "requirements.txt", venv / ".installed-requirements")   # packages: already there
    run = subprocess.run(["make", "-C", str(ROOT), "setup", f"VENV={venv}"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    config = json.loads((venv / "etc" / "jupyter" / "labconfig" / "page_config.json").read_text())
    disabled = {k for k, v in config.get("disabledExtensions", {}).items() if v}
    assert disabled == OFF and not disabled & ON
    assert {k for k, v in config.get("lockedExtensions", {}).items() if v} == OFF
    again = subprocess.run(["make", "-C", str(ROOT), "setup", f"VENV={venv}"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "Nothing to be done" in again.stdout, again.stdout + again.stderr
