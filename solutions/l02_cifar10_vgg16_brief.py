"""Lesson 02: the post's "VGG16 brief" on CIFAR-10 with the Keras functional API."""
import numpy as np
import keras
from keras import layers


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


def compile_model(model, learning_rate=1e-3):
    """Compile ``model`` with Adam(learning_rate), sparse categorical cross-entropy and the
    "accuracy" metric; return the model."""
    ### BEGIN SOLUTION
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=["accuracy"])
    return model
    ### END SOLUTION


def make_callbacks():
    """Return the list of training callbacks: one ReduceLROnPlateau that divides the learning
    rate by 10 when val_loss has not improved for 5 epochs, never going below 1e-5."""
    ### BEGIN SOLUTION
    return [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=5, factor=0.1,
                                              min_lr=1e-5, verbose=1)]
    ### END SOLUTION


def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
    """Fit a compiled ``model`` on the training set for ``epochs`` epochs in batches of
    ``batch_size``, validating on (x_val, y_val) after every epoch and passing ``callbacks``
    to fit; return the History object."""
    ### BEGIN SOLUTION
    return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                     validation_data=(x_val, y_val), callbacks=list(callbacks), verbose=verbose)
    ### END SOLUTION
