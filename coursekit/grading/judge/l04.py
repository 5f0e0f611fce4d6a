"""Judges of lesson 04 (the full VGG16 with BatchNormalization on CIFAR-10): every graded test cell.

Visible judges ask what the notebook's visible cell tries and say what it says; hidden judges draw
fresh inputs for every submission. What a model says about itself (its layer list, its parameter
counts, a layer's settings) only words the messages: every verdict also rests on what the judge
measures - the model's outputs with the judge's own weights on the judge's own images, compared with
NumPy reference code here; files read back by the judge's own code; augmented images.
"""
from __future__ import annotations

import numpy as np

from coursekit.grading.judge import need, registry
from coursekit.grading.judge import reference as ref
from coursekit.grading.judge.probes import MODEL_PROBE, ONE_STEP
from coursekit.notebook.archcheck import compare_architecture
from coursekit.notebook.checks import CheckFailed, expect, expect_close, expect_shape
from coursekit.notebook.i18n import course_text

cell = registry()
JUDGES = cell.JUDGES


def _rng():
    return np.random.default_rng()  # fresh entropy: hidden inputs differ for every submission


def _seed(rng):
    return int(rng.integers(0, 2 ** 31 - 1))


def _tuples(value):
    """JSON gives lists where the model's report had tuples (shapes, kernel sizes)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _found(layers):
    expect(isinstance(layers, list) and all(isinstance(d, dict) and "kind" in d and "name" in d for d in layers),
           "build_vgg16_bn: the grader could not read your model's layers.")
    return [{key: _tuples(v) for key, v in d.items()} for d in layers]


# ---- build_vgg16_bn ----------------------------------------------------------------------------

_BLOCKS = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]
TOTAL_PARAMS, TRAINABLE, NON_TRAINABLE = 33_655_114, 33_646_666, 8_448


def _visible_spec():
    """The layers of build_vgg16_bn() the visible check compares, in call order."""
    spec, size = [], 32
    for filters, convs in _BLOCKS:
        for _ in range(convs):
            spec += [dict(kind="Conv2D", filters=filters, kernel=3, activation="linear",
                          output_shape=(None, size, size, filters)),
                     dict(kind="BatchNormalization", output_shape=(None, size, size, filters)),
                     dict(kind="Activation", activation="relu")]
        size //= 2
        spec.append(dict(kind="MaxPooling2D", pool=2, output_shape=(None, size, size, filters)))
    return spec + [dict(kind="Flatten", output_shape=(None, 512)),
                   dict(kind="Dense", units=4096, activation="relu"), dict(kind="Dense", units=4096, activation="relu"),
                   dict(kind="Dense", units=10, activation="softmax", output_shape=(None, 10))]


def _hidden_spec(side, classes):
    """Every layer of build_vgg16_bn(input_shape=(side, side, 3), num_classes=classes), in call order, with
    names and parameter counts."""
    spec, bn = [], 0
    for block, (filters, convs) in enumerate(_BLOCKS, 1):
        for conv in range(1, convs + 1):
            bn += 1
            spec += [dict(kind="Conv2D", name=f"block{block}_conv{conv}", filters=filters, kernel=3, strides=1,
                          padding="same", activation="linear", output_shape=(None, side, side, filters),
                          params=9 * (filters if (conv > 1) else {1: 3, 2: 64, 3: 128, 4: 256, 5: 512}[block]) * filters + filters),
                     dict(kind="BatchNormalization", name=f"bn{bn}", params=4 * filters, trainable_params=2 * filters),
                     dict(kind="Activation", activation="relu", params=0)]
        side = (side + 1) // 2
        spec.append(dict(kind="MaxPooling2D", name=f"block{block}_pool", pool=2, strides=2, padding="same",
                         output_shape=(None, side, side, filters)))
    flat = side * side * 512
    return spec + [dict(kind="Flatten", output_shape=(None, flat)),
                   dict(kind="Dense", name="fc1", units=4096, activation="relu", params=flat * 4096 + 4096),
                   dict(kind="Dense", name="fc2", units=4096, activation="relu", params=4096 * 4096 + 4096),
                   dict(kind="Dense", name="predictions", units=classes, activation="softmax",
                        output_shape=(None, classes), params=4096 * classes + classes)]


def _relu_kinds(found, spec):
    """The spec, with kind ReLU wherever it expects Activation("relu") and the model has a layers.ReLU()."""
    return [dict(s, kind="ReLU") if s["kind"] == "Activation" and i < len(found) and found[i]["kind"] == "ReLU" else s
            for i, s in enumerate(spec)]


def vgg_shapes(side, classes):
    """Weight shapes of VGG16-BN's layers that hold weights, in call order: Conv2D [kernel, bias],
    BatchNormalization [gamma, beta, moving mean, moving variance], ..., then the three Dense layers."""
    shapes, cin = [], 3
    for filters, convs in _BLOCKS:
        for _ in range(convs):
            shapes += [[[3, 3, cin, filters], [filters]], [[filters]] * 4]
            cin = filters
        side = (side + 1) // 2
    flat = side * side * 512
    return shapes + [[[flat, 4096], [4096]], [[4096, 4096], [4096]], [[4096, classes], [classes]]]


def maxpool2_same(x):
    """2x2 max-pooling, stride 2, 'same' padding (odd sizes round up, as Keras's padding='same')."""
    n, h, w, c = x.shape
    x = np.pad(x, ((0, 0), (0, h % 2), (0, w % 2), (0, 0)), constant_values=-np.inf)
    return x.reshape(n, (h + h % 2) // 2, 2, (w + w % 2) // 2, 2, c).max(axis=(2, 4))


def _bn_params(h, rng):
    """BatchNormalization weights for pre-activations ``h``: moving statistics near h's own, so the
    activations keep their scale through the 13 layers (float32, as the kernel gets them)."""
    mean, std = h.mean(axis=(0, 1, 2)), h.std(axis=(0, 1, 2))
    f = len(mean)
    return [w.astype(np.float32) for w in (rng.uniform(0.6, 1.4, f), 0.2 * rng.standard_normal(f),
                                           mean + 0.3 * std * rng.standard_normal(f),
                                           std ** 2 * rng.uniform(0.6, 1.5, f) + 0.01)]


def keras_relu(x, max_value=None, negative_slope=0.0, threshold=0.0):
    """keras.layers.ReLU with its options."""
    out = np.where(x >= threshold, x, negative_slope * (x - threshold))
    return out if max_value is None else np.where(x >= max_value, max_value, out)


def vgg_bn_forward(x, weights, eps, calibrate=None, acts=None):
    """VGG16-BN at inference (Conv -> BN -> ReLU, 'same' poolings, softmax head) in float64. With
    ``calibrate=(rng, n)`` the BatchNormalization weights are first drawn (into ``weights``) from the
    statistics of the first n images. ``acts``: per convolution, the options of a ReLU layer that has
    some (None: a plain ReLU)."""
    h, i = x.astype(np.float64), 0
    for filters, convs in _BLOCKS:
        for _ in range(convs):
            kernel, bias = weights[i]
            h = ref.conv2d_same(h, kernel, bias)
            if calibrate is not None:
                weights[i + 1] = _bn_params(h[:calibrate[1]], calibrate[0])
            gamma, beta, mean, var = (w.astype(np.float64) for w in weights[i + 1])
            h = gamma * (h - mean) / np.sqrt(var + eps[i // 2]) + beta
            h = keras_relu(h, *acts[i // 2]) if acts and acts[i // 2] else ref.relu(h)
            i += 2
        h = maxpool2_same(h)
    h = h.reshape(len(h), -1)
    for j in range(3):
        kernel, bias = weights[i + j]
        h = ref.dense(h, kernel, bias)
        h = ref.relu(h) if j < 2 else ref.softmax(h)
    return h


# In the kernel: the leaf layers, those with weights in the order a forward pass calls them
# (judge/probes.py), and the judge's weights set on them: drawn from a seed, with the BatchNormalization
# weights the judge sends (IN[tag + "bn"], one row per weight, the layers' channels side by side).
VGG_PROBE = ref.DRAW_WEIGHTS_SOURCE + MODEL_PROBE + '''
def relu_options(layer):
    if not isinstance(layer, keras.layers.ReLU):
        return None
    try:
        options = [None if layer.max_value is None else float(layer.max_value), float(layer.negative_slope),
                   float(layer.threshold)]
    except (TypeError, ValueError):
        return None
    return options if options != [None, 0.0, 0.0] else None

def epsilon(layer):
    try:
        return float(getattr(layer, "epsilon", 1e-3))
    except (TypeError, ValueError):
        return 1e-3

def set_judge_weights(order, tag):
    ws, col = draw_weights(IN[tag + "seed"], IN[tag + "shapes"]), 0
    for i, layer_ws in enumerate(ws):
        if len(layer_ws) == 4:
            f = len(layer_ws[0])
            ws[i] = [IN[tag + "bn"][j, col:col + f] for j in range(4)]
            col += f
    for layer, w in zip(order, ws):
        layer.set_weights(w)

def probe(m, tag, side):
    calls = record_calls(m, _np.zeros((1, side, side, 3), "float32"))
    order, called = weighted(calls), [layer for layer, _, _ in calls]
    OUT[tag + "acts"] = [relu_options(called[i + 1]) if i + 1 < len(called) else None
                         for i, layer in enumerate(called) if len(layer.weights) == 4]
    OUT[tag + "shapes"] = [[list(w.shape) for w in layer.weights] for layer in order]
    OUT[tag + "flags"] = [[bool(w.trainable) for w in layer.weights] for layer in order]
    OUT[tag + "eps"] = [epsilon(layer) for layer in order if len(layer.weights) == 4]
    OUT[tag + "bn_name"] = next((layer.name for layer in order if len(layer.weights) == 4), "")
    if OUT[tag + "shapes"] == IN[tag + "shapes"]:
        set_judge_weights(order, tag)
        OUT[tag + "p"] = _np.asarray(m(IN[tag + "x"], training=False))
    return order
'''

VGG_VISIBLE = VGG_PROBE + '''
m = build_vgg16_bn()
OUT["type"] = [isinstance(m, keras.Sequential), type(m).__name__]
OUT["layers"] = model_layers(m, input_shape=(32, 32, 3))
OUT["count"] = int(m.count_params())
OUT["trainable"] = int(sum(int(_np.prod(w.shape)) for w in m.trainable_weights))
probe(m, "a", 32)
'''

VGG_HIDDEN = VGG_PROBE + '''
a = build_vgg16_bn()
OUT["layers_a"] = model_layers(a, input_shape=(32, 32, 3))
OUT["count_a"] = int(a.count_params())
OUT["odd_relu"] = [l.name for l in leaves(a) if isinstance(l, keras.layers.ReLU)
                   and (l.max_value is not None or float(l.negative_slope) != 0 or float(l.threshold) != 0)]
OUT["non_trainable"] = int(sum(int(_np.prod(w.shape)) for w in a.non_trainable_weights))
probe(a, "a", 32)
side = IN["side"]
b = build_vgg16_bn(input_shape=(side, side, 3), num_classes=IN["classes"])
OUT["same"] = b is a
OUT["shared"] = bool({id(w) for w in a.weights} & {id(w) for w in b.weights})
OUT["layers_b"] = model_layers(b, input_shape=(side, side, 3))
order = probe(b, "b", side)
if "ap" in OUT and "bp" in OUT:
    OUT["ap_again"] = _np.asarray(a(IN["ax"], training=False))   # after b got its own weights
    b(IN["xt"], training=True)
    OUT["bn_after"] = _np.asarray(order[1].get_weights()[2])
'''

VGG_MIXED = MODEL_PROBE + '''
policy = keras.mixed_precision.global_policy()
keras.mixed_precision.set_global_policy("mixed_float16")
try:
    c = build_vgg16_bn(num_classes=IN["classes"])
finally:
    keras.mixed_precision.set_global_policy(policy)
last = leaves(c)[-1]
OUT["last"] = [last.name, str(last.compute_dtype)]
OUT["p"] = _np.asarray(c(IN["x"], training=False))
'''


class _VggProbe:
    """The judge's side of one model's behaviour check: weights from a seed, BatchNormalization
    weights fitted to the judge's images, and the images (two of them at their scale, one ten times
    brighter so that a ReLU that clips or leaks shows)."""

    def __init__(self, rng, side, classes):
        self.side, self.classes, self.seed = side, classes, _seed(rng)
        self.shapes = vgg_shapes(side, classes)
        x = rng.random((3, side, side, 3))
        x[2] *= 10.0
        self.x = x.astype(np.float32)
        self.weights = ref.draw_weights(self.seed, self.shapes)
        self.p = vgg_bn_forward(self.x, self.weights, [1e-3] * 13, calibrate=(rng, 2))
        self.bn = np.concatenate([np.stack(w) for w in self.weights if len(w) == 4], axis=1)

    def inputs(self, tag):
        return {tag + "seed": self.seed, tag + "shapes": self.shapes, tag + "bn": self.bn, tag + "x": self.x}

    def expected(self, eps, acts=None):
        if eps == [1e-3] * 13 and not any(acts or []):
            return self.p
        return vgg_bn_forward(self.x, self.weights, eps, acts=acts)

    def check(self, answer, tag, what, relu_options=False):
        """Compare the model's outputs with the reference; ``relu_options``: compute with the options the
        model's ReLU layers say they have (what the visible cell accepts), else with plain ReLUs."""
        shapes = need(answer, tag + "shapes")
        if shapes != self.shapes:
            i = next((i for i, (s, t) in enumerate(zip(shapes, self.shapes)) if s != t), min(len(shapes), len(self.shapes)))
            found = (course_text("layer {0} has {1}", i + 1, shapes[i]) if i < len(shapes)
                     else course_text("only {0} have weights", len(shapes)))
            expected = self.shapes[i] if i < len(self.shapes) else course_text("no more")
            raise CheckFailed(f"{what}: the layers with weights, in the order the model runs them, should have VGG16-BN's "
                              f"{len(self.shapes)} weight shapes (13 x Conv2D [kernel, bias] then BatchNormalization "
                              f"[gamma, beta, moving mean, moving variance], then 3 Dense [kernel, bias]); {found}, "
                              f"expected {expected}.")
        eps = need(answer, tag + "eps")
        eps = [float(e) if isinstance(e, (int, float)) and 0 <= e <= 0.1 else 1e-3 for e in eps]
        p = need(answer, tag + "p")
        expect_shape(p, (3, self.classes), f"{what} on 3 images")
        expect_close(np.asarray(p, np.float64).sum(axis=1), np.ones(3),
                     "each row of the output must be probabilities summing to 1 (softmax)", atol=1e-4)
        acts = _relu_acts(need(answer, tag + "acts")) if relu_options else None
        expected = self.expected(eps + [1e-3] * (13 - len(eps)) if len(eps) < 13 else eps[:13], acts)
        if not np.allclose(p, expected, atol=2e-4, rtol=2e-3):
            worst = float(np.abs(p - expected).max())
            raise CheckFailed(
                f"{what}: the output with the grader's weights on the grader's images differs from VGG16-BN's (by up "
                f"to {worst:.3g}): each convolution must feed a BatchNormalization layer, then a plain ReLU, with "
                "no activation of its own; max-poolings 2x2 with padding 'same'; softmax only in 'predictions'.")
        return expected


def _relu_acts(acts):
    """The ReLU options the kernel reported, one entry per convolution (None: plain), read defensively."""
    def one(a):
        ok = (isinstance(a, list) and len(a) == 3 and (a[0] is None or isinstance(a[0], (int, float)))
              and all(isinstance(v, (int, float)) for v in a[1:]))
        return (None if a[0] is None else float(a[0]), float(a[1]), float(a[2])) if ok else None
    acts = [one(a) for a in acts][:13] if isinstance(acts, list) else []
    return acts + [None] * (13 - len(acts))


@cell("build_vgg16_bn_visible")
def build_vgg16_bn_visible(k):
    probe = _VggProbe(_rng(), 32, 10)
    a = k.ask(VGG_VISIBLE, **probe.inputs("a"))
    ok, name = need(a, "type")
    expect(ok is True, f"build_vgg16_bn() must return a keras.Sequential, found {name}.")
    found = _found(need(a, "layers"))
    compare_architecture(_relu_kinds(found, _visible_spec()), found, TOTAL_PARAMS, need(a, "count"))
    trainable = need(a, "trainable")
    expect(trainable == TRAINABLE, f"expected 33,646,666 trainable parameters, found {trainable:,}.")
    probe.check(a, "a", "build_vgg16_bn()", relu_options=True)  # the visible cell takes any ReLU layer
    return ("build_vgg16_bn(): a keras.Sequential of 48 layers of the right kinds in the right order "
            "(13 x Conv2D -> BatchNormalization -> ReLU, 5 poolings, Flatten, 3 Dense) with the right filters, units, "
            "activations and output shapes; 33,655,114 parameters (33,646,666 trainable).")


def _non_trainable(shapes, flags):
    """Parameters of the weights the model marks non-trainable, counted from the shapes measured."""
    return sum(int(np.prod(s)) for ls, lf in zip(shapes, flags) for s, f in zip(ls, lf) if not f)


@cell("build_vgg16_bn_hidden")
def build_vgg16_bn_hidden(k):
    rng = _rng()
    side = int(rng.integers(33, 61))  # every side here has an odd feature map before some pooling
    classes = int(rng.choice([c for c in range(2, 13) if c != 10]))
    pa, pb = _VggProbe(rng, 32, 10), _VggProbe(rng, side, classes)
    xt = rng.random((2, side, side, 3)).astype(np.float32)
    a = k.ask(VGG_HIDDEN, side=side, classes=classes, xt=xt, **pa.inputs("a"), **pb.inputs("b"))
    found = _found(need(a, "layers_a"))
    compare_architecture(_relu_kinds(found, _hidden_spec(32, 10)), found, TOTAL_PARAMS, need(a, "count_a"))
    odd = need(a, "odd_relu")
    expect(not odd, f"the ReLU layers must be plain layers.ReLU() (no max_value, negative_slope or threshold); found {odd}.")
    reported = need(a, "non_trainable")
    measured = _non_trainable(need(a, "ashapes"), need(a, "aflags"))
    nt = reported if reported != NON_TRAINABLE else measured
    expect(nt == NON_TRAINABLE, f"expected 8,448 non-trainable parameters (BN moving statistics), found {nt:,}.")
    flags = need(a, "aflags")
    expect(flags == [[True, True, False, False] if len(s) == 4 else [True] * len(s) for s in pa.shapes],
           "expected 8,448 non-trainable parameters (BN moving statistics): only the BatchNormalization layers' "
           "moving mean and variance may be non-trainable.")
    new = course_text("build_vgg16_bn must build a NEW model (new layers, new weights) on every call.")
    expect(need(a, "same") is False and need(a, "shared") is False, new)
    found = _found(need(a, "layers_b"))
    compare_architecture(_relu_kinds(found, _hidden_spec(side, classes)), found)
    want_a = pa.check(a, "a", "build_vgg16_bn()")
    pb.check(a, "b", f"build_vgg16_bn(input_shape=({side}, {side}, 3), num_classes={classes})")
    expect(np.allclose(need(a, "ap_again"), want_a, atol=2e-4, rtol=2e-3),
           new + " Setting the weights of a second model changed the outputs of the first.")
    before = pb.weights[1][2].astype(np.float64)
    after = np.asarray(need(a, "bn_after"), np.float64)
    batch = ref.conv2d_same(xt.astype(np.float64), *pb.weights[0]).mean(axis=(0, 1, 2))
    step, toward = after - before, batch - before
    rate = float(step @ toward / (toward @ toward)) if after.shape == before.shape else 0.0
    moved = (after.shape == before.shape and 1e-4 < rate <= 1 + 1e-6
             and np.abs(step - rate * toward).max() <= 2e-3 * np.abs(rate * toward).max() + 1e-6)
    expect(moved, f"the first BatchNormalization layer ({need(a, 'bbn_name')!r}) should update its moving mean in a "
           "training-mode pass: use keras.layers.BatchNormalization.")
    mixed_classes = int(rng.integers(2, 10))
    m = k.ask(VGG_MIXED, classes=mixed_classes, x=rng.random((1, 32, 32, 3)).astype(np.float32))
    name, compute = need(m, "last")
    p = need(m, "p")  # the probabilities as the model returned them: their dtype is measured, not reported
    dtype = str(p.dtype) if isinstance(p, np.ndarray) else type(p).__name__
    expect(compute == "float32" and dtype == "float32",
           f"built under mixed precision (mixed_float16), the last layer must still compute in float32: give predictions "
           f'dtype="float32". Found {name!r} computing in {compute if compute != "float32" else dtype}.')
    return ("build_vgg16_bn: the post's layers and names, a new model on every call, for other input shapes and "
            "class counts; computes VGG16-BN; BatchNormalization learns its statistics; float32 probabilities "
            "under mixed precision.")


# ---- save_and_reload ---------------------------------------------------------------------------

def conv2d_valid(x, kernel, bias):
    kh, kw = kernel.shape[:2]
    n, h, w, _ = x.shape
    oh, ow = h - kh + 1, w - kw + 1
    out = np.zeros((n, oh, ow, kernel.shape[-1]))
    for i in range(kh):
        for j in range(kw):
            out += x[:, i:i + oh, j:j + ow, :].astype(np.float64) @ kernel[i, j].astype(np.float64)
    return out + bias


def _bn(h, gamma, beta, mean, var, eps=1e-3):
    return gamma * (h - mean) / np.sqrt(var.astype(np.float64) + eps) + beta


def _bn_weights(rng, f):
    return [rng.uniform(0.5, 1.5, f), 0.3 * rng.standard_normal(f), 0.5 * rng.standard_normal(f),
            rng.uniform(0.5, 2.0, f)]


def _f32(ws):
    return [np.asarray(w, np.float32) for w in ws]


SAVE_VISIBLE = ONE_STEP + """
import os, tempfile
import keras
from keras import layers
keras.utils.set_random_seed(0)
m = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.BatchNormalization(),
                      layers.Flatten(), layers.Dense(3, activation="softmax")])
m.compile(optimizer="adam", loss="categorical_crossentropy")
x = IN["x"]
one_step(m.train_on_batch, x, _np.eye(3)[_np.arange(6) % 3])
m.set_weights([IN["w%d" % i] for i in range(8)])
with tempfile.TemporaryDirectory() as folder:
    out = save_and_reload(m, folder)
    OUT["files"] = sorted(os.listdir(folder))
OUT["tuple"] = [isinstance(out, tuple) and len(out) == 2, repr(out)[:80]]
OUT["p0"] = _np.asarray(out[0](x, training=False))
OUT["p1"] = _np.asarray(out[1](x, training=False))
"""


@cell("save_and_reload_visible")
def save_and_reload_visible(k):
    rng = _rng()
    x = np.random.default_rng(0).random((6, 8, 8, 3)).astype(np.float32)
    ws = _f32([rng.standard_normal((3, 3, 3, 4)) * 0.3, 0.1 * rng.standard_normal(4), *_bn_weights(rng, 4),
               rng.standard_normal((144, 3)) * 0.2, 0.1 * rng.standard_normal(3)])
    a = k.ask(SAVE_VISIBLE, x=x, **{f"w{i}": w for i, w in enumerate(ws)})
    h = _bn(conv2d_valid(x, ws[0], ws[1]), *ws[2:6]).reshape(6, -1)
    want = ref.softmax(h @ ws[6].astype(np.float64) + ws[7])
    files = need(a, "files")
    expect(files == ["model.keras", "model.weights.h5"],
           f"save_and_reload must write model.keras and model.weights.h5 into the folder; found {files}.")
    ok, shown = need(a, "tuple")
    expect(ok is True, f"save_and_reload must return (reloaded, restored), found {shown}.")
    expect_close(need(a, "p0"), want, "predictions of the model loaded from model.keras", atol=1e-5)
    expect_close(need(a, "p1"), want, "predictions of the copy with model.weights.h5 loaded", atol=1e-5)
    return ("save_and_reload(): wrote model.keras and model.weights.h5 (and nothing else) into the folder; the two "
            "models it returns predict like the original on 6 images.")


# The first layer of the model to save marks what Keras writes of it into a file: its bias, as saved
# by the n-th save of this question, is the judge's IN["marks"][n - 1], never its value in memory. A
# model read from a file predicts with a mark; a copy made in memory, with the bias it was given.
SAVE_HIDDEN = ONE_STEP + """
import os, tempfile
import keras
from keras import layers
marks, saves = IN["marks"], []

@keras.saving.register_keras_serializable(package="coursekit_judge", name="MarkedDense" + IN["token"])
class MarkedDense(layers.Dense):
    def save_own_variables(self, store):
        own = {}
        super().save_own_variables(own)
        saves.append(len(saves) + 1)
        for key, value in own.items():
            store[key] = marks[min(len(saves), len(marks)) - 1] if key == "1" else value

keras.utils.set_random_seed(IN["seed"])
x, classes = IN["x"], IN["classes"]
m = keras.Sequential([keras.Input((x.shape[1],)), MarkedDense(IN["hidden"], activation="relu", name="hidden_a"),
                      layers.BatchNormalization(name="norm_a"), layers.Dense(classes, activation="softmax", name="out_a")])
m.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="categorical_crossentropy")
for i in range(3):
    one_step(m.train_on_batch, x[4 * i:4 * i + 4], _np.eye(classes)[_np.arange(4 * i, 4 * i + 4) % classes])
m.set_weights([IN["w%d" % i] for i in range(8)])
with tempfile.TemporaryDirectory() as folder:
    reloaded, restored = save_and_reload(m, folder)
    OUT["saves"] = len(saves)
    m.set_weights([_np.zeros_like(w) for w in m.get_weights()])          # the original changes after saving ...
    own = keras.models.load_model(os.path.join(folder, "model.keras"))
    OUT["own"] = _np.asarray(own(x, training=False))
    copy = keras.models.clone_model(m)
    copy.load_weights(os.path.join(folder, "model.weights.h5"))
    OUT["copy"] = _np.asarray(copy(x, training=False))
for what, out in [("reloaded", reloaded), ("restored", restored)]:
    OUT[what + "_is"] = out is m
    OUT[what + "_shares"] = bool({id(w) for w in out.weights} & {id(w) for w in m.weights})
    OUT[what] = _np.asarray(out(x, training=False))
opt = getattr(reloaded, "optimizer", None)
OUT["steps"] = None if opt is None else int(opt.iterations)
OUT["names"] = [l.name for l in restored.layers]
"""

MAX_MARKS = 10


def _closest(found, candidates):
    """The key of the candidate output that ``found`` matches (None if none does)."""
    found = np.asarray(found, np.float64)
    for key, want in candidates.items():
        if found.shape == want.shape and np.allclose(found, want, atol=1e-5, rtol=1e-5):
            return key
    return None


@cell("save_and_reload_hidden")
def save_and_reload_hidden(k):
    rng = _rng()
    d, hidden, classes = int(rng.integers(3, 8)), int(rng.integers(4, 9)), int(rng.integers(3, 6))
    x = (rng.normal(size=(12, d)) * 3 + 1).astype(np.float32)
    ws = _f32([rng.standard_normal((d, hidden)) * (2 / d) ** 0.5, 0.1 * rng.standard_normal(hidden),
               *_bn_weights(rng, hidden), rng.standard_normal((hidden, classes)), 0.1 * rng.standard_normal(classes)])

    def predict(bias):
        h = _bn(ref.relu(x.astype(np.float64) @ ws[0] + bias), *ws[2:6])
        return ref.softmax(h @ ws[6].astype(np.float64) + ws[7])

    for _ in range(20):  # marks that change the predictions clearly, each its own way
        marks = (2.0 * rng.standard_normal((MAX_MARKS, hidden))).astype(np.float32)
        outputs = {0: predict(ws[1]), **{j + 1: predict(marks[j]) for j in range(MAX_MARKS)}}
        gaps = [np.abs(outputs[i] - outputs[j]).max() for i in outputs for j in outputs if i < j]
        if min(gaps) > 1e-2:
            break
    a = k.ask(SAVE_HIDDEN, x=x, classes=classes, hidden=hidden, seed=_seed(rng), marks=marks,
              token=f"{_seed(rng):x}", **{f"w{i}": w for i, w in enumerate(ws)})
    n = min(int(need(a, "saves")), MAX_MARKS)
    read = {j: outputs[j] for j in range(1, n + 1)}  # what a model read back from a file can predict

    def from_file(name, what):
        found = need(a, name)
        which = _closest(found, read)
        if which is None:
            expect_close(found, outputs[max(n, 1)], what, atol=1e-5)
            raise CheckFailed(f"{what}: its predictions are not those of the model you saved.")
        return which

    in_keras = from_file("own", course_text("a model loaded from your model.keras file"))
    in_weights = from_file("copy", course_text("a copy loaded from your model.weights.h5 file"))
    for what in ("reloaded", "restored"):
        expect(need(a, what + "_is") is False, f"save_and_reload must return new models: {what} is the model it was given.")
        expect(need(a, what + "_shares") is False,
               f"{what} shares layers and weights with the model it was given: it must be a new model "
               "(keras.models.load_model for reloaded, keras.models.clone_model for restored).")
    for what, file, which, how in [
            ("reloaded", "model.keras", in_keras, course_text("load it with keras.models.load_model")),
            ("restored", "model.weights.h5", in_weights,
             course_text("load the weights file into keras.models.clone_model(model) with load_weights"))]:
        found = need(a, what)
        got = _closest(found, {0: outputs[0], in_keras: outputs[in_keras], in_weights: outputs[in_weights]})
        label = (course_text("the reloaded model (from model.keras) after the original changed") if what == "reloaded"
                 else course_text("the restored copy (from model.weights.h5) after the original changed"))
        if got == 0:
            raise CheckFailed(f"{label}: it predicts like the model it was given, not like the model in your {file}: "
                              f"it was copied in memory, not read from the file - {how}.")
        if got is not None and got != which:
            raise CheckFailed(f"{label}: it was read from your "
                              f"{'model.weights.h5' if file == 'model.keras' else 'model.keras'}, not from {file} - {how}.")
        expect_close(found, outputs[which], label, atol=1e-5)
    steps = need(a, "steps")
    shown = course_text("no optimizer (was it loaded with compile=False?)") if steps is None else course_text("{0} steps", steps)
    expect(steps == 3, f"the model loaded from model.keras should keep the optimizer state (3 steps), found {shown}.")
    expect(need(a, "names") == ["hidden_a", "norm_a", "out_a"],
           "the restored copy must have the same architecture (use keras.models.clone_model).")
    return ("save_and_reload: both files hold the model; reloaded is read from model.keras with its optimizer state, "
            "restored from model.weights.h5 into a new copy.")


# ---- make_augmenter ----------------------------------------------------------------------------

AUG_VISIBLE = """
import keras
keras.utils.set_random_seed(0)
aug = make_augmenter()
OUT["inf"] = _np.asarray(aug(IN["x"], training=False))
OUT["tr"] = _np.asarray(aug(IN["x"], training=True))
"""


@cell("make_augmenter_visible")
def make_augmenter_visible(k):
    x = np.random.default_rng(0).random((8, 32, 32, 3)).astype(np.float32)
    a = k.ask(AUG_VISIBLE, x=x)
    inf = need(a, "inf")
    expect_shape(inf, (8, 32, 32, 3), "make_augmenter()(8 images, training=False)")
    expect(np.allclose(inf, x), "at inference (training=False) the augmenter must return the images unchanged.")
    tr = need(a, "tr")
    expect_shape(tr, (8, 32, 32, 3), "make_augmenter()(8 images, training=True)")
    expect(not np.allclose(tr, x), "in training mode (training=True) the augmenter should change the images.")
    return ("make_augmenter(): returns 8 images unchanged at inference (training=False); in training mode it changes "
            "them and keeps their shape.")


# Images that grow left to right ("across") and top to bottom ("down") along the judge's ramp of
# pixel values; what comes back is channel 0 (the three channels are equal).
AUG_HIDDEN = """
import keras
keras.utils.set_random_seed(IN["seed"])
aug = make_augmenter(image_size=IN["size"], pad=IN["pad"])
ramp, n = IN["ramp"], IN["n"]
size = len(ramp)
across = _np.repeat(_np.tile(ramp[None, :, None], (size, 1, 3))[None], n, axis=0)
down = _np.repeat(_np.tile(ramp[:, None, None], (1, size, 3))[None], n, axis=0)
inf = _np.asarray(aug(across, training=False))
OUT["inf_shape"] = list(inf.shape)
OUT["inf"] = inf[..., 0]
out = _np.asarray(aug(across, training=True))
OUT["shape"] = list(out.shape)
OUT["out"] = out[..., 0]
OUT["down"] = _np.asarray(aug(down, training=True))[:, :, size // 2, 0]
"""


def _augmenter_sizes():
    """(image_size, pad) pairs whose ratio tells pad / image_size from 1/8 (the default's) and from
    4 / image_size by at least a pixel of shift."""
    return [(size, pad) for pad in (2, 3, 5, 6) for size in range(2 * pad + 8, 41) if abs(size / 8 - pad) >= 1]


def _check_augmenter(k, rng, size, pad, n=256):
    ramp = np.sort(rng.uniform(0.05, 1.0, size)).astype(np.float32)
    while np.any(np.diff(ramp) <= 0):
        ramp = np.sort(rng.uniform(0.05, 1.0, size)).astype(np.float32)
    a = k.ask(AUG_HIDDEN, seed=_seed(rng), size=size, pad=pad, ramp=ramp, n=n)
    lo, hi, mid = pad + 2, size - pad - 2, size // 2
    inf = need(a, "inf")
    expect(tuple(need(a, "inf_shape")) == (n, size, size, 3) and np.allclose(inf, np.broadcast_to(ramp, (n, size, size))),
           f"make_augmenter(image_size={size}, pad={pad}) must be the identity at inference.")
    expect_shape(np.broadcast_to(np.float32(0), tuple(need(a, "shape"))), (n, size, size, 3),
                 f"make_augmenter(image_size={size}, pad={pad}) output")
    out = np.asarray(need(a, "out"))
    expect_shape(out, (n, size, size), f"make_augmenter(image_size={size}, pad={pad}) output, channel 0")
    row = np.diff(out[:, mid, lo:hi], axis=1)
    inc, dec = (row > 0).all(axis=1), (row < 0).all(axis=1)
    expect(inc.any() and dec.any(), "about half of the images should be flipped left-right (RandomFlip('horizontal')).")
    expect(len({o.tobytes() for o in out}) >= 10, "each image of a batch needs its own random shift (not one per batch).")
    expect((out == 0).any(), f"make_augmenter(image_size={size}, pad={pad}): no pixel of the shifted images is 0: "
           "fill the gap a shift leaves with zeros (fill_mode='constant').")
    expect(np.isin(out[out != 0], ramp).all(), "pixels must be moved, not blended: use interpolation='nearest'.")
    for axis, way in [(1, course_text("sideways (empty columns)")), (2, course_text("up or down (empty rows)"))]:
        empty = (out == 0).all(axis=axis).sum(axis=1)
        expect(empty.max() == pad, f"make_augmenter(image_size={size}, pad={pad}): shifts {way} should reach up to "
               f"{pad} pixels and no further, with translation factors pad / image_size; the largest was {int(empty.max())}.")
    down = np.asarray(need(a, "down"))
    expect_shape(down, (n, size), f"make_augmenter(image_size={size}, pad={pad}) output, middle column")
    expect((np.diff(down[:, lo:hi], axis=1) > 0).all(), "images must never be flipped upside down: flip horizontally only.")


@cell("make_augmenter_hidden")
def make_augmenter_hidden(k):
    rng = _rng()
    sizes = _augmenter_sizes()
    for size, pad in [(32, 4), sizes[int(rng.integers(len(sizes)))]]:  # two ratios: a hard-coded 0.125 fails
        _check_augmenter(k, rng, size, pad)
    return ("make_augmenter: identity at inference; in training, left-right flips only and a shift of up to pad "
            "pixels per image, whole pixels, zero fill.")
