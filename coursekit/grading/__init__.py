"""The instructor's side: read, repair and audit submissions (intake, audit), nbgrader's own
pipeline steps (preprocessors, registered in nbgrader_config.py), the sandboxed kernel
(sandbox), one student's nbgrader run (runner), a whole class (classgrade), and the
gradebook read back (gradebook). coursedir knows the course directory's layout."""
