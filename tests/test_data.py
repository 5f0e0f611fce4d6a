"""Tests for coursekit.notebook.data (dataset loaders) and coursekit.devtools.standins (stand-in generator).

Nothing here touches the network: an autouse fixture makes every socket connection fail,
and the tests that reach the Keras download path replace it or point its cache at tmp_path.
"""
import ast
import gzip
import io
import os
import pickle
import socket
import subprocess
import sys
import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from coursekit.devtools import standins
from coursekit.notebook import data
from coursekit.notebook.data import (CIFAR10_CLASSES, COURSE_DATA_DIR_VAR, DatasetUnavailableError,
                            load_cifar10, load_mnist, read_cifar10, read_mnist_npz)

ROOT = Path(__file__).resolve().parents[1]
SMALL = dict(mnist_train=40, mnist_test=20, cifar_train=30, cifar_test=20)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a connection fails at once, as on an offline machine."""
    def refuse(*args, **kwargs):
        raise OSError("network access is disabled in the tests")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture(scope="module")
def standin_dir(tmp_path_factory):
    """Stand-ins at the default sizes: mnist.npz, cifar-10-batches-py/, cifar-10-python.tar.gz."""
    folder = tmp_path_factory.mktemp("standins")
    standins.write_all(folder, tar=True)
    return folder


def _cifar_dict(data, labels, batch_label=b"training batch 1 of 5"):
    return {b"batch_label": batch_label, b"labels": list(labels),
            b"data": np.asarray(data, np.uint8), b"filenames": [b"x.png"] * len(labels)}


def _write_cifar_folder(folder, train, test, meta=None):
    """A cifar-10-batches-py/ folder written by hand (not by the generator)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(5):
        (folder / f"data_batch_{i + 1}").write_bytes(pickle.dumps(train[i]))
    (folder / "test_batch").write_bytes(pickle.dumps(test))
    meta = meta or {b"num_cases_per_batch": 2, b"num_vis": 3072,
                    b"label_names": [c.encode() for c in CIFAR10_CLASSES]}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta))
    return folder


def _real_like_cifar(folder):
    """Two random images per file, no stand-in marker."""
    rng = np.random.default_rng(0)
    train = [_cifar_dict(rng.integers(0, 256, (2, 3072)), [i, 9 - i],
                         f"training batch {i + 1} of 5".encode()) for i in range(5)]
    test = _cifar_dict(rng.integers(0, 256, (2, 3072)), [3, 4], b"testing batch 1 of 1")
    return _write_cifar_folder(folder, train, test)


def _save_npz(path, **arrays):
    np.savez(path, **arrays)
    return path


def _mnist_arrays(n_train=20, n_test=10):
    rng = np.random.default_rng(0)
    return dict(x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
                y_train=(np.arange(n_train) % 10).astype(np.uint8),
                x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
                y_test=(np.arange(n_test) % 10).astype(np.uint8))


# ------------------------------------------------------------------ parsers on stand-ins
def test_mnist_standin_shapes_dtypes_balance(standin_dir):
    (x, y), (xt, yt) = read_mnist_npz(standin_dir / "mnist.npz")
    assert x.shape == (3000, 28, 28) and xt.shape == (600, 28, 28)
    assert y.shape == (3000,) and yt.shape == (600,)
    assert x.dtype == y.dtype == xt.dtype == yt.dtype == np.uint8
    assert np.bincount(y, minlength=10).tolist() == [300] * 10
    assert np.bincount(yt, minlength=10).tolist() == [60] * 10
    assert x.max() == 255 and np.median(x) == 0            # white strokes on black, like MNIST
    assert len(set(y[:20].tolist())) > 3                  # shuffled, not sorted by class


def test_cifar_standin_shapes_dtypes_balance(standin_dir):
    (x, y), (xt, yt) = read_cifar10(standin_dir / "cifar-10-batches-py")
    assert x.shape == (2500, 32, 32, 3) and xt.shape == (1000, 32, 32, 3)
    assert y.shape == (2500, 1) and yt.shape == (1000, 1)
    assert x.dtype == y.dtype == xt.dtype == yt.dtype == np.uint8
    assert np.bincount(y.ravel(), minlength=10).tolist() == [250] * 10
    assert np.bincount(yt.ravel(), minlength=10).tolist() == [100] * 10
    assert len(set(y[:20, 0].tolist())) > 3


def test_cifar_standin_files_like_official(standin_dir):
    folder = standin_dir / "cifar-10-batches-py"
    for i in range(1, 6):
        with open(folder / f"data_batch_{i}", "rb") as f:
            d = pickle.load(f, encoding="bytes")
        assert d[b"data"].shape == (500, 3072) and d[b"data"].dtype == np.uint8
        assert len(d[b"labels"]) == 500 and d[b"batch_label"].startswith(b"STAND-IN")
    with open(folder / "batches.meta", "rb") as f:
        meta = pickle.load(f, encoding="bytes")
    assert [n.decode() for n in meta[b"label_names"]] == list(CIFAR10_CLASSES)
    assert meta[b"num_vis"] == 3072 and meta[b"num_cases_per_batch"] == 500
    with tarfile.open(standin_dir / "cifar-10-python.tar.gz") as tar:
        names = tar.getnames()
    assert "cifar-10-batches-py/data_batch_1" in names and "cifar-10-batches-py/test_batch" in names
    assert all(n.startswith("cifar-10-batches-py") for n in names)


def test_cifar_folder_and_targz_identical(standin_dir):
    (a, b), (c, d) = read_cifar10(standin_dir / "cifar-10-batches-py")
    (e, f), (g, h) = read_cifar10(standin_dir / "cifar-10-python.tar.gz")
    for left, right in [(a, e), (b, f), (c, g), (d, h)]:
        assert left.dtype == right.dtype and np.array_equal(left, right)


def test_cifar_channel_layout(tmp_path):
    """Rows are 1024 R, 1024 G, 1024 B values (channel-first); images come out (32, 32, 3)."""
    red = np.zeros(3072, np.uint8)
    red[:1024] = 255
    green = np.zeros(3072, np.uint8)
    green[1024:2048] = 200
    rows, cols = np.mgrid[0:32, 0:32]
    pattern = np.concatenate([(rows * 8).ravel(), (cols * 8).ravel(), np.full(1024, 7)])
    train = [_cifar_dict([red, green], [1, 2])] + [_cifar_dict(np.zeros((0, 3072)), [])] * 4
    test = _cifar_dict([pattern], [5], b"testing batch 1 of 1")
    folder = _write_cifar_folder(tmp_path / "cifar-10-batches-py", train, test)
    (x, y), (xt, yt) = read_cifar10(folder)
    assert x.shape == (2, 32, 32, 3) and y.ravel().tolist() == [1, 2] and yt.tolist() == [[5]]
    assert (x[0, ..., 0] == 255).all() and (x[0, ..., 1:] == 0).all()       # red only
    assert (x[1, ..., 1] == 200).all() and (x[1, ..., [0, 2]] == 0).all()   # green only
    assert (xt[0, ..., 0] == rows * 8).all()     # red varies down the rows
    assert (xt[0, ..., 1] == cols * 8).all()     # green varies along the columns
    assert (xt[0, ..., 2] == 7).all()


def test_cifar_batches_readable_by_keras(standin_dir):
    """Keras' own batch parser (and its restricted unpickler) accepts the stand-in files."""
    cifar = pytest.importorskip("keras.src.datasets.cifar")
    data_, labels = cifar.load_batch(str(standin_dir / "cifar-10-batches-py" / "data_batch_2"))
    (x, y), _ = read_cifar10(standin_dir / "cifar-10-batches-py")
    assert np.array_equal(data_.transpose(0, 2, 3, 1), x[500:1000])
    assert np.array_equal(np.asarray(labels), y[500:1000, 0])


def test_mnist_standin_readable_by_keras(standin_dir, monkeypatch):
    """Official keys and dtypes are there, and keras.datasets.mnist.load_data reads the file.

    Keras only loads from its cache (fname may not be a path, and a hash mismatch means
    'download again'), so its get_file is pointed at the stand-in for this test."""
    path = standin_dir / "mnist.npz"
    with np.load(path, allow_pickle=False) as f:
        assert {"x_train", "y_train", "x_test", "y_test"} <= set(f.files)
        assert f["x_train"].dtype == f["y_train"].dtype == np.uint8
        assert f["x_train"].shape == (3000, 28, 28) and f["y_test"].shape == (600,)
    keras_mnist = pytest.importorskip("keras.src.datasets.mnist")
    if not hasattr(keras_mnist, "get_file"):
        pytest.skip("keras.src.datasets.mnist has no get_file to redirect")
    monkeypatch.setattr(keras_mnist, "get_file", lambda *a, **k: str(path))
    (x, y), (xt, yt) = keras_mnist.load_data()
    (x2, y2), (xt2, yt2) = read_mnist_npz(path)
    assert np.array_equal(x, x2) and np.array_equal(y, y2) and np.array_equal(yt, yt2)


def test_small_and_empty_batches(tmp_path):
    folder = standins.write_cifar10(tmp_path / "cifar-10-batches-py", n_train=3, n_test=2, seed=5)
    (x, y), (xt, yt) = read_cifar10(folder)
    assert x.shape == (3, 32, 32, 3) and y.shape == (3, 1) and yt.shape == (2, 1)


# ------------------------------------------------------------------ COURSE_DATA_DIR
def test_course_data_dir_is_used(standin_dir, monkeypatch, capsys):
    import keras
    called = []
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda *a, **k: called.append(1))
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", lambda *a, **k: called.append(1))
    monkeypatch.setenv(COURSE_DATA_DIR_VAR, str(standin_dir))
    (x, y), (xt, yt) = load_mnist()
    (x2, _), _ = read_mnist_npz(standin_dir / "mnist.npz")
    assert np.array_equal(x, x2)
    (cx, cy), _ = load_cifar10()
    assert cx.shape == (2500, 32, 32, 3) and cy.shape == (2500, 1)
    out = capsys.readouterr().out
    assert str(standin_dir / "mnist.npz") in out
    assert str(standin_dir / "cifar-10-batches-py") in out
    assert not called


@pytest.mark.parametrize("env, cut", [
    ({"NBGRADER_EXECUTION": "autograde", "COURSE_MODE": "fast"}, True),    # autograding: the first images
    ({"NBGRADER_EXECUTION": "autograde", "COURSE_MODE": "full"}, False),   # a full-mode grading run: all
    ({"NBGRADER_EXECUTION": "validate", "COURSE_MODE": "fast"}, False),    # nbgrader validate: all
    ({"COURSE_MODE": "fast"}, False),                                       # a student's fast run: all
])
def test_autograding_loads_only_the_first_images(standin_dir, monkeypatch, env, cut):
    """While nbgrader autogrades in fast mode the loaders return the first ``_data_GRADING_IMAGES`` of each
    split (the lesson's cells then predict and evaluate on fewer images), in the same order; otherwise
    everything."""
    from coursekit.notebook import data

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_TRAIN_CAP", raising=False)
    monkeypatch.setenv(COURSE_DATA_DIR_VAR, str(standin_dir))
    everything = [load_mnist(), load_cifar10()]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    n_train, n_test = data._data_GRADING_IMAGES
    for got, full in zip([load_mnist(), load_cifar10()], everything):
        (x, y), (xt, yt) = got
        (fx, fy), (fxt, fyt) = full
        if cut:
            assert len(fx) > n_train and len(fxt) > n_test   # the stand-ins are larger: a real cut
            assert np.array_equal(x, fx[:n_train]) and np.array_equal(y, fy[:n_train])
            assert np.array_equal(xt, fxt[:n_test]) and np.array_equal(yt, fyt[:n_test])
        else:
            assert len(x) == len(fx) and len(xt) == len(fxt)


def test_course_data_dir_with_only_the_archive(standin_dir, tmp_path, monkeypatch, capsys):
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(
        (standin_dir / "cifar-10-python.tar.gz").read_bytes())
    monkeypatch.setenv(COURSE_DATA_DIR_VAR, str(tmp_path))
    (x, y), (xt, yt) = load_cifar10()
    assert x.shape == (2500, 32, 32, 3) and yt.shape == (1000, 1)
    assert "cifar-10-python.tar.gz" in capsys.readouterr().out


def test_missing_files_under_course_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(COURSE_DATA_DIR_VAR, str(tmp_path))
    with pytest.raises(DatasetUnavailableError) as err:
        load_mnist()
    msg = str(err.value)
    for part in ("mnist.npz", COURSE_DATA_DIR_VAR, str(tmp_path), "make standins"):
        assert part in msg
    with pytest.raises(DatasetUnavailableError) as err:
        load_cifar10()
    msg = str(err.value)
    for part in ("cifar-10-batches-py", "cifar-10-python.tar.gz", "data_batch_1",
                 COURSE_DATA_DIR_VAR, str(tmp_path), "make standins"):
        assert part in msg


def test_course_data_dir_that_does_not_exist(tmp_path, monkeypatch):
    monkeypatch.setenv(COURSE_DATA_DIR_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(DatasetUnavailableError, match="does not exist"):
        load_mnist()


# ------------------------------------------------------------------ offline, no COURSE_DATA_DIR
@pytest.fixture
def offline_home(tmp_path, monkeypatch):
    """No COURSE_DATA_DIR, and an empty home/Keras cache, so nothing real could be found."""
    monkeypatch.delenv(COURSE_DATA_DIR_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / ".keras"))
    return tmp_path


@pytest.mark.parametrize("value", [None, ""])
def test_offline_download_failure_is_one_clear_error(offline_home, monkeypatch, value):
    import keras
    if value is not None:
        monkeypatch.setenv(COURSE_DATA_DIR_VAR, value)

    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", offline)
    with pytest.raises(DatasetUnavailableError) as err:
        load_mnist()
    msg = str(err.value)
    assert isinstance(err.value.__cause__, urllib.error.URLError)
    for part in ("Could not download MNIST", "internet", COURSE_DATA_DIR_VAR, "mnist.npz",
                 "make standins"):
        assert part in msg
    with pytest.raises(DatasetUnavailableError) as err:
        load_cifar10()
    for part in ("Could not download CIFAR-10", "cifar-10-batches-py", "cifar-10-python.tar.gz"):
        assert part in str(err.value)


def test_offline_through_real_keras_download(offline_home, monkeypatch):
    """The unpatched Keras loader, an empty cache, and no network: still one clear error."""
    config = pytest.importorskip("keras.src.backend.config")
    if not hasattr(config, "_KERAS_DIR"):
        pytest.skip("this Keras has no keras.src.backend.config._KERAS_DIR")
    monkeypatch.setattr(config, "_KERAS_DIR", str(offline_home / ".keras"))
    with pytest.raises(DatasetUnavailableError, match="Could not download MNIST"):
        load_mnist()
    assert not (offline_home / ".keras" / "datasets" / "mnist.npz").exists()


# ------------------------------------------------------------------ banners
def test_standin_banner_on_stdout(standin_dir, capsys):
    read_mnist_npz(standin_dir / "mnist.npz")
    read_cifar10(standin_dir / "cifar-10-python.tar.gz")
    out, err = capsys.readouterr()
    assert err == ""                       # stderr output would zero an nbgrader test cell
    assert "STAND-IN DATA: MNIST" in out and "STAND-IN DATA: CIFAR-10" in out
    assert out.count("not the real dataset") == 2 and "not comparable" in out
    assert "!!!!!!!!!!" in out


def test_real_files_are_not_flagged(tmp_path, capsys):
    path = _save_npz(tmp_path / "mnist.npz", **_mnist_arrays())
    read_mnist_npz(path)
    read_cifar10(_real_like_cifar(tmp_path / "cifar-10-batches-py"))
    out, err = capsys.readouterr()
    assert err == "" and "STAND-IN" not in out
    assert f"MNIST: 20 train / 10 test images from {path}" in out
    assert "CIFAR-10: 10 train / 2 test images from" in out


def test_cifar_meta_marker_alone_flags_standin(tmp_path, capsys):
    folder = _real_like_cifar(tmp_path / "cifar-10-batches-py")
    (folder / "batches.meta").write_bytes(pickle.dumps({b"label_names": [], b"standin": True}))
    read_cifar10(folder)
    assert "STAND-IN DATA: CIFAR-10" in capsys.readouterr().out


# ------------------------------------------------------------------ bad files
@pytest.mark.parametrize("arrays, expected", [
    (dict(_mnist_arrays(), x_train=np.zeros((5, 28, 27), np.uint8)), r"\(5, 28, 27\)"),
    (dict(_mnist_arrays(), x_test=np.zeros((10, 28, 28), np.float32)), "uint8"),
    (dict(_mnist_arrays(), y_train=np.full(20, 10, np.uint8)), "labels 0-9"),
    (dict(_mnist_arrays(), y_test=np.zeros(3, np.uint8)), "labels"),
    ({k: v for k, v in _mnist_arrays().items() if k != "y_test"}, "y_test"),
])
def test_bad_mnist_arrays(tmp_path, arrays, expected):
    path = _save_npz(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(DatasetUnavailableError, match=expected) as err:
        read_mnist_npz(path)
    assert str(path) in str(err.value)


def test_corrupt_mnist_file(tmp_path, standin_dir):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"this is not an npz file" * 10)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes((standin_dir / "mnist.npz").read_bytes()[:50_000])
    for path in (garbage, truncated, tmp_path / "absent.npz"):
        with pytest.raises(DatasetUnavailableError, match="Cannot read MNIST file") as err:
            read_mnist_npz(path)
        assert str(path) in str(err.value)


def test_corrupt_cifar_archive(tmp_path, standin_dir):
    blob = (standin_dir / "cifar-10-python.tar.gz").read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(blob[: len(blob) // 2])
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not a tar file" * 100)
    for path in (truncated, garbage):
        with pytest.raises(DatasetUnavailableError, match="Cannot read CIFAR-10 archive") as err:
            read_cifar10(path)
        assert str(path) in str(err.value)
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        info = tarfile.TarInfo("something/else")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"abc"))
    with pytest.raises(DatasetUnavailableError, match="data_batch_1"):
        read_cifar10(other)


def test_bad_cifar_batches(tmp_path):
    folder = _real_like_cifar(tmp_path / "c1")
    (folder / "test_batch").unlink()
    with pytest.raises(DatasetUnavailableError, match="test_batch"):
        read_cifar10(folder)

    folder = _real_like_cifar(tmp_path / "c2")
    (folder / "data_batch_3").write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8)}))
    with pytest.raises(DatasetUnavailableError, match="labels") as err:
        read_cifar10(folder)
    assert "data_batch_3" in str(err.value)

    folder = _real_like_cifar(tmp_path / "c3")
    (folder / "data_batch_1").write_bytes(pickle.dumps(_cifar_dict(np.zeros((2, 3000)), [1, 2])))
    with pytest.raises(DatasetUnavailableError, match="3072"):
        read_cifar10(folder)

    folder = _real_like_cifar(tmp_path / "c4")
    (folder / "data_batch_1").write_bytes(pickle.dumps(_cifar_dict(np.zeros((2, 3072)), [1, 12])))
    with pytest.raises(DatasetUnavailableError, match="labels 0-9"):
        read_cifar10(folder)

    folder = _real_like_cifar(tmp_path / "c5")
    (folder / "data_batch_1").write_bytes(b"\x80\x04garbage")
    with pytest.raises(DatasetUnavailableError, match="Cannot read CIFAR-10 file"):
        read_cifar10(folder)


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_cifar_pickles_cannot_run_code(tmp_path):
    folder = _real_like_cifar(tmp_path / "cifar-10-batches-py")
    (folder / "data_batch_1").write_bytes(pickle.dumps({b"data": _Evil(), b"labels": []}))
    with pytest.raises(DatasetUnavailableError, match="refusing"):
        read_cifar10(folder)


# ------------------------------------------------------------------ generator
def test_deterministic(tmp_path):
    written = {}
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        standins.write_all(tmp_path / name, seed=seed, tar=True, **SMALL)
        written[name] = {p.relative_to(tmp_path / name).as_posix(): p.read_bytes()
                         for p in sorted((tmp_path / name).rglob("*")) if p.is_file()}
    assert written["a"] == written["b"]
    assert set(written["a"]) == set(written["c"])
    assert written["a"]["mnist.npz"] != written["c"]["mnist.npz"]
    assert written["a"]["cifar-10-python.tar.gz"] != written["c"]["cifar-10-python.tar.gz"]
    assert gzip.decompress(written["a"]["cifar-10-python.tar.gz"])  # a valid gzip stream


def test_cli(tmp_path):
    cmd = [sys.executable, "-m", "coursekit.devtools.standins", str(tmp_path / "out"), "--mnist-train", "20",
           "--mnist-test", "10", "--cifar-train", "10", "--cifar-test", "5", "--seed", "3", "--tar"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "STAND-IN" in run.stdout and "COURSE_DATA_DIR" in run.stdout
    (x, _), (xt, _) = read_mnist_npz(tmp_path / "out" / "mnist.npz")
    assert (len(x), len(xt)) == (20, 10)
    (x, y), (xt, yt) = read_cifar10(tmp_path / "out" / "cifar-10-python.tar.gz")
    assert (len(x), len(xt)) == (10, 5)


def _ridge_accuracy(x_train, y_train, x_test, y_test, lam=10.0):
    """A linear least-squares classifier on raw pixels: the simplest thing that can learn."""
    def prep(x):
        return x.reshape(len(x), -1).astype(np.float32) / 255
    xtr, xte = prep(x_train), prep(x_test)
    mean = xtr.mean(0)
    xtr, xte = xtr - mean, xte - mean
    targets = np.eye(10, dtype=np.float32)[y_train.ravel()]
    w = np.linalg.solve(xtr.T @ xtr + lam * np.eye(xtr.shape[1], dtype=np.float32), xtr.T @ targets)
    return float(((xte @ w).argmax(1) == y_test.ravel()).mean())


def test_standins_are_learnable(standin_dir):
    (x, y), (xt, yt) = read_mnist_npz(standin_dir / "mnist.npz")
    mnist_acc = _ridge_accuracy(x, y, xt, yt)
    (x, y), (xt, yt) = read_cifar10(standin_dir / "cifar-10-batches-py")
    pool = lambda a: a.reshape(len(a), 16, 2, 16, 2, 3).mean((2, 4))  # noqa: E731  16x16x3
    cifar_acc = _ridge_accuracy(pool(x), y, pool(xt), yt)
    print(f"linear classifier test accuracy: MNIST stand-in {mnist_acc:.3f}, "
          f"CIFAR-10 stand-in {cifar_acc:.3f} (chance 0.1)")
    assert mnist_acc > 0.5
    assert cifar_acc > 0.3


def test_default_generation_is_fast(tmp_path):
    import time
    start = time.perf_counter()
    standins.write_all(tmp_path)
    assert time.perf_counter() - start < 10   # about 1.5 s on a laptop; generous for CI


# ------------------------------------------------------------------ the injected-module rules
def test_data_module_can_be_pasted_into_a_notebook():
    """coursekit/notebook/data.py is copied verbatim into a notebook cell next to other helpers: what it
    may import is the rule for every packed module (tests/test_build.py::
    test_notebook_folder_is_what_the_setup_cell_carries); here, that it has no ``__main__`` block and
    defines only its public names and ``_data_`` helpers."""
    tree = ast.parse((ROOT / "coursekit" / "notebook" / "data.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name):
            assert node.left.id != "__name__", "no __main__ block"
    public = {"COURSE_DATA_DIR_VAR", "CIFAR10_CLASSES", "DatasetUnavailableError",
              "load_mnist", "load_cifar10", "read_mnist_npz", "read_cifar10"}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        else:
            continue
        for name in names:
            assert name in public or name.startswith("_data_"), name
    assert public <= set(dir(data))
    assert data.COURSE_DATA_DIR_VAR == "COURSE_DATA_DIR"
    assert issubclass(DatasetUnavailableError, RuntimeError)
    assert CIFAR10_CLASSES == ("airplane", "automobile", "bird", "cat", "deer",
                               "dog", "frog", "horse", "ship", "truck")


def test_standins_do_not_import_tensorflow():
    code = ("import sys, coursekit.devtools.standins, coursekit.notebook.data; "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
