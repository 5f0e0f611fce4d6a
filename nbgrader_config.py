"""nbgrader configuration for the VGG-in-Keras course (the repo root is the course directory)."""
c = get_config()  # noqa: F821 - provided by nbgrader/traitlets when this file is loaded

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
# such as "I0000 00:00:... port.cc" or "W0000 ..."); drop those lines, nothing else.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?m)^(?:[IWE]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ \S+:\d+\]|WARNING: All log messages before absl::InitializeLog\(\))"
