"""The grading sandbox (coursekit.sandbox): a real kernel started through bubblewrap, as nbgrader
starts it (same kernelspec, same Unix-socket channels), running code that attacks the grader."""
import json
import os
import socket
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from traitlets.config import Config

from coursekit import sandbox
from tests import nbtools

WHY_NOT = sandbox.available()

ATTACK = """
import os, pathlib, socket
def attempt(name, fn):
    try:
        fn()
        print(name, "REACHED")
    except Exception as err:
        print(name, "blocked", type(err).__name__)
attempt("gradebook-read", lambda: pathlib.Path("../../../gradebook.db").read_bytes())
attempt("gradebook-write", lambda: pathlib.Path("../../../gradebook.db").write_bytes(b""))
attempt("other-student", lambda: pathlib.Path("../../s2/L/answer.txt").read_text())
attempt("outside-write", lambda: pathlib.Path(os.environ["OUTSIDE"]).write_text("pwned"))
attempt("network", lambda: socket.create_connection(("127.0.0.1", int(os.environ["PORT"])), timeout=3).close())
attempt("own-folder-write", lambda: pathlib.Path("model.keras").write_bytes(b"ok"))
attempt("tmp-write", lambda: pathlib.Path("/tmp/scratch").write_text("ok"))
attempt("data-read", lambda: pathlib.Path(os.environ["COURSE_DATA_DIR"], "mnist.npz").stat())
"""


@pytest.fixture
def course(tmp_path):
    course = tmp_path / "course"
    (course / "autograded" / "s1" / "L").mkdir(parents=True)
    (course / "autograded" / "s2" / "L").mkdir(parents=True)
    (course / "autograded" / "s2" / "L" / "answer.txt").write_text("s2's work")
    (course / "gradebook.db").write_bytes(b"grades")
    return course


def run_sandboxed(course, tmp_path, cells, env=None, **client):
    """Execute ``cells`` in a sandboxed kernel started the way coursekit.safegrade has nbgrader start it."""
    kernels = sandbox.kernel_dir(tmp_path / "kernels")
    channel_env, channel_args = sandbox.kernel_channels(kernels, "s1")
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = channel_args[1].split("=", 1)[1]
    saved = dict(os.environ)
    os.environ.update({**channel_env, sandbox.HIDE_ENV: str(course), **(env or {})})
    try:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        NotebookClient(nb, kernel_name="python3", config=config, **{"timeout": 60, **client},
                       resources={"metadata": {"path": str(course / "autograded" / "s1" / "L")}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def stdout(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_a_sandboxed_kernel_sees_only_its_own_folder(course, tmp_path):
    nbtools.require(WHY_NOT, "the sandbox tests")
    # Writable for this user outside the sandbox, read-only inside (the Python environment).
    outside = Path(sys.prefix) / f".sandbox-probe-{os.getpid()}"
    try:
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            out = stdout(run_sandboxed(course, tmp_path, [ATTACK], {"OUTSIDE": str(outside),
                                                                    "PORT": str(listener.getsockname()[1])}).cells[0])
        assert not outside.exists()
    finally:
        outside.unlink(missing_ok=True)
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines())
    for target in ("gradebook-read", "other-student", "outside-write", "network"):
        assert lines[target].startswith("blocked"), out
    for allowed in ("own-folder-write", "tmp-write", "data-read"):
        assert lines[allowed] == "REACHED", out
    # Writing "the gradebook" only wrote into the sandbox's empty tmpfs: the real one is intact.
    assert (course / "gradebook.db").read_bytes() == b"grades"
    assert (course / "autograded" / "s1" / "L" / "model.keras").read_bytes() == b"ok"


def test_the_command_binds_only_what_the_kernel_needs(tmp_path):
    sockets = tmp_path / "run-1"
    sockets.mkdir()
    conn = tmp_path / "kernel-1.json"
    conn.write_text(json.dumps({"transport": "ipc", "ip": str(sockets / "kernel")}))
    hide = str(tmp_path / "course")
    cmd = sandbox.bwrap_command(str(conn), f"{hide}/autograded/s1/L", hide, None, ["--x=1"])
    binds = [(cmd[i], cmd[i + 1]) for i, arg in enumerate(cmd) if arg in ("--bind", "--ro-bind", "--tmpfs")]
    assert ("--tmpfs", hide) in binds and ("--bind", f"{hide}/autograded/s1/L") in binds
    assert ("--bind", str(sockets)) in binds and ("--ro-bind", str(conn)) in binds
    writable = [path for kind, path in binds if kind == "--bind"]
    assert writable == [f"{hide}/autograded/s1/L", str(sockets)]
    assert "--unshare-net" in cmd and cmd[-3:] == ["-f", str(conn), "--x=1"] and cmd[-6] == sys.executable
    conn.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1"}))
    with pytest.raises(SystemExit, match="transport=ipc"):
        sandbox.bwrap_command(str(conn), "/x", hide, None)


def test_a_cell_that_runs_forever_is_interrupted_and_the_kernel_lives_on(course, tmp_path):
    """nbgrader interrupts a cell at its time limit; in the sandbox that must stop the cell, not the kernel."""
    nbtools.require(WHY_NOT, "the sandbox tests")
    nb = run_sandboxed(course, tmp_path, ["import os\npid = os.getpid()\nwhile True:\n    pass",
                                          "print('alive', pid == os.getpid())"],
                       timeout=3, interrupt_on_timeout=True, allow_errors=True)
    assert nb.cells[0].outputs and nb.cells[0].outputs[-1].output_type == "error"
    assert "alive True" in stdout(nb.cells[1])
