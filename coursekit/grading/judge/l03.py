"""Judges of lesson 03 (the post's 4-conv / 5-FC CNN on CIFAR-10 and its ensemble): every graded
test cell, visible and hidden.

Visible judges ask what the notebook's visible cell tries and say what it says; where the visible
cell believes what the student's objects say about themselves (a layer list, a parameter count) the
judge also measures: it sets its own weights on the model and compares the outputs with the NumPy
model below. Hidden judges draw fresh inputs for every submission: image sizes and pixels, weights,
learning rate and dropout rate, numbers of members, epochs and batches, probability tables.
Self-reports (initialiser names, an optimizer's learning rate, dropout rates, ``count_params()``)
only word a failure; a pass rests on what the judge measures: outputs, weight shapes, the spread of
the initial weights, the size of one Adam step, the fraction of units a Dropout layer drops.
"""
from __future__ import annotations

import math
import re

import numpy as np

from coursekit.grading.judge import need, registry
from coursekit.grading.judge import reference as ref
from coursekit.grading.judge.probes import MODEL_PROBE, ONE_STEP
from coursekit.notebook.archcheck import ArchitectureMismatch, compare_architecture
from coursekit.notebook.checks import CheckFailed, expect, expect_close, expect_dtype, expect_shape
from coursekit.notebook.i18n import course_text

cell = registry()
JUDGES = cell.JUDGES


def _rng():
    return np.random.default_rng()  # fresh entropy: hidden inputs differ for every submission


def _kind(type_info):
    """'a NumPy array' check from the kernel's [isinstance(value, np.ndarray), type name]."""
    ok, name = type_info if isinstance(type_info, list) and len(type_info) == 2 else (False, "?")
    return ok is True, str(name)


# ---- preprocess --------------------------------------------------------------------------------

PREPROCESS = """
for i, images in enumerate(IN["batches"]):
    out = preprocess(IN[images])
    OUT[f"type{i}"] = [isinstance(out, _np.ndarray), type(out).__name__]
    OUT[f"out{i}"] = out
"""


def _preprocess(k, *batches):
    """One question: preprocess(...) of each batch; OUT type<i> and out<i>."""
    inputs = {f"b{i}": b for i, b in enumerate(batches)}
    return k.ask(PREPROCESS, batches=list(inputs), **inputs)


@cell("preprocess_visible")
def preprocess_visible(k):
    imgs = (np.arange(2 * 32 * 32 * 3) % 256).astype(np.uint8).reshape(2, 32, 32, 3)
    a = _preprocess(k, imgs)
    is_array, name = _kind(need(a, "type0"))
    expect(is_array, f"preprocess(...) must return a NumPy array, found {name} (convert a tensor with .numpy()).")
    out = need(a, "out0")
    expect_shape(out, (2, 32, 32, 3), "preprocess(images of shape (2, 32, 32, 3))")
    expect_dtype(out, "float32", "preprocess(...)")
    expect_close(out, imgs / 255.0, "preprocess(...) pixel values (should be images / 255)")
    return "preprocess: a NumPy float32 array of the same shape, equal to images / 255 on a test batch with pixels 0-255."


@cell("preprocess_hidden")
def preprocess_hidden(k):
    rng = _rng()
    # A row with 0, 225 and 255 among other pixels, at places that change every time.
    row = np.concatenate([[0, 225, 255], rng.integers(1, 255, size=int(rng.integers(2, 6)))])
    rng.shuffle(row)
    edge = row.astype(np.uint8)[None, :]
    top, mid = int(np.flatnonzero(row == 255)[0]), int(np.flatnonzero(row == 225)[0])
    # A dark image: its brightest pixel is far below 255, so dividing by it (or by its range) shows.
    dark = rng.integers(1, 150, size=(1, int(rng.integers(1, 4)), 3)).astype(np.uint8)
    dark.flat[int(rng.integers(0, dark.size))] = int(rng.integers(100, 150))
    dark.flat[int(rng.integers(0, dark.size))] = int(rng.integers(1, 30))
    shape = (int(rng.integers(2, 7)), int(rng.integers(3, 12)), int(rng.integers(3, 12)), 3)
    imgs = rng.integers(0, 256, size=shape).astype(np.uint8)
    imgs.flat[:2] = (0, 255)
    a = _preprocess(k, edge, dark, imgs)

    got = np.asarray(need(a, "out0"), dtype=np.float64)
    expect_shape(got, edge.shape, f"preprocess(a row of {edge.shape[1]} pixels, shape {edge.shape})")
    expect(abs(got[0, top] - 1.0) < 1e-6,
           f"preprocess must map the brightest pixel, 255, to 1.0; found {got[0, top]:.4f}"
           + (" - that is 255 / 225, the original post's typo." if abs(got[0, top] - 255 / 225) < 1e-4 else "."))
    expect(got[0, mid] < 0.9, f"preprocess(225) should be 225 / 255 = 0.882, found {got[0, mid]:.4f}.")

    is_array, name = _kind(need(a, "type1"))
    expect(is_array, f"preprocess(...) must return a NumPy array, found {name}.")
    out = need(a, "out1")
    shown = np.round(np.asarray(out, dtype=np.float64), 4).ravel().tolist()
    expect(np.shape(out) == dark.shape and np.allclose(out, dark / 255.0, atol=1e-6),
           f"on a dark image (pixels {', '.join(str(int(v)) for v in dark.ravel())}) preprocess should give "
           f"{np.round(dark / 255.0, 4).ravel().tolist()}, found {shown}: divide by 255 always, "
           "not by the brightest pixel (or the range) of the images you were given.")
    expect_dtype(out, "float32", "preprocess(...)")

    is_array, name = _kind(need(a, "type2"))
    expect(is_array, f"preprocess(...) must return a NumPy array, found {name}.")
    out = need(a, "out2")
    expect_shape(out, shape, f"preprocess(images of shape {shape})")
    expect_dtype(out, "float32", "preprocess(...)")
    expect_close(out, imgs / 255.0, "preprocess(...) on other images")
    expect(float(np.max(out)) <= 1.0 and float(np.min(out)) >= 0.0, "preprocess: values must lie in [0, 1].")
    return "preprocess: right on other images (a row with 0, 225 and 255, a dark image, another batch)."


# ---- build_model -------------------------------------------------------------------------------

def _conv(filters, size):
    return dict(kind="Conv2D", filters=filters, kernel=4, strides=1, padding="same", activation="relu",
                output_shape=(None, size, size, filters))


def _dense(units, activation="relu"):
    return dict(kind="Dense", units=units, activation=activation, output_shape=(None, units))


CIFAR_CNN_SPEC = [
    dict(_conv(15, 32), params=735), dict(kind="MaxPooling2D", pool=2, output_shape=(None, 16, 16, 15)),
    dict(_conv(30, 16), params=7230), dict(kind="MaxPooling2D", pool=2, output_shape=(None, 8, 8, 30)),
    dict(_conv(30, 8), params=14430), dict(kind="MaxPooling2D", pool=2, output_shape=(None, 4, 4, 30)),
    dict(_conv(30, 4), params=14430), dict(kind="MaxPooling2D", pool=2, output_shape=(None, 2, 2, 30)),
    dict(kind="Flatten", output_shape=(None, 120)),
    dict(_dense(200), params=24200), dict(kind="Dropout", rate=0.5),
    dict(_dense(200), params=40200), dict(kind="Dropout", rate=0.5),
    dict(_dense(100), params=20100), dict(kind="Dropout", rate=0.5),
    dict(_dense(100), params=10100), dict(kind="Dropout", rate=0.5),
    dict(_dense(10, "softmax"), params=1010),
]
TOTAL_PARAMS = 132_435
# Weight shapes of the layers that hold weights, in the order the forward pass calls them.
WEIGHT_SHAPES = [[[4, 4, 3, 15], [15]], [[4, 4, 15, 30], [30]], [[4, 4, 30, 30], [30]], [[4, 4, 30, 30], [30]],
                 [[120, 200], [200]], [[200, 200], [200]], [[200, 100], [100]], [[100, 100], [100]],
                 [[100, 10], [10]]]
PROBE = np.array([[-2.0, -0.5, 0.0, 0.7, 7.5], [1.5, -1.0, 0.2, 2.5, -3.0]], dtype="float32")

# Kernel-side helpers: the leaf layers of a model in the order one inference pass calls them (judge/probes.py,
# nested blocks flattened as coursekit.notebook.archcheck does), each described, and the judge's weights on them.
MODEL_TOOLS = ref.DRAW_WEIGHTS_SOURCE + MODEL_PROBE + """
def describe(layer, out):
    base = keras_base(layer)
    info = {"name": str(layer.name), "kind": base.__name__ if base is not None else type(layer).__name__}
    if base is not None:
        for attr, key in (("filters", "filters"), ("units", "units"), ("kernel_size", "kernel"),
                          ("pool_size", "pool"), ("strides", "strides"), ("padding", "padding"),
                          ("rate", "rate")):
            value = getattr(layer, attr, None)
            if isinstance(value, (int, float, str)) or (isinstance(value, (tuple, list))
                                                        and all(isinstance(v, int) for v in value)):
                info[key] = value.lower() if isinstance(value, str) else value
        act = getattr(layer, "activation", None)
        if callable(act):
            info["activation"] = str(getattr(act, "__name__", type(act).__name__))
            try:
                info["act_probe"] = _np.asarray(act(tf.constant(IN["probe"])), dtype="float64").tolist()
            except Exception:
                pass
    shape = getattr(out, "shape", None)
    info["output_shape"] = None if shape is None else [None] + [None if d is None else int(d) for d in tuple(shape)[1:]]
    info["params"] = int(sum(int(_np.prod(w.shape)) for w in layer.weights))
    return info

def set_judge_weights(order, seed, shapes):
    for layer, ws in zip(order, draw_weights(seed, shapes)):
        layer.set_weights(ws)
"""

BUILD_VISIBLE = MODEL_TOOLS + """
try:
    m = build_model()
except Exception as err:
    OUT["error"] = type(err).__name__ + ": " + str(err)[:300]
    m = None
if m is not None:
    OUT["count"] = int(m.count_params())
    try:
        calls = record_calls(m, _np.zeros((2, 32, 32, 3), "float32"))
    except Exception as err:
        OUT["run_error"] = type(err).__name__ + ": " + str(err)
        calls = None
    if calls is not None:
        OUT["layers"] = [describe(layer, out) for layer, out, _ in calls]
        order = weighted(calls)
        OUT["shapes"] = [[list(w.shape) for w in layer.weights] for layer in order]
        if OUT["shapes"] == IN["shapes"]:
            set_judge_weights(order, IN["seed"], IN["shapes"])
            OUT["p"] = _np.asarray(m(IN["x"], training=False))
"""


def cnn_forward(x, weights):
    """The post's model in inference mode (dropout off): softmax probabilities."""
    h = np.asarray(x, dtype=np.float64)
    for kernel, bias in weights[:4]:
        h = ref.maxpool2(ref.relu(ref.conv2d_same(h, kernel, bias)))
    h = h.reshape(len(h), -1)
    for kernel, bias in weights[4:8]:
        h = ref.relu(h @ kernel + bias)
    kernel, bias = weights[8]
    return ref.softmax(h @ kernel + bias)


def _activation_name(probe_out, reported):
    """The activation a layer applies, named by what it does to PROBE (not by what it is called)."""
    try:
        out = np.asarray(probe_out, dtype=np.float64)
    except (TypeError, ValueError):
        return reported
    if out.shape != PROBE.shape:
        return reported
    for name, want in (("linear", PROBE), ("relu", ref.relu(PROBE)), ("softmax", ref.softmax(PROBE.astype(np.float64)))):
        if np.allclose(out, want, atol=1e-5):
            return name
    return reported


def _tuples(value):
    """JSON gives lists where the model's report had tuples (shapes, kernel sizes)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _found_layers(described):
    expect(isinstance(described, list) and all(isinstance(d, dict) and "kind" in d and "name" in d for d in described),
           "build_model: the grader could not read your model's layers.")
    found = []
    for d in described:
        d = {key: _tuples(v) for key, v in d.items()}
        probe = d.pop("act_probe", None)
        if "activation" in d:
            d["activation"] = _activation_name(probe, d["activation"])
        found.append(d)
    return found


def _keras_error_text(text):
    inner = re.search(r"\x1b\[1m(.*?)\x1b\[0m", text, re.S)  # a Keras-decorated message
    where = re.search(r"Exception encountered when calling (.*?)\.\n", text)
    name, _, rest = text.partition(": ")
    body = inner.group(1).strip() if inner else rest.strip()
    body = body if len(body) < 600 else body[:600] + " ..."
    return course_text("{0}: {1} (raised in {2})", name, body, where.group(1)) if where else f"{name}: {body}"


def _same_outputs(p, x, seed, what):
    """Compare the model's outputs with the grader's weights with the NumPy model's."""
    n = len(x)
    expect_shape(p, (n, 10), f"{what}({n} images)")
    expected = cnn_forward(x, ref.draw_weights(seed, WEIGHT_SHAPES))
    if not np.allclose(p, expected, atol=1e-4, rtol=1e-3):
        worst = float(np.abs(p - expected).max())
        rows = float(np.abs(np.asarray(p, dtype=np.float64).sum(axis=1) - 1).max())
        hint = (course_text("its rows do not sum to 1: the last layer needs activation='softmax'") if rows > 1e-3 else
                course_text("check each layer's activation, kernel size, padding and dilation, and the order of the layers"))
        raise CheckFailed(f"{what}'s output with the grader's weights on the grader's images differs from the post's "
                          f"model's (by up to {worst:.3g}): {hint}.")


def _shapes_match(shapes):
    expect(shapes == WEIGHT_SHAPES,
           "build_model()'s layers with weights, in the order the model calls them, should have the weight shapes "
           f"{WEIGHT_SHAPES}; found {shapes}.")


@cell("build_model_visible")
def build_model_visible(k):
    rng = _rng()
    seed, x = int(rng.integers(0, 2 ** 31 - 1)), rng.random((3, 32, 32, 3)).astype("float32")
    a = k.ask(BUILD_VISIBLE, seed=seed, x=x, shapes=WEIGHT_SHAPES, probe=PROBE.tolist())
    err = a.get("error") or ""
    if not err and not a.ok and "count" not in a:
        raise CheckFailed(f"build_model() raised {a.error[:300]}")
    expect(not err, f"build_model() raised {err}" + (
        "\nWith padding='valid' each 4x4 convolution trims 3 pixels (32 -> 29 -> pool 14 -> 11 -> pool 5 -> 2 -> pool 1) "
        "and the fourth one does not fit: use padding='same'." if "valid" in err else ""))
    run_error = a.get("run_error")
    if run_error:
        raise ArchitectureMismatch(f"Your model could not run on an input of shape (None, 32, 32, 3): "
                                   f"{_keras_error_text(str(run_error))}")
    found = _found_layers(need(a, "layers"))
    compare_architecture(CIFAR_CNN_SPEC, found, TOTAL_PARAMS, need(a, "count"))
    _shapes_match(need(a, "shapes"))
    _same_outputs(need(a, "p"), x, seed, "build_model()")
    return ("build_model: the 18 layers (kinds, filters/units, kernels, strides, padding, activations, dropout rates, "
            "output shapes, parameters) match the post's model, 132,435 parameters in all.")


BUILD_HIDDEN = MODEL_TOOLS + ONE_STEP + """
zeros = _np.zeros((2, 32, 32, 3), "float32")
a, b = build_model(), build_model()
OUT["same_object"] = a is b
OUT["count"] = int(a.count_params())
order_a, order_b = weighted(record_calls(a, zeros)), weighted(record_calls(b, zeros))
OUT["shapes"] = [[list(w.shape) for w in layer.weights] for layer in order_a]
OUT["kernels_a"] = _np.concatenate([_np.ravel(layer.get_weights()[0]) for layer in order_a]).astype("float32")
OUT["kernels_b"] = _np.concatenate([_np.ravel(layer.get_weights()[0]) for layer in order_b]).astype("float32")
OUT["inits"] = [type(getattr(l, "kernel_initializer", None)).__name__ for l in leaves(a)
                if isinstance(l, (keras.layers.Conv2D, keras.layers.Dense))]
opt = getattr(a, "optimizer", None)
OUT["optimizer"] = [isinstance(opt, keras.optimizers.Adam), type(opt).__name__]

def learning_rate(model):
    try:
        return float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
    except Exception:
        return None

OUT["lr_a"] = learning_rate(a)
c = build_model(learning_rate=IN["lr"], dropout_rate=IN["rate"])
OUT["lr_c"] = learning_rate(c)
drops = [l for l, _, _ in record_calls(c, zeros) if isinstance(l, keras.layers.Dropout)]
OUT["rates"] = [float(l.rate) for l in drops]
OUT["dropped"] = _np.stack([_np.asarray(l(tf.ones((1, IN["n_drop"])), training=True))[0] for l in drops]) \\
    if drops else _np.zeros((0, IN["n_drop"]))
if OUT["shapes"] == IN["shapes"] and a is not b:
    set_judge_weights(order_a, IN["seed"], IN["shapes"])
    OUT["p"] = _np.asarray(a(IN["x"], training=False))
try:
    OUT["compile_config"] = {key: repr(value) for key, value in (a.get_compile_config() or {}).items()}
except Exception as err:
    OUT["compile_config"] = {}
try:
    OUT["loss"] = float(keras.ops.convert_to_numpy(a.compute_loss(y=IN["probs_labels"], y_pred=IN["probs"])))
except Exception as err:
    OUT["loss_error"] = type(err).__name__ + ": " + str(err)[:200]
if "p" in OUT:
    OUT["evaluated"] = {str(key): float(value) for key, value in
                        one_step(a.test_on_batch, IN["x"], IN["x_labels"], return_dict=True).items()}

def adam_step(model, lr_name):
    last = weighted(record_calls(model, zeros))[-1]
    bias = _np.asarray(last.get_weights()[-1])
    logs = one_step(model.train_on_batch, IN["x"], IN["one_class"], return_dict=True)
    OUT[lr_name] = _np.asarray(last.get_weights()[-1]) - bias
    return {str(key): float(value) for key, value in logs.items()}

OUT["trained"] = adam_step(b, "step_b")
OUT["trained_c"] = adam_step(c, "step_c")
"""


def _glorot_normal_like(kernel, shape):
    """Do these initial weights look drawn by keras.initializers.GlorotNormal for a kernel of this
    shape (a normal truncated at 2 standard deviations, scaled to variance 2 / (fan_in + fan_out))?
    Glorot uniform has the same variance but no tails; He and LeCun have other variances."""
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    s = math.sqrt(2.0 / (fan_in + fan_out))
    w = np.abs(np.asarray(kernel, dtype=np.float64))
    std = float(np.sqrt(np.mean(w ** 2)))
    return (abs(std / s - 1) < 0.12 and float(w.max()) <= 2.2737 * s * 1.005
            and float(np.mean(w > 1.8 * s)) > 0.025)


def _split_kernels(flat, shapes):
    sizes = [int(np.prod(layer[0])) for layer in shapes]
    if np.size(flat) != sum(sizes):
        return None
    return [part.reshape(layer[0]) for part, layer in zip(np.split(np.asarray(flat), np.cumsum(sizes)[:-1]), shapes)]


def _adam_lr(step):
    """The learning rate one first Adam step shows: Adam's first update moves every weight whose
    gradient is not tiny by the learning rate itself (m / sqrt(v) = sign of the gradient)."""
    step = np.abs(np.asarray(step, dtype=np.float64).ravel())
    return float(np.median(step)) if step.size else 0.0


@cell("build_model_hidden")
def build_model_hidden(k):
    rng = _rng()
    n = int(rng.integers(3, 6))
    while True:  # images whose most probable class (under the grader's weights) is clear
        seed, x = int(rng.integers(0, 2 ** 31 - 1)), rng.random((n, 32, 32, 3)).astype("float32")
        expected = np.sort(cnn_forward(x, ref.draw_weights(seed, WEIGHT_SHAPES)), axis=1)
        if float((expected[:, -1] - expected[:, -2]).min()) > 1e-4:
            break
    lr = float(rng.choice([0.002, 0.003, 0.005, 0.01, 0.02, 0.03]))
    rate = float(rng.choice([0.1, 0.15, 0.25, 0.3, 0.35, 0.4]))
    # Hand-made probabilities and integer labels of shape (N, 1) for the loss.
    probs = rng.dirichlet(np.ones(10) * 0.7, size=int(rng.integers(2, 5)))
    probs = np.clip(probs, 0.01, None)
    probs = (probs / probs.sum(axis=1, keepdims=True)).astype("float32")
    probs_labels = rng.integers(0, 10, size=(len(probs), 1))
    # Labels for the grader's images: some right for the grader's weights, some wrong.
    predicted = cnn_forward(x, ref.draw_weights(seed, WEIGHT_SHAPES)).argmax(axis=1)
    right = rng.permutation(n) < int(rng.integers(1, n))
    x_labels = np.where(right, predicted, (predicted + rng.integers(1, 10, size=n)) % 10).reshape(n, 1)
    one_class = np.full((n, 1), int(rng.integers(0, 10)))
    n_drop = 4000
    a = k.ask(BUILD_HIDDEN, seed=seed, x=x, shapes=WEIGHT_SHAPES, lr=lr, rate=rate, n_drop=n_drop,
              probs=probs, probs_labels=probs_labels, x_labels=x_labels, one_class=one_class)

    expect(need(a, "same_object") is False,
           "build_model() must build a NEW model on every call; two calls returned the same object.")
    count = need(a, "count")
    shapes = need(a, "shapes")
    expect(count == TOTAL_PARAMS and shapes == WEIGHT_SHAPES,
           f"build_model() should have 132,435 parameters, found {count:,}." if count != TOTAL_PARAMS else
           "build_model()'s layers with weights, in the order the model calls them, should have the weight shapes "
           f"{WEIGHT_SHAPES}; found {shapes}.")
    kernels_a, kernels_b = _split_kernels(need(a, "kernels_a"), shapes), _split_kernels(need(a, "kernels_b"), shapes)
    expect(kernels_a is not None, "build_model: the grader could not read your model's kernels (each Conv2D's and "
           "Dense's first weight).")
    expect(kernels_b is not None and not any(np.allclose(ka, kb) for ka, kb in zip(kernels_a, kernels_b)),
           "two models from build_model() start with the same weights: each call must create new layers with new random "
           "weights (no layer objects shared between calls, no fixed seed in build_model or its initialisers).")
    inits = need(a, "inits")
    expect(all(_glorot_normal_like(kernel, layer[0]) for kernel, layer in zip(kernels_a, shapes)),
           f"every Conv2D and Dense needs kernel_initializer='glorot_normal'; found the initialisers {inits}.")

    is_adam, name = need(a, "optimizer")
    expect(is_adam is True, f"build_model() must return a model compiled with Adam; found optimizer {name}.")
    reported = a.get("lr_a")
    if isinstance(reported, float) and abs(reported - 0.001) > 1e-9:
        raise CheckFailed(f"the default learning rate must be 0.001 (the post's), found {reported:g}.")
    reported = a.get("lr_c")
    if isinstance(reported, float) and abs(reported - lr) > 1e-9:
        raise CheckFailed(f"build_model(learning_rate={lr:g}) must use that learning rate, found {reported:g}.")

    rates, dropped = need(a, "rates"), np.asarray(need(a, "dropped"), dtype=np.float64)
    zeros = (dropped == 0).mean(axis=1) if dropped.ndim == 2 else np.zeros(0)
    kept = [float(row[row != 0].mean()) if (row != 0).any() else 0.0 for row in dropped] if dropped.ndim == 2 else []
    behaves = (len(zeros) == 4 and all(abs(z - rate) < 0.04 for z in zeros)
               and all(abs(v * (1 - rate) - 1) < 1e-4 for v in kept))
    if not (behaves and len(rates) == 4 and all(abs(r - rate) < 1e-6 for r in rates)):
        shown = rates if len(rates) != 4 or any(abs(r - rate) >= 1e-6 for r in rates) \
            else [round(float(z), 2) for z in zeros]
        raise CheckFailed(f"build_model(dropout_rate={rate:g}) should give four Dropout({rate:g}) layers, "
                          f"found rates {shown}.")

    p = need(a, "p")
    expect_shape(p, (n, 10), f"build_model()({n} images)")
    expect_close(np.asarray(p, dtype=np.float64).sum(axis=1), np.ones(n),
                 "each output row must be probabilities summing to 1 (softmax)", atol=1e-4)
    _same_outputs(p, x, seed, "build_model()")

    weights = need(a, "compile_config").get("loss_weights", "None")
    expect(weights in ("None", "", "[]", "{}"),
           f"build_model() compiles with loss_weights={weights}: in Keras 3 the third positional argument "
           "of compile() is loss_weights, not metrics - write metrics=['accuracy'] by keyword.")
    want = ref.sparse_ce(probs_labels.ravel(), probs.astype(np.float64))
    loss = a.get("loss")
    if loss is None:
        loss = course_text("an error ({0})", a.get('loss_error') or a.error)
    expect(isinstance(loss, float) and abs(loss - want) < 1e-3,
           "the model's loss must be the sparse categorical cross-entropy of its probabilities, for integer labels of "
           f"shape (N, 1): on a hand-made batch it should be {want:.4f}, found {loss}. Compile with "
           "loss='sparse_categorical_crossentropy' (the post's 'categorical_crossentropy' needs one-hot labels; "
           "from_logits=True would treat the softmax outputs as logits).")
    evaluated = need(a, "evaluated")
    expect("accuracy" in evaluated, f"compile with metrics=['accuracy']; a training step reported only {sorted(evaluated)}.")
    accuracy = float(np.mean(right))
    expect(abs(evaluated["accuracy"] - accuracy) < 1e-6,
           f"the model's 'accuracy' on {n} of the grader's images should be {accuracy:.4g} ({int(right.sum())} of {n} "
           f"right), found {evaluated['accuracy']:.4g}: compile with metrics=['accuracy'].")
    trained = need(a, "trained")
    expect("accuracy" in trained, f"compile with metrics=['accuracy']; a training step reported only {sorted(trained)}.")
    expect(np.isfinite(trained.get("loss", np.nan)) and trained["loss"] < 5,
           f"the loss of a training step on integer labels should be a small finite number, found {trained.get('loss')}.")
    # What the optimizer does, not what it says: one Adam step moves each weight by the learning rate.
    for step, want_lr, what in ((need(a, "step_b"), 0.001, course_text("the default learning rate must be 0.001 (the post's)")),
                                (need(a, "step_c"), lr,
                                 course_text("build_model(learning_rate={0}) must use that learning rate", f"{lr:g}"))):
        measured = _adam_lr(step)
        expect(abs(measured / want_lr - 1) < 0.02,
               f"{what}, found {measured:g}: one training step of Adam should move every bias of the last layer by "
               "about the learning rate.")
    return ("build_model: new models with new Glorot-normal weights, Adam at the given learning rate, dropout at "
            "the given rate, softmax outputs, sparse cross-entropy and accuracy.")


# ---- train_members -----------------------------------------------------------------------------
# The judge's own tiny members are compiled with run_eagerly=True: the student's train_members only
# builds them and calls their fit, which Keras would otherwise trace into a new graph for every member
# (about 0.15 s each, 8-10 members a submission); no line of the student's runs inside that graph.

TRAIN_VISIBLE = """
import keras
from keras import layers as L
def tiny_model():
    m = keras.Sequential([keras.Input((4,)), L.Dense(3, activation="softmax")])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", run_eagerly=True)
    return m
keras.utils.set_random_seed(0)
try:
    members = train_members(tiny_model, 3, IN["x"], IN["y"], epochs=2, batch_size=4)
except Exception as err:
    OUT["error"] = type(err).__name__ + ": " + str(err)[:300]
else:
    OUT["type"] = type(members).__name__
    OUT["is_list"] = isinstance(members, list)
    OUT["length"] = len(members) if hasattr(members, "__len__") else "?"
    OUT["distinct"] = len({id(m) for m in members})
    OUT["steps"] = [int(m.optimizer.iterations) for m in members]
"""


@cell("train_members_visible")
def train_members_visible(k):
    x = np.random.default_rng(0).random((12, 4)).astype("float32")
    a = k.ask(TRAIN_VISIBLE, x=x, y=np.arange(12) % 3)
    err = a.get("error") or ""
    expect(not err, f"train_members(_tiny_model, 3, x, y, epochs=2, batch_size=4), without member_callbacks, raised {err}"
           + (" - member_callbacks is None when it is not given: call it only when it is." if "NoneType" in err else ""))
    expect(need(a, "is_list") is True and need(a, "length") == 3,
           f"train_members(..., num_models=3, ...) must return a list of 3 models; found {need(a, 'type')} "
           f"of length {need(a, 'length')}.")
    expect(need(a, "distinct") == 3,
           "train_members returned the SAME model object more than once (the original post's bug): "
           "call build_fn() once per member, inside the loop.")
    steps = need(a, "steps")
    expect(steps == [6] * 3, f"each member should be trained 2 epochs x 3 batches = 6 steps; found {steps}"
           + (" - epochs and batch_size are swapped: pass them to fit by keyword." if steps == [24] * 3 else "."))
    return "train_members: three distinct models, each trained for its own 6 steps."


TRAIN_HIDDEN = """
import keras
from keras import layers as L
built = []
def counting_model():
    m = keras.Sequential([keras.Input((IN["features"],)), L.Dense(IN["classes"], activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", run_eagerly=True)
    built.append(m)
    return m
class EpochCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = 0
    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1
asked, counters = [], {}
def callbacks_for(i):
    asked.append(int(i))
    counters[int(i)] = EpochCounter()
    return [counters[int(i)]]
members = train_members(counting_model, IN["n"], IN["x"], IN["y"], epochs=IN["epochs"], batch_size=IN["batch"],
                        member_callbacks=callbacks_for)
OUT["built"] = len(built)
OUT["members"] = [isinstance(members, list), len(members) if hasattr(members, "__len__") else -1,
                  len({id(m) for m in members})]
OUT["from_built"] = all(any(m is b for b in built) for m in members)
OUT["steps"] = [int(m.optimizer.iterations) for m in members]
OUT["kernels"] = _np.stack([_np.asarray(m.trainable_weights[0]) for m in members])
OUT["asked"] = asked
OUT["counted"] = [counters[i].epochs for i in sorted(counters)]
built.clear()
one = train_members(counting_model, 1, IN["x"], IN["y"], epochs=1, batch_size=IN["batch"])
OUT["one"] = [isinstance(one, list), len(one) if hasattr(one, "__len__") else -1, len(built)]
"""


@cell("train_members_hidden")
def train_members_hidden(k):
    rng = _rng()
    n = int(rng.integers(3, 6))
    while True:  # epochs and batch_size swapped must show in the number of steps
        epochs, batch = int(rng.integers(2, 4)), int(rng.integers(3, 6))
        samples = int(rng.integers(batch + 1, 3 * batch))
        if epochs * math.ceil(samples / batch) != batch * math.ceil(samples / epochs):
            break
    features, classes = int(rng.integers(3, 7)), int(rng.integers(3, 6))
    x = rng.random((samples, features)).astype("float32")
    y = rng.permutation(np.arange(samples) % classes)
    a = k.ask(TRAIN_HIDDEN, n=n, epochs=epochs, batch=batch, x=x, y=y, features=features, classes=classes)
    built = need(a, "built")
    expect(built == n, f"train_members must call build_fn() once per member ({n} times), found {built} calls.")
    is_list, length, distinct = need(a, "members")
    expect(is_list is True and length == n and distinct == n,
           f"train_members must return {n} distinct models (one new model per member, not one model appended {n} times).")
    expect(need(a, "from_built") is True, "the members must be the models build_fn() returned.")
    batches = math.ceil(samples / batch)
    steps = need(a, "steps")
    expect(steps == [epochs * batches] * n, f"each member must be trained exactly {epochs} epochs x {batches} batches "
           f"= {epochs * batches} steps; found {steps}.")
    kernels = np.asarray(need(a, "kernels"))
    expect(all(not np.allclose(kernels[i], kernels[j]) for i in range(n) for j in range(i + 1, n)),
           "two members ended with the same weights: they are not independent models.")
    asked = need(a, "asked")
    expect(sorted(asked) == list(range(n)),
           f"member_callbacks must be called once per member index 0..{n - 1}; it was called with {asked}.")
    counted = need(a, "counted")
    expect(all(c == epochs for c in counted),
           f"each member's callbacks must be passed to its fit (expected {epochs} epochs each, counted {counted}).")
    one_list, one_length, one_built = need(a, "one")
    expect(one_list is True and one_length == 1 and one_built == 1,
           "train_members(..., num_models=1, ...) must return a list of one model.")
    return f"train_members: {n} new models, each trained {epochs} epochs with its own callbacks."


# ---- ensemble_predict / accuracy ---------------------------------------------------------------

ENSEMBLE = """
class FixedModel:
    def __init__(self, table):
        self.table = _np.asarray(table, dtype="float32")
    def predict(self, x, verbose=0, **kwargs):
        return self.table[_np.asarray(x).argmax(axis=1)]
    def __call__(self, x, training=False, **kwargs):
        return self.predict(x)
for name, tables in IN["ensembles"].items():
    avg = ensemble_predict([FixedModel(t) for t in tables], IN["x"])
    OUT[name + "_type"] = [isinstance(avg, _np.ndarray), type(avg).__name__]
    OUT[name] = avg
for name, (probs, labels) in IN["accuracies"].items():
    acc = accuracy(_np.asarray(probs), _np.asarray(labels))
    OUT[name + "_type"] = [isinstance(acc, (float, _np.floating)), type(acc).__name__]
    try:
        OUT[name] = float(acc)
    except Exception:
        OUT[name] = repr(acc)[:200]
    OUT[name + "_repr"] = repr(acc)[:200]
"""


def _ask_ensemble(k, x, ensembles, accuracies):
    return k.ask(ENSEMBLE, x=x, ensembles={name: [t.tolist() for t in tables] for name, tables in ensembles.items()},
                 accuracies={name: [p.tolist(), l.tolist()] for name, (p, l) in accuracies.items()})


def _avg_value(a, name):
    """(is a NumPy array, type name, the value as an array or None)."""
    is_array, type_name = _kind(need(a, name + "_type"))
    value = need(a, name)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    return is_array, type_name, array


def _not_an_average(is_array, type_name, found, tables, visible):
    """What an ensemble_predict output that is not the members' average looks like ("" if nothing known)."""
    k, (n, c) = len(tables), tables[0].shape
    if not is_array:
        return (course_text("a {0}, not a NumPy array (convert a tensor with .numpy())", type_name) if visible
                else course_text("a {0}, not a NumPy array", type_name))
    if found is None:
        return course_text("something that is not an array of numbers")
    if found.shape != (n, c):
        if not visible:
            return course_text("shape {0}: average the members' (N, n_classes) outputs over the members (axis 0)",
                               found.shape)
        if found.shape == (n,):
            return course_text("one number per input, shape {0}: return the averaged probabilities, not class "
                               "indices (no argmax)", found.shape)
        if found.shape in ((k, c), (k, n)):
            return course_text("shape {0}, an average over the inputs instead of over the members: "
                               "average the stacked predictions over axis 0", found.shape)
        if found.shape == (k, n, c):
            return course_text("shape {0}, the members' predictions not averaged: average them over axis 0", found.shape)
        return ""
    if np.allclose(found, sum(tables), atol=1e-5):
        return (course_text("the sum of the members' outputs (the post's): divide by the number of members") if visible
                else course_text("the sum of the members' outputs: divide by the number of members"))
    if np.allclose(found * k, np.round(found * k), atol=1e-5):
        return course_text("vote fractions: the argmax was taken before averaging; average the probabilities themselves")
    return ""


def _accuracy(a, name):
    is_float, _ = _kind(need(a, name + "_type"))
    value = need(a, name)
    return is_float, value if isinstance(value, (int, float)) and not isinstance(value, bool) else None, \
        str(a.get(name + "_repr", value))


@cell("ensemble_visible")
def ensemble_visible(k):
    p1 = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
    p2 = np.array([[0.5, 0.4, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    probs, labels = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]), np.array([1, 1, 1, 0])
    a = _ask_ensemble(k, np.eye(3, dtype="float32"), {"avg": [p1, p2]}, {"acc": (probs, labels)})
    is_array, type_name, avg = _avg_value(a, "avg")
    why = _not_an_average(is_array, type_name, avg, [p1, p2], visible=True)
    expect(not why, f"ensemble_predict of two members on 3 inputs should be their average, shape (3, 3); found {why}.")
    expect_close(avg, (p1 + p2) / 2, "ensemble_predict of two members (the average of their outputs)", atol=1e-5)
    is_float, acc, shown = _accuracy(a, "acc")
    expect(is_float, f"accuracy(...) must return a float, found {need(a, 'acc_type')[1]} {shown} "
           "(convert it with float(...)).")
    expect(acc is not None and abs(acc - 0.75) < 1e-6, f"accuracy(...) should be 0.75 (3 of 4 right), found {acc!r}"
           + (": a fraction in [0, 1], not a percentage." if acc is not None and abs(acc - 75) < 1e-4 else
              ": the fraction of right rows, not their number." if acc is not None and abs(acc - 3) < 1e-6 else "."))
    return ("ensemble_predict: the average of two members on a hand-made example; accuracy: 0.75 on 4 rows with "
            "labels of shape (N,).")


def _confident_row(rng, k, c):
    """Row 0 of each member's table: one member sure of class A, the others unsure but leaning to class
    B. The average picks A, a majority vote picks B."""
    while True:
        A, B = (int(v) for v in rng.choice(c, size=2, replace=False))
        rows = []
        for member in range(k):
            row = rng.dirichlet(np.ones(c)) * 0.02
            if member == 0:
                row[A] += rng.uniform(0.85, 0.92)
                row[B] += 0.04
            else:
                row[B] += rng.uniform(0.44, 0.48)
                row[A] += rng.uniform(0.28, 0.32)
            rows.append(row / row.sum())
        mean = np.mean(rows, axis=0)
        runner_up = float(np.delete(mean, A).max())
        if all(int(r.argmax()) == B for r in rows[1:]) and mean[A] - runner_up > 0.01:
            return A, rows


@cell("ensemble_hidden")
def ensemble_hidden(k):
    rng = _rng()
    members, n, c = int(rng.integers(3, 6)), int(rng.integers(2, 6)), int(rng.integers(3, 6))
    A, first = _confident_row(rng, members, c)
    tables = [np.vstack([row, rng.dirichlet(np.ones(c), size=n - 1)]).astype("float32").astype(np.float64)
              for row in first]
    order = rng.permutation(n)
    x = np.eye(n, dtype="float32")[order]            # member i answers tables[i][order]
    single = rng.dirichlet(np.ones(c), size=n).astype("float32").astype(np.float64)
    # accuracy: labels of shape (N, 1), some rows right; then labels of shape (N,), every row wrong.
    while True:
        rows = int(rng.integers(5, 10))
        probs = rng.dirichlet(np.ones(c), size=rows)
        predicted = probs.argmax(axis=1)
        right = rng.permutation(rows) < int(rng.integers(1, rows))
        labels = np.where(right, predicted, (predicted + rng.integers(1, c, size=rows)) % c)
        broadcast = float(np.mean(predicted[None, :] == labels[:, None]))
        if abs(broadcast - right.mean()) > 1e-3:
            break
    wrong = (predicted + rng.integers(1, c, size=rows)) % c
    a = _ask_ensemble(k, x, {"avg": tables, "single": [single]},
                      {"acc_column": (probs, labels.reshape(-1, 1)), "acc_wrong": (probs, wrong)})

    is_array, type_name, avg = _avg_value(a, "avg")
    shown = [t[order] for t in tables]
    why = _not_an_average(is_array, type_name, avg, shown, visible=False)
    expect(not why, f"ensemble_predict of {members} members on {n} inputs should be their average, shape ({n}, {c}); "
           f"found {why}.")
    expect_close(avg.sum(axis=1), np.ones(n), "each row of ensemble_predict must sum to 1 (average, do not sum)", atol=1e-5)
    row = int(np.flatnonzero(order == 0)[0])        # where the table's row 0 comes out
    expect(int(avg[row].argmax()) == A,
           f"averaging probabilities: one confident member ({first[0][A]:.2f}) outweighs {members - 1} unsure ones "
           f"({max(r.max() for r in first[1:]):.2f} at most); row {row} should predict class {A}, "
           f"found {int(avg[row].argmax())}.")
    expect_close(avg, np.mean(shown, axis=0), f"ensemble_predict of {members} members", atol=1e-5)
    _, _, one = _avg_value(a, "single")
    expect_close(one, single[order], "ensemble_predict of a single member (its own output)", atol=1e-5)

    is_float, acc, text = _accuracy(a, "acc_column")
    want = float(right.mean())
    expect(is_float and acc is not None and abs(acc - want) < 1e-6,
           f"accuracy with labels of shape ({rows}, 1) should be {want:.4g} ({int(right.sum())} of {rows} right), found {text}"
           + (f": compare with the labels flattened to shape ({rows},) - ({rows},) == ({rows}, 1) broadcasts to a "
              f"({rows}, {rows}) table." if acc is not None and abs(acc - broadcast) < 1e-6 else "."))
    is_float, acc, text = _accuracy(a, "acc_wrong")
    expect(is_float and acc is not None and abs(acc) < 1e-6,
           f"accuracy should be 0.0 when every prediction is wrong, found {text}.")
    return (f"ensemble_predict: the average of {members} members and of one; accuracy right on labels of shape "
            "(N, 1) and (N,).")
