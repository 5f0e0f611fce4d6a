"""Lesson 04: the full VGG16 with BatchNormalization on CIFAR-10, in the Sequential API."""
import os

import keras
from keras import layers


def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
    """Return a NEW keras.Sequential VGG16 with BatchNormalization, as in the post: five blocks
    of 3x3 'same' convolutions (64, 64 | 128, 128 | 256 x 3 | 512 x 3 | 512 x 3 filters), each
    convolution followed by BatchNormalization and then a ReLU Activation, each block closed by a
    2x2 max-pooling (strides 2, padding 'same'); then Flatten, Dense(4096, ReLU) 'fc1',
    Dense(4096, ReLU) 'fc2' and Dense(num_classes, softmax) 'predictions'. Layer names as in
    the post: block<b>_conv<i>, bn1..bn13, block<b>_pool, flatten, fc1, fc2, predictions."""
    ### BEGIN SOLUTION
    # The layers in one list, made into a keras.Sequential once: after an Input, every model.add
    # rebuilds the model so far, and 48 of them cost more than the layers themselves.
    stack, bn = [keras.Input(shape=input_shape)], 0
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
        for conv in range(1, convs + 1):
            bn += 1
            stack += [layers.Conv2D(filters, (3, 3), strides=(1, 1), padding="same", name=f"block{block}_conv{conv}"),
                      layers.BatchNormalization(name=f"bn{bn}"),
                      layers.Activation("relu")]
        stack.append(layers.MaxPooling2D((2, 2), strides=(2, 2), padding="same", name=f"block{block}_pool"))
    stack += [layers.Flatten(name="flatten"),
              layers.Dense(4096, activation="relu", name="fc1"),
              layers.Dense(4096, activation="relu", name="fc2"),
              # dtype="float32": under mixed precision (on a GPU) the probabilities stay float32.
              layers.Dense(num_classes, activation="softmax", name="predictions", dtype="float32")]
    return keras.Sequential(stack, name="vgg16_bn")
    ### END SOLUTION


def save_and_reload(model, folder):
    """Save ``model`` in the two Keras 3 formats inside ``folder``: the whole model as
    ``model.keras`` and its weights alone as ``model.weights.h5``. Then load them back: the
    ``.keras`` file with ``keras.models.load_model``, and the weights into a FRESH copy of the
    architecture (``keras.models.clone_model``). Return ``(reloaded, restored)``."""
    ### BEGIN SOLUTION
    model_path = os.path.join(folder, "model.keras")
    weights_path = os.path.join(folder, "model.weights.h5")
    model.save(model_path)
    model.save_weights(weights_path)
    reloaded = keras.models.load_model(model_path)
    restored = keras.models.clone_model(model)
    restored.load_weights(weights_path)
    return reloaded, restored
    ### END SOLUTION


def make_augmenter(image_size=32, pad=4):
    """Return a keras.Sequential that, in training mode only, flips each image left-right at
    random (RandomFlip 'horizontal') and shifts it by up to ``pad`` pixels in each direction,
    filling with zeros - the "pad by 4, crop a random 32x32 window" of the CIFAR-10 recipe -
    with RandomTranslation(pad / image_size, pad / image_size, fill_mode='constant',
    interpolation='nearest'). At inference it must return its input unchanged."""
    ### BEGIN SOLUTION
    factor = pad / image_size
    return keras.Sequential([
        layers.RandomFlip("horizontal"),
        layers.RandomTranslation(factor, factor, fill_mode="constant", fill_value=0.0,
                                 interpolation="nearest"),
    ], name="augmenter")
    ### END SOLUTION
