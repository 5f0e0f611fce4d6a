"""`make demo`: grade the bundled sample submissions of every lesson, as an instructor would.

For each lesson it registers the assignment in a fresh SQLite gradebook (`nbgrader
generate_assignment`), hands in three sample students made from the committed notebooks
(sample_full: every exercise solved; sample_partial: the first half; sample_blank: the release
notebook untouched), autogrades them the way `make grade` does (coursekit.grading.classgrade: checked,
then one `nbgrader autograde` run per student), exports the grades CSV and prints the table.

The course directory is `demo-course/` (ignored by git). Data: the folder in COURSE_DATA_DIR if
set, otherwise stand-in datasets generated into `demo-course/data/` - announced, never silent.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from coursekit.devtools import studentwork, standins
from coursekit.grading import classgrade, coursedir, gradebook, runner, sandbox
from coursekit.authoring.build import ROOT, lesson_ids


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, default=ROOT / "demo-course", help="course directory to (re)create")
    parser.add_argument("lessons", nargs="*", help="lesson ids (default: every lesson)")
    args = parser.parse_args(argv)
    course: Path = args.course
    lessons = args.lessons or lesson_ids()

    if course.exists():
        shutil.rmtree(course)
    data_dir = os.environ.get("COURSE_DATA_DIR")
    if not data_dir:
        data_dir = str(course / "data")
        print("=" * 78)
        print(f"COURSE_DATA_DIR is not set: the demo grades on STAND-IN datasets written to {data_dir}")
        print("(small synthetic data in the official file formats; set COURSE_DATA_DIR to use real data)")
        print("=" * 78)
        standins.write_all(data_dir)
    env = {"COURSE_DATA_DIR": data_dir}
    why = sandbox.available()
    if why:  # the demo grades the course's own sample students, so it may choose to go without
        print(f"NOTE: the grading sandbox cannot start here ({why}); the demo grades its own sample "
              "students UNSANDBOXED (SANDBOX=off). Real grading refuses to run like this.")

    coursedir.prepare_course(course, lessons)
    for lesson in lessons:
        samples = studentwork.submit_samples(course, lesson)
        start = time.perf_counter()
        results = classgrade.grade_class(course, lesson, env=env, progress=None,
                                         sandboxed="off" if why else "on").results
        seconds = time.perf_counter() - start
        print(f"autograded {lesson}: {len(samples)} submissions in {seconds:.1f} s "
              f"({seconds / len(samples):.1f} s per submission)")
        look = [r for r in results if r.needs_look]
        if look:
            print(runner.report(look))

    csv_path = course / "grades.csv"
    rows = gradebook.export_csv(course, csv_path)
    print()
    print(gradebook.grade_table(rows))
    print()
    print(f"gradebook: {course / 'gradebook.db'}\ngrades CSV: {csv_path}\n"
          f"autograded notebooks: {course / 'autograded'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
