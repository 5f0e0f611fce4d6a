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
# such as "I0000 00:00:1795448526.675213  2665 port.cc:153] ..." or "E0000 ..."); the notebooks
# already silence them (TF_CPP_MIN_LOG_LEVEL=3); this drops any that still get through.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?m)^(?:[IWEF]\d{4} [\d:.]+ +\d+ \S+:\d+\]|WARNING: All log messages before absl::InitializeLog\(\))"

# A submission that prints 50 MB would otherwise land whole in autograded/ and in the feedback
# HTML. nbgrader's LimitOutput counts lines, not characters: cap each output's text as well.
from nbgrader.preprocessors import LimitOutput, NbGraderPreprocessor  # noqa: E402
from traitlets import Integer  # noqa: E402


class LimitOutputChars(NbGraderPreprocessor):
    """Truncate every stream / text output of a code cell to ``max_chars`` characters."""

    max_chars = Integer(20_000, help="characters kept per output (-1: no limit)").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and self.max_chars >= 0:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and len(output.get("text", "")) > self.max_chars:
                    cut = len(output["text"]) - self.max_chars
                    output["text"] = output["text"][: self.max_chars] + f"\n... [{cut:,} more characters cut by the grader]\n"
                for key, value in output.get("data", {}).items():
                    if key.startswith("text/") and isinstance(value, str) and len(value) > self.max_chars:
                        output["data"][key] = value[: self.max_chars] + "\n... [cut by the grader]\n"
        return cell, resources


def _with_char_limit(preprocessors):
    out = list(preprocessors)
    out.insert(out.index(LimitOutput) + 1, LimitOutputChars)
    return out


from nbgrader.converters import Autograde  # noqa: E402

c.Autograde.autograde_preprocessors = _with_char_limit(Autograde.class_traits()["autograde_preprocessors"].default())


# Feedback goes to students: without this it shows the hidden tests' code (nbgrader issue #1363)
# - in the cell and again in the traceback lines. Keep the verdict (score, error type and message),
# drop the code.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402


class HideHiddenTests(NbGraderPreprocessor):
    """In feedback: replace each hidden-test region by a one-line note, and cut the traceback of
    a failed hidden test down to its last line (error type and message). The locked setup cell
    (about a thousand lines of course helpers, folded in Colab) shows only its title."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup":
            title = cell.source.split("\n", 1)[0]
            cell.source = f"{title}\n# (the course helpers: the same for everyone, not shown in feedback)"
            return cell, resources
        if cell.cell_type != "code" or "### BEGIN HIDDEN TESTS" not in cell.source:
            return cell, resources
        kept, hiding = [], False
        for line in cell.source.split("\n"):
            if "### BEGIN HIDDEN TESTS" in line:
                hiding = True
                kept.append("# (hidden tests: their code is not shown; the result below is)")
            elif "### END HIDDEN TESTS" in line:
                hiding = False
            elif not hiding:
                kept.append(line)
        cell.source = "\n".join(kept)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
