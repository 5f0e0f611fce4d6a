"""Run each autograding kernel inside a bubblewrap sandbox (Debian package `bubblewrap`).

Autograding executes student code. Without a sandbox it runs as the grading user, with that user's
files and network: a submission could rewrite ``gradebook.db``, read or change other students'
notebooks, or phone home. With the sandbox on, the kernel that runs a submission sees:
- the whole filesystem read-only, except its own folder ``autograded/<student>/<lesson>/``
  (read-write: the notebook may save models there) and a private, empty ``/tmp``;
- none of the course directory besides that folder: ``gradebook.db``, ``source/``, ``submitted/``,
  ``staged/``, the other students' ``autograded/`` folders are hidden behind an empty tmpfs;
- the datasets folder (``COURSE_DATA_DIR``) read-only;
- no network (its own empty network namespace) and its own IPC namespace;
- it dies with the nbgrader process that started it.
nbgrader talks to the kernel over ZeroMQ on Unix sockets (``KernelManager.transport=ipc``) in a
Jupyter runtime folder of that nbgrader process's own, which is bound into the sandbox; TCP on
loopback cannot cross the network namespace.

How it is wired: :func:`kernel_dir` writes a kernelspec named ``python3`` whose ``argv`` runs *this
file as a script* (stdlib only, so it needs no import path) with the connection file; nbgrader is
started with ``JUPYTER_PATH`` pointing there, so the notebooks' ``python3`` kernel resolves to it.
The launcher builds the ``bwrap`` command from its working directory (nbgrader starts the kernel in
the notebook's folder) and ``COURSE_SANDBOX_HIDE`` (the course directory) and execs it.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HIDE_ENV = "COURSE_SANDBOX_HIDE"


def available() -> str | None:
    """None when bubblewrap can make a sandbox here, else why not."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return "bubblewrap is not installed (Debian: apt-get install bubblewrap; `make system-deps` does it)"
    probe = subprocess.run([bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net",
                            "--unshare-ipc", "--die-with-parent", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bubblewrap cannot create namespaces here: {probe.stderr.strip()[:200]}"
    return None


def kernel_dir(folder: Path) -> Path:
    """Write the sandboxed ``python3`` kernelspec under ``folder``; returns the folder to put on
    ``JUPYTER_PATH``."""
    spec = Path(folder) / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(Path(__file__).resolve()), "{connection_file}"],
        "display_name": "Python 3 (sandboxed for grading)",
        "language": "python",
        # A signal would go to bwrap's process group and stop bwrap, taking the kernel with it; a
        # message makes the kernel interrupt itself, in its own session (bwrap --new-session).
        "interrupt_mode": "message",
        "metadata": {"debugger": False},
    }, indent=1))
    return Path(folder)


def kernel_channels(kernels: Path, key: str) -> tuple[dict, list[str]]:
    """(environment, nbgrader arguments) for one nbgrader process whose kernel is sandboxed: ZeroMQ
    over Unix sockets (TCP on loopback cannot cross into the kernel's network namespace), in a runtime
    folder of its own - absolute, short (socket paths are limited to 108 bytes) and never shared by
    two processes, which would otherwise race for the same socket names."""
    import hashlib

    runtime = Path(kernels) / f"run-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
    runtime.mkdir(parents=True, exist_ok=True)
    env = {"JUPYTER_PATH": str(kernels), "JUPYTER_RUNTIME_DIR": str(runtime)}
    return env, ["--KernelManager.transport=ipc", f"--KernelManager.ip={runtime / 'kernel'}"]


def bwrap_command(connection_file: str, cwd: str, hide: str | None, data: str | None,
                  extra: list[str] = ()) -> list[str]:
    """The bwrap command line that starts the kernel. Binds exactly: the notebook's folder (read-write),
    the connection file (read-only) and the folder of the kernel's Unix sockets (read-write)."""
    info = json.loads(Path(connection_file).read_text())
    if info.get("transport") != "ipc":
        raise SystemExit("the sandboxed kernel needs ZeroMQ over Unix sockets: start it with "
                         "--KernelManager.transport=ipc (coursekit.sandbox.kernel_channels)")
    sockets = str(Path(info["ip"]).resolve().parent)
    connection_file = str(Path(connection_file).resolve())
    cmd = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
           "--unshare-net", "--unshare-ipc", "--die-with-parent", "--new-session"]
    if hide:
        cmd += ["--tmpfs", hide]
    # The Python environment may sit under /tmp or in the course directory itself (the repo's
    # .venv), both hidden above: show it again, read-only.
    for keep in sorted({sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parent.parent)}):
        cmd += ["--ro-bind", keep, keep]
    if data and Path(data).exists():
        cmd += ["--ro-bind", data, data]
    cmd += ["--bind", cwd, cwd, "--bind", sockets, sockets, "--ro-bind", connection_file, connection_file,
            "--chdir", cwd, "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib", "--setenv", "TMPDIR", "/tmp"]
    return cmd + [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file, *extra]


def main(argv=None) -> None:
    """The kernel launcher (run as a script by the kernelspec)."""
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        sys.exit("usage: sandbox.py CONNECTION_FILE [kernel arguments...]")
    cmd = bwrap_command(args[0], os.getcwd(), os.environ.get(HIDE_ENV) or None,
                        os.environ.get("COURSE_DATA_DIR") or None, args[1:])
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main()
