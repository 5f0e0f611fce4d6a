# %% [markdown] cell=md-01 en=37c9cb3cc9
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

# %% [markdown] cell=md-02 en=068d081e98
# ## Imports
# The post imports from both `tensorflow.keras` and the stand-alone `keras` package. In 2020 those were two
# different libraries, and mixing their layers in one model could fail in confusing ways. Since TensorFlow
# 2.16 both names lead to the same Keras 3, so we just `import keras`.

# %% [markdown] cell=md-03 en=ae35cf0e82
# ## 1. The data: CIFAR-10
# 60,000 colour images of 32x32 pixels in 10 classes: 50,000 for training and 10,000 for testing.
# `load_cifar10()` (from the setup cell) returns exactly what `keras.datasets.cifar10.load_data()` returns
# (it downloads the 170 MB archive the first time and reuses it while the runtime lasts). The labels have
# shape `(N, 1)`: one integer 0-9 per image, and `CIFAR10_CLASSES` gives their names.

# %% [code] cell=code-02 en=887cf0676d
(x_train, y_train), (x_test, y_test) = load_cifar10()
print("train:", x_train.shape, x_train.dtype, "| labels:", y_train.shape, y_train.dtype)
print("test: ", x_test.shape, "| classes:", ", ".join(CIFAR10_CLASSES))

# %% [markdown] cell=md-04 en=d207f8fc34
# In fast mode we keep small subsets, so the whole notebook runs in about a minute on a CPU. In
# full mode you use everything, like the post.

# %% [code] cell=code-03 en=406dbee373
N_TRAIN, N_TEST = by_mode(fast=(1000, 1000), full=(len(x_train), len(x_test)))
x_train, y_train = x_train[:N_TRAIN], y_train[:N_TRAIN]
x_test, y_test = x_test[:N_TEST], y_test[:N_TEST]
print(f"Using {len(x_train)} training and {len(x_test)} test images.")

# %% [markdown] cell=md-05 en=0a360f7b6d
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

# %% [answer] cell=split_validation en=8b323867ee
def split_validation(x_test, y_test, n_val=5000):
    """Split a test set in two, in order, without loops: the first ``n_val`` examples become
    the validation set, the rest the held-out test set. Return ((x_val, y_val), (x_rest, y_rest)).
    Raise ValueError when ``n_val`` is not between 0 and len(x_test)."""
    ### BEGIN SOLUTION
    x_test, y_test = np.asarray(x_test), np.asarray(y_test)
    if not 0 <= n_val <= len(x_test):
        raise ValueError(f"n_val must lie between 0 and {len(x_test)} (the test set's size), not {n_val}")
    return (x_test[:n_val], y_test[:n_val]), (x_test[n_val:], y_test[n_val:])
    ### END SOLUTION

# %% [tests] cell=split_validation_hidden en=e7fbf39ea6
# Hidden tests for split_validation run here when your notebook is graded.

# %% [markdown] cell=md-06 en=f3090d3993
# The real test set has 10,000 images, so `n_val = len(x_test) // 2` is the post's 5,000. In fast mode the
# test subset is smaller (at most 1,000 images), and the same line still gives two equal halves.
#
# The post also feeds the raw pixel values 0-255 to the network. We scale them to `[0, 1]`: the usual
# practice: Keras's default weight initialisation is scaled for inputs of order 1, and 0-255 would make the
# first layer's outputs 255 times larger from the first step. (This changes no parameter count.)

# %% [code] cell=code-04 en=1b949afb79
(x_val, y_val), (x_test, y_test) = split_validation(x_test, y_test, n_val=len(x_test) // 2)
print("train:", x_train.shape, y_train.shape)
print("valid:", x_val.shape, y_val.shape)
print("test: ", x_test.shape, y_test.shape)
x_train, x_val, x_test = (a.astype("float32") / 255.0 for a in (x_train, x_val, x_test))

# %% [markdown] cell=md-07 en=2d51d8fde2
# Like the post, look at the first 25 images of the new test set to check that images and labels still
# belong together after the split.

# %% [code] cell=code-05 en=de59f4a542
show_image_grid(x_test, y_test, class_names=CIFAR10_CLASSES, rows=5, cols=5,
                title="The held-out test set: first 25 images and their classes")

# %% [markdown] cell=md-08 en=b7ebcfc2f0
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

# %% [answer] cell=build_model en=550946532f
def build_model(input_shape=(32, 32, 3), num_classes=10):
    """Return a NEW functional keras.Model named "VGG16_Brief": three blocks of a 3x3 'same' ReLU
    Conv2D (32, 64, 128 filters), a Dropout (0.256, 0.25, 0.25) and a 2x2 MaxPooling2D; then
    Flatten, Dense(512, ReLU), Dropout(0.5) and Dense(num_classes, softmax). Layer names as in
    the lesson's table."""
    ### BEGIN SOLUTION
    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
        x = layers.Conv2D(filters, (3, 3), padding="same", activation="relu", name=f"block{block}_conv")(x)
        x = layers.Dropout(rate, name=f"block{block}_dropout")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(512, activation="relu", name="fc")(x)
    x = layers.Dropout(0.5, name="fc_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    ### END SOLUTION

# %% [tests] cell=build_model_hidden en=f1c9db8cac
# Hidden tests for build_model run here when your notebook is graded.

# %% [markdown] cell=md-09 en=4301eea0fb
# ### What went wrong in the original: `output=`
# The post ends its function with `model = Model(inputs=img_input, output = x)`. The keyword is
# **`outputs`**, plural, like `inputs`. The stand-alone Keras 2 the post imported `Model` from still
# accepted the Keras 1 spelling `output=` (with a deprecation warning); `tf.keras` and Keras 3 reject it.
# The cell below shows what that line does today.

# %% [code] cell=code-06 en=7b5c8c81c8
_inputs = keras.Input(shape=(32, 32, 3))
_x = layers.Dense(10, activation="softmax")(layers.Flatten()(_inputs))
try:
    keras.Model(inputs=_inputs, output=_x)  # the post's spelling
except (TypeError, ValueError) as err:
    print(f"The post's line fails: {type(err).__name__}: {str(err).split(':')[0]}.")
print("With outputs=:", keras.Model(inputs=_inputs, outputs=_x).output_shape)

# %% [markdown] cell=md-10 en=7fb1102de1
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

# %% [answer] cell=compile_model en=87bb4c96b7
def compile_model(model, learning_rate=1e-3):
    """Compile ``model`` with Adam(learning_rate), sparse categorical cross-entropy and the
    "accuracy" metric; return the model."""
    ### BEGIN SOLUTION
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=["accuracy"])
    return model
    ### END SOLUTION

# %% [tests] cell=compile_model_hidden en=6a0d1ab6bc
# Hidden tests for compile_model run here when your notebook is graded.

# %% [markdown] cell=md-11 en=2564bace3d
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

# %% [answer] cell=make_callbacks en=07bb28eba7
def make_callbacks():
    """Return the list of training callbacks: one ReduceLROnPlateau that divides the learning
    rate by 10 when val_loss has not improved for 5 epochs, never going below 1e-5."""
    ### BEGIN SOLUTION
    return [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=5, factor=0.1,
                                              min_lr=1e-5, verbose=1)]
    ### END SOLUTION

# %% [tests] cell=make_callbacks_hidden en=edb1a8aba8
# Hidden tests for make_callbacks run here when your notebook is graded.

# %% [markdown] cell=md-12 en=58d200c347
# ## 6. Exercise: train
# Write `train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256,
# verbose="auto")` that calls `model.fit` on the training set for `epochs` epochs in batches of `batch_size`,
# with `validation_data=(x_val, y_val)` (evaluated after every epoch: the `val_` curves, and what
# `ReduceLROnPlateau` watches) and the given `callbacks`, and returns the `History` that `fit` returns.
# The post uses batches of 256 and 100 epochs. `verbose` goes to `fit` as it is: the notebook passes
# `verbose=0` together with a callback that prints one line per epoch.

# %% [answer] cell=train_model en=62aaab3009
def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
    """Fit a compiled ``model`` on the training set for ``epochs`` epochs in batches of
    ``batch_size``, validating on (x_val, y_val) after every epoch and passing ``callbacks``
    to fit; return the History object."""
    ### BEGIN SOLUTION
    return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                     validation_data=(x_val, y_val), callbacks=list(callbacks), verbose=verbose)
    ### END SOLUTION

# %% [tests] cell=train_model_hidden en=e3d8ab2ec5
# Hidden tests for train_model run here when your notebook is graded.

# %% [markdown] cell=md-13 en=887f500b8b
# ## 7. Train the model
# Full mode trains like the post: 100 epochs on all 50,000 images, batches of 256 (about 5-10 minutes on a
# Colab T4, estimated). Fast mode trains 2 epochs on the subset, just to show the whole pipeline works.
# Keras's own progress output would print two lines an epoch (200 in full mode), so the cell passes
# `verbose=0` and adds `EpochLog` (from the setup cell): one line per epoch with the loss and accuracy of
# training and validation, the epoch's seconds and the time left. `ReduceLROnPlateau` adds a line when it
# lowers the learning rate.

# %% [code] cell=code-08 en=381d0882fd
EPOCHS = by_mode(fast=2, full=100)
model = compile_model(build_model())
history = train_model(model, x_train, y_train, x_val, y_val, EPOCHS,
                      callbacks=[*make_callbacks(), EpochLog("VGG16 brief")], batch_size=256, verbose=0)

# %% [markdown] cell=md-14 en=9760a990cb
# ## 8. Evaluate on the held-out test half
# The validation half steered training (the learning-rate schedule looked at it), so only the *other* half
# gives an honest final score. `evaluate` returns the loss and the accuracy we compiled with.

# %% [code] cell=code-09 en=5f6b43cb51
test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
print(f"test loss: {test_loss:.4f} | test accuracy: {test_acc * 100:.2f}% on {len(x_test)} held-out images")

# %% [markdown] cell=md-15 en=11f5d7fc89
# ## 9. Learning curves
# The post plots accuracy and loss for training and validation in two figures. `plot_history` draws both,
# one panel each, from `history.history` (`loss`, `accuracy`, `val_loss`, `val_accuracy`). A training curve
# that keeps improving while the validation curve stalls or rises is overfitting; dropout is the post's
# defence against it.

# %% [code] cell=code-10 en=3ba778a0dd
plot_history(history, title=f"VGG16 brief on CIFAR-10 ({MODE} mode): training vs validation")

# %% [markdown] cell=md-16 en=34a0f68553
# `ReduceLROnPlateau` writes the learning rate of every epoch into the history as `learning_rate`. In full
# mode you will see at most two steps down by a factor of 10 (on a log scale they are equal steps), each
# after 5 epochs without a better `val_loss` (the possible third message only rounds the rate: no visible
# step); in fast mode the two epochs are too few for it to act.

# %% [code] cell=code-11 en=489a0c6f43
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

# %% [markdown] cell=md-17 en=bd752503c6
# ## 10. Beyond the post: which classes get confused?
# The confusion matrix counts, for every true class (row), how often the model predicted each class
# (column); the diagonal is what it got right. Below it, some test images with their predicted class (red
# when wrong).

# %% [code] cell=code-12 en=e3b2272eae
y_pred = model.predict(x_test, batch_size=256, verbose=0).argmax(axis=1)
y_true = y_test.reshape(-1)
plot_confusion_matrix(tf.math.confusion_matrix(y_true, y_pred, num_classes=10).numpy(),
                      class_names=CIFAR10_CLASSES, title="CIFAR-10 held-out test set: true vs predicted class")
show_image_grid(x_test, y_true, class_names=CIFAR10_CLASSES, predictions=y_pred, rows=3, cols=8,
                title="Held-out test images: true and predicted class (red = wrong)")

# %% [markdown] cell=md-18 en=2e1a5beed0
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
