"""What grading found about a submission, as data: a :class:`Finding` has a ``kind``, the ``cell`` it
concerns (a grade id, or None for the notebook as a whole) and a ``message`` for people.

Decisions read the kind and the cell, never the wording: :func:`voids` (the audit found code that
can forge the checks), where the formgrader comment goes, whether make grade reports a submission as
rejected. A Finding is also a ``str`` (its message), so tables, logs and records show it as before.
"""
from __future__ import annotations

FORGING = "forging"   # code that can change a verdict or reach outside the notebook (audit)
ODD = "odd"           # code an answer never needs, that cannot forge a verdict (audit): score kept
REPAIR = "repair"     # what the intake mended towards the release notebook (lost metadata, copies...)
REJECT = "reject"     # not a notebook (or not the student's): graded as the blank release
TIMEOUT = "timeout"   # a cell stopped at the time limit
SLOW = "slow"         # make grade: the run took far longer than the class's usual one (classgrade.slow_outliers)
FAILURE = "failure"   # make grade: grading did not finish (nbgrader or the kernel gave up, the wall limit) or
                      # could not write a flag: the instructor must look; the message says what happened
KINDS = (FORGING, ODD, REPAIR, REJECT, TIMEOUT, SLOW, FAILURE)
# The error names a cell's outputs hold when it stopped at the time limit: nbclient's interrupt reaching the
# kernel, nbgrader's own timeout error (Execute.error_on_timeout), and a judge's question that did either
# (coursekit.grading.judge.QuestionStopped). FlagForReview turns them into a TIMEOUT finding.
STOPPED_ERROR = "CellTimeoutError"   # the error a judge's stopped question shows as (nbgrader's own name)
TIMEOUT_ERRORS = ("KeyboardInterrupt", STOPPED_ERROR)


class Finding(str):
    """One finding: ``str(finding)`` is its message."""

    kind: str
    cell: str | None

    def __new__(cls, message: str, kind: str, cell: str | None = None):
        if kind not in KINDS:
            raise ValueError(f"unknown kind of finding {kind!r}")
        self = super().__new__(cls, message)
        self.kind, self.cell = kind, cell
        return self

    @property
    def message(self) -> str:
        return str.__str__(self)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "cell": self.cell, "message": self.message}

    @classmethod
    def from_dict(cls, data) -> "Finding":
        """Read one back (from notebook metadata the pipeline wrote); anything malformed - which only
        a tampered notebook could hold - is a forging finding that says so."""
        if isinstance(data, dict) and data.get("kind") in KINDS and isinstance(data.get("message"), str):
            cell = data.get("cell")
            return cls(data["message"][:4000], data["kind"], cell if isinstance(cell, str) else None)
        return cls("the grading pipeline's own findings were malformed", FORGING)

    def __reduce__(self):  # copies and pickles keep the kind and the cell
        return (Finding, (self.message, self.kind, self.cell))


def voids(findings) -> bool:
    """Whether these findings void the automatic score (hostile input earns nothing)."""
    return any(getattr(f, "kind", None) == FORGING for f in findings or [])
