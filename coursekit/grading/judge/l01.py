"""Judges of lesson 01 (a reduced VGG-16 on MNIST): every graded test cell, visible and hidden.

Visible judges ask what the notebook's visible cell tries and say what it says (the student saw
those checks pass or fail in the notebook); where the visible cell believes what the student's
objects say about themselves (a parameter count, a loss the model reports), the judge measures it
instead. Hidden judges draw fresh inputs for every submission.
"""
from __future__ import annotations

import math

import numpy as np

from coursekit.grading.judge import need, registry
from coursekit.grading.judge import reference as ref
from coursekit.grading.judge.probes import MODEL_PROBE
from coursekit.notebook.archcheck import compare_architecture
from coursekit.notebook.checks import CheckFailed, expect, expect_close, expect_dtype, expect_shape
from coursekit.notebook.i18n import course_text

cell = registry()
JUDGES = cell.JUDGES


def _rng():
    return np.random.default_rng()  # fresh entropy: hidden inputs differ for every submission


# ---- prepare_images ----------------------------------------------------------------------------

PREPARE = """
out = prepare_images(IN["images"])
OUT["types"] = [c.__module__ + "." + c.__qualname__ for c in type(out).__mro__]
OUT["out"] = out
"""


def _numpy_array(answer):
    """The returned object's classes (data from the kernel) must include NumPy's ndarray: the lesson
    asks for a NumPy array, and a tf.Tensor fails later (``x_test[wrong]`` raises a TypeError)."""
    types = need(answer, "types")
    types = [str(t) for t in types] if isinstance(types, list) else [str(types)]
    kind = (types[0].rsplit(".", 1)[-1] if types else course_text("nothing"))[:80]
    expect("numpy.ndarray" in types, f"prepare_images must return a NumPy array, found {kind}. Turn a tf.Tensor "
           "into one with .numpy(): the cells below index the images with NumPy arrays, which a tensor does not accept.")


@cell("prepare_images_visible")
def prepare_images_visible(k):
    imgs = (np.arange(2 * 28 * 28) % 256).astype(np.uint8).reshape(2, 28, 28)
    a = k.ask(PREPARE, images=imgs)
    _numpy_array(a)
    out = need(a, "out")
    expect_shape(out, (2, 28, 28, 1), "prepare_images(images of shape (2, 28, 28))")
    expect_dtype(out, "float32", "prepare_images(...)")
    expect_close(np.asarray(out)[..., 0], imgs / 255.0, "prepare_images(...) pixel values (should be images / 255)")
    return "prepare_images: a NumPy array, and its shape, dtype and values are right."


@cell("prepare_images_hidden")
def prepare_images_hidden(k):
    rng = _rng()
    shape = (int(rng.integers(3, 7)), int(rng.integers(5, 13)), int(rng.integers(13, 20)))
    imgs = rng.integers(0, 256, size=shape).astype(np.uint8)
    imgs.flat[:2] = (0, 255)
    a = k.ask(PREPARE, images=imgs)
    _numpy_array(a)
    out = need(a, "out")
    expect_shape(out, shape + (1,), f"prepare_images(images of shape {shape})")
    expect_dtype(out, "float32", "prepare_images(...)")
    expect_close(out[..., 0], imgs / 255.0, "prepare_images(...) on other images")
    expect(float(out.max()) <= 1.0 and float(out.min()) >= 0.0, "prepare_images: values must lie in [0, 1].")
    dark = rng.integers(20, int(rng.integers(60, 200)), size=(2, 6, 5)).astype(np.uint8)  # no 0, no 255
    out = need(k.ask(PREPARE, images=dark), "out")
    expect_close(np.asarray(out)[..., 0], dark / 255.0, "prepare_images(...) on dark images (brightest pixel below 200): "
                 "pixel values should be images / 255, whatever the brightest pixel")
    return "prepare_images: right on other images."


# ---- make_datasets -----------------------------------------------------------------------------

DATASETS_VISIBLE = """
import tensorflow as tf
train, test = make_datasets(IN["x"], IN["y"], IN["x"][:30], IN["y"][:30], batch_size=16)
OUT["datasets"] = [isinstance(train, tf.data.Dataset) and isinstance(test, tf.data.Dataset),
                   type(train).__name__, type(test).__name__]
batches = list(train.as_numpy_iterator())
OUT["n_train"] = len(batches)
OUT["first_x"] = list(_np.shape(batches[0][0]))
OUT["first_y"] = list(_np.shape(batches[0][1]))
OUT["n_test"] = len(list(test))
"""


@cell("make_datasets_visible")
def make_datasets_visible(k):
    xs = np.random.default_rng(0).random((100, 28, 28, 1)).astype("float32")
    ys = (np.arange(100) % 10).astype("uint8")
    a = k.ask(DATASETS_VISIBLE, x=xs, y=ys)
    ok, train_type, test_type = need(a, "datasets")
    expect(ok is True, f"make_datasets must return two tf.data.Dataset objects, found {train_type} and {test_type}.")
    n = need(a, "n_train")
    expect(n == 7, f"100 training images in batches of 16 make 7 batches (the last has 4); found {n}.")
    expect_shape(np.empty(need(a, "first_x")), (16, 28, 28, 1), "the first training batch of images")
    expect_shape(np.empty(need(a, "first_y")), (16,), "the first training batch of labels")
    n = need(a, "n_test")
    expect(n == 2, f"30 test images in batches of 16 make 2 batches; found {n}.")
    return "make_datasets: two datasets with the right batches."


DATASETS_HIDDEN = """
train, test = make_datasets(IN["x"], IN["y"], IN["x"][:50], IN["y"][:50], batch_size=IN["batch"],
                            shuffle_buffer=IN["buffer"], seed=IN["seed"])
batches = [list(train.as_numpy_iterator()) for _ in range(2)]
epochs = [[_np.asarray(b[1]) for b in e] for e in batches]
OUT["images"] = _np.concatenate([_np.asarray(b[0]).reshape(len(b[0]), -1)[:, 0] for b in batches[0]])
OUT["sizes"] = [len(b) for b in epochs[0]]
OUT["epoch1"] = _np.concatenate(epochs[0])
OUT["epoch2"] = _np.concatenate(epochs[1])
tests = [_np.asarray(b[1]) for b in test.as_numpy_iterator()]
OUT["test"] = _np.concatenate(tests)
OUT["n_test"] = len(tests)
OUT["pair"] = len(next(iter(train)))
def order(buffer, seed):
    ds = make_datasets(IN["x"], IN["y"], IN["x"][:50], IN["y"][:50], batch_size=IN["batch"],
                       shuffle_buffer=buffer, seed=seed)[0]
    return _np.concatenate([_np.asarray(b[1]) for b in ds.as_numpy_iterator()])
OUT["same_seed"] = [order(IN["buffer"], IN["seed2"]), order(IN["buffer"], IN["seed2"])]
"""


@cell("make_datasets_hidden")
def make_datasets_hidden(k):
    rng = _rng()
    n, batch = 200, int(rng.integers(6, 11))
    labels = np.sort(rng.choice(100_000, size=n, replace=False)).astype("int64")
    a = k.ask(DATASETS_HIDDEN, x=labels.astype("float32").reshape(n, 1, 1, 1), y=labels, batch=batch,
              buffer=n, seed=int(rng.integers(0, 2 ** 31 - 1)), seed2=int(rng.integers(0, 2 ** 31 - 1)))
    epoch1, epoch2 = need(a, "epoch1"), need(a, "epoch2")
    expect(sorted(epoch1.tolist()) == labels.tolist(), "train_ds must hold every training example exactly once per epoch.")
    expect(not np.array_equal(epoch1, labels), "train_ds is not shuffled: the examples come out in their original order.")
    expect(not np.array_equal(epoch1, epoch2),
           "train_ds gives the same order every epoch: shuffle before batching (and do not cache after shuffling).")
    sizes = [int(s) for s in need(a, "sizes")]
    blocks = np.split(epoch1, np.cumsum(sizes)[:-1])
    position = {int(v): i for i, v in enumerate(labels)}
    whole = [len(b) > 0 and position[int(b[0])] % batch == 0
             and np.array_equal(b, labels[position[int(b[0])]:position[int(b[0])] + len(b)]) for b in blocks]
    expect(not all(whole),
           "train_ds shuffles whole batches, not examples: every batch holds the same consecutive examples each epoch. "
           "Shuffle *before* batching: .shuffle(...).batch(...), not .batch(...).shuffle(...).")
    expect(all(s <= batch for s in sizes), "train_ds batches must hold at most batch_size examples.")
    expect(np.array_equal(need(a, "test"), labels[:50]), "test_ds must keep the test examples in their original order (no shuffle).")
    want = math.ceil(50 / batch)
    expect(need(a, "n_test") == want, f"test_ds must be batched with batch_size (50 examples -> {want} batches of {batch}).")
    expect(need(a, "pair") == 2, "each element of train_ds must be an (images, labels) pair.")
    expect(np.array_equal(need(a, "images"), epoch1.astype("float32")),
           "train_ds must keep each image with its own label: shuffle the (image, label) pairs together, "
           "not the images and the labels apart.")
    first, second = need(a, "same_seed")
    expect(np.array_equal(first, second), "make_datasets(..., seed=s) twice must give train_ds the same order: "
           "pass seed to shuffle.")
    reach = max(position[int(v)] for v in blocks[0])
    expect(reach >= 3 * batch, f"train_ds shuffles with too small a buffer: with shuffle_buffer={n} its first batch "
           f"holds only examples from the first {reach + 1} of {n}. Shuffle with a buffer of shuffle_buffer examples.")
    return "make_datasets: right on other data."


# ---- MyModel -----------------------------------------------------------------------------------

MNIST_VGG_SPEC = [
    dict(kind="Conv2D", filters=32, kernel=3, strides=1, padding="same", activation="relu", output_shape=(None, 28, 28, 32), params=320),
    dict(kind="Conv2D", filters=32, kernel=3, strides=1, padding="same", activation="relu", output_shape=(None, 28, 28, 32), params=9248),
    dict(kind="MaxPooling2D", pool=2, output_shape=(None, 14, 14, 32)),
    dict(kind="Conv2D", filters=64, kernel=3, strides=1, padding="same", activation="relu", output_shape=(None, 14, 14, 64), params=18496),
    dict(kind="Conv2D", filters=64, kernel=3, strides=1, padding="same", activation="relu", output_shape=(None, 14, 14, 64), params=36928),
    dict(kind="MaxPooling2D", pool=2, output_shape=(None, 7, 7, 64)),
    dict(kind="Flatten", output_shape=(None, 3136)),
    dict(kind="Dense", units=128, activation="relu", output_shape=(None, 128), params=401536),
    dict(kind="Dense", units=10, activation="softmax", output_shape=(None, 10), params=1290),
]
TOTAL_PARAMS = 467_818
# Weight shapes of the layers that hold weights, in the order the forward pass calls them.
WEIGHT_SHAPES = [[[3, 3, 1, 32], [32]], [[3, 3, 32, 32], [32]], [[3, 3, 32, 64], [64]], [[3, 3, 64, 64], [64]],
                 [[3136, 128], [128]], [[128, 10], [10]]]

ARCHITECTURE = """
m = MyModel()
OUT["layers"] = model_layers(m, (28, 28, 1))
OUT["count"] = int(m.count_params())
"""

# Builds MyModel, finds the layers that hold weights in the order call() uses them, sets the
# judge's weights on them (drawn from a seed), and returns the model's outputs on the judge's images.
BEHAVIOUR = ref.DRAW_WEIGHTS_SOURCE + MODEL_PROBE + """
OUT["subclass"] = bool(isinstance(MyModel, type) and issubclass(MyModel, keras.Model)
                       and MyModel not in (keras.Sequential, keras.Model))
m = MyModel()
order = weighted(record_calls(m, _np.zeros((1,) + tuple(IN["x"].shape[1:]), "float32"), training=None))
OUT["shapes"] = [[list(w.shape) for w in layer.weights] for layer in order]
if OUT["shapes"] == IN["shapes"]:
    for layer, ws in zip(order, draw_weights(IN["seed"], IN["shapes"])):
        layer.set_weights(ws)
    OUT["p"] = _np.asarray(m(IN["x"], training=False))
    OUT["p_training"] = _np.asarray(m(IN["x"][:3], training=True))
    kernel, bias = order[-1].get_weights()
    order[-1].set_weights([_np.zeros_like(kernel), 20.0 * _np.eye(len(bias), dtype="float32")[IN["sure"]]])
    OUT["p_sure"] = _np.asarray(m(_np.zeros((2,) + tuple(IN["x"].shape[1:]), "float32")))
"""


def vgg_forward(x, weights):
    (k1, b1), (k2, b2), (k3, b3), (k4, b4), (k5, b5), (k6, b6) = weights
    h = ref.maxpool2(ref.relu(ref.conv2d_same(ref.relu(ref.conv2d_same(x, k1, b1)), k2, b2)))
    h = ref.maxpool2(ref.relu(ref.conv2d_same(ref.relu(ref.conv2d_same(h, k3, b3)), k4, b4)))
    h = ref.relu(h.reshape(len(h), -1) @ k5 + b5)
    return ref.softmax(h @ k6 + b6)


def _behaviour(k, rng, n):
    """Ask for MyModel's outputs with the judge's weights; compare them with the reference VGG."""
    seed, sure = int(rng.integers(0, 2 ** 31 - 1)), int(rng.integers(0, 10))
    x = rng.random((n, 28, 28, 1)).astype("float32")
    a = k.ask(BEHAVIOUR, x=x, seed=seed, shapes=WEIGHT_SHAPES, sure=sure)
    shapes = need(a, "shapes")
    expect(shapes == WEIGHT_SHAPES,
           "MyModel's layers with weights, in the order call() uses them, should have the weight shapes "
           f"{WEIGHT_SHAPES}; found {shapes}.")
    p = need(a, "p")
    expect_shape(p, (n, 10), f"MyModel()(a batch of {n} images)")
    expected = vgg_forward(x, ref.draw_weights(seed, WEIGHT_SHAPES))
    if not np.allclose(p, expected, atol=1e-4, rtol=1e-3):
        worst = float(np.abs(p - expected).max())
        rows = np.abs(p.sum(axis=1) - 1).max()
        hint = (course_text("its rows do not sum to 1: the last layer needs softmax") if rows > 1e-3 else
                course_text("the softmax should be applied once, by the last Dense layer")
                if p.max() - p.min() < 0.5 * (expected.max() - expected.min())
                else course_text("check each layer's activation and padding, and the order of the layers in call()"))
        raise CheckFailed(f"MyModel's output with the grader's weights on the grader's images differs from the reduced "
                          f"VGG-16's (by up to {worst:.3g}): {hint}.")
    return a


def _tuples(value):
    """JSON gives lists where the model's report had tuples (shapes, kernel sizes)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


@cell("my_model_visible")
def my_model_visible(k):
    a = k.ask(ARCHITECTURE)
    found = need(a, "layers")
    expect(isinstance(found, list) and all(isinstance(d, dict) and "kind" in d and "name" in d for d in found),
           "MyModel: the grader could not read your model's layers.")
    compare_architecture(MNIST_VGG_SPEC, [{key: _tuples(v) for key, v in d.items()} for d in found],
                         TOTAL_PARAMS, need(a, "count"))
    _behaviour(k, _rng(), 4)
    return "MyModel: every layer matches the reduced VGG-16."


@cell("my_model_hidden")
def my_model_hidden(k):
    rng = _rng()
    a = _behaviour(k, rng, 5)
    expect(need(a, "subclass") is True, "MyModel must be a class that subclasses keras.Model (the subclassing API).")
    expect_shape(need(a, "p_training"), (3, 10), "MyModel()(a batch of 3 images, training=True)")
    p_sure = need(a, "p_sure")
    sure = int(np.argmax(p_sure[0])) if p_sure.ndim == 2 else -1
    low = float(p_sure.max(axis=1).min()) if p_sure.ndim == 2 else 0.0
    expect(low > 0.99 and sure == int(np.argmax(p_sure[-1])),
           "MyModel's output must be the softmax of the last Dense layer, applied once: with that layer sure "
           f"of one class the model gives it probability {low:.3f}, not ~1. Softmax applied twice flattens the "
           "probabilities (at most 0.23 for any class).")
    return "MyModel: subclasses keras.Model and computes the reduced VGG-16."


# ---- train_step / test_step --------------------------------------------------------------------

TRAIN_STEP = """
import keras
import tensorflow as tf
from keras import layers
def small(kernel, bias):
    m = keras.Sequential([keras.Input(tuple(IN["x"].shape[1:])), layers.Flatten(), layers.Dense(len(bias), activation="softmax")])
    m.set_weights([kernel, bias])
    return m
loss = keras.losses.SparseCategoricalCrossentropy()
m = small(IN["kernel"], IN["bias"])
tl, ta = keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy()
step = make_train_step(m, loss, keras.optimizers.SGD(IN["lr"]), tl, ta)
OUT["tf_function"] = hasattr(step, "get_concrete_function")
for _ in range(IN["steps"]):
    step(IN["x"], IN["y"])
OUT["kernel"], OUT["bias"] = [_np.asarray(w) for w in m.get_weights()]
OUT["train_loss"], OUT["count"] = float(tl.result()), float(ta.count)
OUT["train_accuracy"] = float(ta.result())
if IN["scaled"]:
    m2 = small(IN["kernel"], IN["bias"])
    tl2 = keras.metrics.Mean()
    make_train_step(m2, loss, keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(IN["lr"])), tl2,
                    keras.metrics.SparseCategoricalAccuracy())(IN["x"], IN["y"])
    OUT["scaled_kernel"], OUT["scaled_bias"] = [_np.asarray(w) for w in m2.get_weights()]
    OUT["scaled_train_loss"] = float(tl2.result())
"""


def _small_problem(rng, shape, classes, n):
    x = rng.random((n,) + shape).astype("float32")
    y = (np.arange(n) % classes).astype("int64")
    rng.shuffle(y)
    kernel = (rng.standard_normal((int(np.prod(shape)), classes)) * 0.5).astype("float32")
    bias = (rng.standard_normal(classes) * 0.1).astype("float32")
    return x, y, kernel, bias


def _sgd(x, y, kernel, bias, lr, steps):
    k, b = kernel.astype(np.float64), bias.astype(np.float64)
    for _ in range(steps):
        k, b, _, _ = ref.softmax_dense_sgd_step(x, y, k, b, lr)
    return k, b


def _loss(x, y, kernel, bias):
    return ref.sparse_ce(y, ref.softmax(x.reshape(len(x), -1) @ kernel + bias))


@cell("train_step_visible")
def train_step_visible(k):
    x, y, kernel, bias = _small_problem(np.random.default_rng(0), (4, 4, 1), 3, 12)
    a = k.ask(TRAIN_STEP, x=x, y=y, kernel=kernel, bias=bias, lr=0.5, steps=5, scaled=False)
    before, after = _loss(x, y, kernel, bias), _loss(x, y, need(a, "kernel"), need(a, "bias"))
    expect(after < before, f"5 train steps on one batch should lower its loss; it went from {before:.4f} to {after:.4f}.")
    expect(need(a, "train_loss") > 0, "train_step must update train_loss with the batch loss (it is still 0).")
    count = need(a, "count")
    expect(count == 60, f"train_step must update train_accuracy with each batch: after 5 batches of 12 it has counted {count:g} examples, expected 60.")
    want_k, want_b = _sgd(x, y, kernel, bias, 0.5, 5)
    expect_close(need(a, "kernel"), want_k, "the weights after 5 train steps (5 steps of gradient descent on the batch's loss)", atol=1e-4)
    return f"train_step: the loss fell from {before:.4f} to {after:.4f} in 5 steps."


@cell("train_step_hidden")
def train_step_hidden(k):
    rng = _rng()
    shape, classes = (int(rng.integers(2, 5)), int(rng.integers(2, 5)), 1), int(rng.integers(3, 6))
    x, y, kernel, bias = _small_problem(rng, shape, classes, int(rng.integers(8, 14)))
    lr = float(rng.choice([0.05, 0.1, 0.2]))
    a = k.ask(TRAIN_STEP, x=x, y=y, kernel=kernel, bias=bias, lr=lr, steps=1, scaled=True)
    expect(need(a, "tf_function") is True, "make_train_step must return a function decorated with @tf.function.")
    want_k, want_b, loss, accuracy = ref.softmax_dense_sgd_step(x, y, kernel.astype(np.float64), bias.astype(np.float64), lr)
    expect_close(need(a, "train_loss"), loss, "train_loss after one step (the loss of the batch before the update)", atol=1e-5)
    expect_close(need(a, "train_accuracy"), accuracy, "train_accuracy after one step", atol=1e-6)
    got_k, got_b = need(a, "kernel"), need(a, "bias")
    expect(not np.allclose(got_k, kernel) and not np.allclose(got_b, bias),
           "train_step must apply the gradients to every trainable variable.")
    expect_close(got_k, want_k, "the kernel after one train step (one step of gradient descent on the batch's loss)", atol=1e-5)
    expect_close(got_b, want_b, "the bias after one train step", atol=1e-5)
    for got, want in ((need(a, "scaled_kernel"), want_k), (need(a, "scaled_bias"), want_b)):
        expect_close(got, want, "the weights after one step with a LossScaleOptimizer (as under mixed "
                     "precision) should equal those after a plain step: take the gradients of optimizer.scale_loss(loss)",
                     atol=1e-5)
    expect_close(need(a, "scaled_train_loss"), loss, "train_loss after one step with a LossScaleOptimizer: update "
                 "train_loss with the loss itself, not with the scaled loss", atol=1e-4)
    return "train_step: one step of gradient descent, metrics updated, under loss scaling too."


TEST_STEP = """
import keras
from keras import layers
m = keras.Sequential([keras.Input(tuple(IN["x"].shape[2:])), layers.Flatten(), layers.Dense(len(IN["bias"]), activation="softmax")])
m.set_weights([IN["kernel"], IN["bias"]])
vl, va = keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy()
step = make_test_step(m, keras.losses.SparseCategoricalCrossentropy(), vl, va)
OUT["tf_function"] = hasattr(step, "get_concrete_function")
for batch in IN["x"]:
    step(batch, IN["y"])
OUT["kernel"], OUT["bias"] = [_np.asarray(w) for w in m.get_weights()]
OUT["test_loss"], OUT["test_accuracy"] = float(vl.result()), float(va.result())
"""


def _test_step(k, rng, shape, classes, n, batches, mixed=False):
    """Ask the kernel for test_step's metrics on ``batches`` batches of a small problem: (answer, kernel,
    bias, expected loss, expected accuracy). ``mixed``: a problem whose expected accuracy is neither 0
    nor 1, drawn again until it is (a random model got every image of the hidden check's batches wrong
    in 1.3 % of 3,000 draws, and then an accuracy metric that is never updated, still 0, would pass)."""
    for _ in range(100):
        x, y, kernel, bias = _small_problem(rng, shape, classes, n)
        xs = np.stack([x] + [rng.random(x.shape).astype("float32") for _ in range(batches - 1)])
        probs = [ref.softmax(b.reshape(n, -1).astype(np.float64) @ kernel + bias) for b in xs]
        accuracy = float(np.mean(np.concatenate([p.argmax(axis=1) == y for p in probs])))
        if not mixed or 0 < accuracy < 1:
            break
    a = k.ask(TEST_STEP, x=xs, y=y, kernel=kernel, bias=bias)
    return a, kernel, bias, float(np.mean([ref.sparse_ce(y, p) for p in probs])), accuracy


@cell("test_step_visible")
def test_step_visible(k):
    a, kernel, bias, loss, _ = _test_step(k, np.random.default_rng(0), (4, 4, 1), 3, 12, 1)
    same = np.array_equal(need(a, "kernel"), kernel) and np.array_equal(need(a, "bias"), bias)
    expect(same, "test_step must not change the model's weights.")
    expect_close(need(a, "test_loss"), loss, "test_loss after one test_step", atol=1e-5)
    return "test_step: metrics updated, weights untouched."


@cell("test_step_hidden")
def test_step_hidden(k):
    rng = _rng()
    classes = int(rng.integers(3, 6))
    a, kernel, bias, loss, accuracy = _test_step(k, rng, (2, int(rng.integers(2, 4)), 1), classes,
                                                 int(rng.integers(5, 9)), 2, mixed=True)
    expect(need(a, "tf_function") is True, "make_test_step must return a function decorated with @tf.function.")
    expect(np.array_equal(need(a, "kernel"), kernel) and np.array_equal(need(a, "bias"), bias),
           "test_step must not change the model's weights.")
    expect_close(need(a, "test_loss"), loss, "test_loss after two batches (their mean loss)", atol=1e-5)
    expect_close(need(a, "test_accuracy"), accuracy, "test_accuracy after two batches", atol=1e-6)
    return "test_step: metrics right over two batches."


# ---- run_epochs --------------------------------------------------------------------------------

# Fake steps that update the metrics with known values, so that each epoch's numbers are known.
RUN_EPOCHS = """
import keras
import tensorflow as tf
tl, ta = keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy()
vl, va = keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy()
n_train, n_test = IN["train_batches"], IN["test_batches"]
train = tf.data.Dataset.from_tensor_slices((_np.zeros((2 * n_train, 2), "float32"), _np.zeros(2 * n_train, "int64"))).batch(2)
test = tf.data.Dataset.from_tensor_slices((_np.zeros((n_test, 2), "float32"), _np.ones(n_test, "int64"))).batch(1)
calls = {"train": 0, "test": 0}
def fake_train_step(images, labels):
    calls["train"] += 1
    epoch = (calls["train"] - 1) // n_train
    step = (calls["train"] - 1) % n_train
    tl.update_state((IN["train_loss"][epoch] if epoch < len(IN["train_loss"]) else -1.0) + IN["jitter"][step % len(IN["jitter"])])
    ta.update_state(labels, tf.one_hot(labels if IN["always_right"] else labels * 0 + (calls["train"] % 2), 2))
def fake_test_step(images, labels):
    calls["test"] += 1
    epoch = (calls["test"] - 1) // n_test
    step = (calls["test"] - 1) % n_test
    vl.update_state((IN["test_loss"][epoch] if epoch < len(IN["test_loss"]) else -1.0) + IN["jitter"][step % len(IN["jitter"])])
    va.update_state(labels, tf.one_hot(labels * 0 + (epoch % 2), 2))
history = run_epochs(IN["epochs"], train, test, fake_train_step, fake_test_step, tl, ta, vl, va, verbose=False)
OUT["calls"] = dict(calls)
OUT["type"] = type(history).__name__
OUT["is_dict"] = isinstance(history, dict)
OUT["keys"] = sorted(str(key) for key in history) if isinstance(history, dict) else []
OUT["history"] = {key: [float(v) for v in history[key]] for key in OUT["keys"]}
OUT["floats"] = all(isinstance(v, float) for vs in history.values() for v in vs)
"""


def _run_epochs(k, epochs, train_batches, test_batches, train_loss, test_loss, always_right=False, jitter=(0.0,)):
    a = k.ask(RUN_EPOCHS, epochs=epochs, train_batches=train_batches, test_batches=test_batches,
              train_loss=train_loss, test_loss=test_loss, always_right=always_right, jitter=list(jitter))
    keys, history = need(a, "keys"), need(a, "history")
    expect(need(a, "is_dict") is True and set(keys) >= {"loss", "accuracy", "test_loss", "test_accuracy"},
           f"run_epochs must return a dict with keys loss, accuracy, test_loss, test_accuracy; found a "
           f"{need(a, 'type')} with keys {keys!r:.120}.")
    return a, history


@cell("run_epochs_visible")
def run_epochs_visible(k):
    a, h = _run_epochs(k, 2, 2, 2, [1.0, 3.0], [0.5, 0.5], always_right=True)
    expect(len(h["loss"]) == 2, f"2 epochs should give 2 loss values, found {len(h['loss'])}.")
    expect(abs(h["loss"][1] - 3.0) < 1e-6,
           f"epoch 2's loss should describe epoch 2 alone (3.0); found {h['loss'][1]:.4g}. "
           "Did you reset the metrics at the start of each epoch?")
    expect(abs(h["accuracy"][0] - 100.0) < 1e-4, f"accuracy must be in percent: expected 100.0, found {h['accuracy'][0]:.4g}.")
    return "run_epochs: metrics are reset every epoch."


@cell("run_epochs_hidden")
def run_epochs_hidden(k):
    rng = _rng()
    epochs, n_train, n_test = int(rng.integers(3, 5)), int(rng.integers(2, 5)), int(rng.integers(1, 4))
    train_loss = [round(float(v), 3) for v in rng.uniform(0.1, 5.0, epochs)]
    test_loss = [round(float(v), 3) for v in rng.uniform(0.1, 5.0, epochs)]
    while True:  # batch-to-batch differences, so that an epoch's mean is not any one batch's value
        jitter = [round(float(v), 3) for v in rng.uniform(-0.05, 0.05, 5)]
        means = [np.mean([jitter[i % 5] for i in range(n)]) for n in (n_train, n_test)]
        if all(abs(m - jitter[(n - 1) % 5]) > 0.005 for m, n in zip(means, (n_train, n_test)) if n > 1):
            break
    a, h = _run_epochs(k, epochs, n_train, n_test, train_loss, test_loss, jitter=jitter)
    calls = need(a, "calls")
    want = {"train": epochs * n_train, "test": epochs * n_test}
    expect(calls == want, f"{epochs} epochs of {n_train} train and {n_test} test batches: expected "
           f"{want['train']} and {want['test']} step calls, found {calls}.")
    last = [v + jitter[(n_train - 1) % 5] for v in train_loss]
    expect(n_train < 2 or not np.allclose(h["loss"], last, atol=1e-6),
           "per-epoch train loss is the loss of each epoch's last batch only: reset the metrics once, at the start "
           "of each epoch, not before every batch.")
    expect_close(h["loss"], [v + np.mean([jitter[i % 5] for i in range(n_train)]) for v in train_loss],
                 "per-epoch train loss")
    expect_close(h["test_loss"], [v + np.mean([jitter[i % 5] for i in range(n_test)]) for v in test_loss],
                 "per-epoch test loss")
    right = [100.0 * np.mean([(e * n_train + i + 1) % 2 == 0 for i in range(n_train)]) for e in range(epochs)]
    expect_close(h["accuracy"], right, "per-epoch train accuracy in percent")
    expect_close(h["test_accuracy"], [100.0 if e % 2 else 0.0 for e in range(epochs)], "per-epoch test accuracy in percent")
    expect(need(a, "floats") is True, "history values must be Python floats.")
    return "run_epochs: per-epoch numbers right."
