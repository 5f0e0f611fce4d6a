"""Lesson 05: VGGNet, and why a plain (no BatchNorm) VGG16 gets stuck at loss ln(10) on CIFAR-10."""
import numpy as np
import keras
from keras import layers


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


def initial_loss(num_classes):
    """Cross-entropy of a classifier that predicts the uniform distribution over
    ``num_classes`` classes (what an untrained, or stuck, network scores)."""
    ### BEGIN SOLUTION
    return float(np.log(num_classes))
    ### END SOLUTION


def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                      kernel_initializer="glorot_uniform"):
    """The post's VGG16 without BatchNorm: 13 Conv2D (3x3, 'same', ReLU) with base x 1, 2, 4, 8, 8
    filters in the five blocks, each block closed by MaxPooling2D(2); Flatten; Dense ``fc`` ReLU,
    Dense ``fc`` ReLU, Dense ``num_classes`` softmax. Every Conv2D and Dense layer uses
    ``kernel_initializer``."""
    ### BEGIN SOLUTION
    stack = [keras.Input(shape=input_shape)]   # one list, one keras.Sequential: built once, not at every add
    for n_convs, filters in ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)):
        for _ in range(n_convs):
            stack.append(layers.Conv2D(filters * base // 64, 3, padding="same", activation="relu",
                                       kernel_initializer=kernel_initializer))
        stack.append(layers.MaxPooling2D(2))
    stack += [layers.Flatten(),
              layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer),
              layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer),
              layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer)]
    return keras.Sequential(stack, name="plain_vgg16")
    ### END SOLUTION


def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
    """VGG16 with BatchNorm: every 3x3 Conv2D ('same', no activation) is followed by
    BatchNormalization and then a ReLU Activation; otherwise as ``build_plain_vgg16``."""
    ### BEGIN SOLUTION
    stack = [keras.Input(shape=input_shape)]
    for n_convs, filters in ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)):
        for _ in range(n_convs):
            stack += [layers.Conv2D(filters * base // 64, 3, padding="same"), layers.BatchNormalization(),
                      layers.Activation("relu")]
        stack.append(layers.MaxPooling2D(2))
    stack += [layers.Flatten(), layers.Dense(fc, activation="relu"), layers.Dense(fc, activation="relu"),
              layers.Dense(num_classes, activation="softmax")]
    return keras.Sequential(stack, name="vgg16_bn")
    ### END SOLUTION
