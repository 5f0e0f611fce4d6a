"""nbgrader configuration for the VGG-in-Keras course (the repo root is the course directory).

Every way of grading reads this file - plain `nbgrader autograde`, the formgrader's Autograde
button, `make grade` - so the course's defences live here, inside nbgrader's own pipeline
(coursekit/grading/preprocessors.py): intake repair and audit, flags in the gradebook, output limits,
feedback without hidden tests, and each kernel in the grading sandbox (coursekit/grading/sandbox.py).
"""
import os
import sys

c = get_config()  # noqa: F821 - provided by nbgrader/traitlets when this file is loaded

# The course kit sits beside this file in the repository; a copied course directory is told where it
# is by COURSE_KIT_ROOT (coursekit.grading.coursedir.nbgrader_env sets it).
for _root in (os.path.dirname(os.path.abspath(__file__)), os.environ.get("COURSE_KIT_ROOT", "")):
    if _root and os.path.isdir(os.path.join(_root, "coursekit")) and _root not in sys.path:
        sys.path.insert(0, _root)
        break

try:
    from coursekit.grading import preprocessors as steps  # noqa: E402
except ImportError as err:  # without the kit nbgrader would grade with none of the settings below
    raise SystemExit(f"nbgrader_config.py: cannot import the course kit ({err}); run nbgrader from the course "
                     "repository, or set COURSE_KIT_ROOT to it") from None

c.CourseDirectory.course_id = "vgg-keras"

# What students see in place of each solution region: a '# TODO' marker and a statement,
# so that a stubbed function still has a body and fails loudly when called.
c.ClearSolutions.code_stub = {"python": "# TODO\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Training cells run for seconds in fast mode (which nbgrader execution switches on), but the
# 30 s default is too tight on a busy 2-core grader: allow 120 s a cell, then interrupt.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# Anything on stderr scores a test cell 0. TensorFlow's C++ runtime logs to stderr (absl lines
# such as "I0000 00:00:1795448526.675213  2665 port.cc:153] ..." or "E0000 ..."); the notebooks
# already silence them (TF_CPP_MIN_LOG_LEVEL=3); this drops any that still get through.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?m)^(?:[IWEF]\d{4} [\d:.]+ +\d+ \S+:\d+\]|WARNING: All log messages before absl::InitializeLog\(\))"

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, GetGrades, IgnorePattern,
    LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades)

# Intake first: repair towards the release notebook and audit, before nbgrader's own checks (one
# duplicated grade cell would otherwise abort the run; lost metadata would score 0); and only the
# notebook is graded: the other files nbgrader copied from submitted/ (symlinks followed) are removed
# before any kernel starts, so they reach neither the kernel nor feedback/.
c.Autograde.exporter_class = steps.SubmissionExporter
c.Autograde.sanitize_preprocessors = [steps.CourseIntake, ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                      OverwriteCells, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [steps.JudgedExecute, IgnorePattern, steps.RecallIntake, ClearMetadataPreprocessor,
                                       LimitOutput, steps.SanitizeOutputs, steps.VoidForgedTests, SaveAutoGrades,
                                       steps.FlagForReview, AssignLatePenalties, CheckCellMetadata]
# The test cells of a judged lesson never run in the student's kernel: the judge, in this process,
# asks the kernel for data and decides (JudgedExecute, coursekit/grading/judge/); other lessons' test
# cells run there out of the input history. The audit stays as defence in depth and the instructor's
# flag: code that can forge the checks earns no automatic points (VoidForgedTests, the course's
# policy on hostile input) and is flagged for a human look; code that is merely odd (a shell escape,
# sys.exit) keeps its score, flagged.
# The kernel starts without the notebook's folder on sys.path: a module file the notebook writes
# cannot be imported behind the audit's back. Errors print as Python prints them (xmode Plain: each
# frame's file, line and code line) instead of IPython's Context form, which parses every frame's
# source for a few lines around it: 40 ms an error, 150 ms the first, in a grading kernel, and a blank
# lesson raises a dozen. The student reads the same error and line in the feedback, without the
# surrounding lines.
c.Execute.extra_arguments = ["--InteractiveShellApp.ignore_cwd=True", "--InteractiveShell.xmode=Plain"]
# Feedback goes to students: no hidden test code, nothing the hidden tests' cells printed.
c.GenerateFeedback.preprocessors = [GetGrades, steps.HideHiddenTests, CSSHTMLHeaderPreprocessor]

# Each grading kernel in the bubblewrap sandbox where it works (COURSE_SANDBOX=auto|on|off).
steps.select_kernel(c, os.getcwd())
# The static audit: COURSE_AUDIT=on (the default) | off, read by CourseIntake (which make grade and plain
# nbgrader autograde both run); off only to show that the judge holds without it. Checked here, at start-up.
steps.announce_audit()
