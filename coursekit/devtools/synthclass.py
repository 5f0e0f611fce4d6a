"""A synthetic class: N students' submissions of one lesson, made from its release notebook.

Used by the class-grading tests and by the benchmark (``make bench``): a mix of what a real
class hands in - complete, partial and untouched notebooks, notebooks downloaded from Colab
(with or without their grading metadata), a duplicated answer cell, and files that are not
notebooks at all. Every submission is built from the committed master and release notebooks,
never hand-edited, and each comes with the score a correct grader must give it.

    python -m coursekit.devtools.synthclass 01_mnist_vgg_subclassing 40 <course>   # writes submitted/
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from coursekit.devtools import studentwork
from coursekit.grading import nbmeta
from coursekit.grading.coursedir import Course
from coursekit.grading.nbmeta import grade_meta
from coursekit import ROOT

# kind: share of the class. A class of 8 or more gets one of each kind; the rest is shared out by
# these weights (largest remainder).
MIX = {
    "full": 0.30,
    "partial": 0.25,
    "blank": 0.10,
    "colab_saved": 0.10,          # full answers, downloaded from Colab
    "colab_metadata_lost": 0.10,  # partial answers, nbgrader metadata lost on the way
    "duplicated_answer": 0.05,    # full answers, one answer cell copied (stub left above it)
    "malformed_json": 0.05,       # cut off mid-download: rejected
    "empty_file": 0.05,           # rejected
}


@dataclass
class Submission:
    kind: str
    data: bytes
    solved: list[str]             # answer cells filled in
    expected: float | None        # the score a correct grader gives; None: rejected, no score


def dump(nb: dict) -> bytes:
    """A notebook's bytes as Jupyter writes them."""
    return (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode()


def colab_saved(nb: dict, keep_nbgrader: bool = True) -> dict:
    """What Colab writes when a student downloads the notebook: nbformat 4.0 (no top-level cell
    ids; Colab keeps its own id in cell metadata), its 'colab' notebook metadata, per-cell
    'colab'/'outputId' keys, execution counts, outputs in its own shape, and (optionally) the
    nbgrader metadata lost, as some editors do."""
    out = {"nbformat": 4, "nbformat_minor": 0,
           "metadata": {"colab": {"provenance": [], "gpuType": "T4", "toc_visible": True},
                        "kernelspec": {"name": "python3", "display_name": "Python 3"},
                        "language_info": {"name": "python"}, "accelerator": "GPU"},
           "cells": []}
    count = 0
    for i, cell in enumerate(nb["cells"]):
        digest = hashlib.sha1(f"{i}{cell.get('id')}".encode()).hexdigest()
        meta = {"id": digest[:12]}
        if keep_nbgrader and "nbgrader" in cell.get("metadata", {}):
            meta["nbgrader"] = cell["metadata"]["nbgrader"]
            meta.update({k: cell["metadata"][k] for k in ("deletable", "editable") if k in cell["metadata"]})
        if cell.get("metadata", {}).get("cellView"):
            meta["cellView"] = cell["metadata"]["cellView"]
        new = {"cell_type": cell["cell_type"], "metadata": meta, "source": cell["source"]}
        if cell["cell_type"] == "code":
            count += 1
            meta["colab"] = {"base_uri": "https://localhost:8080/"}
            meta["outputId"] = digest[12:24]
            new["execution_count"] = count
            new["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["(output as run in Colab)\n"]}]
        out["cells"].append(new)
    return out


def _counts(n: int) -> dict[str, int]:
    base = 1 if n >= len(MIX) else 0
    rest = n - base * len(MIX)
    raw = {kind: share * rest for kind, share in MIX.items()}
    counts = {kind: int(value) for kind, value in raw.items()}
    for kind in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: rest - sum(counts.values())]:
        counts[kind] += 1
    return {kind: count + base for kind, count in counts.items()}


def synthetic_class(lesson: str, n: int, seed: int = 0, root: Path = ROOT) -> dict[str, Submission]:
    """{student id: Submission} for ``n`` students of ``lesson`` (ids s001, s002, ...), shuffled
    with ``seed`` so that kinds are spread over the class, as they would be."""
    master, release = Course(root).read("source", lesson), Course(root).read("release", lesson)
    answers = nbmeta.answer_ids(master)
    tests_of = nbmeta.exercise_tests(master)
    points = {grade_meta(c)["grade_id"]: float(grade_meta(c)["points"]) for c in master.cells if grade_meta(c).get("grade")}
    rng = random.Random(seed)

    def score(solved):
        return sum(points[t] for a in solved for t in tests_of[a])

    def filled(solved) -> dict:
        return json.loads(nbformat.writes(studentwork.make_submission(master, release, solved)))

    def partial():
        return sorted(rng.sample(answers, rng.randint(1, len(answers) - 1)), key=answers.index)

    kinds = [kind for kind, count in _counts(n).items() for _ in range(count)]
    rng.shuffle(kinds)
    out = {}
    for i, kind in enumerate(kinds, 1):
        solved = answers if kind in ("full", "colab_saved", "duplicated_answer") else []
        if kind in ("partial", "colab_metadata_lost"):
            solved = partial()
        nb = filled(solved)
        if kind == "colab_saved":
            nb = colab_saved(nb)
        elif kind == "colab_metadata_lost":
            nb = colab_saved(nb, keep_nbgrader=False)
        elif kind == "duplicated_answer":
            # The student copied the cell, solved the copy and left the stub above it.
            stub = next(c for c in filled([])["cells"] if grade_meta(c).get("grade_id") == answers[0])
            at = next(j for j, c in enumerate(nb["cells"]) if grade_meta(c).get("grade_id") == answers[0])
            nb["cells"].insert(at, {**copy.deepcopy(stub), "id": f"copy-{stub['id']}"[:64]})
        data = dump(nb)
        if kind == "malformed_json":
            data = data[: len(data) // 3]
        elif kind == "empty_file":
            data = b""
        expected = None if kind in ("malformed_json", "empty_file") else score(solved)
        out[f"s{i:03d}"] = Submission(kind, data, list(solved), expected)
    return out


def write_class(course: Path, lesson: str, n: int, seed: int = 0, root: Path = ROOT) -> dict[str, Submission]:
    """Hand in a synthetic class: ``submitted/<student>/<lesson>/<lesson>.ipynb`` under ``course``."""
    subs = synthetic_class(lesson, n, seed, root)
    for student, sub in subs.items():
        path = Course(course).submitted(lesson, student)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sub.data)
    return subs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic class's submissions of one lesson.")
    parser.add_argument("lesson")
    parser.add_argument("n", type=int)
    parser.add_argument("course", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for student, sub in write_class(args.course, args.lesson, args.n, args.seed).items():
        expected = "rejected" if sub.expected is None else f"{sub.expected:g}"
        print(f"{student}  {sub.kind:<20} expected {expected}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
