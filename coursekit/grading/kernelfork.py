"""Sandboxed grading kernels forked from a Python that has already imported TensorFlow.

Every grading kernel used to start a fresh Python inside its sandbox and import TensorFlow there:
about 3.5 s of CPU per submission, the largest fixed cost of grading one. This module is the *kernel
fork server*: one process per grading run (started by :func:`start`, outside any sandbox, with
exactly the environment a sandboxed kernel gets) imports TensorFlow and ipykernel once, then waits on
a Unix socket in the grading process's private runtime folder. For each kernel:

1. the launcher (``sandbox.py``, run by the kernelspec) starts the student's sandbox with bubblewrap as
   before - same namespaces, mounts, tmpfs folders, environment - but with a placeholder process
   (``cat`` reading a pipe only the launcher holds: however the launcher ends, the placeholder and so
   the whole sandbox end with it) where the kernel used to be, and sends this server the sandbox's pid, the kernel's
   environment, working folder, limits and arguments, and its own stdin/stdout/stderr;
2. the server forks a *middle* process (the server itself never reads a request: nothing of one
   student's request is in the memory the next kernel is forked from). The middle checks that the
   request came from this user (``SO_PEERCRED``) and that the environment equals the one TensorFlow
   was imported with, except the names a kernel reads only after it starts (:data:`LATE_ENV`); it
   joins the sandbox's pids cgroup (grading as root), then its namespaces - user namespaces outermost
   first, then cgroup, IPC, UTS, network, PID and mount - changes root to the sandbox's root and
   enters the working folder;
3. the middle forks a helper, which is then inside the sandbox's PID namespace; the helper forks the
   kernel, hands the middle a pidfd of it and exits, so that the kernel's parent is the sandbox's init
   (``os.getppid()`` is 1, as for a kernel bwrap starts). Once the helper is gone, the kernel drops
   every capability (bounding set, ambient, effective, permitted, inheritable), sets no-new-privileges,
   starts a session of its own, takes the launcher's stdio and closes every other descriptor, sets the
   same limits the launcher would have set (address space, file size, CPU time, core dumps,
   processes), makes itself non-dumpable, replaces its environment with the requested one, reseeds
   Python's and NumPy's random generators (a fork would otherwise share the server's), and only then
   checks ``/proc/self/status`` (all capability sets 0, ``NoNewPrivs`` 1) and runs ipykernel. Any
   failure before that point exits the kernel; nothing of the student's runs before it;
4. the middle tells the launcher the kernel runs, waits on the pidfd and tells it when the kernel ended.

The launcher falls back to starting the kernel itself (``python`` inside bwrap, as before) whenever
the server is absent, refuses, or fails before the kernel is forked - so a fork server can make a
kernel start sooner, never differently. The server never runs student code; a kernel cannot reach
it (the runtime folder is not in the sandbox, and there is no host socket in it).
"""
from __future__ import annotations

import ctypes
import fcntl
import json
import os
import select
import signal
import socket
import struct
import sys
import time

# What the server imports before it forks anything: what every grading kernel imports.
PRELOAD = ("tensorflow", "ipykernel.kernelapp")
# Variables a kernel reads only after it starts, so a request may differ from the server in them.
LATE_ENV = frozenset({"JUPYTER_RUNTIME_DIR", "NBGRADER_EXECUTION", "COURSE_MODE", "COURSE_MODE_FROM",
                      "COURSE_DATA_DIR", "COURSE_TRAIN_CAP"})
ENV = "COURSE_SANDBOX_FORK"   # the server's socket, in the grading process's environment (never a kernel's)
NAMESPACES = (("cgroup", 0x02000000), ("ipc", 0x08000000), ("uts", 0x04000000), ("net", 0x40000000),
              ("pid", 0x20000000), ("mnt", 0x00020000))
CLONE_NEWUSER = 0x10000000
NS_GET_PARENT = 0xB702
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 4, 24, 38, 47
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}
MAX_REQUEST = 1 << 20
EXIT_SETUP = 125   # the kernel exited before ipykernel started: something in the steps above failed

_libc = ctypes.CDLL(None, use_errno=True)
_STARTED_WITH: dict = {}    # the server's environment before the imports
_SET_BY_IMPORTS: dict = {}  # and what they added to it


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _setns(fd: int, kind: int, what: str) -> None:
    _check(_libc.setns(fd, kind), f"setns {what}")


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux for ``sig`` when this process's parent (the thread that forked it) ends, however it
    ends; False where that cannot be asked. The one home of ``PR_SET_PDEATHSIG`` for the grading
    processes: nbgrader's child (runner.py), the kernel launcher and its bwrap (sandbox.py), this server."""
    try:
        return _libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (AttributeError, OSError):
        return False


_SANDBOX = "_coursekit_sandbox"   # the server's private name for sandbox.py (see _sandbox)


def _sandbox():
    """sandbox.py, the home of the kernels' limits: the kit's module, or (the server runs as a script)
    the file beside this one, loaded by ``__main__`` under a private name - ``import sandbox`` fails in
    a forked kernel as in a started one - and dropped from ``sys.modules`` by each kernel once used."""
    if __package__:
        from coursekit.grading import sandbox
        return sandbox
    return sys.modules[_SANDBOX]


def _load_sandbox() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(_SANDBOX, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                         "sandbox.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[_SANDBOX] = module
    spec.loader.exec_module(module)


# -- the server ------------------------------------------------------------------------------------------

def serve(path: str, parent: int) -> None:
    """Bind ``path``, import :data:`PRELOAD`, then fork a middle process for each connection."""
    if not die_with_parent(signal.SIGTERM):
        raise OSError(0, "prctl PDEATHSIG failed")
    if os.getppid() != parent:   # the grading process is already gone
        return
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)   # a launcher may connect at once: it waits in the backlog until the imports are done
    import importlib

    _STARTED_WITH.update(os.environ)
    for name in PRELOAD:
        importlib.import_module(name)
    # What the imports set in os.environ, a kernel that imports them itself would have too.
    _SET_BY_IMPORTS.update({k: v for k, v in os.environ.items() if _STARTED_WITH.get(k) != v})
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # middles are reaped by the kernel
    while True:
        conn, _ = server.accept()
        if os.fork() == 0:
            code = 1
            try:
                server.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                code = _middle(conn)
            except SystemExit as stop:   # the kernel (a fork of this process) ended
                code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            except BaseException:
                code = EXIT_SETUP
            finally:
                for stream in (sys.stdout, sys.stderr):
                    try:
                        stream.flush()
                    except Exception:
                        pass
                os._exit(code)
        conn.close()


def _send(conn: socket.socket, **message) -> None:
    conn.sendall(json.dumps(message).encode() + b"\n")


def _middle(conn: socket.socket) -> int:
    pid, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    if uid != os.geteuid():
        return 1
    data, fds, _, _ = socket.recv_fds(conn, MAX_REQUEST, 3)
    while len(data) < MAX_REQUEST:
        chunk = conn.recv(MAX_REQUEST)
        if not chunk:
            break
        data += chunk
    try:
        request = json.loads(data)
        if len(fds) != 3:
            raise ValueError("expected stdin, stdout and stderr")
        why = env_differs(request["env"], _STARTED_WITH) or room_differs(request["limit"].get("memory") or 0)
        if why:
            raise ValueError(why)
        _enter(int(request["sandbox_pid"]), request["cwd"], request.get("cgroup"))
    except (OSError, ValueError, KeyError, TypeError) as err:
        _send(conn, ok=False, why=str(err)[:500])
        return 1
    # The kernel's parent must be the sandbox's init, as for a kernel bwrap starts (os.getppid() is 1;
    # a parent outside the PID namespace would read as 0, and kill(0, ...) signals the kernel's own group):
    # a helper forks it inside the namespace and exits, after handing this process a pidfd of the
    # kernel to wait on. The kernel goes on only once the helper is gone.
    go_read, go_write = os.pipe()
    to_middle, from_helper = socket.socketpair()
    helper = os.fork()
    if helper == 0:
        conn.close()
        from_helper.close()
        kernel = os.fork()
        if kernel == 0:
            to_middle.close()
            os.close(go_write)
            os.read(go_read, 1)
            os.close(go_read)
            while os.getppid() != 1:   # the helper has exited: the kernel is init's child
                time.sleep(0.001)
            _become_kernel(request, fds)   # never returns normally
        try:
            socket.send_fds(to_middle, [b"k"], [os.pidfd_open(kernel)])
        finally:
            os.write(go_write, b"g")
            os._exit(0)
    os.close(go_read)
    os.close(go_write)
    to_middle.close()
    for fd in fds:
        os.close(fd)
    _, pidfds, _, _ = socket.recv_fds(from_helper, 16, 1)
    os.waitpid(helper, 0)
    if len(pidfds) != 1:
        _send(conn, ok=False, why="the kernel could not be forked")
        return 1
    _send(conn, ok=True)
    select.select([pidfds[0]], [], [])   # readable when the kernel has ended
    _send(conn, exit=0)   # its status went to its parent, the sandbox's init
    return 0


def env_differs(wanted: dict, have: dict) -> str | None:
    """Why a kernel with environment ``wanted`` may not be forked from a process whose environment is
    ``have`` (None: it may)."""
    names = sorted(n for n in set(wanted) | set(have) if n not in LATE_ENV and wanted.get(n) != have.get(n))
    return f"environment differs from the fork server's: {', '.join(names)}" if names else None


def room_differs(memory: int) -> str | None:
    """Why a kernel with the address-space limit ``memory`` (bytes, 0: none) should rather start afresh:
    a fork begins with everything the server mapped (TensorFlow: over 1 GiB of address space), so the
    limit must leave at least as much again for the kernel's own work. None: it may be forked."""
    if not memory:
        return None
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    if 2 * size > memory:
        return f"the memory limit ({memory >> 20} MiB) is under twice the fork server's {size >> 20} MiB"
    return None


def _user_chain(target: int) -> list[int]:
    """Descriptors of the user namespaces from the one below this process's down to ``target``'s
    (outermost first); empty when ``target`` is in this process's own user namespace."""
    own = os.stat("/proc/self/ns/user").st_ino
    fd = os.open(f"/proc/{target}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    chain = []
    while os.fstat(fd).st_ino != own:
        chain.insert(0, fd)
        if len(chain) > 8:
            raise OSError(0, "user namespaces nested too deep")
        fd = fcntl.ioctl(fd, NS_GET_PARENT)
    os.close(fd)
    return chain


def _enter(target: int, cwd: str, cgroup: str | None) -> None:
    """Join the sandbox of process ``target`` (pid as seen here): its pids cgroup, namespaces and root."""
    if cgroup:
        with open(os.path.join(cgroup, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))
    users = _user_chain(target)
    others = []
    for name, kind in NAMESPACES:
        if os.stat(f"/proc/{target}/ns/{name}").st_ino != os.stat(f"/proc/self/ns/{name}").st_ino:
            others.append((name, kind, os.open(f"/proc/{target}/ns/{name}", os.O_RDONLY | os.O_CLOEXEC)))
    if not any(name == "mnt" for name, _, _ in others) or not any(name == "pid" for name, _, _ in others):
        raise OSError(0, "the target is not in a sandbox of its own")
    root = os.open(f"/proc/{target}/root", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    if users:   # the outermost first: there this process has every capability, and so in what it owns
        _setns(users[0], CLONE_NEWUSER, "user")
    for name, kind, fd in others:
        _setns(fd, kind, name)
        os.close(fd)
    for fd in users[1:]:
        _setns(fd, CLONE_NEWUSER, "user")
    for fd in users:
        os.close(fd)
    os.fchdir(root)
    os.chroot(".")
    os.close(root)
    os.chdir(cwd)


# -- the kernel ------------------------------------------------------------------------------------------

class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_privileges() -> None:
    """Every capability set empty and no-new-privileges, as bubblewrap's ``--cap-drop ALL`` leaves a
    kernel it starts."""
    with open("/proc/sys/kernel/cap_last_cap") as last:
        for cap in range(int(last.read()) + 1):
            _check(_libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), f"drop capability {cap}")
    _check(_libc.prctl(PR_CAP_AMBIENT, 4, 0, 0, 0), "clear ambient capabilities")   # CLEAR_ALL
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no-new-privileges")
    number = SYS_CAPSET.get(os.uname().machine)
    if number is None:
        raise OSError(0, f"capset: unknown system call number on {os.uname().machine}")
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()   # _LINUX_CAPABILITY_VERSION_3
    _check(_libc.syscall(number, ctypes.byref(header), data), "capset")


def privileges_dropped() -> str | None:
    """None when ``/proc/self/status`` shows no capability of any kind and no-new-privileges."""
    with open("/proc/self/status") as status:
        fields = dict(line.rstrip("\n").split(":\t", 1) for line in status if ":\t" in line)
    for name in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        if int(fields.get(name, "1"), 16):
            return f"{name} is {fields.get(name)}"
    return None if fields.get("NoNewPrivs") == "1" else "NoNewPrivs is not set"


def _reseed() -> None:
    import random

    random.seed()
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()


def _become_kernel(request: dict, fds: list[int]) -> None:
    try:
        os.setsid()
        for number, fd in enumerate(fds):
            os.dup2(fd, number)
        os.closerange(3, 1 << 16)
        drop_privileges()
        _sandbox()._set_rlimits(request["limit"], processes=True)   # NPROC too: inside the user namespace
        sys.modules.pop(_SANDBOX, None)
        if getattr(sys.modules.get("__mp_main__"), "__file__", None) == __file__:   # multiprocessing's alias of
            del sys.modules["__mp_main__"]                                           # this server's __main__
        _check(_libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl DUMPABLE")
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ.update(_SET_BY_IMPORTS)
        _reseed()
        why = privileges_dropped()
        if why:
            raise OSError(0, why)
        argv = [str(a) for a in request["argv"]]
    except BaseException as err:
        try:
            os.write(2, f"coursekit kernel fork: {err}\n".encode())
        finally:
            os._exit(EXIT_SETUP)
    import runpy

    sys.argv = ["ipykernel_launcher", *argv]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
    raise SystemExit(0)


# -- the grading process's side ----------------------------------------------------------------------------

def start(folder: str, environ: dict) -> tuple[object, str]:
    """Start a fork server whose socket is in ``folder`` (a folder of this grading process's own), with
    the environment ``environ`` (a sandboxed kernel's: ``sandbox.kernel_process_env``). Returns (the
    process, the socket's path); it ends with this process (or when terminated)."""
    import subprocess

    path = os.path.join(folder, "fork.sock")
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), path, str(os.getpid())], env=environ,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/",
                            start_new_session=True)
    return proc, path


def request_kernel(path: str, sandbox_pid: int, cwd: str, env: dict, limit: dict, argv: list[str],
                   cgroup: str | None, timeout: float = 120) -> socket.socket:
    """Ask the server at ``path`` for a kernel in the sandbox of ``sandbox_pid``, with this process's
    stdin, stdout and stderr. Returns the connection, on which the exit status arrives later; raises
    OSError (ConnectionError, a refusal) when no kernel was forked."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(timeout)
        conn.connect(path)
        message = json.dumps({"sandbox_pid": sandbox_pid, "cwd": cwd, "env": env, "limit": limit,
                              "argv": argv, "cgroup": cgroup}).encode()
        socket.send_fds(conn, [message], [0, 1, 2])
        conn.shutdown(socket.SHUT_WR)
        reply = _read_line(conn)
        if not reply.get("ok"):
            raise ConnectionError(reply.get("why") or "the fork server closed the connection")
        conn.settimeout(None)
        return conn
    except BaseException:
        conn.close()
        raise


def _read_line(conn: socket.socket) -> dict:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            break
    try:
        return json.loads(data) if data else {}
    except ValueError:
        return {}


def exit_code(conn: socket.socket) -> int:
    """Wait for the forked kernel to end; its exit code (128 + signal where a signal ended it)."""
    code = _read_line(conn).get("exit", 1)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    _load_sandbox()   # the limits' home, beside this file (see _sandbox)
    del sys.path[0]   # as the kernel's own start does: this file's folder is on no kernel's path
    serve(sys.argv[1], int(sys.argv[2]))
