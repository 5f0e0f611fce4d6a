"""Read every cell a student could change and flag code that can forge or sabotage the grading.

nbgrader scores a test cell full when the kernel reports no error - and the kernel runs the
student's code first. Anything that reaches the kernel's machinery (IPython's hooks and input
transformers, the running frames, the module table, ``builtins``), rebinds a name the checks rely on
(``expect``, ``np``, ``keras``...) or patches a module the tests use can turn a failing test into a
passing one. The grader cannot see the kernel's state, so it reads the code instead: this audit is
static, and it *fails closed* - a construct an honest answer to this course never needs is flagged,
even when it might be harmless. A flag keeps the score and asks a human to look (``make grade``'s
needs-a-look list; nbgrader's own "needs manual grade" and "flagged" marks in the formgrader, set by
``coursekit.grading.preprocessors``). Exercises never need any of it: they are NumPy, TensorFlow and Keras.

What is flagged, per cell (cells nbgrader restores from the master - locked and test cells - and
cells whose source equals the release's are skipped):
- names that reach the interpreter or the kernel: ``get_ipython``, ``exec``, ``eval``, ``compile``,
  ``globals``, ``vars``, ``locals``, ``__import__``, ``__builtins__``, ``breakpoint``;
- attributes that reach frames, code, namespaces or classes' insides (``_getframe``, ``f_back``,
  ``f_globals``, ``__dict__``, ``__globals__``, ``__code__``, ``__subclasses__``..., and assigning
  ``__class__``; reading ``obj.__class__`` is fine),
  the module table (``sys.modules``), processes and signals (``os.kill``, ``os.system``, ``os.fork``...);
- imports of modules that reach the same (``builtins``, ``inspect``, ``linecache``, ``ctypes``,
  ``subprocess``, ``signal``, ``IPython``, ``ipykernel``, ``threading``, ``gc``, ``importlib``...);
- ``setattr`` / ``delattr`` on anything but ``self``, and ``getattr`` with a computed or dunder name;
- any binding of a name the setup cell defines (the checks and the modules they use), wherever it
  happens: ``def``, assignment, ``for`` / ``with`` / ``except`` targets, the walrus, ``global``,
  ``del``, ``import ... as``; re-importing NumPy / TensorFlow / Keras under their usual names is fine;
- attribute assignments on any imported module or check helper (``np.allclose = ...``, through an
  alias too: ``import numpy as q; q.allclose = ...``);
- IPython magics and shell escapes other than the harmless ones (``%matplotlib``, ``%time``,
  ``%timeit``, ``%load_ext autoreload``, ``%autoreload``).
A cell that is not valid Python (after IPython's own transformation of magics) cannot run: it is not
flagged here; it loses its points by failing.
"""
from __future__ import annotations

import ast

NAMES = {"get_ipython", "exec", "eval", "compile", "globals", "vars", "locals", "__import__",
         "__builtins__", "breakpoint", "__loader__", "__spec__"}
ATTRIBUTES = {"_getframe", "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "tb_frame", "gi_frame",
              "cr_frame", "__dict__", "__globals__", "__code__", "__closure__", "__builtins__",
              "__subclasses__", "__bases__", "__base__", "__mro__", "__getattribute__", "__setattr__",
              "__delattr__", "__import__", "__reduce__", "__reduce_ex__", "__self__", "__func__",
              "__wrapped__", "__init_subclass__", "__set_name__", "__code__", "co_code"}
MODULE_ATTRIBUTES = {"sys": {"modules", "meta_path", "path_hooks", "settrace", "setprofile", "excepthook",
                             "displayhook", "stdout", "stderr", "_getframe", "addaudithook", "exit"},
                     "os": {"kill", "killpg", "system", "popen", "fork", "forkpty", "execv", "execve", "execvp",
                            "execl", "execlp", "spawnv", "spawnl", "posix_spawn", "setsid", "_exit", "abort",
                            "symlink", "link"}}
MODULES = {"builtins", "inspect", "linecache", "ctypes", "cffi", "subprocess", "signal", "IPython", "ipykernel",
           "jupyter_client", "traitlets", "zmq", "tornado", "threading", "_thread", "multiprocessing",
           "concurrent", "asyncio", "gc", "importlib", "imp", "pkgutil", "runpy", "code", "codeop", "types",
           "dis", "atexit", "pty", "resource", "socket", "shutil", "pickle", "marshal", "sysconfig",
           "nbgrader", "nbformat", "nbclient", "coursekit", "faulthandler", "tracemalloc", "pdb", "bdb",
           "operator", "functools", "weakref", "copyreg", "unittest", "pytest"}
SAFE_MAGICS = {"matplotlib", "time", "timeit", "load_ext", "autoreload"}
# Re-importing these under the setup cell's names rebinds a name to the same library: fine.
LIBRARIES = ("numpy", "tensorflow", "keras", "matplotlib")


def parse_cell(source: str):
    """The cell as IPython runs it (magics turned into ``get_ipython()`` calls), parsed; None when
    it is not valid Python."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # IPython missing or its transformer failed: parse what is there
        pass
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _magic(node) -> str | None:
    """'name' for get_ipython().run_line_magic('name', ...) / run_cell_magic / system calls."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
            and node.func.value.func.id == "get_ipython"):
        if node.func.attr in ("run_line_magic", "run_cell_magic") and node.args \
                and isinstance(node.args[0], ast.Constant):
            name = str(node.args[0].value)
            if name == "load_ext" and len(node.args) > 1 and getattr(node.args[1], "value", "") != "autoreload":
                return "load_ext"
            return None if name in SAFE_MAGICS else name
        return node.func.attr  # system, getoutput, ...
    return None


def _bound_names(node) -> list[str]:
    """Names a statement or expression binds (or unbinds)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node.id]
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        return [node.name]
    if isinstance(node, ast.MatchMapping) and node.rest:
        return [node.rest]
    return []


def _import_binding(node, alias) -> tuple[str, str]:
    """(the name an import binds, what it binds it to): ``import numpy as np`` -> ("np", "numpy"),
    ``import os.path`` -> ("os", "os"), ``from keras import layers`` -> ("layers", "keras.layers")."""
    if isinstance(node, ast.Import):
        name = alias.asname or alias.name.split(".")[0]
        return name, alias.name if alias.asname else name
    return alias.asname or alias.name, f"{node.module or ''}.{alias.name}"


def _root_name(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def cell_findings(tree, helpers: set[str], module_names: set[str], sources: dict[str, str] = {}) -> list[str]:
    """What in one parsed cell can forge or sabotage the grading, in words (empty: nothing)."""
    found: list[str] = []
    imported_modules = set(module_names)
    import_bindings: dict[str, str] = {}   # name -> module it was imported from
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                imported_modules.add(alias.asname or alias.name.split(".")[0])
                import_bindings[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                import_bindings[alias.asname or alias.name] = node.module or ""
    for node in ast.walk(tree):
        magic = _magic(node)
        if magic:
            found.append(f"the IPython magic or shell escape `{magic}`")
            continue
        if isinstance(node, ast.Name) and node.id in NAMES and isinstance(node.ctx, ast.Load):
            found.append(f"`{node.id}`")
        elif isinstance(node, ast.Attribute):
            if node.attr in ATTRIBUTES or (node.attr == "__class__" and isinstance(node.ctx, ast.Store)):
                found.append(f"`.{node.attr}`")
            base = node.value.id if isinstance(node.value, ast.Name) else None
            module = import_bindings.get(base, base)
            if module in MODULE_ATTRIBUTES and node.attr in MODULE_ATTRIBUTES[module]:
                found.append(f"`{module}.{node.attr}`")
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                root = _root_name(node)
                if root in imported_modules or root in helpers:
                    found.append(f"an assignment to `{ast.unparse(node)}`")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            modules += [f"{node.module}.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom) else []
            for module in modules:
                if module.split(".")[0] in MODULES or module.split(".")[-1] in MODULES:
                    found.append(f"`import {module}`")
                    break
            if isinstance(node, ast.ImportFrom) and node.module in MODULE_ATTRIBUTES:
                risky = [a.name for a in node.names if a.name in MODULE_ATTRIBUTES[node.module] or a.name == "*"]
                if risky:
                    found.append(f"`from {node.module} import {', '.join(risky)}`")
            for alias in node.names:
                name, full = _import_binding(node, alias)
                origin = alias.name if isinstance(node, ast.Import) else node.module or ""
                if name in helpers and full != sources.get(name) and origin.split(".")[0] not in LIBRARIES:
                    found.append(f"`{name}` rebound by an import")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("setattr", "delattr") and not (
                    node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "self"):
                found.append(f"`{node.func.id}(...)` on something other than `self`")
            if node.func.id == "getattr" and len(node.args) >= 2 and not (
                    isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
                    and not node.args[1].value.startswith("__")):
                found.append("`getattr(...)` with a computed or special attribute name")
        for name in _bound_names(node):
            if name in helpers:
                found.append(f"`{name}` rebound")
    return sorted(set(found))


def setup_names(setup_source: str) -> tuple[set[str], dict[str, str]]:
    """(the names the setup cell defines at the top level - functions, classes, assigned names and
    imports -, {imported name: the module it comes from}), the helpers it carries packed
    (coursekit/authoring/kitpack.py) included."""
    from coursekit.authoring.kitpack import unpack_setup

    helpers, sources = set(), {}
    for source in (setup_source, *unpack_setup(setup_source).values()):
        tree = parse_cell(source)
        for node in tree.body if tree else ():
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                sources.update(_import_binding(node, alias) for alias in node.names if alias.name != "*")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                helpers.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                helpers |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return helpers | set(sources), sources


def audit(nb, release) -> list[str]:
    """One note per student-editable code cell that can forge or sabotage the grading (empty: none)."""
    from coursekit.grading.nbmeta import grade_meta as meta
    setup = next((c.source for c in release.cells if meta(c).get("grade_id") == "setup"), "")
    helpers, sources = setup_names(setup)
    modules = set(sources) | {"builtins", "numpy", "tensorflow", "keras"}
    course_code = {c.source.strip() for c in release.cells if c.cell_type == "code"}
    notes = []
    for index, cell in enumerate(nb.cells, 1):
        m = meta(cell)
        # nbgrader restores locked and test cells from the master; every other code cell runs as left.
        if cell.cell_type != "code" or m.get("locked") or m.get("grade") or cell.source.strip() in course_code:
            continue
        tree = parse_cell(cell.source)
        findings = cell_findings(tree, helpers, modules, sources) if tree else []
        if findings:
            where = f"answer cell '{m['grade_id']}'" if m.get("grade_id") else f"cell {index}"
            notes.append(f"{where} uses what can forge the course's checks ({', '.join(findings)}): "
                         "check this grade by hand")
    return notes
