# %% [markdown]
# # Lesson 03 - A small CNN on CIFAR-10, and an ensemble that really is one
#
# *Reproduces the post "Cifar10 이미지 분류" ("Image classification with Cifar10"): a Keras CNN with
# 4 convolution and 5 fully connected layers (**132,435 parameters**), trained 15 epochs with batch 100 and
# Adam(0.001), "ensembled" four times. The post reports **66 %** test accuracy for the last model and
# **70.06 %** for the ensemble.*
#
# An **ensemble** trains several models independently and averages their predictions. Each member makes
# different mistakes (different random initial weights, different shuffling), so the average is usually
# better than the typical member. The post's idea is right, but two bugs hide in its code - this lesson
# reproduces the model exactly, fixes both bugs and shows the evidence for each.
#
# **You will:** scale the pixels (bug 1); write a model factory giving the post's exact architecture;
# train *independent* members (bug 2); average their softmax outputs and compare the ensemble with each
# member; log every member to TensorBoard; look at ten test images with their predicted classes.
#
# **How to work:** run the Workload cell and the setup cell first (in Colab: *Runtime > Change runtime
# type > GPU*). Fill in every cell marked `# TODO` (delete the `raise NotImplementedError()` line), then
# run the check cell below it. The checks you see are only part of the grade: hidden tests try your code
# on other inputs. When you are done, run the *Ready to hand in?* cell at the end and follow it.
#
# **Time and workload.** *Full* mode uses the post's settings on all 50,000 images: the post's buggy loop
# (4 x 5 epochs, a demonstration you may skip), then four independent members of 15 epochs each - 80
# epochs of a small model in all. Estimated from the model's size (7.7 million floating-point operations
# per image, forward pass): roughly **5-10 minutes on a Colab T4 GPU**. On a two-core CPU (a Colab
# runtime without a GPU has two) about 20-40 minutes: we measured 27 s per epoch of 50,000 images on a
# busy two-core machine, times 80 epochs. The setup cell stops in full mode without a GPU and says how to go
# on anyway. For scale only: on a data-centre GPU (an NVIDIA H200) one epoch of one member's training
# steps, batch 100, float32, took 1.0 s with Keras 3 on its JAX backend (every step compiled by XLA) and
# 5.7 s on its PyTorch backend (eager, not compiled): the course's measurements of the same Keras model on
# random images; TensorFlow itself was not timed there. *Fast* mode (1,000 images, 3 short epochs)
# runs in a few minutes anywhere, with accuracies far below the real ones. Choose in the **Workload**
# cell just below, before the setup cell. *Restart and run all* in full mode trains everything again, so
# the last run before you hand in may be in fast mode (the end of the notebook says why).

# %% [setup]
import time
from keras import layers  # the checks below rely on it, so it lives in this locked cell

LESSON_START, LESSON_CPU_START = time.perf_counter(), time.process_time()
MODE = course_setup(seed=42, full_cpu_time="about 20-40 minutes")
FAST = MODE == "fast"

# %% [markdown]
# ## Imports

# %% [code]
import datetime
import importlib.util
import os
import sys
import tempfile

import numpy as np
import matplotlib.pyplot as plt
import tensorflow as tf
import keras
from keras import layers

# %% [markdown]
# ## 1. The data: CIFAR-10
# 60,000 colour images of 32x32 pixels in 10 classes (50,000 for training, 10,000 for testing).
# `load_cifar10()` (from the setup cell) returns what `keras.datasets.cifar10.load_data()` returns (it
# downloads the data once). Labels come as integers of shape `(N, 1)`.

# %% [code]
(x_train_raw, y_train), (x_test_raw, y_test) = load_cifar10()
print("train:", x_train_raw.shape, x_train_raw.dtype, "| test:", x_test_raw.shape, "| labels:", y_train.shape)
show_image_grid(x_train_raw, y_train, class_names=CIFAR10_CLASSES, rows=3, cols=8,
                title="CIFAR-10 training images and their classes")

# %% [markdown]
# Fast mode keeps a small subset (1,000 training and 500 test images) so that the notebook runs in minutes
# on a CPU; full mode uses everything, like the post.

# %% [code]
N_TRAIN, N_TEST = by_mode(fast=(1000, 500), full=(len(x_train_raw), len(x_test_raw)))
x_train_raw, y_train = x_train_raw[:N_TRAIN], y_train[:N_TRAIN]
x_test_raw, y_test = x_test_raw[:N_TEST], y_test[:N_TEST]
print(f"Using {len(x_train_raw)} training and {len(x_test_raw)} test images.")

# %% [markdown]
# ## 2. What went wrong in the original, bug 1: dividing by 225
# Pixels are stored as `uint8`, 0 to 255. To scale them into `[0, 1]` the post writes
# `x_train = x_train / 225` - a typo for 255. Look at what that does to the value range:

# %% [code]
sample = x_train_raw[:2000]              # 2,000 images are plenty to see the value range
post_scaled = sample / 225               # what the post does
right_scaled = sample / 255
print(f"/ 225: values from {post_scaled.min():.3f} to {post_scaled.max():.3f}; "
      f"{np.mean(post_scaled > 1.0):.1%} of the pixel values of {len(sample):,} images are above 1.0")
print(f"/ 255: values from {right_scaled.min():.3f} to {right_scaled.max():.3f}")

fig, ax = plt.subplots(figsize=(7, 3.2))
levels = np.arange(0, 257, 8)            # 8 grey levels per bar, so the bars do not alias
ax.hist(right_scaled.ravel(), bins=levels / 255, alpha=0.6, label="x / 255 (correct)")
ax.hist(post_scaled.ravel(), bins=levels / 225, alpha=0.6, label="x / 225 (the post)")
ax.axvline(1.0, color="black", linestyle="--", label="1.0")
ax.set_xlabel("scaled pixel value")
ax.set_ylabel("number of pixel values")
ax.set_title("Pixel values after scaling: / 225 overshoots 1.0")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# The network can still learn from inputs in `[0, 1.133]` - it is a 13 % rescaling, not a disaster - but
# the data no longer means what the code says it means: anything that assumes `[0, 1]` breaks. The post's own
# last line, `plt.imshow(x_test[r])`, is an example: Matplotlib clips float images to `[0, 1]`, so every
# colour value above 225 is drawn at full intensity and the brightest details are lost. The fix is not
# just "type 255": divide by 255 *because* it is the largest value a `uint8` can hold.
#
# ## 3. Exercise: scale the pixels
# Write `preprocess(images)`: return the images as a NumPy `float32` array of the same shape with values in
# `[0, 1]`: divide every pixel by 255, the largest value a `uint8` can hold - always 255, whatever the
# brightest pixel of these particular images is. (A NumPy array, not a tensor: the notebook goes on with
# `x_train.min()` and `x_test[pick]`.)

# %% [answer] id=preprocess from=preprocess

# %% [tests] id=preprocess_visible points=1
_imgs = (np.arange(2 * 32 * 32 * 3) % 256).astype(np.uint8).reshape(2, 32, 32, 3)
_out = preprocess(_imgs)
expect(isinstance(_out, np.ndarray),
       f"preprocess(...) must return a NumPy array, found {type(_out).__name__} (convert a tensor with .numpy()).")
expect_shape(_out, (2, 32, 32, 3), "preprocess(images of shape (2, 32, 32, 3))")
expect_dtype(_out, "float32", "preprocess(...)")
expect_close(_out, _imgs / 255.0, "preprocess(...) pixel values (should be images / 255)")
check_passed("preprocess: a NumPy float32 array of the same shape, equal to images / 255 on a test batch with pixels 0-255.")

# %% [tests] id=preprocess_hidden points=1
# Hidden tests for preprocess run here when your notebook is graded.
### BEGIN HIDDEN TESTS
_edge = np.asarray(preprocess(np.array([[0, 128, 225, 255]], dtype=np.uint8)), dtype=np.float64)
expect(abs(_edge[0, 3] - 1.0) < 1e-6,
       f"preprocess must map the brightest pixel, 255, to 1.0; found {_edge[0, 3]:.4f}"
       + (" - that is 255 / 225, the original post's typo." if abs(_edge[0, 3] - 255 / 225) < 1e-4 else "."))
expect(_edge[0, 2] < 0.9, f"preprocess(225) should be 225 / 255 = 0.882, found {_edge[0, 2]:.4f}.")
_dark = np.array([[[10, 40, 100]]], dtype=np.uint8)
_out = preprocess(_dark)
expect(isinstance(_out, np.ndarray), f"preprocess(...) must return a NumPy array, found {type(_out).__name__}.")
expect(np.allclose(_out, _dark / 255.0, atol=1e-6),
       f"on a dark image (pixels 10, 40, 100) preprocess should give {np.round(_dark / 255.0, 4).ravel().tolist()}, "
       f"found {np.round(np.asarray(_out, dtype=np.float64), 4).ravel().tolist()}: divide by 255 always, "
       "not by the brightest pixel (or the range) of the images you were given.")
_imgs = np.random.default_rng(3).integers(0, 256, size=(5, 7, 9, 3)).astype(np.uint8)
_out = preprocess(_imgs)
expect_shape(_out, (5, 7, 9, 3), "preprocess(images of shape (5, 7, 9, 3))")
expect_dtype(_out, "float32", "preprocess(...)")
expect_close(_out, _imgs / 255.0, "preprocess(...) on other images")
expect(float(np.max(_out)) <= 1.0 and float(np.min(_out)) >= 0.0, "preprocess: values must lie in [0, 1].")
### END HIDDEN TESTS

# %% [code]
x_train, x_test = preprocess(x_train_raw), preprocess(x_test_raw)
print(f"x_train: {x_train.dtype}, values from {x_train.min():.3f} to {x_train.max():.3f}")

# %% [markdown]
# ## 4. The architecture, worked out from the post
# The post prints a model summary; its parameter counts pin the architecture down. A `Conv2D` with a
# `k x k` kernel, `c_in` input and `c_out` output channels has `k*k*c_in*c_out + c_out` parameters (weights
# plus one bias per filter); a `Dense` layer has `n_in*n_out + n_out`; pooling, `Flatten` and `Dropout`
# have none.
#
# | # | layer | output shape | parameters | how |
# | --- | --- | --- | ---: | --- |
# | 1 | Conv2D 15, 4x4, same, ReLU | (32, 32, 15) | 735 | 4·4·3·15 + 15 |
# | 2 | MaxPooling2D 2x2 | (16, 16, 15) | 0 | |
# | 3 | Conv2D 30, 4x4, same, ReLU | (16, 16, 30) | 7,230 | 4·4·15·30 + 30 |
# | 4 | MaxPooling2D 2x2 | (8, 8, 30) | 0 | |
# | 5 | Conv2D 30, 4x4, same, ReLU | (8, 8, 30) | 14,430 | 4·4·30·30 + 30 |
# | 6 | MaxPooling2D 2x2 | (4, 4, 30) | 0 | |
# | 7 | Conv2D 30, 4x4, same, ReLU | (4, 4, 30) | 14,430 | 4·4·30·30 + 30 |
# | 8 | MaxPooling2D 2x2 | (2, 2, 30) | 0 | |
# | 9 | Flatten | (120,) | 0 | 2·2·30 |
# | 10 | Dense 200, ReLU | (200,) | 24,200 | 120·200 + 200 |
# | 11 | Dropout 0.5 | (200,) | 0 | |
# | 12 | Dense 200, ReLU | (200,) | 40,200 | 200·200 + 200 |
# | 13 | Dropout 0.5 | (200,) | 0 | |
# | 14 | Dense 100, ReLU | (100,) | 20,100 | 200·100 + 100 |
# | 15 | Dropout 0.5 | (100,) | 0 | |
# | 16 | Dense 100, ReLU | (100,) | 10,100 | 100·100 + 100 |
# | 17 | Dropout 0.5 | (100,) | 0 | |
# | 18 | Dense 10, softmax | (10,) | 1,010 | 100·10 + 10 |
# | | **total** | | **132,435** | |
#
# How the count fixes each choice:
# - **Kernels and filters:** 735 = 4·4·3·15 + 15 is the only way to get the first layer's count with
#   15 filters on 3 channels: 4x4 kernels. The other three counts follow with 30 filters each.
# - **Padding and pooling:** the first `Dense` has 24,200 = 120·200 + 200 parameters, so `Flatten` gives
#   120 = 2·2·30 values: the 32x32 image was halved exactly four times (32, 16, 8, 4, 2). That needs
#   `padding="same"` (the convolutions keep the size) and a 2x2 max-pooling after **every** convolution.
#   With `"valid"` padding a 4x4 kernel trims 3 pixels each time (32 -> 29 -> pool 14 -> 11 -> pool 5 -> 2 ->
#   pool 1) and the fourth convolution would not fit at all.
# - **Dropouts:** they have no parameters, so the count cannot place them; the post's code puts one
#   `Dropout(0.5)` after each of the four hidden `Dense` layers and none after the convolutions or the output.
# - **Initialiser:** `glorot_normal` on every `Conv2D` and `Dense` (it changes the starting weights, not
#   their number).
#
# (A side note on 4x4 kernels with `"same"` padding: an even kernel has no centre pixel, so Keras pads
# 1 pixel before and 2 after - it works, but it is why 3x3 kernels are the usual choice.)
#
# ## 5. Exercise: a model factory
# An ensemble needs several *different* models, so we do not build "the model" once - we write a
# **factory**, a function that builds and returns a brand-new one each time it is called. Write
# `build_model(learning_rate=0.001, dropout_rate=0.5)` returning a new compiled Keras model with the table's
# 18 layers in the table's order, built for `keras.Input(shape=(32, 32, 3))`:
# - a `keras.Sequential` that starts with `keras.Input(shape=(32, 32, 3))` is the simplest; the functional
#   API (`keras.Input` ... `keras.Model(inputs, outputs)`) is fine too, and so is grouping the layers into
#   blocks (a small `keras.Sequential` per block, say), as long as they run in the table's order;
# - give each `Conv2D` and `Dense` its activation with `activation=` (as the post does: a separate `ReLU` or
#   `Softmax` layer would be a row the table does not have) and `kernel_initializer="glorot_normal"`;
# - all four `Dropout` layers use `dropout_rate`;
# - every call creates new layers with new random weights (no layers shared between calls, no fixed seed):
#   ensemble members must start from different weights;
# - compile with `keras.optimizers.Adam(learning_rate=learning_rate)`, `loss="sparse_categorical_crossentropy"`
#   and `metrics=["accuracy"]`.
#
# The post one-hot encodes the labels (`to_categorical`) and uses `categorical_crossentropy`; the *sparse*
# loss computes exactly the same number straight from the integer labels, so we skip the one-hot step.
# Also, the post stores its model as `tf.model` - an attribute it adds to the `tensorflow` module itself!
# A plain variable is the right place.

# %% [answer] id=build_model from=build_model

# %% [tests] id=build_model_visible points=2
#<< judge: _conv, _dense, CIFAR_CNN_SPEC
_err = ""
try:
    _model = build_model()
except Exception as _e:
    _err = f"{type(_e).__name__}: {str(_e)[:300]}"
expect(not _err, f"build_model() raised {_err}" + (
    "\nWith padding='valid' each 4x4 convolution trims 3 pixels (32 -> 29 -> pool 14 -> 11 -> pool 5 -> 2 -> pool 1) "
    "and the fourth one does not fit: use padding='same'." if "valid" in _err else ""))
check_architecture(_model, CIFAR_CNN_SPEC, input_shape=(32, 32, 3), total_params=132435)
check_passed("build_model: the 18 layers (kinds, filters/units, kernels, strides, padding, activations, dropout rates, "
      "output shapes, parameters) match the post's model, 132,435 parameters in all.")

# %% [tests] id=build_model_hidden points=2
# Hidden tests for build_model run here when your notebook is graded.
### BEGIN HIDDEN TESTS
keras.utils.set_random_seed(11)
_a, _b = build_model(), build_model()
expect(_a is not _b, "build_model() must build a NEW model on every call; two calls returned the same object.")
expect(_a.count_params() == 132435, f"build_model() should have 132,435 parameters, found {_a.count_params():,}.")
_ka, _kb = _a.trainable_weights[0].numpy(), _b.trainable_weights[0].numpy()
expect(_ka.shape == _kb.shape and not np.allclose(_ka, _kb),
       "two models from build_model() start with the same weights: each call must create new layers with new random "
       "weights (no layer objects shared between calls, no fixed seed in build_model or its initialisers).")
_inits = [type(l.kernel_initializer).__name__ for l in leaf_layers(_a) if isinstance(l, (layers.Conv2D, layers.Dense))]
expect(len(_inits) == 9 and all(n == "GlorotNormal" for n in _inits),
       f"every Conv2D and Dense needs kernel_initializer='glorot_normal'; found the initialisers {_inits}.")
expect(isinstance(getattr(_a, "optimizer", None), keras.optimizers.Adam),
       f"build_model() must return a model compiled with Adam; found optimizer {type(getattr(_a, 'optimizer', None)).__name__}.")
_lr = float(keras.ops.convert_to_numpy(_a.optimizer.learning_rate))
expect(abs(_lr - 0.001) < 1e-9, f"the default learning rate must be 0.001 (the post's), found {_lr:g}.")
_c = build_model(learning_rate=0.01, dropout_rate=0.25)
_lr = float(keras.ops.convert_to_numpy(_c.optimizer.learning_rate))
expect(abs(_lr - 0.01) < 1e-9, f"build_model(learning_rate=0.01) must use that learning rate, found {_lr:g}.")
_rates = [float(l.rate) for l in leaf_layers(_c) if isinstance(l, layers.Dropout)]
expect(_rates == [0.25] * 4, f"build_model(dropout_rate=0.25) should give four Dropout(0.25) layers, found rates {_rates}.")
_x = np.random.default_rng(4).random((4, 32, 32, 3)).astype("float32")
_p = np.asarray(_a(_x, training=False))
expect_shape(_p, (4, 10), "build_model()(4 images)")
expect_close(_p.sum(axis=1), np.ones(4), "each output row must be probabilities summing to 1 (softmax)", atol=1e-4)
_weights = (_a.get_compile_config() or {}).get("loss_weights")
expect(not _weights, f"build_model() compiles with loss_weights={_weights!r}: in Keras 3 the third positional argument "
       "of compile() is loss_weights, not metrics - write metrics=['accuracy'] by keyword.")
_probs = np.full((2, 10), 0.02, dtype="float32")
_probs[0, 0] = _probs[1, 3] = 0.82
_want = -np.mean(np.log([0.82, 0.02]))
try:
    _loss = float(keras.ops.convert_to_numpy(_a.compute_loss(y=np.array([[0], [5]]), y_pred=_probs)))
except Exception as _e:
    _loss = course_text("an error ({0})", f"{type(_e).__name__}: {str(_e)[:200]}")
expect(isinstance(_loss, float) and abs(_loss - _want) < 1e-3,
       "the model's loss must be the sparse categorical cross-entropy of its probabilities, for integer labels of "
       f"shape (N, 1): on a hand-made batch it should be {_want:.4f}, found {_loss}. Compile with "
       "loss='sparse_categorical_crossentropy' (the post's 'categorical_crossentropy' needs one-hot labels; "
       "from_logits=True would treat the softmax outputs as logits).")
_h = _a.train_on_batch(_x, np.array([[0], [1], [2], [3]]), return_dict=True)
expect("accuracy" in _h, f"compile with metrics=['accuracy']; a training step reported only {sorted(_h)}.")
expect(np.isfinite(_h["loss"]) and _h["loss"] < 5,
       f"the loss of a training step on integer labels should be a small finite number, found {_h['loss']}.")
### END HIDDEN TESTS

# %% [code]
model = build_model()
model.summary()
print(f"count_params() = {model.count_params():,} (the post: 132,435)")

# %% [markdown]
# ## 6. What went wrong in the original, bug 2: one model appended four times
# The post builds its model once, as `tf.model`, and then builds the "ensemble" like this:
#
# ```python
# models = []
# for m in range(num_models):
#     models.append(tf.model)
# ```
#
# `append` stores a *reference* to the object, not a copy. The list holds the same model four times, so
# the loop that "trains each member" for 15 epochs trains **one** model for 60 epochs.
#
# First, the training settings for the rest of the lesson: in full mode the post's batch size and dropout
# rate; fast mode's smaller values are explained in section 8.

# %% [code]
BATCH_SIZE = by_mode(fast=32, full=100)
DROPOUT_RATE = by_mode(fast=0.2, full=0.5)     # fast mode: a lower rate, see section 8
print(f"batch size {BATCH_SIZE}, dropout rate {DROPOUT_RATE} ({MODE} mode)")

# %% [markdown]
# Now let us run the post's loop (with 5 epochs per "member" instead of 15) and collect the evidence. This
# demonstration and the cell after it are **optional**: in full mode they train 4 x 5 epochs on all images
# (a quarter of this lesson's training time); nothing later in the notebook needs them.

# %% [code] optional=yes
BUG_EPOCHS = by_mode(fast=1, full=5)
BUG_N = by_mode(fast=500, full=len(x_train))   # the evidence needs no more data than this

the_model = build_model(dropout_rate=DROPOUT_RATE)
post_models = []
for m in range(4):
    post_models.append(the_model)          # the post's loop
print("models[0] is models[3]:", post_models[0] is post_models[3])
print("distinct objects in the list:", len({id(m) for m in post_models}))

post_sum = np.zeros((len(x_test), 10))
for i, m in enumerate(post_models):
    m.fit(x_train[:BUG_N], y_train[:BUG_N], epochs=BUG_EPOCHS, batch_size=BATCH_SIZE,
          verbose=0, callbacks=[EpochLog(f"'member' {i + 1}")])
    p = m.predict(x_test, verbose=0)
    post_sum += p                          # the post sums each "member's" predictions right after its fit
    print(f"'member' {i + 1}: optimizer steps so far {int(m.optimizer.iterations):4d}, "
          f"test accuracy {np.mean(p.argmax(1) == y_test[:, 0]):.3f}")

# %% [markdown]
# The step counter keeps growing: "member" 4 continues where "member" 3 stopped - it is one model trained
# four times as long, not a fresh one. (Each `fit` call counts its epochs from 1 again, which is why the
# epoch lines alone do not show it.) What does that do to the result? Once the loop is over, every
# "member" *is* the last model, so they all predict the same thing and averaging them gives back exactly
# that one model:

# %% [code] optional=yes
after = [m.predict(x_test, verbose=0) for m in post_models]
print("all four 'members' give identical predictions:", all(np.array_equal(after[0], a) for a in after))
print(f"single model {np.mean(after[0].argmax(1) == y_test[:, 0]):.3f} | 'ensemble' of the four "
      f"{np.mean(np.mean(after, axis=0).argmax(1) == y_test[:, 0]):.3f}")

# %% [markdown]
# The post's 70.06 % is the *running sum* it built inside the loop: the predictions of one model after 15,
# 30, 45 and 60 epochs. Averaging snapshots of one run can help a little (it smooths an overfitting model:
# the post's last model has 80 % training but 66 % test accuracy), but it is not an ensemble of four models,
# and it cost 60 epochs of training. Nothing about "four independent models" was measured.
#
# ## 7. Exercise: train independent members
# Write `train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0)`.
# It gets the **factory** (`build_fn`, e.g. `build_model`), not a model: for each member call `build_fn()`
# to get a new model, `fit` it on `(x, y)` with `epochs` and `batch_size` (and `verbose`), and collect it.
# When `member_callbacks` is given, it is a function of the member index (0, 1, ...) that returns that
# member's list of callbacks - pass it to `fit(..., callbacks=...)`. Return the list of trained models.

# %% [answer] id=train_members from=train_members

# %% [tests] id=train_members_visible points=2
def _tiny_model():
    _m = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    _m.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    return _m
keras.utils.set_random_seed(0)
_x = np.random.default_rng(0).random((12, 4)).astype("float32")
_y = np.arange(12) % 3
_err = ""
try:
    _members = train_members(_tiny_model, 3, _x, _y, epochs=2, batch_size=4)
except Exception as _e:
    _err = f"{type(_e).__name__}: {str(_e)[:300]}"
expect(not _err, f"train_members(_tiny_model, 3, x, y, epochs=2, batch_size=4), without member_callbacks, raised {_err}"
       + (" - member_callbacks is None when it is not given: call it only when it is." if "NoneType" in _err else ""))
expect(isinstance(_members, list) and len(_members) == 3,
       f"train_members(..., num_models=3, ...) must return a list of 3 models; found {type(_members).__name__} "
       f"of length {len(_members) if hasattr(_members, '__len__') else '?'}.")
expect(len({id(_m) for _m in _members}) == 3,
       "train_members returned the SAME model object more than once (the original post's bug): "
       "call build_fn() once per member, inside the loop.")
_steps = [int(_m.optimizer.iterations) for _m in _members]
expect(_steps == [6] * 3, f"each member should be trained 2 epochs x 3 batches = 6 steps; found {_steps}"
       + (" - epochs and batch_size are swapped: pass them to fit by keyword." if _steps == [24] * 3 else "."))
check_passed("train_members: three distinct models, each trained for its own 6 steps.")

# %% [tests] id=train_members_hidden points=2
# Hidden tests for train_members run here when your notebook is graded.
### BEGIN HIDDEN TESTS
keras.utils.set_random_seed(5)
_built = []
def _counting_model():
    _m = keras.Sequential([keras.Input((5,)), layers.Dense(4, activation="softmax")])
    _m.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    _built.append(_m)
    return _m
class _EpochCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = 0
    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1
_asked, _counters = [], {}
def _callbacks_for(i):
    _asked.append(int(i))
    _counters[int(i)] = _EpochCounter()
    return [_counters[int(i)]]
_x = np.random.default_rng(9).random((10, 5)).astype("float32")
_y = np.arange(10) % 4
_members = train_members(_counting_model, 4, _x, _y, epochs=3, batch_size=5, member_callbacks=_callbacks_for)
expect(len(_built) == 4, f"train_members must call build_fn() once per member (4 times), found {len(_built)} calls.")
expect(isinstance(_members, list) and len(_members) == 4 and len({id(_m) for _m in _members}) == 4,
       "train_members must return 4 distinct models (one new model per member, not one model appended 4 times).")
expect(all(any(_m is _b for _b in _built) for _m in _members), "the members must be the models build_fn() returned.")
_steps = [int(_m.optimizer.iterations) for _m in _members]
expect(_steps == [6] * 4, f"each member must be trained exactly 3 epochs x 2 batches = 6 steps; found {_steps}.")
_k = [_m.trainable_weights[0].numpy() for _m in _members]
expect(all(not np.allclose(_k[i], _k[j]) for i in range(4) for j in range(i + 1, 4)),
       "two members ended with the same weights: they are not independent models.")
expect(sorted(_asked) == [0, 1, 2, 3], f"member_callbacks must be called once per member index 0..3; it was called with {_asked}.")
expect(all(_c.epochs == 3 for _c in _counters.values()),
       f"each member's callbacks must be passed to its fit (expected 3 epochs each, counted {[c.epochs for c in _counters.values()]}).")
_one = train_members(_counting_model, 1, _x, _y, epochs=1, batch_size=10)
expect(isinstance(_one, list) and len(_one) == 1, "train_members(..., num_models=1, ...) must return a list of one model.")
### END HIDDEN TESTS

# %% [markdown]
# ## 8. Train the ensemble, with TensorBoard logs (as in the post)
# Like the post we log training with `keras.callbacks.TensorBoard(log_dir=..., histogram_freq=1)`, but with
# **one log directory per member** (`.../member_1`, `.../member_2`, ...): the post gave all four "members"
# one callback and one directory. In full mode the logs go to `logs/l03_ensemble/<date-time>/` next to the
# notebook; fast mode writes them to a temporary folder. The callback needs the `tensorboard` package
# (Colab has it); where it is missing we train without logging and say so. Each member also prints one
# line per epoch (`EpochLog`, from the setup cell): its loss and accuracy, the epoch's time and the time left.
#
# Full mode uses the post's settings: 4 members, 15 epochs, batch 100, all 50,000 images, `Dropout(0.5)`.
# Fast mode only has to show that everything works: 3 epochs on 1,000 images with batch 32, and
# `Dropout(0.2)`. Dropout at 0.5 in four layers trains each step with a random half of every hidden layer's
# units, which slows the start of training - a price a long run pays back as less overfitting, and one that
# 3 short epochs cannot afford. The layers and the 132,435 parameters stay the same; only the rate passed to
# the factory changes.

# %% [code]
NUM_MODELS = 4
EPOCHS = by_mode(fast=3, full=15)
HAVE_TENSORBOARD = importlib.util.find_spec("tensorboard") is not None
if FAST:
    LOG_FOLDER = tempfile.TemporaryDirectory(prefix="l03-logs-")  # removed when the kernel stops
    LOG_ROOT = LOG_FOLDER.name
else:
    LOG_ROOT = os.path.join("logs", "l03_ensemble", datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))


def callbacks_for(i):
    """Member i prints one line per epoch and logs into its own folder, LOG_ROOT/member_<i+1>."""
    callbacks = [EpochLog(f"member {i + 1}")]
    if HAVE_TENSORBOARD:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=os.path.join(LOG_ROOT, f"member_{i + 1}"),
                                                     histogram_freq=1))
    return callbacks


def member_factory():
    return build_model(dropout_rate=DROPOUT_RATE)


print(f"{NUM_MODELS} members x {EPOCHS} epochs, batch {BATCH_SIZE}, dropout {DROPOUT_RATE}; TensorBoard logs: "
      + (LOG_ROOT if HAVE_TENSORBOARD else "off (the tensorboard package is not installed here)"))
_t = time.perf_counter()
members = train_members(member_factory, NUM_MODELS, x_train, y_train, EPOCHS, BATCH_SIZE,
                        member_callbacks=callbacks_for, verbose=0)
print(f"trained {len(members)} members in {time.perf_counter() - _t:.1f} s; "
      f"models[0] is models[-1]: {members[0] is members[-1]}")

# %% [code]
fig, ax = plt.subplots(figsize=(7, 3.5))
for i, m in enumerate(members):
    _acc = m.history.history["accuracy"]
    ax.plot(range(1, len(_acc) + 1), _acc, marker="o", label=f"member {i + 1}")
ax.set_xticks(range(1, len(_acc) + 1))
ax.set_xlabel("epoch")
ax.set_ylabel("training accuracy")
ax.set_title(f"Training accuracy of each member ({MODE} mode)")
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ### Viewing the logs in TensorBoard
# In **Colab** (or Jupyter with `tensorboard` installed), run in a code cell:
#
# ```
# %load_ext tensorboard
# %tensorboard --logdir logs/l03_ensemble
# ```
#
# On your own machine you can also run `tensorboard --logdir logs/l03_ensemble` in a terminal and open
# http://localhost:6006. Each member appears as its own run, so you can compare their curves. The next cell
# (optional) opens TensorBoard for you in Colab; elsewhere it prints the command to run.

# %% [code] optional=yes
if "google.colab" in sys.modules and HAVE_TENSORBOARD:
    get_ipython().run_line_magic("load_ext", "tensorboard")
    get_ipython().run_line_magic("tensorboard", f"--logdir {LOG_ROOT}")
else:
    print(f"To look at the logs: tensorboard --logdir {LOG_ROOT}")

# %% [markdown]
# ## 9. Exercise: average the members' predictions
# Write two functions:
# - `ensemble_predict(models, x)`: the **average** of the members' softmax outputs,
#   `model.predict(x, verbose=0)` for each - an `(N, n_classes)` NumPy array whose rows still sum to 1. (The
#   post *sums* them; the argmax is the same, but an average is still a probability.)
# - `accuracy(probabilities, labels)`: the fraction of rows whose most probable class (`argmax`) equals the
#   label, as a float in `[0, 1]` (a Python or NumPy float, not a tensor); labels may have shape `(N,)` or
#   `(N, 1)`.
#
# Averaging probabilities is not the same as a majority vote: a confident member can outvote two unsure ones.

# %% [answer] id=ensemble from=ensemble_predict,accuracy

# %% [tests] id=ensemble_visible points=2
class _FixedModel:
    """A fake member: for the one-hot input e_j it outputs row j of ``table`` (rows are probabilities).
    Like a Keras model it has predict(x, verbose=0) and can be called, model(x)."""
    def __init__(self, table):
        self.table = np.asarray(table, dtype="float32")
    def predict(self, x, verbose=0, **kwargs):
        return self.table[np.asarray(x).argmax(axis=1)]
    def __call__(self, x, training=False, **kwargs):
        return self.predict(x)
def _not_an_average(found, tables):
    """What an ensemble_predict output that is not the members' average looks like ("" if nothing known)."""
    k, (n, c) = len(tables), tables[0].shape
    if not isinstance(found, np.ndarray):
        return course_text("a {0}, not a NumPy array (convert a tensor with .numpy())", type(found).__name__)
    if found.shape == (n,):
        return course_text("one number per input, shape {0}: return the averaged probabilities, not class indices (no argmax)",
                           found.shape)
    if found.shape in ((k, c), (k, n)):
        return course_text("shape {0}, an average over the inputs instead of over the members: "
                           "average the stacked predictions over axis 0", found.shape)
    if found.shape == (k, n, c):
        return course_text("shape {0}, the members' predictions not averaged: average them over axis 0", found.shape)
    if found.shape == (n, c) and np.allclose(found, sum(tables), atol=1e-5):
        return course_text("the sum of the members' outputs (the post's): divide by the number of members")
    if found.shape == (n, c) and np.allclose(found * k, np.round(found * k), atol=1e-5):
        return course_text("vote fractions: the argmax was taken before averaging; average the probabilities themselves")
    return ""
_fixed_model = _FixedModel
_p1 = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
_p2 = np.array([[0.5, 0.4, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
_x = np.eye(3, dtype="float32")
_avg = ensemble_predict([_fixed_model(_p1), _fixed_model(_p2)], _x)
_why = _not_an_average(_avg, [_p1, _p2])
expect(not _why, f"ensemble_predict of two members on 3 inputs should be their average, shape (3, 3); found {_why}.")
expect_close(_avg, (_p1 + _p2) / 2, "ensemble_predict of two members (the average of their outputs)", atol=1e-5)
_acc = accuracy(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]), np.array([1, 1, 1, 0]))
expect(isinstance(_acc, (float, np.floating)),
       f"accuracy(...) must return a float, found {type(_acc).__name__} {_acc!r} (convert it with float(...)).")
expect(abs(float(_acc) - 0.75) < 1e-6, f"accuracy(...) should be 0.75 (3 of 4 right), found {float(_acc)!r}"
       + (": a fraction in [0, 1], not a percentage." if abs(float(_acc) - 75) < 1e-4 else
          ": the fraction of right rows, not their number." if abs(float(_acc) - 3) < 1e-6 else "."))
check_passed("ensemble_predict: the average of two members on a hand-made example; accuracy: 0.75 on 4 rows with labels of shape (N,).")

# %% [tests] id=ensemble_hidden points=2
# Hidden tests for ensemble_predict and accuracy run here when your notebook is graded.
### BEGIN HIDDEN TESTS
class _HiddenFixedModel:
    def __init__(self, table):
        self.table = np.asarray(table, dtype="float32")
    def predict(self, x, verbose=0, **kwargs):
        return self.table[np.asarray(x).argmax(axis=1)]
    def __call__(self, x, training=False, **kwargs):
        return self.predict(x)
def _hidden_not_an_average(found, tables):
    k, (n, c) = len(tables), tables[0].shape
    if not isinstance(found, np.ndarray):
        return course_text("a {0}, not a NumPy array", type(found).__name__)
    if found.shape != (n, c):
        return course_text("shape {0}: average the members' (N, n_classes) outputs over the members (axis 0)", found.shape)
    if np.allclose(found, sum(tables), atol=1e-5):
        return course_text("the sum of the members' outputs: divide by the number of members")
    if np.allclose(found * k, np.round(found * k), atol=1e-5):
        return course_text("vote fractions: the argmax was taken before averaging; average the probabilities themselves")
    return ""
_fixed_model = _HiddenFixedModel
_a = np.array([[0.90, 0.05, 0.05], [0.2, 0.2, 0.6]])
_b = np.array([[0.35, 0.60, 0.05], [0.5, 0.3, 0.2]])
_c = np.array([[0.35, 0.60, 0.05], [0.1, 0.8, 0.1]])
_x = np.eye(2, dtype="float32")
_avg = ensemble_predict([_fixed_model(_a), _fixed_model(_b), _fixed_model(_c)], _x)
_why = _hidden_not_an_average(_avg, [_a, _b, _c])
expect(not _why, f"ensemble_predict of 3 members on 2 inputs should be their average, shape (2, 3); found {_why}.")
expect_close(_avg.sum(axis=1), np.ones(2), "each row of ensemble_predict must sum to 1 (average, do not sum)", atol=1e-5)
expect(int(_avg[0].argmax()) == 0, "averaging probabilities: one confident member (0.90) outweighs two unsure ones (0.60); "
       f"row 0 should predict class 0, found {int(_avg[0].argmax())}.")
expect_close(_avg, (_a + _b + _c) / 3, "ensemble_predict of three members", atol=1e-5)
expect_close(ensemble_predict([_fixed_model(_b)], _x), _b, "ensemble_predict of a single member (its own output)", atol=1e-5)
_probs = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.4, 0.35, 0.25], [0.3, 0.3, 0.4]])
_acc = accuracy(_probs, np.array([[1], [0], [2], [1], [0]]))
expect(isinstance(_acc, (float, np.floating)) and abs(float(_acc) - 0.6) < 1e-6,
       f"accuracy with labels of shape (5, 1) should be 0.6 (3 of 5 right), found {_acc!r}"
       + (": compare with the labels flattened to shape (5,) - (5,) == (5, 1) broadcasts to a (5, 5) table."
          if isinstance(_acc, (float, np.floating)) and abs(float(_acc) - 0.32) < 1e-6 else "."))
_acc = accuracy(_probs, np.array([2, 2, 0, 1, 1]))
expect(isinstance(_acc, (float, np.floating)) and abs(float(_acc)) < 1e-6,
       f"accuracy should be 0.0 when every prediction is wrong, found {_acc!r}.")
### END HIDDEN TESTS

# %% [markdown]
# ## 10. The ensemble against its members
# Each member's test accuracy, their mean, and the averaged ensemble's. (What full mode should print is at
# the end of the notebook.)

# %% [code]
member_probs = [m.predict(x_test, verbose=0) for m in members]
member_acc = [accuracy(p, y_test) for p in member_probs]
ensemble_probs = ensemble_predict(members, x_test)
ensemble_acc = accuracy(ensemble_probs, y_test)

print(f"{'model':<12}{'test accuracy':>15}")
for i, acc in enumerate(member_acc):
    print(f"{'member ' + str(i + 1):<12}{acc:>15.2%}")
print(f"{'mean member':<12}{np.mean(member_acc):>15.2%}")
print(f"{'ENSEMBLE':<12}{ensemble_acc:>15.2%}")
print(f"ensemble - mean member: {100 * (ensemble_acc - np.mean(member_acc)):+.2f} points; "
      f"ensemble - best member: {100 * (ensemble_acc - max(member_acc)):+.2f} points")

# %% [code]
growing = [accuracy(np.mean(member_probs[:k], axis=0), y_test) for k in range(1, NUM_MODELS + 1)]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
names = [f"member {i + 1}" for i in range(NUM_MODELS)] + ["ensemble"]
ax1.bar(names, [100 * a for a in member_acc + [ensemble_acc]], color=["tab:blue"] * NUM_MODELS + ["tab:red"])
ax1.axhline(100 * np.mean(member_acc), color="black", linestyle="--", label="mean member")
ax1.set_xlabel("model")
ax1.set_ylabel("test accuracy (%)")
ax1.set_title("Each member vs the averaged ensemble")
ax1.legend()
ax2.plot(range(1, NUM_MODELS + 1), [100 * a for a in growing], marker="o")
ax2.set_xticks(range(1, NUM_MODELS + 1))
ax2.set_xlabel("members averaged")
ax2.set_ylabel("test accuracy (%)")
ax2.set_title("Ensemble accuracy as members are added")
ax2.grid(alpha=0.3)
fig.suptitle(f"CIFAR-10 ensemble ({MODE} mode, {len(x_test)} test images)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 11. Ten random test images: actual vs predicted
# The post prints ten random test images' true and predicted classes; here they are as pictures (red titles
# are mistakes of the ensemble).

# %% [code]
pick = np.random.default_rng(0).choice(len(x_test), size=10, replace=False)
show_image_grid(x_test[pick], y_test[pick], class_names=CIFAR10_CLASSES,
                predictions=ensemble_probs[pick].argmax(axis=1), rows=2, cols=5,
                title="Ten random test images: actual vs ensemble's prediction")

# %% [code]
wall, cpu = time.perf_counter() - LESSON_START, time.process_time() - LESSON_CPU_START
print(f"{MODE} mode: the notebook ran in {wall:.0f} s (this kernel used {cpu:.0f} s of CPU time)")
print(f"members {', '.join(f'{a:.1%}' for a in member_acc)} | mean {np.mean(member_acc):.1%} | "
      f"best {max(member_acc):.1%} | ensemble {ensemble_acc:.1%}")
print("ensemble >= mean member:", ensemble_acc >= np.mean(member_acc),
      "| ensemble beats the best member:", ensemble_acc > max(member_acc))

# %% [markdown]
# ## Summary
# - Scale `uint8` pixels by **255**; the post's `/ 225` pushes every pixel brighter than 225 above 1.0.
# - The parameter count of a summary pins down an architecture: here 4x4 kernels, `"same"` padding, a
#   pooling after every convolution (Flatten = 2·2·30 = 120) and 132,435 parameters.
# - `list.append(model)` stores a reference: four appends of one model are one model. An ensemble needs a
#   **factory** called once per member; check `models[0] is models[3]` and the optimizer's step counter.
# - Average the members' softmax outputs; the ensemble is usually better than its average member, often
#   better than its best one.
# - One TensorBoard log directory per member; `%load_ext tensorboard` and `%tensorboard --logdir ...` in Colab.
#
# ### What to expect in full mode
# - **The post's figures:** 66 % test accuracy for its last model and 70.06 % for its "ensemble" - which, as
#   section 6 shows, is one model trained for 60 epochs, its predictions summed after 15, 30, 45 and 60 epochs.
# - **The bug demonstration (section 6)** does not depend on the data: `models[0] is models[3]` is `True`,
#   the optimizer's step counter reaches 2,500, 5,000, 7,500 and 10,000 (50,000 images / batch 100 x 5
#   epochs per "member"), and all four "members" predict identically.
# - **Four independent members of 15 epochs (section 10):** each member at roughly **58-67 %** test
#   accuracy, and the averaged ensemble **2-5 points above the mean member**, often above the best
#   member too. These ranges are our estimate, not a measurement: the post reports no 15-epoch model (its
#   66 % comes after 60 epochs), and the gain is the usual one for averaging a few small CNNs.
# - **Fast mode:** the members train for seconds on 1,000 images and stay far below these accuracies;
#   its numbers say nothing about the real ones.
