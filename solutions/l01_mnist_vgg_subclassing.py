"""Lesson 01: a reduced VGG-16 on MNIST with the subclassing API and tf.GradientTape loops."""
import tensorflow as tf
import keras
from keras import layers


def prepare_images(images):
    """Scale uint8 images (N, H, W) to float32 in [0, 1] and add a channel axis: (N, H, W, 1)."""
    ### BEGIN SOLUTION
    images = tf.cast(images, tf.float32) / 255.0
    return images[..., tf.newaxis].numpy()
    ### END SOLUTION


def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
    """Return (train_ds, test_ds): the training set shuffled then batched, the test set batched in order."""
    ### BEGIN SOLUTION
    train_ds = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
                .shuffle(shuffle_buffer, seed=seed)
                .batch(batch_size)
                .prefetch(tf.data.AUTOTUNE))
    test_ds = (tf.data.Dataset.from_tensor_slices((x_test, y_test))
               .batch(batch_size)
               .prefetch(tf.data.AUTOTUNE))
    return train_ds, test_ds
    ### END SOLUTION


class MyModel(keras.Model):
    """Reduced VGG-16: two blocks of two 3x3 convolutions (32, then 64 filters, 'same' padding,
    ReLU) each followed by 2x2 max-pooling, then Flatten, Dense(128, ReLU) and Dense(10, softmax)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.conv1a = layers.Conv2D(32, 3, padding="same", activation="relu")
        self.conv1b = layers.Conv2D(32, 3, padding="same", activation="relu")
        self.pool1 = layers.MaxPooling2D(2)
        self.conv2a = layers.Conv2D(64, 3, padding="same", activation="relu")
        self.conv2b = layers.Conv2D(64, 3, padding="same", activation="relu")
        self.pool2 = layers.MaxPooling2D(2)
        self.flatten = layers.Flatten()
        self.dense = layers.Dense(128, activation="relu")
        # dtype="float32": under mixed precision (on a GPU) the probabilities stay float32.
        self.classifier = layers.Dense(10, activation="softmax", dtype="float32")
        ### END SOLUTION

    def call(self, x):
        ### BEGIN SOLUTION
        x = self.pool1(self.conv1b(self.conv1a(x)))
        x = self.pool2(self.conv2b(self.conv2a(x)))
        x = self.dense(self.flatten(x))
        x = self.classifier(x)
        ### END SOLUTION
        return x


def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
    """Return a ``@tf.function`` ``train_step(images, labels)`` that does one gradient step
    and updates the two metrics with the batch's loss and predictions."""
    ### BEGIN SOLUTION
    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            loss = loss_object(labels, predictions)
            scaled_loss = optimizer.scale_loss(loss)  # loss scaling under mixed precision, else the loss itself
        gradients = tape.gradient(scaled_loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        train_loss(loss)
        train_accuracy(labels, predictions)
    return train_step
    ### END SOLUTION


def make_test_step(model, loss_object, test_loss, test_accuracy):
    """Return a ``@tf.function`` ``test_step(images, labels)`` that updates the two metrics
    without changing the model."""
    ### BEGIN SOLUTION
    @tf.function
    def test_step(images, labels):
        predictions = model(images, training=False)
        test_loss(loss_object(labels, predictions))
        test_accuracy(labels, predictions)
    return test_step
    ### END SOLUTION


def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
               train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
    """Train for ``epochs`` epochs; return a dict of per-epoch lists 'loss', 'accuracy',
    'test_loss', 'test_accuracy' (accuracies in percent). Every epoch starts from reset
    metrics, so each number describes that epoch alone. With ``verbose``, print one line per
    epoch with its four numbers. (Optional, not checked: a progress bar while an epoch trains.)"""
    ### BEGIN SOLUTION
    import time

    history = {"loss": [], "accuracy": [], "test_loss": [], "test_accuracy": []}
    metrics = (train_loss, train_accuracy, test_loss, test_accuracy)
    steps = int(train_ds.cardinality())
    for epoch in range(epochs):
        started = time.perf_counter()
        for metric in metrics:
            metric.reset_state()
        bar = keras.utils.Progbar(steps if steps > 0 else None, verbose=1 if verbose else 0,
                                  stateful_metrics=["loss", "accuracy"])
        for step, (images, labels) in enumerate(train_ds, 1):
            train_step(images, labels)
            if verbose and (step % 20 == 0 or step == steps):
                bar.update(step, [("loss", float(train_loss.result())),
                                  ("accuracy", 100 * float(train_accuracy.result()))])
        for test_images, test_labels in test_ds:
            test_step(test_images, test_labels)
        results = [float(m.result()) for m in metrics]
        results[1] *= 100
        results[3] *= 100
        for key, value in zip(history, results):
            history[key].append(value)
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs}: loss {results[0]:.4f}, accuracy {results[1]:.2f}%, "
                  f"test loss {results[2]:.4f}, test accuracy {results[3]:.2f}% - "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
    return history
    ### END SOLUTION
