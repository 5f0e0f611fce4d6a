"""Judges of lesson 05 (VGGNet's arithmetic, the post's plain VGG16 and a VGG16 with BatchNorm): every
graded test cell, visible and hidden.

Visible judges ask what the notebook's visible cell tries and say what it says. Hidden judges keep
the hidden tests' words but draw fresh inputs (sizes, class counts, widths, initializers) for every
submission. The counting exercises are compared with the judge's own arithmetic. The two models are
described by judge code in the kernel (its own copy of ``model_layers``: a subclass of a Keras layer
counts as that layer, and an activation is named by what it computes on a probe, so ``tf.nn.relu``,
``keras.activations.relu`` and ``"relu"`` are one answer); the verdict then rests on behaviour: the
judge's weights (drawn from a seed, layer by layer in call order) give outputs that must match the
judge's NumPy VGG16, and the initial weights must follow the initializer's distribution.
"""
from __future__ import annotations

import inspect
import math

import numpy as np

from coursekit.grading.judge import need, registry
from coursekit.grading.judge import reference as ref
from coursekit.grading.judge.probes import MODEL_PROBE
from coursekit.notebook.archcheck import ArchitectureMismatch, compare_architecture
from coursekit.notebook.checks import CheckFailed, expect, expect_close, expect_shape
from coursekit.notebook.i18n import course_text

cell = registry()
JUDGES = cell.JUDGES


def _rng():
    return np.random.default_rng()  # fresh entropy: hidden inputs differ for every submission


def _ints(rng, low, high, n, exclude=()):
    """n distinct integers in [low, high), none in ``exclude``."""
    pool = [v for v in range(low, high) if v not in exclude]
    return [int(v) for v in rng.choice(pool, size=n, replace=False)]


# What a returned value is, measured in the kernel: its type, its repr (for the message) and the
# number it stands for where it is one (what a test's ``==`` compares).
SCALAR = """
def k5_scalar(v):
    d = {"type": type(v).__name__, "repr": repr(v)[:300],
         "int": isinstance(v, (int, _np.integer)) and not isinstance(v, (bool, _np.bool_)),
         "float": isinstance(v, (float, _np.floating)), "num": None}
    if not isinstance(v, (str, bytes, list, tuple, dict, bool, _np.bool_)):
        try:
            a = _np.asarray(v)
            if a.size == 1 and a.dtype.kind in "iuf":
                d["num"] = a.reshape(()).item()
        except Exception:
            pass
    return d
"""


def _eq(d, want):
    got = d.get("num")
    return got is not None and not isinstance(got, bool) and got == want


# ---- conv_params / dense_params ----------------------------------------------------------------

PARAMS = SCALAR + """
calls = {"conv": lambda *a, **k: conv_params(*a, **k), "dense": lambda *a, **k: dense_params(*a, **k)}
for i, (name, args, kwargs) in enumerate(IN["calls"]):
    OUT["r%d" % i] = k5_scalar(calls[name](*args, **kwargs))
"""


def _pc_why(found, got, weights, n_bias, unit, bias=True, more=()):
    """``found`` (what the student's function returned, as shown) and the usual mistake behind a wrong
    count, in words (``found`` and "." when none fits): one template each, so that a verdict translates whole."""
    hints = [(weights, course_text("{0} - that is the weights alone: add the biases, one per {1}.", found, unit)),
             (weights + 1, course_text("{0} - one bias per {1}, not one for the whole layer.", found, unit))] if bias else \
            [(weights + n_bias, course_text("{0} - with bias=False, leave the biases out.", found))]
    return next((h for v, h in hints + list(more) if got is not None and got == v), f"{found}.")


def _conv_count(k, i, o, bias=True):
    return k * k * i * o + (o if bias else 0)


def _dense_count(i, o, bias=True):
    return i * o + (o if bias else 0)


def _check_conv(got, k, i, o, kw, head):
    b = kw.get("bias", True)
    want = _conv_count(k, i, o, b)
    found = got["repr"]
    expect(_eq(got, want), f"{head}: expected {want:,}, found "
           + _pc_why(found, got["num"], k * k * i * o, o, course_text("filter"), b,
                     more=[(k * i * o + o * b, course_text(
                         "{0} - a kernel x kernel window holds kernel*kernel*in_ch weights per filter.", found))]))


def _check_dense(got, i, o, kw, head):
    b = kw.get("bias", True)
    want = _dense_count(i, o, b)
    found = got["repr"]
    expect(_eq(got, want), f"{head}: expected {want:,}, found "
           + _pc_why(found, got["num"], i * o, o, course_text("unit"), b,
                     more=[(i * o + i * b, course_text("{0} - one bias per unit (n_out), not one per input.", found))]))


def _check_integers(a, names):
    for name in names:
        got = need(a, name)
        expect(got["int"] is True,
               f"conv_params and dense_params must return integers; found {got['type']} {got['repr']}.")


@cell("param_counts_visible")
def param_counts_visible(k):
    conv = [((3, 3, 64), 1_792), ((3, 64, 64), 36_928), ((3, 512, 512), 2_359_808)]
    dense = [((512, 4096), 2_101_248), ((4096, 10), 40_970)]
    calls = [["conv", list(args), {}] for args, _ in conv] + [["dense", list(args), {}] for args, _ in dense]
    calls += [["conv", [3, 3, 64], {}], ["dense", [512, 4096], {}]]
    a = k.ask(PARAMS, calls=calls)
    for n, ((kk, i, o), _) in enumerate(conv):
        _check_conv(need(a, f"r{n}"), kk, i, o, {}, f"conv_params{(kk, i, o)} (kernel, in_ch, out_ch)")
    for n, ((i, o), _) in enumerate(dense, len(conv)):
        _check_dense(need(a, f"r{n}"), i, o, {}, f"dense_params{(i, o)} (n_in, n_out)")
    _check_integers(a, ["r5", "r6"])
    return ("conv_params and dense_params: the right counts, as integers, for five of VGG16's layers "
            "(3 Conv2D, 2 Dense, with biases).")


@cell("param_counts_hidden")
def param_counts_hidden(k):
    rng = _rng()
    k1, k2 = _ints(rng, 2, 8, 2, exclude=(3,))             # not 3x3 only
    i1, o1, i2, o2, i3, o3 = _ints(rng, 2, 300, 6)          # in_ch != out_ch everywhere
    conv = [((k1, i1, o1), {}), ((k1, i1, o1), {"bias": False}), ((1, i2, o2), {}), ((k2, i3, o3), {"bias": False})]
    d1 = _ints(rng, 1000, 30_000, 1)[0]
    d2 = _ints(rng, 100, 5000, 1, exclude=(d1,))[0]
    s1, s2 = _ints(rng, 2, 12, 2)
    dense = [((d1, d2), {}), ((s1, s2), {"bias": False}), ((_ints(rng, 2, 60, 1)[0], 1), {})]
    t = _ints(rng, 2, 20, 4)
    types = [["conv", [3, t[0], t[1]], {}], ["dense", [t[2], t[3]], {}], ["conv", [3, t[1], t[0]], {"bias": False}],
             ["dense", [t[3], t[2]], {"bias": False}]]
    calls = [["conv", list(args), kw] for args, kw in conv] + [["dense", list(args), kw] for args, kw in dense] + types
    a = k.ask(PARAMS, calls=calls)
    for n, ((kk, i, o), kw) in enumerate(conv):
        _check_conv(need(a, f"r{n}"), kk, i, o, kw, f"conv_params{(kk, i, o)} {kw or ''}")
    for n, ((i, o), kw) in enumerate(dense, len(conv)):
        _check_dense(need(a, f"r{n}"), i, o, kw, f"dense_params{(i, o)} {kw or ''}")
    _check_integers(a, [f"r{n}" for n in range(len(conv) + len(dense), len(calls))])
    return "conv_params and dense_params: right on other layers, with and without biases."


# ---- vgg16_param_table -------------------------------------------------------------------------

_BLOCKS = ((2, 1), (2, 2), (3, 4), (3, 8), (3, 8))   # (convolutions, filters / base) per block

TABLE = """
for i, (shape, classes, fc) in enumerate(IN["calls"]):
    t = vgg16_param_table(tuple(shape), classes) if fc is None else vgg16_param_table(tuple(shape), classes, fc=fc)
    seq = isinstance(t, (list, tuple))
    OUT["seq%d" % i], OUT["type%d" % i] = seq, type(t).__name__
    OUT["len%d" % i] = len(t) if seq else None
    OUT["rows%d" % i] = [[str(r[0]), [int(v) for v in r[1]], int(r[2])] for r in t]
"""


def _table(shape, classes, fc=4096):
    """The judge's own VGG16 table: (name, output shape, params) per layer."""
    h, w, c = shape
    rows = []
    for b, (n, mult) in enumerate(_BLOCKS, 1):
        f = 64 * mult
        for i in range(n):
            rows.append((f"block{b}_conv{i + 1}", (h, w, f), 9 * c * f + f))
            c = f
        h, w = h // 2, w // 2
        rows.append((f"block{b}_pool", (h, w, c), 0))
    flat = h * w * c
    rows.append(("flatten", (flat,), 0))
    for name, units in (("fc1", fc), ("fc2", fc), ("predictions", classes)):
        rows.append((name, (units,), flat * units + units))
        flat = units
    return rows


def _rows(a, n):
    return [(r[0], tuple(r[1]), r[2]) for r in need(a, f"rows{n}")]


def _vt_why(found, want):
    """The row found and the usual mistake behind it, in words (the row and "." when none fits)."""
    if found[:2] == want[:2] and want[2] and found[2] == want[2] - want[1][-1]:
        return course_text("{0} - the {1} biases (one per filter or unit) are missing.", found, f"{want[1][-1]:,}")
    if found[0] == want[0] and want[0].endswith("pool") and found[1] != want[1]:
        return course_text("{0} - a 2x2 max-pool with stride 2 halves each side, rounding down (7 -> 3, 3 -> 1).", found)
    if found[0] == want[0] and len(found[1]) == len(want[1]) == 3 and found[1][0] == found[1][1] != want[1][1]:
        return course_text("{0} - height and width can differ: input_shape is (height, width, channels).", found)
    if found[:2] == want[:2] == ("block1_conv1", want[1]) and found[2] != want[2]:
        return course_text("{0} - block1_conv1 sees the image's channels, input_shape[2].", found)
    return f"{found}."


@cell("vgg16_param_table_visible")
def vgg16_param_table_visible(k):
    a = k.ask(TABLE, calls=[[[32, 32, 3], 10, None], [[48, 40, 3], 10, None]])
    seq, n = need(a, "seq0"), need(a, "len0")
    expect(seq is True and n == 22,
           f"VGG16 has 13 conv + 5 pool + flatten + 3 dense = 22 rows; found {n if seq is True else need(a, 'type0')}.")
    rows, want = _rows(a, 0), _table((32, 32, 3), 10)
    for i in (0, 2, 18, 19, 21):
        expect(rows[i] == want[i], f"row {i + 1}: expected {want[i]}, found " + _vt_why(rows[i], want[i]))
    total = sum(r[2] for r in rows)
    expect(total == 33_638_218, f"the parameters of the post's model add up to 33,638,218; your table sums to {total:,}.")
    rows, want = _rows(a, 1), _table((48, 40, 3), 10)   # not square; 5 -> 2 and 3 -> 1 on the way down
    expect(len(rows) == 22, f"vgg16_param_table((48, 40, 3), 10): expected 22 rows, found {len(rows)}.")
    for i in (0, 9, 13, 17):
        expect(rows[i] == want[i], f"vgg16_param_table((48, 40, 3), 10), row {i + 1}: expected {want[i]}, "
                                   "found " + _vt_why(rows[i], want[i]))
    return (f"vgg16_param_table: 22 rows at 32x32 (5 checked, {total:,} parameters in all); at 48x40 the shapes "
            "stay apart and each pool rounds down.")


@cell("vgg16_param_table_hidden")
def vgg16_param_table_hidden(k):
    rng = _rng()
    h1, w1 = (int(v) for v in rng.choice([160, 192, 224, 256, 288], size=2, replace=False))   # whole 7x7-like grids
    classes1 = _ints(rng, 100, 1001, 1)[0]
    while True:   # another size, not square, at least one side not a multiple of 32 (pooling rounds down)
        h2, w2 = _ints(rng, 32, 101, 2)
        if h2 % 32 or w2 % 32:
            break
    c2, classes2, fc2 = int(rng.choice([1, 2, 4, 5, 6])), _ints(rng, 2, 21, 1, exclude=(10,))[0], _ints(rng, 16, 1025, 1)[0]
    a = k.ask(TABLE, calls=[[[h1, w1, 3], classes1, None], [[h2, w2, c2], classes2, fc2]])
    t, want = _rows(a, 0), _table((h1, w1, 3), classes1)
    expect(len(t) == 22, f"vgg16_param_table(({h1}, {w1}, 3), {classes1}): expected 22 rows, found {len(t)}.")
    flat, fc1 = want[18], want[19]
    expect(t[18] == flat and t[19] == fc1,
           f"at {h1}x{w1}, flatten gives {h1 // 32}*{w1 // 32}*512 = {flat[1][0]} values and fc1 has {fc1[2]:,} "
           f"parameters; found {t[18]} and {t[19]}.")
    total = sum(r[2] for r in want)
    expect(sum(r[2] for r in t) == total,
           f"VGG16 at {h1}x{w1}x3 with {classes1} classes has {total:,} parameters; your table sums to {sum(r[2] for r in t):,}.")
    names = [f"block{b}_conv{i}" for b, n in enumerate((2, 2, 3, 3, 3), 1) for i in range(1, n + 1)]
    expect([r[0] for r in t if "conv" in r[0]] == names, "the 13 convolutions must be named block1_conv1 ... block5_conv3.")
    expect([r[0] for r in t if r[0].endswith("pool")] == [f"block{b}_pool" for b in range(1, 6)],
           "the pools must be named block1_pool ... block5_pool.")
    expect([r[0] for r in t[-4:]] == ["flatten", "fc1", "fc2", "predictions"], "the head rows must be flatten, fc1, fc2, predictions.")
    # another input size, channel count, class count and head width, against the judge's own count
    t, want = _rows(a, 1), _table((h2, w2, c2), classes2, fc2)
    call = f"vgg16_param_table(({h2}, {w2}, {c2}), {classes2}, fc={fc2})"
    for i, (got, exp) in enumerate(zip(t, want)):
        expect(got == exp, f"{call}, row {i + 1}: expected {exp}, found " + _vt_why(got, exp))
    expect(len(t) == len(want), f"{call}: expected {len(want)} rows, found {len(t)}.")
    return "vgg16_param_table: right at other sizes, channel counts, class counts and head widths."


# ---- receptive_field / stacked_vs_single_params ------------------------------------------------

RF = SCALAR + """
for i, args in enumerate(IN["rf"]):
    OUT["rf%d" % i] = k5_scalar(receptive_field(*args))
for i, args in enumerate(IN["sv"]):
    v = stacked_vs_single_params(*args)
    OUT["sv%d" % i] = {"repr": repr(v)[:300], "items": [k5_scalar(x) for x in tuple(v)]}
"""


def _rf_why(found, got, want):
    """``found`` and the usual mistake behind a wrong receptive field, in words (``found`` and "." when none fits)."""
    if got is not None and got == want - 1:
        return course_text("{0} - off by one: a single convolution already sees a kernel x kernel patch.", found)
    if got is not None and got == want + 1:
        return course_text("{0} - off by one: the windows of stacked layers overlap, so each layer after the first "
                           "adds kernel - 1 pixels.", found)
    return f"{found}."


def _pair_is(got, want):
    items = got["items"]
    return len(items) == len(want) and all(_eq(d, w) for d, w in zip(items, want))


def _sv_want(n, ch):
    side = 1 + 2 * n
    return n * 9 * ch * ch, side * side * ch * ch


@cell("receptive_field_visible")
def receptive_field_visible(k):
    a = k.ask(RF, rf=[[1], [2], [3]], sv=[[2, 64]])
    for i, (n, want) in enumerate([(1, 3), (2, 5), (3, 7)]):
        got = need(a, f"rf{i}")
        expect(_eq(got, want), f"receptive_field({n}) (3x3 kernels): expected {want}, found "
               + _rf_why(got["repr"], got["num"], want))
    got = need(a, "sv0")
    expect(_pair_is(got, (73_728, 102_400)),
           "stacked_vs_single_params(2, 64): two 3x3 layers have 2*9*64*64 = 73,728 weights and one 5x5 layer "
           f"25*64*64 = 102,400; found {got['repr']}"
           + (" - count the weights only, no biases." if _pair_is(got, (73_728 + 128, 102_400 + 64)) else "."))
    return "receptive_field(1..3) with 3x3 kernels and stacked_vs_single_params(2, 64) are right."


@cell("receptive_field_hidden")
def receptive_field_hidden(k):
    rng = _rng()
    n1, n2 = _ints(rng, 4, 31, 2)
    k1, k2 = _ints(rng, 2, 10, 2, exclude=(3,))
    rf = [(n1,), (n2,), (_ints(rng, 2, 9, 1)[0], k1), (_ints(rng, 2, 9, 1)[0], k2), (_ints(rng, 1, 10, 1)[0], 1)]
    sv = [(_ints(rng, 2, 7, 1)[0], _ints(rng, 2, 65, 1)[0]), (1, _ints(rng, 2, 65, 1)[0]), (_ints(rng, 2, 7, 1)[0], 1)]
    a = k.ask(RF, rf=[list(args) for args in rf], sv=[list(args) for args in sv])
    for i, args in enumerate(rf):
        want = 1 + args[0] * ((args[1] if len(args) > 1 else 3) - 1)
        got = need(a, f"rf{i}")
        why = (course_text("{0} - that is the answer for 3x3 kernels: use the kernel argument.", got["repr"])
               if len(args) > 1 and _eq(got, 1 + 2 * args[0]) else _rf_why(got["repr"], got["num"], want))
        expect(_eq(got, want), f"receptive_field{args}: expected {want}, found " + why)
    for i, (n, ch) in enumerate(sv):
        want, got = _sv_want(n, ch), need(a, f"sv{i}")
        expect(_pair_is(got, want), f"stacked_vs_single_params({n}, {ch}): expected {want}, found {got['repr']}"
               + (" - count the weights only, no biases." if _pair_is(got, (want[0] + n * ch, want[1] + ch)) else "."))
    return "receptive_field and stacked_vs_single_params: right for other depths, kernels and widths."


# ---- initial_loss ------------------------------------------------------------------------------

LOSS = SCALAR + """
for i, c in enumerate(IN["classes"]):
    OUT["r%d" % i] = k5_scalar(initial_loss(c))
"""


def _il_why(found, got, c, hidden=False):
    """``found`` and the usual mistake behind a wrong initial loss, in words (``found`` and "." when none fits)."""
    if got is None:
        return f"{found}."
    for log, name in ((np.log10, "log10"), (np.log2, "log2")):
        if abs(got - log(c)) < 1e-6:
            return course_text("{0} - that is {1}({2}): cross-entropy uses the natural logarithm (np.log, math.log).",
                               found, name, c)
    if abs(got + np.log(c)) < 1e-6:
        return course_text("{0} - wrong sign: the loss is -log(1/C) = +log(C).", found)
    if hidden and abs(got - np.log(10)) < 1e-6:
        return course_text("{0} - that is log(10), the value for 10 classes: use num_classes.", found)
    return f"{found}."


@cell("initial_loss_visible")
def initial_loss_visible(k):
    got = need(k.ask(LOSS, classes=[10]), "r0")
    expect(got["float"] is True, f"initial_loss must return a float, found {got['type']}.")
    expect(got["num"] is not None and abs(got["num"] - 2.302585093) < 1e-6,
           "initial_loss(10): expected log(10) = 2.302585..., found " + _il_why(got["repr"], got["num"], 10))
    return f"initial_loss(10) = {got['num']:.4f}, a float: the post's stuck loss."


@cell("initial_loss_hidden")
def initial_loss_hidden(k):
    rng = _rng()
    classes = [_ints(rng, 2, 6, 1)[0], _ints(rng, 6, 50, 1, exclude=(10,))[0], _ints(rng, 50, 300, 1)[0],
               _ints(rng, 300, 1001, 1)[0]]
    a = k.ask(LOSS, classes=classes)
    for i, c in enumerate(classes):
        probs = np.full((4, c), 1.0 / c)
        want = float(np.mean(-np.log(probs[np.arange(4), np.arange(4) % c])))
        got = need(a, f"r{i}")
        expect(got["float"] is True, f"initial_loss({c}) must return a float, found {got['type']}.")
        expect(got["num"] is not None and abs(got["num"] - want) < 1e-6,
               f"initial_loss({c}): expected {want:.6f}, found " + _il_why(got["repr"], got["num"], c, hidden=True))
    return "initial_loss: log(C) for other class counts."


# ---- the models: described and measured in the kernel by judge code ----------------------------

def prepare_weights(seed, shapes, scales, drawn=None):
    """The judge's weights for layers with these weight shapes: ``draw_weights``'s, with each Conv2D or
    Dense layer's kernel and bias times its scale (the judge picks the scales that keep every layer's
    output near unit size), and each BatchNormalization's made gamma ~ 1, beta, moving mean and a
    positive moving variance. The kernel runs this function's source too."""
    import numpy as np

    out = []
    for ws, scale in zip(draw_weights(seed, shapes) if drawn is None else drawn, scales):
        if len(ws) == 4 and all(w.ndim == 1 for w in ws):
            gamma, beta, mean, var = ws
            ws = [(1 + gamma).astype("float32"), beta, mean, (0.5 + 5 * np.abs(var)).astype("float32")]
        else:
            ws = [(w * np.float32(scale)).astype("float32") for w in ws]
        out.append(ws)
    return out


draw_weights = ref.draw_weights   # what prepare_weights calls, here and (from its source) in the kernel
PREPARE_SOURCE = inspect.getsource(prepare_weights)
PROBE = np.array([[-2.0, -0.5, 0.0, 0.7, 1.5, 7.0], [3.0, -1.0, 0.2, -0.1, 0.4, -7.0]], dtype="float32")

# Builds the student's model, describes its leaf layers in call order (kind, settings, output shape,
# parameters, as archcheck's model_layers does, but a subclass of a Keras layer counts as that layer and
# each activation function is run on a probe), reports the weight shapes of the layers with weights in
# the order the forward pass calls them, samples their initial kernels, and - when those shapes are the
# judge's - sets the judge's weights and returns the model's outputs on the judge's images.
MODEL = ref.DRAW_WEIGHTS_SOURCE + PREPARE_SOURCE + MODEL_PROBE + """

ALIASES = {"MaxPool2D": "MaxPooling2D", "AvgPool2D": "AveragePooling2D", "Convolution2D": "Conv2D",
           "GlobalAvgPool2D": "GlobalAveragePooling2D", "MaxPool1D": "MaxPooling1D", "GlobalMaxPool2D": "GlobalMaxPooling2D"}
ACT_LAYERS = {"ReLU": "relu", "Softmax": "softmax", "LeakyReLU": "leaky_relu", "ELU": "elu"}
ATTRS = (("filters", "filters"), ("units", "units"), ("kernel_size", "kernel"), ("pool_size", "pool"),
         ("strides", "strides"), ("padding", "padding"), ("rate", "rate"), ("activation", "activation"))
PLAIN = (int, float, str, bool, type(None))

def k5_norm(key, value):
    if key in ("kernel", "strides", "pool"):
        if isinstance(value, (int, _np.integer)):
            return [int(value), int(value)]
        if isinstance(value, (list, tuple)):
            return [int(v) for v in value]
    if key == "activation":
        return "linear" if value is None else str(getattr(value, "__name__", None) or repr(value)[:100])
    if key == "padding":
        return value.lower()
    if isinstance(value, (int, _np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, _np.floating)):
        return float(value)
    return value if isinstance(value, PLAIN) else repr(value)[:100]

def k5_shape(out):
    if hasattr(out, "shape"):
        return [None] + [None if d is None else int(d) for d in tuple(out.shape)[1:]]
    if isinstance(out, (list, tuple)):
        return [k5_shape(o) for o in out]
    return None

def k5_count(weights):
    return int(sum(int(_np.prod(w.shape)) for w in weights))

def k5_info(layer, out):
    base = keras_base(layer)
    info = {"name": str(layer.name), "kind": ALIASES.get(base.__name__, base.__name__) if base else type(layer).__name__}
    if base is not None:
        for attr, key in ATTRS:
            value = getattr(layer, attr, None)
            if value is not None and not (key == "padding" and not isinstance(value, str)):
                info[key] = k5_norm(key, value)
        if info["kind"] in ACT_LAYERS:
            info["activation"] = ACT_LAYERS[info["kind"]]
        elif callable(getattr(layer, "activation", None)):
            try:
                info["act_probe"] = _np.asarray(layer.activation(IN["probe"]), dtype="float64").tolist()
            except Exception:
                pass
    info["output_shape"] = k5_shape(out)
    info["params"] = k5_count(layer.weights)
    info["trainable_params"] = k5_count(layer.trainable_weights)
    return info

def k5_error_text(err):
    import re
    text = getattr(err, "message", None) or str(err)
    inner = re.search("\\x1b\\\\[1m(.*?)\\x1b\\\\[0m", text, re.S)
    where = re.search("Exception encountered when calling (.*?)\\\\.\\n", text)
    text = inner.group(1).strip() if inner else text.strip()
    text = text if len(text) < 600 else text[:600] + " ..."
    return type(err).__name__ + ": " + text + (" (raised in " + where.group(1) + ")" if where else "")

build = build_plain_vgg16 if IN["build"] == "plain" else build_vgg16_bn
args = [tuple(IN["args"][0])] + list(IN["args"][1:]) if IN["args"] else []
try:
    m = build(*args, **IN["kwargs"])
except ValueError as err:
    OUT["build_error"] = str(err)[:2000]
    raise

found = leaves(m)
try:
    calls = record_calls(m, _np.zeros((2,) + tuple(IN["input_shape"]), "float32"))
except Exception as err:
    OUT["run_error"] = k5_error_text(err)
    raise
OUT["layers"] = [k5_info(layer, out) for layer, out, _ in calls]
order = weighted(calls)
OUT["shapes"] = [[[int(d) for d in w.shape] for w in layer.weights] for layer in order]
OUT["count"] = int(m.count_params())
OUT["nontrainable"] = k5_count(m.non_trainable_weights)
OUT["n_bn"] = len([l for l in found if isinstance(l, keras.layers.BatchNormalization)])
OUT["inits"] = [type(l.kernel_initializer).__name__ for l in found if hasattr(l, "kernel_initializer")]
if IN["samples"]:
    kernels = [layer.weights[0] for layer in order if len(layer.weights[0].shape) >= 2]
    parts = [_np.asarray(w, dtype="float32").ravel()[:4000] for w in kernels]
    OUT["sample_shapes"] = [[int(d) for d in w.shape] for w in kernels]
    OUT["sample_sizes"] = [int(p.size) for p in parts]
    OUT["samples"] = _np.concatenate(parts) if parts else _np.zeros(0, "float32")
if "x0" in IN:
    OUT["p0"] = _np.asarray(m(IN["x0"], training=False))
if "seed" in IN and OUT["shapes"] == IN["shapes"]:
    for layer, ws in zip(order, prepare_weights(IN["seed"], IN["shapes"], IN["scales"])):
        layer.set_weights(ws)
    OUT["p"] = _np.asarray(m(IN["x"], training=False))
"""


def _activation_name(probe_out):
    """Which activation computed these values on PROBE (None when none of the usual ones)."""
    y = np.asarray(probe_out, dtype=np.float64)
    x = PROBE.astype(np.float64)
    known = {"linear": x, "relu": ref.relu(x), "softmax": ref.softmax(x), "sigmoid": 1 / (1 + np.exp(-x)),
             "tanh": np.tanh(x), "relu6": np.clip(x, 0, 6)}
    return next((name for name, want in known.items()
                 if y.shape == want.shape and np.allclose(y, want, atol=1e-5, rtol=1e-5)), None)


def _tuples(value):
    """JSON gives lists where a model's description had tuples (shapes, kernel sizes)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _found(layers):
    """The kernel's layer descriptions, as archcheck's model_layers gives them; activations named by
    what they computed on the probe."""
    expect(isinstance(layers, list) and all(isinstance(d, dict) and "kind" in d and "name" in d for d in layers),
           "the grader could not read your model's layers.")
    found = []
    for d in layers:
        d = {key: _tuples(v) for key, v in d.items()}
        probe = d.pop("act_probe", None)
        name = _activation_name(probe) if probe is not None else None
        if name is not None:
            d["activation"] = name
        found.append(d)
    return found


def _ask_model(k, build, args, kwargs, input_shape, samples=False, x0=None, behaviour=None):
    inputs = dict(build=build, args=args, kwargs=kwargs, input_shape=list(input_shape), samples=samples, probe=PROBE)
    if x0 is not None:
        inputs["x0"] = x0
    if behaviour is not None:
        inputs.update(seed=behaviour["seed"], shapes=behaviour["shapes"], scales=behaviour["scales"], x=behaviour["x"])
    return k.ask(MODEL, **inputs)


def _could_not_run(a, input_shape):
    """archcheck's words when the model cannot run on an input of the right shape."""
    if "run_error" in a:
        shown = ", ".join(map(str, (None,) + tuple(input_shape)))
        raise ArchitectureMismatch(f"Your model could not run on an input of shape ({shown}): {a.get('run_error')}")


def _weight_shapes(input_shape, classes, fc, base, bn):
    """The weight shapes of the layers with weights, in call order."""
    h, w, c = input_shape
    shapes = []
    for n, mult in _BLOCKS:
        f = base * mult
        for _ in range(n):
            shapes.append([[3, 3, c, f], [f]])
            if bn:
                shapes.append([[f], [f], [f], [f]])
            c = f
        h, w = h // 2, w // 2
    flat = h * w * c
    for units in (fc, fc, classes):
        shapes.append([[flat, units], [units]])
        flat = units
    return shapes


def _forward(x, weights, bn, calibrate=False):
    """The judge's VGG16 (plain, or with BatchNorm at inference) in NumPy: the output probabilities, and
    the scale of each layer with weights (with ``calibrate``: the factor that brings each Conv2D or
    Dense output to unit RMS, the logits to RMS 2; else 1)."""
    h, scales, weights = x.astype(np.float64), [], iter(weights)

    def scaled(z, target=1.0):
        s = target / max(float(np.sqrt(np.mean(z ** 2))), 1e-12) if calibrate else 1.0
        scales.append(s)
        return z * s

    for n, _ in _BLOCKS:
        for _ in range(n):
            kernel, bias = next(weights)
            h = scaled(ref.conv2d_same(h, kernel, bias))
            if bn:
                gamma, beta, mean, var = (w.astype(np.float64) for w in next(weights))
                scales.append(1.0)
                h = (h - mean) / np.sqrt(var + 1e-3) * gamma + beta
            h = ref.relu(h)
        h = ref.maxpool2(h)
    h = h.reshape(len(h), -1)
    for i in range(3):
        kernel, bias = next(weights)
        h = scaled(ref.dense(h, kernel, bias), 2.0 if i == 2 else 1.0)
        h = ref.relu(h) if i < 2 else ref.softmax(h)
    return h, scales


def _plan_behaviour(rng, x, shapes, bn):
    """The judge's weights for a model with these weight shapes: a seed, and the scales that keep the
    judge's own forward pass on ``x`` near unit size; the weights themselves stay here."""
    seed = int(rng.integers(0, 2 ** 31 - 1))
    drawn = ref.draw_weights(seed, shapes)
    _, scales = _forward(x, prepare_weights(seed, shapes, [1.0] * len(shapes), drawn), bn, calibrate=True)
    return dict(seed=seed, shapes=shapes, scales=[float(s) for s in scales], x=x,
                weights=prepare_weights(seed, shapes, scales, drawn))


def _check_behaviour(a, plan, bn, what):
    shapes, found = plan["shapes"], need(a, "shapes")
    if found != shapes:
        i = next((i for i, (f, s) in enumerate(zip(found, shapes)) if f != s), min(len(found), len(shapes)))
        model = course_text("VGG16 with BatchNorm") if bn else "VGG16"   # no empty value: the verdict translates whole
        none = course_text("no more layers")
        raise CheckFailed(
            f"{what}: the layers with weights, in the order the model calls them, should be {len(shapes)} with the "
            f"weight shapes of {model}; at number {i + 1} expected "
            f"{shapes[i] if i < len(shapes) else none}, found {found[i] if i < len(found) else none}.")
    p = need(a, "p")
    expected, _ = _forward(plan["x"], plan["weights"], bn)
    expect_shape(p, expected.shape, f"{what} on {len(expected)} images")
    if not np.allclose(p, expected, atol=1e-4, rtol=1e-3):
        worst = float(np.abs(p - expected).max())
        if np.abs(p.sum(axis=1) - 1).max() > 1e-3:
            hint = course_text("its rows do not sum to 1: the last Dense layer needs softmax")
        elif bn:
            hint = course_text("each block is Conv2D (no activation) -> BatchNormalization -> ReLU, softmax at the end; "
                               "at inference (training=False) BatchNormalization must normalise with its moving mean "
                               "and variance")
        else:
            hint = course_text("check each layer's activation and padding, and the order of the layers")
        model = course_text("VGG16's with BatchNorm") if bn else course_text("VGG16's")
        raise CheckFailed(f"{what}'s output with the grader's weights on the grader's images differs from "
                          f"{model} (by up to {worst:.3g}): {hint}.")


INITIALIZERS = {  # name: (Keras class, scale, mode, distribution) - VarianceScaling's parameters
    "glorot_uniform": ("GlorotUniform", 1.0, "fan_avg", "uniform"),
    "he_normal": ("HeNormal", 2.0, "fan_in", "truncated_normal"),
    "he_uniform": ("HeUniform", 2.0, "fan_in", "uniform"),
}


def _init_problem(a, init):
    """None when the initial kernels sampled in the kernel fit the initializer's distribution (their
    spread and their range), else what does not fit, in words (the end of a sentence: ": ... .")."""
    _, scale, mode, dist = INITIALIZERS[init]
    samples, sizes, shapes = need(a, "samples"), need(a, "sample_sizes"), need(a, "sample_shapes")
    parts = np.split(np.asarray(samples, dtype=np.float64), np.cumsum(sizes)[:-1]) if sizes else []
    for i, (shape, x) in enumerate(zip(shapes, parts), 1):
        if len(x) < 20:
            continue
        receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
        fan_in, fan_out = receptive * shape[-2], receptive * shape[-1]
        n = fan_in if mode == "fan_in" else (fan_in + fan_out) / 2
        std = math.sqrt(scale / max(1.0, n))
        bound = math.sqrt(3) * std if dist == "uniform" else 2 * std / 0.87962566103423978
        got = float(np.sqrt(np.mean(x ** 2)))
        if abs(got / std - 1) > 3.6 / math.sqrt(len(x)) + 0.02:
            return course_text(": the initial kernel of weight layer {0} (shape {1}) has a standard deviation of "
                               "{2}, where {3} gives {4}.", i, tuple(shape), f"{got:.3g}", init, f"{std:.3g}")
        if float(np.abs(x).max()) > bound * 1.001 + 1e-6:
            return course_text(": the initial kernel of weight layer {0} (shape {1}) reaches {2}, beyond {3}'s range "
                               "(+-{4}).", i, tuple(shape), f"{float(np.abs(x).max()):.3g}", init, f"{bound:.3g}")
    return None


def _check_initializer(a, init, message, count=None):
    """``message(end)``: the sentence that says which initializer the layers must use, ending with ``end``
    (one template with the end as its last value, so that each verdict translates whole)."""
    inits = need(a, "inits")
    cls = INITIALIZERS[init][0]
    expect((count is None or len(inits) == count) and all(i == cls for i in inits),
           message(course_text("; found {0}.", ", ".join(inits)) if count is not None else "."))
    problem = _init_problem(a, init)
    expect(problem is None, message(problem or "."))


# ---- build_plain_vgg16 -------------------------------------------------------------------------

def _plain_spec(input_shape, classes, fc, base, visible):
    """The layers build_plain_vgg16(input_shape, classes, fc=fc, base=base) must have, in call order (the
    visible check also compares strides and the Dense layers' parameter counts)."""
    h, w, c = input_shape
    spec = []
    for n, mult in _BLOCKS:
        f = base * mult
        for _ in range(n):
            conv = dict(kind="Conv2D", filters=f, kernel=3, padding="same", activation="relu",
                        output_shape=(None, h, w, f), params=9 * c * f + f)
            if visible:
                conv = dict(conv, strides=1)
            spec.append(conv)
            c = f
        h, w = h // 2, w // 2
        spec.append(dict(kind="MaxPooling2D", pool=2, output_shape=(None, h, w, c)))
    flat = h * w * c
    spec.append(dict(kind="Flatten", output_shape=(None, flat)))
    for units, act in ((fc, "relu"), (fc, "relu"), (classes, "softmax")):
        spec.append(dict(kind="Dense", units=units, activation=act, **({"params": flat * units + units} if visible else {})))
        flat = units
    return spec


@cell("build_plain_vgg16_visible")
def build_plain_vgg16_visible(k):
    rng = _rng()
    shape = (32, 32, 3)
    plan = _plan_behaviour(rng, rng.random((2,) + shape).astype("float32"), _weight_shapes(shape, 10, 4096, 64, False), False)
    a = _ask_model(k, "plain", [], {}, shape, behaviour=plan)
    if "build_error" in a:
        err = str(a.get("build_error"))
        raise CheckFailed(f"build_plain_vgg16() failed: {err[:300]}" + (
            " - with padding='valid' each 3x3 convolution cuts 2 pixels off the height and width, until nothing is left: "
            "use padding='same'." if "negative" in err else ""))
    _could_not_run(a, shape)
    compare_architecture(_plain_spec(shape, 10, 4096, 64, True), _found(need(a, "layers")), 33_638_218, need(a, "count"))
    _check_behaviour(a, plan, False, "build_plain_vgg16()")
    return ("build_plain_vgg16(): every layer's kind, size, padding, activation, output shape and parameters match the "
            "post's VGG16 (33,638,218 parameters).")


def _other_config(rng, min_base, fc_range=(12, 41)):
    """(input shape, classes, fc, base) other than the defaults: a small image that is not square, not 3
    channels; a class count, a head width, a base width and a flattened size that all differ."""
    h, w = _ints(rng, 32, 73, 2)
    c = int(rng.choice([1, 2, 4, 5]))
    base = _ints(rng, min_base, 9, 1)[0]
    flat = (h // 32) * (w // 32) * 8 * base
    classes = _ints(rng, 2, 10, 1, exclude=(c,))[0]
    fc = _ints(rng, *fc_range, 1, exclude=(8 * base, flat, classes))[0]
    return (h, w, c), classes, fc, base


@cell("build_plain_vgg16_hidden")
def build_plain_vgg16_hidden(k):
    rng = _rng()
    shape, classes, fc, base = _other_config(rng, 3)
    init = str(rng.choice(["he_normal", "he_uniform"]))
    plan = _plan_behaviour(rng, rng.random((3,) + shape).astype("float32"), _weight_shapes(shape, classes, fc, base, False), False)
    a = _ask_model(k, "plain", [list(shape), classes], dict(fc=fc, base=base, kernel_initializer=init), shape,
                   samples=True, behaviour=plan)
    _could_not_run(a, shape)
    compare_architecture(_plain_spec(shape, classes, fc, base, False), _found(need(a, "layers")))
    _check_initializer(a, init, lambda end: course_text(
        "build_plain_vgg16(..., kernel_initializer={0}) must use it in all 13 Conv2D and 3 Dense layers{1}", repr(init), end), 16)
    shape2, classes2, fc2, base2 = _other_config(rng, 3, fc_range=(8, 25))
    a2 = _ask_model(k, "plain", [list(shape2), classes2], dict(fc=fc2, base=base2), shape2, samples=True,
                    x0=rng.random((3,) + shape2).astype("float32"))
    _could_not_run(a2, shape2)
    _check_initializer(a2, "glorot_uniform", lambda end: course_text(
        "by default build_plain_vgg16 must keep Keras' default initializer, glorot_uniform (the post's setting){0}", end))
    p0 = need(a2, "p0")
    expect_shape(p0, (3, classes2), f"build_plain_vgg16({shape2}, {classes2}, fc={fc2}, base={base2}) on 3 images")
    expect_close(p0.sum(axis=1), np.ones(3), "each output row must be probabilities summing to 1 (softmax)", atol=1e-4)
    _check_behaviour(a, plan, False, f"build_plain_vgg16({shape}, {classes}, fc={fc}, base={base})")
    return "build_plain_vgg16: right at other sizes, widths and initializers, and computes the plain VGG16."


# ---- build_vgg16_bn ----------------------------------------------------------------------------

def _bn_rows(found):
    rows = []
    for d in found:
        if d["kind"] in ("Activation", "ReLU") and d.get("activation") == "relu":
            rows.append(("ReLU", None, d.get("output_shape")))
        else:
            rows.append((d["kind"], d.get("filters", d.get("units")), d.get("output_shape"), d.get("activation")))
    return rows


def _bn_expected(input_shape, base, fc, classes):
    h, w, _ = input_shape
    rows = []
    for n, mult in _BLOCKS:
        f = mult * base
        for _ in range(n):
            s = (None, h, w, f)
            rows += [("Conv2D", f, s, "linear"), ("BatchNormalization", None, s, None), ("ReLU", None, s)]
        h, w = h // 2, w // 2
        rows.append(("MaxPooling2D", None, (None, h, w, f), None))
    flat = h * w * 8 * base
    return rows + [("Flatten", None, (None, flat), None), ("Dense", fc, (None, fc), "relu"),
                   ("Dense", fc, (None, fc), "relu"), ("Dense", classes, (None, classes), "softmax")]


def _bn_count(input_shape, classes, fc, base):
    """(parameters, conv biases) of VGG16 with BatchNorm."""
    c, count, biases = input_shape[2], 0, 0
    for n, mult in _BLOCKS:
        f = mult * base
        for _ in range(n):
            count += 9 * c * f + f + 4 * f          # kernel, bias, BatchNorm's gamma, beta, moving mean and variance
            c, biases = f, biases + f
    h, w = input_shape[0] // 32, input_shape[1] // 32
    flat = h * w * c
    for units in (fc, fc, classes):
        count += flat * units + units
        flat = units
    return count, biases


@cell("build_vgg16_bn_visible")
def build_vgg16_bn_visible(k):
    rng = _rng()
    shape = (32, 32, 3)
    plan = _plan_behaviour(rng, rng.random((2,) + shape).astype("float32"), _weight_shapes(shape, 10, 4096, 64, True), True)
    a = _ask_model(k, "bn", [], {}, shape, behaviour=plan)
    _could_not_run(a, shape)
    got, want = _bn_rows(_found(need(a, "layers"))), _bn_expected(shape, 64, 4096, 10)
    for i, (g, e) in enumerate(zip(got, want)):
        expect(g == e, f"layer {i + 1}: expected (kind, filters/units, output shape, activation) = {e}, found {g}. "
                       + ("Each Conv2D has no activation; BatchNormalization then a ReLU follow it." if i < len(want) - 4 else
                          "The head stays Flatten, Dense(fc, 'relu'), Dense(fc, 'relu'), Dense(num_classes, 'softmax'): no BatchNormalization there."))
    expect(len(got) == len(want), f"VGG16 with BatchNorm has 13 x (Conv2D, BatchNormalization, ReLU) + 5 pools + Flatten + 3 Dense "
                                  f"= {len(want)} layers; found {len(got)}: the first {min(len(got), len(want))} are right.")
    n_bn = need(a, "n_bn")
    expect(n_bn == 13, f"expected 13 BatchNormalization layers, one per Conv2D, found {n_bn} distinct ones: "
                       "a layer object used after several convolutions shares one set of weights and statistics.")
    count, nt = need(a, "count"), need(a, "nontrainable")
    hint = (course_text(" - your Conv2D layers have no bias (use_bias=False); keep Keras' default, the count includes it.")
            if count == 33_655_114 - 4_224 else ".")
    expect(count == 33_655_114 and nt == 8_448,
           f"expected 33,655,114 parameters (8,448 non-trainable), found {count:,} ({nt:,} non-trainable)" + hint)
    _check_behaviour(a, plan, True, "build_vgg16_bn()")
    return "build_vgg16_bn(): Conv2D -> BatchNormalization -> ReLU in every block, then the head; 33,655,114 parameters."


@cell("build_vgg16_bn_hidden")
def build_vgg16_bn_hidden(k):
    rng = _rng()
    shape, classes, fc, base = _other_config(rng, 2)
    call = f"build_vgg16_bn({shape}, {classes}, fc={fc}, base={base})"
    x = rng.random((4,) + shape).astype("float32")
    plan = _plan_behaviour(rng, x, _weight_shapes(shape, classes, fc, base, True), True)
    a = _ask_model(k, "bn", [list(shape), classes], dict(fc=fc, base=base), shape, samples=True, x0=x, behaviour=plan)
    _could_not_run(a, shape)
    got, want = _bn_rows(_found(need(a, "layers"))), _bn_expected(shape, base, fc, classes)
    expect(got == want, f"{call} does not have the expected layers; first difference: "
           + next((course_text("layer {0}: expected {1}, found {2}", i + 1, e, g)
                   for i, (g, e) in enumerate(zip(got, want)) if g != e),
                  course_text("expected {0} layers, found {1}", len(want), len(got))) + ".")
    p0 = need(a, "p0")
    expect_shape(p0, (4, classes), f"{call} on 4 images")
    expect_close(p0.sum(axis=1), np.ones(4), "each output row must be probabilities summing to 1 (softmax)", atol=1e-4)
    n_bn = need(a, "n_bn")
    expect(n_bn == 13, f"expected 13 BatchNormalization layers (one per Conv2D), found {n_bn} distinct ones.")
    inits = need(a, "inits")
    def message(end):
        return course_text("the initializers stay at their defaults (glorot_uniform, Keras' default) in build_vgg16_bn{0}", end)
    expect(all(i == "GlorotUniform" for i in inits), message(course_text("; found {0}.", ", ".join(inits))))
    _check_initializer(a, "glorot_uniform", message)
    want_count, biases = _bn_count(shape, classes, fc, base)
    count = need(a, "count")
    expect(count == want_count, f"{call}: expected {want_count:,} parameters, found {count:,}"
           + (" - your Conv2D layers have no bias (use_bias=False); keep Keras' default."
              if count == want_count - biases else "."))
    _check_behaviour(a, plan, True, call)
    return "build_vgg16_bn: right at other sizes and widths, and computes VGG16 with BatchNorm at inference."
