"""Repository contracts: pinned versions agree, CI runs the README's command, badges point right."""
import re

from coursekit.authoring import build

ROOT = build.ROOT


def pins(lines):
    return {m.group(1).lower(): m.group(2) for line in lines
            if (m := re.match(r"^\s*(?:-\s*)?([A-Za-z0-9_.\-]+)==([^\s#]+)", line))}


def test_requirements_and_environment_pin_the_same_packages():
    req = pins((ROOT / "requirements.txt").read_text().splitlines())
    env_lines = (ROOT / "environment.yml").read_text().splitlines()
    env = pins(env_lines)
    assert req and req == env, f"requirements.txt {req} != environment.yml {env}"
    assert any(re.match(r"\s*-\s*python=3\.11\s*$", line) for line in env_lines)
    for name in ("tensorflow-cpu", "keras", "nbgrader", "nbval", "jupyterlab", "numpy", "matplotlib", "pytest"):
        assert name in req, f"{name} is not pinned"
    assert req["keras"].startswith("3.") and req["nbgrader"].startswith("0.9.")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^make test$", ci, re.M)
    assert "make test" in readme and "make demo" in readme


def test_ci_then_runs_the_notebooks_on_colabs_stack():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test-colab$", ci, re.M), ".ci/run does not run make test-colab"
    assert ci.index("\nmake test\n") < ci.index("\nmake test-colab\n"), "make test-colab must come after make test"
    colab = pins((ROOT / "requirements-colab.txt").read_text().splitlines())
    for name in ("keras", "numpy", "matplotlib", "ipython", "ipykernel", "nbclient"):
        assert name in colab, f"requirements-colab.txt does not pin {name}"
    assert "tensorflow-cpu" in colab or "tensorflow" in colab
    assert "make test-colab" in (ROOT / "README.md").read_text()
    assert ".venv-colab/" in (ROOT / ".gitignore").read_text().split()


def test_colab_check_uses_the_tests_standin_sizes(monkeypatch):
    import conftest
    from coursekit.devtools import colabcheck

    assert colabcheck.STANDIN_SIZES == conftest.STANDIN_SIZES
    monkeypatch.delenv("COURSE_LESSONS", raising=False)
    assert [p.stem for p in colabcheck.master_notebooks()] == build.lesson_ids()


def test_readme_has_a_colab_badge_per_lesson():
    readme = (ROOT / "README.md").read_text()
    for lesson in build.lesson_ids():
        assert build.colab_url(lesson) in readme, f"README lacks the Colab link of {lesson}"
        for language in build.edition_languages():
            assert build.colab_url(lesson, language=language) in readme, f"README lacks the {language} link of {lesson}"
            translated = (ROOT / f"README.{language}.md").read_text()
            assert build.colab_url(lesson, language=language) in translated, f"README.{language}.md lacks {lesson}"


def test_installed_versions_match_the_pins():
    from importlib.metadata import version

    req = pins((ROOT / "requirements.txt").read_text().splitlines())
    wrong = {name: (want, version(name)) for name, want in req.items() if version(name) != want}
    assert not wrong, f"installed versions differ from requirements.txt (run make setup): {wrong}"


def test_bench_sums_make_tests_worker_time_per_module(tmp_path):
    """`make bench BENCH_ARGS=--make-test` says where the suite's time goes: JUnit times per test module,
    the notebooks under nbval together, the largest first."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    junit = tmp_path / "junit.xml"
    junit.write_text('<testsuites><testsuite name="pytest">'
                     '<testcase classname="tests.test_pipeline.TestLesson01" name="a" time="10.5"/>'
                     '<testcase classname="tests.test_pipeline.TestLesson02" name="b" time="4.5"/>'
                     '<testcase classname="tests.test_judge" name="c" time="3"/>'
                     '<testcase classname="tests.test_scratch" name="d" time="1"/>'
                     '<testcase classname="source.01_mnist.01_mnist.ipynb" name="Cell 1" time="6"/>'
                     '<testcase classname=".editions.ko.01_mnist.ipynb" name="Cell 1" time="2"/>'
                     '</testsuite></testsuites>')
    got = bench.worker_seconds(junit, top=2)
    assert list(got) == ["test_pipeline", "notebooks under nbval", "everything else", "total"]
    assert got == {"test_pipeline": 15.0, "notebooks under nbval": 8.0, "everything else": 4.0, "total": 27.0}
