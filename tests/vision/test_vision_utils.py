"""make_grid, save_image, the image I/O helpers and the package itself."""
import numpy as np
import pytest

import ember
import ember.vision
from ember.vision import io, utils

Image = pytest.importorskip("PIL.Image", reason="image files need Pillow")


def test_version():
    assert ember.vision.__version__ == "0.28.0"


def test_make_grid_layout():
    batch = ember.ones(3, 3, 2, 2)
    grid = utils.make_grid(batch, nrow=2, padding=1, pad_value=0.5)
    assert grid.shape == (3, 7, 7)
    g = np.asarray(grid)[0]
    assert g[0].tolist() == [0.5] * 7  # top padding band
    assert g[1].tolist() == [0.5, 1, 1, 0.5, 1, 1, 0.5]
    assert g[4].tolist() == [0.5, 1, 1, 0.5, 0.5, 0.5, 0.5]  # missing fourth cell is padding


def test_make_grid_single_image_and_gray_to_rgb():
    assert utils.make_grid(ember.zeros(1, 4, 5)).shape == (3, 4, 5)
    assert utils.make_grid([ember.zeros(1, 2, 2), ember.zeros(1, 2, 2)], padding=0).shape == \
        (3, 2, 4)


def test_make_grid_normalize():
    x = ember.tensor(np.array([[[[2.0, 4.0]]]] * 2, np.float32))
    assert np.asarray(utils.make_grid(x, normalize=True, padding=0))[0].tolist() == \
        [[0.0, 1.0, 0.0, 1.0]]
    out = utils.make_grid(x, normalize=True, value_range=(0.0, 8.0), padding=0)
    assert np.asarray(out)[0].tolist() == [[0.25, 0.5, 0.25, 0.5]]
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        utils.make_grid(x, normalize=True, value_range=[0, 1])


def test_save_image_writes_rounded_pixels(tmp_path):
    path = tmp_path / "x.png"
    utils.save_image(ember.tensor([[[0.0, 0.5], [1.0, 0.2]]] * 3), str(path))
    assert np.array(Image.open(path))[:, :, 0].tolist() == [[0, 128], [255, 51]]


def test_read_image_modes(tmp_path):
    arr = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    path = str(tmp_path / "a.png")
    Image.fromarray(arr).save(path)
    img = io.read_image(path)
    assert img.dtype == ember.uint8 and img.shape == (3, 2, 4)
    assert np.asarray(img).transpose(1, 2, 0).tolist() == arr.tolist()
    assert io.read_image(path, io.ImageReadMode.GRAY).shape == (1, 2, 4)
    assert io.read_image(path, io.ImageReadMode.RGB_ALPHA).shape == (4, 2, 4)


def test_read_gray_png_has_one_channel(tmp_path):
    path = str(tmp_path / "g.png")
    Image.fromarray(np.zeros((3, 2), np.uint8)).save(path)
    assert io.read_image(path).shape == (1, 3, 2)


def test_encode_decode_png_round_trip(tmp_path):
    x = ember.tensor(np.arange(12, dtype=np.uint8).reshape(3, 2, 2))
    data = io.encode_png(x)
    assert data.dtype == ember.uint8 and data.dim() == 1
    assert io.decode_image(data).tolist() == x.tolist()
    io.write_png(x, str(tmp_path / "w.png"))
    assert io.read_file(str(tmp_path / "w.png")).tolist() == data.tolist()
