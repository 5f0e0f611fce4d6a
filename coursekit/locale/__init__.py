"""The course's message catalogues: ``<language>/kit.json`` (the kit's sentences, ``course_text``) and
``<language>/<lesson id>.json`` (that lesson's check messages, visible and hidden, and its judges').

Each file is ``{"language": ..., "messages": [{"en": template, "<language>": translation}, ...]}``: the
English template is the key and the record of what was translated (when the English changes, its entry
no longer matches anything, and ``python -m coursekit.authoring.translations status`` names it). The
grader reads the whole catalogue; a notebook's setup cell carries the part its student can see
(``coursekit.authoring.translations.notebook_messages``). Adding a language is adding a folder.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent
SOURCE_LANGUAGE = "en"
KIT = "kit"


def languages() -> list[str]:
    """The languages with a catalogue folder (English, the source, has none)."""
    return sorted(p.name for p in HERE.iterdir() if p.is_dir() and re.fullmatch(r"[a-z]{2}", p.name))


def catalogue_path(language: str, scope: str) -> Path:
    """``scope`` is ``kit`` or a lesson id."""
    return HERE / language / f"{scope}.json"


def read_entries(language: str, scope: str) -> list[dict]:
    path = catalogue_path(language, scope)
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("messages", []))


def write_entries(language: str, scope: str, entries: list[dict]) -> Path:
    path = catalogue_path(language, scope)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"language": language, "scope": scope, "messages": entries}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=None)
def _table(language: str, scope: str) -> tuple:
    return tuple((e["en"], e.get(language) or "") for e in read_entries(language, scope) if e.get("en"))


def catalogue(language: str, lesson: str | None = None) -> dict[str, str]:
    """{English template: translation} of the kit and one lesson (every lesson when ``lesson`` is None);
    untranslated entries are left out. {} for English and for a language without a folder."""
    if language == SOURCE_LANGUAGE or language not in languages():
        return {}
    scopes = [KIT] + ([lesson] if lesson else sorted(p.stem for p in (HERE / language).glob("[0-9][0-9]_*.json")))
    table: dict[str, str] = {}
    for scope in scopes:
        table.update((en, tr) for en, tr in _table(language, scope) if tr)
    return table
