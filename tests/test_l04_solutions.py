"""Unit tests of solutions/l04_cifar10_vgg16_batchnorm.py (the reference for lesson 04)."""
import os

import numpy as np
import pytest
import keras

from solutions import l04_cifar10_vgg16_batchnorm as sol


@pytest.fixture(autouse=True)
def seed():
    keras.utils.set_random_seed(0)


@pytest.fixture(scope="module")
def vgg():
    return sol.build_vgg16_bn()


def _count(weights):
    return int(sum(np.prod(w.shape) for w in weights))


def test_vgg16_bn_has_the_posts_parameter_counts(vgg):
    assert isinstance(vgg, keras.Sequential)
    assert vgg.count_params() == 33_655_114
    assert _count(vgg.trainable_weights) == 33_646_666
    assert _count(vgg.non_trainable_weights) == 8_448


def test_vgg16_bn_layer_names_order_and_kinds(vgg):
    names = [l.name for l in vgg.layers if type(l).__name__ != "Activation"]
    expected, bn = [], 0
    for block, convs in enumerate([2, 2, 3, 3, 3], 1):
        for conv in range(1, convs + 1):
            bn += 1
            expected += [f"block{block}_conv{conv}", f"bn{bn}"]
        expected.append(f"block{block}_pool")
    assert names == expected + ["flatten", "fc1", "fc2", "predictions"]
    kinds = [type(l).__name__ for l in vgg.layers]
    assert kinds[:4] == ["Conv2D", "BatchNormalization", "Activation", "Conv2D"]   # BN before ReLU
    assert kinds.count("Activation") == 13 and kinds.count("BatchNormalization") == 13
    assert all(l.activation.__name__ == "linear" for l in vgg.layers if type(l).__name__ == "Conv2D")


def test_per_block_param_table(vgg):
    """The numbers the lesson's markdown table shows."""
    blocks, prev = {}, None
    for layer in vgg.layers:
        key = layer.name.split("_")[0] if layer.name.startswith("block") else None
        if layer.name.startswith("bn"):
            key = prev
        key = key or ("head" if layer.name in ("flatten", "fc1", "fc2", "predictions") else prev)
        blocks[key] = blocks.get(key, 0) + layer.count_params()
        prev = key
    assert blocks == {"block1": 39_232, "block2": 222_464, "block3": 1_478_400, "block4": 5_905_920,
                      "block5": 7_085_568, "head": 18_923_530}


def test_vgg16_bn_is_new_each_call_and_follows_its_arguments():
    a, b = sol.build_vgg16_bn(), sol.build_vgg16_bn(input_shape=(64, 64, 3), num_classes=7)
    assert a is not b and not {id(w) for w in a.weights} & {id(w) for w in b.weights}
    out = np.asarray(b(np.zeros((2, 64, 64, 3), "float32")))
    assert out.shape == (2, 7)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-5)
    assert b.get_layer("fc1").count_params() == 2 * 2 * 512 * 4096 + 4096


def test_a_training_mode_pass_moves_the_batchnorm_statistics(vgg):
    """BN's moving mean/variance are the 8,448 non-trainable numbers: updated in training mode,
    not by the optimizer."""
    x = np.random.default_rng(0).random((4, 32, 32, 3)).astype("float32") + 1.0
    vgg(x, training=True)
    assert not np.allclose(vgg.get_layer("bn1").moving_mean.numpy(), 0)


def _small_model():
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3),
                              keras.layers.BatchNormalization(), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x = np.random.default_rng(1).random((6, 8, 8, 3)).astype("float32")
    model.fit(x, keras.utils.to_categorical(np.arange(6) % 3, 3), epochs=2, verbose=0)
    return model, x


def test_save_and_reload_writes_both_files_and_predicts_the_same(tmp_path):
    model, x = _small_model()
    reloaded, restored = sol.save_and_reload(model, str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == ["model.keras", "model.weights.h5"]
    assert reloaded is not model and restored is not model
    want = model.predict(x, verbose=0)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), want, atol=1e-6)
    np.testing.assert_allclose(restored.predict(x, verbose=0), want, atol=1e-6)
    assert reloaded.optimizer is not None and int(reloaded.optimizer.iterations) == 2


def test_the_posts_h5_weights_call_fails_in_keras3(tmp_path):
    model, _ = _small_model()
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        model.save_weights(str(tmp_path / "cifar10-CNN-weights.h5"))


def test_augmenter_identity_at_inference_and_shifts_in_training():
    aug = sol.make_augmenter()
    x = np.random.default_rng(0).random((16, 32, 32, 3)).astype("float32")
    np.testing.assert_array_equal(np.asarray(aug(x, training=False)), x)
    profile = np.tile(((np.arange(32) + 1) / 33.0)[None, :, None], (32, 1, 3)).astype("float32")
    out = np.asarray(aug(np.repeat(profile[None], 64, axis=0), training=True))
    assert out.shape == (64, 32, 32, 3)
    row = out[:, 16, :, 0]                       # the middle row: column values
    increasing = np.all(np.diff(row[:, 6:26], axis=1) > 0, axis=1)
    decreasing = np.all(np.diff(row[:, 6:26], axis=1) < 0, axis=1)
    assert increasing.any() and decreasing.any() and (increasing | decreasing).all()
    zero_cols = (out[:, :, :, 0] == 0).all(axis=1).sum(axis=1)
    assert zero_cols.max() <= 4 and zero_cols.max() > 0
