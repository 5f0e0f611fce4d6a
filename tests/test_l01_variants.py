"""Lesson 01's make_datasets checks against answers written differently (accepted) and the mistake the
lesson warns about (rejected): each check cell of the master run in-process on a variant."""
import numpy as np
import pytest
import tensorflow as tf

from coursekit import checks
from solutions.l01_mnist_vgg_subclassing import make_datasets as solution
from tests import nbtools

LESSON = "01_mnist_vgg_subclassing"


import keras
from keras import layers


def run_cell(grade_id, **answers):
    cell = next(c for c in nbtools.master(LESSON).cells if nbtools.meta(c).get("grade_id") == grade_id)
    source = "\n".join(l for l in cell.source.splitlines() if "### BEGIN HIDDEN" not in l and "### END HIDDEN" not in l)
    exec(source, {"np": np, "tf": tf, "keras": keras, "layers": layers, **{n: getattr(checks, n) for n in ("expect", "expect_shape", "expect_dtype", "expect_close")}, **answers})


def correct_keywords(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
    train = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    train = train.shuffle(buffer_size=shuffle_buffer, seed=seed, reshuffle_each_iteration=True).batch(batch_size=batch_size)
    return train, tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size)


def correct_whole_set_buffer(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
    pairs = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    return (pairs.shuffle(len(x_train), seed=seed).batch(batch_size).prefetch(1),
            tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size).prefetch(1))


def wrong_batch_then_shuffle(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
    train = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(batch_size).shuffle(shuffle_buffer, seed=seed)
    return train, tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size)


@pytest.mark.parametrize("answer", [solution, correct_keywords, correct_whole_set_buffer])
def test_correct_variants_pass(answer):
    for grade_id in ("make_datasets_visible", "make_datasets_hidden"):
        run_cell(grade_id, make_datasets=answer)


def test_batch_then_shuffle_loses_the_hidden_points_with_a_message_that_names_it():
    run_cell("make_datasets_visible", make_datasets=wrong_batch_then_shuffle)  # shapes are right
    with pytest.raises(checks.CheckFailed, match=r"Shuffle \*before\* batching"):
        run_cell("make_datasets_hidden", make_datasets=wrong_batch_then_shuffle)


def correct_apply_and_update_state(model, loss_object, optimizer, train_loss, train_accuracy):
    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            loss = loss_object(labels, predictions)
            scaled = optimizer.scale_loss(loss)
        optimizer.apply(tape.gradient(scaled, model.trainable_variables), model.trainable_variables)
        train_loss.update_state(loss)
        train_accuracy.update_state(labels, predictions)
    return train_step


def wrong_no_loss_scaling(model, loss_object, optimizer, train_loss, train_accuracy):
    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            loss = loss_object(labels, predictions)
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        train_loss(loss)
        train_accuracy(labels, predictions)
    return train_step


def test_train_step_variants():
    from solutions.l01_mnist_vgg_subclassing import make_train_step

    for answer in (make_train_step, correct_apply_and_update_state):
        run_cell("train_step_visible", make_train_step=answer)
        run_cell("train_step_hidden", make_train_step=answer)
    with pytest.raises(checks.CheckFailed, match=r"optimizer\.scale_loss\(loss\)"):
        run_cell("train_step_hidden", make_train_step=wrong_no_loss_scaling)
