"""The grading sandbox (coursekit.grading.sandbox): a real kernel started through bubblewrap, as nbgrader
starts it (same kernelspec, same Unix-socket channels), running code that attacks the grader."""
import contextlib
import inspect
import json
import os
import shutil
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from traitlets.config import Config

from coursekit.grading import preprocessors, sandbox
from tests import nbtools

WHY_NOT = sandbox.available()
REPORT = inspect.getsource(sandbox.limits_report) + "\nimport json\nprint(json.dumps(limits_report()))\n"

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
attempt("host-secret", lambda: pathlib.Path("/etc/shadow").read_bytes())
attempt("home", lambda: pathlib.Path(os.environ["HOME_ENTRY"]).stat())
attempt("host-unix-socket", lambda: socket.socket(socket.AF_UNIX).connect(os.environ["HOST_SOCKET"]))
attempt("grader-secret", lambda: os.environ["DB_URL"])
attempt("own-folder-write", lambda: pathlib.Path("model.keras").write_bytes(b"ok"))
attempt("own-folder-read", lambda: pathlib.Path("handed_in.txt").read_text())
attempt("tmp-write", lambda: pathlib.Path("/tmp/scratch").write_text("ok"))
attempt("runtime-write", lambda: pathlib.Path(os.environ["JUPYTER_RUNTIME_DIR"], "planted").write_text("x"))
attempt("data-read", lambda: pathlib.Path(os.environ["COURSE_DATA_DIR"], "mnist.npz").stat())
"""


# Every test of a sandboxed kernel runs twice: the kernel started by the launcher itself, and forked from
# a kernel fork server (coursekit/grading/kernelfork.py) into the sandbox the launcher made. Both must
# give the kernel the same sandbox.
LAUNCH = {"mode": "started"}


@pytest.fixture(params=["started", "forked"])
def course(request, tmp_path):
    LAUNCH["mode"] = request.param
    course = tmp_path / "course"
    (course / "autograded" / "s1" / "L").mkdir(parents=True)
    (course / "autograded" / "s2" / "L").mkdir(parents=True)
    (course / "autograded" / "s2" / "L" / "answer.txt").write_text("s2's work")
    (course / "gradebook.db").write_bytes(b"grades")
    return course


@contextlib.contextmanager
def sandboxed(course, tmp_path, cells, env=None, **client):
    """A notebook of ``cells`` and a client whose sandboxed kernel, started the way coursekit.grading.intake
    has nbgrader start it, runs while the block runs (``client.execute_cell(nb.cells[i], i)``)."""
    kernels = sandbox.kernel_dir(tmp_path / "kernels")
    channel_env, channel_args = sandbox.kernel_channels(kernels, "s1")
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = channel_args[1].split("=", 1)[1]
    saved = dict(os.environ)
    os.environ.pop(sandbox.FORK_SOCKET_ENV, None)
    os.environ.update({**channel_env, sandbox.HIDE_ENV: str(course), **(env or {})})
    server = None
    try:
        if LAUNCH["mode"] == "forked":
            server = preprocessors.start_kernel_fork(tempfile.mkdtemp(prefix="cks-test-"))
            os.environ[sandbox.FORK_SOCKET_ENV] = server[1]
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        nbc = NotebookClient(nb, kernel_name="python3", config=config, **{"timeout": 60, **client},
                             resources={"metadata": {"path": str(course / "autograded" / "s1" / "L")}})
        with nbc.setup_kernel():
            yield nbc, nb
    finally:
        os.environ.clear()
        os.environ.update(saved)
        if server:
            preprocessors.stop_kernel_fork(server)
            shutil.rmtree(os.path.dirname(server[1]), ignore_errors=True)
    # Nothing of the sandbox outlives the kernel (bwrap and its placeholder included): a leftover would
    # also hold the grading process's output pipes open.
    deadline = time.monotonic() + 10
    while sandbox_processes(course) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not sandbox_processes(course), "a sandbox outlived its kernel"


def sandbox_processes(course) -> list[int]:
    """Pids of this machine's processes whose command line names ``course`` (its bwrap)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if str(course).encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


def run_sandboxed(course, tmp_path, cells, env=None, **client):
    """Execute ``cells`` in a sandboxed kernel; the kernel is shut down on return."""
    with sandboxed(course, tmp_path, cells, env, **client) as (nbc, nb):
        for index, cell in enumerate(nb.cells):
            nbc.execute_cell(cell, index)
    return nb


def stdout(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def errors(cell):
    return [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]


def report_of(cell) -> dict:
    return json.loads(stdout(cell).strip().splitlines()[-1])


def host_processes(argv: list[str]) -> list[int]:
    """Pids of this machine's processes whose command line is exactly ``argv``."""
    found = []
    want = ("\0".join(argv) + "\0").encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes() == want:
                found.append(int(pid))
        except OSError:
            pass
    return found


def test_a_sandboxed_kernel_sees_only_its_own_folder(course, tmp_path):
    nbtools.require(WHY_NOT, "the sandbox tests")
    # Writable for this user outside the sandbox, read-only inside (the Python environment).
    outside = Path(sys.prefix) / f".sandbox-probe-{os.getpid()}"
    own = course / "autograded" / "s1" / "L"
    (own / "handed_in.txt").write_text("data handed in")
    # Something in the grader's home folder that is not part of the Python environment (shown inside).
    python = sandbox._python_paths()
    home_entry = next((str(p) for p in sorted(Path.home().iterdir())
                       if not any(py == str(p) or py.startswith(f"{p}/") for py in python)), "/nonexistent")
    runtime = Path(sandbox.kernel_channels(sandbox.kernel_dir(tmp_path / "kernels"), "s1")[0]["JUPYTER_RUNTIME_DIR"])
    with socket.socket(socket.AF_UNIX) as host_socket:   # a host service on a Unix socket
        host_socket.bind(str(tmp_path / "host.sock"))
        host_socket.listen()
        try:
            with socket.socket() as listener:
                listener.bind(("127.0.0.1", 0))
                listener.listen()
                out = stdout(run_sandboxed(course, tmp_path, [ATTACK], {
                    "OUTSIDE": str(outside), "PORT": str(listener.getsockname()[1]), "HOME_ENTRY": home_entry,
                    "HOST_SOCKET": str(tmp_path / "host.sock"), "DB_URL": "postgresql://grader:secret@db/gradebook",
                    sandbox.EXTRA_ENV: "OUTSIDE, PORT,HOME_ENTRY,HOST_SOCKET"}).cells[0])
            assert not outside.exists()
        finally:
            outside.unlink(missing_ok=True)
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines())
    blocked = ["gradebook-read", "other-student", "outside-write", "network", "home", "host-unix-socket",
               "grader-secret"]
    if Path("/etc/shadow").exists():
        blocked.append("host-secret")
    for target in blocked:
        assert lines[target].startswith("blocked"), out
    for allowed in ("own-folder-write", "own-folder-read", "tmp-write", "runtime-write", "data-read"):
        assert lines[allowed] == "REACHED", out
    # Writing "the gradebook" hit a read-only empty tmpfs: the real one is intact.
    assert (course / "gradebook.db").read_bytes() == b"grades"
    # What the kernel wrote in its folder and in its sockets' folder stayed in the sandbox.
    assert sorted(p.name for p in own.iterdir()) == ["handed_in.txt"]
    assert not (runtime / "planted").exists()


def test_the_command_binds_only_what_the_kernel_needs(tmp_path):
    sockets = tmp_path / "run-1"
    sockets.mkdir()
    conn = tmp_path / "run-1" / "kernel-1.json"
    conn.write_text(json.dumps({"transport": "ipc", "ip": str(sockets / "kernel")}))
    hide = str(tmp_path / "course")
    cwd = f"{hide}/autograded/s1/L"
    limit = sandbox.limits({})
    env = {"PATH": "/usr/bin", "DB_URL": "postgresql://u:secret@h/db", "TF_NUM_INTRAOP_THREADS": "2",
           "JPY_PARENT_PID": "4242"}
    for userns in (True, False):
        cmd = sandbox.bwrap_command(str(conn), cwd, hide, None, ["--x=1"], limit=limit, userns=userns, environ=env)
        binds = [(cmd[i], cmd[i + 1]) for i, arg in enumerate(cmd) if arg in ("--bind", "--ro-bind", "--tmpfs")]
        assert ("--tmpfs", hide) in binds and ("--tmpfs", cwd) in binds and ("--tmpfs", str(sockets)) in binds
        assert ("--ro-bind", str(conn)) in binds
        # Nothing of the host is writable: no --bind at all; the kernel's folders are sized tmpfs.
        assert [path for kind, path in binds if kind == "--bind"] == []
        assert cmd[cmd.index(cwd) - 3:cmd.index(cwd)] == ["--size", str(limit["disk"]), "--tmpfs"]
        assert cmd[cmd.index("/tmp") - 3:cmd.index("/tmp")] == ["--size", str(limit["disk"]), "--tmpfs"]
        assert ("--ro-bind", "/") not in binds and ("--ro-bind", "/root") not in binds
        for flag in ("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                     "--die-with-parent", "--new-session", "--clearenv"):
            assert flag in cmd
        assert cmd[cmd.index("--cap-drop") + 1] == "ALL"
        assert ("--unshare-user" in cmd) == userns and ("--disable-userns" in cmd) == userns
        if userns:
            assert cmd[cmd.index("--uid") + 1] == cmd[cmd.index("--gid") + 1] == "65534"
        assert cmd[cmd.index("--remount-ro") + 1] == "/"
        setenv = {cmd[i + 1]: cmd[i + 2] for i, arg in enumerate(cmd) if arg == "--setenv"}
        assert "DB_URL" not in setenv and setenv["TF_NUM_INTRAOP_THREADS"] == "2" and setenv["JPY_PARENT_PID"] == "1"
        assert not any("secret" in arg for arg in cmd)
        assert cmd[-4:] == ["ipykernel_launcher", "-f", str(conn), "--x=1"]
        assert cmd[-9:-5] == [sys.executable, "-c", sandbox._START, str(limit["processes"])]
    conn.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1"}))
    with pytest.raises(SystemExit, match="transport=ipc"):
        sandbox.bwrap_command(str(conn), "/x", hide, None)


def test_limits_come_from_the_environment():
    cores = sandbox._cores()
    assert sandbox.limits({}) == {"memory": 8 * 2 ** 30, "file": 1024 * 2 ** 20, "cpu": 900 * cores,
                                  "processes": 1024, "disk": 1024 * 2 ** 20}
    small = sandbox.limits({"COURSE_SANDBOX_MEMORY_GIB": "1.5", "COURSE_SANDBOX_FILE_MIB": "2",
                            "COURSE_SANDBOX_CPU_S": "30", "COURSE_SANDBOX_PROCESSES": "0",
                            "COURSE_SANDBOX_DISK_MIB": "8"})
    assert small == {"memory": 3 * 2 ** 29, "file": 2 * 2 ** 20, "cpu": 30, "processes": 0, "disk": 8 * 2 ** 20}
    for bad in ("-1", "lots", "inf", "nan"):
        with pytest.raises(ValueError, match="COURSE_SANDBOX_CPU_S"):
            sandbox.limits({"COURSE_SANDBOX_CPU_S": bad})


def test_a_cell_that_runs_forever_is_interrupted_and_the_kernel_lives_on(course, tmp_path):
    """nbgrader interrupts a cell at its time limit; in the sandbox that must stop the cell, not the kernel."""
    nbtools.require(WHY_NOT, "the sandbox tests")
    nb = run_sandboxed(course, tmp_path, ["import os\npid = os.getpid()\nwhile True:\n    pass",
                                          "print('alive', pid == os.getpid())"],
                       timeout=3, interrupt_on_timeout=True, allow_errors=True)
    assert nb.cells[0].outputs and nb.cells[0].outputs[-1].output_type == "error"
    assert "alive True" in stdout(nb.cells[1])


PRIVILEGES = """
import os, pathlib, subprocess, sys
def attempt(name, fn):
    try:
        fn()
        print(name, "REACHED")
    except Exception as err:
        print(name, "blocked", type(err).__name__)
def remount():
    run = subprocess.run(["mount", "-o", "remount,rw", "/usr"], capture_output=True)
    if run.returncode:
        raise PermissionError(run.stderr.decode().strip())
attempt("kill-grader", lambda: os.kill(int(os.environ["COURSE_TEST_GRADER_PID"]), 0))
attempt("remount-rw", remount)
attempt("write-usr", lambda: pathlib.Path("/usr/planted").write_text("x"))
attempt("write-root", lambda: pathlib.Path("/planted").write_text("x"))
attempt("write-dev", lambda: pathlib.Path("/dev/planted").write_text("x"))
attempt("write-hidden", lambda: pathlib.Path("../../../planted").write_text("x"))
attempt("new-userns", lambda: subprocess.run(["unshare", "--user", "true"], check=True, capture_output=True))
def child_reads_kernel_memory():   # what a shell escape could do to forge the kernel's state
    code = f"f = open('/proc/{os.getpid()}/mem', 'rb'); f.seek({id(attempt)}); f.read(8)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True)
    if run.returncode:
        raise PermissionError(run.stderr.decode().strip().splitlines()[-1])
attempt("child-reads-kernel-memory", child_reads_kernel_memory)
attempt("kill-parent", lambda: os.kill(os.getppid(), 9))   # the sandbox's init: the kernel lives on
import ctypes, sys
print("ppid", os.getppid())
print("dumpable", ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))
print("cwd-on-path", "" in sys.path or os.getcwd() in sys.path)
print("status", {k: v.strip() for k, v in (l.split(":", 1) for l in open("/proc/self/status"))
                 if k.startswith("Cap") or k in ("NoNewPrivs", "Seccomp")})
print("cmdlines", [pathlib.Path(f"/proc/{p}/cmdline").read_bytes().split(b"\\0")[0].decode().rsplit("/", 1)[-1]
                   for p in sorted(os.listdir("/proc")) if p.isdigit()])
"""


def test_the_kernel_has_no_privileges_and_sees_only_itself(course, tmp_path):
    nbtools.require(WHY_NOT, "the sandbox tests")
    nb = run_sandboxed(course, tmp_path, [REPORT, PRIVILEGES], {"COURSE_TEST_GRADER_PID": str(os.getpid())})
    report = report_of(nb.cells[0])
    if sandbox.user_namespace():
        assert report["uid"] == sandbox.SANDBOX_UID and report["gid"] == sandbox.SANDBOX_GID, report
    assert int(report["capabilities"], 16) == 0 and report["dumpable"] == 0, report
    # Its own PID namespace: bwrap's init (1) and the kernel (2) - or, forked, the placeholder `cat` (2) and
    # the kernel (4: 3 was the helper that forked it) - nothing of the host.
    forked = LAUNCH["mode"] == "forked"
    assert report["processes_visible"] == ([1, 2, 4] if forked else [1, 2]), report
    assert report["network"] == ["lo"] and report["hostname"] == "sandbox", report
    lines = dict(line.split(" ", 1) for line in stdout(nb.cells[1]).strip().splitlines())
    for target in ("kill-grader", "remount-rw", "write-usr", "write-root", "write-dev", "write-hidden",
                   "child-reads-kernel-memory"):
        assert lines[target].startswith("blocked"), lines
    assert lines["dumpable"] == "0", lines   # nothing it starts may trace it or write its memory
    assert lines["ppid"] == "1", lines       # its parent is the sandbox's init, however it was started
    if sandbox.user_namespace():
        assert lines["new-userns"].startswith("blocked"), lines
    names = json.loads(lines["cmdlines"].replace("'", '"'))
    assert names[0] == "bwrap" and names[1:-1] == (["cat"] if forked else []) and len(names) == 2 + forked, names
    status = json.loads(lines["status"].replace("'", '"'))
    assert all(int(status[k], 16) == 0 for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")), status
    assert status["NoNewPrivs"] == "1", status
    assert not (course / "planted").exists()


LIMITS = """
import errno, os, resource, threading, time
def attempt(name, fn):
    try:
        fn()
        print(name, "REACHED")
    except Exception as err:
        print(name, "blocked", type(err).__name__, errno.errorcode.get(getattr(err, "errno", None), ""))
attempt("alloc-small", lambda: bytearray(64 * 2 ** 20))
attempt("alloc-over", lambda: bytearray(2 * 2 ** 30))
attempt("file-small", lambda: open("small.bin", "wb").write(b"x" * 2 ** 19))
attempt("file-over", lambda: open("big.bin", "wb").write(b"x" * 2 * 2 ** 20))
def fill(folder):
    for i in range(160):
        with open(os.path.join(folder, f"fill{i}"), "wb") as fh:
            fh.write(b"x" * 2 ** 19)
attempt("fill-cwd", lambda: fill("."))
attempt("fill-tmp", lambda: fill("/tmp"))
attempt("fill-shm", lambda: fill("/dev/shm"))
stop = threading.Event()
threads = []
def spawn():
    for _ in range(200):
        thread = threading.Thread(target=stop.wait)
        thread.start()
        threads.append(thread)
attempt("threads-200", spawn)
stop.set()
for thread in threads:
    thread.join()
print("threads", len(threads))
"""
SMALL = {"COURSE_SANDBOX_MEMORY_GIB": "1", "COURSE_SANDBOX_FILE_MIB": "1", "COURSE_SANDBOX_DISK_MIB": "4",
         "COURSE_SANDBOX_CPU_S": "120", "COURSE_SANDBOX_PROCESSES": "64"}


def test_the_limits_inside_are_the_configured_ones_and_hold(course, tmp_path):
    nbtools.require(WHY_NOT, "the sandbox tests")
    # A forked kernel starts with the fork server's TensorFlow mapped (over 1 GiB of address space): the
    # server forks only under a limit of twice that or more, else the kernel is started afresh.
    forked = LAUNCH["mode"] == "forked"
    gib = 6 if forked else 1
    limits = {**SMALL, "COURSE_SANDBOX_MEMORY_GIB": str(gib)}
    nb = run_sandboxed(course, tmp_path, [REPORT, LIMITS.replace("bytearray(2 * 2 ** 30)", f"bytearray({gib + 1} * 2 ** 30)")],
                       limits)
    report = report_of(nb.cells[0])
    assert len(report["processes_visible"]) == 2 + forked, report
    want = sandbox.effective_limits(sandbox.limits(limits))
    assert {k: report[k] for k in want} == want == {"memory": gib * 2 ** 30, "file": 2 ** 20, "cpu": 120, "core": 0,
                                                    "processes": 64}, report
    assert report["disk"] == {"cwd": 4 * 2 ** 20, "/tmp": 4 * 2 ** 20, "/dev/shm": 64 * 2 ** 20}, report
    lines = dict(line.split(" ", 1) for line in stdout(nb.cells[1]).strip().splitlines())
    assert lines["alloc-small"] == "REACHED" and lines["alloc-over"].startswith("blocked MemoryError"), lines
    assert lines["file-small"] == "REACHED" and lines["file-over"] == "blocked OSError EFBIG", lines
    assert lines["fill-cwd"] == lines["fill-tmp"] == lines["fill-shm"] == "blocked OSError ENOSPC", lines
    # Linux does not enforce RLIMIT_NPROC for uid 0 outside the namespace: grading as root, the
    # sandbox's own pids cgroup holds the limit instead (where a pids cgroup is writable).
    if os.geteuid() != 0 or sandbox._pids_cgroup_base() is not None:
        assert lines["threads-200"].startswith("blocked RuntimeError"), lines
        assert int(lines["threads"]) < 64, lines

    assert not any((course / "autograded" / "s1" / "L").iterdir())


def test_a_fork_server_that_cannot_serve_a_kernel_leaves_it_to_the_launcher(course, tmp_path):
    """A server imported TensorFlow with another environment, or is gone: the launcher starts the kernel
    itself (bwrap's init and the kernel, no placeholder), which runs as well."""
    nbtools.require(WHY_NOT, "the sandbox tests")
    from coursekit.grading import kernelfork

    folder = tempfile.mkdtemp(prefix="cks-test-")
    other = preprocessors.start_kernel_fork(folder, {**os.environ, "TF_NUM_INTRAOP_THREADS": "7"})
    try:
        for path in (other[1], os.path.join(folder, "nothing.sock")):
            LAUNCH["mode"] = "given"
            with sandboxed(course, tmp_path, [REPORT, "print(6 * 7)"], {sandbox.FORK_SOCKET_ENV: path}) as (nbc, nb):
                for index, cell in enumerate(nb.cells):
                    nbc.execute_cell(cell, index)
            assert report_of(nb.cells[0])["processes_visible"] == [1, 2]
            assert stdout(nb.cells[1]).strip() == "42"
    finally:
        preprocessors.stop_kernel_fork(other)
        shutil.rmtree(folder, ignore_errors=True)
    assert kernelfork.env_differs({"A": "1", "JUPYTER_RUNTIME_DIR": "/x"}, {"A": "1"}) is None
    assert "TF_NUM_INTRAOP_THREADS" in kernelfork.env_differs({"TF_NUM_INTRAOP_THREADS": "7"}, {})
    assert kernelfork.room_differs(0) is None and kernelfork.room_differs(2 ** 20)
    assert kernelfork.room_differs(2 ** 50) is None


def test_a_kernel_past_its_cpu_time_is_stopped(course, tmp_path):
    nbtools.require(WHY_NOT, "the sandbox tests")
    began = time.monotonic()
    with pytest.raises(DeadKernelError):
        run_sandboxed(course, tmp_path, ["while True:\n    pass"], {"COURSE_SANDBOX_CPU_S": "4"}, timeout=90)
    assert time.monotonic() - began < 90


def test_what_the_kernel_starts_dies_with_it(course, tmp_path):
    """A daemonised child (setsid, reparented) is in the sandbox's PID namespace: it ends with the kernel."""
    nbtools.require(WHY_NOT, "the sandbox tests")
    argv = ["sleep", f"300.{uuid.uuid4().int % 10 ** 9}"]
    start = f"import subprocess, time\nsubprocess.Popen(['setsid', *{argv!r}], start_new_session=True)\ntime.sleep(1)"
    try:
        with sandboxed(course, tmp_path, [start]) as (nbc, nb):
            nbc.execute_cell(nb.cells[0], 0)
            assert host_processes(argv), "the child is not running: this test would prove nothing"
        deadline = time.monotonic() + 15
        while host_processes(argv) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not host_processes(argv), "a process the kernel started outlived it"
    finally:
        for pid in host_processes(argv):
            os.kill(pid, 9)


KERAS = """
import os, numpy as np, keras
x = np.random.default_rng(0).random((256, 16, 16, 3), dtype="float32")
y = np.arange(256) % 10
model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(8, 3, activation="relu"),
                          keras.layers.Flatten(), keras.layers.Dense(10)])
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x, y, epochs=2, batch_size=32, verbose=0)
model.save("model.keras")
same = keras.models.load_model("model.keras")
same_output = np.allclose(same.predict(x[:8], verbose=0), model.predict(x[:8], verbose=0))
print("saved", os.path.getsize("model.keras"), same_output)
print("status", {k: v.strip() for k, v in (l.split(":", 1) for l in open("/proc/self/status"))
                 if k in ("VmPeak", "VmHWM", "Threads")})
"""


def test_a_keras_fit_runs_within_the_default_limits(course, tmp_path):
    """The defaults leave room for TensorFlow: a Keras fit on CPU, and a model saved to and loaded from
    the kernel's folder - which the host never sees."""
    nbtools.require(WHY_NOT, "the sandbox tests")
    defaults = {var: "" for var, *_ in sandbox.LIMIT_VARS.values()}
    nb = run_sandboxed(course, tmp_path, [REPORT, KERAS], defaults, timeout=240)
    report = report_of(nb.cells[0])
    want = sandbox.effective_limits(sandbox.limits({}))
    assert {k: report[k] for k in want} == want, report
    print("\nThe sandbox's limits as read from inside a graded kernel:\n" + sandbox.format_report(report))
    assert not errors(nb.cells[1]), errors(nb.cells[1])
    out = stdout(nb.cells[1])
    print(out)
    assert "saved" in out and out.split("saved ", 1)[1].split()[1] == "True", out
    assert not (course / "autograded" / "s1" / "L" / "model.keras").exists()


def test_show_prints_the_limits_seen_from_inside():
    nbtools.require(WHY_NOT, "the sandbox tests")
    import subprocess

    env = {**os.environ, "COURSE_SANDBOX_FILE_MIB": "3"}
    run = subprocess.run([sys.executable, sandbox.__file__, "--show"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    rows = dict(line.strip().split("  ", 1) for line in run.stdout.splitlines()[1:])
    assert rows["file size"].strip() == "3 MiB" and rows["core dumps"].strip() == "0", run.stdout
    assert rows["capabilities (CapEff)"].strip() == "0" * 16, run.stdout


def test_closed_by_default_and_the_kernelspec_is_the_grading_process_own(monkeypatch, tmp_path):
    """nbgrader_config's kernel choice: without COURSE_SANDBOX, grading stops with a clear message when
    the sandbox cannot start; off is an explicit choice; and the course-sandbox kernelspec is written
    into a folder of this process's own on JUPYTER_PATH, never into the shared environment."""
    import sys

    from traitlets.config import Config

    from coursekit.grading import preprocessors

    shared = Path(sys.prefix) / "share" / "jupyter" / "kernels" / preprocessors.SANDBOX_KERNEL
    before = shared.exists()
    monkeypatch.delenv("COURSE_SANDBOX", raising=False)
    monkeypatch.setattr(sandbox, "available", lambda: "bwrap is not installed")
    with pytest.raises(SystemExit, match="sandbox cannot start.*COURSE_SANDBOX=off"):
        preprocessors.select_kernel(Config(), str(tmp_path))
    monkeypatch.setenv("COURSE_SANDBOX", "off")
    assert "NOT sandboxed" in preprocessors.select_kernel(Config(), str(tmp_path))
    monkeypatch.setenv("COURSE_SANDBOX", "on")
    monkeypatch.setattr(sandbox, "available", lambda: None)
    monkeypatch.setenv("JUPYTER_PATH", "")
    monkeypatch.setenv(sandbox.FORK_SOCKET_ENV, "")   # restored afterwards: ensure_kernel_fork sets it
    monkeypatch.delenv(preprocessors.KERNEL_FORK_ENV, raising=False)   # on by default
    monkeypatch.setattr(preprocessors, "_RUNTIME_DIRS", [])
    monkeypatch.setattr(preprocessors, "_FORK_SERVERS", [])
    monkeypatch.setattr(preprocessors, "_FORK_FOLDER", [])
    c = Config()
    assert preprocessors.select_kernel(c, str(tmp_path)) == "kernels sandboxed"
    folder = os.environ["JUPYTER_PATH"].split(os.pathsep)[0]
    spec = json.loads((Path(folder) / "kernels" / preprocessors.SANDBOX_KERNEL / "kernel.json").read_text())
    assert c.Execute.kernel_name == preprocessors.SANDBOX_KERNEL and spec["argv"][1].endswith("sandbox.py")
    assert shared.exists() == before, "the kernelspec was written into the shared environment"
    # Reading the configuration starts no kernel fork server (any process that reads the course's settings
    # runs nbgrader_config.py, and the nbgrader processes it starts would inherit its server): the Execute
    # step starts the grading process's own before its first kernel, with its socket in the same private
    # folder, stopped with it - once.
    assert not preprocessors._FORK_SERVERS and not os.environ[sandbox.FORK_SOCKET_ENV]
    preprocessors.ensure_kernel_fork()
    preprocessors.ensure_kernel_fork()
    (server, path), = preprocessors._FORK_SERVERS
    assert os.environ[sandbox.FORK_SOCKET_ENV] == path and path.startswith(folder)
    preprocessors.remove_runtime_dirs()
    assert server.wait(10) is not None and not Path(folder).exists()


def test_reading_the_course_settings_sets_nothing_up(monkeypatch, tmp_path):
    """Every process that reads the course's settings (the class report, the gradebook's readers, make
    grade's parent, the tests) runs nbgrader_config.py; read through ``coursedir.read_config`` its grading
    set-up does nothing: no sandbox check (a read works where bubblewrap is missing), no kernelspec folder,
    no variable in this process's environment for the nbgrader processes it starts to inherit (a
    ``COURSE_SANDBOX_HIDE`` naming the reader's folder instead of their course). nbgrader itself, running
    the same file, still chooses the sandboxed kernel."""
    from coursekit.grading import coursedir, preprocessors

    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text((nbtools.ROOT / "nbgrader_config.py").read_text())
    monkeypatch.delenv("COURSE_SANDBOX", raising=False)
    monkeypatch.delenv(sandbox.HIDE_ENV, raising=False)
    monkeypatch.setenv("COURSE_KIT_ROOT", str(nbtools.ROOT))
    monkeypatch.setattr(sandbox, "available", lambda: "bwrap is not installed")
    monkeypatch.setattr(preprocessors, "_FORK_FOLDER", [])
    environ = dict(os.environ)
    config = coursedir.read_config(course)
    assert coursedir.course_settings(course)[0] == config.CourseDirectory.course_id == "vgg-keras"
    assert dict(os.environ) == environ and not preprocessors._FORK_FOLDER
    assert "kernel_name" not in config.Execute, "a read chose a kernel"
    with pytest.raises(SystemExit, match="sandbox cannot start"):   # the same file, as nbgrader runs it
        from traitlets.config.loader import PyFileConfigLoader
        PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def test_the_grading_kit_is_not_loaded_in_the_kernel(course, tmp_path):
    """A forked kernel comes from a server that loaded the kit's sandbox.py and kernelfork.py: neither is
    left among its modules (as in a started kernel), and ``import sandbox`` fails in both."""
    nbtools.require(WHY_NOT, "the sandbox tests")
    code = ("import sys\n"
            "print(sorted(n for n, m in list(sys.modules.items()) if 'sandbox' in n or 'kernelfork' in n\n"
            "             or 'coursekit' in str(getattr(m, '__file__', None) or '')))\n"
            "try:\n    import sandbox\n    print('imported')\nexcept ImportError:\n    print('no module')\n")
    nb = run_sandboxed(course, tmp_path, [code])
    assert stdout(nb.cells[0]).split() == ["[]", "no", "module"], (stdout(nb.cells[0]), errors(nb.cells[0]))


@pytest.mark.skipif(WHY_NOT is not None, reason=f"bubblewrap sandbox unavailable: {WHY_NOT}")
def test_a_forked_grading_run_leaves_no_sandbox_folder(tmp_path):
    """make grade forks each nbgrader run from a server and ends it with os._exit, which skips atexit:
    the run removes its sandbox folder (kernelspec, kernel sockets) itself, in the run's own TMPDIR, and
    its grading folder."""
    from coursekit.grading import coursedir, runner

    root = Path(__file__).resolve().parent.parent
    course, scratch = tmp_path / "course", tmp_path / "tmp"
    course.mkdir()
    scratch.mkdir()
    (course / "nbgrader_config.py").write_text(
        (root / "nbgrader_config.py").read_text()
        + "\nimport json\nopen('seen.json', 'w').write(json.dumps(steps._RUNTIME_DIRS))\n")
    env = coursedir.nbgrader_env({"COURSE_SANDBOX": "on", "TMPDIR": str(scratch)})
    run = runner.NbgraderRun(["db", "student", "list"], cwd=course, env=env)
    stderr = run.wait(120)
    assert stderr is not None and run.returncode == 0, stderr
    seen = json.loads((course / "seen.json").read_text())
    # (in the run's grading folder, coursekit/grading/scratch.py, which goes with it)
    assert seen and all(Path(folder).parent.parent == scratch for folder in seen), (seen, scratch)
    assert not any(Path(folder).exists() for folder in seen) and not list(scratch.iterdir()), list(scratch.iterdir())
