"""Unit tests of solutions/l01_mnist_vgg_subclassing.py (the reference for lesson 01)."""
import numpy as np
import pytest
import tensorflow as tf
import keras

from solutions import l01_mnist_vgg_subclassing as sol


@pytest.fixture(autouse=True)
def seed():
    keras.utils.set_random_seed(0)


def test_prepare_images_scales_and_adds_channel():
    x = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    out = sol.prepare_images(x)
    assert out.shape == (1, 2, 2, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out[..., 0], x / 255.0, rtol=1e-6)


def test_make_datasets_shuffles_train_and_keeps_test_order():
    x = np.arange(64, dtype="float32").reshape(64, 1, 1, 1)
    y = np.arange(64)
    train, test = sol.make_datasets(x, y, x[:20], y[:20], batch_size=8, seed=1)
    first = np.concatenate([b[1] for b in train.as_numpy_iterator()])
    assert sorted(first) == list(range(64)) and not np.array_equal(first, y)
    assert np.array_equal(np.concatenate([b[1] for b in test.as_numpy_iterator()]), y[:20])
    assert train.element_spec[0].shape.as_list() == [None, 1, 1, 1]


def test_my_model_shapes_and_params():
    model = sol.MyModel()
    probs = model(np.zeros((3, 28, 28, 1), "float32"))
    assert probs.shape == (3, 10) and probs.dtype == tf.float32
    np.testing.assert_allclose(np.sum(probs, axis=1), 1.0, atol=1e-5)
    assert model.count_params() == 467_818
    assert [type(l).__name__ for l in model.layers] == (
        ["Conv2D"] * 2 + ["MaxPooling2D"] + ["Conv2D"] * 2 + ["MaxPooling2D", "Flatten", "Dense", "Dense"])


def _setup(model):
    loss = keras.losses.SparseCategoricalCrossentropy()
    metrics = [keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy(),
               keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy()]
    train_step = sol.make_train_step(model, loss, keras.optimizers.Adam(1e-3), *metrics[:2])
    test_step = sol.make_test_step(model, loss, *metrics[2:])
    return loss, metrics, train_step, test_step


def test_train_step_lowers_the_loss_on_a_fixed_batch():
    model = sol.MyModel()
    loss, metrics, train_step, _ = _setup(model)
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 28, 28, 1)).astype("float32"), np.arange(16) % 10
    before = float(loss(y, model(x)))
    for _ in range(10):
        train_step(x, y)
    assert float(loss(y, model(x))) < before - 0.2
    assert float(metrics[0].count) == 10 and float(metrics[1].count) == 160


def test_test_step_leaves_weights_alone():
    model = sol.MyModel()
    _, metrics, _, test_step = _setup(model)
    x, y = np.ones((4, 28, 28, 1), "float32"), np.arange(4)
    model(x)
    w0 = [w.numpy().copy() for w in model.weights]
    test_step(x, y)
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(w0, model.weights))
    assert float(metrics[2].count) == 1


def test_run_epochs_resets_metrics_every_epoch(capsys):
    tl, ta, vl, va = (keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy(),
                      keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy())
    ds = tf.data.Dataset.from_tensor_slices((np.zeros((4, 1), "float32"), np.zeros(4, "int64"))).batch(2)
    epoch = {"n": 0}

    def train_step(x, y):
        tl.update_state(float(epoch["n"] // 2) * 2.0)   # epoch 0: 0, epoch 1: 2, epoch 2: 4
        epoch["n"] += 1
        ta.update_state(y, tf.one_hot(y, 2))

    def test_step(x, y):
        vl.update_state(1.0)
        va.update_state(y, tf.one_hot(y + 1, 2))

    history = sol.run_epochs(3, ds, ds, train_step, test_step, tl, ta, vl, va)
    assert history["loss"] == [0.0, 2.0, 4.0]           # not the running means 0, 1, 2
    assert history["accuracy"] == [100.0] * 3 and history["test_accuracy"] == [0.0] * 3
    assert capsys.readouterr().out.count("Epoch ") == 3


def test_a_short_training_run_learns_the_standins():
    """Two epochs on 2000 stand-in digits take the test accuracy far above chance."""
    from coursekit.notebook.data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train, x_test = sol.prepare_images(x_train[:2000]), sol.prepare_images(x_test[:400])
    train_ds, test_ds = sol.make_datasets(x_train, y_train[:2000], x_test, y_test[:400], seed=0)
    model = sol.MyModel()
    _, metrics, train_step, test_step = _setup(model)
    history = sol.run_epochs(2, train_ds, test_ds, train_step, test_step, *metrics, verbose=False)
    assert history["test_accuracy"][-1] > 60, history
