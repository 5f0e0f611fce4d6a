"""A grading process's temporary files (coursekit/grading/scratch.py): one folder per process, removed
at its exit - and, when the process was killed before its clean-up, by the next grading process."""
import os
import subprocess
import sys

from coursekit.grading import scratch

KILLED = """
import os, signal
from coursekit.grading import scratch
path = scratch.folder()
(path / "nbgrader-1.log").write_text("a log a killed class run leaves")
print(path, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_runs_folder_is_removed_by_the_next_run_and_a_living_ones_kept(tmp_path):
    run = subprocess.run([sys.executable, "-c", KILLED], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "TMPDIR": str(tmp_path)})
    assert run.returncode == -9, run.stderr
    killed = tmp_path / os.path.basename(run.stdout.strip())
    assert killed.parent == tmp_path and (killed / "nbgrader-1.log").exists(), "the killed run left its folder"
    # A living process's folder (this test's parent, named with its real start time) and what is not a
    # grading folder stay; a folder named for a living pid with another start time (the pid was reused) goes.
    living = tmp_path / scratch._name(os.getppid())
    reused = tmp_path / f"{scratch.PREFIX}{os.getppid()}-1"
    other = tmp_path / "course-something-else"
    for path in (living, reused, other):
        path.mkdir()
    assert sorted(scratch.sweep(str(tmp_path))) == sorted([killed.name, reused.name])
    assert living.exists() and other.exists() and not killed.exists() and not reused.exists()


def test_one_folder_per_process_removed_at_exit(tmp_path):
    script = ("from coursekit.grading import scratch\n"
              "a, b = scratch.folder(), scratch.folder()\n"
              "assert a == b and a.is_dir() and oct(a.stat().st_mode)[-3:] == '700'\n"
              "print(a)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "TMPDIR": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    path = run.stdout.strip()
    assert os.path.dirname(path) == str(tmp_path) and os.path.basename(path).startswith(scratch.PREFIX)
    assert not os.path.exists(path), "the folder outlived its process"
