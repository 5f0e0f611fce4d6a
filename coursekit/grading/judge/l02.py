"""Judges of lesson 02 (the post's "VGG16 brief" on CIFAR-10, functional API): every graded test cell.

Visible judges ask what the notebook's visible cell tries and say what it says; where that cell
believes what the student's objects say about themselves (a layer list, a parameter count, an
optimizer's learning rate, a callback's settings), the judge also measures the behaviour: the model's
outputs with the judge's weights on the judge's images against a NumPy VGG16-brief, the size of
Adam's first step, the learning rates a callback sets on the judge's epochs, what fit trained and
validated on. Hidden judges draw fresh inputs for every submission.
"""
from __future__ import annotations

import math

import numpy as np

from coursekit.grading.judge import StudentError, need, registry
from coursekit.grading.judge import reference as ref
from coursekit.grading.judge.probes import MODEL_PROBE, ONE_STEP
from coursekit.notebook.archcheck import compare_architecture
from coursekit.notebook.checks import CheckFailed, expect, expect_close, expect_dtype, expect_shape
from coursekit.notebook.i18n import course_text

cell = registry()
JUDGES = cell.JUDGES


def _rng():
    return np.random.default_rng()  # fresh entropy: hidden inputs differ for every submission


# ---- split_validation --------------------------------------------------------------------------

# An array that counts how often one example is read from it (x[i], or a for loop over x).
COUNTED = """
class Counted(_np.ndarray):
    reads = 0
    def __getitem__(self, key):
        if isinstance(key, (int, _np.integer)) or (isinstance(key, tuple) and key and isinstance(key[0], (int, _np.integer))):
            Counted.reads += 1
        return super().__getitem__(key)
"""

SPLIT_VISIBLE = COUNTED + """
Counted.reads = 0
out = split_validation(IN["x"].view(Counted), IN["y"].view(Counted), n_val=4)
OUT["reads"] = Counted.reads
OUT["pairs"] = bool(isinstance(out, tuple) and len(out) == 2 and all(len(p) == 2 for p in out))
OUT["shown"] = f"{type(out).__name__} {out!r:.80}"
(xv, yv), (xr, yr) = (tuple(_np.asarray(a) for a in p) for p in out)
OUT["xv"], OUT["yv"], OUT["xr"], OUT["yr"] = xv, yv, xr, yr
"""


@cell("split_validation_visible")
def split_validation_visible(k):
    x = np.arange(10 * 2 * 2 * 3, dtype=np.uint8).reshape(10, 2, 2, 3)
    y = np.arange(10, dtype=np.uint8).reshape(10, 1)
    a = k.ask(SPLIT_VISIBLE, x=x, y=y)
    reads = need(a, "reads")
    expect(reads <= 2, f"split_validation read the test set one example at a time ({reads} reads of "
           "x[i] or steps of a for loop): that is the post's loop. Slice instead: x[:n_val] and x[n_val:].")
    expect(need(a, "pairs") is True,
           f"split_validation must return ((x_val, y_val), (x_rest, y_rest)); found {need(a, 'shown')}.")
    xv, yv, xr, yr = (need(a, n) for n in ("xv", "yv", "xr", "yr"))
    both = sorted(set(np.ravel(yv).tolist()) & set(np.ravel(yr).tolist()))
    expect(not both, f"with 10 examples and n_val=4, the validation examples must not also be in the test set: "
           f"examples {both} are still in the test set (the test set must be x[n_val:], the examples after the validation set).")
    expect_shape(xv, (4, 2, 2, 3), "x_val for 10 images and n_val=4")
    expect_shape(yv, (4, 1), "y_val for 10 labels of shape (10, 1) and n_val=4")
    expect_shape(xr, (6, 2, 2, 3), "x_rest (the new test set) for 10 images and n_val=4")
    expect_shape(yr, (6, 1), "y_rest (the new test set) for 10 labels of shape (10, 1) and n_val=4")
    expect(np.array_equal(yv[:, 0], [0, 1, 2, 3]) and np.array_equal(yr[:, 0], [4, 5, 6, 7, 8, 9]),
           f"the first n_val examples are the validation set, the rest the test set, in order; "
           f"found validation labels {np.ravel(yv).tolist()} and test labels {np.ravel(yr).tolist()}.")
    expect(np.array_equal(xv, x[:4]) and np.array_equal(xr, x[4:]), "the images must be split like the labels.")
    return ("split_validation: for 10 examples and n_val=4, the first 4 are the validation set and the other 6 the "
            "test set, in order, images and (10, 1) labels alike, without reading the examples one by one.")


SPLIT_HIDDEN = COUNTED + """
x, y, n = IN["x"], IN["y"], IN["n_val"]
Counted.reads = 0
(xv, yv), (xr, yr) = split_validation(x.view(Counted), y.view(Counted), n_val=n)
OUT["reads"] = Counted.reads
OUT["xv"], OUT["yv"], OUT["xr"], OUT["yr"] = (_np.asarray(a) for a in (xv, yv, xr, yr))
(xv, yv), (xr, yr) = split_validation(IN["x2"], IN["y2"], n_val=n)
OUT["xv2"], OUT["yv2"], OUT["xr2"], OUT["yr2"] = (_np.asarray(a) for a in (xv, yv, xr, yr))
(xv, yv), (xr, yr) = split_validation(_np.zeros((IN["big"], 1), _np.uint8), _np.arange(IN["big"]))
OUT["default"] = [len(xv), len(xr)]
raised = []
for bad in IN["bad"]:
    try:
        split_validation(x, y, n_val=bad)
    except ValueError:
        raised.append(bad)
OUT["raised"] = raised
edge = []
for n_ in IN["edge"]:
    try:
        (xv, yv), (xr, yr) = split_validation(x, y, n_val=n_)
        edge.append([n_, None, len(xv), len(xr)])
    except ValueError as err:
        edge.append([n_, str(err)[:300], -1, -1])
OUT["edge"] = edge
"""


@cell("split_validation_hidden")
def split_validation_hidden(k):
    rng = _rng()
    n = int(rng.integers(25, 61))
    n_val = int(rng.integers(3, n - 2))
    while 2 * n_val == n:
        n_val = int(rng.integers(3, n - 2))
    shape = (n, int(rng.integers(2, 5)), int(rng.integers(2, 5)), 3)
    # Two calls with other dtypes and label shapes: a cast to any one dtype changes one of them.
    x = rng.integers(0, 256, size=shape).astype(np.uint8)
    y = rng.choice(10 ** 6, size=n, replace=False).astype(np.int64)
    x2 = rng.standard_normal(shape).astype(np.float32)
    y2 = rng.choice(256, size=n, replace=False).astype(np.uint8).reshape(n, 1)
    big = int(rng.integers(5001, 12001))
    while big in (10000, 10001):
        big = int(rng.integers(5001, 12001))
    bad = [n + 1, n + int(rng.integers(2, 6000)), -1, -int(rng.integers(2, n))]
    a = k.ask(SPLIT_HIDDEN, x=x, y=y, n_val=n_val, x2=x2, y2=y2, big=big, bad=bad, edge=[n, 0])
    reads = need(a, "reads")
    expect(reads <= 2, f"split_validation read the test set one example at a time ({reads} reads of "
           "x[i] or steps of a for loop): that is the post's loop. Slice instead: x[:n_val] and x[n_val:].")
    xv, yv, xr, yr = (need(a, name) for name in ("xv", "yv", "xr", "yr"))
    expect(np.array_equal(xv, x[:n_val]) and np.array_equal(yv, y[:n_val]),
           f"with {n} examples and n_val={n_val}, the validation set must be the first {n_val} examples.")
    expect(np.array_equal(xr, x[n_val:]) and np.array_equal(yr, y[n_val:]),
           f"with {n} examples and n_val={n_val}, the test set must be the last {n - n_val} examples.")
    expect_dtype(xv, x.dtype, "x_val (keep the images' dtype)")
    expect_dtype(yr, y.dtype, "y_rest (keep the labels' dtype)")
    xv, yv, xr, yr = (need(a, name) for name in ("xv2", "yv2", "xr2", "yr2"))
    expect_shape(yv, (n_val, 1), f"y_val for labels of shape ({n}, 1) and n_val={n_val} (keep the labels' shape)")
    expect_shape(yr, (n - n_val, 1), f"y_rest for labels of shape ({n}, 1) and n_val={n_val} (keep the labels' shape)")
    expect(np.array_equal(yv, y2[:n_val]) and np.array_equal(yr, y2[n_val:]) and np.array_equal(xv, x2[:n_val])
           and np.array_equal(xr, x2[n_val:]),
           f"with labels of shape ({n}, 1) and n_val={n_val}, the validation set must be the first {n_val} examples "
           f"and the test set the last {n - n_val}, images and labels alike.")
    expect_dtype(xv, x2.dtype, "x_val (keep the images' dtype)")
    expect_dtype(yr, y2.dtype, "y_rest (keep the labels' dtype)")
    n_v, n_r = need(a, "default")
    expect(n_v == 5000 and n_r == big - 5000,
           f"the default n_val must be 5000 (the post's split); with {big} examples found {n_v} and {n_r}.")
    raised = need(a, "raised")
    expect(raised == bad, f"split_validation must raise ValueError when n_val is negative or larger than "
           f"the test set ({n} examples); it raised for n_val in {raised} out of {bad}.")
    for n_, err, got_v, got_r in need(a, "edge"):
        expect(err is None, f"n_val={n_} is allowed for a test set of {n} examples (it lies between 0 and {n}), "
               f"but split_validation raised ValueError: {err}")
        expect(got_v == n_ and got_r == n - n_,
               f"n_val={n_} out of {n} examples gives {n_} for validation and {n - n_} for the test set; "
               f"found {got_v} and {got_r}.")
    return "split_validation: right on other test sets, dtypes, label shapes and bounds."


# ---- build_model -------------------------------------------------------------------------------

VGG16_BRIEF_VISIBLE = [
    dict(kind="Conv2D", filters=32, kernel=3, padding="same", activation="relu", output_shape=(None, 32, 32, 32), params=896),
    dict(kind="Dropout", output_shape=(None, 32, 32, 32)),
    dict(kind="MaxPooling2D", pool=2, output_shape=(None, 16, 16, 32)),
    dict(kind="Conv2D", filters=64, kernel=3, padding="same", activation="relu", output_shape=(None, 16, 16, 64), params=18496),
    dict(kind="Dropout", output_shape=(None, 16, 16, 64)),
    dict(kind="MaxPooling2D", pool=2, output_shape=(None, 8, 8, 64)),
    dict(kind="Conv2D", filters=128, kernel=3, padding="same", activation="relu", output_shape=(None, 8, 8, 128), params=73856),
    dict(kind="Dropout", output_shape=(None, 8, 8, 128)),
    dict(kind="MaxPooling2D", pool=2, output_shape=(None, 4, 4, 128)),
    dict(kind="Flatten", output_shape=(None, 2048)),
    dict(kind="Dense", units=512, activation="relu", output_shape=(None, 512), params=1049088),
    dict(kind="Dropout", output_shape=(None, 512)),
    dict(kind="Dense", units=10, activation="softmax", output_shape=(None, 10), params=5130),
]
TOTAL_PARAMS = 1_147_466


def _vgg16_brief_spec(h, w, k):
    """The exact post architecture for an input of h x w pixels and k classes (the hidden test's)."""
    spec, c_in = [], 3
    for b, (f, r) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
        spec += [dict(kind="Conv2D", name=f"block{b}_conv", filters=f, kernel=3, strides=1, padding="same",
                      activation="relu", output_shape=(None, h, w, f), params=9 * c_in * f + f),
                 dict(kind="Dropout", name=f"block{b}_dropout", rate=r, output_shape=(None, h, w, f)),
                 dict(kind="MaxPooling2D", name=f"block{b}_pool", pool=2, strides=2,
                      output_shape=(None, h // 2, w // 2, f))]
        h, w, c_in = h // 2, w // 2, f
    flat = h * w * 128
    spec += [dict(kind="Flatten", name="flatten", output_shape=(None, flat)),
             dict(kind="Dense", name="fc", units=512, activation="relu", params=flat * 512 + 512),
             dict(kind="Dropout", name="fc_dropout", rate=0.5),
             dict(kind="Dense", name="predictions", units=k, activation="softmax", output_shape=(None, k),
                  params=512 * k + k)]
    return spec


def weight_shapes(h, w, k):
    """Weight shapes of the layers that hold weights, in the order the forward pass calls them."""
    flat = (h // 8) * (w // 8) * 128
    return [[[3, 3, 3, 32], [32]], [[3, 3, 32, 64], [64]], [[3, 3, 64, 128], [128]], [[flat, 512], [512]],
            [[512, k], [k]]]


def brief_forward(x, weights):
    """The VGG16 brief at prediction time (dropout passes everything through)."""
    h = x.astype(np.float64)
    for kernel, bias in weights[:3]:
        h = ref.maxpool2(ref.relu(ref.conv2d_same(h, kernel, bias)))
    (k4, b4), (k5, b5) = weights[3:]
    h = ref.relu(h.reshape(len(h), -1) @ k4 + b4)
    return ref.softmax(h @ k5 + b5)


# Kernel-side helpers (after the shared MODEL_PROBE: leaves, record_calls, weighted): what each call of
# a forward pass measures (kind by isinstance, output shape, weights, the dropout rate a Dropout layer
# applies to ones, the activation a layer applies to a probe), the judge's weights set layer by layer, a
# model's structure in one dict.
PROBE = ref.DRAW_WEIGHTS_SOURCE + MODEL_PROBE + """
KINDS = (("Conv2D", keras.layers.Conv2D), ("Dropout", keras.layers.Dropout),
         ("MaxPooling2D", keras.layers.MaxPooling2D), ("Flatten", keras.layers.Flatten), ("Dense", keras.layers.Dense))
Z = _np.array([[-2.0, -0.5, 0.0, 0.7, 1.5, 3.0]], "float32")

def shape_of(t):
    try:
        return [None] + [int(s) for s in tuple(t.shape)[1:]]
    except Exception:
        return None

def probe(m, shape):
    calls = record_calls(m, _np.zeros((1,) + tuple(shape), "float32"), training=False)
    info = []
    for layer, out, _ in calls:
        kind = next((name for name, cls in KINDS if isinstance(layer, cls)), type(layer).__name__)
        d = {"kind": kind, "name": layer.name, "output_shape": shape_of(out),
             "params": int(sum(int(_np.prod(w.shape)) for w in layer.weights))}
        if kind == "Dropout" and shape_of(out):  # a Dropout's output has its input's shape
            ones = _np.ones([1] + shape_of(out)[1:], "float32")
            kept = float(_np.max(_np.asarray(layer(ones, training=True))))  # ones / (1 - rate) where kept
            d["rate"] = 1.0 - 1.0 / kept if kept > 0 else 1.0
        act = getattr(layer, "activation", None)
        if callable(act):
            try:
                d["act"] = _np.asarray(act(tf.constant(Z)), "float64").reshape(-1).tolist()
            except Exception:
                pass
        info.append(d)
    return info, weighted(calls)

def structure(m, shape):
    info, order = probe(m, shape)
    reported = model_layers(m)
    return {"reported": reported, "count": int(m.count_params()), "measured": info,
            "shapes": [[list(w.shape) for w in layer.weights] for layer in order]}, order

def set_judge_weights(order, seed):
    shapes = [[list(w.shape) for w in layer.weights] for layer in order]
    if sum(int(_np.prod(s)) for layer in shapes for s in layer) > 2e7:
        return  # far from the VGG16 brief: its shapes fail the check, drawing its weights is not worth it
    for layer, ws in zip(order, draw_weights(seed, shapes)):
        layer.set_weights(ws)
"""

BUILD_VISIBLE = PROBE + """
m = build_model()
OUT["is_model"] = [isinstance(m, keras.Model), type(m).__name__]
OUT["structure"], order = structure(m, (32, 32, 3))
set_judge_weights(order, IN["seed"])
OUT["p"] = _np.asarray(m(IN["x"], training=False))
"""


def _tuples(value):
    """JSON gives lists where the model's report had tuples (shapes, kernel sizes)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _activation(values):
    """The activation a layer applied to the probe Z, named by what it computed (so that tf.nn.softmax,
    keras.activations.relu and "relu" are the same answer), or None when it is none of these."""
    z = np.array([[-2.0, -0.5, 0.0, 0.7, 1.5, 3.0]])
    got = np.asarray(values, dtype=np.float64).reshape(-1)
    for name, want in (("linear", z), ("relu", ref.relu(z)), ("softmax", ref.softmax(z))):
        if got.shape == want.reshape(-1).shape and np.allclose(got, want.reshape(-1), atol=1e-5):
            return name
    return None


def _architecture(structure, spec, total, measured_keys):
    """Compare the model with the spec twice: as the setup cell's ``model_layers`` reports it (the words
    the notebook's check prints; activations named by what they compute), then as the judge measured it
    (kinds by isinstance, output shapes, weights, dropout rates applied)."""
    reported, measured = structure["reported"], structure["measured"]
    expect(isinstance(reported, list) and all(isinstance(d, dict) and "kind" in d and "name" in d for d in reported),
           "build_model: the grader could not read your model's layers.")
    reported = [{key: _tuples(v) for key, v in d.items()} for d in reported]
    if len(reported) == len(measured):
        for r, m in zip(reported, measured):
            named = _activation(m["act"]) if "act" in m else None
            if named and "activation" in r and r.get("name") == m["name"]:
                r["activation"] = named
    compare_architecture(spec, reported, total, structure["count"])
    found = [{key: round(v, 4) if key == "rate" else _tuples(v) for key, v in d.items()
              if key in measured_keys + ("kind", "name")} for d in measured]
    want = [{key: v for key, v in d.items() if key in measured_keys + ("kind",)} for d in spec]
    count = sum(int(np.prod(s)) for layer in structure["shapes"] for s in layer)
    compare_architecture(want, found, total, count)


def _forward(a, name, x, seed, shapes, structure, what):
    """The model's outputs with the judge's weights (drawn from ``seed`` for the shapes it measured) on
    the judge's images, against the NumPy VGG16 brief with the same weights."""
    found = structure["shapes"]
    expect(found == shapes, f"{what}: its layers with weights, in the order the model calls them, should have the "
           f"weight shapes {shapes}; found {found}.")
    p = need(a, name)
    expect_shape(p, (len(x), shapes[-1][1][0]), f"{what} on a batch of {len(x)} images")
    weights = ref.draw_weights(seed, shapes)
    expected = brief_forward(x, weights)
    if not np.allclose(p, expected, atol=1e-4, rtol=1e-3):
        worst = float(np.abs(p - expected).max())
        (k5, b5) = weights[-1]
        h = x.astype(np.float64)
        for kernel, bias in weights[:3]:
            h = ref.maxpool2(ref.relu(ref.conv2d_same(h, kernel, bias)))
        logits = ref.relu(h.reshape(len(h), -1) @ weights[3][0] + weights[3][1]) @ k5 + b5
        if np.allclose(p, ref.softmax(ref.softmax(logits)), atol=1e-4, rtol=1e-3):
            hint = course_text("the softmax is applied twice: once by 'predictions', once more after it")
        elif np.allclose(p, logits, atol=1e-4, rtol=1e-3):
            hint = course_text("it outputs the logits: the last Dense layer needs activation='softmax'")
        else:
            hint = course_text("check each layer's activation, padding and pooling, and the order of the layers")
        raise CheckFailed(f"{what}'s output with the grader's weights on the grader's images differs from the "
                          f"VGG16 brief's (by up to {worst:.3g}): {hint}.")


@cell("build_model_visible")
def build_model_visible(k):
    rng = _rng()
    seed, shapes = int(rng.integers(0, 2 ** 31 - 1)), weight_shapes(32, 32, 10)
    x = rng.random((3, 32, 32, 3)).astype("float32")
    a = k.ask(BUILD_VISIBLE, x=x, seed=seed)
    is_model, name = need(a, "is_model")
    expect(is_model is True, f"build_model() must return a keras.Model, found {name}.")
    structure = need(a, "structure")
    _architecture(structure, VGG16_BRIEF_VISIBLE, TOTAL_PARAMS, ("output_shape", "params"))
    expect(structure["count"] == TOTAL_PARAMS, f"the model should have 1,147,466 parameters, found {structure['count']:,}.")
    _forward(a, "p", x, seed, shapes, structure, "build_model()")
    return ("build_model(): 13 layers in the table's order, with its kinds, filters/units, kernel and pool sizes, padding, "
            "activations and output shapes, and 1,147,466 parameters. Not checked here (but when it is graded): layer and "
            "model names, dropout rates, a new functional model at every call, other input shapes and class counts, and "
            "what the model outputs.")


BUILD_HIDDEN = PROBE + """
try:
    from keras.src.models.functional import Functional
except ImportError:
    Functional = keras.Model
m1, m2 = build_model(), build_model()
OUT["shared"] = [l.name for l in leaves(m1) if any(l is o for o in leaves(m2))]
OUT["same"] = m1 is m2
OUT["functional"] = bool(isinstance(m1, Functional) and not isinstance(m1, keras.Sequential)
                         and getattr(m1, "inputs", None) and getattr(m1, "outputs", None))
OUT["name"] = str(m1.name)
OUT["s1"], order1 = structure(m1, (32, 32, 3))
set_judge_weights(order1, IN["seed1"])
set_judge_weights(probe(m2, (32, 32, 3))[1], IN["seed1"] + 1)  # other weights in the second model
x1 = IN["x1"]
OUT["p1"] = _np.asarray(m1(x1, training=False))
OUT["p1_again"] = _np.asarray(m1(x1, training=False))
OUT["p1_default"] = _np.asarray(m1(x1))
OUT["p1_training"] = _np.asarray(m1(x1, training=True))
h, w, k = IN["h"], IN["w"], IN["k"]
m3 = build_model(input_shape=(h, w, 3), num_classes=k)
try:
    OUT["input3"] = [None if d is None else int(d) for d in tuple(m3.inputs[0].shape)]
except Exception as err:
    OUT["input3"] = type(err).__name__ + ": " + str(err)[:200]
OUT["s3"], order3 = structure(m3, (h, w, 3))
set_judge_weights(order3, IN["seed3"])
OUT["p3"] = _np.asarray(m3(IN["x3"], training=False))
last = [l for l in order3 if isinstance(l, keras.layers.Dense)][-1]
last.kernel.assign(_np.zeros(last.kernel.shape, "float32"))
last.bias.assign(IN["b"])
OUT["p_sure"] = _np.asarray(m3(_np.zeros((1, h, w, 3), "float32"), training=False))
"""


@cell("build_model_hidden")
def build_model_hidden(k):
    rng = _rng()
    h, w = (int(v) * 8 for v in rng.choice(np.arange(2, 7), size=2, replace=False))
    classes = int(rng.choice([c for c in range(2, 13) if c != 10]))
    shapes1, shapes3 = weight_shapes(32, 32, 10), weight_shapes(h, w, classes)
    seed1, seed3 = (int(v) for v in rng.integers(0, 2 ** 31 - 2, size=2))
    x1 = rng.random((3, 32, 32, 3)).astype("float32")
    x3 = rng.random((2, h, w, 3)).astype("float32")
    b = np.round(rng.normal(0.0, 1.5, classes), 2).astype("float32")
    a = k.ask(BUILD_HIDDEN, seed1=seed1, x1=x1, h=h, w=w, k=classes, seed3=seed3, x3=x3, b=b)
    shared = need(a, "shared")
    expect(need(a, "same") is False and not shared,
           f"build_model() must build a NEW model (with new layers) every time it is called; two calls share the layers {shared}.")
    expect(need(a, "functional") is True,
           "build_model() must use the functional API: keras.Model(inputs=keras.Input(...), outputs=...), not Sequential or a subclass.")
    name = need(a, "name")
    expect(name == "VGG16_Brief", f"the model must be named 'VGG16_Brief', found {name!r}.")
    s1 = need(a, "s1")
    _architecture(s1, _vgg16_brief_spec(32, 32, 10), TOTAL_PARAMS, ("output_shape", "params", "rate"))
    _forward(a, "p1", x1, seed1, shapes1, s1, "build_model()")
    got = need(a, "input3")
    expect(got == [None, h, w, 3], f"build_model(input_shape=({h}, {w}, 3)) must take inputs of shape "
           f"(None, {h}, {w}, 3), found {tuple(got) if isinstance(got, list) else got}.")
    s3 = need(a, "s3")
    total3 = 896 + 18496 + 73856 + ((h // 8) * (w // 8) * 128 * 512 + 512) + (512 * classes + classes)
    _architecture(s3, _vgg16_brief_spec(h, w, classes), total3, ("output_shape", "params", "rate"))
    _forward(a, "p3", x3, seed3, shapes3, s3, f"build_model(input_shape=({h}, {w}, 3), num_classes={classes})")
    got = need(a, "p_sure")
    want = ref.softmax(b.astype(np.float64))
    expect(got.shape == (1, classes) and np.allclose(got[0], want, atol=1e-5),
           f"the model's output must be the softmax of the last Dense layer, applied once, with nothing after it: with that "
           f"layer's weights set to 0 and its biases to {b.astype(float).tolist()}, the output should be "
           f"{np.round(want, 3).tolist()}, found {np.round(got.reshape(-1).astype(float), 3).tolist()} "
           "(softmax applied twice? an operation after 'predictions'?).")
    p = need(a, "p1")
    expect_close(p.sum(axis=1), np.ones(len(p)), "each row of the model's output must be class probabilities summing to 1", atol=1e-4)
    expect(np.allclose(p, need(a, "p1_again")), "with training=False the model must be deterministic.")
    expect(np.allclose(p, need(a, "p1_default")),
           "called without training= (model(x), as at prediction time) the model must be deterministic, with dropout off: "
           "do not pass training=True to the Dropout layers; Keras passes training=True to them itself during fit.")
    expect(not np.allclose(p, need(a, "p1_training")), "with training=True the dropout layers must change the output.")
    return ("build_model: a new functional 'VGG16_Brief' at every call, the post's layers, names and dropout rates, "
            "other input shapes and class counts, and the VGG16 brief's outputs with the grader's weights.")


# ---- compile_model -----------------------------------------------------------------------------

COMPILE = ONE_STEP + """
import keras
import tensorflow as tf
from keras import layers
x, y = IN["x"], IN["y"]
m = keras.Sequential([keras.Input(tuple(x.shape[1:])), layers.Flatten(), layers.Dense(len(IN["bias"]), activation="softmax")])
m.set_weights([IN["kernel"], IN["bias"]])
ret = compile_model(m) if IN["lr"] is None else compile_model(m, learning_rate=IN["lr"])
OUT["returned"] = [ret is m, type(ret).__name__]
opt = getattr(m, "optimizer", None)
OUT["adam"] = [isinstance(opt, keras.optimizers.Adam), type(opt).__name__ if opt is not None else "none (not compiled)"]
OUT["lr"] = float(opt.learning_rate)
p = _np.asarray(m(x))
try:
    res = one_step(m.test_on_batch, x, y, return_dict=True)
    OUT["res"] = {str(key): float(v) for key, v in res.items()}
    OUT["loss"] = float(m.compute_loss(x=x, y=y, y_pred=tf.constant(p)))
except Exception as err:
    OUT["why"] = f"{type(err).__name__}: " + str(err).strip().split("\\n")[0][:160]
if "loss" in OUT:
    one_step(m.train_on_batch, x, y)
    OUT["after_kernel"], OUT["after_bias"] = [_np.asarray(v) for v in m.get_weights()]
"""


def _adam_first_step(x, y, kernel, bias, lr, beta_2=0.999, epsilon=1e-7):
    """The weights after Adam's first step on the mean cross-entropy of softmax(flatten(x) @ kernel + bias)
    (Keras's Adam: m = (1-b1) g, v = (1-b2) g^2, w -= lr sqrt(1-b2)/(1-b1) m / (sqrt(v) + eps))."""
    flat = x.reshape(len(x), -1).astype(np.float64)
    probs = ref.softmax(flat @ kernel.astype(np.float64) + bias)
    grad = (probs - np.eye(kernel.shape[1])[y]) / len(x)
    out = []
    for w, g in ((kernel, flat.T @ grad), (bias, grad.sum(axis=0))):
        s = math.sqrt(1 - beta_2)
        out.append(w.astype(np.float64) - lr * s * g / (s * np.abs(g) + epsilon))
    return out


def _compile_problem(rng, shape, classes, n):
    x = rng.random((n,) + shape).astype("float32")
    y = (np.arange(n) % classes).astype("int64")
    rng.shuffle(y)
    kernel = (rng.standard_normal((int(np.prod(shape)), classes)) * 0.8).astype("float32")
    bias = (rng.standard_normal(classes) * 0.2).astype("float32")
    return x, y, kernel, bias


def _adam_step(a, x, y, kernel, bias, lr, what):
    got_k, got_b = (np.asarray(need(a, name), dtype=np.float64) for name in ("after_kernel", "after_bias"))
    expect(not np.allclose(got_k, kernel) and not np.allclose(got_b, bias),
           "after compile_model, one fit step must update every trainable weight.")
    want_k, want_b = _adam_first_step(x, y, kernel, bias, lr)
    for got, want, old in ((got_k, want_k, kernel), (got_b, want_b, bias)):
        if got.shape != want.shape or not np.allclose(got - old, want - old, atol=0.02 * lr, rtol=0.02):
            moved = float(np.abs(got - old).max()) if got.shape == want.shape else float("nan")
            raise CheckFailed(f"{what}: one fit step of the compiled model should be one step of Adam with learning rate "
                              f"{lr:g} (every weight moves by about {lr:g} on the first step); the weights moved by up to "
                              f"{moved:.3g}.")


@cell("compile_model_visible")
def compile_model_visible(k):
    rng = np.random.default_rng(0)
    x, y, kernel, bias = _compile_problem(rng, (4, 4, 3), 3, 8)
    y2 = y.reshape(8, 1)
    a = k.ask(COMPILE, x=x, y=y2, kernel=kernel, bias=bias, lr=None)
    same, name = need(a, "returned")
    expect(same is True, f"compile_model(model) must return the model it compiled, found {name}.")
    adam, name = need(a, "adam")
    expect(adam is True, f"the optimizer must be Adam, found {name}.")
    expect_close(need(a, "lr"), 1e-3, "the default learning rate", rtol=1e-4)
    p = ref.softmax(x.reshape(8, -1).astype(np.float64) @ kernel + bias)
    if "loss" not in a:
        expect(False, f"the compiled model could not compute its loss on integer labels of shape (8, 1) ({need(a, 'why')}); "
               "use sparse categorical cross-entropy, which takes integer labels rather than one-hot vectors.")
    res = need(a, "res")
    expect("accuracy" in res, f"compile with metrics=['accuracy']; the model reports only {sorted(res)}.")
    expect_close(need(a, "loss"), float(np.mean(-np.log(p[np.arange(8), y]))),
                 "the loss of softmax probabilities p for integer labels: sparse categorical cross-entropy, -mean(log p[label]), "
                 "with from_logits=False (the model's outputs are probabilities, not logits)", rtol=1e-4)
    expect_close(res["accuracy"], float(np.mean(p.argmax(axis=1) == y)),
                 "the 'accuracy' metric (the share of images whose most probable class is their label: metrics=['accuracy'])", atol=1e-6)
    _adam_step(a, x, y, kernel, bias, 1e-3, "compile_model(model)")
    return ("compile_model: returns the model, compiled with Adam (learning rate 0.001 by default), sparse categorical "
            "cross-entropy on probabilities and integer labels, and the 'accuracy' metric.")


@cell("compile_model_hidden")
def compile_model_hidden(k):
    rng = _rng()
    shape = (int(rng.integers(2, 4)), int(rng.integers(2, 4)), 3)
    classes, n = int(rng.integers(4, 7)), int(rng.integers(9, 15))
    x, y, kernel, bias = _compile_problem(rng, shape, classes, n)
    lr = float(f"{10 ** rng.uniform(-2.3, -1.3):.3g}")
    a = k.ask(COMPILE, x=x, y=y, kernel=kernel, bias=bias, lr=lr)
    same, _ = need(a, "returned")
    expect(same is True, f"compile_model(model, learning_rate={lr:g}) must return the model it compiled.")
    adam, _ = need(a, "adam")
    expect(adam is True, "the optimizer must be Adam.")
    expect_close(need(a, "lr"), lr, f"compile_model(model, learning_rate={lr:g}): the optimizer's learning rate", rtol=1e-4)
    p = ref.softmax(x.reshape(n, -1).astype(np.float64) @ kernel + bias)
    want = float(np.mean(-np.log(p[np.arange(n), y])))
    if "loss" not in a:
        expect(False, f"the compiled model could not evaluate {n} integer labels of shape ({n},) ({need(a, 'why')}); compile with "
               "sparse categorical cross-entropy and metrics=['accuracy'], which take integer labels.")
    expect_close(need(a, "loss"), want, "the loss of softmax probabilities (sparse categorical cross-entropy, from_logits=False)", rtol=1e-4)
    res = need(a, "res")
    expect_close(res.get("loss", np.nan), want,
                 "the loss evaluate reports (sparse categorical cross-entropy on the softmax probabilities)", rtol=1e-4)
    expect_close(res.get("accuracy", np.nan), float(np.mean(p.argmax(axis=1) == y)),
                 "the 'accuracy' metric (the share of images whose most probable class is their label)", atol=1e-6)
    _adam_step(a, x, y, kernel, bias, lr, f"compile_model(model, learning_rate={lr:g})")
    return f"compile_model: Adam with learning rate {lr:g}, the right loss and accuracy, one fit step of Adam."


# ---- make_callbacks ----------------------------------------------------------------------------

CALLBACKS = """
import keras
from keras import layers
cbs = make_callbacks()
OUT["list"] = [bool(isinstance(cbs, list) and len(cbs) == 1), f"{cbs!r:.100}"]
cb = cbs[0]
OUT["plateau"] = [isinstance(cb, keras.callbacks.ReduceLROnPlateau), type(cb).__name__]
attrs = {}
for key in ("monitor", "mode", "patience", "factor", "min_lr", "cooldown", "min_delta"):
    value = getattr(cb, key, None)
    plain = value if isinstance(value, str) else float(value) if isinstance(value, (int, float, _np.number)) and not isinstance(value, bool) else None
    attrs[key] = [plain, str(value), repr(value)]
OUT["attrs"] = attrs
def run(cb, lr0, epochs):
    m = keras.Sequential([keras.Input((2,)), layers.Dense(2, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(lr0), loss="sparse_categorical_crossentropy")
    cb.set_model(m)
    cb.on_train_begin({})
    lrs = []
    for epoch, logs in enumerate(epochs):
        cb.on_epoch_end(epoch, dict(logs))
        lrs.append(float(m.optimizer.learning_rate))
    return lrs
if IN["second"]:
    cb2 = make_callbacks()[0]
    OUT["new"] = cb2 is not cb
OUT["lrs"] = run(cb, IN["lr0"], IN["epochs"])
if IN["second"]:
    OUT["lrs2"] = run(cb2, IN["lr0"], IN["epochs2"])
"""


def plateau_lrs(lr0, val_losses, patience=5, factor=0.1, min_lr=1e-5, min_delta=1e-4):
    """The learning rates ReduceLROnPlateau(monitor='val_loss', patience, factor, min_lr) sets after each
    epoch (Keras 3's rule, cooldown 0; the rate lives in a float32 variable)."""
    f32 = lambda v: float(np.float32(v))  # noqa: E731
    lr, best, wait, out = f32(lr0), None, 0, []
    for v in val_losses:
        if best is None or v + min_delta < best:
            best, wait = v, 0
        else:
            wait += 1
            if wait >= patience and lr > np.float32(min_lr):
                lr, wait = f32(max(lr * factor, min_lr)), 0
        out.append(lr)
    return out


def _epochs(val_loss, loss, val_accuracy):
    return [{"loss": float(a), "val_loss": float(b), "accuracy": 0.5, "val_accuracy": float(c)}
            for a, b, c in zip(loss, val_loss, val_accuracy)]


def _attributes(a):
    listed, shown = need(a, "list")
    expect(listed is True, f"make_callbacks() must return a list with one callback, found {shown}.")
    plateau, name = need(a, "plateau")
    expect(plateau is True, f"the callback must be a ReduceLROnPlateau, found {name}.")
    return need(a, "attrs")


def _visible_attributes(attrs):
    (monitor, _, monitor_repr), (patience, patience_str, _) = attrs["monitor"], attrs["patience"]
    expect(monitor == "val_loss", f"ReduceLROnPlateau must monitor 'val_loss', found {monitor_repr}.")
    expect(patience == 5 and not isinstance(patience, bool), f"patience must be 5 epochs, found {patience_str}.")
    factor, factor_str, _ = attrs["factor"]
    expect(isinstance(factor, (int, float)) and abs(factor - 0.1) < 1e-9, f"factor must be 0.1, found {factor_str}.")
    min_lr, min_lr_str, _ = attrs["min_lr"]
    expect(isinstance(min_lr, (int, float)) and abs(min_lr - 1e-5) < 1e-12, f"min_lr must be 1e-5, found {min_lr_str}.")


def _rates(values):
    return [float(f"{v:.3g}") for v in values]


def _schedule(lrs, want, lr0):
    """Compare the learning rates the callback set with ReduceLROnPlateau's, in the hidden test's words."""
    expect(isinstance(lrs, list) and len(lrs) == len(want), f"the callback ran {len(want)} epochs but the grader read "
           f"{len(lrs) if isinstance(lrs, list) else lrs} learning rates.")
    first = next(i for i, v in enumerate(want) if v < want[0])
    expect(np.allclose(lrs[:first], want[:first], rtol=1e-5, atol=0),
           f"the learning rate must stay {lr0:g} while val_loss improved less than 5 epochs ago; found {_rates(lrs[:first])}.")
    expect(math.isclose(lrs[first], want[first], rel_tol=1e-5),
           f"after 5 epochs without a better val_loss the rate must drop 10x to {want[first]:.3g}; found {lrs[first]:.3g}.")
    expect(math.isclose(lrs[-1], 1e-5, rel_tol=1e-5),
           f"the rate must never fall below min_lr=1e-5; after many epochs it is {lrs[-1]:.3g}.")
    expect(np.allclose(lrs, want, rtol=1e-5, atol=0),
           f"the learning rate after each epoch should be {_rates(want)} (ReduceLROnPlateau(monitor='val_loss', "
           f"patience=5, factor=0.1, min_lr=1e-5): after a drop the rate drops again after 5 more epochs without a better "
           f"val_loss, no cooldown); found {_rates(lrs)}.")


@cell("make_callbacks_visible")
def make_callbacks_visible(k):
    val_loss = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95] + [0.95] * 12
    loss = [1.0 / (e + 1) for e in range(len(val_loss))]
    a = k.ask(CALLBACKS, lr0=1e-3, epochs=_epochs(val_loss, loss, [0.5] * len(val_loss)), second=False, epochs2=[])
    attrs = _attributes(a)
    _visible_attributes(attrs)
    lrs, want = need(a, "lrs"), plateau_lrs(1e-3, val_loss)
    expect(isinstance(lrs, list) and len(lrs) == len(want) and np.allclose(lrs, want, rtol=1e-5, atol=0),
           f"on {len(want)} epochs whose val_loss goes {val_loss[:3]} and then stays at 0.95, ReduceLROnPlateau("
           f"monitor='val_loss', patience=5, factor=0.1, min_lr=1e-5) - with the default mode (val_loss must go down), "
           f"no cooldown and the default min_delta - sets the learning rates {_rates(want)}; yours set "
           f"{_rates(lrs) if isinstance(lrs, list) else lrs} (it has mode={attrs['mode'][2]}, cooldown={attrs['cooldown'][1]}, "
           f"min_delta={attrs['min_delta'][1]}).")
    return ("make_callbacks: a list with one ReduceLROnPlateau with monitor='val_loss', patience=5, factor=0.1, min_lr=1e-5 "
            "(how it changes the learning rate is tested when it is graded).")


def _plateau_run(rng):
    """A fresh val_loss history: improvements, a pause shorter than the patience, one more improvement, then a
    long plateau; the training loss keeps falling and val_accuracy moves on its own."""
    values = [float(rng.uniform(1.0, 3.0))]
    best = values[0]

    def improve():
        nonlocal best
        best = best - float(rng.uniform(0.02, 0.2))
        values.append(best)

    for _ in range(int(rng.integers(1, 4))):
        improve()
    values += [best + float(rng.uniform(0.001, 0.3)) for _ in range(int(rng.integers(2, 5)))]
    improve()
    values += [best + float(rng.uniform(0.001, 0.3)) for _ in range(24 + int(rng.integers(0, 5)))]
    loss = np.cumsum(-rng.uniform(0.01, 0.1, len(values))) + 4.0
    return values, loss.tolist(), rng.uniform(0.1, 0.9, len(values)).tolist()


@cell("make_callbacks_hidden")
def make_callbacks_hidden(k):
    rng = _rng()
    lr0 = float(f"{10 ** rng.uniform(-3.4, -2.3):.2g}")
    val_loss, loss, val_accuracy = _plateau_run(rng)
    n2 = int(rng.integers(8, 13))
    val_loss2 = (np.cumsum(-rng.uniform(0.02, 0.2, n2)) + 3.0).tolist()            # always improving
    loss2 = [float(rng.uniform(0.5, 0.6))] + [0.6] * (n2 - 1)                     # the training loss stalls
    a = k.ask(CALLBACKS, lr0=lr0, epochs=_epochs(val_loss, loss, val_accuracy), second=True,
              epochs2=_epochs(val_loss2, loss2, rng.uniform(0.1, 0.9, n2).tolist()))
    attrs = _attributes(a)
    expect(need(a, "new") is True, "make_callbacks() must make a new callback every time it is called.")
    (monitor, _, monitor_repr), (mode, _, mode_repr) = attrs["monitor"], attrs["mode"]
    expect(monitor == "val_loss" and mode in ("auto", "min"),
           f"ReduceLROnPlateau must wait for val_loss to go *down*: monitor='val_loss' with mode='min' or the default "
           f"mode='auto'; found monitor={monitor_repr}, mode={mode_repr}.")
    _schedule(need(a, "lrs"), plateau_lrs(lr0, val_loss), lr0)
    lrs2 = need(a, "lrs2")
    expect(np.allclose(lrs2, lr0, rtol=1e-5, atol=0), "while val_loss keeps improving, the learning rate must not change.")
    return "make_callbacks: a new ReduceLROnPlateau each call, reducing the rate like the post's on other histories."


# ---- train_model -------------------------------------------------------------------------------

# The judge's model and data: fit on them, with the judge's callbacks counting batches and epochs and
# metrics of the judge's counting the examples and summing the labels fit trains and validates on.
TRAIN = """
import keras
import tensorflow as tf
from keras import layers
x, y, xv, yv = IN["x"], IN["y"], IN["xv"], IN["yv"]

class Seen(keras.metrics.Metric):
    def __init__(self, name, labels):
        super().__init__(name=name)
        self.labels = labels
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
    def update_state(self, y_true, y_pred, sample_weight=None):
        flat = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "float32")
        self.total.assign_add(keras.ops.sum(flat if self.labels else keras.ops.ones_like(flat)))
    def result(self):
        return keras.ops.convert_to_tensor(self.total) * 1.0  # a value, not the variable evaluate resets

m = keras.Sequential([keras.Input(tuple(x.shape[1:])), layers.Flatten(), layers.Dense(len(IN["bias"]), activation="softmax")])
m.set_weights([IN["kernel"], IN["bias"]])
# run_eagerly: the judge's own model, whose fit and evaluate steps Keras would trace into graphs; the
# student's train_model only calls fit (a student's compile inside it would bring graph mode back).
m.compile(optimizer=keras.optimizers.Adam(IN["lr"]), loss="sparse_categorical_crossentropy",
          metrics=["accuracy", Seen("judge_examples", False), Seen("judge_label_sum", True)], run_eagerly=True)
seen = {"batches": 0, "epochs": 0}
counter = keras.callbacks.LambdaCallback(
    on_train_batch_end=lambda batch, logs: seen.__setitem__("batches", seen["batches"] + 1),
    on_epoch_end=lambda epoch, logs: seen.__setitem__("epochs", seen["epochs"] + 1))
runs = []
OUT["runs"] = runs
for epochs, kwargs, as_tuple in IN["calls"]:
    seen.update(batches=0, epochs=0)
    run = {}
    runs.append(run)
    try:
        h = train_model(m, x, y, xv, yv, *([epochs] if kwargs.pop("positional", False) else []),
                        callbacks=(counter,) if as_tuple else [counter], verbose=0, **kwargs)
    except Exception as err:
        run["why"] = f"{type(err).__name__}: " + str(err).split("\\x1b[1m")[-1].split("\\x1b[0m")[0].strip().split("\\n")[0][:200]
        break
    run["seen"] = dict(seen)
    run["history"] = [isinstance(h, keras.callbacks.History), type(h).__name__]
    hist = getattr(h, "history", None)
    if isinstance(hist, dict):
        run["keys"] = sorted(str(key) for key in hist)
        run["values"] = {str(key): [float(v) for v in vs] for key, vs in hist.items()}
    run["weights"] = [_np.asarray(v).tolist() for v in m.get_weights()]
"""


def _fit_problem(rng, n, features, classes):
    x = rng.normal(size=(n, features)).astype("float32")
    y = (np.digitize(x[:, 0], np.quantile(x[:, 0], np.linspace(0, 1, classes + 1)[1:-1]))).astype("int64")
    kernel = (rng.standard_normal((features, classes)) * 0.3).astype("float32")
    bias = np.zeros(classes, "float32")
    return x, y, kernel, bias


def _model_loss(x, y, weights):
    kernel, bias = (np.asarray(w, dtype=np.float64) for w in weights)
    return ref.sparse_ce(np.ravel(y), ref.softmax(x.reshape(len(x), -1).astype(np.float64) @ kernel + bias))


def _runs(a):
    """The runs of train_model the question made; an error outside train_model (in what it returned) is the student's."""
    runs = need(a, "runs")
    if not a.ok:
        raise StudentError(a.error)
    return runs


def _run_error(run, what):
    why = run.get("why", "")
    expect(not why, f"train_model failed on a small model with {what} ({why}). It must train and validate on its "
           "arguments only (x_train, y_train, x_val, y_val), not on the notebook's own arrays.")


def _data_seen(run, x, y, xv, yv):
    """What fit trained and validated on, as the judge's metrics counted it, epoch by epoch."""
    values = run.get("values", {})
    n, label_sum = len(x), float(np.sum(y))
    for epoch, (count, total) in enumerate(zip(values.get("judge_examples", []), values.get("judge_label_sum", []))):
        expect(round(count) == n and math.isclose(total, label_sum, abs_tol=0.5),
               f"fit must train on all of x_train, y_train ({n} examples) every epoch; epoch {epoch + 1} trained on "
               f"{count:g} examples (train on all of x_train: batch_size=batch_size, no validation_split).")
    nv, label_sum_v = len(xv), float(np.sum(yv))
    for epoch, (count, total) in enumerate(zip(values.get("val_judge_examples", []), values.get("val_judge_label_sum", []))):
        expect(round(count) == nv and math.isclose(total, label_sum_v, abs_tol=0.5),
               f"fit must validate on the x_val, y_val given to train_model ({nv} examples): validation_data=(x_val, y_val); "
               f"epoch {epoch + 1} validated on {count:g} examples whose labels are not y_val's.")


def _val_loss(run, xv, yv, epochs):
    values = run["values"]
    expect(len(values.get("val_loss", [])) == epochs, "the validation loss must be computed after every epoch.")
    expect_close(values["val_loss"][-1], _model_loss(xv, yv, run["weights"]), "the last val_loss: it must be the loss on "
                 "the x_val, y_val given to train_model (validation_data=(x_val, y_val), not validation_split or other data)",
                 rtol=1e-3)


@cell("train_model_visible")
def train_model_visible(k):
    rng = np.random.default_rng(0)
    x = rng.random((300, 4, 4, 3)).astype("float32")
    y = (np.arange(300) % 3).reshape(300, 1)
    kernel = (rng.standard_normal((48, 3)) * 0.1).astype("float32")
    bias = np.zeros(3, "float32")
    a = k.ask(TRAIN, x=x, y=y, xv=x[:30], yv=y[:30], kernel=kernel, bias=bias, lr=1e-2, calls=[[2, {"epochs": 2}, False]])
    run = _runs(a)[0]
    _run_error(run, course_text("4x4x3 images"))
    ok, name = run["history"]
    expect(ok is True, f"train_model must return the History from model.fit, found {name}.")
    values = run.get("values", {})
    expect(len(values.get("loss", [])) == 2, f"2 epochs should give 2 loss values in one History (one call of fit), found {values.get('loss')}.")
    expect(len(values.get("val_loss", [])) == 2 and len(values.get("val_accuracy", [])) == 2,
           f"pass validation_data=(x_val, y_val) to fit, to validate after every epoch: the history has {run.get('keys')}.")
    batches = run["seen"]["batches"]
    expect(batches > 0, "fit never called your callbacks: pass callbacks=callbacks to fit.")
    expect(batches == 4, f"300 images in batches of 256 make 2 batches per epoch, 4 in 2 epochs; your callbacks saw "
           f"{batches} (train on all of x_train: batch_size=batch_size, no validation_split).")
    _data_seen(run, x, y, x[:30], y[:30])
    _val_loss(run, x[:30], y[:30], 2)
    return ("train_model: returns fit's History; 2 epochs of 2 batches (300 images, batch_size 256 by default), seen by your "
            "callbacks; val_loss and val_accuracy after each epoch.")


def _sizes(rng):
    """A training set, a batch size and a validation set whose batch counts tell fit's arguments apart: batches
    of 256 or 32, the last batch dropped, the validation set added to the training set all count otherwise."""
    while True:
        n, batch, nv = int(rng.integers(300, 700)), int(rng.integers(60, 160)), int(rng.integers(20, 60))
        per = -(-n // batch)
        others = {-(-n // 256), -(-n // 32), n // batch, -(-(n + nv) // batch), -(-int(n * 0.8) // batch),
                  -(-int(n * 0.9) // batch)}
        if per not in others and n % batch:
            return n, batch, nv


@cell("train_model_hidden")
def train_model_hidden(k):
    rng = _rng()
    n, batch, nv = _sizes(rng)
    epochs, features, classes = int(rng.integers(2, 4)), int(rng.integers(3, 6)), int(rng.integers(2, 4))
    x, y, kernel, bias = _fit_problem(rng, n, features, classes)
    xv = rng.normal(size=(nv, features)).astype("float32")
    yv = rng.integers(0, classes, nv).astype("int64")
    calls = [[epochs, {"positional": True, "batch_size": batch}, True], [1, {"positional": True}, False]]
    a = k.ask(TRAIN, x=x, y=y, xv=xv, yv=yv, kernel=kernel, bias=bias, lr=0.05, calls=calls)
    runs = _runs(a)
    run = runs[0]
    _run_error(run, course_text("{0} features", features))
    per = -(-n // batch)
    want = {"batches": epochs * per, "epochs": epochs}
    expect(run["seen"] == want, f"{epochs} epochs of {n} images in batches of {batch} are {epochs * per} batches; found "
           f"{run['seen']} (fit must use the epochs and batch_size given to train_model).")
    ok, name = run["history"]
    expect(ok is True and "values" in run, f"train_model must return the History from model.fit, found {name}.")
    _data_seen(run, x, y, xv, yv)
    _val_loss(run, xv, yv, epochs)
    losses = run["values"].get("loss", [])
    expect(len(losses) == epochs and losses[-1] < losses[0] and _model_loss(x, y, run["weights"]) < _model_loss(x, y, [kernel, bias]),
           f"the training loss should fall over {epochs} epochs.")
    expect(len(runs) == 2, "train_model failed when called a second time.")
    _run_error(runs[1], course_text("{0} features", features))
    batches = runs[1]["seen"]["batches"]
    expect(batches == -(-n // 256), f"by default batch_size must be 256 ({n} images -> {-(-n // 256)} batches); "
           f"found {batches} batches.")
    return "train_model: fit with the given epochs, batch size, callbacks and validation data, on other data."
