"""Assertions for test cells that tell a student what was expected and what was found."""
import numpy as np


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
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def expect_shape(value, shape, what):
    found = tuple(np.shape(value))
    expect(found == tuple(shape), f"{what}: expected shape {tuple(shape)}, found {found}.")


def expect_dtype(value, dtype, what):
    found = str(getattr(value, "dtype", type(value).__name__))
    found = found.replace("<dtype: '", "").replace("'>", "")
    expect(found == str(np.dtype(dtype)), f"{what}: expected dtype {np.dtype(dtype)}, found {found}.")


def expect_close(found, expected, what, atol=1e-5, rtol=1e-5):
    found, expected = np.asarray(found, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    expect_shape(found, expected.shape, what)
    if not np.allclose(found, expected, atol=atol, rtol=rtol):
        worst = np.unravel_index(np.argmax(np.abs(found - expected)), found.shape)
        raise CheckFailed(
            f"{what}: values differ from the expected ones; at index {tuple(int(i) for i in worst)} "
            f"expected {expected[worst]:.6g}, found {found[worst]:.6g}.")
