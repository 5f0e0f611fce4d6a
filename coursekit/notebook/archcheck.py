"""Architecture checker for Keras 3 models, used by graded test cells.

``model_layers(model)`` lists the LEAF layers in the order they are actually
called in one forward pass (nested models/blocks are flattened, InputLayer is
skipped, a shared layer appears once per call).  It works for functional,
Sequential and subclassed models alike: each leaf layer's ``call`` is wrapped
(instance attribute) for a single inference pass on a batch of zeros, and the
wrappers are removed again afterwards, even on error.  ``check_architecture``
compares that list with a spec and raises ``ArchitectureMismatch`` with a
student-readable message at the first difference.

Spec: a list of dicts, one per leaf layer; ``kind`` is required, every other
key is optional and only compared when present: filters, units, kernel,
strides, pool (an int n means (n, n)), padding, activation (a name), rate,
output_shape (batch dim None), params, trainable_params, name.
"""
import math
import re
import unicodedata
import warnings

import numpy as np

try:
    course_text, course_language  # in a notebook: defined by the i18n module, run before this one
except NameError:                  # imported as a module (the grader, the tests)
    from coursekit.notebook.i18n import course_text

# TensorFlow and Keras are imported where a model is inspected, not here: the grader compares layer
# lists (``compare_architecture``) without a model, and need not pay TensorFlow's import for it.


class ArchitectureMismatch(AssertionError):
    """The model does not have the expected architecture (student-readable)."""


_ARCH_ALIASES = {"MaxPool2D": "MaxPooling2D", "AvgPool2D": "AveragePooling2D",
                 "Convolution2D": "Conv2D", "GlobalAvgPool2D": "GlobalAveragePooling2D",
                 "MaxPool1D": "MaxPooling1D", "GlobalMaxPool2D": "GlobalMaxPooling2D"}
_ARCH_ACT_LAYERS = {"ReLU": "relu", "Softmax": "softmax", "LeakyReLU": "leaky_relu",
                    "ELU": "elu"}
_ARCH_ATTRS = (("filters", "filters"), ("units", "units"), ("kernel_size", "kernel"),
               ("pool_size", "pool"), ("strides", "strides"), ("padding", "padding"),
               ("rate", "rate"), ("activation", "activation"))
_ARCH_MISSING = object()
_ARCH_KW = {"pool": "pool_size"}
_ARCH_SHORT = ("kind", "filters", "units", "kernel", "pool", "rate", "activation")
_ARCH_KEYS = ("kind", "filters", "units", "kernel", "pool", "strides", "padding",
              "activation", "rate", "output_shape", "params", "trainable_params", "name")


def _arch_kind(kind):
    kind = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    return _ARCH_ALIASES.get(kind, kind)


def _arch_norm(key, value):
    """Normalise a value (from the model or from a spec) for comparison and display."""
    if key in ("kernel", "strides", "pool") and isinstance(value, (int, np.integer)):
        return (int(value), int(value))
    if key in ("kernel", "strides", "pool", "output_shape") and isinstance(value, (list, tuple)):
        return tuple(None if v is None else (v if isinstance(v, tuple) else int(v)) for v in value)
    if key == "activation":  # a name; None means linear; TensorFlow's names of the same functions
        name = "linear" if value is None else getattr(value, "__name__", None) or (
            value if isinstance(value, str) else type(value).__name__.lower())
        return {"softmax_v2": "softmax", "log_softmax_v2": "log_softmax", "swish": "silu"}.get(name, name)
    if key == "padding" and isinstance(value, str):
        return value.lower()
    if key == "kind":
        return _arch_kind(value)
    return value


def _arch_shape(out):
    if hasattr(out, "shape"):
        return (None,) + tuple(None if d is None else int(d) for d in tuple(out.shape)[1:])
    if isinstance(out, (list, tuple)):
        return tuple(_arch_shape(o) for o in out)
    return None


def _arch_nparams(weights):
    return int(sum(int(np.prod(w.shape)) for w in weights))


def _arch_base(layer):
    """The Keras layer class ``layer`` is (a student's subclass of Conv2D is a Conv2D), or None for a
    layer of the student's own (a subclass of Layer itself)."""
    import keras
    return next((c for c in type(layer).__mro__ if c.__module__.startswith(("keras.src.layers.", "keras.layers"))
                 and c is not keras.layers.Layer), None)


def _arch_info(layer, out):
    """The dict describing one call of a leaf layer."""
    base = _arch_base(layer)
    kind = base.__name__ if base is not None else type(layer).__name__
    info = {"name": layer.name, "kind": kind}
    if base is not None:  # custom layers: kind/shape/params only
        for attr, key in _ARCH_ATTRS:
            value = getattr(layer, attr, None)
            if value is not None and not (key == "padding" and not isinstance(value, str)):
                info[key] = _arch_norm(key, value)
        if kind in _ARCH_ACT_LAYERS:
            info["activation"] = _ARCH_ACT_LAYERS[kind]
    info["output_shape"] = _arch_shape(out)
    info["params"] = _arch_nparams(layer.weights)
    info["trainable_params"] = _arch_nparams(layer.trainable_weights)
    return info


def _arch_leaves(layer, found, seen):
    """Leaf layers under ``layer``: built-in layers, and custom layers without sublayers."""
    import keras
    for sub in getattr(layer, "_layers", []):
        if id(sub) in seen:
            continue
        seen.add(id(sub))
        builtin = _arch_base(sub) is not None
        if isinstance(sub, keras.Model) or (sub._layers and not builtin):
            _arch_leaves(sub, found, seen)
        elif type(sub).__name__ != "InputLayer":
            found.append(sub)
    return found


def leaf_layers(model):
    """The layers of ``model`` that do the work, in order, also inside nested blocks (a Sequential per
    block, a small Layer subclass): what to loop over to find every Conv2D or BatchNormalization."""
    return _arch_leaves(model, [], set())


def _arch_input_shapes(model, input_shape):
    """A list of per-input shapes without the batch dimension."""
    if input_shape is None:
        try:
            return [tuple(t.shape)[1:] for t in model.inputs]
        except (AttributeError, ValueError, TypeError):
            shapes = list((getattr(model, "_build_shapes_dict", None) or {}).values())
            if len(shapes) != 1:
                raise ValueError(course_text("model_layers() needs input_shape=... (without the batch dimension) "
                                             "for a model that has not been built yet"))
            return [tuple(shapes[0])[1:]]
    shapes = list(input_shape) if input_shape and isinstance(input_shape[0], (list, tuple)) \
        else [input_shape]
    return [tuple(s)[1:] if s and s[0] is None else tuple(s) for s in shapes]


def _arch_error_text(err):
    text = getattr(err, "message", None) or str(err)
    inner = re.search(r"\x1b\[1m(.*?)\x1b\[0m", text, re.S)  # Keras-decorated message
    where = re.search(r"Exception encountered when calling (.*?)\.\n", text)
    text = inner.group(1).strip() if inner else text.strip()
    text = text if len(text) < 600 else text[:600] + " ..."
    if where:
        return course_text("{0}: {1} (raised in {2})", type(err).__name__, text, where.group(1))
    return f"{type(err).__name__}: {text}"


def model_layers(model, input_shape=None):
    """Describe the leaf layers of ``model`` in call order (see module docstring)."""
    import tensorflow as tf
    shapes = _arch_input_shapes(model, input_shape)
    try:
        dtypes = [t.dtype for t in model.inputs]
    except (AttributeError, ValueError, TypeError):
        dtypes = []
    dtypes = dtypes if len(dtypes) == len(shapes) else ["float32"] * len(shapes)
    batch = [np.zeros((2,) + tuple(1 if d is None else d for d in s), dtype=dt)
             for s, dt in zip(shapes, dtypes)]
    leaves, calls, saved = _arch_leaves(model, [], set()), [], []

    def wrap(layer, orig):
        def _arch_recording_call(*args, **kwargs):
            record = [layer, None, tf.executing_eagerly()]
            calls.append(record)
            record[1] = orig(*args, **kwargs)
            return record[1]
        return _arch_recording_call

    shown = ", ".join(map(str, (None,) + shapes[0]))
    try:
        for layer in leaves:
            saved.append((layer, layer.__dict__.get("call", _ARCH_MISSING)))
            object.__setattr__(layer, "call", wrap(layer, layer.call))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                model(batch[0] if len(batch) == 1 else batch, training=False)
            except Exception as err:
                raise ArchitectureMismatch(course_text(
                    "Your model could not run on an input of shape ({0}): {1}", shown, _arch_error_text(err))) from None
    finally:
        for layer, old in saved:
            if old is _ARCH_MISSING:
                layer.__dict__.pop("call", None)
            else:
                object.__setattr__(layer, "call", old)
    # An unbuilt model first runs its call() symbolically to build itself: keep only
    # the eager calls (all of them if call() is a tf.function).
    eager = [c for c in calls if c[2]] or calls
    return [_arch_info(layer, out) for layer, out, _ in eager]


def _arch_describe(d, keys=None):
    """Keras-like one-liner: "Conv2D(32, (3, 3), activation='relu') -> (None, 26, 26, 32)"."""
    keys = [k for k in (keys or _ARCH_KEYS) if k in d]
    args = [str(_arch_norm(k, d[k])) for k in ("filters", "units", "kernel", "rate") if k in keys]
    args += [f"{_ARCH_KW.get(k, k)}={_arch_norm(k, d[k])!r}"
             for k in ("pool", "strides", "padding", "activation") if k in keys]
    text = f"{_arch_kind(d['kind'])}({', '.join(args)})"
    if "output_shape" in keys:
        text += f" -> {_arch_norm('output_shape', d['output_shape'])}"
    if "params" in keys:
        text += f", {d['params']:,} params"
    return text


def _arch_a(kind):
    """A layer kind with its English article ("a Conv2D", "an Activation"); Korean has none ("{0}")."""
    return course_text("an {0}", kind) if kind[:1] in "AEIOU" else course_text("a {0}", kind)


def _arch_width(text):
    """How many columns ``text`` takes in a monospaced font (Hangul and other wide letters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _arch_pad(text, width, right=False):
    """``text`` padded with spaces to ``width`` columns (on the left with ``right``)."""
    fill = " " * max(0, width - _arch_width(text))
    return fill + text if right else text + fill


def _arch_summary(expected, found, bad):
    rows = [("#", course_text("expected"), course_text("found"))]
    for i in range(max(len(expected), len(found))):
        exp = _arch_describe(expected[i]) if i < len(expected) else "-"
        keys = list(expected[i]) if i < len(expected) else _ARCH_SHORT
        got = _arch_describe(found[i], keys) if i < len(found) else "-"
        got = course_text("(same)") if got == exp else got
        rows.append((f"{'>> ' if i == bad else ''}{i + 1}", exp, got))
    width = max(_arch_width(r[1]) for r in rows)
    return "\n".join(f"{r[0]:>5}  {_arch_pad(r[1], width)}  |  {r[2]}" for r in rows)


def _arch_wanted(key, value):
    """How the expected value of a spec key is said in a message ("32 filters", "kernel size (3, 3)")."""
    if key == "filters":
        return course_text("{0} filters", value)
    if key == "units":
        return course_text("{0} units", value)
    if key == "kernel":
        return course_text("kernel size {0}", value)
    if key == "strides":
        return course_text("strides {0}", value)
    if key == "pool":
        return course_text("pool size {0}", value)
    if key == "activation":
        return course_text("activation {0}", repr(value))
    if key == "rate":
        return course_text("dropout rate {0}", value)
    if key == "output_shape":
        return course_text("output shape {0}", value)
    if key == "params":
        return course_text("{0} parameters", f"{value:,}")
    if key == "trainable_params":
        return course_text("{0} trainable parameters", f"{value:,}")
    if key == "name":
        return course_text("name {0}", repr(value))
    return f"padding={value!r}" if key == "padding" else str(value)


def _arch_found(key, value):
    """How the model's value of a spec key is said after "found"."""
    if key == "padding":
        return f"padding={value!r}"
    if key in ("activation", "name"):
        return repr(value)
    return f"{value:,}" if key in ("params", "trainable_params") else str(value)


def _arch_compare(i, expected, found):
    """Message for the first difference between spec and model at layer ``i``, followed by the table
    of both (``_arch_summary``), or None. Each message is one template with the table as its last
    value, so the grader can put a whole verdict into the notebook's language (``course_translate``)."""
    exp, got, n_exp = expected[i], found[i], len(expected)
    kind = _arch_kind(exp["kind"])
    name, got_a = repr(got["name"]), _arch_a(got["kind"])
    if kind != got["kind"]:
        table = _arch_summary(expected, found, i)
        nxt_exp = expected[i + 1] if i + 1 < n_exp else None
        if len(found) < n_exp and nxt_exp and _arch_kind(nxt_exp["kind"]) == got["kind"]:
            return course_text("Layer {0}: expected {1}, found {2} (your {3}). It looks like {4} is missing before "
                               "it.\n\n{5}", i + 1, _arch_a(kind), got_a, name,
                               _arch_a(_arch_describe(exp, _ARCH_SHORT)), table)
        if len(found) > n_exp and i + 1 < len(found) and found[i + 1]["kind"] == kind:
            return course_text("Layer {0}: expected {1}, found {2} (your {3}). It looks like your {4} is an extra "
                               "layer.\n\n{5}", i + 1, _arch_a(kind), got_a, name, name, table)
        return course_text("Layer {0}: expected {1}, found {2} (your {3}).\n\n{4}", i + 1, _arch_a(kind), got_a,
                           name, table)
    for key in _ARCH_KEYS[1:]:
        if key not in exp:
            continue
        want, have = _arch_norm(key, exp[key]), got.get(key)
        if isinstance(exp[key], int) and isinstance(have, tuple):  # int n means (n,) * rank
            want = (exp[key],) * len(have)
        if have is None:
            return course_text("Layer {0} (your {1}, {2}): expected {3}, but {4} has no {5}.\n\n{6}", i + 1, name,
                               got_a, _arch_wanted(key, want), got_a, key, _arch_summary(expected, found, i))
        same = math.isclose(want, have) if key == "rate" else want == have
        if key == "output_shape" and not same and len(want) == len(have) - 1:
            same = want == have[1:]
        if not same:
            table = _arch_summary(expected, found, i)
            if key == "output_shape":
                return course_text("Layer {0} (your {1}, {2}): expected {3}, found {4} - {5}.\n\n{6}", i + 1, name,
                                   got_a, _arch_wanted(key, want), _arch_found(key, have),
                                   _arch_shape_hint(got, want, have), table)
            return course_text("Layer {0} (your {1}, {2}): expected {3}, found {4}.\n\n{5}", i + 1, name, got_a,
                               _arch_wanted(key, want), _arch_found(key, have), table)
    return None


def _arch_shape_hint(got, want, have):
    """What to check when a layer's output shape differs."""
    if "padding" in got and len(want) == len(have) > 2:
        pairs = zip(want[1:-1], have[1:-1])
        bigger = all(w is not None and h is not None and w > h for w, h in pairs)
        if bigger and got["padding"] == "valid":
            return course_text("check padding='same'")
        if not bigger and got["padding"] == "same":
            return course_text("check padding='valid' and the strides")
        return course_text("check the padding and the strides")
    return course_text("check this layer's settings and the layers before it")


def check_architecture(model, expected, input_shape=None, total_params=None):
    """Raise ArchitectureMismatch at the first difference between ``model`` and ``expected``."""
    for entry in expected:  # a mistake here is in the test cell, not in the student's model
        if "kind" not in entry or set(entry) - set(_ARCH_KEYS):
            raise ValueError(f"bad spec entry {entry!r}: 'kind' is required, the allowed "
                             f"keys are {', '.join(_ARCH_KEYS)}")
    found = model_layers(model, input_shape)
    compare_architecture(expected, found, total_params,
                         None if total_params is None else model.count_params())


def compare_architecture(expected, found, total_params=None, count=None):
    """Raise ArchitectureMismatch at the first difference between the spec ``expected`` and
    ``found`` (what :func:`model_layers` reports), then between ``total_params`` and ``count``."""
    for i in range(min(len(expected), len(found))):
        msg = _arch_compare(i, expected, found)
        if msg:
            raise ArchitectureMismatch(msg)
    if len(found) < len(expected):
        missing = _arch_a(_arch_describe(expected[len(found)], _ARCH_SHORT))
        raise ArchitectureMismatch(course_text(
            "Your model has {0} layers, expected {1}: the first missing one (layer {2}) is {3}.\n\n{4}",
            len(found), len(expected), len(found) + 1, missing, _arch_summary(expected, found, len(found))))
    if len(found) > len(expected):
        extra = found[len(expected)]
        raise ArchitectureMismatch(course_text(
            "Your model has {0} layers, expected {1}: layer {2} (your {3}, {4}) is extra.\n\n{5}",
            len(found), len(expected), len(expected) + 1, repr(extra["name"]), _arch_a(extra["kind"]),
            _arch_summary(expected, found, len(expected))))
    if total_params is not None and count != total_params:
        raise ArchitectureMismatch(course_text(
            "Your model has {0} parameters in total, expected {1} ({2} too many)." if count > total_params
            else "Your model has {0} parameters in total, expected {1} ({2} too few).",
            f"{count:,}", f"{total_params:,}", f"{abs(count - total_params):,}"))


def format_layers(layers):
    """A readable table of ``model_layers(...)`` output, for printing in a notebook."""
    rows = [("#", course_text("name"), course_text("kind"), course_text("output shape"), course_text("params"),
             course_text("details"))]
    for i, d in enumerate(layers):
        details = _arch_describe(d, ["kind", "filters", "units", "kernel", "strides", "pool",
                                     "padding", "activation", "rate"])
        details = details[len(d["kind"]) + 1:-1]
        rows.append((str(i + 1), d["name"], d["kind"], str(d.get("output_shape")),
                     f"{d.get('params', 0):,}", details))
    widths = [max(_arch_width(r[c]) for r in rows) for c in range(6)]
    lines = ["  ".join(_arch_pad(v, w, right=(c == 4)) for c, (v, w) in enumerate(zip(r, widths))).rstrip()
             for r in rows]
    lines.insert(1, "-" * _arch_width(lines[0]))
    total = sum(d.get("params", 0) for d in layers)
    return "\n".join(lines + [course_text("Total params (summed over layer calls): {0}", f"{total:,}")])
