"""Unit tests of solutions/l02_cifar10_vgg16_brief.py (the reference for lesson 02)."""
import numpy as np
import pytest
import keras

from coursekit.notebook.archcheck import model_layers
from solutions import l02_cifar10_vgg16_brief as sol


@pytest.fixture(autouse=True)
def seed():
    keras.utils.set_random_seed(0)


def test_split_validation_slices_in_order():
    x = np.arange(10000 * 2, dtype=np.uint8).reshape(10000, 2)
    y = (np.arange(10000) % 10).astype(np.uint8).reshape(10000, 1)
    (xv, yv), (xr, yr) = sol.split_validation(x, y)
    assert xv.shape == (5000, 2) and yv.shape == (5000, 1) and xr.shape == (5000, 2) and yr.shape == (5000, 1)
    assert np.array_equal(xv, x[:5000]) and np.array_equal(xr, x[5000:])
    assert np.array_equal(yv, y[:5000]) and np.array_equal(yr, y[5000:])
    assert xv.dtype == np.uint8 and yr.dtype == np.uint8


@pytest.mark.parametrize("n_val", [0, 3, 7])
def test_split_validation_other_sizes(n_val):
    x, y = np.arange(7), np.arange(7) * 2
    (xv, yv), (xr, yr) = sol.split_validation(x, y, n_val=n_val)
    assert xv.tolist() == list(range(n_val)) and xr.tolist() == list(range(n_val, 7))
    assert yv.tolist() == [2 * i for i in range(n_val)]


@pytest.mark.parametrize("n_val", [-1, 8, 5000])
def test_split_validation_rejects_impossible_sizes(n_val):
    with pytest.raises(ValueError, match="n_val"):
        sol.split_validation(np.zeros(7), np.zeros(7), n_val=n_val)


def test_build_model_is_the_posts_model():
    model = sol.build_model()
    assert model.count_params() == 1_147_466
    assert model.name == "VGG16_Brief" and not isinstance(model, keras.Sequential)
    found = model_layers(model)
    assert [(d["name"], d["kind"]) for d in found] == [
        ("block1_conv", "Conv2D"), ("block1_dropout", "Dropout"), ("block1_pool", "MaxPooling2D"),
        ("block2_conv", "Conv2D"), ("block2_dropout", "Dropout"), ("block2_pool", "MaxPooling2D"),
        ("block3_conv", "Conv2D"), ("block3_dropout", "Dropout"), ("block3_pool", "MaxPooling2D"),
        ("flatten", "Flatten"), ("fc", "Dense"), ("fc_dropout", "Dropout"), ("predictions", "Dense")]
    assert [d["params"] for d in found if d["params"]] == [896, 18_496, 73_856, 1_049_088, 5_130]
    assert [d["rate"] for d in found if d["kind"] == "Dropout"] == [0.256, 0.25, 0.25, 0.5]
    convs = [d for d in found if d["kind"] == "Conv2D"]
    assert all(d["kernel"] == (3, 3) and d["padding"] == "same" and d["activation"] == "relu" for d in convs)
    assert found[-1]["activation"] == "softmax" and found[-1]["output_shape"] == (None, 10)


def test_build_model_makes_new_models_for_other_inputs():
    a, b = sol.build_model(), sol.build_model()
    assert a is not b and a.layers[1] is not b.layers[1]
    other = sol.build_model(input_shape=(64, 64, 3), num_classes=5)
    assert other.output_shape == (None, 5)
    assert other.count_params() == 896 + 18_496 + 73_856 + (8 * 8 * 128 * 512 + 512) + (512 * 5 + 5)
    probs = np.asarray(other(np.zeros((2, 64, 64, 3), "float32")))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_compile_model_settings():
    model = sol.build_model()
    assert sol.compile_model(model, learning_rate=3e-4) is model
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(3e-4)
    x, y = np.random.default_rng(0).random((4, 32, 32, 3)).astype("float32"), np.arange(4).reshape(4, 1)
    res = model.test_on_batch(x, y, return_dict=True)
    p = np.asarray(model(x))
    assert res["loss"] == pytest.approx(float(np.mean(-np.log(p[np.arange(4), y[:, 0]]))), rel=1e-4)
    assert "accuracy" in res


def test_make_callbacks_is_the_posts_schedule():
    (cb,) = sol.make_callbacks()
    assert isinstance(cb, keras.callbacks.ReduceLROnPlateau)
    assert (cb.monitor, cb.patience, cb.factor, cb.min_lr) == ("val_loss", 5, 0.1, 1e-5)
    assert sol.make_callbacks()[0] is not cb


def test_train_model_uses_validation_and_batches():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(1).normal(size=(600, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    batches = []
    counter = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(b))
    history = sol.train_model(model, x, y, x[:50], y[:50], 2, callbacks=[counter], verbose=0)
    assert len(batches) == 6                          # 600 images in batches of 256: 3 per epoch
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["val_loss"]) == 2


def test_a_short_training_run_learns_the_standins():
    """Three epochs on 1000 stand-in images take the validation accuracy clearly above chance."""
    from coursekit.notebook.data import load_cifar10

    (x_train, y_train), (x_test, y_test) = load_cifar10()
    (x_val, y_val), _ = sol.split_validation(x_test, y_test, n_val=len(x_test) // 2)
    model = sol.compile_model(sol.build_model())
    history = sol.train_model(model, x_train[:1000] / 255.0, y_train[:1000], x_val / 255.0, y_val, 3,
                              callbacks=sol.make_callbacks(), batch_size=64, verbose=0)
    assert history.history["val_accuracy"][-1] > 0.3, history.history
