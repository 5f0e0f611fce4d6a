"""Dataset loaders for the course notebooks: MNIST and CIFAR-10.

``load_mnist()`` and ``load_cifar10()`` return exactly what ``keras.datasets``
returns (same shapes and dtypes).  Where the data comes from:

* If the environment variable ``COURSE_DATA_DIR`` is set, the files are read
  from that folder only (``mnist.npz``; ``cifar-10-batches-py/`` or
  ``cifar-10-python.tar.gz``).  Nothing is downloaded.
* Otherwise Keras downloads the data once and caches it in ~/.keras/datasets.

Instructors can make small synthetic "stand-in" files in the official formats
(``make standins DIR=<folder>``) for offline use; loading one prints a loud
banner, because accuracies on stand-ins mean nothing for the real datasets.
"""
import io
import os
import pickle
import tarfile
import textwrap

import numpy as np

try:
    course_text  # in a notebook: defined by the i18n module, run before this one
except NameError:  # imported as a module (the grader, the tests)
    from coursekit.notebook.i18n import course_text

COURSE_DATA_DIR_VAR = "COURSE_DATA_DIR"
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck")

_data_MNIST_FILE = "mnist.npz"
_data_MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")
_data_CIFAR_DIR = "cifar-10-batches-py"
_data_CIFAR_TGZ = "cifar-10-python.tar.gz"
_data_CIFAR_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
_data_CIFAR_FILES = _data_CIFAR_TRAIN + ("test_batch", "batches.meta")
_data_STANDIN_KEY = "standin"       # extra array in a stand-in mnist.npz
_data_STANDIN_TAG = b"STAND-IN"     # start of b'batch_label' in stand-in CIFAR


class DatasetUnavailableError(RuntimeError):
    """A dataset could not be found, downloaded or read."""


def _data_report(name, n_train, n_test, source, standin):
    """Print where the data came from (a loud banner for stand-ins)."""
    if not standin:
        print(course_text("{0}: {1} train / {2} test images from {3}", name, n_train, n_test, source))
        return
    text = course_text("STAND-IN DATA: {0} from {1} is a small synthetic substitute, not the real dataset; "
                       "accuracies are not comparable to the real one. ({2} train / {3} test images)",
                       name, source, n_train, n_test)
    bar = "!" * 72
    lines = textwrap.wrap(text, 66, break_long_words=False,  # keep paths whole
                          break_on_hyphens=False) if text.isascii() else _data_wrap_wide(text, 66)
    print("\n".join([bar] + [f"!! {line}" for line in lines] + [bar]))


def _data_wrap_wide(text, width):
    """``text`` in lines of at most ``width`` columns of a monospaced font, where Hangul (and other wide
    letters) take two; words are never broken (a long path keeps its line)."""
    import unicodedata

    def columns(word):
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in word)
    lines, line = [], ""
    for word in text.split():
        if line and columns(line) + 1 + columns(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])


def _data_check(path, x, y, image_shape):
    """Validate one (images, labels) pair; return labels as uint8."""
    if x.dtype != np.uint8 or x.shape[1:] != image_shape:
        raise DatasetUnavailableError(
            f"{path}: expected uint8 images of shape (N, "
            f"{', '.join(map(str, image_shape))}), got {x.dtype} {x.shape}")
    y = np.asarray(y)
    y = y.astype(np.uint8) if y.size == 0 else y  # [] loads as float64
    if y.shape != (len(x),) or y.dtype.kind not in "iu" or (
            y.size and (y.min() < 0 or y.max() > 9)):
        raise DatasetUnavailableError(
            f"{path}: expected {len(x)} integer labels 0-9, "
            f"got {y.dtype} {y.shape}")
    return y.astype(np.uint8)


def read_mnist_npz(path):
    """Read an ``mnist.npz`` file: ((x_train, y_train), (x_test, y_test))."""
    path = os.fspath(path)
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in _data_MNIST_KEYS if k not in f.files]
            if missing:
                raise DatasetUnavailableError(
                    f"{path}: not an MNIST file, arrays {missing} are missing")
            x_train, y_train, x_test, y_test = (f[k] for k in _data_MNIST_KEYS)
            standin = _data_STANDIN_KEY in f.files
    except DatasetUnavailableError:
        raise
    except Exception as e:
        raise DatasetUnavailableError(f"Cannot read MNIST file {path}: {e}") from e
    y_train = _data_check(path, x_train, y_train, (28, 28))
    y_test = _data_check(path, x_test, y_test, (28, 28))
    _data_report("MNIST", len(x_train), len(x_test), path, standin)
    return (x_train, y_train), (x_test, y_test)


class _data_Unpickler(pickle.Unpickler):
    """Unpickler that only rebuilds numpy arrays (no arbitrary code)."""

    _data_ALLOWED = {("numpy", "ndarray"), ("numpy", "dtype"),
                     ("numpy.core.multiarray", "_reconstruct"),   # numpy 1
                     ("numpy._core.multiarray", "_reconstruct"),  # numpy 2
                     ("_codecs", "encode")}  # bytes in Python 3 protocol-2 pickles

    def find_class(self, module, name):
        if (module, name) in self._data_ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _data_read_cifar_files(path):
    """Return {file name: bytes} from a CIFAR folder or .tar.gz archive."""
    blobs = {}
    if os.path.isdir(path):
        for name in _data_CIFAR_FILES:
            if os.path.isfile(os.path.join(path, name)):
                with open(os.path.join(path, name), "rb") as f:
                    blobs[name] = f.read()
    else:
        try:
            with tarfile.open(path, "r:*") as tar:
                for member in tar:
                    folder, _, name = os.path.normpath(member.name).partition("/")
                    if folder == _data_CIFAR_DIR and name in _data_CIFAR_FILES:
                        blobs[name] = tar.extractfile(member).read()
        except Exception as e:
            raise DatasetUnavailableError(
                f"Cannot read CIFAR-10 archive {path}: {e}") from e
    missing = [n for n in _data_CIFAR_FILES[:-1] if n not in blobs]
    if missing:
        where = "folder" if os.path.isdir(path) else f"archive (under {_data_CIFAR_DIR}/)"
        raise DatasetUnavailableError(f"CIFAR-10 {where} {path} lacks {missing}")
    return blobs


def _data_unpickle(blob, where):
    """Unpickle one CIFAR file into a dict with str keys."""
    try:
        d = _data_Unpickler(io.BytesIO(blob), encoding="bytes").load()
        return {(k.decode() if isinstance(k, bytes) else k): v for k, v in d.items()}
    except Exception as e:
        raise DatasetUnavailableError(f"Cannot read CIFAR-10 file {where}: {e}") from e


def _data_cifar_batch(blob, where):
    """Parse one batch file: (images (N,32,32,3), labels, is_standin)."""
    d = _data_unpickle(blob, where)
    if "data" not in d or "labels" not in d:
        raise DatasetUnavailableError(
            f"{where}: not a CIFAR-10 batch, needs keys b'data' and b'labels'")
    data = np.asarray(d["data"])
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        raise DatasetUnavailableError(
            f"{where}: expected b'data' uint8 of shape (N, 3072), "
            f"got {data.dtype} {data.shape}")
    # Rows are channel-first (1024 R, 1024 G, 1024 B), like keras.datasets.
    x = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    y = _data_check(where, x, d["labels"], (32, 32, 3))
    label = d.get("batch_label", b"")
    label = label.encode() if isinstance(label, str) else bytes(label)
    return x, y, label.startswith(_data_STANDIN_TAG)


def read_cifar10(path):
    """Read a ``cifar-10-batches-py/`` folder or ``cifar-10-python.tar.gz``.

    Returns ((x_train, y_train), (x_test, y_test)), labels of shape (N, 1).
    """
    path = os.fspath(path)
    blobs = _data_read_cifar_files(path)
    batches = [_data_cifar_batch(blobs[n], os.path.join(path, n))
               for n in _data_CIFAR_TRAIN + ("test_batch",)]
    meta = blobs.get("batches.meta")
    standin = any(b[2] for b in batches) or bool(
        meta and _data_unpickle(meta, os.path.join(path, "batches.meta")).get("standin"))
    x_train = np.concatenate([b[0] for b in batches[:5]])
    y_train = np.concatenate([b[1] for b in batches[:5]]).reshape(-1, 1)
    x_test, y_test = np.ascontiguousarray(batches[5][0]), batches[5][1].reshape(-1, 1)
    _data_report("CIFAR-10", len(x_train), len(x_test), path, standin)
    return (x_train, y_train), (x_test, y_test)


def _data_folder():
    """The folder named by COURSE_DATA_DIR, or None when it is not set."""
    value = os.environ.get(COURSE_DATA_DIR_VAR, "").strip()
    return os.path.abspath(os.path.expanduser(value)) if value else None


def _data_missing(folder, name, expected):
    return DatasetUnavailableError(course_text(
        "{0} not found: {1} is set to {2}, which must hold {3}. Copy the official file(s) there, or make "
        "stand-ins with `make standins DIR={2}`, or unset {1} to download the real dataset."
        if os.path.isdir(folder) else
        "{0} not found: {1} is set to {2} (that folder does not exist), which must hold {3}. Copy the "
        "official file(s) there, or make stand-ins with `make standins DIR={2}`, or unset {1} to download "
        "the real dataset.", name, COURSE_DATA_DIR_VAR, folder, expected))


def _data_keras(name, loader, expected):
    """Call a keras.datasets loader; turn a failed download into one clear error."""
    try:
        (x_train, y_train), (x_test, y_test) = loader()
    except Exception as e:
        raise DatasetUnavailableError(course_text(
            "Could not download {0} ({1}: {2}). Either connect to the internet, or set the environment variable "
            "{3} to a folder holding {4} (e.g. one made by `make standins DIR=<folder>`).",
            name, type(e).__name__, e, COURSE_DATA_DIR_VAR, expected)) from e
    _data_report(name, len(x_train), len(x_test),
                 course_text("keras.datasets (cached in ~/.keras/datasets)"), False)
    return (x_train, y_train), (x_test, y_test)


# While nbgrader autogrades a notebook in fast mode (the runtime module's grading_cap), the loaders return
# only the first images of each split: grading runs every line of the student's code, not the lesson's
# demonstrations (no graded check reads what the lesson's cells compute), and the lessons' predictions and
# evaluations over the whole test set were most of what a graded lesson's own cells cost.
_data_GRADING_IMAGES = (256, 128)   # train, test


def _data_graded(data):
    """``data`` as a loader returns it, cut to ``_data_GRADING_IMAGES`` while grading (else unchanged)."""
    if not os.environ.get("NBGRADER_EXECUTION"):
        return data   # not under nbgrader: no need to ask (the runtime module imports TensorFlow)
    try:
        cap = grading_cap()   # in a notebook: the runtime module's, run before this one
    except NameError:  # imported as a module
        from coursekit.notebook.runtime import grading_cap as runtime_grading_cap
        cap = runtime_grading_cap()
    if not cap:
        return data
    (x_train, y_train), (x_test, y_test) = data
    n_train, n_test = _data_GRADING_IMAGES
    return (x_train[:n_train], y_train[:n_train]), (x_test[:n_test], y_test[:n_test])


def load_mnist():
    """MNIST as ((x_train, y_train), (x_test, y_test)); images (N, 28, 28) uint8."""
    folder = _data_folder()
    if folder is None:
        import keras  # imported only here: reading local files needs no TensorFlow
        return _data_graded(_data_keras("MNIST", keras.datasets.mnist.load_data, _data_MNIST_FILE))
    path = os.path.join(folder, _data_MNIST_FILE)
    if not os.path.isfile(path):
        raise _data_missing(folder, "MNIST", _data_MNIST_FILE)
    return _data_graded(read_mnist_npz(path))


def load_cifar10():
    """CIFAR-10 as ((x_train, y_train), (x_test, y_test)); images (N, 32, 32, 3)
    uint8, labels (N, 1) uint8; class names in ``CIFAR10_CLASSES``."""
    expected = (f"{_data_CIFAR_DIR}/ (with {', '.join(_data_CIFAR_FILES)}) "
                f"or {_data_CIFAR_TGZ}")
    folder = _data_folder()
    if folder is None:
        import keras
        return _data_graded(_data_keras("CIFAR-10", keras.datasets.cifar10.load_data, expected))
    for name in (_data_CIFAR_DIR, _data_CIFAR_TGZ):
        if os.path.exists(os.path.join(folder, name)):
            return _data_graded(read_cifar10(os.path.join(folder, name)))
    raise _data_missing(folder, "CIFAR-10", expected)
