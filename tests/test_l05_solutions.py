"""Unit tests of solutions/l05_vggnet_why_deep_nets_fail.py (the reference for lesson 05)."""
import math

import numpy as np
import pytest
import keras

from solutions import l05_vggnet_why_deep_nets_fail as sol


@pytest.fixture(autouse=True)
def seed():
    keras.utils.set_random_seed(0)


def test_conv_and_dense_params():
    assert sol.conv_params(3, 3, 64) == 1_792
    assert sol.conv_params(3, 512, 512) == 2_359_808
    assert sol.conv_params(5, 7, 11, bias=False) == 5 * 5 * 7 * 11
    assert sol.dense_params(25088, 4096) == 102_764_544
    assert sol.dense_params(3, 2, bias=False) == 6


@pytest.mark.parametrize("shape,classes,total", [((32, 32, 3), 10, 33_638_218),
                                                 ((224, 224, 3), 1000, 138_357_544)])
def test_param_table_totals(shape, classes, total):
    table = sol.vgg16_param_table(shape, classes)
    assert len(table) == 22 and sum(r[2] for r in table) == total
    assert sum(r[2] for r in table if "conv" in r[0]) == 14_714_688
    assert table[0] == ("block1_conv1", (shape[0], shape[1], 64), 1_792)
    assert table[-1] == ("predictions", (classes,), 4096 * classes + classes)


def test_param_table_matches_keras_row_by_row():
    """The table agrees with the Keras model, layer by layer, on a non-square input and a small head."""
    table = sol.vgg16_param_table((64, 32, 1), 7, fc=48)
    model = sol.build_plain_vgg16((64, 32, 1), 7, fc=48)
    assert [(r[1], r[2]) for r in table] == [
        (tuple(l.output.shape[1:]), l.count_params()) for l in model.layers]
    assert sum(r[2] for r in table) == model.count_params()


def test_table_matches_keras_applications_vgg16():
    """Keras' own VGG16 (no weights, so nothing is downloaded) at 32x32 with our head sizes."""
    ref = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    convs = [(l.name, tuple(l.output.shape[1:]), l.count_params()) for l in ref.layers[1:]]
    assert convs == sol.vgg16_param_table((32, 32, 3), 10)[:18]


def test_receptive_field_and_saving():
    assert [sol.receptive_field(n) for n in (1, 2, 3)] == [3, 5, 7]
    assert sol.receptive_field(2, kernel=5) == 9
    assert sol.stacked_vs_single_params(2, 64) == (73_728, 102_400)
    assert sol.stacked_vs_single_params(3, 1) == (27, 49)


def test_initial_loss_is_log_c_and_matches_keras():
    assert sol.initial_loss(10) == pytest.approx(2.302585, abs=1e-6)
    uniform = np.full((4, 10), 0.1, "float32")
    keras_loss = float(np.mean(keras.losses.sparse_categorical_crossentropy(np.arange(4), uniform)))
    assert keras_loss == pytest.approx(sol.initial_loss(10), abs=1e-5)
    assert sol.initial_loss(1000) == pytest.approx(math.log(1000))


def test_plain_and_bn_models_have_the_posts_counts():
    plain = sol.build_plain_vgg16()
    assert plain.count_params() == 33_638_218
    assert not any(isinstance(l, keras.layers.BatchNormalization) for l in plain.layers)
    bn = sol.build_vgg16_bn()
    assert bn.count_params() == 33_655_114
    assert sum(int(np.prod(w.shape)) for w in bn.non_trainable_weights) == 8_448


def test_initializer_is_used_everywhere():
    model = sol.build_plain_vgg16(fc=16, base=8, kernel_initializer="he_normal")
    kinds = {type(l.kernel_initializer).__name__ for l in model.layers if hasattr(l, "kernel_initializer")}
    assert kinds == {"HeNormal"}


def _tiny_data(n=64):
    """A fixed, easy 10-class problem: each class is a bright square at its own place."""
    rng = np.random.default_rng(0)
    y = np.arange(n) % 10
    x = rng.random((n, 32, 32, 3)).astype("float32") * 0.2
    for i, k in enumerate(y):
        r, c = divmod(int(k), 5)
        x[i, 4 + 12 * r:12 + 12 * r, 2 + 6 * c:7 + 6 * c] += 0.8
    return x, y


def test_plain_glorot_net_predicts_uniform_at_init_but_he_init_does_not():
    """The post's failure, deterministically: with Glorot init the 16-layer ReLU stack loses its
    signal, so every image gets the uniform prediction (loss log(10)); He init keeps it."""
    x, y = _tiny_data()
    glorot = sol.build_plain_vgg16(fc=1024, base=8)
    probs = np.asarray(glorot(x))
    assert np.abs(probs - 0.1).max() < 1e-3
    loss = float(np.mean(keras.losses.sparse_categorical_crossentropy(y, probs)))
    assert loss == pytest.approx(sol.initial_loss(10), abs=1e-3)
    he = sol.build_plain_vgg16(fc=1024, base=8, kernel_initializer="he_normal")
    assert np.asarray(he(x)).std(axis=0).mean() > 100 * probs.std(axis=0).mean()


def test_batchnorm_model_learns_a_tiny_problem():
    """A few Adam steps on one fixed batch: the BN model's loss falls far below log(10)."""
    x, y = _tiny_data()
    model = sol.build_vgg16_bn(fc=64, base=8)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=64, epochs=15, verbose=0)
    model.fit(x, y, batch_size=64, epochs=1, verbose=0)
    assert model.history.history["loss"][-1] < 1.0
