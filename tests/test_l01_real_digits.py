"""Lesson 01's model on real handwriting, offline: scikit-learn's bundled digits.

The notebooks run on synthetic stand-ins in CI (no network), which says nothing about real
handwriting. ``sklearn.datasets.load_digits`` ships inside scikit-learn (no download): 1,797
handwritten digits from 43 writers (UCI "Optical Recognition of Handwritten Digits"), 8x8 pixels,
ink counts 0-16. Made MNIST-like, they train the student's model - the solution's ``MyModel``,
``prepare_images``, ``make_datasets``, ``make_train_step``, ``make_test_step`` and ``run_epochs``,
wired as the lesson wires them - and the held-out accuracy must reach 95 %.
"""
import time

import numpy as np
import keras
import tensorflow as tf

from solutions import l01_mnist_vgg_subclassing as sol

MIN_ACCURACY = 0.95
EPOCHS = 5


def mnist_like(images_8x8):
    """(N, 8, 8) ink counts 0-16 -> (N, 28, 28) uint8 0-255, laid out like MNIST.

    MNIST centres each digit in a 20x20 box inside a 28x28 image (4 px of background around it)
    with anti-aliased strokes. So: scale 0-16 to 0-255, upscale 8x8 -> 20x20 with bilinear
    interpolation (smooth strokes; np.kron's nearest-neighbour blocks would look nothing like
    MNIST), and pad 4 px of zeros on every side.
    """
    x = images_8x8.astype(np.float32) * (255.0 / 16.0)
    x = tf.image.resize(x[..., None], (20, 20), method="bilinear").numpy()[..., 0]
    x = np.pad(x, ((0, 0), (4, 4), (4, 4)))
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def stratified_split(y, test_fraction=0.25, seed=0):
    """Indices (train, test): a seeded, stratified test_fraction held out (every class in proportion)."""
    from sklearn.model_selection import train_test_split

    return train_test_split(np.arange(len(y)), test_size=test_fraction, stratify=y, random_state=seed)


def test_mnist_like_digits():
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = mnist_like(digits.images[:50])
    assert x.shape == (50, 28, 28) and x.dtype == np.uint8
    assert x.max() > 200 and not x[:, :4].any() and not x[:, :, -4:].any()  # ink, MNIST's border
    train, test = stratified_split(digits.target)
    assert len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == len(digits.target)
    assert np.bincount(digits.target[test]).min() >= 43  # every class held out (25 % of 174-183, rounded)


def test_lesson01_model_reads_real_handwriting(record_property):
    from sklearn.datasets import load_digits

    start = time.perf_counter()
    keras.utils.set_random_seed(0)
    digits = load_digits()  # bundled with scikit-learn: nothing is downloaded
    images, labels = mnist_like(digits.images), digits.target.astype(np.uint8)
    train, test = stratified_split(labels, test_fraction=0.25, seed=0)

    # As in lesson 01: prepare_images, make_datasets, MyModel, Adam, the two steps, run_epochs.
    x_train, x_test = sol.prepare_images(images[train]), sol.prepare_images(images[test])
    train_ds, test_ds = sol.make_datasets(x_train, labels[train], x_test, labels[test],
                                          batch_size=32, seed=42)
    model = sol.MyModel()
    loss_object = keras.losses.SparseCategoricalCrossentropy()
    optimizer = keras.optimizers.Adam()
    train_loss, test_loss = keras.metrics.Mean(name="train_loss"), keras.metrics.Mean(name="test_loss")
    train_accuracy = keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")
    test_accuracy = keras.metrics.SparseCategoricalAccuracy(name="test_accuracy")
    train_step = sol.make_train_step(model, loss_object, optimizer, train_loss, train_accuracy)
    test_step = sol.make_test_step(model, loss_object, test_loss, test_accuracy)
    history = sol.run_epochs(EPOCHS, train_ds, test_ds, train_step, test_step,
                             train_loss, train_accuracy, test_loss, test_accuracy, verbose=False)

    # The held-out accuracy twice: the solution's test_step metric, and counted here.
    counted = float(np.mean(np.argmax(model.predict(x_test, verbose=0), axis=1) == labels[test]))
    seconds = time.perf_counter() - start
    print(f"\nreal handwritten digits (sklearn load_digits, {len(train)} train / {len(test)} held out), "
          f"{EPOCHS} epochs: held-out accuracy {counted:.4f} "
          f"(per epoch, %: {[round(a, 2) for a in history['test_accuracy']]}), {seconds:.1f} s")
    record_property("digits_heldout_accuracy", round(counted, 4))
    record_property("digits_seconds", round(seconds, 1))
    assert abs(history["test_accuracy"][-1] / 100 - counted) < 1e-6
    assert counted >= MIN_ACCURACY, (
        f"lesson 01's model reached only {counted:.2%} on held-out real handwritten digits "
        f"(expected >= {MIN_ACCURACY:.0%}); per epoch: {history['test_accuracy']}")
