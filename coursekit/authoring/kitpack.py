"""The course helpers as every notebook's setup cell carries them.

``coursekit/notebook/*.py`` (the modules in ``build.INJECTED_MODULES``) travel inside the locked setup
cell as ONE compressed string, so the cell is one screen instead of ~900 lines, the notebook still needs
no download and no install (Colab offline-safe), and nbgrader still restores the cell - helpers included -
from the master when it grades. Run, the cell unpacks the modules into ``COURSE_HELPERS`` ({module:
source}), registers each source with ``linecache`` under its repository path (tracebacks and
``inspect.getsource`` show the real lines) and runs them, in order, in the notebook's namespace - the
same namespace the modules shared when they were pasted.

``pack`` / ``setup_code`` are the build's side; ``unpack_setup`` is how the grading audit (and tests)
read the helpers back out of a setup cell.
"""
from __future__ import annotations

import ast
import base64
import json
import zlib

NAME = "COURSE_HELPERS"


def pack(sources: dict[str, str]) -> str:
    """{module: source} -> base64 text of the zlib-compressed JSON (deterministic)."""
    raw = json.dumps(sources, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def unpack(text: str) -> dict[str, str]:
    return json.loads(zlib.decompress(base64.b64decode(text)))


def setup_code(sources: dict[str, str], repository_url: str = "") -> str:
    """The setup cell's lines that carry and run the helpers."""
    where = f" ({repository_url})" if repository_url else ""
    return (
        f"# The course helpers ({', '.join(sources)}; the same in every lesson) travel in this cell,\n"
        "# compressed, so the notebook needs no download and no install. Their source is coursekit/notebook/ in\n"
        f"# the course's repository{where}; here, print({NAME}[\"checks\"]) shows one.\n"
        "import base64 as _kit_b64, json as _kit_json, linecache as _kit_lines, zlib as _kit_zlib\n"
        f"{NAME} = _kit_json.loads(_kit_zlib.decompress(_kit_b64.b64decode(\n"
        f"    \"{pack(sources)}\")))\n"
        f"for _kit_name, _kit_source in {NAME}.items():\n"
        "    _kit_file = f\"coursekit/notebook/{_kit_name}.py\"\n"
        "    _kit_lines.cache[_kit_file] = (len(_kit_source), None, _kit_source.splitlines(True), _kit_file)\n"
        "    exec(compile(_kit_source, _kit_file, \"exec\"), globals())\n"
        "del _kit_name, _kit_source, _kit_file"
    )


def unpack_setup(setup_source: str) -> dict[str, str]:
    """{module: source} carried by a setup cell's ``COURSE_HELPERS = ...(b64decode("..."))`` line; {}
    when the cell carries none (or cannot be parsed)."""
    try:
        tree = ast.parse(setup_source)
    except SyntaxError:
        return {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [NAME]:
            for const in ast.walk(node.value):
                if isinstance(const, ast.Constant) and isinstance(const.value, str):
                    try:
                        return unpack(const.value)
                    except ValueError:  # binascii.Error and zlib.error are ValueErrors; json's too
                        return {}
    return {}
