"""The image arithmetic behind the preprocessing and augmentation layers, in NumPy.

- ``resize_matrix``: resizing as a matrix on one axis (half-pixel centres, as
  Keras 3 and ``tf.image.resize`` sample), so ``Resizing`` is two matmuls and
  keeps its gradient;
- ``transform``: sample each output pixel at ``(x', y') = A (x, y, 1)`` in the input,
  for a 2x3 matrix ``A`` per image (rotation, zoom, translation), with nearest or
  bilinear interpolation and Keras's fill modes for points outside the image:
  ``reflect`` (d c b a | a b c d | d c b a), ``wrap`` (a b c d | a b c d),
  ``nearest`` (a a a a | a b c d | d d d d) and ``constant`` (``fill_value``).

Coordinates are in pixels, ``x`` along the columns and ``y`` along the rows, pixel
``(0, 0)`` at the top left, as in Keras's transform matrices.

>>> import numpy as np
>>> resize_matrix(2, 4, "bilinear")
array([[1.  , 0.  ],
       [0.75, 0.25],
       [0.25, 0.75],
       [0.  , 1.  ]])
"""

from __future__ import annotations

import numpy as np

FILL_MODES = ("reflect", "wrap", "nearest", "constant")
INTERPOLATIONS = ("nearest", "bilinear")


def resize_matrix(size_in: int, size_out: int, interpolation: str) -> np.ndarray:
    """``(size_out, size_in)`` weights: row ``i`` says which input pixels output
    pixel ``i`` is made of. Output pixel centre ``i + 0.5`` lands on input
    position ``(i + 0.5) * size_in / size_out``."""
    scale = size_in / size_out
    centres = (np.arange(size_out) + 0.5) * scale
    weights = np.zeros((size_out, size_in))
    if interpolation == "nearest":
        nearest = np.minimum(np.floor(centres).astype(int), size_in - 1)
        weights[np.arange(size_out), nearest] = 1.0
        return weights
    position = np.clip(centres - 0.5, 0.0, size_in - 1)  # in input pixel indices
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, size_in - 1)
    frac = position - low
    np.add.at(weights, (np.arange(size_out), low), 1.0 - frac)
    np.add.at(weights, (np.arange(size_out), high), frac)
    return weights


def _fold(coordinate: np.ndarray, size: int, fill_mode: str) -> np.ndarray:
    """Bring coordinates outside ``[0, size - 1]`` back in, as ``fill_mode`` says
    (``constant`` leaves them outside: they read the fill value)."""
    if fill_mode in ("constant", "wrap"):  # wrap folds the pixel indices instead (_read)
        return coordinate
    if fill_mode == "nearest" or size == 1:
        return np.clip(coordinate, 0, size - 1)
    period = np.mod(coordinate, 2 * size)  # reflect: the image then its mirror, repeated
    return np.clip(np.where(period >= size, 2 * size - period - 1, period), 0, size - 1)


def _read(images: np.ndarray, rows: np.ndarray, cols: np.ndarray,
          fill_value: float, wrap: bool = False) -> np.ndarray:
    """``images[n, rows, cols, :]`` with ``fill_value`` where the index is outside
    (``wrap``: indices taken modulo the size, so nothing is outside)."""
    n, height, width, channels = images.shape
    if wrap:
        rows, cols = np.mod(rows, height), np.mod(cols, width)
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    batch = np.arange(n)[:, None, None]
    values = images[batch, np.clip(rows, 0, height - 1), np.clip(cols, 0, width - 1)]
    return np.where(inside[..., None], values, np.asarray(fill_value, dtype=images.dtype))


def transform(images: np.ndarray, matrices: np.ndarray, interpolation: str = "bilinear",
              fill_mode: str = "reflect", fill_value: float = 0.0) -> np.ndarray:
    """Resample ``images`` ``(n, height, width, channels)``: output pixel ``(x, y)``
    of image ``k`` takes the input at ``matrices[k] @ (x, y, 1)`` (``matrices`` is
    ``(n, 2, 3)``).

    >>> import numpy as np
    >>> image = np.arange(4.0).reshape(1, 1, 4, 1)
    >>> shift_right = np.array([[[1.0, 0, -1], [0, 1, 0]]])   # output x reads input x - 1
    >>> transform(image, shift_right, "nearest", "constant")[0, 0, :, 0]
    array([0., 0., 1., 2.])
    """
    n, height, width, _ = images.shape
    ys, xs = np.meshgrid(np.arange(height, dtype=np.float64), np.arange(width, dtype=np.float64),
                         indexing="ij")
    a = matrices.astype(np.float64)
    src_x = a[:, 0, 0, None, None] * xs + a[:, 0, 1, None, None] * ys + a[:, 0, 2, None, None]
    src_y = a[:, 1, 0, None, None] * xs + a[:, 1, 1, None, None] * ys + a[:, 1, 2, None, None]
    src_x, src_y = _fold(src_x, width, fill_mode), _fold(src_y, height, fill_mode)
    wrap = fill_mode == "wrap"
    if interpolation == "nearest":
        return _read(images, np.round(src_y).astype(int), np.round(src_x).astype(int),
                     fill_value, wrap)
    x0, y0 = np.floor(src_x).astype(int), np.floor(src_y).astype(int)
    fx, fy = (src_x - x0)[..., None], (src_y - y0)[..., None]

    def read(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return _read(images, rows, cols, fill_value, wrap)

    top = read(y0, x0) * (1 - fx) + read(y0, x0 + 1) * fx
    bottom = read(y0 + 1, x0) * (1 - fx) + read(y0 + 1, x0 + 1) * fx
    return (top * (1 - fy) + bottom * fy).astype(images.dtype)


def rotation_matrices(angles: np.ndarray, height: int, width: int) -> np.ndarray:
    """Rotate by ``angles`` (radians, counter-clockwise on screen) about the centre."""
    cos, sin = np.cos(angles), np.sin(angles)
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    # Output point p reads the input at R(-angle) (p - centre) + centre; rows grow
    # downwards, so a counter-clockwise turn on screen has these signs.
    m = np.zeros((len(angles), 2, 3))
    m[:, 0, 0], m[:, 0, 1] = cos, -sin
    m[:, 1, 0], m[:, 1, 1] = sin, cos
    m[:, 0, 2] = cx - cos * cx + sin * cy
    m[:, 1, 2] = cy - sin * cx - cos * cy
    return m


def zoom_matrices(zoom_y: np.ndarray, zoom_x: np.ndarray, height: int, width: int) -> np.ndarray:
    """Scale about the centre: a zoom above 1 reads a larger area (zooms out)."""
    m = np.zeros((len(zoom_x), 2, 3))
    m[:, 0, 0], m[:, 1, 1] = zoom_x, zoom_y
    m[:, 0, 2] = (width - 1) / 2.0 * (1 - zoom_x)
    m[:, 1, 2] = (height - 1) / 2.0 * (1 - zoom_y)
    return m


def translation_matrices(dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """Shift the picture by ``dx`` columns right and ``dy`` rows down."""
    m = np.zeros((len(dx), 2, 3))
    m[:, 0, 0] = m[:, 1, 1] = 1.0
    m[:, 0, 2], m[:, 1, 2] = -dx, -dy
    return m
