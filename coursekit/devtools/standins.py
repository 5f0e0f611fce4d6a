"""Small, learnable stand-ins for MNIST and CIFAR-10 in the official file formats.

For working offline (CI, a classroom without internet): the files can be read
by ``coursekit.notebook.data`` (set ``COURSE_DATA_DIR=DIR``) and, for ``mnist.npz``, by
``keras.datasets.mnist`` itself.  They are synthetic: every class is a drawn
glyph (MNIST: stroked digits 0-9) or a coloured shape (CIFAR-10), with random
position, size, slant, thickness and noise, so a small model learns them well
above chance.  They carry a marker, and the loaders print a loud banner when
they read one.  Output is deterministic: same arguments, same bytes.

    python -m coursekit.devtools.standins DIR [--mnist-train N] [--mnist-test N]
        [--cifar-train N] [--cifar-test N] [--seed S] [--tar]

writes DIR/mnist.npz and DIR/cifar-10-batches-py/ (with --tar also
DIR/cifar-10-python.tar.gz).  Needs numpy only (no TensorFlow).
"""
import argparse
import gzip
import io
import os
import pickle
import tarfile
import time
import zipfile

import numpy as np

from coursekit.notebook.data import (CIFAR10_CLASSES, _data_CIFAR_DIR, _data_CIFAR_TGZ,
                            _data_CIFAR_TRAIN, _data_MNIST_FILE,
                            _data_STANDIN_KEY, _data_STANDIN_TAG)

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed timestamps make the output byte-identical
_NOTE = ("STAND-IN: small synthetic substitute made by coursekit.devtools.standins, "
         "not the real dataset")


# ----------------------------------------------------------------- helpers
def _labels(rng, n):
    """Balanced labels 0-9 (counts differ by at most one), shuffled."""
    return rng.permutation(np.arange(n) % 10)


def _write_bytes(path, blob):
    """Write atomically, so an interrupted run never leaves a half file."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, path)


# ------------------------------------------------------------------- MNIST
def _arc(cx, cy, rx, ry, a0, a1, n=9):
    """Points on an elliptic arc, angles in degrees (v axis points down)."""
    a = np.radians(np.linspace(a0, a1, n))
    return list(zip(cx + rx * np.cos(a), cy - ry * np.sin(a)))


# Strokes of each digit as polylines in a unit box (u to the right, v down).
_GLYPHS = {
    0: [_arc(.5, .5, .45, .5, 90, 450, 17)],
    1: [[(.3, .2), (.55, 0), (.55, 1)]],
    2: [_arc(.5, .3, .45, .3, 160, -30, 8) + [(0, 1), (1, 1)]],
    3: [_arc(.5, .25, .42, .25, 150, -90, 8) + _arc(.5, .73, .45, .27, 90, -150, 8)],
    4: [[(.75, 1), (.75, 0), (0, .68), (1, .68)]],
    5: [[(.95, 0), (.15, 0), (.1, .45)] + _arc(.48, .7, .45, .3, 130, -150, 9)],
    6: [[(.8, 0), (.35, .25)] + _arc(.5, .72, .4, .28, 180, -180, 15)],
    7: [[(0, 0), (1, 0), (.35, 1)]],
    8: [_arc(.5, .25, .35, .25, -90, 270, 13), _arc(.5, .73, .43, .27, 90, 450, 13)],
    9: [_arc(.5, .3, .42, .3, 0, 360, 15), [(.92, .3), (.8, 1)]],
}


def _glyph_arrays(digit):
    """Vertices (K, 2) and segment index pairs (S, 2) of one digit."""
    points, pairs = [], []
    for line in _GLYPHS[digit]:
        start = len(points)
        points += line
        pairs += [(start + i, start + i + 1) for i in range(len(line) - 1)]
    return np.array(points, np.float32), np.array(pairs)


def _draw_digits(rng, digit, n):
    """n images (n, 28, 28) uint8 of one digit, each randomly distorted."""
    pts, pairs = _glyph_arrays(digit)
    pts = pts[None] + rng.normal(0, .025, (n,) + pts.shape)   # wobbly strokes
    u, v = pts[..., 0] * 14 - 7, pts[..., 1] * 20 - 10        # 14x20 px box
    size = rng.uniform(.8, 1.1, (n, 1))
    u, v = u * size * rng.uniform(.85, 1.15, (n, 1)), v * size  # size, width
    u = u - rng.uniform(-.35, .15, (n, 1)) * v                # slant
    ang = np.radians(rng.uniform(-12, 12, (n, 1)))
    x = 14 + u * np.cos(ang) - v * np.sin(ang) + rng.uniform(-3, 3, (n, 1))
    y = 14 + u * np.sin(ang) + v * np.cos(ang) + rng.uniform(-3, 3, (n, 1))
    x, y = x.astype(np.float32)[..., None], y.astype(np.float32)[..., None]
    ax, ay = x[:, pairs[:, 0]], y[:, pairs[:, 0]]             # segments (n, S, 1)
    abx, aby = x[:, pairs[:, 1]] - ax, y[:, pairs[:, 1]] - ay
    inv = 1 / np.maximum(abx ** 2 + aby ** 2, 1e-6)
    gy, gx = np.divmod(np.arange(784, dtype=np.float32), 28)   # pixel centres
    dx, dy = gx + .5 - ax, gy + .5 - ay                        # (n, S, 784)
    t = np.clip((dx * abx + dy * aby) * inv, 0, 1)
    dist = np.sqrt(((dx - t * abx) ** 2 + (dy - t * aby) ** 2).min(1))
    radius = rng.uniform(.8, 1.7, (n, 1))                     # stroke half-width
    ink = np.clip(radius + .5 - dist, 0, 1) * rng.uniform(190, 255, (n, 1))
    ink *= 1 + rng.normal(0, .08, ink.shape)
    ink += (rng.random(ink.shape) < .004) * rng.uniform(20, 120, ink.shape)
    return np.clip(ink, 0, 255).round().astype(np.uint8).reshape(n, 28, 28)


def _make_images(rng, draw, labels, shape):
    """Draw images for the given labels class by class."""
    x = np.zeros((len(labels),) + shape, np.uint8)
    for k in range(10):
        idx = np.flatnonzero(labels == k)
        for chunk in np.array_split(idx, max(1, len(idx) // 100)):
            if len(chunk):
                x[chunk] = draw(rng, k, len(chunk))
    return x


def write_mnist_npz(path, n_train=3000, n_test=600, seed=0):
    """Write a stand-in ``mnist.npz`` (keys x_train, y_train, x_test, y_test
    like the official file, plus the marker array ``standin``)."""
    rng = np.random.default_rng([seed, 28])
    y = np.concatenate([_labels(rng, n_train), _labels(rng, n_test)]).astype(np.uint8)
    x = _make_images(rng, _draw_digits, y, (28, 28))
    arrays = {"x_train": x[:n_train], "y_train": y[:n_train],
              "x_test": x[n_train:], "y_test": y[n_train:],
              _data_STANDIN_KEY: np.array(f"{_NOTE} (MNIST, seed={seed})")}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for key, array in arrays.items():
            npy = io.BytesIO()
            np.lib.format.write_array(npy, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_TIME)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            z.writestr(info, npy.getvalue())
    _write_bytes(os.fspath(path), buf.getvalue())
    return os.fspath(path)


# ---------------------------------------------------------------- CIFAR-10
# Class k: shape _SHAPES[k] in colour _COLOURS[k] (RGB) on a random background.
_SHAPES = ("triangle", "square", "crescent", "ring", "cross",
           "diamond", "disc", "vstripes", "hstripes", "checker")
_COLOURS = np.array([(225, 225, 235), (205, 35, 40), (240, 210, 50), (240, 130, 30),
                     (135, 85, 45), (205, 175, 125), (55, 170, 65), (105, 45, 25),
                     (70, 95, 205), (150, 65, 180)], np.float32)


def _shape_mask(name, px, py):
    """Boolean mask of a shape in coordinates scaled to about [-1, 1]."""
    ax, ay, r = np.abs(px), np.abs(py), np.hypot(px, py)
    inside = (ax < .9) & (ay < .9)
    shapes = {
        "triangle": lambda: (py < .7) & (py > -.9 + 1.6 * ax),
        "square": lambda: (ax < .75) & (ay < .75),
        "crescent": lambda: (r < 1) & (np.hypot(px - .45, py + .3) > .8),
        "ring": lambda: (r < 1) & (r > .55),
        "cross": lambda: ((ax < .3) & (ay < 1)) | ((ay < .3) & (ax < 1)),
        "diamond": lambda: ax + ay < 1,
        "disc": lambda: r < .9,
        "vstripes": lambda: inside & (np.floor((px + .9) * 2.8) % 2 == 0),
        "hstripes": lambda: inside & (np.floor((py + .9) * 2.8) % 2 == 0),
        "checker": lambda: inside & ((np.floor(px * 2.2) + np.floor(py * 2.2)) % 2 == 0),
    }
    return shapes[name]()


def _draw_shapes(rng, k, n):
    """n images (n, 32, 32, 3) uint8 of class k."""
    def uni(lo, hi, *shape):
        return rng.uniform(lo, hi, shape).astype(np.float32)
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float32) + .5
    # Background: a gradient between two random colours.
    phi = uni(0, 2 * np.pi, n, 1, 1)
    t = np.clip(.5 + ((xx - 16) * np.cos(phi) + (yy - 16) * np.sin(phi)) / 32, 0, 1)
    c1, c2 = uni(0, 255, 2, n, 1, 1, 3)
    img = c1 + (c2 - c1) * t[..., None]
    # A distractor blob of random colour in half of the images.
    bx, by = uni(3, 29, 2, n, 1, 1)
    blob = (np.hypot(xx - bx, yy - by) < uni(2, 4.5, n, 1, 1)) & (uni(0, 1, n, 1, 1) < .5)
    img = np.where(blob[..., None], uni(0, 255, n, 1, 1, 3), img)
    # The object, drawn at 2x resolution for smooth edges.
    sy, sx = (np.mgrid[0:64, 0:64].astype(np.float32) + .5) / 2
    cx, cy = uni(10, 22, 2, n, 1, 1)
    size = uni(6.5, 11, n, 1, 1)
    ang = np.radians(uni(-25, 25, n, 1, 1))
    cos, sin = np.cos(ang) / size, np.sin(ang) / size
    px = (sx - cx) * cos + (sy - cy) * sin
    py = (sy - cy) * cos - (sx - cx) * sin
    cover = _shape_mask(_SHAPES[k], px, py).reshape(n, 32, 2, 32, 2).mean((2, 4), np.float32)
    colour = (_COLOURS[k] + rng.normal(0, 18, (n, 3))) * rng.uniform(.75, 1.15, (n, 1))
    img += cover[..., None] * (colour[:, None, None].astype(np.float32) - img)
    img += 8 * rng.standard_normal(img.shape, np.float32)
    return np.clip(img, 0, 255).round().astype(np.uint8)


def _pickle(obj):
    """Pickle like the official files: numpy arrays via numpy.core.multiarray
    (readable by numpy 1 and 2), no globals other than numpy's."""
    blob = pickle.dumps(obj, protocol=3)
    return blob.replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n", 1)


def _cifar_files(n_train, n_test, seed):
    """{file name: bytes} of a stand-in cifar-10-batches-py/ folder."""
    rng = np.random.default_rng([seed, 32])
    y = np.concatenate([_labels(rng, n_train), _labels(rng, n_test)])
    x = _make_images(rng, _draw_shapes, y, (32, 32, 3))
    rows = x.transpose(0, 3, 1, 2).reshape(len(x), 3072)     # channel-first rows
    names = [f"standin_{CIFAR10_CLASSES[k]}_{i:05d}.png".encode() for i, k in enumerate(y)]
    cuts = np.linspace(0, n_train, 6).astype(int)
    parts = [(f, cuts[i], cuts[i + 1], f"training batch {i + 1} of 5")
             for i, f in enumerate(_data_CIFAR_TRAIN)]
    parts.append(("test_batch", n_train, n_train + n_test, "testing batch 1 of 1"))
    files = {}
    for fname, lo, hi, label in parts:
        files[fname] = _pickle({
            b"batch_label": _data_STANDIN_TAG + f" {label} (synthetic)".encode(),
            b"labels": [int(k) for k in y[lo:hi]],
            b"data": np.ascontiguousarray(rows[lo:hi]),
            b"filenames": names[lo:hi]})
    files["batches.meta"] = _pickle({
        b"num_cases_per_batch": int(cuts[1] - cuts[0]), b"num_vis": 3072,
        b"label_names": [c.encode() for c in CIFAR10_CLASSES], b"standin": True})
    files["readme.html"] = (f"<html><body><p>{_NOTE} (CIFAR-10, seed={seed}).</p>"
                            "</body></html>\n").encode()
    return files


def _write_cifar_files(files, path):
    """Write the files as a folder, or as a .tar.gz like the official archive."""
    path = os.fspath(path)
    if not path.endswith((".tar.gz", ".tgz")):
        os.makedirs(path, exist_ok=True)
        for name, blob in files.items():
            _write_bytes(os.path.join(path, name), blob)
        return path
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(_data_CIFAR_DIR)
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(info)
        for name, blob in files.items():
            info = tarfile.TarInfo(f"{_data_CIFAR_DIR}/{name}")
            info.size, info.mode = len(blob), 0o644
            tar.addfile(info, io.BytesIO(blob))
    _write_bytes(path, gzip.compress(buf.getvalue(), compresslevel=6, mtime=0))
    return path


def write_cifar10(path, n_train=2500, n_test=1000, seed=0):
    """Write stand-in CIFAR-10 to ``path``: a ``cifar-10-batches-py`` folder,
    or an archive if ``path`` ends in ``.tar.gz``.  Training images are split
    over data_batch_1..5."""
    return _write_cifar_files(_cifar_files(n_train, n_test, seed), path)


def write_all(directory, mnist_train=3000, mnist_test=600, cifar_train=2500,
              cifar_test=1000, seed=0, tar=False):
    """Write DIR/mnist.npz and DIR/cifar-10-batches-py/ (and, with tar=True,
    DIR/cifar-10-python.tar.gz).  Returns the list of paths written."""
    directory = os.fspath(directory)
    os.makedirs(directory, exist_ok=True)
    written = [write_mnist_npz(os.path.join(directory, _data_MNIST_FILE),
                               mnist_train, mnist_test, seed)]
    files = _cifar_files(cifar_train, cifar_test, seed)
    written.append(_write_cifar_files(files, os.path.join(directory, _data_CIFAR_DIR)))
    if tar:
        written.append(_write_cifar_files(files, os.path.join(directory, _data_CIFAR_TGZ)))
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m coursekit.devtools.standins",
        description="Write small synthetic STAND-IN versions of MNIST and "
                    "CIFAR-10 in the official file formats.")
    parser.add_argument("directory", metavar="DIR")
    for name, default in (("mnist-train", 3000), ("mnist-test", 600),
                          ("cifar-train", 2500), ("cifar-test", 1000)):
        parser.add_argument(f"--{name}", type=int, default=default, metavar="N",
                            help=f"number of images (default {default})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--tar", action="store_true",
                        help=f"also write {_data_CIFAR_TGZ}")
    args = parser.parse_args(argv)
    if min(args.mnist_train, args.mnist_test, args.cifar_train, args.cifar_test) < 0:
        parser.error("image counts must be >= 0")
    start = time.perf_counter()
    paths = write_all(args.directory, args.mnist_train, args.mnist_test,
                      args.cifar_train, args.cifar_test, args.seed, args.tar)
    bar = "!" * 72
    print(bar)
    print("!! STAND-IN DATA written (synthetic, NOT the real MNIST / CIFAR-10;")
    print("!! accuracies on it are not comparable to the real datasets):")
    for p in paths:
        print(f"!!   {p}")
    print(f"!! Use it with:  export COURSE_DATA_DIR={os.path.abspath(args.directory)}")
    print(bar)
    print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
