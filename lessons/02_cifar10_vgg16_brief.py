# %% [markdown]
# # Lesson 02 - "VGG16 brief" on CIFAR-10 with the functional API
#
# *Reproduces the post "VGG16 Code Implementation with Cifar-10 dataset" (2020), which shrinks VGG16 to
# about a million parameters for CIFAR-10's 32x32 colour images, builds it with the Keras functional API,
# uses dropout instead of batch normalisation, and splits the 10,000 test images into 5,000 for validation
# and 5,000 for a final test.*
#
# A full VGG16 has about 15 million parameters in its convolutions alone: far too many for ten classes of
# tiny images. The post keeps VGG's recipe - 3x3 convolutions with `padding="same"`, each block closed by a
# 2x2 max-pooling, channels growing 32 -> 64 -> 128 - but only one convolution per block, with dropout after
# each one.
#
# **You will:** split the test set into validation and test halves with slicing (no loops); build the exact
# model with the functional API (**1,147,466 parameters**); compile it with Adam and sparse categorical
# cross-entropy; configure `ReduceLROnPlateau` like the post; train in batches of 256; evaluate on the
# held-out half and draw the learning curves. Along the way you fix the one line of the post that no longer
# runs.
#
# **How to work:** run the Workload cell and the setup cell first (in Colab: *Runtime > Change runtime
# type > GPU*). Fill in every cell marked `# TODO` (delete the `raise NotImplementedError()` line), then
# run the check cell below it. The checks you see are only part of the grade: hidden tests try your code
# on other inputs. When you are done, follow the *Ready to hand in?* cell at the end (your last run before
# handing in may be in fast mode).
#
# **Time and workload.** *Full* mode trains like the post: 100 epochs on all 50,000 images, batches of 256.
# Estimated from the model's size (23 million floating-point operations per image, about 3.4 TFLOP per epoch
# of training): roughly **5-10 minutes on a Colab T4 GPU** and 40-60 minutes on a two-core CPU; without a
# GPU, full mode stops at the setup cell and says how to go on anyway. For scale, on a data-centre GPU (an
# NVIDIA H200) one epoch of this model's training steps, batch 256, float32, took 0.3 s with Keras 3 on its
# JAX backend (every step compiled by XLA) and 2.5 s on its PyTorch backend (eager, not compiled): the
# course's measurements of the same Keras model on random images; TensorFlow itself was not timed there.
# *Fast* mode (1,000 images, 2 epochs) runs in about a minute anywhere, with accuracies far below the real
# ones. Choose in the **Workload** cell just below, before the setup cell.
#
# **What full mode should print:** one line per epoch, and at the end a test accuracy on the held-out half of
# roughly **73-79 %** - an estimate, see *What to expect in full mode* at the end; the post shows its result
# only as screenshots, with no figure in its text.

# %% [setup]
from keras import layers  # the checks below rely on it, so it lives in this locked cell

MODE = course_setup(seed=42, full_cpu_time="about 40-60 minutes (an estimate)")
FAST = MODE == "fast"

# %% [markdown]
# ## Imports
# The post imports from both `tensorflow.keras` and the stand-alone `keras` package. In 2020 those were two
# different libraries, and mixing their layers in one model could fail in confusing ways. Since TensorFlow
# 2.16 both names lead to the same Keras 3, so we just `import keras`.

# %% [code]
import numpy as np
import tensorflow as tf
import keras
from keras import layers

# %% [markdown]
# ## 1. The data: CIFAR-10
# 60,000 colour images of 32x32 pixels in 10 classes: 50,000 for training and 10,000 for testing.
# `load_cifar10()` (from the setup cell) returns exactly what `keras.datasets.cifar10.load_data()` returns
# (it downloads the 170 MB archive the first time and reuses it while the runtime lasts). The labels have
# shape `(N, 1)`: one integer 0-9 per image, and `CIFAR10_CLASSES` gives their names.

# %% [code]
(x_train, y_train), (x_test, y_test) = load_cifar10()
print("train:", x_train.shape, x_train.dtype, "| labels:", y_train.shape, y_train.dtype)
print("test: ", x_test.shape, "| classes:", ", ".join(CIFAR10_CLASSES))

# %% [markdown]
# In fast mode we keep small subsets, so the whole notebook runs in about a minute on a CPU. In
# full mode you use everything, like the post.

# %% [code]
N_TRAIN, N_TEST = by_mode(fast=(1000, 1000), full=(len(x_train), len(x_test)))
x_train, y_train = x_train[:N_TRAIN], y_train[:N_TRAIN]
x_test, y_test = x_test[:N_TEST], y_test[:N_TEST]
print(f"Using {len(x_train)} training and {len(x_test)} test images.")

# %% [markdown]
# ## 2. Exercise: split the test set into validation and test - without loops
# The post wants a *validation* set to watch during training (and to drive the learning-rate schedule) and
# an untouched *test* set for the final score, so it cuts the 10,000 test images in two: the first 5,000
# become validation, the last 5,000 the new test set. It does so with two Python `for` loops that `append`
# one image at a time to lists, then converts the lists back to arrays.
#
# NumPy does the same with slicing, in one line, without copying image by image: `a[:n]` is the first `n`
# rows, `a[n:]` the rest. Write `split_validation(x_test, y_test, n_val=5000)` returning
# `((x_val, y_val), (x_rest, y_rest))`:
# - the first `n_val` examples (images *and* labels) are the validation set, the others the test set,
#   in their original order;
# - it works for any size of test set and for labels of shape `(N,)` or `(N, 1)`; every array keeps its
#   dtype and its shape after the first axis (labels of shape `(N, 1)` give `(n_val, 1)` and `(N - n_val, 1)`);
# - no Python loop over the examples: slices only;
# - when `n_val` is negative or larger than the test set, raise a `ValueError` (slicing would silently give
#   you fewer examples than you asked for).

# %% [answer] id=split_validation from=split_validation

# %% [tests] id=split_validation_visible points=1
class _CountedReads(np.ndarray):
    """An array that counts how often one example is read from it (x[i], or a for loop over x)."""
    reads = 0
    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)) or (isinstance(key, tuple) and key and isinstance(key[0], (int, np.integer))):
            _CountedReads.reads += 1
        return super().__getitem__(key)
_x = np.arange(10 * 2 * 2 * 3, dtype=np.uint8).reshape(10, 2, 2, 3)
_y = np.arange(10, dtype=np.uint8).reshape(10, 1)
_CountedReads.reads = 0
_out = split_validation(_x.view(_CountedReads), _y.view(_CountedReads), n_val=4)
expect(_CountedReads.reads <= 2, f"split_validation read the test set one example at a time ({_CountedReads.reads} reads of "
       "x[i] or steps of a for loop): that is the post's loop. Slice instead: x[:n_val] and x[n_val:].")
expect(isinstance(_out, tuple) and len(_out) == 2 and all(len(p) == 2 for p in _out),
       f"split_validation must return ((x_val, y_val), (x_rest, y_rest)); found {type(_out).__name__} {_out!r:.80}.")
(_xv, _yv), (_xr, _yr) = (tuple(np.asarray(a) for a in p) for p in _out)
_both = sorted(set(np.ravel(_yv).tolist()) & set(np.ravel(_yr).tolist()))
expect(not _both, f"with 10 examples and n_val=4, the validation examples must not also be in the test set: "
       f"examples {_both} are still in the test set (the test set must be x[n_val:], the examples after the validation set).")
expect_shape(_xv, (4, 2, 2, 3), "x_val for 10 images and n_val=4")
expect_shape(_yv, (4, 1), "y_val for 10 labels of shape (10, 1) and n_val=4")
expect_shape(_xr, (6, 2, 2, 3), "x_rest (the new test set) for 10 images and n_val=4")
expect_shape(_yr, (6, 1), "y_rest (the new test set) for 10 labels of shape (10, 1) and n_val=4")
expect(np.array_equal(_yv[:, 0], [0, 1, 2, 3]) and np.array_equal(_yr[:, 0], [4, 5, 6, 7, 8, 9]),
       f"the first n_val examples are the validation set, the rest the test set, in order; "
       f"found validation labels {np.ravel(_yv).tolist()} and test labels {np.ravel(_yr).tolist()}.")
expect(np.array_equal(_xv, _x[:4]) and np.array_equal(_xr, _x[4:]), "the images must be split like the labels.")
check_passed("split_validation: for 10 examples and n_val=4, the first 4 are the validation set and the other 6 the test set, "
      "in order, images and (10, 1) labels alike, without reading the examples one by one.")

# %% [tests] id=split_validation_hidden points=1
# Hidden tests for split_validation run here when your notebook is graded.
### BEGIN HIDDEN TESTS
class _CountedReads(np.ndarray):
    """An array that counts how often one example is read from it (x[i], or a for loop over x)."""
    reads = 0
    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)) or (isinstance(key, tuple) and key and isinstance(key[0], (int, np.integer))):
            _CountedReads.reads += 1
        return super().__getitem__(key)
_rng = np.random.default_rng(3)
_x = _rng.integers(0, 256, size=(37, 3, 3, 3)).astype(np.uint8)
_y = _rng.integers(0, 10, size=37).astype(np.int64)
_CountedReads.reads = 0
(_xv, _yv), (_xr, _yr) = split_validation(_x.view(_CountedReads), _y.view(_CountedReads), n_val=20)
expect(_CountedReads.reads <= 2, f"split_validation read the test set one example at a time ({_CountedReads.reads} reads of "
       "x[i] or steps of a for loop): that is the post's loop. Slice instead: x[:n_val] and x[n_val:].")
expect(np.array_equal(_xv, _x[:20]) and np.array_equal(_yv, _y[:20]),
       "with 37 examples and n_val=20, the validation set must be the first 20 examples.")
expect(np.array_equal(_xr, _x[20:]) and np.array_equal(_yr, _y[20:]),
       "with 37 examples and n_val=20, the test set must be the last 17 examples.")
expect_dtype(_xv, "uint8", "x_val (keep the images' dtype)")
expect_dtype(_yr, "int64", "y_rest (keep the labels' dtype)")
(_xv, _yv), (_xr, _yr) = split_validation(_x, _y.reshape(37, 1), n_val=20)
expect_shape(_yv, (20, 1), "y_val for labels of shape (37, 1) and n_val=20 (keep the labels' shape)")
expect_shape(_yr, (17, 1), "y_rest for labels of shape (37, 1) and n_val=20 (keep the labels' shape)")
(_xv, _yv), (_xr, _yr) = split_validation(np.zeros((10001, 1), np.uint8), np.arange(10001))
expect(len(_xv) == 5000 and len(_xr) == 5001, f"the default n_val must be 5000 (the post's split); found {len(_xv)} and {len(_xr)}.")
_raised = []
for _bad in (38, 5000, -1):
    try:
        split_validation(_x, _y, n_val=_bad)
    except ValueError:
        _raised.append(_bad)
expect(_raised == [38, 5000, -1], f"split_validation must raise ValueError when n_val is negative or larger than "
       f"the test set (37 examples); it raised for n_val in {_raised} out of [38, 5000, -1].")
for _n in (37, 0):
    try:
        (_xv, _yv), (_xr, _yr) = split_validation(_x, _y, n_val=_n)
    except ValueError as _err:
        expect(False, f"n_val={_n} is allowed for a test set of 37 examples (it lies between 0 and 37), "
               f"but split_validation raised ValueError: {_err}")
    expect(len(_xv) == _n and len(_xr) == 37 - _n,
           f"n_val={_n} out of 37 examples gives {_n} for validation and {37 - _n} for the test set; found {len(_xv)} and {len(_xr)}.")
### END HIDDEN TESTS

# %% [markdown]
# The real test set has 10,000 images, so `n_val = len(x_test) // 2` is the post's 5,000. In fast mode the
# test subset is smaller (at most 1,000 images), and the same line still gives two equal halves.
#
# The post also feeds the raw pixel values 0-255 to the network. We scale them to `[0, 1]`: the usual
# practice: Keras's default weight initialisation is scaled for inputs of order 1, and 0-255 would make the
# first layer's outputs 255 times larger from the first step. (This changes no parameter count.)

# %% [code]
(x_val, y_val), (x_test, y_test) = split_validation(x_test, y_test, n_val=len(x_test) // 2)
print("train:", x_train.shape, y_train.shape)
print("valid:", x_val.shape, y_val.shape)
print("test: ", x_test.shape, y_test.shape)
x_train, x_val, x_test = (a.astype("float32") / 255.0 for a in (x_train, x_val, x_test))

# %% [markdown]
# Like the post, look at the first 25 images of the new test set to check that images and labels still
# belong together after the split.

# %% [code]
show_image_grid(x_test, y_test, class_names=CIFAR10_CLASSES, rows=5, cols=5,
                title="The held-out test set: first 25 images and their classes")

# %% [markdown]
# ## 3. Exercise: the "VGG16 brief" model, with the functional API
# The functional API wires layers like functions: start from `keras.Input(shape=...)`, call each layer on
# the previous result (`x = layers.Conv2D(...)(x)`), and finally make `keras.Model(inputs=..., outputs=...)`.
# Write `build_model(input_shape=(32, 32, 3), num_classes=10)` that returns a **new** model each time it is
# called, named `"VGG16_Brief"` (the post's function name), with exactly these layers (all convolutions 3x3,
# `padding="same"`, ReLU; all poolings 2x2 with strides 2). The table is the complete list: each activation goes
# inside its layer (`activation="relu"`, `activation="softmax"`), not in a separate `ReLU`/`Activation`/`Softmax`
# layer, and nothing comes after `predictions`. How you organise the code is up to you (one layer per line, a
# loop, a small function or block per block) as long as the model is a functional `keras.Model`:
#
# | # | layer | name | output shape | parameters | computed as |
# | --- | --- | --- | --- | ---: | --- |
# | 1 | Conv2D 32 | `block1_conv` | (32, 32, 32) | 896 | 3·3·3·32 + 32 |
# | 2 | Dropout 0.256 | `block1_dropout` | (32, 32, 32) | 0 | |
# | 3 | MaxPooling2D | `block1_pool` | (16, 16, 32) | 0 | |
# | 4 | Conv2D 64 | `block2_conv` | (16, 16, 64) | 18,496 | 3·3·32·64 + 64 |
# | 5 | Dropout 0.25 | `block2_dropout` | (16, 16, 64) | 0 | |
# | 6 | MaxPooling2D | `block2_pool` | (8, 8, 64) | 0 | |
# | 7 | Conv2D 128 | `block3_conv` | (8, 8, 128) | 73,856 | 3·3·64·128 + 128 |
# | 8 | Dropout 0.25 | `block3_dropout` | (8, 8, 128) | 0 | |
# | 9 | MaxPooling2D | `block3_pool` | (4, 4, 128) | 0 | |
# | 10 | Flatten | `flatten` | (2048,) | 0 | 4·4·128 = 2048 |
# | 11 | Dense 512, ReLU | `fc` | (512,) | 1,049,088 | 2048·512 + 512 |
# | 12 | Dropout 0.5 | `fc_dropout` | (512,) | 0 | |
# | 13 | Dense `num_classes`, softmax | `predictions` | (10,) | 5,130 | 512·10 + 10 |
# | | **total** | | | **1,147,466** | |
#
# A convolution has `kernel height · kernel width · input channels · filters` weights plus one bias per
# filter; a Dense layer `inputs · units + units`. Pooling, dropout and flattening learn nothing. Note where
# the parameters are: 91 % of them sit in the single Dense layer after `Flatten`.
#
# Yes, the first dropout rate really is **0.256** in the post (the other two are 0.25) - probably a typo,
# but we reproduce the post exactly. Dropout only acts while training (`training=True`): it zeroes that
# fraction of the activations at random and multiplies the ones it keeps by 1 / (1 - rate) - for rate 0.25,
# by 1.33; for 0.5, by 2 - so that each activation keeps the same expected value ("inverted dropout"). At
# prediction time it passes everything through unchanged, with no rescaling to undo.

# %% [answer] id=build_model from=build_model

# %% [tests] id=build_model_visible points=2
#<< judge: VGG16_BRIEF_VISIBLE
_m = build_model()
expect(isinstance(_m, keras.Model), f"build_model() must return a keras.Model, found {type(_m).__name__}.")
check_architecture(_m, VGG16_BRIEF_VISIBLE, total_params=1147466)
expect(_m.count_params() == 1147466, f"the model should have 1,147,466 parameters, found {_m.count_params():,}.")
check_passed("build_model(): 13 layers in the table's order, with its kinds, filters/units, kernel and pool sizes, padding, "
      "activations and output shapes, and 1,147,466 parameters. Not checked here (but when it is graded): layer and "
      "model names, dropout rates, a new functional model at every call, other input shapes and class counts, and "
      "what the model outputs.")

# %% [tests] id=build_model_hidden points=3
# Hidden tests for build_model run here when your notebook is graded.
### BEGIN HIDDEN TESTS
#<< judge: _vgg16_brief_spec
_m1, _m2 = build_model(), build_model()
_shared = [_l.name for _l in leaf_layers(_m1) if any(_l is _o for _o in leaf_layers(_m2))]
expect(_m1 is not _m2 and not _shared,
       f"build_model() must build a NEW model (with new layers) every time it is called; two calls share the layers {_shared}.")
expect(not isinstance(_m1, keras.Sequential) and bool(getattr(_m1, "inputs", None)) and bool(getattr(_m1, "outputs", None)),
       "build_model() must use the functional API: keras.Model(inputs=keras.Input(...), outputs=...), not Sequential or a subclass.")
expect(_m1.name == "VGG16_Brief", f"the model must be named 'VGG16_Brief', found {_m1.name!r}.")
check_architecture(_m1, _vgg16_brief_spec(32, 32, 10), total_params=1147466)
_m3 = build_model(input_shape=(64, 48, 3), num_classes=7)
expect(tuple(_m3.inputs[0].shape) == (None, 64, 48, 3),
       f"build_model(input_shape=(64, 48, 3)) must take inputs of shape (None, 64, 48, 3), found {tuple(_m3.inputs[0].shape)}.")
check_architecture(_m3, _vgg16_brief_spec(64, 48, 7), total_params=896 + 18496 + 73856 + (8 * 6 * 128 * 512 + 512) + (512 * 7 + 7))
_last = [_l for _l in leaf_layers(_m3) if isinstance(_l, layers.Dense)][-1]
_b = np.linspace(0.0, 3.0, 7).astype("float32")
_last.kernel.assign(np.zeros(_last.kernel.shape, "float32"))
_last.bias.assign(_b)
_want = np.exp(_b) / np.exp(_b).sum()
_got = np.asarray(_m3(np.zeros((1, 64, 48, 3), "float32"), training=False))
expect(_got.shape == (1, 7) and np.allclose(_got[0], _want, atol=1e-5),
       f"the model's output must be the softmax of the last Dense layer, applied once, with nothing after it: with that "
       f"layer's weights set to 0 and its biases to {np.round(_b.astype(float), 2).tolist()}, the output should be "
       f"{np.round(_want.astype(float), 3).tolist()}, found {np.round(_got.reshape(-1).astype(float), 3).tolist()} "
       "(softmax applied twice? an operation after 'predictions'?).")
_xb = np.random.default_rng(4).random((6, 32, 32, 3)).astype("float32")
_p = np.asarray(_m1(_xb, training=False))
expect_close(_p.sum(axis=1), np.ones(6), "each row of the model's output must be class probabilities summing to 1", atol=1e-4)
expect(np.allclose(_p, np.asarray(_m1(_xb, training=False))), "with training=False the model must be deterministic.")
expect(np.allclose(_p, np.asarray(_m1(_xb))),
       "called without training= (model(x), as at prediction time) the model must be deterministic, with dropout off: "
       "do not pass training=True to the Dropout layers; Keras passes training=True to them itself during fit.")
expect(not np.allclose(_p, np.asarray(_m1(_xb, training=True))), "with training=True the dropout layers must change the output.")
### END HIDDEN TESTS

# %% [markdown]
# ### What went wrong in the original: `output=`
# The post ends its function with `model = Model(inputs=img_input, output = x)`. The keyword is
# **`outputs`**, plural, like `inputs`. The stand-alone Keras 2 the post imported `Model` from still
# accepted the Keras 1 spelling `output=` (with a deprecation warning); `tf.keras` and Keras 3 reject it.
# The cell below shows what that line does today.

# %% [code]
_inputs = keras.Input(shape=(32, 32, 3))
_x = layers.Dense(10, activation="softmax")(layers.Flatten()(_inputs))
try:
    keras.Model(inputs=_inputs, output=_x)  # the post's spelling
except (TypeError, ValueError) as err:
    print(f"The post's line fails: {type(err).__name__}: {str(err).split(':')[0]}.")
print("With outputs=:", keras.Model(inputs=_inputs, outputs=_x).output_shape)

# %% [code]
model = build_model()
model.summary()

# %% [markdown]
# `model.summary()` prints **Total params: 1,147,466 (4.38 MB)**, all trainable: the post's "about one
# million" parameters, at 4 bytes per float32 weight.
#
# ## 4. Exercise: compile the model
# Write `compile_model(model, learning_rate=1e-3)` that compiles the model with
# - the **Adam** optimizer with that learning rate: `keras.optimizers.Adam(learning_rate=...)` (the post
#   passes the string `'Adam'`, which means the same with the default rate 0.001; very old code writes
#   `keras.optimizers.adam()` or `Adam(lr=...)`, which Keras 3 no longer has);
# - **sparse categorical cross-entropy**: our labels are integers 0-9 (shape `(N, 1)`), not one-hot vectors,
#   and the model ends in a softmax, so its outputs are probabilities;
# - the metric `"accuracy"` (its curves appear in the history as `accuracy` and `val_accuracy`; Keras 2.2-era
#   posts read `history['acc']`, a key that no longer exists),
#
# and returns the model.

# %% [answer] id=compile_model from=compile_model

# %% [tests] id=compile_model_visible points=1
keras.utils.set_random_seed(0)
_m = keras.Sequential([keras.Input((4, 4, 3)), layers.Flatten(), layers.Dense(3, activation="softmax")])
_ret = compile_model(_m)
expect(_ret is _m, f"compile_model(model) must return the model it compiled, found {type(_ret).__name__}.")
expect(isinstance(_m.optimizer, keras.optimizers.Adam),
       f"the optimizer must be Adam, found {type(_m.optimizer).__name__ if _m.optimizer is not None else course_text('none (not compiled)')}.")
expect_close(float(_m.optimizer.learning_rate), 1e-3, "the default learning rate", rtol=1e-4)
_x = np.random.default_rng(0).random((8, 4, 4, 3)).astype("float32")
_y = (np.arange(8) % 3).reshape(8, 1)
_p = np.asarray(_m(_x))
_res, _loss, _why = None, None, ""
try:
    _res = _m.test_on_batch(_x, _y, return_dict=True)
    _loss = float(_m.compute_loss(x=_x, y=_y, y_pred=tf.constant(_p)))
except Exception as _err:
    _why = f"{type(_err).__name__}: " + str(_err).strip().split("\n")[0][:160]
expect(_loss is not None, f"the compiled model could not compute its loss on integer labels of shape (8, 1) ({_why}); "
       "use sparse categorical cross-entropy, which takes integer labels rather than one-hot vectors.")
expect("accuracy" in _res, f"compile with metrics=['accuracy']; the model reports only {sorted(_res)}.")
expect_close(_loss, float(np.mean(-np.log(_p[np.arange(8), _y[:, 0]]))),
             "the loss of softmax probabilities p for integer labels: sparse categorical cross-entropy, -mean(log p[label]), "
             "with from_logits=False (the model's outputs are probabilities, not logits)", rtol=1e-4)
expect_close(_res["accuracy"], float(np.mean(_p.argmax(axis=1) == _y[:, 0])),
             "the 'accuracy' metric (the share of images whose most probable class is their label: metrics=['accuracy'])", atol=1e-6)
check_passed("compile_model: returns the model, compiled with Adam (learning rate 0.001 by default), sparse categorical "
      "cross-entropy on probabilities and integer labels, and the 'accuracy' metric.")

# %% [tests] id=compile_model_hidden points=1
# Hidden tests for compile_model run here when your notebook is graded.
### BEGIN HIDDEN TESTS
keras.utils.set_random_seed(1)
_m = keras.Sequential([keras.Input((2, 2, 3)), layers.Flatten(), layers.Dense(5, activation="softmax")])
expect(compile_model(_m, learning_rate=0.02) is _m, "compile_model(model, learning_rate=0.02) must return the model it compiled.")
expect(isinstance(_m.optimizer, keras.optimizers.Adam), "the optimizer must be Adam.")
expect_close(float(_m.optimizer.learning_rate), 0.02, "compile_model(model, learning_rate=0.02): the optimizer's learning rate", rtol=1e-4)
_x = np.random.default_rng(6).random((10, 2, 2, 3)).astype("float32")
_y = np.array([0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
_p = np.asarray(_m(_x))
_res, _loss, _why = None, None, ""
try:
    _res = _m.test_on_batch(_x, _y, return_dict=True)
    _loss = float(_m.compute_loss(x=_x, y=_y, y_pred=tf.constant(_p)))
except Exception as _err:
    _why = f"{type(_err).__name__}: " + str(_err).strip().split("\n")[0][:160]
expect(_loss is not None, f"the compiled model could not evaluate 10 integer labels of shape (10,) ({_why}); compile with "
       "sparse categorical cross-entropy and metrics=['accuracy'], which take integer labels.")
expect_close(_loss, float(np.mean(-np.log(_p[np.arange(10), _y]))),
             "the loss of softmax probabilities (sparse categorical cross-entropy, from_logits=False)", rtol=1e-4)
expect_close(_res["loss"], float(np.mean(-np.log(_p[np.arange(10), _y]))),
             "the loss evaluate reports (sparse categorical cross-entropy on the softmax probabilities)", rtol=1e-4)
expect_close(_res.get("accuracy", np.nan), float(np.mean(_p.argmax(axis=1) == _y)),
             "the 'accuracy' metric (the share of images whose most probable class is their label)", atol=1e-6)
_w0 = [v.numpy() for v in _m.trainable_variables]
_m.train_on_batch(_x, _y)
expect(all(not np.allclose(a, b.numpy()) for a, b in zip(_w0, _m.trainable_variables)),
       "after compile_model, one fit step must update every trainable weight.")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Exercise: the learning-rate schedule `ReduceLROnPlateau`
# A callback is an object `fit` calls at fixed moments (here: after each epoch). `ReduceLROnPlateau`
# watches a quantity and, when it has stopped improving for `patience` epochs, multiplies the learning rate
# by `factor`, never going below `min_lr`. Smaller steps help the optimizer settle into a minimum once big
# steps only bounce around it.
#
# Write `make_callbacks()` returning a list with one `keras.callbacks.ReduceLROnPlateau` configured as in the
# post: watch `"val_loss"`, patience 5 epochs, factor 0.1, minimum learning rate 1e-5 (`verbose=1` prints a
# line whenever it acts). It needs the validation set: that is what the split was for.
#
# From Adam's 0.001, a factor of 0.1 and a floor of 1e-5 leave room for **at most two** steps down:
# 0.001 -> 0.0001 -> 0.00001. One detail of the printout: the rate is stored as a float32, so the second
# step lands a hair above 1e-5 (1.0000000474974514e-05), and 5 epochs later the callback may print a third
# "reducing learning rate to 1e-05" that only rounds it onto `min_lr` (a change in the 8th digit). After
# that it no longer acts, however long `val_loss` stalls.

# %% [answer] id=make_callbacks from=make_callbacks

# %% [tests] id=make_callbacks_visible points=1
_cbs = make_callbacks()
expect(isinstance(_cbs, list) and len(_cbs) == 1, f"make_callbacks() must return a list with one callback, found {_cbs!r:.100}.")
_cb = _cbs[0]
expect(isinstance(_cb, keras.callbacks.ReduceLROnPlateau), f"the callback must be a ReduceLROnPlateau, found {type(_cb).__name__}.")
expect(_cb.monitor == "val_loss", f"ReduceLROnPlateau must monitor 'val_loss', found {_cb.monitor!r}.")
expect(_cb.patience == 5, f"patience must be 5 epochs, found {_cb.patience}.")
expect(abs(_cb.factor - 0.1) < 1e-9, f"factor must be 0.1, found {_cb.factor}.")
expect(abs(_cb.min_lr - 1e-5) < 1e-12, f"min_lr must be 1e-5, found {_cb.min_lr}.")
check_passed("make_callbacks: a list with one ReduceLROnPlateau with monitor='val_loss', patience=5, factor=0.1, min_lr=1e-5 "
      "(how it changes the learning rate is tested when it is graded).")

# %% [tests] id=make_callbacks_hidden points=2
# Hidden tests for make_callbacks run here when your notebook is graded.
### BEGIN HIDDEN TESTS
_m = keras.Sequential([keras.Input((2,)), layers.Dense(2, activation="softmax")])
_m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
_cbs, _cbs2 = make_callbacks(), make_callbacks()
expect(_cbs[0] is not _cbs2[0], "make_callbacks() must make a new callback every time it is called.")
_cb = _cbs[0]
expect(_cb.monitor == "val_loss" and _cb.mode in ("auto", "min"),
       f"ReduceLROnPlateau must wait for val_loss to go *down*: monitor='val_loss' with mode='min' or the default "
       f"mode='auto'; found monitor={_cb.monitor!r}, mode={_cb.mode!r}.")
_cb.set_model(_m)
_cb.on_train_begin({})
_lrs = []
for _epoch, _vl in enumerate([1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95] + [0.95] * 12):
    _cb.on_epoch_end(_epoch, {"loss": 0.5, "val_loss": _vl})
    _lrs.append(float(_m.optimizer.learning_rate))
expect(all(abs(v - 1e-3) < 1e-9 for v in _lrs[:6]),
       f"the learning rate must stay 0.001 while val_loss improved less than 5 epochs ago; found {_lrs[:6]}.")
expect(abs(_lrs[6] - 1e-4) < 1e-9, f"after 5 epochs without a better val_loss the rate must drop 10x to 1e-4; found {_lrs[6]:.3g}.")
expect(abs(_lrs[-1] - 1e-5) < 1e-9, f"the rate must never fall below min_lr=1e-5; after many epochs it is {_lrs[-1]:.3g}.")
_cb2 = _cbs2[0]
_cb2.set_model(_m)
_m.optimizer.learning_rate.assign(1e-3)
_cb2.on_train_begin({})
for _epoch in range(8):
    _cb2.on_epoch_end(_epoch, {"loss": 1.0 / (_epoch + 1), "val_loss": 1.0 / (_epoch + 1)})
expect(abs(float(_m.optimizer.learning_rate) - 1e-3) < 1e-9, "while val_loss keeps improving, the learning rate must not change.")
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Exercise: train
# Write `train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256,
# verbose="auto")` that calls `model.fit` on the training set for `epochs` epochs in batches of `batch_size`,
# with `validation_data=(x_val, y_val)` (evaluated after every epoch: the `val_` curves, and what
# `ReduceLROnPlateau` watches) and the given `callbacks`, and returns the `History` that `fit` returns.
# The post uses batches of 256 and 100 epochs. `verbose` goes to `fit` as it is: the notebook passes
# `verbose=0` together with a callback that prints one line per epoch.

# %% [answer] id=train_model from=train_model

# %% [tests] id=train_model_visible points=1
keras.utils.set_random_seed(0)
_m = keras.Sequential([keras.Input((4, 4, 3)), layers.Flatten(), layers.Dense(3, activation="softmax")])
_m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
_x = np.random.default_rng(0).random((300, 4, 4, 3)).astype("float32")
_y = (np.arange(300) % 3).reshape(300, 1)
_batches = []
_counter = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: _batches.append(batch))
_h, _why = None, ""
try:
    _h = train_model(_m, _x, _y, _x[:30], _y[:30], epochs=2, callbacks=[_counter], verbose=0)
except Exception as _err:
    _why = f"{type(_err).__name__}: " + str(_err).split("\x1b[1m")[-1].split("\x1b[0m")[0].strip().split("\n")[0][:200]
expect(not _why, f"train_model failed on a small model with 4x4x3 images ({_why}). It must train and validate on its "
       "arguments only (x_train, y_train, x_val, y_val), not on the notebook's own arrays.")
expect(isinstance(_h, keras.callbacks.History), f"train_model must return the History from model.fit, found {type(_h).__name__}.")
expect(len(_h.history.get("loss", [])) == 2, f"2 epochs should give 2 loss values in one History (one call of fit), found {_h.history.get('loss')}.")
expect(len(_h.history.get("val_loss", [])) == 2 and len(_h.history.get("val_accuracy", [])) == 2,
       f"pass validation_data=(x_val, y_val) to fit, to validate after every epoch: the history has {sorted(_h.history)}.")
expect(len(_batches) > 0, "fit never called your callbacks: pass callbacks=callbacks to fit.")
expect(len(_batches) == 4, f"300 images in batches of 256 make 2 batches per epoch, 4 in 2 epochs; your callbacks saw "
       f"{len(_batches)} (train on all of x_train: batch_size=batch_size, no validation_split).")
check_passed("train_model: returns fit's History; 2 epochs of 2 batches (300 images, batch_size 256 by default), seen by your "
      "callbacks; val_loss and val_accuracy after each epoch.")

# %% [tests] id=train_model_hidden points=2
# Hidden tests for train_model run here when your notebook is graded.
### BEGIN HIDDEN TESTS
keras.utils.set_random_seed(1)
_m = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax")])
_m.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
_rng = np.random.default_rng(9)
_x = _rng.normal(size=(500, 3)).astype("float32")
_y = (_x[:, 0] > 0).astype("int64")
_xv = _rng.normal(size=(40, 3)).astype("float32")
_yv = np.ones(40, dtype="int64")
_seen = {"batches": 0, "epochs": 0}
_counter = keras.callbacks.LambdaCallback(
    on_train_batch_end=lambda batch, logs: _seen.__setitem__("batches", _seen["batches"] + 1),
    on_epoch_end=lambda epoch, logs: _seen.__setitem__("epochs", _seen["epochs"] + 1))
_h, _why = None, ""
try:
    _h = train_model(_m, _x, _y, _xv, _yv, 3, callbacks=(_counter,), batch_size=100, verbose=0)
except Exception as _err:
    _why = f"{type(_err).__name__}: " + str(_err).split("\x1b[1m")[-1].split("\x1b[0m")[0].strip().split("\n")[0][:200]
expect(not _why, f"train_model failed on a small model with 3 features ({_why}). It must train and validate on its "
       "arguments only (x_train, y_train, x_val, y_val), not on the notebook's own arrays.")
expect(_seen == {"batches": 15, "epochs": 3}, f"3 epochs of 500 images in batches of 100 are 15 batches; found {_seen} "
       "(fit must use the epochs and batch_size given to train_model).")
expect(len(_h.history["val_loss"]) == 3, "the validation loss must be computed after every epoch.")
_want = _m.test_on_batch(_xv, _yv, return_dict=True)
expect_close(_h.history["val_loss"][-1], _want["loss"], "the last val_loss: it must be the loss on the x_val, y_val "
             "given to train_model (validation_data=(x_val, y_val), not validation_split or other data)", rtol=1e-3)
expect(_h.history["loss"][-1] < _h.history["loss"][0], "the training loss should fall over 3 epochs.")
_seen.update(batches=0, epochs=0)
train_model(_m, _x, _y, _xv, _yv, 1, callbacks=[_counter], verbose=0)
expect(_seen["batches"] == 2, f"by default batch_size must be 256 (500 images -> 2 batches); found {_seen['batches']} batches.")
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Train the model
# Full mode trains like the post: 100 epochs on all 50,000 images, batches of 256 (about 5-10 minutes on a
# Colab T4, estimated). Fast mode trains 2 epochs on the subset, just to show the whole pipeline works.
# Keras's own progress output would print two lines an epoch (200 in full mode), so the cell passes
# `verbose=0` and adds `EpochLog` (from the setup cell): one line per epoch with the loss and accuracy of
# training and validation, the epoch's seconds and the time left. `ReduceLROnPlateau` adds a line when it
# lowers the learning rate.

# %% [code]
EPOCHS = by_mode(fast=2, full=100)
model = compile_model(build_model())
history = train_model(model, x_train, y_train, x_val, y_val, EPOCHS,
                      callbacks=[*make_callbacks(), EpochLog("VGG16 brief")], batch_size=256, verbose=0)

# %% [markdown]
# ## 8. Evaluate on the held-out test half
# The validation half steered training (the learning-rate schedule looked at it), so only the *other* half
# gives an honest final score. `evaluate` returns the loss and the accuracy we compiled with.

# %% [code]
test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
print(f"test loss: {test_loss:.4f} | test accuracy: {test_acc * 100:.2f}% on {len(x_test)} held-out images")

# %% [markdown]
# ## 9. Learning curves
# The post plots accuracy and loss for training and validation in two figures. `plot_history` draws both,
# one panel each, from `history.history` (`loss`, `accuracy`, `val_loss`, `val_accuracy`). A training curve
# that keeps improving while the validation curve stalls or rises is overfitting; dropout is the post's
# defence against it.

# %% [code]
plot_history(history, title=f"VGG16 brief on CIFAR-10 ({MODE} mode): training vs validation")

# %% [markdown]
# `ReduceLROnPlateau` writes the learning rate of every epoch into the history as `learning_rate`. In full
# mode you will see at most two steps down by a factor of 10 (on a log scale they are equal steps), each
# after 5 epochs without a better `val_loss` (the possible third message only rounds the rate: no visible
# step); in fast mode the two epochs are too few for it to act.

# %% [code]
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

_lr = history.history.get("learning_rate", [float(model.optimizer.learning_rate)] * EPOCHS)
plt.figure(figsize=(5.5, 3.5))
plt.plot(range(1, len(_lr) + 1), _lr, marker="o")
plt.yscale("log")
plt.gca().xaxis.set_major_locator(MaxNLocator(integer=True))
plt.xlabel("epoch")
plt.ylabel("learning rate (log scale)")
plt.title("Learning rate set by ReduceLROnPlateau")
plt.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## 10. Beyond the post: which classes get confused?
# The confusion matrix counts, for every true class (row), how often the model predicted each class
# (column); the diagonal is what it got right. Below it, some test images with their predicted class (red
# when wrong).

# %% [code]
y_pred = model.predict(x_test, batch_size=256, verbose=0).argmax(axis=1)
y_true = y_test.reshape(-1)
plot_confusion_matrix(tf.math.confusion_matrix(y_true, y_pred, num_classes=10).numpy(),
                      class_names=CIFAR10_CLASSES, title="CIFAR-10 held-out test set: true vs predicted class")
show_image_grid(x_test, y_true, class_names=CIFAR10_CLASSES, predictions=y_pred, rows=3, cols=8,
                title="Held-out test images: true and predicted class (red = wrong)")

# %% [markdown]
# ## Summary
# - Slicing splits arrays in one line: `x[:n]`, `x[n:]` - no loops, no lists, no copies image by image.
# - The functional API: `keras.Input` -> layers called on tensors -> `keras.Model(inputs=..., outputs=...)`.
#   The post's `output=` is not a Keras 3 keyword.
# - Parameter counts follow from the shapes: `k·k·c_in·filters + filters` per convolution,
#   `inputs·units + units` per Dense; here 91 % of the 1,147,466 parameters are in the first Dense layer.
# - Adam + sparse categorical cross-entropy for integer labels; `ReduceLROnPlateau` lowers the learning
#   rate when `val_loss` stalls - which is why a validation set separate from the test set matters.
#
# ### What to expect in full mode
# - `model.summary()`: Total params 1,147,466 (4.38 MB); trainable 1,147,466; non-trainable 0.
#   Per layer: 896 + 18,496 + 73,856 + 1,049,088 + 5,130.
# - 100 epoch lines of 196 batches each (50,000 images, batch 256), and at most three lines from
#   `ReduceLROnPlateau`: at most two steps down (0.001 -> 0.0001 -> 0.00001), and possibly a third message
#   that only rounds the rate onto `min_lr`.
# - Test accuracy on the held-out half: roughly **73-79 %**. The post gives no number in its text (its curves
#   and final score are screenshots), and the course has not measured this model's full run, so the range is
#   an estimate from published figures of similar small Keras CNNs on CIFAR-10: TensorFlow's CNN tutorial
#   (three convolutions, no dropout, 10 epochs) reports "over 70 %"; the Keras 2 example `cifar10_cnn.py`
#   (keras-team/keras, `examples/`: four convolutions with dropout, trained with data augmentation) reports
#   75 % after 25 epochs and 79 % after 50. This model has dropout but no augmentation: we expect it
#   between the two.
# - The training accuracy Keras reports is measured with dropout on, so early on it can sit *below* the
#   validation accuracy; once it climbs past it and keeps climbing while `val_loss` stalls or rises, the
#   model is overfitting.
