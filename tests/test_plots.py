"""The kit's figures (coursekit/notebook/plots.py), drawn with the Agg backend and read back."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from coursekit.notebook import plots  # noqa: E402


@pytest.fixture
def shown(monkeypatch):
    """The figures the functions show, kept open to read."""
    figures = []
    monkeypatch.setattr(plt, "show", lambda: figures.append(plt.gcf()))
    yield figures
    plt.close("all")


def test_a_tile_looks_as_the_image_alone_would():
    grey = np.array([[10, 20], [30, 50]], np.uint8)
    np.testing.assert_allclose(plots._grid_tile(grey)[..., 0], [[0, 0.25], [0.5, 1]])
    np.testing.assert_allclose(plots._grid_tile(grey[..., None]), plots._grid_tile(grey))
    assert not plots._grid_tile(np.full((2, 2), 7.0)).any()   # a flat image is dark, not a division by zero
    rgb = np.array([[[255, 0, 51]]], np.uint8)
    np.testing.assert_allclose(plots._grid_tile(rgb), [[[1, 0, 0.2]]])
    np.testing.assert_allclose(plots._grid_tile(np.array([[[1.5, -1, 0.5]]])), [[[1, 0, 0.5]]])


def test_the_grid_is_one_picture_with_a_label_over_each_tile(shown):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(20, 8, 6, 3), dtype=np.uint8)
    labels = np.arange(20) % 3
    predictions = labels.copy()
    predictions[[1, 4]] = (labels[[1, 4]] + 1) % 3
    plots.show_image_grid(images, labels, class_names=["cat", "dog", "ship"], predictions=predictions,
                          rows=2, cols=5, title="t")
    (fig,) = shown
    (ax,) = fig.axes
    texts = ax.texts
    assert len(texts) == 10
    assert texts[1].get_text() == "true dog\npred ship" and texts[1].get_color() == "red"
    assert texts[0].get_text() == "true cat\npred cat" and texts[0].get_color() == "black"
    canvas = ax.images[0].get_array()
    # tile 6 (row 1, column 1) sits under its label, as the image itself
    x, y = texts[6].get_position()
    left, bottom = int(x - 3), int(y + 0.5)
    np.testing.assert_allclose(canvas[bottom:bottom + 8, left:left + 6], images[6] / 255.0, atol=1e-6)
    assert fig._suptitle.get_text() == "t"


def test_few_images_leave_no_empty_rows(shown):
    plots.show_image_grid(np.zeros((3, 4, 4)), [0, 1, 2], rows=5, cols=8)
    ax = shown[0].axes[0]
    assert [t.get_text() for t in ax.texts] == ["0", "1", "2"]
    height = ax.images[0].get_array().shape[0]
    assert height < 2 * 4, height
