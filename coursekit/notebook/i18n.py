"""The language a student reads: every edition of a lesson runs the same code, and only its text differs.

A notebook's edition says its language in the Workload cell (``os.environ["COURSE_LANG"] = "ko"``); the
setup cell carries ``COURSE_MESSAGES`` ({language: {English template: translation}}, written by the build
from ``coursekit/locale/``: the kit's sentences and the messages of this lesson's visible checks).

- ``course_text(template, *values)``: one of the kit's own sentences, whose placeholders ``{0}``, ``{1}``
  ... take ``values`` (the template is the English text and the catalogue's key);
- ``course_translate(text)``: a finished English message (a check's, with its values already in it),
  matched against the catalogue's templates; the values a template captures are translated in turn, so
  ``"{0}: expected shape {1}, found {2}."`` around ``"prepare_images(images of shape {0})"`` reads whole.
  Text no template matches stays as it is.

The grader uses the same two functions with the whole catalogue (``coursekit.locale``), to write a
Korean notebook's verdicts in Korean. English is the source language: it is never looked up.
"""
import os
import re

COURSE_LANGUAGE_VAR = "COURSE_LANG"
_TEMPLATE_TOKEN = re.compile(r"\{\{|\}\}|\{(\d+)\}")
_compiled_catalogues = {}


def course_language(environ=None):
    """The reader's language: COURSE_LANG (a two-letter code) when set, else English."""
    raw = (os.environ if environ is None else environ).get(COURSE_LANGUAGE_VAR, "").strip().lower()
    return raw if re.fullmatch(r"[a-z]{2}", raw) else "en"


def _course_catalogue(language):
    """{English template: translation} the setup cell carries for ``language`` ({} for English or none)."""
    return (globals().get("COURSE_MESSAGES") or {}).get(language) or {}


def fill_template(template, values):
    """``template`` with ``{n}`` replaced by ``str(values[n])`` and ``{{``/``}}`` by single braces."""
    def one(match):
        if match.group(1) is None:
            return match.group(0)[0]
        index = int(match.group(1))
        return str(values[index]) if index < len(values) else match.group(0)
    return _TEMPLATE_TOKEN.sub(one, template)


def course_text(template, *values, language=None, catalogue=None):
    """The kit's sentence ``template`` (English, with ``{0}``... for ``values``) in the reader's language."""
    language = language or course_language()
    if language != "en":
        table = _course_catalogue(language) if catalogue is None else catalogue
        template = table.get(template) or template
    return fill_template(template, values)


def _template_pattern(template):
    """(regex, literal pieces, placeholder numbers) of an English template: ``{n}`` captures any text
    (the same ``{n}`` twice must capture the same text)."""
    pattern, pieces, groups, pos = [], [], [], 0
    literal = ""
    for match in _TEMPLATE_TOKEN.finditer(template):
        literal += template[pos:match.start()]
        pos = match.end()
        if match.group(1) is None:          # {{ or }}: a literal brace
            literal += match.group(0)[0]
            continue
        pattern.append(re.escape(literal))
        pieces.append(literal)
        literal = ""
        name = match.group(1)
        pattern.append(f"(?P=g{name})" if name in groups else f"(?P<g{name}>.+?)")
        if name not in groups:
            groups.append(name)
    literal += template[pos:]
    pattern.append(re.escape(literal))
    pieces.append(literal)
    return re.compile("".join(pattern), re.DOTALL), [p for p in pieces if p], groups


def _compiled(table):
    """The table's templates that have placeholders, most literal text first (the most specific wins)."""
    key = id(table)
    cached = _compiled_catalogues.get(key)
    if cached is not None and cached[0] is table and cached[1] == len(table):
        return cached[2]
    entries = []
    for english, translated in table.items():
        if not translated or not _TEMPLATE_TOKEN.search(english.replace("{{", "").replace("}}", "")):
            continue
        regex, pieces, groups = _template_pattern(english)
        if pieces:
            entries.append((sum(len(p) for p in pieces), regex, pieces, groups, translated))
    entries.sort(key=lambda e: -e[0])
    _compiled_catalogues[key] = (table, len(table), entries)
    return entries


def _pieces_in_order(text, pieces):
    at = 0
    for piece in pieces:
        at = text.find(piece, at)
        if at < 0:
            return False
        at += len(piece)
    return True


def course_translate(text, language=None, catalogue=None, _depth=0):
    """A finished English message in the reader's language (unchanged where no template matches)."""
    language = language or course_language()
    if language == "en" or not isinstance(text, str) or not text.strip() or _depth > 6:
        return text
    table = _course_catalogue(language) if catalogue is None else catalogue
    if not table:
        return text
    exact = table.get(text)
    if exact:
        return exact
    for size, regex, pieces, groups, translated in _compiled(table):
        if size < 3 and not _depth:   # "a {0}": only for a value inside a bigger message, never a whole one
            continue
        if not _pieces_in_order(text, pieces):
            continue
        match = regex.fullmatch(text)
        if match:
            values = {}
            for name in groups:
                values[int(name)] = course_translate(match.group("g" + name), language, table, _depth + 1)
            return fill_template(translated, [values.get(i, "") for i in range(max(values, default=-1) + 1)])
    return text
