"""The course kit, by who uses it:

- ``coursekit.notebook``: the code every student notebook carries (carried, packed, by the locked setup cell);
- ``coursekit.authoring``: the build from lesson templates and solutions to the committed notebooks;
- ``coursekit.grading``: what an instructor runs to grade (intake, sandbox, nbgrader steps, class runs);
- ``coursekit.devtools``: what only tests, benchmarks, CI and the demo need.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository: lessons/, solutions/, source/, release/
