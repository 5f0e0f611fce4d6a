"""Figures every lesson draws: image grids, learning curves, confusion matrices.

Each function shows its figure and returns None, so a call as the last line of a cell does not
draw it twice (``plt.gcf()`` still reaches it in a script)."""
import numpy as np
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

try:
    course_text, course_translate  # in a notebook: defined by the i18n module, run before this one
except NameError:                   # imported as a module (the grader, the tests)
    from coursekit.notebook.i18n import course_text, course_translate


def _grid_tile(img):
    """One image as an RGB tile of floats in [0, 1], shown as imshow shows it alone: a grey image
    stretched between its own darkest and brightest pixel (imshow's default), a colour one read as
    0..255 when its values are integers and as 0..1 (clipped) when they are floats."""
    img = np.asarray(img)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim == 2:
        grey = img.astype(np.float32)
        lo, hi = float(grey.min()), float(grey.max())
        grey = (grey - lo) / (hi - lo) if hi > lo else np.zeros_like(grey)
        return np.repeat(grey[..., None], 3, axis=-1)
    if img.dtype.kind in "uib":
        return img[..., :3].astype(np.float32) / 255.0
    return np.clip(img[..., :3].astype(np.float32), 0.0, 1.0)


def show_image_grid(images, labels, class_names=None, predictions=None, rows=5, cols=5, title=None):
    """Draw the first rows*cols images with their labels (and predictions, red when wrong).

    The tiles are laid side by side in one picture, each label written above its tile: one set of axes
    draws a 3 x 8 grid in about a sixth of the time 24 axes take."""
    images = np.asarray(images)
    labels = np.asarray(labels).reshape(-1)
    n = min(rows * cols, len(images))
    rows = max(1, min(rows, -(-n // cols)))  # no empty rows when there are few images
    name = (lambda k: class_names[int(k)] if class_names is not None else str(int(k)))
    preds = None if predictions is None else np.asarray(predictions).reshape(-1)
    h, w = images.shape[1:3] if images.ndim >= 3 else (1, 1)
    gap, band = max(1, w // 16), max(2, round(h * (0.6 if preds is not None else 0.32)))
    cell_w, cell_h = w + gap, h + band
    canvas = np.ones((rows * cell_h, cols * cell_w - gap, 3), np.float32)
    fig, ax = plt.subplots(figsize=(1.6 * cols, 1.6 * cols * canvas.shape[0] / canvas.shape[1]))
    for i in range(n):
        r, c = divmod(i, cols)
        top, left = r * cell_h + band, c * cell_w
        canvas[top:top + h, left:left + w] = _grid_tile(images[i])
        text, color = name(labels[i]), "black"
        if preds is not None:
            text = course_text("true {0}\npred {1}", text, name(preds[i]))
            color = "black" if int(preds[i]) == int(labels[i]) else "red"
        ax.text(left + w / 2, top - 0.5, text, ha="center", va="bottom", fontsize=8, color=color)
    ax.imshow(canvas, interpolation="nearest")
    ax.axis("off")
    ax.set_position([0, 0, 1, 1])
    if title:
        fig.suptitle(course_translate(title), y=1.0, va="bottom")
    plt.show()


def plot_history(history, title=None, metrics=None):
    """Plot per-epoch curves from a dict of lists or a keras History: one panel per metric,
    each with its 'val_' and 'test_' twins (``metrics`` picks the panels, e.g. ("loss",)).
    ``title`` defaults to "Learning curves"."""
    history = getattr(history, "history", history)
    if metrics is None:
        metrics = [k for k in history if not k.startswith(("val_", "test_")) and k != "learning_rate"]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 3.8), squeeze=False)
    for ax, name in zip(axes.flat, metrics):
        for key in (name, f"val_{name}", f"test_{name}"):
            if key in history:
                values = history[key]
                ax.plot(range(1, len(values) + 1), values, marker="o", label=key)
        ax.set_xlabel(course_text("epoch"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        epochs = max((len(history[k]) for k in (name, f"val_{name}", f"test_{name}") if k in history), default=1)
        ax.set_xlim(0.5, epochs + 0.5)  # one epoch still gets a sensible axis
        ax.set_ylabel(name)
        ax.set_title(course_text("{0} per epoch", name))
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(course_text("Learning curves") if title is None else course_translate(title))
    fig.tight_layout()
    plt.show()


def plot_confusion_matrix(cm, class_names=None, title=None):
    """Draw a confusion matrix (rows: true class, columns: predicted class) with counts; ``title``
    defaults to "Confusion matrix"."""
    cm = np.asarray(cm)
    k = cm.shape[0]
    names = class_names if class_names is not None else [str(i) for i in range(k)]
    fig, ax = plt.subplots(figsize=(0.6 * k + 2.5, 0.6 * k + 2))
    im = ax.imshow(cm, cmap="Blues")
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_xticks(range(k), names, rotation=45, ha="right")
    ax.set_yticks(range(k), names)
    ax.set_xlabel(course_text("predicted class"))
    ax.set_ylabel(course_text("true class"))
    ax.set_title(course_text("Confusion matrix") if title is None else course_translate(title))
    limit = cm.max() / 2 if cm.size else 0
    for i in range(k):
        for j in range(k):
            ax.text(j, i, int(cm[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if cm[i, j] > limit else "black")
    fig.tight_layout()
    plt.show()
