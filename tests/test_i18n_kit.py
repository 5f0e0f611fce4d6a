"""The kit's own sentences in the Korean edition (coursekit/notebook/*.py through ``course_text`` and
coursekit/locale/ko/kit.json), and a font with Hangul for the plots (``runtime.hangul_plot_font``)."""
import re
import types

import pytest

from coursekit import locale
from coursekit.authoring import build, translations
from coursekit.notebook import archcheck, checks, handin, i18n, runtime

KO = locale.catalogue("ko")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture
def korean(monkeypatch):
    """A Korean notebook, as the modules imported here see it: COURSE_LANG=ko and the catalogue that the
    setup cell carries (``COURSE_MESSAGES``, read from the i18n module's namespace)."""
    monkeypatch.setenv("COURSE_LANG", "ko")
    monkeypatch.setattr(i18n, "COURSE_MESSAGES", {"ko": KO}, raising=False)


@pytest.fixture
def english(monkeypatch):
    """COURSE_LANG unset, even with a catalogue at hand: English, as it always was."""
    monkeypatch.delenv("COURSE_LANG", raising=False)
    monkeypatch.setattr(i18n, "COURSE_MESSAGES", {"ko": KO}, raising=False)


# ---- the catalogue ---------------------------------------------------------------------------------

def test_every_kit_sentence_has_korean_that_keeps_its_values():
    """Each template of the kit, filled with recognisable values: the Korean has Hangul and every value."""
    wanted = translations.kit_messages()
    assert wanted and set(wanted) <= set(KO), sorted(set(wanted) - set(KO))[:5]
    for template in wanted:
        count = len(set(re.findall(r"(?<!\{)\{(\d+)\}(?!\})", template)))
        values = [f"<v{n}>" for n in range(count)]
        said = i18n.course_text(template, *values, language="ko", catalogue=KO)
        assert HANGUL.search(said) or not re.search(r"[^\W\d_]", re.sub(r"\{\d+\}", "", KO[template])), template
        assert all(v in said for v in values), (template, said)


def test_course_text_templates_are_taken_as_written():
    """``course_text``'s first argument is already a template: ``{0}`` stays ``{0}`` (not ``{{0}}``)."""
    source = 'course_text("{0}: expected shape {1}, found {2}.", a, b, c)\ncourse_text("x" if a else "no GPU")'
    assert translations.messages_in(source) == ["{0}: expected shape {1}, found {2}.", "no GPU"]


# ---- Korean in a Korean notebook -------------------------------------------------------------------

def test_the_shape_message_in_korean(korean):
    with pytest.raises(checks.CheckFailed) as info:
        checks.expect_shape([[1, 2, 3]], (3,), "the first batch")
    assert str(info.value) == "the first batch: 기대한 모양은 (3,)인데, 실제 모양은 (1, 3)입니다."


def test_hand_in_messages_in_korean(korean):
    expected = {"graded": {"t1": 1}, "answers": ["a1"], "locked": ["setup"], "names": {"a1": "prepare_images",
                "setup": "Course setup"}, "exercise_of": {"t1": "a1"}}
    nb = {"cells": [{"metadata": {"nbgrader": {"grade_id": "a1"}}, "source": "raise NotImplementedError()"}]}
    problems = handin.handin_problems(nb, expected)
    assert problems == [
        "테스트 셀 't1' (연습 문제 prepare_images): 셀이 없거나 채점 메타데이터가 사라졌습니다 - 노트북의 새 사본에서 복원하세요",
        "잠긴 셀 '코스 설정'이 없습니다 - 새 사본에서 복원하세요",
        "연습 문제 prepare_images: 아직 완성되지 않았습니다 - 셀이 여전히 NotImplementedError를 일으킵니다"]
    said = handin.handin_message(problems, expected, "x.ipynb")
    assert said.startswith("NOT READY - 아직 제출할 준비가 되지 않았습니다 (x.ipynb): 테스트 셀 't1'")
    assert "(그 밖에 2건 더: 잠긴 셀" in said and said.endswith(".")
    ready = handin.handin_message([], expected, "x.ipynb")
    assert ready.startswith("Ready to hand in - 제출 준비 완료 (x.ipynb): 테스트 셀 1개")


def test_an_architecture_mismatch_in_korean_lines_up_its_table(korean):
    spec = [{"kind": "Conv2D", "filters": 8}, {"kind": "Dense", "units": 10}]
    found = [{"name": "conv", "kind": "Conv2D", "filters": 4}, {"name": "dense", "kind": "Dense", "units": 10}]
    with pytest.raises(archcheck.ArchitectureMismatch) as info:
        archcheck.compare_architecture(spec, found)
    message, table = str(info.value).split("\n\n")
    assert message == "층 1(여러분의 'conv', Conv2D): 기대한 것은 필터 8개인데, 실제로는 4입니다."
    rows = table.splitlines()
    assert "기대" in rows[0] and "실제" in rows[0]
    bars = {archcheck._arch_width(row[:row.index("|")]) for row in rows}
    assert len(bars) == 1, table   # Hangul takes two columns: the "|" still lines up
    with pytest.raises(archcheck.ArchitectureMismatch, match=r"^모델의 파라미터가 모두 12개인데 10개여야 합니다\(2개 많음\)\.$"):
        archcheck.compare_architecture([], [], 10, 12)


def test_runtime_lines_in_korean(korean, capsys):
    runtime.full_mode_device_check("about 40-60 minutes (an estimate)", environ={}, gpu=False, stop=False)
    assert capsys.readouterr().out == "CPU에서 full 모드로 실행합니다: 학습에 약 40-60분 (추정치) 걸립니다 (GPU가 더 빠릅니다).\n"
    log = runtime.EpochLog("member 1")
    log.params, log._clock, log._started, log._epoch_started = {"epochs": 2}, lambda: 12.0, 0.0, 2.0
    log.on_epoch_end(0, {"loss": 0.5})
    assert capsys.readouterr().out == "member 1: 에폭 1/2 - loss 0.5000 - 10.0초 - 약 12초 남음\n"


def test_the_kit_pasted_into_a_notebook_speaks_korean(monkeypatch):
    """In a notebook the modules run in one namespace after i18n, which finds COURSE_MESSAGES there."""
    monkeypatch.setenv("COURSE_LANG", "ko")
    namespace = {"__name__": "__main__"}
    for name, source in build.kit_sources().items():
        exec(compile(source, f"coursekit/notebook/{name}.py", "exec"), namespace)
    namespace["COURSE_MESSAGES"] = {"ko": KO}
    assert namespace["handin_message"]([], {"graded": {}, "answers": []}, "x").startswith("Ready to hand in - 제출")
    with pytest.raises(AssertionError, match="기대한 dtype은 float32인데"):
        namespace["expect_dtype"](namespace["np"].zeros(2, "int8"), "float32", "x")
    assert namespace["CourseStop"]("멈춤")._render_traceback_() == ["중지: 멈춤"]


# ---- the grader: an English verdict, then put into the notebook's language --------------------------

def test_the_graders_english_verdicts_translate_whole(english):
    spec = [{"kind": "Conv2D"}, {"kind": "MaxPooling2D"}, {"kind": "Dense"}]
    found = [{"name": "c", "kind": "Conv2D"}, {"name": "d", "kind": "Dense"}]
    with pytest.raises(archcheck.ArchitectureMismatch) as info:
        archcheck.compare_architecture(spec, found)
    said = i18n.course_translate(str(info.value), "ko", KO)
    # the grader writes English first; its articles ("a Dense": "a {0}") are translated inside the sentence
    assert said.startswith("층 2: MaxPooling2D 층이 와야 하는데 Dense 층이 있습니다(여러분의 'd').")
    assert "그 앞에 MaxPooling2D() 층이 빠진 것 같습니다." in said and "|  (same)" in said
    from coursekit.grading import judge

    class NoCount(dict):
        ok, error = True, ""
    passed, ename, message = judge.run_judge(lambda kernel: judge.need(NoCount(), "count"), None)
    assert (passed, ename, message) == (False, "NoAnswer", "no value for 'count'")
    assert i18n.course_translate(message, "ko", KO) == "'count' 값이 없습니다"


# ---- English stays as it was -----------------------------------------------------------------------

def test_english_is_unchanged_without_COURSE_LANG(english, capsys):
    with pytest.raises(checks.CheckFailed, match=r"^w: expected shape \(3,\), found \(1, 3\)\.$"):
        checks.expect_shape([[1, 2, 3]], (3,), "w")
    assert handin.handin_message(["exercise f is not done"], {}, "x") == "NOT READY to hand in (x): exercise f is not done."
    assert runtime.CourseStop("go")._render_traceback_() == ["STOP: go"]
    runtime.full_mode_device_check("about 11 hours", environ={"COURSE_FULL_ON_CPU": "yes"}, gpu=False)
    assert capsys.readouterr().out == "Full mode on the CPU, as you chose (COURSE_FULL_ON_CPU): training will take about 11 hours.\n"
    with pytest.raises(archcheck.ArchitectureMismatch, match=r"^Layer 1: expected an Activation, found a Dense \(your 'd'\)\.\n\n"):
        archcheck.compare_architecture([{"kind": "Activation"}], [{"name": "d", "kind": "Dense"}])


def test_course_setup_sets_a_hangul_font_only_in_korean(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(runtime, "hangul_plot_font", lambda: calls.append(1))
    monkeypatch.setattr(runtime, "quiet_logging", lambda: None)
    monkeypatch.setattr(runtime, "set_seed", lambda seed, deterministic=True: seed)
    monkeypatch.setenv("COURSE_MODE", "fast")
    monkeypatch.delenv("COURSE_LANG", raising=False)
    runtime.course_setup()
    assert calls == []
    monkeypatch.setenv("COURSE_LANG", "ko")
    runtime.course_setup()
    assert calls == [1]
    capsys.readouterr()


# ---- a font with Hangul for the plots ----------------------------------------------------------------

class FakeFonts:
    """matplotlib's font manager as hangul_plot_font uses it: ``ttflist`` and ``addfont``; a file's
    family is its name up to the first '-' (``NanumGothic-Bold.ttf``: NanumGothic), 'broken' files fail."""

    def __init__(self, *families):
        self.ttflist = [types.SimpleNamespace(name=f, fname=f"/sys/{f}.ttf") for f in families]
        self.added = []

    def addfont(self, path):
        name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].split("-")[0]
        if name == "broken":
            raise RuntimeError("FT2Font cannot read it")
        self.added.append(path)
        self.ttflist.append(types.SimpleNamespace(name=name, fname=path))


def pick(fonts, tmp_path, colab=False, environ=None, install=None):
    rc = {"font.family": ["sans-serif"], "axes.unicode_minus": True}
    family = runtime.hangul_plot_font(fonts, rc, folders=(str(tmp_path / "nanum"), str(tmp_path / "none")),
                                      environ=environ or {}, colab=colab, install=install)
    return family, rc


def never(*args):
    raise AssertionError("nothing to install: there is a font")


def test_a_korean_font_matplotlib_knows_is_chosen_first(tmp_path, capsys):
    family, rc = pick(FakeFonts("DejaVu Sans", "Noto Sans CJK JP", "NanumGothic"), tmp_path, colab=True, install=never)
    assert family == "NanumGothic"
    assert rc == {"font.family": ["DejaVu Sans", "NanumGothic"], "axes.unicode_minus": True}
    family, _ = pick(FakeFonts("DejaVu Sans", "Noto Sans CJK JP"), tmp_path, install=never)
    assert family == "Noto Sans CJK JP"   # the Japanese cut of Noto CJK has every Hangul syllable
    assert capsys.readouterr().out == ""


def test_a_font_installed_after_matplotlibs_cache_is_added_from_its_folder(tmp_path, capsys):
    (tmp_path / "nanum").mkdir()
    for name in ("broken.ttf", "NanumGothic-Bold.ttf", "README.txt"):
        (tmp_path / "nanum" / name).write_bytes(b"")
    fonts = FakeFonts("DejaVu Sans")
    family, rc = pick(fonts, tmp_path, colab=True, install=never)
    assert family == "NanumGothic" and rc["font.family"] == ["DejaVu Sans", "NanumGothic"]
    assert fonts.added == [str(tmp_path / "nanum" / "NanumGothic-Bold.ttf")]
    assert capsys.readouterr().out == ""


def test_colab_installs_fonts_nanum_when_there_is_no_korean_font(tmp_path, capsys):
    installed = []

    def install():
        installed.append(1)
        (tmp_path / "nanum").mkdir()
        (tmp_path / "nanum" / "NanumGothic.ttf").write_bytes(b"")
    family, _ = pick(FakeFonts("DejaVu Sans"), tmp_path, colab=True, install=install)
    assert installed == [1] and family == "NanumGothic"
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("colab, environ", [(False, {}), (True, {"NBGRADER_EXECUTION": "autograde"})])
def test_without_a_font_nothing_is_installed_outside_colab_or_while_grading(korean, tmp_path, capsys, colab, environ):
    family, rc = pick(FakeFonts("DejaVu Sans"), tmp_path, colab=colab, environ=environ, install=never)
    assert family is None and rc["font.family"] == ["sans-serif"]
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "fonts-nanum" in out and HANGUL.search(out), out


def test_a_failed_install_never_stops_the_lesson(korean, tmp_path, capsys):
    def install():
        raise OSError("apt-get: no network")
    family, _ = pick(FakeFonts("DejaVu Sans"), tmp_path, colab=True, install=install)
    assert family is None and "설정 셀을 다시 실행하세요" in capsys.readouterr().out


def test_a_real_korean_font_draws_hangul_without_missing_glyphs(recwarn, caplog):
    """With a Korean font on this machine (fonts-nanum: make system-deps), a plot's Hangul has glyphs, and
    so do a log axis's ticks (mathtext's minus sign, which the Korean font lacks: logged, to stderr)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context():
        family = runtime.hangul_plot_font(colab=False)
        if family is None:
            pytest.skip("no font with Hangul on this machine (install fonts-nanum)")
        fig, ax = plt.subplots()
        ax.set_title("에폭별 손실 -1")
        ax.plot([1, 2, 3], [1e-3, 1e-4, 1e-5])
        ax.set_yscale("log")
        fig.canvas.draw()
        plt.close(fig)
    assert not [w for w in recwarn if "missing from" in str(w.message)], [str(w.message) for w in recwarn]
    assert "does not have a glyph" not in caplog.text, caplog.text
