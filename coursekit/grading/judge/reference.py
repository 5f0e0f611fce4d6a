"""The judge's own arithmetic: NumPy reference code for what the lessons' exercises compute.

It runs in the grading process only, on inputs the judge chose; the kernel never sees it. Keeping it
in NumPy (not the solutions' Keras code) keeps TensorFlow out of the grading process and gives an
independent second implementation: a bug shared by a solution and its check cannot hide here.
"""
from __future__ import annotations

import inspect

import numpy as np


def draw_weights(seed, shapes):
    """Weights for layers with these weight shapes (a list per layer), drawn from ``seed``: He-scaled
    uniform kernels (variance 2 / fan-in), small biases, float32. The judge sends this function's source
    and the seed to the kernel, which draws the same numbers (what a kernel does with them only changes
    its own answer). Uniform float32 draws: a VGG16's 33 million weights take 0.07 s, against 0.95 s
    drawn as float64 normals, and a grading run draws them several times on each side."""
    import numpy as np

    rng = np.random.default_rng(int(seed))
    out = []
    for layer in shapes:
        ws = []
        for shape in layer:
            fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 0
            half_width = np.float32(3 ** 0.5 * ((2.0 / fan_in) ** 0.5 if fan_in else 0.1))
            w = rng.random(tuple(shape), dtype=np.float32)
            w *= 2 * half_width
            w -= half_width
            ws.append(w)
        out.append(ws)
    return out


DRAW_WEIGHTS_SOURCE = inspect.getsource(draw_weights)


def relu(x):
    return np.maximum(x, 0.0)


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def conv2d_same(x, kernel, bias):
    """NHWC convolution, stride 1, 'same' zero padding as TensorFlow pads it: for an even kernel size,
    one pixel less before than after (a 4x4 kernel: 1 before, 2 after)."""
    kh, kw = kernel.shape[:2]
    n, h, w, _ = x.shape
    top, left = (kh - 1) // 2, (kw - 1) // 2
    padded = np.pad(x, ((0, 0), (top, kh - 1 - top), (left, kw - 1 - left), (0, 0)))
    out = np.zeros((n, h, w, kernel.shape[-1]), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            out += padded[:, i:i + h, j:j + w, :] @ kernel[i, j].astype(np.float64)
    return out + bias


def dense(x, kernel, bias, rows=512):
    """``x @ kernel + bias`` in float64, a float32 kernel converted a block of ``rows`` rows at a time: a
    VGG16's 4096 x 4096 kernel as one float64 copy is 134 MB of fresh memory, and faulting it in cost
    more than the product (about 0.1 s a layer in a grading process)."""
    out = np.zeros((len(x), kernel.shape[1]), dtype=np.float64)
    for r in range(0, kernel.shape[0], rows):
        out += x[:, r:r + rows] @ kernel[r:r + rows].astype(np.float64)
    return out + bias


def maxpool2(x):
    """2x2 max-pooling, stride 2, 'valid' (odd sizes round down, as Keras's default)."""
    n, h, w, c = x.shape
    x = x[:, : h // 2 * 2, : w // 2 * 2, :]
    return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


def sparse_ce(labels, probs):
    """Mean sparse categorical cross-entropy of probabilities (Keras clips them at 1e-7)."""
    p = np.clip(probs[np.arange(len(labels)), labels], 1e-7, 1 - 1e-7)
    return float(np.mean(-np.log(p)))


def softmax_dense_sgd_step(x, labels, kernel, bias, lr):
    """One SGD step on the mean cross-entropy of ``softmax(flatten(x) @ kernel + bias)``:
    (new kernel, new bias, loss before the step, accuracy before the step)."""
    flat = x.reshape(len(x), -1).astype(np.float64)
    probs = softmax(flat @ kernel + bias)
    onehot = np.eye(kernel.shape[1])[labels]
    grad = (probs - onehot) / len(x)
    loss, accuracy = sparse_ce(labels, probs), float(np.mean(probs.argmax(axis=1) == labels))
    return kernel - lr * flat.T @ grad, bias - lr * grad.sum(axis=0), loss, accuracy
