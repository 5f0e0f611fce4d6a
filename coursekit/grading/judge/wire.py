"""What crosses the boundary between the judge and the student's kernel, both ways.

Judge -> kernel: a *question*, one code string. It carries its inputs as ``.npy`` bytes (base64,
``allow_pickle=False``) and JSON, and a body of judge-written code that calls the student's
functions on them and puts plain values into ``OUT``. It runs inside a function, so it binds no
name in the notebook, and without history (``store_history=False``), so ``In``/``_ih`` never hold
it. It carries no expected value: what the right answer is never leaves the judge.

Kernel -> judge: an *answer*, one ``display_data`` output of the MIME type :data:`MIME` whose JSON
holds, per name, a JSON value or ``.npy`` bytes. The judge reads it with :func:`read_answer`:
bounded in size, arrays through ``numpy.load(..., allow_pickle=False)``, never unpickled, never run.
Everything in it is under the student's control - the judge treats it as data to compare, never as
a verdict.
"""
from __future__ import annotations

import base64
import io
import json
import textwrap

import numpy as np

MIME = "application/vnd.coursekit.answer+json"
MAX_ANSWER_BYTES = 16 * 2 ** 20      # one answer, as the kernel sent it
MAX_ARRAY_BYTES = 8 * 2 ** 20        # one array in it, decoded


class NoAnswer(Exception):
    """The kernel gave no usable answer to a question (it died, timed out, or sent junk)."""


def _encode_array(value) -> str:
    buf = io.BytesIO()
    np.save(buf, np.asarray(value), allow_pickle=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def decode_array(text: str) -> np.ndarray:
    if not isinstance(text, str) or len(text) > MAX_ARRAY_BYTES * 4 // 3 + 8:
        raise NoAnswer("an array in the answer is too large")
    try:
        array = np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except Exception as err:  # ValueError for object arrays, binascii.Error, truncated headers...
        raise NoAnswer(f"an array in the answer could not be read ({type(err).__name__})") from None
    if not isinstance(array, np.ndarray) or array.dtype.hasobject or array.nbytes > MAX_ARRAY_BYTES:
        raise NoAnswer("an array in the answer is not a plain numeric array of a bounded size")
    return array


# Runs in the kernel. Only the standard library and NumPy, imported under private names inside the
# function; the student's names (their functions, classes, `tf`, `keras`...) are read as globals.
_PRELUDE = '''\
def _coursekit_question():
    import base64 as _b64, io as _io, json as _json
    import numpy as _np
    from IPython.display import display as _display

    def _arr(text):
        return _np.load(_io.BytesIO(_b64.b64decode(text)), allow_pickle=False)

    def _enc(value):
        try:
            _json.dumps(value, allow_nan=True)
            if not isinstance(value, (_np.ndarray, _np.generic)):
                return {{"json": value}}
        except (TypeError, ValueError):
            pass
        try:
            array = _np.asarray(value)
            if array.dtype.hasobject:
                return {{"error": "not an array of numbers: " + type(value).__name__}}
            buf = _io.BytesIO()
            _np.save(buf, array, allow_pickle=False)
            return {{"npy": _b64.b64encode(buf.getvalue()).decode("ascii")}}
        except BaseException as err:
            return {{"error": (type(err).__name__ + ": " + str(err))[:2000]}}

    IN = {{k: _arr(v) for k, v in {arrays}.items()}}
    IN.update({values})
    OUT = {{}}
    # While a notebook is graded, the lesson's own training runs capped and eagerly (the setup cell's
    # course_setup); a question trains at the size the judge asks for, in graph mode.
    _cap = globals().get("_CapState")
    _capped = getattr(_cap, "active", None)
    try:
        if _capped:
            _cap.pause()
{body}
        reply = {{"ok": True}}
    except BaseException as err:
        reply = {{"ok": False, "error": (type(err).__name__ + ": " + str(err))[:2000]}}
    finally:
        if _capped:
            _cap.resume()
    reply["out"] = {{k: _enc(v) for k, v in OUT.items()}}
    _display({{"{mime}": reply}}, raw=True)
_coursekit_question()
del _coursekit_question
'''


def question(body: str, **inputs) -> str:
    """The code of one question: ``body`` (judge code, run in the kernel inside a ``try``) sees the
    inputs as ``IN[name]`` (NumPy arrays arrive as arrays, everything else as JSON values) and puts
    what it measured into ``OUT[name]``. An exception in it ends the question and is reported."""
    arrays = {k: _encode_array(v) for k, v in inputs.items() if isinstance(v, np.ndarray)}
    values = {k: v for k, v in inputs.items() if not isinstance(v, np.ndarray)}
    json.dumps(values)  # the judge's own inputs: fail here, not in the kernel
    return _PRELUDE.format(arrays=repr(arrays), values=repr(values), mime=MIME,
                           body=textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8))


class Answer:
    """What the kernel sent back: ``ok`` and ``error`` (the exception the question ran into, as
    ``"Type: message"``) and the values it put into ``OUT``."""

    def __init__(self, reply: dict):
        if not isinstance(reply, dict) or not isinstance(reply.get("out", {}), dict):
            raise NoAnswer("the answer is not a JSON object")
        self.ok = reply.get("ok") is True
        error = reply.get("error", "")
        self.error = error[:2000] if isinstance(error, str) else "an error the grader could not read"
        self._out = reply.get("out", {})

    def __contains__(self, name):
        return name in self._out

    def get(self, name, default=None):
        """A value from ``OUT``: a NumPy array, or a JSON value; ``default`` when absent. A value the
        kernel could not encode raises :class:`NoAnswer` with the reason."""
        item = self._out.get(name)
        if item is None:
            return default
        if not isinstance(item, dict):
            raise NoAnswer(f"the answer's {name!r} is malformed")
        if "npy" in item:
            return decode_array(item["npy"])
        if "json" in item:
            return item["json"]
        raise NoAnswer(str(item.get("error", f"no value for {name!r}"))[:500])

    def array(self, name) -> np.ndarray:
        value = self.get(name)
        if value is None:
            raise NoAnswer(f"no value for {name!r}")
        return value if isinstance(value, np.ndarray) else np.asarray(value)


def read_answer(outputs) -> Answer:
    """The one answer among a question's outputs. Anything else the kernel printed is ignored; no
    answer, or more than one (a student's code may display the MIME type itself), is no answer."""
    found = [o for o in outputs if o.get("output_type") == "display_data" and MIME in o.get("data", {})]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if len(found) != 1:
        why = (f"{errors[0].get('ename', 'Error')}: {str(errors[0].get('evalue', ''))[:300]}" if errors
               else "no answer" if not found else "more than one answer")
        raise NoAnswer(why)
    data = found[0]["data"][MIME]
    if isinstance(data, str):
        if len(data) > MAX_ANSWER_BYTES:
            raise NoAnswer("the answer is too large")
        try:
            data = json.loads(data)
        except ValueError:
            raise NoAnswer("the answer is not JSON") from None
    elif len(json.dumps(data)) > MAX_ANSWER_BYTES:
        raise NoAnswer("the answer is too large")
    return Answer(data)
