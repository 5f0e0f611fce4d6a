# %% [markdown]
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

# %% [setup]
from keras import layers  # the checks below rely on it, so it lives in this locked cell

MODE = course_setup(seed=42, full_cpu_time="about 11 hours")
FAST = MODE == "fast"

# %% [code]
import numpy as np
import tensorflow as tf
import keras
from keras import layers
import matplotlib.pyplot as plt

# %% [markdown]
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

# %% [answer] id=param_counts from=conv_params,dense_params

# %% [tests] id=param_counts_visible points=1
def _pc_why(got, weights, n_bias, unit, bias=True, more=()):
    """What was found and the usual mistake behind a wrong count, in words (the count and "." when none fits)."""
    hints = [(weights, course_text("{0} - that is the weights alone: add the biases, one per {1}.", repr(got), unit)),
             (weights + 1, course_text("{0} - one bias per {1}, not one for the whole layer.", repr(got), unit))] if bias else \
            [(weights + n_bias, course_text("{0} - with bias=False, leave the biases out.", repr(got)))]
    return next((h for v, h in hints + list(more) if got == v), f"{got!r}.")

for (_k, _i, _o), _want in [((3, 3, 64), 1_792), ((3, 64, 64), 36_928), ((3, 512, 512), 2_359_808)]:
    _got = conv_params(_k, _i, _o)
    expect(_got == _want, f"conv_params{(_k, _i, _o)} (kernel, in_ch, out_ch): expected {_want:,}, found "
           + _pc_why(_got, _k * _k * _i * _o, _o, course_text("filter"),
                     more=[(_k * _i * _o + _o, course_text(
                         "{0} - a kernel x kernel window holds kernel*kernel*in_ch weights per filter.", repr(_got)))]))
for (_i, _o), _want in [((512, 4096), 2_101_248), ((4096, 10), 40_970)]:
    _got = dense_params(_i, _o)
    expect(_got == _want, f"dense_params{(_i, _o)} (n_in, n_out): expected {_want:,}, found "
           + _pc_why(_got, _i * _o, _o, course_text("unit"),
                     more=[(_i * _o + _i, course_text("{0} - one bias per unit (n_out), not one per input.", repr(_got)))]))
for _got in (conv_params(3, 3, 64), dense_params(512, 4096)):
    expect(isinstance(_got, (int, np.integer)), f"conv_params and dense_params must return integers; found {type(_got).__name__} {_got!r}.")
check_passed("conv_params and dense_params: the right counts, as integers, for five of VGG16's layers (3 Conv2D, 2 Dense, with biases).")

# %% [tests] id=param_counts_hidden points=1
# Hidden tests for conv_params and dense_params run here when your notebook is graded.
### BEGIN HIDDEN TESTS
def _pc_why(got, weights, n_bias, unit, bias=True, more=()):
    """What was found and the usual mistake behind a wrong count, in words (the count and "." when none fits)."""
    hints = [(weights, course_text("{0} - that is the weights alone: add the biases, one per {1}.", repr(got), unit)),
             (weights + 1, course_text("{0} - one bias per {1}, not one for the whole layer.", repr(got), unit))] if bias else \
            [(weights + n_bias, course_text("{0} - with bias=False, leave the biases out.", repr(got)))]
    return next((h for v, h in hints + list(more) if got == v), f"{got!r}.")

for (_k, _i, _o), _kw, _want in [((5, 7, 11), {}, 1_936), ((5, 7, 11), {"bias": False}, 1_925),
                                 ((1, 512, 256), {}, 131_328), ((7, 3, 64), {"bias": False}, 9_408)]:
    _got = conv_params(_k, _i, _o, **_kw)
    _b = _kw.get("bias", True)
    expect(_got == _want, f"conv_params{(_k, _i, _o)} {_kw or ''}: expected {_want:,}, found "
           + _pc_why(_got, _k * _k * _i * _o, _o, course_text("filter"), _b,
                     more=[(_k * _i * _o + _o * _b, course_text(
                         "{0} - a kernel x kernel window holds kernel*kernel*in_ch weights per filter.", repr(_got)))]))
for (_i, _o), _kw, _want in [((25088, 4096), {}, 102_764_544), ((3, 2), {"bias": False}, 6), ((10, 1), {}, 11)]:
    _got = dense_params(_i, _o, **_kw)
    _b = _kw.get("bias", True)
    expect(_got == _want, f"dense_params{(_i, _o)} {_kw or ''}: expected {_want:,}, found "
           + _pc_why(_got, _i * _o, _o, course_text("unit"), _b,
                     more=[(_i * _o + _i * _b, course_text("{0} - one bias per unit (n_out), not one per input.", repr(_got)))]))
for _got in (conv_params(3, 3, 8), dense_params(4, 4), conv_params(3, 3, 8, bias=False), dense_params(4, 4, bias=False)):
    expect(isinstance(_got, (int, np.integer)), f"conv_params and dense_params must return integers; found {type(_got).__name__} {_got!r}.")
### END HIDDEN TESTS

# %% [markdown]
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

# %% [answer] id=vgg16_param_table from=vgg16_param_table

# %% [tests] id=vgg16_param_table_visible points=2
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

_t = vgg16_param_table((32, 32, 3), 10)
expect(isinstance(_t, (list, tuple)) and len(_t) == 22,
       f"VGG16 has 13 conv + 5 pool + flatten + 3 dense = 22 rows; found {len(_t) if isinstance(_t, (list, tuple)) else type(_t).__name__}.")
_tr = [(str(r[0]), tuple(int(v) for v in r[1]), int(r[2])) for r in _t]
for _i, _want in [(0, ("block1_conv1", (32, 32, 64), 1_792)), (2, ("block1_pool", (16, 16, 64), 0)),
                  (18, ("flatten", (512,), 0)), (19, ("fc1", (4096,), 2_101_248)),
                  (21, ("predictions", (10,), 40_970))]:
    expect(_tr[_i] == _want, f"row {_i + 1}: expected {_want}, found " + _vt_why(_tr[_i], _want))
_total = sum(r[2] for r in _tr)
expect(_total == 33_638_218, f"the parameters of the post's model add up to 33,638,218; your table sums to {_total:,}.")
_tr = [(str(r[0]), tuple(int(v) for v in r[1]), int(r[2])) for r in vgg16_param_table((48, 40, 3), 10)]
expect(len(_tr) == 22, f"vgg16_param_table((48, 40, 3), 10): expected 22 rows, found {len(_tr)}.")
for _i, _want in [(0, ("block1_conv1", (48, 40, 64), 1_792)), (9, ("block3_pool", (6, 5, 256), 0)),
                  (13, ("block4_pool", (3, 2, 512), 0)), (17, ("block5_pool", (1, 1, 512), 0))]:
    expect(_tr[_i] == _want, f"vgg16_param_table((48, 40, 3), 10), row {_i + 1}: expected {_want}, found "
           + _vt_why(_tr[_i], _want))
check_passed(f"vgg16_param_table: 22 rows at 32x32 (5 checked, {_total:,} parameters in all); at 48x40 the shapes "
      "stay apart and each pool rounds down.")

# %% [tests] id=vgg16_param_table_hidden points=2
# Hidden tests for vgg16_param_table run here when your notebook is graded.
### BEGIN HIDDEN TESTS
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

_t = [(str(r[0]), tuple(int(v) for v in r[1]), int(r[2])) for r in vgg16_param_table((224, 224, 3), 1000)]
expect(len(_t) == 22, f"vgg16_param_table((224, 224, 3), 1000): expected 22 rows, found {len(_t)}.")
expect(_t[18] == ("flatten", (25088,), 0) and _t[19] == ("fc1", (4096,), 102_764_544),
       f"at 224x224, flatten gives 7*7*512 = 25088 values and fc1 has 102,764,544 parameters; found {_t[18]} and {_t[19]}.")
expect(sum(r[2] for r in _t) == 138_357_544,
       f"VGG16 at 224x224x3 with 1000 classes has 138,357,544 parameters; your table sums to {sum(r[2] for r in _t):,}.")
_names = [f"block{b}_conv{i}" for b, n in enumerate((2, 2, 3, 3, 3), 1) for i in range(1, n + 1)]
expect([r[0] for r in _t if "conv" in r[0]] == _names, "the 13 convolutions must be named block1_conv1 ... block5_conv3.")
expect([r[0] for r in _t if r[0].endswith("pool")] == [f"block{b}_pool" for b in range(1, 6)],
       "the pools must be named block1_pool ... block5_pool.")
expect([r[0] for r in _t[-4:]] == ["flatten", "fc1", "fc2", "predictions"], "the head rows must be flatten, fc1, fc2, predictions.")
# another input size, class count and head width, against an independent count
_h, _w, _c, _exp = 64, 48, 1, []
for _b, (_n, _f) in enumerate(((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)), 1):
    for _i in range(_n):
        _exp.append((f"block{_b}_conv{_i + 1}", (_h, _w, _f), 9 * _c * _f + _f))
        _c = _f
    _h, _w = _h // 2, _w // 2
    _exp.append((f"block{_b}_pool", (_h, _w, _c), 0))
_exp += [("flatten", (_h * _w * _c,), 0), ("fc1", (512,), _h * _w * _c * 512 + 512),
         ("fc2", (512,), 512 * 512 + 512), ("predictions", (7,), 512 * 7 + 7)]
_t = [(str(r[0]), tuple(int(v) for v in r[1]), int(r[2])) for r in vgg16_param_table((64, 48, 1), 7, fc=512)]
for _i, (_a, _e) in enumerate(zip(_t, _exp)):
    expect(_a == _e, f"vgg16_param_table((64, 48, 1), 7, fc=512), row {_i + 1}: expected {_e}, found " + _vt_why(_a, _e))
expect(len(_t) == len(_exp), f"vgg16_param_table((64, 48, 1), 7, fc=512): expected {len(_exp)} rows, found {len(_t)}.")
### END HIDDEN TESTS

# %% [markdown]
# The same network at both input sizes. The convolutions do not care about the image size (a 3x3 filter
# has the same weights everywhere), so the 13 convolutions hold **14,714,688** parameters in both, and
# `fc2` (4096 to 4096) is the same too. The difference, **104,719,326** parameters, is in two layers:
# `fc1`, which sees 7x7x512 = 25,088 values at 224x224 but only 1x1x512 = 512 at 32x32 (**100,663,296**
# parameters fewer), and `predictions`, with 10 outputs instead of 1000 (**4,056,030** fewer).

# %% [code]
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

# %% [markdown]
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

# %% [answer] id=receptive_field from=receptive_field,stacked_vs_single_params

# %% [tests] id=receptive_field_visible points=1
def _rf_why(got, want):
    """What was found and the usual mistake behind a wrong receptive field, in words (it and "." when none fits)."""
    if got == want - 1:
        return course_text("{0} - off by one: a single convolution already sees a kernel x kernel patch.", repr(got))
    if got == want + 1:
        return course_text("{0} - off by one: the windows of stacked layers overlap, so each layer after the first "
                           "adds kernel - 1 pixels.", repr(got))
    return f"{got!r}."

for _n, _want in [(1, 3), (2, 5), (3, 7)]:
    _got = receptive_field(_n)
    expect(_got == _want, f"receptive_field({_n}) (3x3 kernels): expected {_want}, found " + _rf_why(_got, _want))
_got = stacked_vs_single_params(2, 64)
expect(tuple(_got) == (73_728, 102_400),
       f"stacked_vs_single_params(2, 64): two 3x3 layers have 2*9*64*64 = 73,728 weights and one 5x5 layer 25*64*64 = 102,400; "
       f"found {_got!r}" + (" - count the weights only, no biases." if tuple(_got) == (73_728 + 128, 102_400 + 64) else "."))
check_passed("receptive_field(1..3) with 3x3 kernels and stacked_vs_single_params(2, 64) are right.")

# %% [tests] id=receptive_field_hidden points=1
# Hidden tests for receptive_field and stacked_vs_single_params run here when your notebook is graded.
### BEGIN HIDDEN TESTS
def _rf_why(got, want):
    """What was found and the usual mistake behind a wrong receptive field, in words (it and "." when none fits)."""
    if got == want - 1:
        return course_text("{0} - off by one: a single convolution already sees a kernel x kernel patch.", repr(got))
    if got == want + 1:
        return course_text("{0} - off by one: the windows of stacked layers overlap, so each layer after the first "
                           "adds kernel - 1 pixels.", repr(got))
    return f"{got!r}."

for _args, _want in [((4,), 9), ((13,), 27), ((2, 5), 9), ((3, 7), 19), ((1, 1), 1)]:
    _got = receptive_field(*_args)
    _why = (course_text("{0} - that is the answer for 3x3 kernels: use the kernel argument.", repr(_got))
            if len(_args) > 1 and _got == 1 + 2 * _args[0] else _rf_why(_got, _want))
    expect(_got == _want, f"receptive_field{_args}: expected {_want}, found " + _why)
for (_n, _ch), _want in [((3, 10), (2_700, 4_900)), ((1, 8), (576, 576)), ((4, 1), (36, 81))]:
    _got = stacked_vs_single_params(_n, _ch)
    _biased = (_want[0] + _n * _ch, _want[1] + _ch)
    expect(tuple(_got) == _want, f"stacked_vs_single_params({_n}, {_ch}): expected {_want}, found {_got!r}"
           + (" - count the weights only, no biases." if tuple(_got) == _biased else "."))
### END HIDDEN TESTS

# %% [code]
print("layers | receptive field | stacked 3x3 weights | one big kernel | saving")
for _n in (1, 2, 3, 4):
    _s, _one = stacked_vs_single_params(_n, 256)
    _rf = receptive_field(_n)
    print(f"{_n:>6} | {_rf}x{_rf:<13} | {_s:>19,} | {_one:>14,} | {1 - _s / _one:>6.0%}")

# %% [markdown]
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

# %% [answer] id=build_plain_vgg16 from=build_plain_vgg16

# %% [tests] id=build_plain_vgg16_visible points=2
#<< judge: _BLOCKS, _plain_spec
try:
    _m = build_plain_vgg16()
except ValueError as _err:
    expect(False, f"build_plain_vgg16() failed: {str(_err)[:300]}" + (
        " - with padding='valid' each 3x3 convolution cuts 2 pixels off the height and width, until nothing is left: "
        "use padding='same'." if "negative" in str(_err) else ""))
check_architecture(_m, _plain_spec((32, 32, 3), 10, 4096, 64, True), input_shape=(32, 32, 3), total_params=33_638_218)
check_passed("build_plain_vgg16(): every layer's kind, size, padding, activation, output shape and parameters match the "
      "post's VGG16 (33,638,218 parameters).")

# %% [tests] id=build_plain_vgg16_hidden points=2
# Hidden tests for build_plain_vgg16 run here when your notebook is graded.
### BEGIN HIDDEN TESTS
_m = build_plain_vgg16((64, 64, 1), 5, fc=32, base=8, kernel_initializer="he_normal")
#<< judge: _BLOCKS, _plain_spec
check_architecture(_m, _plain_spec((64, 64, 1), 5, 32, 8, False), input_shape=(64, 64, 1))
_weighted = [l for l in leaf_layers(_m) if hasattr(l, "kernel_initializer")]   # also inside nested blocks
expect(len(_weighted) == 16 and all(type(l.kernel_initializer).__name__ == "HeNormal" for l in _weighted),
       "build_plain_vgg16(..., kernel_initializer='he_normal') must use it in all 13 Conv2D and 3 Dense layers; found "
       + ", ".join(type(l.kernel_initializer).__name__ for l in _weighted) + ".")
_m2 = build_plain_vgg16((32, 32, 3), 10, fc=16, base=8)
expect(all(type(l.kernel_initializer).__name__ == "GlorotUniform" for l in leaf_layers(_m2) if hasattr(l, "kernel_initializer")),
       "by default build_plain_vgg16 must keep Keras' default initializer, glorot_uniform (the post's setting).")
_p = np.asarray(_m2(np.random.default_rng(0).random((3, 32, 32, 3)).astype("float32")))
expect_shape(_p, (3, 10), "build_plain_vgg16((32, 32, 3), 10, fc=16, base=8) on 3 images")
expect_close(_p.sum(axis=1), np.ones(3), "each output row must be probabilities summing to 1 (softmax)", atol=1e-4)
### END HIDDEN TESTS

# %% [markdown]
# Keras agrees with your table. `model_layers` lists the layers Keras built; put its parameter column next
# to your table's.

# %% [code]
plain = build_plain_vgg16()
_keras_rows = [d for d in model_layers(plain, input_shape=(32, 32, 3))]
_table = vgg16_param_table((32, 32, 3), 10)
for _mine, _k in zip(_table, _keras_rows):
    print(f"{_mine[0]:<14} {str(_mine[1]):<16} table {_mine[2]:>12,} | Keras {_k['kind']:<13} {_k['params']:>12,}")
print(f"total: table {sum(r[2] for r in _table):,} | Keras count_params() {plain.count_params():,}")
del plain

# %% [markdown]
# In full mode we also build the ImageNet-sized VGG16 once (138 million parameters, about 550 MB of float32
# weights; it takes a few seconds) and ask Keras for its count. Fast mode skips it.

# %% [code]
if not FAST:
    _big = build_plain_vgg16((224, 224, 3), 1000)
    print(f"Keras, VGG16 at 224x224x3 / 1000 classes: {_big.count_params():,} parameters "
          f"(table: {sum(r[2] for r in vgg16_param_table((224, 224, 3), 1000)):,})")
    del _big
else:
    print("fast mode: skipping the 138M-parameter build; the table says "
          f"{sum(r[2] for r in vgg16_param_table((224, 224, 3), 1000)):,}.")

# %% [markdown]
# ## 6. The data: CIFAR-10
# 60,000 colour images of 32x32 pixels in 10 classes (50,000 for training, 10,000 for testing). Like the
# post we scale pixels to [0, 1]. The post one-hot encodes the labels and uses `categorical_crossentropy`;
# we keep the integer labels and use `sparse_categorical_crossentropy`, which computes the same loss.

# %% [code]
(x_train, y_train), (x_test, y_test) = load_cifar10()
y_train, y_test = y_train.reshape(-1), y_test.reshape(-1)
show_image_grid(x_train, y_train, class_names=CIFAR10_CLASSES, rows=2, cols=8, title="CIFAR-10 training images")

# %% [markdown]
# Fast mode keeps 256 training and 200 test images and a narrow version of the same 16-layer network
# (`base=8` filters instead of 64, a 1024-wide head instead of 4096), trained for 3 epochs: one training step
# of the full model on 32 images took 1-1.7 s on the course's two-core CPU. Full mode uses the post's exact
# model and settings: all 50,000 training images (40,000 to train on, 10,000 held out), 10 epochs.

# %% [code]
N_TRAIN, N_TEST = by_mode(fast=(256, 200), full=(len(x_train), len(x_test)))
BASE, FC = by_mode(fast=(8, 1024), full=(64, 4096))
EPOCHS, BATCH_SIZE = by_mode(fast=3, full=10), 32
x_train = x_train[:N_TRAIN].astype("float32") / 255.0
x_test = x_test[:N_TEST].astype("float32") / 255.0
y_train, y_test = y_train[:N_TRAIN], y_test[:N_TEST]
print(f"{len(x_train)} training images (20% held out for validation), {len(x_test)} test images; "
      f"VGG16 with base={BASE}, fc={FC}; {EPOCHS} epochs of batch {BATCH_SIZE}")

# %% [markdown]
# ## 7. Exercise: what does 2.3026 mean?
# Cross-entropy is `-log(p[true class])`. A network that has learned nothing useful gives every class the
# same probability `1/C`, whatever the image - so its loss is `-log(1/C) = log(C)`, exactly, on every
# image. For CIFAR-10, `log(10) = 2.302585...`: **the post's 2.3026 is the loss of a uniform guess**, and
# the 10 % accuracy is what a uniform (or constant) guess scores on ten balanced classes.
#
# Write `initial_loss(num_classes)`: the cross-entropy of the uniform prediction over `num_classes`
# classes, as a Python float. It is also the loss a freshly initialised classifier *should* start near -
# a quick sanity check before any training.

# %% [answer] id=initial_loss from=initial_loss

# %% [tests] id=initial_loss_visible points=1
def _il_why(got, c):
    """What was found and the usual mistake behind a wrong initial loss, in words (it and "." when none fits)."""
    for _log, _name in ((np.log10, "log10"), (np.log2, "log2")):
        if abs(got - _log(c)) < 1e-6:
            return course_text("{0} - that is {1}({2}): cross-entropy uses the natural logarithm (np.log, math.log).",
                               repr(got), _name, c)
    if abs(got + np.log(c)) < 1e-6:
        return course_text("{0} - wrong sign: the loss is -log(1/C) = +log(C).", repr(got))
    return f"{got!r}."

_got = initial_loss(10)
expect(isinstance(_got, (float, np.floating)), f"initial_loss must return a float, found {type(_got).__name__}.")
expect(abs(_got - 2.302585093) < 1e-6, "initial_loss(10): expected log(10) = 2.302585..., found " + _il_why(_got, 10))
check_passed(f"initial_loss(10) = {_got:.4f}, a float: the post's stuck loss.")

# %% [tests] id=initial_loss_hidden points=1
# Hidden tests for initial_loss run here when your notebook is graded.
### BEGIN HIDDEN TESTS
def _il_why(got, c):
    """What was found and the usual mistake behind a wrong initial loss, in words (it and "." when none fits)."""
    for _log, _name in ((np.log10, "log10"), (np.log2, "log2")):
        if abs(got - _log(c)) < 1e-6:
            return course_text("{0} - that is {1}({2}): cross-entropy uses the natural logarithm (np.log, math.log).",
                               repr(got), _name, c)
    if abs(got + np.log(c)) < 1e-6:
        return course_text("{0} - wrong sign: the loss is -log(1/C) = +log(C).", repr(got))
    if abs(got - np.log(10)) < 1e-6:
        return course_text("{0} - that is log(10), the value for 10 classes: use num_classes.", repr(got))
    return f"{got!r}."

for _c in (2, 3, 100, 1000):
    _probs = np.full((4, _c), 1.0 / _c)
    _want = float(np.mean(-np.log(_probs[np.arange(4), np.arange(4) % _c])))
    _got = initial_loss(_c)
    expect(isinstance(_got, (float, np.floating)), f"initial_loss({_c}) must return a float, found {type(_got).__name__}.")
    expect(abs(_got - _want) < 1e-6, f"initial_loss({_c}): expected {_want:.6f}, found " + _il_why(_got, _c))
### END HIDDEN TESTS

# %% [markdown]
# Check it on the real thing: an untrained plain VGG16 (the post's Glorot initialisation) scores almost
# exactly `log(10)` - and its predicted probabilities hardly depend on the image at all.

# %% [code]
keras.utils.set_random_seed(0)
plain = build_plain_vgg16(fc=FC, base=BASE)
_probs = np.asarray(plain(x_train[:128], training=False))
_loss0 = float(keras.losses.sparse_categorical_crossentropy(y_train[:128], _probs).numpy().mean())
print(f"untrained plain VGG16: loss {_loss0:.4f} vs log(10) = {initial_loss(10):.4f}")
print(f"predicted probabilities: min {_probs.min():.4f}, max {_probs.max():.4f}; "
      f"spread across images (std per class, averaged) {_probs.std(axis=0).mean():.2e}")

# %% [markdown]
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

# %% [code]
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

# %% [markdown]
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

# %% [code]
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

# %% [code]
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

# %% [markdown]
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

# %% [answer] id=build_vgg16_bn from=build_vgg16_bn

# %% [tests] id=build_vgg16_bn_visible points=2
def _bn_layers(model, input_shape):
    found = []
    for d in model_layers(model, input_shape=input_shape):
        if d["kind"] in ("Activation", "ReLU") and d.get("activation") == "relu":
            found.append(("ReLU", None, d["output_shape"]))
        else:
            found.append((d["kind"], d.get("filters", d.get("units")), d["output_shape"], d.get("activation")))
    return found

def _bn_expected(side, base, fc, classes):
    rows = []
    for _n, _f in ((2, 1), (2, 2), (3, 4), (3, 8), (3, 8)):
        for _ in range(_n):
            _s = (None, side, side, _f * base)
            rows += [("Conv2D", _f * base, _s, "linear"), ("BatchNormalization", None, _s, None), ("ReLU", None, _s)]
        side //= 2
        rows.append(("MaxPooling2D", None, (None, side, side, _f * base), None))
    return rows + [("Flatten", None, (None, side * side * 8 * base), None), ("Dense", fc, (None, fc), "relu"),
                   ("Dense", fc, (None, fc), "relu"), ("Dense", classes, (None, classes), "softmax")]

_m = build_vgg16_bn()
_got, _want = _bn_layers(_m, (32, 32, 3)), _bn_expected(32, 64, 4096, 10)
for _i, (_a, _e) in enumerate(zip(_got, _want)):
    expect(_a == _e, f"layer {_i + 1}: expected (kind, filters/units, output shape, activation) = {_e}, found {_a}. "
                     + ("Each Conv2D has no activation; BatchNormalization then a ReLU follow it." if _i < len(_want) - 4 else
                        "The head stays Flatten, Dense(fc, 'relu'), Dense(fc, 'relu'), Dense(num_classes, 'softmax'): no BatchNormalization there."))
expect(len(_got) == len(_want), f"VGG16 with BatchNorm has 13 x (Conv2D, BatchNormalization, ReLU) + 5 pools + Flatten + 3 Dense "
                                f"= {len(_want)} layers; found {len(_got)}: the first {min(len(_got), len(_want))} are right.")
_bn = [l for l in leaf_layers(_m) if isinstance(l, layers.BatchNormalization)]
expect(len(_bn) == 13, f"expected 13 BatchNormalization layers, one per Conv2D, found {len(_bn)} distinct ones: "
                       "a layer object used after several convolutions shares one set of weights and statistics.")
_nt = sum(int(np.prod(w.shape)) for w in _m.non_trainable_weights)
_hint = (course_text(" - your Conv2D layers have no bias (use_bias=False); keep Keras' default, the count includes it.")
         if _m.count_params() == 33_655_114 - 4_224 else ".")
expect(_m.count_params() == 33_655_114 and _nt == 8_448,
       f"expected 33,655,114 parameters (8,448 non-trainable), found {_m.count_params():,} ({_nt:,} non-trainable)" + _hint)
check_passed("build_vgg16_bn(): Conv2D -> BatchNormalization -> ReLU in every block, then the head; 33,655,114 parameters.")

# %% [tests] id=build_vgg16_bn_hidden points=2
# Hidden tests for build_vgg16_bn run here when your notebook is graded.
### BEGIN HIDDEN TESTS
def _bn_layers(model, input_shape):
    found = []
    for d in model_layers(model, input_shape=input_shape):
        if d["kind"] in ("Activation", "ReLU") and d.get("activation") == "relu":
            found.append(("ReLU", None, d["output_shape"]))
        else:
            found.append((d["kind"], d.get("filters", d.get("units")), d["output_shape"], d.get("activation")))
    return found

_want, _side, _c, _count, _nb = [], 64, 2, 0, 0
for _n, _f in ((2, 4), (2, 8), (3, 16), (3, 32), (3, 32)):
    for _ in range(_n):
        _s = (None, _side, _side, _f)
        _want += [("Conv2D", _f, _s, "linear"), ("BatchNormalization", None, _s, None), ("ReLU", None, _s)]
        _count += 9 * _c * _f + _f + 4 * _f          # kernel, bias, BatchNorm's gamma, beta, moving mean and variance
        _c, _nb = _f, _nb + _f
    _side //= 2
    _want.append(("MaxPooling2D", None, (None, _side, _side, _f), None))
_want += [("Flatten", None, (None, 128), None), ("Dense", 24, (None, 24), "relu"),
          ("Dense", 24, (None, 24), "relu"), ("Dense", 3, (None, 3), "softmax")]
_count += (128 * 24 + 24) + (24 * 24 + 24) + (24 * 3 + 3)
_m = build_vgg16_bn((64, 64, 2), 3, fc=24, base=4)
_got = _bn_layers(_m, (64, 64, 2))
expect(_got == _want, "build_vgg16_bn((64, 64, 2), 3, fc=24, base=4) does not have the expected layers; first difference: "
       + next((course_text("layer {0}: expected {1}, found {2}", i + 1, e, a) for i, (a, e) in enumerate(zip(_got, _want)) if a != e),
              course_text("expected {0} layers, found {1}", len(_want), len(_got))) + ".")
_x = np.random.default_rng(3).random((4, 64, 64, 2)).astype("float32")
_p = np.asarray(_m(_x, training=False))
expect_shape(_p, (4, 3), "build_vgg16_bn((64, 64, 2), 3, fc=24, base=4) on 4 images")
expect_close(_p.sum(axis=1), np.ones(4), "each output row must be probabilities summing to 1 (softmax)", atol=1e-4)
_bn = [l for l in leaf_layers(_m) if isinstance(l, layers.BatchNormalization)]   # also inside nested blocks
expect(len(_bn) == 13, f"expected 13 BatchNormalization layers (one per Conv2D), found {len(_bn)} distinct ones.")
_inits = [type(l.kernel_initializer).__name__ for l in leaf_layers(_m) if hasattr(l, "kernel_initializer")]
expect(all(i == "GlorotUniform" for i in _inits),
       "the initializers stay at their defaults (glorot_uniform, Keras' default) in build_vgg16_bn; found " + ", ".join(_inits) + ".")
expect(_m.count_params() == _count,
       f"build_vgg16_bn((64, 64, 2), 3, fc=24, base=4): expected {_count:,} parameters, found {_m.count_params():,}"
       + (" - your Conv2D layers have no bias (use_bias=False); keep Keras' default."
          if _m.count_params() == _count - _nb else "."))
### END HIDDEN TESTS

# %% [markdown]
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

# %% [code]
keras.utils.set_random_seed(1)
bn_model = train("VGG16 + BatchNorm, Adam 1e-3", build_vgg16_bn(fc=FC, base=BASE), 1e-3)

# %% [code]
keras.utils.set_random_seed(1)
he_model = train("plain VGG16, He init, Adam 1e-4",
                 build_plain_vgg16(fc=FC, base=BASE, kernel_initializer="he_normal"), 1e-4)

# %% [markdown]
# In fast mode the BatchNorm model's *training* loss falls quickly, yet its test numbers can look no better
# than the stuck model's. That is not the fix failing: at inference BatchNorm normalises with **moving
# averages** of the batch statistics, which start at mean 0 / variance 1 and move only 1 % per training
# step (Keras' default `momentum=0.99`). After twenty-odd steps they are still mostly their initial values.
# A standard remedy is to re-estimate them: one pass over training images in training mode, averaging
# the batch statistics, replaces them by the real ones; no weight changes. (A pass over 10,000 images, in
# batches of 250, is plenty: one call on all of them at once would need more memory than a GPU has.)

# %% [code]
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

# %% [code]
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

# %% [markdown]
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

# %% [markdown]
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
