"""Run each autograding kernel inside a bubblewrap sandbox (Debian package `bubblewrap`).

Autograding executes student code. Without a sandbox it runs as the grading user, with that user's
files, processes and network: a submission could rewrite ``gradebook.db``, read or change other
students' notebooks, kill the grader, leave processes behind, fill the disk or phone home. With the
sandbox on, the kernel that runs a submission is in a boundary of its own:

- **No privileges.** All capabilities dropped (``--cap-drop ALL``: ``CapEff`` is 0, also when grading
  as root). Where a user namespace can be made (as root, and as an unprivileged user where the kernel
  allows unprivileged user namespaces - Debian, Ubuntu, Fedora do) the kernel runs as uid/gid 65534
  inside one and may not make further ones (``--disable-userns``). Where none can be made but
  bubblewrap still works (a setuid bwrap) it runs as the grading user, still without capabilities.
  Where bubblewrap works in neither way, :func:`available` says why and grading refuses ``--sandbox on``.
- **Its own namespaces**: PID (it sees only its own processes - ``/proc`` lists the sandbox's init and
  the kernel - and can signal nothing outside; everything it starts, ``setsid``/daemonised children
  too, is killed when the kernel ends), network (empty: no network at all), IPC, UTS (hostname
  ``sandbox``) and cgroup where the kernel has it. It dies with the nbgrader process that started it
  and runs in a session of its own.
- **An allow-list of the filesystem, read-only**: ``/usr``, ``/etc``, ``/opt``, ``/sys`` (and the
  ``/bin``, ``/lib``... links), the Python environment (its prefixes and every folder on ``sys.path``),
  the datasets folder (``COURSE_DATA_DIR``), a fresh ``/dev`` and ``/proc``. Not shown: home folders,
  ``/root``, ``/var``, ``/run`` (no host Unix sockets: docker, PostgreSQL, D-Bus), ``/srv``, ``/mnt``,
  the course directory (``COURSE_SANDBOX_HIDE``: ``gradebook.db``, ``source/``, ``submitted/``, the
  other students' ``autograded/`` folders). Files in ``/etc`` that are not world-readable
  (``/etc/shadow``, ``/etc/ssl/private``...) are masked - grading as root, the kernel's uid maps to
  root outside, and a file root may read could otherwise be printed into the student's feedback.
- **Nothing it writes reaches the host.** Its working folder (``autograded/<student>/<lesson>/``) is a
  fresh size-capped tmpfs, with the files nbgrader put there bound into it read-only; ``/tmp`` (also
  ``$HOME=/tmp/home``) is another, ``/dev/shm`` a third (64 MiB); the root, ``/dev`` and the hidden
  course directory are read-only. The notebook may save and reload a model in its folder; the copy
  is gone when the kernel ends (nbgrader reads results over ZeroMQ, never from files).
- **A clean environment**: only the variables a kernel needs are passed in, by exact name
  (:data:`ENV_NAMES`: ``PATH``, locale, the course's mode and data folder, ``NBGRADER_EXECUTION``,
  TensorFlow's, Keras's and the math libraries' thread and log settings), no prefix rule: ``DB_URL``,
  ``JPY_*``/``JUPYTER_*`` (a JupyterHub token), the sandbox's own settings and every other variable of
  the grader's are not. ``COURSE_SANDBOX_ENV`` names more to pass (comma-separated).
- **Limits** (``setrlimit`` in the launcher before it execs bubblewrap, so bwrap and the kernel inherit
  them; hard = soft, so the kernel cannot raise them). Defaults, each overridable (0 = no limit):

  ======================  ==================================  =========================================
  limit                   environment variable                default
  ======================  ==================================  =========================================
  address space (memory)  ``COURSE_SANDBOX_MEMORY_GIB``       8 GiB (``MemoryError`` /
                                                              ``ResourceExhaustedError`` past it)
  file size               ``COURSE_SANDBOX_FILE_MIB``         1024 MiB (``EFBIG`` past it)
  CPU time                ``COURSE_SANDBOX_CPU_S``            900 s per CPU core this process may use
                                                              (the kernel is killed past it)
  processes and threads   ``COURSE_SANDBOX_PROCESSES``        1024 (set inside the user namespace, so
                                                              it counts the sandbox's own tasks; Linux
                                                              does not enforce it for uid 0 outside,
                                                              so grading as root the sandbox also gets
                                                              a pids cgroup of its own with that
                                                              ``pids.max``, where one is writable)
  working folder, /tmp    ``COURSE_SANDBOX_DISK_MIB``         1024 MiB each (``ENOSPC`` past it)
  core dumps              -                                   0
  ======================  ==================================  =========================================

  How they were chosen (measured on the project's 2-core machine): a TensorFlow kernel fitting a small
  Keras CNN on CPU was 0.6 GiB resident after the import and 0.7-0.8 GiB after ``fit``, but its
  *address space* was 1.2 and 2.5-3.0 GiB: TensorFlow maps far more than it touches, each thread
  reserves an 8 MiB stack, and glibc a 64 MiB heap arena per busy thread, up to 8 per core. With the
  arena cap of a 64-core machine (``MALLOC_ARENA_MAX=512``) and 64 + 64 TensorFlow threads the same
  fit reserved 11.9 GiB. The sandbox therefore sets ``MALLOC_ARENA_MAX=8`` (unless the grader's
  environment sets it), which brought that fit, 134 threads, back to 3.0 GiB. The solved lessons
  03, 04 and 05, fast mode, on full-size stand-in data, run in this sandbox with these defaults:
  1.2 / 2.1 / 1.6 GiB resident at peak, 2.6 / 4.2 / 2.8 GiB of address space. Lessons peak at up to
  about 3 GiB resident in fast mode (full mode, lesson 04: 4.5 GiB), so 8 GiB leaves room for about
  2.5 GiB of reservations. A TF kernel runs about 10-20 threads on 2 cores and ~140 with 64 + 64
  TensorFlow threads: 1024 tasks is far above that and far below a fork bomb's reach. Lesson 04
  saves and reloads a ``.keras`` model in its folder (about 130 MB in full mode): 1 GiB of folder
  holds it. The CPU limit is a backstop behind nbgrader's cell timeout and the grader's wall limit.
  Memory in the tmpfs folders is not counted in the address space: a kernel may hold up to
  memory + 2 x disk + 64 MiB of RAM.

  ``python coursekit/grading/sandbox.py --show`` starts a sandbox as a kernel's and prints the limits as seen
  from inside it (:func:`limits_report`).

nbgrader talks to the kernel over ZeroMQ on Unix sockets (``KernelManager.transport=ipc``) in a
Jupyter runtime folder of that nbgrader process's own (TCP on loopback cannot cross the network
namespace). Inside the sandbox that folder is a small private tmpfs where the kernel binds its
sockets; outside, the launcher puts a symlink ``<runtime>/kernel-<port>`` -> ``/proc/<sandbox
pid>/root/<runtime>/kernel-<port>`` for each of them, so the grader reaches the sockets and the kernel
has no writable host folder at all.

How it is wired: :func:`kernel_dir` writes a kernelspec named ``python3`` whose ``argv`` runs *this
file as a script* (stdlib only, so it needs no import path) with the connection file; nbgrader is
started with ``JUPYTER_PATH`` pointing there, so the notebooks' ``python3`` kernel resolves to it.
The launcher (:func:`main`) builds the ``bwrap`` command from its working directory (nbgrader starts
the kernel in the notebook's folder) and ``COURSE_SANDBOX_HIDE`` (the course directory), sets the
limits and execs it.

What it does not do: it has no say over the GPU (``/dev`` has no GPU devices: kernels train on CPU);
``/usr``, ``/opt`` and ``/sys`` are shown as the host has them. Grading as root, uid 65534 in the
sandbox is uid 0 outside (bubblewrap maps the sandbox's uid to the user who runs it): the kernel has
no capabilities and sees only the allow-list, but a root-only readable file in ``/usr`` or ``/opt``
would be readable, and the process limit holds only through the pids cgroup (:func:`join_pids_cgroup`;
where no pids cgroup is writable, a fork bomb is stopped by nothing but the CPU limit and the cell
timeout). Grading as an unprivileged user is the stronger set-up. A kernel can replace its socket with a symlink; the grader, connecting through it,
would then open a host Unix socket of the kernel's choosing and send it Jupyter messages (as it
could when the socket folder was the host's).
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HIDE_ENV = "COURSE_SANDBOX_HIDE"
EXTRA_ENV = "COURSE_SANDBOX_ENV"
SANDBOX_UID = SANDBOX_GID = 65534
MiB, GiB = 2 ** 20, 2 ** 30
SHM_BYTES = 64 * MiB
# name: (environment variable, unit in bytes/seconds/tasks, default per CPU core, fixed default)
LIMIT_VARS = {
    "memory": ("COURSE_SANDBOX_MEMORY_GIB", GiB, 0, 8),
    "file": ("COURSE_SANDBOX_FILE_MIB", MiB, 0, 1024),
    "cpu": ("COURSE_SANDBOX_CPU_S", 1, 900, 0),
    "processes": ("COURSE_SANDBOX_PROCESSES", 1, 0, 1024),
    "disk": ("COURSE_SANDBOX_DISK_MIB", MiB, 0, 1024),
}
MALLOC_ARENA_MAX = "8"
SYSTEM_PATHS = ("/usr", "/etc", "/opt", "/sys", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ENV_NAMES = frozenset({
    "PATH", "LANG", "LANGUAGE", "TZ", "TERM", "LD_LIBRARY_PATH",
    "LC_ALL", "LC_CTYPE", "LC_NUMERIC", "LC_MESSAGES", "LC_COLLATE", "LC_TIME", "LC_MONETARY",
    "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONWARNINGS",
    "COURSE_MODE", "COURSE_MODE_FROM", "COURSE_DATA_DIR", "COURSE_TRAIN_CAP", "NBGRADER_EXECUTION",
    "TF_CPP_MIN_LOG_LEVEL", "TF_NUM_INTEROP_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_ENABLE_ONEDNN_OPTS",
    "TF_DETERMINISTIC_OPS", "TF_FORCE_GPU_ALLOW_GROWTH", "KERAS_BACKEND", "KERAS_HOME", "XLA_FLAGS",
    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "KMP_AFFINITY", "KMP_BLOCKTIME",
    "MALLOC_ARENA_MAX", "MPLBACKEND", "CUDA_VISIBLE_DEVICES", "JUPYTER_RUNTIME_DIR",
})
# JPY_PARENT_PID is the nbgrader process's pid outside: in the PID namespace ipykernel would take it
# for a dead parent and exit. Inside it is 1 (bwrap's init, the kernel's parent): ipykernel then
# neither polls its parent nor prints a console banner; bubblewrap's --die-with-parent does that job.
ENV_DROP = frozenset({"JPY_PARENT_PID"})

# Run inside the sandbox, in the process that becomes the kernel: the process limit is set here, in the
# sandbox's user namespace, where Linux counts only the sandbox's own tasks against it (set outside,
# it would count every process of the grading user). The kernel then makes itself non-dumpable, so
# nothing it starts (a shell escape, a subprocess) may trace it or write its memory through
# /proc/<pid>/mem, and runs ipykernel in this same process (an exec would make it dumpable again).
_START = ("import os,resource,sys\n"
          "n=int(sys.argv[1])\n"
          "if n:\n"
          " h=resource.getrlimit(resource.RLIMIT_NPROC)[1]\n"
          " n=n if h==resource.RLIM_INFINITY else min(n,h)\n"
          " resource.setrlimit(resource.RLIMIT_NPROC,(n,n))\n"
          "import ctypes,runpy\n"
          "if ctypes.CDLL(None,use_errno=True).prctl(4,0,0,0,0):\n"   # PR_SET_DUMPABLE 0
          " sys.exit('coursekit sandbox: cannot make the kernel non-dumpable')\n"
          "a=sys.argv[2:]\n"
          "del sys.path[0]\n"
          "if a[0]=='-m':\n"
          " sys.argv=a[1:]\n"
          " runpy.run_module(a[1],run_name='__main__',alter_sys=True)\n"
          "else:\n"   # -c CODE (--show)
          " sys.argv=['-c',*a[2:]]\n"
          " exec(compile(a[1],'<string>','exec'),{'__name__':'__main__'})\n")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def limits(environ=None) -> dict[str, int]:
    """The configured limits: ``memory``, ``file`` and ``disk`` in bytes, ``cpu`` in seconds,
    ``processes`` in tasks; 0 means none. Read from the ``COURSE_SANDBOX_*`` variables (see the module
    docstring); a value that is not a number >= 0 raises ValueError."""
    env = os.environ if environ is None else environ
    out = {}
    for name, (var, unit, per_core, fixed) in LIMIT_VARS.items():
        raw = (env.get(var) or "").strip()
        if raw:
            try:
                value = float(raw)
            except ValueError:
                value = -1
            if not value >= 0 or value == float("inf"):
                raise ValueError(f"{var} must be a number >= 0 (0: no limit), not {raw!r}")
        else:
            value = per_core * _cores() if per_core else fixed
        out[name] = int(value * unit)
    return out


def _rlimits(limit: dict) -> list[tuple[str, int, int]]:
    """(name, RLIMIT_*, value) for the limits set in the launcher (0: left as it is)."""
    import resource

    return [("memory", resource.RLIMIT_AS, limit["memory"]), ("file", resource.RLIMIT_FSIZE, limit["file"]),
            ("cpu", resource.RLIMIT_CPU, limit["cpu"]), ("core", resource.RLIMIT_CORE, 0)]


def _capped(resource_id: int, value: int) -> int:
    """``value``, or the current hard limit where that is lower (a limit can only be lowered)."""
    import resource

    hard = resource.getrlimit(resource_id)[1]
    return value if hard == resource.RLIM_INFINITY else min(value, hard)


def effective_limits(limit: dict | None = None) -> dict[str, int | None]:
    """The limits a kernel started from this process gets (the configured ones, or this process's own
    hard limit where that is lower; None: no limit), named as in :func:`limits_report`."""
    import resource

    limit = limits() if limit is None else limit
    out = {}
    for name, rid, value in _rlimits(limit) + [("processes", resource.RLIMIT_NPROC, limit["processes"])]:
        if name == "core" or value:
            out[name] = _capped(rid, value)
        else:
            hard = resource.getrlimit(rid)[1]
            out[name] = None if hard == resource.RLIM_INFINITY else hard
    return out


def _set_rlimits(limit: dict, processes: bool = False) -> None:
    """Set the limits on this process (hard = soft), each capped by its current hard limit.
    ``processes``: RLIMIT_NPROC too - only inside the sandbox's user namespace, where it counts the
    sandbox's own tasks (a forked kernel, kernelfork.py; a started one sets it in ``_START``)."""
    import resource

    nproc = [("processes", resource.RLIMIT_NPROC, limit["processes"])] if processes else []
    for _, rid, value in _rlimits(limit) + nproc:
        if value or rid == resource.RLIMIT_CORE:
            value = _capped(rid, value)
            resource.setrlimit(rid, (value, value))


def kernel_env(environ=None) -> dict[str, str]:
    """The variables passed into the sandbox (everything else is left out)."""
    env = os.environ if environ is None else environ
    extra = {n.strip() for n in (env.get(EXTRA_ENV) or "").replace(" ", ",").split(",") if n.strip()}
    return {k: v for k, v in env.items() if k not in ENV_DROP and (k in ENV_NAMES or k in extra)}


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _outermost(paths) -> list[str]:
    """The paths, without those inside another one of them."""
    out = []
    for p in sorted({os.path.abspath(p) for p in paths}, key=len):
        if not any(_under(p, q) for q in out):
            out.append(p)
    return sorted(out)


def _system_args() -> list[str]:
    args = []
    for path in SYSTEM_PATHS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def _etc_masks(root: str = "/etc") -> tuple[list[str], list[str]]:
    """(files, folders) under ``root`` that are not world-readable: masked in the sandbox."""
    files, folders = [], []
    for top, dirs, names in os.walk(root):
        for name in list(dirs):
            path = os.path.join(top, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if (st.st_mode & 0o005) != 0o005 and not os.path.islink(path):
                folders.append(path)
                dirs.remove(name)
        for name in names:
            path = os.path.join(top, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if not (st.st_mode & 0o004) and not os.path.islink(path):
                files.append(path)
    return files, folders


def _python_paths() -> list[str]:
    """The Python environment: prefixes and every folder on sys.path (this launcher's own folder aside)."""
    here = str(Path(__file__).resolve().parent)
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(sys.executable).resolve().parent.parent)}
    for entry in sys.path:
        if entry and os.path.isabs(entry) and os.path.exists(entry) and os.path.abspath(entry) != here:
            paths.add(entry)
    return _outermost(paths)


def _size(nbytes: int) -> list[str]:
    return ["--size", str(nbytes)] if nbytes else []


def _namespace_args(userns: bool) -> list[str]:
    args = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", "sandbox", "--cap-drop", "ALL", "--die-with-parent", "--new-session"]
    if userns:
        args = ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID), "--disable-userns", *args]
    return args


def _probe(userns: bool) -> str | None:
    """None when bubblewrap makes the sandbox (these namespaces, a sized tmpfs, a read-only root) here."""
    bwrap = shutil.which("bwrap")
    cmd = [bwrap, *_namespace_args(userns), *_system_args(), "--dev", "/dev", "--proc", "/proc",
           "--size", str(MiB), "--tmpfs", "/tmp", "--remount-ro", "/", "true"]
    try:
        probe = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        return str(err)
    return None if probe.returncode == 0 else (probe.stderr.strip()[:200] or f"exit {probe.returncode}")


@functools.lru_cache(maxsize=None)
def user_namespace() -> bool:
    """Whether the kernel runs as uid/gid 65534 in a user namespace of its own here."""
    return bool(shutil.which("bwrap")) and _probe(True) is None


def available() -> str | None:
    """None when bubblewrap can make the sandbox here, else why not."""
    if not shutil.which("bwrap"):
        return "bubblewrap is not installed (Debian: apt-get install bubblewrap; `make system-deps` does it)"
    if user_namespace():
        return None
    with_userns = _probe(True)
    without = _probe(False)
    if without is None:
        return None
    return (f"bubblewrap cannot create the sandbox here: with a user namespace: {with_userns}; "
            f"without: {without}")


def kernelspec() -> dict:
    """The kernelspec of a sandboxed kernel: this file run as a script (the launcher, :func:`main`)."""
    return {
        "argv": [sys.executable, str(Path(__file__).resolve()), "{connection_file}"],
        "display_name": "Python 3 (sandboxed for grading)",
        "language": "python",
        # A signal would go to bwrap's process group and stop bwrap, taking the kernel with it; a
        # message makes the kernel interrupt itself, in its own session (bwrap --new-session).
        "interrupt_mode": "message",
        "metadata": {"debugger": False},
    }


def kernel_dir(folder: Path) -> Path:
    """Write the sandboxed ``python3`` kernelspec under ``folder``; returns the folder to put on
    ``JUPYTER_PATH``."""
    spec = Path(folder) / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps(kernelspec(), indent=1))
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


def _sandbox_args(cwd: str, hide: str | None, data: str | None, limit: dict, userns: bool,
                  environ, private: tuple[str, ...] = (), files: tuple[str, ...] = ()) -> list[str]:
    """bwrap's options (everything up to the command) for a process whose working folder is ``cwd``;
    ``private``: more folders that are tiny private tmpfs (1 MiB); ``files``: host files shown
    read-only at the same path (bound after everything else)."""
    cwd = os.path.abspath(cwd)
    cmd = ["bwrap", *_namespace_args(userns), *_system_args()]
    shown = _python_paths() + ([os.path.abspath(data)] if data and os.path.exists(data) else [])
    hidden = ["/tmp"] + ([os.path.abspath(hide)] if hide else [])
    late = [p for p in _outermost(shown) if any(_under(p, h) for h in hidden)]
    cmd += [a for p in _outermost(shown) if p not in late for a in ("--ro-bind", p, p)]
    cmd += ["--dev", "/dev", "--proc", "/proc", *_size(SHM_BYTES), "--tmpfs", "/dev/shm",
            *_size(limit["disk"]), "--tmpfs", "/tmp", "--dir", "/tmp/home"]
    mask_files, mask_dirs = _etc_masks()
    for path in mask_files:
        cmd += ["--ro-bind", "/dev/null", path]
    for path in mask_dirs:
        cmd += ["--size", "4096", "--tmpfs", path]
    if hide:
        cmd += ["--size", "4096", "--tmpfs", os.path.abspath(hide)]
    for path in late:
        cmd += ["--ro-bind", path, path]
    if hide and any(_under(os.path.abspath(hide), p) for p in late):   # a shown folder held the course
        cmd += ["--size", "4096", "--tmpfs", os.path.abspath(hide)]
    # The working folder: a fresh tmpfs; what nbgrader put there is shown read-only (symlinks are not
    # followed: they would be resolved on the host).
    cmd += [*_size(limit["disk"]), "--tmpfs", cwd]
    try:
        entries = sorted(os.scandir(cwd), key=lambda e: e.name)
    except OSError:
        entries = []
    for entry in entries:
        if not entry.is_symlink():
            cmd += ["--ro-bind", entry.path, entry.path]
    for folder in private:
        cmd += ["--size", str(MiB), "--tmpfs", os.path.abspath(folder)]
    for path in files:
        cmd += ["--ro-bind", str(Path(path).resolve()), os.path.abspath(path)]
    cmd += ["--remount-ro", "/", "--remount-ro", "/dev"]
    cmd += [a for path in mask_dirs for a in ("--remount-ro", path)]
    if hide:
        cmd += ["--remount-ro", os.path.abspath(hide)]
    cmd += ["--chdir", cwd, "--clearenv"]
    for key, value in sorted(kernel_process_env(environ).items()):
        cmd += ["--setenv", key, value]
    return cmd


def kernel_process_env(environ=None) -> dict[str, str]:
    """The whole environment of a sandboxed kernel: :func:`kernel_env` and the sandbox's own folders."""
    env = kernel_env(environ)
    env.update(HOME="/tmp/home", TMPDIR="/tmp", MPLCONFIGDIR="/tmp/matplotlib", JPY_PARENT_PID="1")
    env.setdefault("MALLOC_ARENA_MAX", MALLOC_ARENA_MAX)
    return env


def bwrap_command(connection_file: str, cwd: str, hide: str | None, data: str | None,
                  extra: list[str] = (), *, limit: dict | None = None, userns: bool | None = None,
                  info_fd: int | None = None, environ=None, holder: list[str] | None = None) -> list[str]:
    """The bwrap command line that starts the kernel. Binds nothing writable from the host: the
    kernel's folder, ``/tmp`` and the folder of its Unix sockets are private tmpfs; the connection
    file is bound read-only. ``limit``: :func:`limits` (the process limit is set inside, the others by
    the caller); ``userns``: default :func:`user_namespace`; ``info_fd``: bwrap writes the sandbox's
    pid there (``--info-fd``); ``holder``: a command that runs in the sandbox in the kernel's place
    while a kernel forked from the fork server joins it (``kernelfork.py``)."""
    info = json.loads(Path(connection_file).read_text())
    if info.get("transport") != "ipc":
        raise SystemExit("the sandboxed kernel needs ZeroMQ over Unix sockets: start it with "
                         "--KernelManager.transport=ipc (coursekit.grading.sandbox.kernel_channels)")
    limit = limits(environ) if limit is None else limit
    userns = user_namespace() if userns is None else userns
    sockets = os.path.dirname(os.path.abspath(info["ip"]))
    connection_file = os.path.abspath(connection_file)
    cmd = _sandbox_args(cwd, hide, data, limit, userns, environ, private=(sockets,), files=(connection_file,))
    if info_fd is not None:
        cmd[1:1] = ["--info-fd", str(info_fd)]
    if holder:
        return cmd + list(holder)
    return cmd + [sys.executable, "-c", _START, str(limit["processes"]),
                  "-m", "ipykernel_launcher", "-f", connection_file, *extra]


_PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def _sandbox_pid(fd: int, timeout: float = 120) -> int | None:
    """The sandbox's pid (its init's, as seen here), read from bwrap's ``--info-fd`` JSON on ``fd``;
    None when bwrap wrote none in time."""
    import select
    import time

    data, deadline = b"", time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 4096)
        if not chunk:
            return None
        data += chunk
        try:
            return int(json.loads(data)["child-pid"])
        except (ValueError, KeyError):
            continue


def _link_sockets(fd: int, info: dict, timeout: float = 120) -> None:
    """Read the sandbox's pid from ``fd`` (:func:`_sandbox_pid`); then point ``<ip>-<port>`` on the host
    at the socket the kernel binds inside the sandbox, through ``/proc/<sandbox pid>/root``."""
    pid = _sandbox_pid(fd, timeout)
    if pid is not None:
        _link(pid, info)


def _link(pid: int, info: dict) -> None:
    ip = os.path.abspath(info["ip"])
    for port in _PORTS:
        path = f"{ip}-{info[port]}"
        tmp = f"{path}.{os.getpid()}.link"
        os.symlink(f"/proc/{pid}/root{path}", tmp)
        os.replace(tmp, path)


def _spawn_linker(read_fd: int, write_fd: int, info: dict) -> None:
    """Run :func:`_link_sockets` in a detached grandchild (bwrap, which this process becomes, should
    have no stray children)."""
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    try:
        os.close(write_fd)
        if os.fork() == 0:
            try:
                _link_sockets(read_fd, info)
            finally:
                os._exit(0)
    finally:
        os._exit(0)


def limits_report() -> dict:
    """What the current process sees of its sandbox: identity, capabilities, the processes it can see,
    its limits (None: no limit) and the sizes of its writable folders. Self-contained (run as source
    inside a kernel by ``--show`` and the tests)."""
    import os
    import resource
    import socket

    def soft(rid):
        value = resource.getrlimit(rid)[0]
        return None if value == resource.RLIM_INFINITY else value

    def size(path):
        try:
            st = os.statvfs(path)
        except OSError:
            return None
        return st.f_blocks * st.f_frsize

    with open("/proc/self/status") as status:
        caps = next(line.split()[1] for line in status if line.startswith("CapEff:"))
    try:
        import ctypes

        dumpable = ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)   # PR_GET_DUMPABLE
    except (OSError, AttributeError):
        dumpable = None
    return {"uid": os.getuid(), "gid": os.getgid(), "capabilities": caps, "dumpable": dumpable,
            "hostname": socket.gethostname(),
            "processes_visible": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
            "network": sorted(name for _, name in socket.if_nameindex()),
            "memory": soft(resource.RLIMIT_AS), "file": soft(resource.RLIMIT_FSIZE),
            "cpu": soft(resource.RLIMIT_CPU), "core": soft(resource.RLIMIT_CORE),
            "processes": soft(resource.RLIMIT_NPROC),
            "disk": {"cwd": size("."), "/tmp": size("/tmp"), "/dev/shm": size("/dev/shm")}}


def format_report(report: dict) -> str:
    """:func:`limits_report`'s dict as lines for people."""
    def amount(value, unit="bytes"):
        if value is None:
            return "no limit"
        if unit == "bytes" and value == 0:
            return "0"
        if unit == "bytes":
            return f"{value / GiB:g} GiB" if value >= GiB and value % (GiB // 16) == 0 else f"{value / MiB:g} MiB"
        return f"{value} {unit}"

    disk = report["disk"]
    rows = [("uid / gid", f"{report['uid']} / {report['gid']}"),
            ("capabilities (CapEff)", report["capabilities"]),
            ("dumpable (traceable)", {0: "no", 1: "yes"}.get(report.get("dumpable"), "unknown")),
            ("processes visible", ", ".join(map(str, report["processes_visible"]))),
            ("network interfaces", ", ".join(report["network"]) or "none"),
            ("memory (address space)", amount(report["memory"])),
            ("file size", amount(report["file"])),
            ("CPU time", amount(report["cpu"], "s")),
            ("core dumps", amount(report["core"])),
            ("processes and threads", amount(report["processes"], "tasks")),
            ("working folder (tmpfs)", amount(disk["cwd"])),
            ("/tmp (tmpfs)", amount(disk["/tmp"])),
            ("/dev/shm (tmpfs)", amount(disk["/dev/shm"]))]
    return "\n".join(f"  {name:<24}{value}" for name, value in rows)


def show(environ=None) -> int:
    """``--show``: start a sandbox as a kernel's (same limits, namespaces and mounts; an empty working
    folder) and print :func:`limits_report` as seen from inside it."""
    import inspect
    import tempfile

    why = available()
    if why:
        print(f"no sandbox here: {why}", file=sys.stderr)
        return 1
    env = os.environ if environ is None else environ
    limit = limits(env)
    code = inspect.getsource(limits_report) + "\nimport json\nprint(json.dumps(limits_report()))\n"
    with tempfile.TemporaryDirectory(prefix="sandbox-show-") as folder:
        cmd = _sandbox_args(folder, env.get(HIDE_ENV) or None, env.get("COURSE_DATA_DIR") or None, limit,
                            user_namespace(), env)
        cmd += [sys.executable, "-c", _START, str(limit["processes"]), "-c", code]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                              preexec_fn=lambda: _set_rlimits(limit))
    if proc.returncode != 0:
        print(proc.stderr.strip(), file=sys.stderr)
        return proc.returncode or 1
    print(f"The sandbox as a grading kernel sees it (user namespace: {'yes' if user_namespace() else 'no'}):")
    print(format_report(json.loads(proc.stdout)))
    return 0


PIDS_CGROUP_PREFIX = "coursekit-sandbox-"


def _pids_cgroup_base() -> Path | None:
    """The pids cgroup folder this process is in, where it may make child groups (cgroup v1's pids
    controller, or v2 with pids enabled for children); None where there is none."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "pids" in controllers.split(","):
            base = Path("/sys/fs/cgroup/pids") / path.lstrip("/")
        elif controllers == "":
            base = Path("/sys/fs/cgroup") / path.lstrip("/")
            for root in (Path("/sys/fs/cgroup/unified") / path.lstrip("/"), base):
                try:
                    if "pids" in (root / "cgroup.subtree_control").read_text().split():
                        base = root
                        break
                except OSError:
                    continue
            else:
                continue
        else:
            continue
        if (base / "cgroup.procs").exists() and os.access(base, os.W_OK):
            return base
    return None


def join_pids_cgroup(processes: int) -> Path | None:
    """Grading as root, Linux does not enforce RLIMIT_NPROC: put this process (and so the sandbox it
    becomes) in a pids cgroup of its own whose ``pids.max`` is the process limit. Empty groups left by
    earlier kernels are removed first. Returns the group, or None (not root, no limit, or no writable
    pids cgroup here: then only the rlimit applies)."""
    if os.geteuid() != 0 or not processes:
        return None
    base = _pids_cgroup_base()
    if base is None:
        return None
    for stale in base.glob(f"{PIDS_CGROUP_PREFIX}*"):
        try:
            stale.rmdir()   # fails while a kernel still runs in it
        except OSError:
            pass
    group = base / f"{PIDS_CGROUP_PREFIX}{os.getpid()}"
    try:
        group.mkdir(exist_ok=True)
        (group / "pids.max").write_text(str(processes))
        (group / "cgroup.procs").write_text(str(os.getpid()))
    except OSError:
        try:
            group.rmdir()
        except OSError:
            pass
        return None
    return group


FORK_SOCKET_ENV = "COURSE_KERNEL_FORK_SOCKET"   # kernelfork.py's server, set by the grading process


def _kernelfork():
    try:
        from coursekit.grading import kernelfork
    except ImportError:   # run as a script without the kit on the path: the module beside this file
        import kernelfork
    return kernelfork


def _forked_kernel(args: list[str], limit: dict, group: Path | None) -> int | None:
    """Start the sandbox with a placeholder and have the fork server fork the kernel into it
    (``kernelfork.py``); wait for the kernel and return its exit code. None when the server did not
    fork one (absent, refused, failed): then the caller starts the kernel itself, as without a server.
    The caller has set this process's limits and joined the pids cgroup ``group`` (bwrap inherits both)."""
    import signal

    kernelfork = _kernelfork()
    # The placeholder: `cat` reading a pipe only this launcher writes to. However the launcher ends, the
    # pipe closes, `cat` exits, and bwrap's init with it - which kills everything in the sandbox.
    holder = shutil.which("cat")
    if not holder or not any(_under(holder, p) for p in SYSTEM_PATHS):
        return None
    parent = os.getppid()
    kernelfork.die_with_parent()   # die with nbgrader
    if os.getppid() != parent:
        sys.exit(1)
    info = json.loads(Path(args[0]).read_text())
    read_fd, write_fd = os.pipe()
    hold_read, hold_write = os.pipe()
    cmd = bwrap_command(args[0], os.getcwd(), os.environ.get(HIDE_ENV) or None,
                        os.environ.get("COURSE_DATA_DIR") or None, args[1:], limit=limit, info_fd=write_fd,
                        holder=[holder])
    # No output: nothing of the placeholder's may hold the grading process's pipes open. Where bwrap
    # fails, no pid comes back, and the kernel started without the server shows bwrap's message.
    bwrap = subprocess.Popen(cmd, pass_fds=(write_fd,), stdin=hold_read, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, preexec_fn=kernelfork.die_with_parent)   # bwrap has a session of its own: a kill of this launcher's group misses it
    os.close(write_fd)
    os.close(hold_read)
    pid = None

    def close_sandbox():
        os.close(hold_write)
        for target in (pid, bwrap.pid):
            try:
                if target:
                    os.kill(target, signal.SIGKILL)
            except OSError:
                pass
        bwrap.wait()

    try:
        pid = _sandbox_pid(read_fd)
        os.close(read_fd)
        if pid is None:
            close_sandbox()
            return None
        _link(pid, info)
        conn = kernelfork.request_kernel(os.environ[FORK_SOCKET_ENV], pid, os.path.abspath(os.getcwd()),
                                         kernel_process_env(), limit, ["-f", os.path.abspath(args[0]), *args[1:]],
                                         str(group) if group else None)
    except (OSError, ValueError) as err:   # the grader's log says why this kernel starts afresh (slower)
        print(f"[coursekit] kernel started afresh, not forked: {type(err).__name__}: {str(err)[:300]}",
              file=sys.stderr, flush=True)
        close_sandbox()
        return None
    try:
        return kernelfork.exit_code(conn)
    finally:
        close_sandbox()


def main(argv=None) -> None:
    """The kernel launcher (run as a script by the kernelspec); ``--show`` prints the sandbox's limits."""
    args = argv if argv is not None else sys.argv[1:]
    if args[:1] == ["--show"]:
        sys.exit(show())
    if not args:
        sys.exit("usage: sandbox.py CONNECTION_FILE [kernel arguments...] | sandbox.py --show")
    try:
        limit = limits()
    except ValueError as err:
        sys.exit(f"coursekit.grading.sandbox: {err}")
    group = join_pids_cgroup(limit["processes"])
    _set_rlimits(limit)
    if os.environ.get(FORK_SOCKET_ENV):
        code = _forked_kernel(args, limit, group)
        if code is not None:
            sys.exit(code)
    read_fd, write_fd = os.pipe()
    cmd = bwrap_command(args[0], os.getcwd(), os.environ.get(HIDE_ENV) or None,
                        os.environ.get("COURSE_DATA_DIR") or None, args[1:], limit=limit, info_fd=write_fd)
    _spawn_linker(read_fd, write_fd, json.loads(Path(args[0]).read_text()))
    os.close(read_fd)
    os.set_inheritable(write_fd, True)
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main()
