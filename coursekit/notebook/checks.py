"""Assertions for test cells that tell a student what was expected and what was found."""
import numpy as np

try:
    course_text, course_translate  # in a notebook: defined by the i18n module, run just before
except NameError:                   # imported as a module (the grader, the tests)
    from coursekit.notebook.i18n import course_text, course_translate


class CheckFailed(AssertionError):
    """A visible or hidden test found something wrong; the message says what.

    In a notebook, IPython shows what ``_render_traceback_`` returns instead of the traceback: the
    line of the running cell that failed and ``CheckFailed: <message>``, not the course helpers'
    frames in the setup cell. The output stays an error (nbgrader still scores the cell 0)."""

    def _render_traceback_(self):
        lines = []
        tb = self.__traceback__
        while tb is not None:   # the first module-level frame is the cell IPython ran
            code = tb.tb_frame.f_code
            if code.co_name == "<module>" or code.co_name.startswith("<cell line"):  # IPython 7: "<cell line: 0>"
                import linecache
                text = linecache.getline(code.co_filename, tb.tb_lineno).strip()
                lines.append(f"Line {tb.tb_lineno} of this cell" + (f": {text}" if text else ""))
                break
            tb = tb.tb_next
        return lines + [f"{type(self).__name__}: {self}"]


def expect(condition, message):
    """Fail with ``message`` unless ``condition`` holds (in the reader's language: ``course_translate``)."""
    if not condition:
        raise CheckFailed(course_translate(message))


def check_passed(message):
    """A test cell's last line: print that its checks passed (in the reader's language)."""
    print(course_translate(message))


def expect_shape(value, shape, what):
    found = tuple(np.shape(value))
    if found != tuple(shape):
        raise CheckFailed(course_text("{0}: expected shape {1}, found {2}.", course_translate(what), tuple(shape), found))


def expect_dtype(value, dtype, what):
    found = str(getattr(value, "dtype", type(value).__name__))
    found = found.replace("<dtype: '", "").replace("'>", "")
    if found != str(np.dtype(dtype)):
        raise CheckFailed(course_text("{0}: expected dtype {1}, found {2}.", course_translate(what), np.dtype(dtype), found))


def expect_close(found, expected, what, atol=1e-5, rtol=1e-5):
    found, expected = np.asarray(found, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    expect_shape(found, expected.shape, what)
    if not np.allclose(found, expected, atol=atol, rtol=rtol):
        worst = np.unravel_index(np.argmax(np.abs(found - expected)), found.shape)
        raise CheckFailed(course_text(
            "{0}: values differ from the expected ones; at index {1} expected {2}, found {3}.",
            course_translate(what), tuple(int(i) for i in worst), f"{expected[worst]:.6g}", f"{found[worst]:.6g}"))
