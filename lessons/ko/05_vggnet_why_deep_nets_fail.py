# %% [markdown] cell=md-01 en=d904e98daf
# # Lesson 05 - VGGNet, and why a plain deep net can fail to learn at all
#
# *Reproduces the post "12. VGGNet": a tour of VGGNet followed by a VGG16 **without BatchNorm** trained on
# CIFAR-10 (Dense 4096-4096-10, **33,638,218 parameters**, Adam with its default settings, batch 32,
# 10 epochs, `validation_split=0.2`). The post's model printed **loss 2.3026 and about 10 % accuracy on
# every epoch**, and the same on the test set: it learned nothing, and the post does not say why.*
#
# This lesson takes the architecture apart (you will count its parameters by hand and check the
# count against Keras), explains what the number 2.3026 means, reproduces the failure on a small budget,
# measures *why* it happens layer by layer, and fixes it two ways.
#
# **You will:** count Conv2D/Dense parameters; build VGG16's parameter table for 224x224 and 32x32 inputs;
# compute the receptive field of stacked 3x3 convolutions; compute the loss of a network that has learned
# nothing; build the post's plain VGG16 and a VGG16 with BatchNorm.
#
# **How to work:** run the Workload cell and the setup cell first (in Colab: *Runtime > Change runtime
# type > GPU*). Fill in every cell marked `# TODO` (delete the `raise NotImplementedError()` line), then
# run the check cell below it. The checks you see are only part of the grade: hidden tests try your code
# on other inputs. When you are done, follow the *Ready to hand in?* cell at the end (your last run before
# handing in may be in fast mode).
#
# **Time and workload.** *Full* mode trains the post's 33.6-million-parameter VGG16 three times (the failing
# run and two fixes), 10 epochs of 40,000 images each, in float32 like the post. On a **Colab T4 GPU**
# expect about **15-30 minutes** (an estimate from the model's 0.66 billion floating-point operations per
# image and forward pass, not a measurement). For scale, on a data-centre GPU (an NVIDIA H200) one epoch of
# training steps, batch 32, float32, took 3.6 s (plain) and 4.8 s (BatchNorm) with Keras 3 on its JAX
# backend (every step compiled by XLA) and 24.7 s and 47.0 s on its PyTorch backend (eager, not compiled):
# the course's measurements of the same Keras models on random images; TensorFlow itself was not timed
# there. On a CPU full mode is not practical: the post's own run logged 1,184-1,435 s per epoch (1,250 steps
# of about 1 s; one training step took 1-1.7 s on the course's two-core CPU), 3.7 hours for its 10 epochs,
# so about **11 hours** for full mode's three runs. Without a GPU, full mode stops at the setup cell and
# says how to go on anyway.
#
# *Fast* mode (256 images, 3 epochs, a narrow version of the same 16-layer network) runs in about a minute
# anywhere. It shows the failure (the plain model's loss stays near `log(10)` = 2.3026 and its predictions
# hardly depend on the image) and the diagnosis (the signal fading layer by layer), but of the two fixes
# only the first signs: the BatchNorm model's training loss falls, and the He-initialised model's
# predictions start to depend on the image. Its accuracies, on a few hundred images, mean nothing. Choose
# in the **Workload** cell just below, before the setup cell.
#
# **What full mode should print** (section 11 gives the sources): the post's model stays at a loss of
# 2.302-2.304 and 9-11 % accuracy in every epoch, as in the post; the BatchNorm model reaches a test
# accuracy of about **70-82 %** after its 10 epochs; the plain model with He initialisation and Adam at
# 1e-4 about **60-80 %** (the course's estimate: not yet measured).

# %% [markdown] cell=md-02 en=702632c813
# ## 1. VGGNet in one page
# K. Simonyan and A. Zisserman, *Very Deep Convolutional Networks for Large-Scale Image Recognition*
# (ICLR 2015), came second in the ILSVRC 2014 classification task (ImageNet, 1000 classes). Their
# submission, an ensemble of 7 networks, had a **7.3 % top-5 error** on the ILSVRC test set - the post's
# "92.7 % top-5 accuracy"; after the challenge, an ensemble of just two networks (configurations D and E)
# brought it to **6.8 %** on the test set (the paper's Table 6, on fusing several networks; Table 7 sets
# these beside the other entries). The recipe:
#
# - input: a fixed **224x224x3** RGB crop; the only preprocessing is **subtracting the mean RGB value**
#   of the training set from every pixel;
# - only **3x3 convolutions** (one configuration also uses 1x1), **stride 1** and padding 1, so a
#   convolution keeps height and width;
# - **5 max-pooling layers** (2x2, stride 2), one after each block: 224 -> 112 -> 56 -> 28 -> 14 -> 7;
# - channels double after each pooling, 64 -> 128 -> 256 -> 512, and stay at 512 for the last block;
# - three fully connected layers: **4096, 4096, 1000**, then a **softmax**; ReLU everywhere else.
#
# VGG16 (the paper's configuration D) has 13 convolutions + 3 dense layers = 16 weight layers; VGG19 has
# 16 + 3. For CIFAR-10 the post keeps this architecture but feeds 32x32 images (scaled to [0, 1] instead of
# mean-subtracted) and ends in 10 classes.
#
# ## 2. Exercise: count parameters by hand
# A `Conv2D` layer with a `k`x`k` window, `c_in` input channels and `c_out` filters learns one
# `k*k*c_in` weight block per filter plus one bias per filter. A `Dense` layer from `n_in` inputs to
# `n_out` units learns an `n_in x n_out` matrix plus `n_out` biases. Write
# `conv_params(kernel, in_ch, out_ch, bias=True)` and `dense_params(n_in, n_out, bias=True)`
# (with `bias=False`, leave the biases out). Return integers (Python `int`; NumPy integers also do), not floats.

# %% [answer] cell=param_counts en=b04e8438ec
def conv_params(kernel, in_ch, out_ch, bias=True):
    """Parameters of a Conv2D layer with a square ``kernel`` x ``kernel`` window."""
    ### BEGIN SOLUTION
    return kernel * kernel * in_ch * out_ch + (out_ch if bias else 0)
    ### END SOLUTION


def dense_params(n_in, n_out, bias=True):
    """Parameters of a Dense layer from ``n_in`` inputs to ``n_out`` units."""
    ### BEGIN SOLUTION
    return n_in * n_out + (n_out if bias else 0)
    ### END SOLUTION

# %% [tests] cell=param_counts_hidden en=dced48c6ec
# Hidden tests for conv_params and dense_params run here when your notebook is graded.

# %% [markdown] cell=md-03 en=6d7ac1e622
# ## 3. Exercise: VGG16's parameter table
# Write `vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096)` returning one row per layer of
# the plain VGG16, in order, as a tuple `(name, output_shape, params)`:
#
# | block | layers (3x3 convolutions, `padding="same"`) | then |
# | --- | --- | --- |
# | 1 | `block1_conv1`, `block1_conv2`: 64 filters | `block1_pool` (2x2 max-pool, stride 2) |
# | 2 | `block2_conv1`, `block2_conv2`: 128 filters | `block2_pool` |
# | 3 | `block3_conv1` ... `block3_conv3`: 256 filters | `block3_pool` |
# | 4 | `block4_conv1` ... `block4_conv3`: 512 filters | `block4_pool` |
# | 5 | `block5_conv1` ... `block5_conv3`: 512 filters | `block5_pool` |
# | head | `flatten`, `fc1` (Dense `fc`), `fc2` (Dense `fc`), `predictions` (Dense `num_classes`) | |
#
# `input_shape` is `(height, width, channels)`; height and width need not be equal. `output_shape` leaves
# out the batch axis: `(32, 32, 64)` after `block1_conv1` at 32x32, `(512,)` after `flatten`. The pools are
# the post's `MaxPooling2D` with Keras' default `padding="valid"`: each halves height and width **rounding
# down** (a side of 5 becomes 2, a side of 3 becomes 1), unlike lesson 04's pools with `padding="same"`,
# which round up (5 becomes 3). Pooling and flattening have no parameters (0). These are the names
# `keras.applications.VGG16` uses. Compute each row yourself (a loop over the five blocks is enough); the
# total must match Keras: **33,638,218** for the post's CIFAR-10 model. The check below also tries a
# 48x40 input.

# %% [answer] cell=vgg16_param_table en=33d53c64a2
def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
    """The plain VGG16 as a list of ``(layer name, output shape, params)`` rows, one per layer:
    13 convolutions (3x3, 'same' padding), 5 max-pools (2x2, stride 2, 'valid' padding: each halves
    height and width, rounding down), Flatten, then Dense ``fc``, Dense ``fc`` and Dense
    ``num_classes``. ``input_shape`` is (height, width, channels), not necessarily square. Output
    shapes leave out the batch axis.
    Names follow keras.applications.VGG16: block1_conv1, ..., block1_pool, ..., flatten, fc1,
    fc2, predictions."""
    ### BEGIN SOLUTION
    height, width, channels = input_shape
    rows = []
    for block, (n_convs, filters) in enumerate(((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)), 1):
        for i in range(1, n_convs + 1):
            params = 3 * 3 * channels * filters + filters
            channels = filters
            rows.append((f"block{block}_conv{i}", (height, width, channels), params))
        height, width = height // 2, width // 2
        rows.append((f"block{block}_pool", (height, width, channels), 0))
    n_in = height * width * channels
    rows.append(("flatten", (n_in,), 0))
    for name, units in (("fc1", fc), ("fc2", fc), ("predictions", num_classes)):
        rows.append((name, (units,), n_in * units + units))
        n_in = units
    return rows
    ### END SOLUTION

# %% [tests] cell=vgg16_param_table_hidden en=212a4f1ac4
# Hidden tests for vgg16_param_table run here when your notebook is graded.

# %% [markdown] cell=md-04 en=76af268894
# The same network at both input sizes. The convolutions do not care about the image size (a 3x3 filter
# has the same weights everywhere), so the 13 convolutions hold **14,714,688** parameters in both, and
# `fc2` (4096 to 4096) is the same too. The difference, **104,719,326** parameters, is in two layers:
# `fc1`, which sees 7x7x512 = 25,088 values at 224x224 but only 1x1x512 = 512 at 32x32 (**100,663,296**
# parameters fewer), and `predictions`, with 10 outputs instead of 1000 (**4,056,030** fewer).

# %% [code] cell=code-02 en=2a56e6b4d2
def print_param_tables(*configs):
    tables = [vgg16_param_table(*cfg) for cfg in configs]
    head = "".join(f" | {f'{s[0]}x{s[1]}x{s[2]}, {k} classes':^38}" for s, k in configs)
    print(f"{'layer':<14}{head}")
    print(f"{'':<14}" + f" | {'output shape':<22}{'params':>16}" * len(tables))
    for rows in zip(*tables):
        print(f"{rows[0][0]:<14}" + "".join(f" | {str(r[1]):<22}{r[2]:>16,}" for r in rows))
    print(f"{'total':<14}" + "".join(f" | {'':<22}{sum(r[2] for r in t):>16,}" for t in tables))
    conv = [sum(r[2] for r in t if "conv" in r[0]) for t in tables]
    print("parameters in the 13 convolutions:", ", ".join(f"{c:,}" for c in conv))
    for a, b in zip(tables, tables[1:]):
        diff = [(r[0], r[2] - q[2]) for r, q in zip(a, b) if r[2] != q[2]]
        print("layers whose counts differ:", ", ".join(f"{name} {d:,}" for name, d in diff),
              f"- {sum(d for _, d in diff):,} in all")

print_param_tables(((224, 224, 3), 1000), ((32, 32, 3), 10))

# %% [markdown] cell=md-05 en=4e3136cdf0
# ## 4. Exercise: why only 3x3? Receptive fields
# Each output pixel of a 3x3 convolution sees a 3x3 patch of its input. Stack two and a pixel of the second
# output sees 5x5 input pixels; three see 7x7. So a stack of 3x3 convolutions "sees" as much as one large
# kernel, with **more ReLUs in between** (more non-linearity) and **fewer weights**. With `C` channels in and
# out (biases left out), three 3x3 layers hold 3 x (3*3*C*C) = 27C^2 weights; one 7x7 layer holds 49C^2.
#
# Write `receptive_field(n_layers, kernel=3)` (the side, in pixels, of the input patch one output pixel
# sees after `n_layers` stride-1 convolutions with a `kernel`x`kernel` window; no pooling) and
# `stacked_vs_single_params(n_layers, channels)` returning the pair `(stacked, single)`: the weights of
# `n_layers` stacked 3x3 convolutions, and of one convolution with the same receptive field
# (`channels` in and out, no biases).

# %% [answer] cell=receptive_field en=6ffa100fbe
def receptive_field(n_layers, kernel=3):
    """Receptive field (in pixels, along one side) of ``n_layers`` stacked stride-1 convolutions
    with a ``kernel`` x ``kernel`` window."""
    ### BEGIN SOLUTION
    return 1 + n_layers * (kernel - 1)
    ### END SOLUTION


def stacked_vs_single_params(n_layers, channels):
    """Weights (biases left out) of ``n_layers`` stacked 3x3 convolutions with ``channels`` in and
    out, and of ONE convolution with the same receptive field: returns ``(stacked, single)``."""
    ### BEGIN SOLUTION
    stacked = n_layers * 3 * 3 * channels * channels
    side = 1 + 2 * n_layers
    return stacked, side * side * channels * channels
    ### END SOLUTION

# %% [tests] cell=receptive_field_hidden en=4a34b1eeaa
# Hidden tests for receptive_field and stacked_vs_single_params run here when your notebook is graded.

# %% [code] cell=code-03 en=ac16305175
print("layers | receptive field | stacked 3x3 weights | one big kernel | saving")
for _n in (1, 2, 3, 4):
    _s, _one = stacked_vs_single_params(_n, 256)
    _rf = receptive_field(_n)
    print(f"{_n:>6} | {_rf}x{_rf:<13} | {_s:>19,} | {_one:>14,} | {1 - _s / _one:>6.0%}")

# %% [markdown] cell=md-06 en=19cc3ddfec
# ## 5. Exercise: the post's model - a VGG16 without BatchNorm
# Write `build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
# kernel_initializer="glorot_uniform")` with the Sequential (or functional) API: the post's model, layer for
# layer, with no extra layers.
# - five blocks of 3x3 `Conv2D` (`padding="same"`, `activation="relu"`) with 2, 2, 3, 3, 3 layers and
#   `base`x1, x2, x4, x8, x8 filters (64, 128, 256, 512, 512 for the default `base=64`), each block closed
#   by `MaxPooling2D(2)`;
# - `Flatten`, `Dense(fc, "relu")`, `Dense(fc, "relu")`, `Dense(num_classes, "softmax")`;
# - **every** `Conv2D` and `Dense` layer gets `kernel_initializer=kernel_initializer`. The default,
#   `"glorot_uniform"`, is what Keras uses when you say nothing - so it is what the post used.
#
# `base` and `fc` let fast mode train the same 16-layer design at a width a CPU can afford.

# %% [answer] cell=build_plain_vgg16 en=85a60425ba
def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                      kernel_initializer="glorot_uniform"):
    """The post's VGG16 without BatchNorm: 13 Conv2D (3x3, 'same', ReLU) with base x 1, 2, 4, 8, 8
    filters in the five blocks, each block closed by MaxPooling2D(2); Flatten; Dense ``fc`` ReLU,
    Dense ``fc`` ReLU, Dense ``num_classes`` softmax. Every Conv2D and Dense layer uses
    ``kernel_initializer``."""
    ### BEGIN SOLUTION
    model = keras.Sequential([keras.Input(shape=input_shape)], name="plain_vgg16")
    for n_convs, filters in ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)):
        for _ in range(n_convs):
            model.add(layers.Conv2D(filters * base // 64, 3, padding="same", activation="relu",
                                    kernel_initializer=kernel_initializer))
        model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
    model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
    model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer))
    return model
    ### END SOLUTION

# %% [tests] cell=build_plain_vgg16_hidden en=0628e5439c
# Hidden tests for build_plain_vgg16 run here when your notebook is graded.

# %% [markdown] cell=md-07 en=07a766a752
# Keras agrees with your table. `model_layers` lists the layers Keras built; put its parameter column next
# to your table's.

# %% [code] cell=code-04 en=77afa6225c
plain = build_plain_vgg16()
_keras_rows = [d for d in model_layers(plain, input_shape=(32, 32, 3))]
_table = vgg16_param_table((32, 32, 3), 10)
for _mine, _k in zip(_table, _keras_rows):
    print(f"{_mine[0]:<14} {str(_mine[1]):<16} table {_mine[2]:>12,} | Keras {_k['kind']:<13} {_k['params']:>12,}")
print(f"total: table {sum(r[2] for r in _table):,} | Keras count_params() {plain.count_params():,}")
del plain

# %% [markdown] cell=md-08 en=9a368089be
# In full mode we also build the ImageNet-sized VGG16 once (138 million parameters, about 550 MB of float32
# weights; it takes a few seconds) and ask Keras for its count. Fast mode skips it.

# %% [code] cell=code-05 en=422e4c6fcb
if not FAST:
    _big = build_plain_vgg16((224, 224, 3), 1000)
    print(f"Keras, VGG16 at 224x224x3 / 1000 classes: {_big.count_params():,} parameters "
          f"(table: {sum(r[2] for r in vgg16_param_table((224, 224, 3), 1000)):,})")
    del _big
else:
    print("fast mode: skipping the 138M-parameter build; the table says "
          f"{sum(r[2] for r in vgg16_param_table((224, 224, 3), 1000)):,}.")

# %% [markdown] cell=md-09 en=500f392f35
# ## 6. The data: CIFAR-10
# 60,000 colour images of 32x32 pixels in 10 classes (50,000 for training, 10,000 for testing). Like the
# post we scale pixels to [0, 1]. The post one-hot encodes the labels and uses `categorical_crossentropy`;
# we keep the integer labels and use `sparse_categorical_crossentropy`, which computes the same loss.

# %% [code] cell=code-06 en=0dba5bb608
(x_train, y_train), (x_test, y_test) = load_cifar10()
y_train, y_test = y_train.reshape(-1), y_test.reshape(-1)
show_image_grid(x_train, y_train, class_names=CIFAR10_CLASSES, rows=2, cols=8, title="CIFAR-10 training images")

# %% [markdown] cell=md-10 en=ae1cd4ac9e
# Fast mode keeps 256 training and 200 test images and a narrow version of the same 16-layer network
# (`base=8` filters instead of 64, a 1024-wide head instead of 4096), trained for 3 epochs: one training step
# of the full model on 32 images took 1-1.7 s on the course's two-core CPU. Full mode uses the post's exact
# model and settings: all 50,000 training images (40,000 to train on, 10,000 held out), 10 epochs.

# %% [code] cell=code-07 en=8d9b065e4f
N_TRAIN, N_TEST = by_mode(fast=(256, 200), full=(len(x_train), len(x_test)))
BASE, FC = by_mode(fast=(8, 1024), full=(64, 4096))
EPOCHS, BATCH_SIZE = by_mode(fast=3, full=10), 32
x_train = x_train[:N_TRAIN].astype("float32") / 255.0
x_test = x_test[:N_TEST].astype("float32") / 255.0
y_train, y_test = y_train[:N_TRAIN], y_test[:N_TEST]
print(f"{len(x_train)} training images (20% held out for validation), {len(x_test)} test images; "
      f"VGG16 with base={BASE}, fc={FC}; {EPOCHS} epochs of batch {BATCH_SIZE}")

# %% [markdown] cell=md-11 en=d8216b00fb
# ## 7. Exercise: what does 2.3026 mean?
# Cross-entropy is `-log(p[true class])`. A network that has learned nothing useful gives every class the
# same probability `1/C`, whatever the image - so its loss is `-log(1/C) = log(C)`, exactly, on every
# image. For CIFAR-10, `log(10) = 2.302585...`: **the post's 2.3026 is the loss of a uniform guess**, and
# the 10 % accuracy is what a uniform (or constant) guess scores on ten balanced classes.
#
# Write `initial_loss(num_classes)`: the cross-entropy of the uniform prediction over `num_classes`
# classes, as a Python float. It is also the loss a freshly initialised classifier *should* start near -
# a quick sanity check before any training.

# %% [answer] cell=initial_loss en=ce496c8cbf
def initial_loss(num_classes):
    """Cross-entropy of a classifier that predicts the uniform distribution over
    ``num_classes`` classes (what an untrained, or stuck, network scores)."""
    ### BEGIN SOLUTION
    return float(np.log(num_classes))
    ### END SOLUTION

# %% [tests] cell=initial_loss_hidden en=46dfb941e2
# Hidden tests for initial_loss run here when your notebook is graded.

# %% [markdown] cell=md-12 en=d9612e1d75
# Check it on the real thing: an untrained plain VGG16 (the post's Glorot initialisation) scores almost
# exactly `log(10)` - and its predicted probabilities hardly depend on the image at all.

# %% [code] cell=code-08 en=fc4a03ec77
keras.utils.set_random_seed(0)
plain = build_plain_vgg16(fc=FC, base=BASE)
_probs = np.asarray(plain(x_train[:128], training=False))
_loss0 = float(keras.losses.sparse_categorical_crossentropy(y_train[:128], _probs).numpy().mean())
print(f"untrained plain VGG16: loss {_loss0:.4f} vs log(10) = {initial_loss(10):.4f}")
print(f"predicted probabilities: min {_probs.min():.4f}, max {_probs.max():.4f}; "
      f"spread across images (std per class, averaged) {_probs.std(axis=0).mean():.2e}")

# %% [markdown] cell=md-13 en=159fe0f19c
# ## 8. Reproduce the failure
# The post's training, at our budget: `Adam()` with its defaults (learning rate 0.001), batch 32,
# `validation_split=0.2` (Keras holds out the *last* 20 % of the images).
#
# One more reference number. A network stuck at a constant output can still learn its last bias: the
# best constant prediction is the class frequencies of the training set, and its loss is their entropy.
# On CIFAR-10's 50,000 training images, 5,000 per class, that is exactly `log(10)`; the images `fit` trains
# on here are not perfectly balanced (fast mode's 204 much less so than full mode's 40,000), so it is a
# little lower. A stuck network sits on that line; a learning one goes below it.
# We also measure the **spread** of the predictions: how much the predicted probabilities change from one
# test image to the next (their standard deviation across images, averaged over the classes). A network
# that ignores its input has a spread near 0.
#
# `train` prints one line per epoch (loss and accuracy on the images it trains on, `val_` on the 20 % held
# out, the epoch's seconds and the time left), then the test loss and accuracy and the spread.

# %% [code] cell=code-09 en=e2b120c348
_n_fit = int(len(y_train) * 0.8)                      # the images fit() trains on with validation_split=0.2
_freq = np.bincount(y_train[:_n_fit], minlength=10) / _n_fit
CONSTANT_LOSS = float(-np.sum(_freq[_freq > 0] * np.log(_freq[_freq > 0])))
print(f"best constant prediction on these {_n_fit} training images: loss {CONSTANT_LOSS:.4f} "
      f"(log(10) = {initial_loss(10):.4f})")
runs, spread = {}, {}


def prediction_spread(model, images, batch_size=256):
    """How much the predicted probabilities vary from image to image (0: the same for every image).
    The images go through the model a batch at a time: 10,000 at once would not fit in a GPU's memory."""
    probs = np.concatenate([np.asarray(model(images[i:i + batch_size], training=False))
                            for i in range(0, len(images), batch_size)])
    return float(np.std(probs, axis=0).mean())


def train(name, model, learning_rate=1e-3, epochs=EPOCHS):
    """Compile and fit like the post (one printed line per epoch), evaluate on the test images, keep the
    history under ``name``."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs,
                        validation_split=0.2, verbose=0, callbacks=[EpochLog(name)])   # one line per epoch
    test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    runs[name] = history.history
    spread[name] = prediction_spread(model, x_test)
    print(f"{name}: test loss {test_loss:.4f}, test accuracy {test_acc:.1%}, prediction spread {spread[name]:.1e}")
    return model


keras.utils.set_random_seed(1)
plain_init = build_plain_vgg16(fc=FC, base=BASE)       # kept untrained, for the diagnosis below
keras.utils.set_random_seed(1)
plain = train("plain VGG16, Adam 1e-3 (the post)", build_plain_vgg16(fc=FC, base=BASE), 1e-3)

# %% [markdown] cell=md-14 en=b1449fc1a1
# ## 9. Diagnose: look inside the network
# A loss that stays at `log(C)` means the output does not depend on the input. Where does the input get
# lost? Two measurements per layer, on one batch:
# - **activations**: the root-mean-square (RMS) of each ReLU layer's output, and the fraction of its
#   channels (units) that are **dead** - zero for every image of the batch, so they pass no signal and get
#   no gradient;
# - **gradients**: the norm of the loss gradient with respect to each layer's kernel.
#
# We compare the plain model at initialisation (Glorot, as in the post), the same architecture with
# **He initialisation** (`he_normal`, scaled for ReLU), and the plain model after the failing training run.

# %% [code] cell=code-10 en=297938686d
def relu_layers(model):
    """The layers whose output has just passed a ReLU (Conv2D/Dense with relu, Activation/ReLU layers),
    also inside nested blocks (leaf_layers, from the setup cell)."""
    return [l for l in leaf_layers(model)
            if getattr(l, "activation", None) is keras.activations.relu or type(l).__name__ == "ReLU"]


def activation_stats(model, images):
    """Per ReLU layer: (RMS of the output, fraction of channels that are zero on every image).
    The plain VGG16 is a chain, so the images go through its layers one at a time (also those inside
    nested blocks) and we keep what each ReLU layer outputs."""
    relus = [id(l) for l in relu_layers(model)]
    a, rms, dead = images, [], []
    for layer in leaf_layers(model):
        a = layer(a, training=False)
        if id(layer) in relus:
            out = np.asarray(a)
            rms.append(float(np.sqrt(np.mean(out ** 2))))
            dead.append(float(np.mean(np.all(out.reshape(-1, out.shape[-1]) <= 0, axis=0))))
    return np.array(rms), np.array(dead)


def gradient_norms(model, images, labels):
    """Norm of d(loss)/d(kernel) for every Conv2D and Dense layer, input to output."""
    kernels = [l.kernel for l in leaf_layers(model) if hasattr(l, "kernel")]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, model(images, training=True)))
    return np.array([float(tf.norm(g)) for g in tape.gradient(loss, kernels)])

keras.utils.set_random_seed(1)
he_init = build_plain_vgg16(fc=FC, base=BASE, kernel_initializer="he_normal")
_xb, _yb = x_train[:64], y_train[:64]
diagnosis = {name: (*activation_stats(m, _xb), gradient_norms(m, _xb, _yb))
             for name, m in [("plain, Glorot, at init", plain_init), ("plain, He, at init", he_init),
                             ("plain, Glorot, after training", plain)]}
for name, (rms, dead, grads) in diagnosis.items():
    print(f"{name:<30} RMS first/last ReLU {rms[0]:.3g} / {rms[-1]:.3g} | dead channels in all layers "
          f"{np.mean(dead):.0%} | grad norm first/last layer {grads[0]:.2e} / {grads[-1]:.2e}")

# %% [code] cell=code-11 en=a427e53557
fig, axes = plt.subplots(1, 3, figsize=(16, 4.2))
for name, (rms, dead, grads) in diagnosis.items():
    axes[0].semilogy(range(1, len(rms) + 1), rms, marker="o", label=name)
    axes[1].plot(range(1, len(dead) + 1), dead, marker="o", label=name)
    axes[2].semilogy(range(1, len(grads) + 1), np.maximum(grads, 1e-12), marker="o", label=name)
for ax, title, ylabel in zip(axes, ["RMS of each ReLU layer's output", "Dead channels per ReLU layer",
                                    "Gradient norm per weight layer"],
                             ["RMS activation (log scale)", "fraction dead", "||dL/dW|| (log scale)"]):
    ax.set_title(title)
    ax.set_xlabel("layer (1-13 conv, then dense)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=8)
fig.suptitle(f"Inside the plain VGG16 ({MODE} mode, base={BASE}, fc={FC})")
fig.tight_layout()
plt.show()

# %% [markdown] cell=md-15 en=ed609b1b12
# **How to read it.** Glorot initialisation sets each layer's weight variance to `2/(fan_in + fan_out)`,
# derived for activations symmetric around zero. A ReLU zeroes half of its inputs, so every layer
# passes on only about half of the signal's energy - less where the channel count doubles. Sixteen layers
# compound this: the Glorot curve in the left panel falls by orders of magnitude from the first layer to
# the last, so the softmax sees logits close to zero, the output is the same for every image, and the loss
# is `log(10)` from the very first step. He initialisation (variance `2/fan_in`) is derived for ReLU and
# keeps the RMS roughly level.
#
# With almost no signal reaching the top, the only thing the optimizer can quickly learn is the last
# layer's bias, which matches the class frequencies: a constant prediction, loss `log(10)`. Adam also
# rescales every gradient to a step of about the learning rate, however small the gradient - large steps
# on weights whose signal is tiny are how ReLUs get pushed to "always off" and die (middle panel, after
# training). Once a unit is dead its gradient is exactly zero and it never comes back. The printed numbers
# above are what *this* run measured. The full model loses its signal the same way: at initialisation, on
# random images, the course measured its RMS falling about 500-fold from the first ReLU to the last (fast
# mode's narrow model: about 1,000-fold), most of it in the 13 convolutions, before the head.
#
# The VGG authors met the same wall. From the paper (Section 3.1): *"The initialisation of the network
# weights is important, since bad initialisation can stall learning due to the instability of gradient in
# deep nets."* They first trained the 11-layer configuration A from random weights and used it to
# initialise the deeper ones. (After submitting, they added that Glorot & Bengio's random initialisation
# also let them train without that pre-training - with plain SGD, momentum and a decaying learning rate. A
# shrinking signal at initialisation does not doom every run; here it meets Adam's large normalised steps,
# and the ReLUs die.) He et al. (2015, *Delving Deep into Rectifiers*) later derived the ReLU-aware
# initialisation and showed a 30-layer plain ReLU net that stalls with Glorot's scaling but trains with
# theirs. BatchNorm (Ioffe & Szegedy, 2015) removes the problem at its root by re-normalising every
# layer's output during training.
#
# ## 10. Exercise: VGG16 with BatchNorm
# Write `build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64)`: the same network as
# `build_plain_vgg16`, but every 3x3 `Conv2D` (`padding="same"`, **no activation**; keep its bias, Keras'
# default: BatchNorm makes it redundant, but the counts below include it) is followed by its own
# `BatchNormalization()` and then a ReLU (`layers.Activation("relu")` or `layers.ReLU()`). The head stays
# `Flatten`, `Dense(fc, "relu")`, `Dense(fc, "relu")`, `Dense(num_classes, "softmax")`, and the
# initializers stay at their defaults. With the defaults it has **33,655,114** parameters, of which 8,448 are
# BatchNorm's moving means and variances (not trainable) - the model of lesson 04.

# %% [answer] cell=build_vgg16_bn en=f9c8fbf86e
def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
    """VGG16 with BatchNorm: every 3x3 Conv2D ('same', no activation) is followed by
    BatchNormalization and then a ReLU Activation; otherwise as ``build_plain_vgg16``."""
    ### BEGIN SOLUTION
    model = keras.Sequential([keras.Input(shape=input_shape)], name="vgg16_bn")
    for n_convs, filters in ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)):
        for _ in range(n_convs):
            model.add(layers.Conv2D(filters * base // 64, 3, padding="same"))
            model.add(layers.BatchNormalization())
            model.add(layers.Activation("relu"))
        model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dense(fc, activation="relu"))
    model.add(layers.Dense(fc, activation="relu"))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
    ### END SOLUTION

# %% [tests] cell=build_vgg16_bn_hidden en=c39e3886fd
# Hidden tests for build_vgg16_bn run here when your notebook is graded.

# %% [markdown] cell=md-16 en=be80f2a2aa
# ## 11. Fix it, two ways
# 1. **BatchNorm** after every convolution, everything else as in the post (Adam with learning rate 0.001).
# 2. **He initialisation and a smaller learning rate**: the plain model with `kernel_initializer="he_normal"`
#    and Adam at 0.0001.
#
# Same data, same seed, same epochs as the failing run.
#
# **What full mode should print** (10 epochs on 40,000 CIFAR-10 images; the last line of each run gives its
# test loss and accuracy):
#
# | run | expected in full mode | source |
# | --- | --- | --- |
# | plain VGG16, Adam 1e-3 (the post) | loss 2.302-2.304 and accuracy 9-11 % in every epoch, on the training and the validation images; test accuracy about 10 % | the post's log: training loss 2.3027-2.3029, validation loss 2.3026-2.3029, accuracies 9.52-10.25 %; test loss 2.3026, test accuracy 10.0 % |
# | VGG16 + BatchNorm, Adam 1e-3 | training accuracy about 80-92 % in epoch 10; test accuracy about **70-82 %**, moving by several points from one epoch to the next | lesson 04's post: the same 33,655,114-parameter model and Adam, batch 64, all 50,000 training images, validated on the test images - 87.85 % training and 78.26 % validation accuracy in epoch 10, validation between 69.42 % and 80.64 % in epochs 5-10 |
# | plain VGG16, He init, Adam 1e-4 | the loss falls below 2.30 within the first epoch; test accuracy about **60-80 %**, training accuracy well above it (no BatchNorm, no dropout: 33.6 million parameters memorise 40,000 images) | the course's estimate, not yet measured: no published run uses these settings |

# %% [code] cell=code-12 en=4e89fc8d7d
keras.utils.set_random_seed(1)
bn_model = train("VGG16 + BatchNorm, Adam 1e-3", build_vgg16_bn(fc=FC, base=BASE), 1e-3)

# %% [code] cell=code-13 en=80672b5d7d
keras.utils.set_random_seed(1)
he_model = train("plain VGG16, He init, Adam 1e-4",
                 build_plain_vgg16(fc=FC, base=BASE, kernel_initializer="he_normal"), 1e-4)

# %% [markdown] cell=md-17 en=6931213c52
# In fast mode the BatchNorm model's *training* loss falls quickly, yet its test numbers can look no better
# than the stuck model's. That is not the fix failing: at inference BatchNorm normalises with **moving
# averages** of the batch statistics, which start at mean 0 / variance 1 and move only 1 % per training
# step (Keras' default `momentum=0.99`). After twenty-odd steps they are still mostly their initial values.
# A standard remedy is to re-estimate them: one pass over training images in training mode, averaging
# the batch statistics, replaces them by the real ones; no weight changes. (A pass over 10,000 images, in
# batches of 250, is plenty: one call on all of them at once would need more memory than a GPU has.)

# %% [code] cell=code-14 en=6d436fe061
def recalibrate_batchnorm(model, images, batch_size=250):
    """Set every BatchNormalization's moving mean/variance to the statistics of ``images``, one batch
    at a time: with momentum (k-1)/k for batch k, each moving value ends as the average over all
    batches. (One call on tens of thousands of images would need tens of GB of memory.)"""
    norms = [l for l in leaf_layers(model) if isinstance(l, layers.BatchNormalization)]   # also in nested blocks
    saved = [l.momentum for l in norms]
    for k, start in enumerate(range(0, len(images), batch_size), 1):
        for l in norms:
            l.momentum = (k - 1) / k
        model(images[start:start + batch_size], training=True)   # updates only the moving statistics
    for l, m in zip(norms, saved):
        l.momentum = m

_before = bn_model.evaluate(x_test, y_test, batch_size=256, verbose=0)
recalibrate_batchnorm(bn_model, x_train[:min(_n_fit, 10_000)])
_after = bn_model.evaluate(x_test, y_test, batch_size=256, verbose=0)
spread["VGG16 + BatchNorm, Adam 1e-3"] = prediction_spread(bn_model, x_test)
print(f"BatchNorm model on the test images: before re-estimating, loss {_before[0]:.4f} / accuracy {_before[1]:.1%}; "
      f"after, loss {_after[0]:.4f} / accuracy {_after[1]:.1%}; prediction spread now "
      f"{spread['VGG16 + BatchNorm, Adam 1e-3']:.1e}")

# %% [code] cell=code-15 en=15ad3e0daf
fig, axes = plt.subplots(1, 3, figsize=(17, 4.2))
for name, hist in runs.items():
    epochs = range(1, len(hist["loss"]) + 1)
    line, = axes[0].plot(epochs, hist["loss"], marker="o", label=name)
    axes[1].plot(epochs, hist["val_loss"], marker="o", color=line.get_color(), label=name)
for ax, which in zip(axes[:2], ["training", "validation"]):
    ax.axhline(initial_loss(10), color="grey", linestyle="--", label="log(10): uniform guess")
    ax.axhline(CONSTANT_LOSS, color="black", linestyle=":", label="best constant guess (training set)")
    ax.set_title(f"{which} loss per epoch")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_ylabel("cross-entropy loss")
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=8)
axes[2].barh(range(len(spread)), list(spread.values()), color=[l.get_color() for l in axes[0].lines[:len(spread)]])
axes[2].set_yticks(range(len(spread)), [n.replace(", ", "\n", 1) for n in spread], fontsize=8)
axes[2].set_xscale("log")
axes[2].set_title("prediction spread on test images")
axes[2].set_xlabel("std of predicted probabilities across images (log scale)")
axes[2].grid(alpha=0.3)
fig.suptitle(f"The failing run and two fixes ({MODE} mode: {_n_fit} training / {len(x_train) - _n_fit} "
             f"validation images, base={BASE}, fc={FC})")
fig.tight_layout()
plt.show()

for name, hist in runs.items():
    _gap = hist["loss"][-1] - CONSTANT_LOSS
    print(f"{name:<34} last training loss {hist['loss'][-1]:.4f} ({abs(_gap):.4f} "
          f"{'above' if _gap > 0 else 'below'} the best constant guess), prediction spread {spread[name]:.1e}")

# %% [markdown] cell=md-18 en=ffad96517d
# **Reading the curves.** The post's configuration sits on the two reference lines from the first epoch to
# the last: it predicts the same distribution for every image (its spread, right panel, is near zero), so
# the best it can do is the class frequencies. The printout above says how far each run got *here*.
#
# On the tiny fast-mode budget (21 steps on a narrow network, 204 training images) the evidence is the
# *spread* and the *training* loss: the BatchNorm model's training loss falls fastest, but with so few
# images it also memorises them, so its validation loss can rise; He initialisation with a 10x smaller
# learning rate only starts to move below the line, yet its predictions depend on the image far more than
# the post's model's do. Accuracies on a few hundred images mean little. Run full mode (the post's model,
# data and 10 epochs; use a GPU in Colab) to compare the three on real CIFAR-10, against the expected
# results of section 11.
#
# An experiment the numbers invite (not part of the lesson, and not measured by the course): the 4096-wide
# head was designed for the 25,088 values of a 224x224 input; at 32x32 it receives 512. A head of `fc=512`
# has **18,393,088** parameters fewer. Would the plain model then learn? Section 9 suggests why it may not:
# the signal is already hundreds of times weaker when it leaves the 13 convolutions, before the head.

# %% [markdown] cell=md-19 en=23904befe8
# ## Summary - what went wrong in the original post
# - VGG16 is 13 3x3 convolutions in five blocks plus a 4096-4096-classes head: 138,357,544 parameters at
#   224x224 with 1000 classes, 33,638,218 at 32x32 with 10 - the convolutions are the same 14.7 million;
#   `fc1` (512 inputs instead of 25,088) and `predictions` (10 outputs instead of 1000) make the difference.
# - Two stacked 3x3 convolutions see 5x5 pixels, three see 7x7, with fewer weights (27C^2 vs 49C^2) and more
#   ReLUs than one big kernel.
# - A loss of 2.3026 = log(10) with 10 % accuracy means *uniform predictions*: the network ignores its input.
# - The post's model failed because a 16-layer ReLU network without normalisation, with Keras' default
#   Glorot initialisation and Adam at 0.001, loses its signal on the way up and its ReLUs die - the
#   "stall" the VGG paper warns about. BatchNorm fixes it (lesson 04's post trained the same model to 78 %
#   validation accuracy in 10 epochs); He initialisation with a smaller learning rate keeps the signal
#   alive through all 16 layers (section 9) and should fix it too (section 11 says what to expect).
# - Always check the first loss against `log(C)` and look at per-layer activations and gradients before
#   training a deep net for hours: the post spent 3.7 hours training a network that was stuck from the
#   first step.
