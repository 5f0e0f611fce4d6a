"""The temporary files of a grading process (make grade's class run), in one folder that outlives it
by one run at most.

A class run writes a few files per submission outside the course directory: each nbgrader run's
stderr log and findings file (``runner.py``), the sandboxed kernelspec and socket folders
(``classgrade.py``) and the kernel fork server's socket (``preprocessors.shared_kernel_fork``). They
are removed when the run ends - but a run that is killed (``kill -9``, a CI timeout, a closed
terminal) never reaches its clean-up. So they all live in :func:`folder`, one folder per process,
named after the process's pid and start time: the next grading process to make its own folder
removes every folder of this user whose process no longer runs (:func:`sweep`). A pid reused by
another process has another start time, so a stale folder is never taken for a live one.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from pathlib import Path

PREFIX = "course-grading-"
_FOLDERS: dict[int, Path] = {}
_LOCK = threading.Lock()   # a class run's worker threads ask at once


def _start_time(pid: int) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot, /proc/<pid>/stat), None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _name(pid: int) -> str | None:
    started = _start_time(pid)
    return f"{PREFIX}{pid}-{started}" if started else None


def sweep(root: str | None = None) -> list[str]:
    """Remove the grading folders in ``root`` (the system's temporary folder) that belong to this user
    and to no running process; returns their names."""
    root = root or tempfile.gettempdir()
    removed = []
    if _start_time(os.getpid()) is None:   # no /proc to tell the living from the dead: remove nothing
        return removed
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PREFIX):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.geteuid():
                continue
            pid = int(entry.name[len(PREFIX):].split("-", 1)[0])
        except (OSError, ValueError):
            continue
        if _name(pid) != entry.name:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.name)
    return removed


def folder() -> Path:
    """This process's grading folder (made on first use, after a :func:`sweep`; removed at exit)."""
    pid = os.getpid()
    with _LOCK:
        return _FOLDERS.get(pid) or _make(pid)


def _make(pid: int) -> Path:
    root = tempfile.gettempdir()
    sweep(root)
    path = Path(root) / (_name(pid) or f"{PREFIX}{pid}-0")
    path.mkdir(mode=0o700, exist_ok=True)
    if not _FOLDERS:
        atexit.register(remove)
    _FOLDERS[pid] = path
    return path


def remove() -> None:
    """Remove this process's grading folder now (atexit does it too)."""
    path = _FOLDERS.pop(os.getpid(), None)
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)
