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


def show_image_grid(images, labels, class_names=None, predictions=None, rows=5, cols=5, title=None):
    """Draw the first rows*cols images with their labels (and predictions, red when wrong)."""
    images = np.asarray(images)
    labels = np.asarray(labels).reshape(-1)
    n = min(rows * cols, len(images))
    rows = max(1, min(rows, -(-n // cols)))  # no empty rows when there are few images
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.8 * rows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        img = images[i]
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[..., 0]
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        name = (lambda k: class_names[int(k)] if class_names is not None else str(int(k)))
        text = name(labels[i])
        color = "black"
        if predictions is not None:
            pred = int(np.asarray(predictions).reshape(-1)[i])
            text = course_text("true {0}\npred {1}", text, name(pred))
            color = "black" if pred == int(labels[i]) else "red"
        ax.set_title(text, fontsize=8, color=color)
    if title:
        fig.suptitle(course_translate(title))
    fig.tight_layout()
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
