"""Unit tests of solutions/l03_cifar10_cnn_ensemble.py (the reference for lesson 03)."""
import numpy as np
import pytest
import keras
from keras import layers

from coursekit.notebook.archcheck import model_layers
from solutions import l03_cifar10_cnn_ensemble as sol


@pytest.fixture(autouse=True)
def seed():
    keras.utils.set_random_seed(0)


def test_preprocess_divides_by_255_not_225():
    x = np.array([[[[0, 128, 255]]]], dtype=np.uint8)
    out = sol.preprocess(x)
    assert out.shape == x.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, x / 255.0, rtol=1e-6)
    assert out.max() == 1.0  # the post's / 225 gives 1.133


POST_SUMMARY = [  # (kind, output shape, params) from the post's model.summary()
    ("Conv2D", (None, 32, 32, 15), 735), ("MaxPooling2D", (None, 16, 16, 15), 0),
    ("Conv2D", (None, 16, 16, 30), 7230), ("MaxPooling2D", (None, 8, 8, 30), 0),
    ("Conv2D", (None, 8, 8, 30), 14430), ("MaxPooling2D", (None, 4, 4, 30), 0),
    ("Conv2D", (None, 4, 4, 30), 14430), ("MaxPooling2D", (None, 2, 2, 30), 0),
    ("Flatten", (None, 120), 0),
    ("Dense", (None, 200), 24200), ("Dropout", (None, 200), 0),
    ("Dense", (None, 200), 40200), ("Dropout", (None, 200), 0),
    ("Dense", (None, 100), 20100), ("Dropout", (None, 100), 0),
    ("Dense", (None, 100), 10100), ("Dropout", (None, 100), 0),
    ("Dense", (None, 10), 1010),
]


def test_build_model_is_the_posts_architecture():
    model = sol.build_model()
    assert model.count_params() == 132_435
    found = [(d["kind"], d["output_shape"], d["params"]) for d in model_layers(model)]
    assert found == POST_SUMMARY
    convs = [l for l in model.layers if isinstance(l, layers.Conv2D)]
    assert all(l.kernel_size == (4, 4) and l.padding == "same" for l in convs)
    assert all(type(l.kernel_initializer).__name__ == "GlorotNormal"
               for l in model.layers if isinstance(l, (layers.Conv2D, layers.Dense)))
    assert [l.rate for l in model.layers if isinstance(l, layers.Dropout)] == [0.5] * 4
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.001)
    probs = np.asarray(model(np.zeros((2, 32, 32, 3), "float32")))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_build_model_gives_a_new_model_with_fresh_weights_each_call():
    a, b = sol.build_model(), sol.build_model(learning_rate=0.01, dropout_rate=0.25)
    assert a is not b
    assert not np.allclose(a.trainable_weights[0].numpy(), b.trainable_weights[0].numpy())
    assert float(b.optimizer.learning_rate.numpy()) == pytest.approx(0.01)
    assert [l.rate for l in b.layers if isinstance(l, layers.Dropout)] == [0.25] * 4


def _tiny():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    return model


def test_train_members_are_distinct_and_trained_separately():
    calls = []

    class Count(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1

    counters = {}

    def callbacks_for(i):
        calls.append(i)
        counters[i] = Count()
        return [counters[i]]

    x, y = np.random.default_rng(0).random((8, 3)).astype("float32"), np.arange(8) % 2
    members = sol.train_members(_tiny, 3, x, y, epochs=2, batch_size=4, member_callbacks=callbacks_for)
    assert len(members) == 3 and len({id(m) for m in members}) == 3
    assert [int(m.optimizer.iterations) for m in members] == [4, 4, 4]   # not 4, 8, 12
    assert calls == [0, 1, 2] and all(c.epochs == 2 for c in counters.values())
    kernels = [m.trainable_weights[0].numpy() for m in members]
    assert not np.allclose(kernels[0], kernels[1]) and not np.allclose(kernels[1], kernels[2])


def test_the_posts_bug_is_what_train_members_avoids():
    """Appending one model object trains it num_models times: that is the post's bug."""
    model = _tiny()
    models = [model for _ in range(4)]
    x, y = np.zeros((4, 3), "float32"), np.zeros(4, "int64")
    for m in models:
        m.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert models[0] is models[3] and int(models[0].optimizer.iterations) == 4


class Fixed:
    """A member whose output for one-hot input e_j is row j of table."""

    def __init__(self, table):
        self.table = np.asarray(table, "float32")

    def predict(self, x, verbose=0):
        return self.table[np.asarray(x).argmax(axis=1)]


def test_ensemble_predict_averages_probabilities():
    a = np.array([[0.9, 0.05, 0.05], [0.2, 0.2, 0.6]])
    b = np.array([[0.35, 0.6, 0.05], [0.5, 0.3, 0.2]])
    x = np.eye(2, dtype="float32")
    avg = sol.ensemble_predict([Fixed(a), Fixed(b), Fixed(b)], x)
    np.testing.assert_allclose(avg, (a + 2 * b) / 3, atol=1e-6)
    np.testing.assert_allclose(avg.sum(axis=1), 1.0, atol=1e-6)
    assert avg[0].argmax() == 0   # a confident member outweighs two unsure ones (not a vote)
    np.testing.assert_allclose(sol.ensemble_predict([Fixed(a)], x), a, atol=1e-6)


def test_ensemble_predict_on_real_keras_models():
    models = [sol.build_model() for _ in range(2)]
    x = np.random.default_rng(1).random((3, 32, 32, 3)).astype("float32")
    expected = (models[0].predict(x, verbose=0) + models[1].predict(x, verbose=0)) / 2
    np.testing.assert_allclose(sol.ensemble_predict(models, x), expected, atol=1e-6)


def test_accuracy_accepts_both_label_shapes():
    probs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    assert sol.accuracy(probs, np.array([1, 1, 1, 0])) == 0.75
    assert sol.accuracy(probs, np.array([[1], [1], [1], [0]])) == 0.75
    assert isinstance(sol.accuracy(probs, np.array([0, 0, 0, 1])), float)


def test_a_short_ensemble_run_beats_chance_on_the_standins():
    """Three members, 4 epochs on 1000 stand-in images (Dropout 0.2, as in the notebook's fast mode):
    the ensemble is far above chance (10 %) and at least as good as its average member."""
    from coursekit.notebook.data import load_cifar10

    (x_train, y_train), (x_test, y_test) = load_cifar10()
    x_train, y_train = sol.preprocess(x_train[:1000]), y_train[:1000]
    x_test, y_test = sol.preprocess(x_test[:500]), y_test[:500]
    members = sol.train_members(lambda: sol.build_model(dropout_rate=0.2), 3, x_train, y_train,
                                epochs=4, batch_size=16)
    member_acc = [sol.accuracy(m.predict(x_test, verbose=0), y_test) for m in members]
    ensemble_acc = sol.accuracy(sol.ensemble_predict(members, x_test), y_test)
    assert ensemble_acc > 0.2, (member_acc, ensemble_acc)
    assert ensemble_acc >= np.mean(member_acc), (member_acc, ensemble_acc)
