"""Lesson 03: a 4-conv / 5-FC CNN on CIFAR-10 and an ensemble of independently trained copies."""
import numpy as np
import keras
from keras import layers


def preprocess(images):
    """Scale uint8 images to float32 in [0, 1]: divide by 255 (the largest pixel value).
    The shape does not change."""
    ### BEGIN SOLUTION
    return np.asarray(images, dtype=np.float32) / np.float32(255.0)
    ### END SOLUTION


def build_model(learning_rate=0.001, dropout_rate=0.5):
    """Return a NEW compiled Keras model for (32, 32, 3) images (a keras.Sequential or a
    functional keras.Model), as in the post: four blocks Conv2D(15/30/30/30 filters, 4x4,
    padding='same', ReLU) + MaxPooling2D(2); Flatten; Dense 200-200-100-100 (ReLU), each
    followed by Dropout(dropout_rate); Dense(10, softmax). Every Conv2D/Dense uses
    kernel_initializer='glorot_normal'. 132,435 parameters. Compiled with Adam(learning_rate),
    sparse categorical cross-entropy and metrics=['accuracy']."""
    ### BEGIN SOLUTION
    model = keras.Sequential([keras.Input(shape=(32, 32, 3))], name="cifar10_cnn")
    for filters in (15, 30, 30, 30):
        model.add(layers.Conv2D(filters, kernel_size=4, padding="same", activation="relu",
                                kernel_initializer="glorot_normal"))
        model.add(layers.MaxPooling2D(pool_size=2))
    model.add(layers.Flatten())
    for units in (200, 200, 100, 100):
        model.add(layers.Dense(units, activation="relu", kernel_initializer="glorot_normal"))
        model.add(layers.Dropout(dropout_rate))
    model.add(layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
    ### END SOLUTION


def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
    """Train ``num_models`` INDEPENDENT ensemble members and return them in a list.

    Each member is a new model made by calling ``build_fn()`` (so each has its own weights and
    optimizer) and trained with ``fit(x, y, epochs=epochs, batch_size=batch_size,
    verbose=verbose)``. When ``member_callbacks`` is given, it is a function of the member index
    (0, 1, ...) returning that member's list of callbacks (e.g. a TensorBoard logger with its own
    log dir), passed to ``fit(callbacks=...)``."""
    ### BEGIN SOLUTION
    members = []
    for i in range(num_models):
        model = build_fn()
        callbacks = member_callbacks(i) if member_callbacks is not None else []
        model.fit(x, y, epochs=epochs, batch_size=batch_size, callbacks=callbacks, verbose=verbose)
        members.append(model)
    return members
    ### END SOLUTION


def ensemble_predict(models, x):
    """Average the members' softmax outputs: a (len(x), n_classes) float array of probabilities
    (each row sums to 1). Use ``model.predict(x, verbose=0)`` for each member."""
    ### BEGIN SOLUTION
    probabilities = [np.asarray(m.predict(x, verbose=0), dtype=np.float64) for m in models]
    return np.mean(probabilities, axis=0)
    ### END SOLUTION


def accuracy(probabilities, labels):
    """Fraction (a Python float in [0, 1]) of rows whose most probable class equals the label.
    ``labels`` are integer class ids of shape (N,) or (N, 1), as keras.datasets returns them."""
    ### BEGIN SOLUTION
    predicted = np.argmax(np.asarray(probabilities), axis=1)
    return float(np.mean(predicted == np.asarray(labels).reshape(-1)))
    ### END SOLUTION
