"""Read every cell a student could change and flag code that can forge or sabotage the grading.

nbgrader scores a test cell full when the kernel reports no error - and the kernel runs the
student's code first. Anything that reaches the kernel's machinery (IPython's hooks and input
transformers, the running frames, the module table, ``builtins``), rebinds a name the checks rely on
(``expect``, ``np``, ``keras``...) or patches a module the tests use can turn a failing test into a
passing one. The grader cannot see the kernel's state, so it reads the code instead: this audit is
static, and it *fails closed* - a construct an honest answer to this course never needs is flagged,
even when it might be harmless. Exercises never need any of it: they are NumPy, TensorFlow and Keras.

Every finding asks a human to look (``make grade``'s needs-a-look list; nbgrader's own "needs manual
grade" and "flagged" marks in the formgrader, set by ``coursekit.grading.preprocessors``). Findings come
in two kinds:

- **Forging** (kind ``forging``; :func:`coursekit.grading.findings.voids` reads it): what can change a
  verdict or reach outside the notebook - the kernel's machinery, frames, namespaces, the module table, ``builtins``, patched modules, a global
  rebinding of a check's name, code run from strings or files, other processes. Hostile input earns
  nothing: the submission's automatic score is void (every test cell 0, with a message saying why)
  until an instructor grades it by hand. The score is zeroed through the test cells' outputs, not a
  manual score, so a later honest resubmission is graded normally.
- **Odd** (everything else): what an answer never needs but cannot forge a verdict with - a shell
  escape (``!nvidia-smi``), ``%pip``, ``sys.exit()``, printing to ``sys.stderr``, importing
  ``functools`` or ``threading``. The score is kept.

What is flagged, per cell (cells nbgrader restores from the master - locked and test cells - and
cells whose source equals the release's are skipped); everything forges unless marked *odd*:
- names that reach the interpreter or the kernel: ``get_ipython``, ``exec``, ``eval``, ``compile``,
  ``globals``, ``vars``, ``locals``, ``__import__``, ``__builtins__``, ``breakpoint``, IPython's
  ``exit`` / ``quit`` objects (they hold the shell);
- attributes that reach frames, code, namespaces or classes' insides (``_getframe``, ``f_back``,
  ``f_globals``, ``__dict__``, ``__globals__``, ``__code__``, ``__subclasses__``..., and assigning
  ``__class__``; reading ``obj.__class__`` is fine), the shell's hooks wherever they are reached from
  (``input_transformers_post``, ``ast_transformers``, ``run_cell``, ``events``, ``showtraceback``,
  ``_ip``, ``user_ns``...), the module table and import machinery (``sys.modules``, ``sys.path``...),
  processes and signals (``os.kill``, ``os.system``, ``os.fork``...; *odd*: ``sys.exit``,
  ``os._exit``, ``sys.stdout`` / ``sys.stderr``);
- imports of modules that reach the same (``builtins``, ``inspect``, ``linecache``, ``ctypes``,
  ``subprocess``, ``signal``, ``IPython``, ``ipykernel``, ``gc``, ``importlib``, ``pickle``,
  ``operator``, ``unittest``...; *odd*: :data:`ODD_MODULES` such as ``functools``, ``threading``);
- ``setattr`` / ``delattr`` on anything but ``self``, and ``getattr`` with a computed, private
  (``_x``) or special attribute name;
- a global binding of a name the setup cell defines (the checks and the modules they use): ``def``,
  assignment, ``for`` / ``with`` / ``except`` targets, the walrus, ``global``, ``del``,
  ``import ... as`` at the top level of a cell or through ``global``; re-importing NumPy /
  TensorFlow / Keras under their usual names is fine, and so is a local variable inside a function
  or class that shares a helper's name (it cannot reach the checks);
- attribute assignments on any imported module or check helper (``np.allclose = ...``, through an
  alias too: ``import numpy as q; q.allclose = ...``);
- loading code from data: ``allow_pickle=`` (NumPy), ``safe_mode=False`` and
  ``enable_unsafe_deserialization`` (Keras); a string that names ``/proc/`` (another process's
  memory, or the kernel's own);
- *odd*: an import of a module the grading environment does not have (it fails: grading kernels do
  not import from the notebook's folder);
- IPython magics other than the harmless ones (``%matplotlib``, ``%time``, ``%timeit``,
  ``%load_ext autoreload``, ``%autoreload``); *odd*: shell escapes and :data:`ODD_MAGICS`.
A cell that is not valid Python (after IPython's own transformation of magics) cannot run: it is not
flagged here; it loses its points by failing.

Grading kernels start without the notebook's folder on ``sys.path`` (``nbgrader_config.py``), so a
module file the notebook writes cannot be imported behind the audit's back.
"""
from __future__ import annotations

import ast
import functools

NAMES = {"get_ipython", "exec", "eval", "compile", "globals", "vars", "locals", "__import__",
         "__builtins__", "breakpoint", "__loader__", "__spec__", "exit", "quit"}
ATTRIBUTES = {"_getframe", "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "tb_frame", "gi_frame",
              "cr_frame", "__dict__", "__globals__", "__code__", "__closure__", "__builtins__",
              "__subclasses__", "__bases__", "__base__", "__mro__", "__getattribute__", "__setattr__",
              "__delattr__", "__import__", "__reduce__", "__reduce_ex__", "__self__", "__func__",
              "__wrapped__", "__init_subclass__", "__set_name__", "__code__", "co_code"}
# The IPython shell's hooks and namespaces, however the shell was reached.
HOOKS = {"_ip", "user_ns", "user_global_ns", "user_module", "ns_table", "input_transformers_post",
         "input_transformers_cleanup", "input_transformer_manager", "ast_transformers", "run_cell",
         "run_cell_async", "run_ast_nodes", "run_code", "showtraceback", "_showtraceback", "showsyntaxerror",
         "set_custom_exc", "custom_exceptions", "CustomTB", "InteractiveTB", "SyntaxTB", "events",
         "display_pub", "displayhook", "excepthook", "magics_manager", "register_magic_function",
         "run_line_magic", "run_cell_magic", "safe_execfile", "safe_run_module", "comm_manager",
         "iopub_socket", "shell_streams", "execution_count", "enable_unsafe_deserialization"}
MODULE_ATTRIBUTES = {"sys": {"modules", "meta_path", "path_hooks", "path_importer_cache", "path", "settrace",
                             "setprofile", "excepthook", "displayhook", "stdout", "stderr", "_getframe",
                             "addaudithook", "exit", "__stdout__", "__stderr__"},
                     "os": {"kill", "killpg", "system", "popen", "fork", "forkpty", "execv", "execve", "execvp",
                            "execl", "execlp", "spawnv", "spawnl", "posix_spawn", "setsid", "_exit", "abort",
                            "symlink", "link"}}
MODULES = {"builtins", "inspect", "linecache", "ctypes", "cffi", "subprocess", "signal", "IPython", "ipykernel",
           "jupyter_client", "traitlets", "zmq", "tornado", "threading", "_thread", "multiprocessing",
           "concurrent", "asyncio", "gc", "importlib", "imp", "pkgutil", "runpy", "code", "codeop", "types",
           "dis", "atexit", "pty", "resource", "socket", "shutil", "pickle", "marshal", "sysconfig",
           "nbgrader", "nbformat", "nbclient", "coursekit", "faulthandler", "tracemalloc", "pdb", "bdb",
           "operator", "functools", "weakref", "copyreg", "unittest", "pytest"}
# What an answer may import from IPython.display: ways to show things, none of them the shell.
DISPLAY_NAMES = {"display", "clear_output", "HTML", "Image", "Markdown", "Math", "Latex", "SVG", "JSON",
                 "Pretty", "ProgressBar", "update_display"}
# Module attributes an answer never needs but that cannot forge a verdict: flagged, score kept.
ODD_MODULE_ATTRIBUTES = {"sys.exit", "sys.stdout", "sys.stderr", "sys.__stdout__", "sys.__stderr__",
                         "os._exit", "os.abort"}
# Imports an answer never needs but that reach nothing the checks depend on: flagged, score kept.
ODD_MODULES = {"threading", "_thread", "concurrent", "asyncio", "atexit", "resource", "shutil", "sysconfig",
               "faulthandler", "tracemalloc", "functools", "weakref", "types", "dis"}
SAFE_MAGICS = {"matplotlib", "time", "timeit", "load_ext", "autoreload"}
# Magics and shell escapes that cannot change how the kernel runs later cells: flagged, score kept
# ("system" / "getoutput": ``!cmd``; the kernel cannot be traced from a shell it starts).
ODD_MAGICS = {"system", "getoutput", "pip", "conda", "mamba", "writefile", "capture", "env", "who", "whos",
              "who_ls", "xmode", "pwd", "ls", "cat", "sx", "sc", "bash", "sh", "script", "html", "HTML",
              "markdown", "latex", "svg", "javascript", "js", "prun", "lsmagic", "tensorboard",
              "load_ext tensorboard", "pinfo", "pinfo2", "psearch", "pdef", "pdoc", "psource", "pfile"}
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


def _magic_call(node) -> tuple[str, str | None] | None:
    """(magic name, the Python code it runs or None) for what IPython turned a magic or shell escape
    into: ``get_ipython().run_line_magic('name', line)``, ``run_cell_magic('name', line, cell)``,
    ``system(cmd)``, ``getoutput(cmd)``; None for any other node."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
            and node.func.value.func.id == "get_ipython" and not node.func.value.args):
        return None
    args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
    if node.func.attr not in ("run_line_magic", "run_cell_magic"):
        return node.func.attr, None   # system, getoutput, ...
    if not args or args[0] is None:
        return "a magic with a computed name", None
    name = args[0]
    if name == "load_ext" and len(args) > 1 and args[1] != "autoreload":
        name = "load_ext tensorboard" if args[1] == "tensorboard" else "load_ext"
    code = None
    if name in CODE_MAGICS:
        code = (args[2] if node.func.attr == "run_cell_magic" and len(args) > 2 else
                _strip_options(args[1]) if len(args) > 1 and args[1] is not None else None)
        code = "" if code is None and name == "capture" and node.func.attr == "run_line_magic" else code
        if code is None:
            code = "\0"   # not readable: fails to parse below, so it is flagged
    return name, code


# Magics that run Python code the audit must read too: %time / %timeit / %prun's line, and the body of
# %%time, %%timeit, %%prun, %%capture.
CODE_MAGICS = {"time", "timeit", "prun", "capture"}
_VALUED_OPTIONS = {"-n", "-r", "-p", "-l", "-s", "-T", "-D"}


def _strip_options(line: str) -> str:
    """The code of a ``%timeit -n 3 -r 1 f(x)`` line (leading options dropped)."""
    words = line.split(" ")
    while words and (words[0].startswith("-") or not words[0]):
        option = words.pop(0)
        if option in _VALUED_OPTIONS and words:
            words.pop(0)
    return " ".join(words)


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


@functools.lru_cache(maxsize=None)
def installed(module: str) -> bool:
    """Whether the grading environment has this top-level module (the standard library or an installed
    package; the current folder is not looked in: grading kernels do not import from it)."""
    import importlib.machinery
    import os
    import sys

    if module in sys.builtin_module_names or module in getattr(sys, "stdlib_module_names", ()):
        return True
    here = {"", ".", os.getcwd()}
    try:
        return importlib.machinery.PathFinder.find_spec(module, [p for p in sys.path if p not in here]) is not None
    except (ImportError, ValueError):
        return False


def _root_name(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _global_bindings(tree) -> list[tuple[ast.AST, str]]:
    """(node, name) for every binding that reaches the notebook's global namespace: at the top level of
    the cell (also inside ``if`` / ``for`` / ``with`` / ``try`` blocks, and the walrus in a top-level
    comprehension), plus every name a function or class declares ``global``. A local variable inside a
    function or class cannot rebind what the checks use."""
    found: list[tuple[ast.AST, str]] = []

    def visit(node, top: bool):
        if isinstance(node, (ast.Global,)):
            found.extend((node, n) for n in node.names)
        if top:
            found.extend((node, n) for n in _bound_names(node))
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.extend((node, _import_binding(node, a)[0]) for a in node.names if a.name != "*")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for child in (*node.decorator_list, *getattr(node, "bases", ()), *getattr(node, "keywords", ())):
                visit(child, top)
            if not isinstance(node, ast.ClassDef):
                for default in (*node.args.defaults, *node.args.kw_defaults):
                    if default is not None:
                        visit(default, top)
            for child in node.body:
                visit(child, False)
            return
        if isinstance(node, ast.Lambda):
            for child in ast.iter_child_nodes(node):
                visit(child, False)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            for child in ast.walk(node):   # comprehension targets are local; a walrus binds outside
                if isinstance(child, ast.NamedExpr) and top:
                    found.extend((child, n) for n in _bound_names(child.target))
                if isinstance(child, ast.Global):
                    found.extend((child, n) for n in child.names)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, top)

    visit(tree, True)
    return found


def findings(tree, helpers: set[str], module_names: set[str], sources: dict[str, str] = {}) -> dict[str, bool]:
    """What in one parsed cell can forge or sabotage the grading: {finding in words: whether it forges
    (voids the automatic score; False: odd, score kept)} (empty: nothing)."""
    found: dict[str, bool] = {}

    def add(text: str, forges: bool = True):
        found[text] = found.get(text, False) or forges

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
    # `"google.colab" in sys.modules` only asks whether a module is loaded: it reaches nothing.
    membership = {id(c) for n in ast.walk(tree) if isinstance(n, ast.Compare)
                  and all(isinstance(op, (ast.In, ast.NotIn)) for op in n.ops) for c in n.comparators}
    magic_shells = set()   # the get_ipython() calls IPython wrote for magics: not the student's
    for node in ast.walk(tree):
        magic = _magic_call(node)
        if magic is None:
            continue
        magic_shells.update((id(node.func), id(node.func.value.func)))
        name, code = magic
        if code is not None:
            inner = parse_cell(code)
            if inner is None:
                add(f"code in `%{name}` that cannot be read")
            else:
                for text, forges in findings(inner, helpers, module_names, sources).items():
                    add(f"{text} (in `%{name}`)", forges)
        if name not in SAFE_MAGICS and not (name in CODE_MAGICS and name != "prun"):
            add(f"the IPython magic or shell escape `{name}`", name not in ODD_MAGICS)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in NAMES and isinstance(node.ctx, ast.Load):
            if id(node) not in magic_shells:
                add(f"`{node.id}`")
        elif isinstance(node, ast.Attribute) and id(node) not in magic_shells:
            if node.attr in ATTRIBUTES or node.attr in HOOKS or (
                    node.attr == "__class__" and isinstance(node.ctx, ast.Store)):
                add(f"`.{node.attr}`")
            base = node.value.id if isinstance(node.value, ast.Name) else None
            module = import_bindings.get(base, base)
            if module in MODULE_ATTRIBUTES and node.attr in MODULE_ATTRIBUTES[module] and not (
                    f"{module}.{node.attr}" == "sys.modules" and id(node) in membership):
                add(f"`{module}.{node.attr}`", f"{module}.{node.attr}" not in ODD_MODULE_ATTRIBUTES)
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                root = _root_name(node)
                if root in imported_modules or root in helpers:
                    add(f"an assignment to `{ast.unparse(node)}`")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and node.level:
                add(f"the relative import `{ast.unparse(node)}`")
            for top in {m.split(".")[0] for m in ([a.name for a in node.names] if isinstance(node, ast.Import)
                                                   else [node.module or ""] if not node.level else [])}:
                if top and not installed(top):
                    add(f"`import {top}`, which grading does not have (a file the notebook wrote?)", False)
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            modules += [f"{node.module}.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.ImportFrom) and node.module == "IPython.display" and all(
                    a.name in DISPLAY_NAMES for a in node.names):
                modules = []  # showing things (display, HTML, Image...) reaches none of the shell's hooks
            for module in modules:
                parts = module.split(".")
                if parts[0] in MODULES or parts[-1] in MODULES:
                    add(f"`import {module}`", not (parts[0] in ODD_MODULES or parts[-1] in ODD_MODULES))
                    break
            if isinstance(node, ast.ImportFrom) and node.module in MODULE_ATTRIBUTES:
                risky = [a.name for a in node.names if a.name in MODULE_ATTRIBUTES[node.module] or a.name == "*"]
                if risky:
                    add(f"`from {node.module} import {', '.join(risky)}`",
                        not all(f"{node.module}.{r}" in ODD_MODULE_ATTRIBUTES for r in risky))
            for alias in node.names:
                if alias.name == "*" and (node.module or "").split(".")[0] not in LIBRARIES:
                    add(f"`from {node.module} import *`")
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name in ("setattr", "delattr") and not (
                    node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "self"):
                add(f"`{name}(...)` on something other than `self`")
            if name == "getattr" and len(node.args) >= 2 and not (
                    isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
                    and not node.args[1].value.startswith("_") and node.args[1].value not in HOOKS):
                add("`getattr(...)` with a computed, private or special attribute name")
            for keyword in node.keywords:
                if keyword.arg == "allow_pickle" and not (
                        isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
                    add("`allow_pickle=` (unpickling runs code)")
                if keyword.arg == "safe_mode" and not (
                        isinstance(keyword.value, ast.Constant) and keyword.value.value is True):
                    add("`safe_mode=` off (a saved model that runs code)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
            if "/proc/" in text or text.rstrip("/") == "/proc":
                add("a path under `/proc` (the memory and files of processes)")
    for node, name in _global_bindings(tree):
        if name not in helpers:
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            alias = next(a for a in node.names if _import_binding(node, a)[0] == name)
            full = _import_binding(node, alias)[1]
            origin = alias.name if isinstance(node, ast.Import) else node.module or ""
            if full != sources.get(name) and origin.split(".")[0] not in LIBRARIES:
                add(f"`{name}` rebound by an import")
        else:
            add(f"`{name}` rebound")
    return found


def cell_findings(tree, helpers: set[str], module_names: set[str], sources: dict[str, str] = {}) -> list[str]:
    """What in one parsed cell can forge or sabotage the grading, in words (empty: nothing)."""
    return sorted(findings(tree, helpers, module_names, sources))


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


VOID = "its automatic score is void"


def audit(nb, release) -> list:
    """One finding per student-editable code cell that can forge or sabotage the grading (empty: none),
    of kind ``forging`` (the submission earns no automatic points) or ``odd`` (score kept). The course's
    own plain cells - as the release has them, or as another edition of the lesson words them
    (``coursekit.sameprogram``) - are not the student's code."""
    from coursekit.grading.findings import FORGING, ODD, Finding
    from coursekit.grading.nbmeta import grade_meta as meta
    from coursekit.sameprogram import same_tree
    setup = next((c.source for c in release.cells if meta(c).get("grade_id") == "setup"), "")
    helpers, sources = setup_names(setup)
    modules = set(sources) | {"builtins", "numpy", "tensorflow", "keras"}
    course_code = {c.source.strip() for c in release.cells if c.cell_type == "code"}
    course_trees = [t for t in (parse_cell(c.source) for c in release.cells
                                if c.cell_type == "code" and not meta(c).get("solution")) if t is not None]
    notes = []
    for index, cell in enumerate(nb.cells, 1):
        m = meta(cell)
        # nbgrader restores locked and test cells from the master; every other code cell runs as left.
        if cell.cell_type != "code" or m.get("locked") or m.get("grade") or cell.source.strip() in course_code:
            continue
        tree = parse_cell(cell.source)
        # The course's own cell as another edition prints it: the same program, its text translated.
        if tree is not None and not m.get("solution") and any(same_tree(t, tree) for t in course_trees):
            continue
        found = findings(tree, helpers, modules, sources) if tree else {}
        if not found:
            continue
        where = f"answer cell '{m['grade_id']}'" if m.get("grade_id") else f"cell {index}"
        listed = ", ".join(sorted(found))
        cell_id = m.get("grade_id") if m.get("grade_id") else None
        if any(found.values()):
            notes.append(Finding(f"{where} uses what can forge the course's checks or reach outside the notebook "
                                 f"({listed}): {VOID} (every test 0) until an instructor grades it by hand",
                                 FORGING, cell_id))
        else:
            notes.append(Finding(f"{where} uses what a course answer never needs ({listed}): score kept; "
                                 "check this grade by hand", ODD, cell_id))
    return notes
