"""Tests for coursekit.notebook.archcheck (Keras 3 architecture checker)."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import warnings

import numpy as np
import pytest
import keras
from keras import layers as L

from coursekit.notebook.archcheck import (ArchitectureMismatch, check_architecture, format_layers,
                                 model_layers)

SHAPE = (16, 16, 3)

# A small VGG-style net: every kind of layer the checker knows about.
SPEC = [
    {"kind": "Conv2D", "filters": 8, "kernel": 3, "strides": 1, "padding": "same",
     "activation": "relu", "output_shape": (None, 16, 16, 8), "params": 224},
    {"kind": "Conv2D", "filters": 8, "kernel": (3, 3), "activation": "relu",
     "output_shape": (None, 14, 14, 8)},
    {"kind": "MaxPooling2D", "pool": 2, "output_shape": (None, 7, 7, 8)},
    {"kind": "Conv2D", "filters": 16, "kernel": 3, "padding": "same", "activation": "linear",
     "output_shape": (None, 7, 7, 16)},
    {"kind": "BatchNormalization", "params": 64, "trainable_params": 32},
    {"kind": "Activation", "activation": "relu"},
    {"kind": "AveragePooling2D", "pool": 2, "output_shape": (None, 3, 3, 16)},
    {"kind": "Flatten", "output_shape": (None, 144)},
    {"kind": "Dense", "units": 32, "activation": "linear", "params": 144 * 32 + 32},
    {"kind": "ReLU", "activation": "relu"},
    {"kind": "Dropout", "rate": 0.3},
    {"kind": "Dense", "units": 5, "output_shape": (None, 5)},
    {"kind": "Softmax", "activation": "softmax", "output_shape": (None, 5)},
]
TOTAL = 224 + 584 + 1168 + 64 + 144 * 32 + 32 + 165


def vgg_layers(filters1=8, kernel1=3, strides1=1, padding2="valid", act2="relu",
               units=32, rate=0.3, skip=None, extra_after=None):
    """The SPEC architecture as a list of fresh layers, with one thing changed if asked."""
    out = [L.Conv2D(filters1, kernel1, strides=strides1, padding="same", activation="relu"),
           L.Conv2D(8, 3, padding=padding2, activation=act2),
           L.MaxPooling2D(2),
           L.Conv2D(16, 3, padding="same"),
           L.BatchNormalization(),
           L.Activation("relu"),
           L.AveragePooling2D(2),
           L.Flatten(),
           L.Dense(units),
           L.ReLU(),
           L.Dropout(rate),
           L.Dense(5),
           L.Softmax()]
    if extra_after is not None:
        out.insert(extra_after + 1, L.Dropout(0.1))
    return [lay for i, lay in enumerate(out) if i != skip]


def sequential(**kw):
    return keras.Sequential([keras.Input(SHAPE)] + vgg_layers(**kw))


def functional():
    inputs = keras.Input(SHAPE)
    x = inputs
    for layer in vgg_layers():
        x = layer(x)
    return keras.Model(inputs, x)


class Subclassed(keras.Model):
    """Same net; attributes are deliberately assigned in a different order from the calls."""

    def __init__(self):
        super().__init__()
        self.out_softmax = L.Softmax()
        self.head = L.Dense(5)
        self.drop = L.Dropout(0.3)
        self.flat = L.Flatten()
        self.conv3 = L.Conv2D(16, 3, padding="same")
        self.hidden = L.Dense(32)
        self.hidden_relu = L.ReLU()
        self.pool2 = L.AveragePooling2D(2)
        self.bn = L.BatchNormalization()
        self.conv2 = L.Conv2D(8, 3, activation="relu")
        self.act = L.Activation("relu")
        self.pool1 = L.MaxPooling2D(2)
        self.conv1 = L.Conv2D(8, 3, padding="same", activation="relu")

    def call(self, x, training=False):
        x = self.pool1(self.conv2(self.conv1(x)))
        x = self.act(self.bn(self.conv3(x), training=training))
        x = self.flat(self.pool2(x))
        x = self.drop(self.hidden_relu(self.hidden(x)), training=training)
        return self.out_softmax(self.head(x))


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)


def _signature(layers):
    keys = ("kind", "filters", "units", "kernel", "strides", "pool", "padding",
            "activation", "rate", "output_shape", "params", "trainable_params")
    return [{k: d[k] for k in keys if k in d} for d in layers]


def _mismatch(model, spec=SPEC, **kw):
    with pytest.raises(ArchitectureMismatch) as info:
        check_architecture(model, spec, **kw)
    return str(info.value)


def _assert_unwrapped(model):
    for layer in model._flatten_layers(include_self=True):
        assert "call" not in layer.__dict__, layer.name


# --- model_layers -------------------------------------------------------------------------


def test_three_styles_give_the_same_layers_in_call_order():
    sub = Subclassed()
    sub(np.zeros((1,) + SHAPE, "float32"))  # built, but has no symbolic inputs
    results = [model_layers(sequential()), model_layers(functional()),
               model_layers(sub, input_shape=SHAPE)]
    assert [d["kind"] for d in results[2]] == [s["kind"] for s in SPEC]
    assert _signature(results[0]) == _signature(results[1]) == _signature(results[2])
    assert results[2][0]["name"] == "conv2d" or results[2][0]["kind"] == "Conv2D"
    assert all("call" not in lay.__dict__ for lay in sub.layers)


def test_layer_fields():
    found = model_layers(sequential())
    conv, pool, bn, act, dense, relu, drop, soft = (found[i] for i in (0, 2, 4, 5, 8, 9, 10, 12))
    assert conv["kernel"] == (3, 3) and conv["strides"] == (1, 1) and conv["padding"] == "same"
    assert conv["filters"] == 8 and conv["activation"] == "relu" and conv["params"] == 224
    assert conv["output_shape"] == (None, 16, 16, 8)
    assert pool["pool"] == (2, 2) and pool["params"] == 0
    assert bn["params"] == 64 and bn["trainable_params"] == 32
    assert act["activation"] == "relu" and relu["activation"] == "relu"
    assert dense["units"] == 32 and dense["activation"] == "linear"
    assert drop["rate"] == pytest.approx(0.3) and soft["activation"] == "softmax"
    assert "InputLayer" not in [d["kind"] for d in found]
    table = format_layers(found)
    assert "Conv2D" in table and "(None, 16, 16, 8)" in table and "Softmax" in table
    assert f"{TOTAL:,}" in table


def test_unbuilt_subclassed_model_needs_and_uses_input_shape():
    sub = Subclassed()
    with pytest.raises(ValueError, match="input_shape"):
        model_layers(sub)
    found = model_layers(sub, input_shape=SHAPE)
    assert [d["output_shape"] for d in found][-1] == (None, 5)
    check_architecture(Subclassed(), SPEC, input_shape=(None,) + SHAPE, total_params=TOTAL)


def test_sequential_without_input_and_bad_spec():
    model = keras.Sequential(vgg_layers())
    with pytest.raises(ValueError, match="input_shape"):
        model_layers(model)
    check_architecture(model, SPEC, input_shape=SHAPE, total_params=TOTAL)
    assert len(model_layers(model)) == len(SPEC)  # now built: its input shape is known
    with pytest.raises(ValueError, match="allowed keys"):
        check_architecture(model, [{"kind": "Conv2D", "filter": 8}])
    with pytest.raises(ValueError, match="'kind' is required"):
        check_architecture(model, [{"filters": 8}])


def test_nested_sequential_and_custom_block_are_flattened():
    class Block(L.Layer):  # a custom layer with sublayers is flattened too
        def __init__(self, **kw):
            super().__init__(**kw)
            self.conv = L.Conv2D(4, 3, padding="same", activation="relu")
            self.pool = L.MaxPooling2D()

        def call(self, x):
            return self.pool(self.conv(x))

    inner = keras.Sequential([L.Conv2D(8, 3, activation="relu"), L.MaxPooling2D()], name="inner_block")
    inputs = keras.Input((12, 12, 1))
    x = Block()(inner(inputs))
    outputs = L.Dense(3, activation="softmax")(L.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, outputs)
    found = model_layers(model)
    assert [d["kind"] for d in found] == ["Conv2D", "MaxPooling2D", "Conv2D",
                                         "MaxPooling2D", "GlobalAveragePooling2D", "Dense"]
    assert [d["output_shape"] for d in found] == [(None, 10, 10, 8), (None, 5, 5, 8),
                                                (None, 5, 5, 4), (None, 2, 2, 4),
                                                (None, 4), (None, 3)]
    check_architecture(model, [{"kind": "Conv2D", "filters": 8}, {"kind": "MaxPool2D"},
                               {"kind": "Conv2D", "filters": 4}, {"kind": "MaxPooling2D"},
                               {"kind": "GlobalAveragePooling2D"},
                               {"kind": "Dense", "units": 3, "activation": "softmax"}])


def test_shared_layer_appears_once_per_call_and_custom_layer_is_generic():
    class Scale(L.Layer):
        def call(self, x):
            warnings.warn("noisy custom layer")  # must not leak out of the checker
            return x * 2.0

    dense = L.Dense(4, activation="relu")
    inputs = keras.Input((4,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the symbolic call while building the model warns
        model = keras.Model(inputs, dense(Scale()(dense(inputs))))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = model_layers(model)
    assert [d["kind"] for d in found] == ["Dense", "Scale", "Dense"]
    assert found[0]["name"] == found[2]["name"]
    assert set(found[1]) == {"name", "kind", "output_shape", "params", "trainable_params"}


# --- check_architecture -------------------------------------------------------------------


@pytest.mark.parametrize("build", [sequential, functional])
def test_correct_model_passes_silently(build, capfd):
    model = build()
    capfd.readouterr()
    check_architecture(model, SPEC, total_params=TOTAL)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_unbuilt_subclassed_check_writes_nothing_to_stderr(capfd):
    model = Subclassed()
    capfd.readouterr()
    check_architecture(model, SPEC, input_shape=SHAPE, total_params=TOTAL)
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("kw, words", [
    (dict(filters1=12), ["Layer 1", "expected 8 filters, found 12", "Conv2D"]),
    (dict(kernel1=5), ["Layer 1", "expected kernel size (3, 3), found (5, 5)"]),
    (dict(strides1=2), ["Layer 1", "expected strides (1, 1), found (2, 2)"]),
    (dict(act2="tanh"), ["Layer 2", "expected activation 'relu', found 'tanh'"]),
    (dict(units=64), ["Layer 9", "expected 32 units, found 64"]),
    (dict(rate=0.5), ["Layer 11", "expected dropout rate 0.3, found 0.5"]),
])
def test_attribute_mismatches(kw, words):
    msg = _mismatch(sequential(**kw))
    for w in words:
        assert w in msg, msg
    assert "expected" in msg.splitlines()[2] and ">> " in msg  # side-by-side summary


def test_padding_mismatch_reports_output_shape():
    msg = _mismatch(sequential(padding2="same"))
    assert "Layer 2" in msg
    assert "expected output shape (None, 14, 14, 8), found (None, 16, 16, 8)" in msg, msg
    assert "padding='valid'" in msg
    spec = [dict(s) for s in SPEC]
    spec[1]["padding"] = "valid"
    msg = _mismatch(sequential(padding2="same"), spec)
    assert "expected padding='valid', found padding='same'" in msg, msg


def test_wrong_kind():
    spec = [dict(s) for s in SPEC]
    spec[2] = {"kind": "AveragePooling2D", "pool": 2}
    msg = _mismatch(sequential(), spec)
    assert "Layer 3: expected an AveragePooling2D, found a MaxPooling2D" in msg, msg


def test_missing_layer_in_the_middle_and_at_the_end():
    msg = _mismatch(sequential(skip=2))  # no MaxPooling2D
    assert "Layer 3: expected a MaxPooling2D, found a Conv2D" in msg, msg
    assert "missing" in msg
    msg = _mismatch(sequential(skip=12))  # no final Softmax
    assert "Your model has 12 layers, expected 13" in msg, msg
    assert "first missing one (layer 13) is a Softmax(activation='softmax')" in msg


def test_extra_layer():
    msg = _mismatch(sequential(extra_after=12))
    assert "Your model has 14 layers, expected 13" in msg and "is extra" in msg, msg
    assert "a Dropout" in msg
    msg = _mismatch(sequential(extra_after=8))  # Dropout before the ReLU layer
    assert "Layer 10: expected a ReLU, found a Dropout" in msg and "extra layer" in msg, msg


def test_total_params_mismatch():
    msg = _mismatch(sequential(), total_params=TOTAL + 10)
    assert f"{TOTAL:,}" in msg and f"{TOTAL + 10:,}" in msg and "10 too few" in msg, msg


def test_params_mismatch_in_spec():
    spec = [dict(s) for s in SPEC]
    spec[0]["params"] = 100
    msg = _mismatch(sequential(), spec)
    assert "expected 100 parameters, found 224" in msg, msg


def test_model_whose_call_raises():
    class Broken(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(3)

        def call(self, x):
            x = self.dense(x)
            raise ValueError("student bug in call")

    model = Broken()
    msg = _mismatch(model, [{"kind": "Dense"}], input_shape=(4,))
    assert "could not run on an input of shape (None, 4)" in msg, msg
    assert "ValueError" in msg and "student bug in call" in msg and "\x1b" not in msg
    _assert_unwrapped(model)


def test_wrong_input_shape_is_reported():
    model = sequential()
    msg = _mismatch(model, input_shape=(28, 28, 1))
    assert "could not run on an input of shape (None, 28, 28, 1)" in msg, msg
    _assert_unwrapped(model)


@pytest.mark.parametrize("build", [functional, Subclassed])
def test_model_unchanged_and_trainable_after_check(build):
    model = build()
    x = np.random.RandomState(0).rand(8, *SHAPE).astype("float32")
    y = np.arange(8) % 5
    before = model.predict(x, verbose=0)
    weights = [w.copy() for w in model.get_weights()]
    check_architecture(model, SPEC, input_shape=SHAPE, total_params=TOTAL)
    _assert_unwrapped(model)
    after = [w for w in model.get_weights()]
    assert all(np.array_equal(a, b) for a, b in zip(weights, after))
    np.testing.assert_array_equal(model.predict(x, verbose=0), before)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))
    assert model_layers(model, SHAPE)[0]["params"] == 224


def test_a_subclass_is_its_keras_layer_and_activations_are_named_by_what_they_are():
    """As the judge sees them: a student's subclass of Conv2D is a Conv2D; tf.nn.relu, a ReLU() object
    and "relu" are one activation; tf.nn.softmax (``softmax_v2``) is softmax; a layer of the student's
    own with sublayers is looked into."""
    import tensorflow as tf

    from coursekit.notebook.archcheck import model_layers

    class MyConv(L.Conv2D):
        pass

    class Block(L.Layer):
        def __init__(self):
            super().__init__()
            self.conv = L.Conv2D(4, 3, padding="same", activation=L.ReLU())

        def call(self, x):
            return self.conv(x)

    model = keras.Sequential([keras.Input((8, 8, 1)), MyConv(2, 3, activation=tf.nn.relu), Block(), L.Flatten(),
                              L.Dense(3, activation=tf.nn.softmax)])
    found = [(d["kind"], d.get("activation")) for d in model_layers(model)]
    assert found == [("Conv2D", "relu"), ("Conv2D", "relu"), ("Flatten", None), ("Dense", "softmax")], found


def test_the_grading_process_does_not_import_tensorflow():
    """The judges compare layer lists in the grading process: importing them, and archcheck's comparison,
    must not import TensorFlow (seconds per graded submission)."""
    import subprocess
    import sys

    code = ("import sys\n"
            "import coursekit.grading.preprocessors\n"
            "import importlib\n"
            "for n in range(1, 6): importlib.import_module(f'coursekit.grading.judge.l0{n}')\n"
            "from coursekit.notebook.archcheck import compare_architecture\n"
            "spec = [{'kind': 'Dense', 'units': 2}]\n"
            "compare_architecture(spec, [{'kind': 'Dense', 'units': 2, 'name': 'd'}])\n"
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


def _model_probe():
    """judge/probes.py's MODEL_PROBE as a question runs it: inside a function, with _np bound."""
    import textwrap

    from coursekit.grading.judge.probes import MODEL_PROBE

    scope = {}
    exec("def _question(_np):\n" + textwrap.indent(MODEL_PROBE, "    ") + "\n    return locals()\n", scope)
    return scope["_question"](np)


def test_the_judges_model_probe_finds_the_layers_archcheck_finds():
    """The judges' kernel-side probe opens what archcheck opens: a Model, and a layer of one's own that holds
    layers; a subclass of a Keras layer is that layer (a leaf) even when it holds a sublayer, and so is a
    Conv2D whose activation is a ReLU layer. Calls in order, eager ones only; weighted layers once each."""
    from coursekit.notebook.archcheck import leaf_layers

    class ConvBN(L.Conv2D):  # a Conv2D holding a BatchNormalization: one leaf, as archcheck counts it
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            self.bn = L.BatchNormalization()

        def call(self, x):
            return self.bn(super().call(x))

    class Block(L.Layer):
        def __init__(self):
            super().__init__()
            self.conv = L.Conv2D(4, 3, padding="same", activation=L.ReLU())
            self.pool = L.MaxPooling2D()

        def call(self, x):
            return self.pool(self.conv(x))

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.inner = keras.Sequential([ConvBN(3, 3, padding="same"), L.ReLU()])
            self.block, self.flat, self.dense = Block(), L.Flatten(), L.Dense(4)

        def call(self, x):
            return self.dense(self.flat(self.block(self.inner(x))))

    probe, model = _model_probe(), Net()
    leaves = probe["leaves"](model)
    assert [type(layer) for layer in leaves] == [type(layer) for layer in leaf_layers(model)]
    assert [type(layer).__name__ for layer in leaves] == ["ConvBN", "ReLU", "Conv2D", "MaxPooling2D", "Flatten",
                                                          "Dense"]
    assert probe["builtin"](leaves[0]) and probe["keras_base"](leaves[0]) is L.Conv2D
    assert probe["keras_base"](Block()) is None
    calls = probe["record_calls"](model, np.zeros((2, 8, 8, 1), "float32"))  # unbuilt: the eager calls only
    assert [layer for layer, _, _ in calls] == leaves
    assert all(eager for _, _, eager in calls) and tuple(calls[-1][1].shape) == (2, 4)
    assert "call" not in vars(leaves[0])  # the wrappers are gone
    assert [type(layer).__name__ for layer in probe["weighted"](calls)] == ["ConvBN", "Conv2D", "Dense"]
    assert [d["kind"] for d in model_layers(model, (8, 8, 1))] == ["Conv2D", "ReLU", "Conv2D", "MaxPooling2D",
                                                                   "Flatten", "Dense"]
