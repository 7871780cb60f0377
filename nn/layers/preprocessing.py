"""Preprocessing layers: ``Rescaling``, ``Normalization`` (with ``adapt``),
``Resizing`` and ``CenterCrop``. They run the same in training and inference, so a
model can take raw pixels or raw features and do its own preparation.

>>> import numpy as np, nn
>>> norm = nn.layers.Normalization()
>>> norm.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
>>> norm(np.array([[1.0, 20.0]])).numpy()
array([[0., 0.]], dtype=float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn.layers.base import Layer
from nn.layers.image_transforms import INTERPOLATIONS, resize_matrix
from nn.saving.registry import register

EPSILON = 1e-7  # Keras's backend.epsilon(): the smallest standard deviation divided by


class Rescaling(Layer):
    """``inputs * scale + offset``: e.g. ``Rescaling(1 / 255)`` for pixels in [0, 1],
    ``Rescaling(1 / 127.5, offset=-1)`` for [-1, 1].

    >>> import nn
    >>> nn.layers.Rescaling(1 / 255)([[0.0, 255.0]])
    Tensor([[0., 1.]], shape=(1, 2), dtype=float32)
    """

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = float(scale)
        self.offset = float(offset)

    def call(self, inputs: Tensor) -> Tensor:
        return inputs * self.scale + self.offset

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Normalization(Layer):
    """``(inputs - mean) / sqrt(variance)`` per feature, with the mean and variance
    given or learned from data by ``adapt`` (``invert=True`` undoes it).

    ``axis`` is the axis (or axes) that keep a value each, the last by default;
    ``axis=None`` uses one mean and variance for everything. After ``adapt`` the
    layer's weights are ``[mean, variance, count]``, as in Keras.

    >>> import numpy as np, nn
    >>> nn.layers.Normalization(mean=2.0, variance=4.0)(np.array([[4.0]])).numpy()
    array([[1.]], dtype=float32)
    """

    def __init__(self, axis: int | tuple[int, ...] | None = -1, mean: Any = None,
                 variance: Any = None, invert: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization layer '{self.name}': pass both mean and variance, "
                             "or neither (and call adapt(data)).")
        if axis is None:
            self.axis: tuple[int, ...] = ()
        else:
            self.axis = (axis,) if isinstance(axis, int) else tuple(int(a) for a in axis)
        self.input_mean = None if mean is None else np.asarray(mean, dtype=np.float64)
        self.input_variance = None if variance is None else np.asarray(variance, dtype=np.float64)
        self.invert = bool(invert)
        self.adapted = mean is not None

    def _kept_axes(self, ndim: int) -> list[int]:
        kept = sorted(a % ndim for a in self.axis)
        if any(a == 0 for a in kept) and ndim > 1:
            raise ValueError(f"Normalization layer '{self.name}': axis {self.axis} includes "
                             "the batch axis 0; name feature axes.")
        return kept

    def build(self, input_shape: Any) -> None:
        kept = self._kept_axes(len(input_shape))
        shape = tuple(input_shape[a] for a in kept)
        if any(s is None for s in shape):
            raise ValueError(f"Normalization layer '{self.name}' keeps axes {self.axis} of "
                             f"inputs {tuple(input_shape)}; their sizes must be known.")
        if self.input_mean is None:
            self.mean = self.add_weight(shape=shape, initializer="zeros", trainable=False,
                                        name="mean")
            self.variance = self.add_weight(shape=shape, initializer="ones", trainable=False,
                                            name="variance")
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                         name="count")
        self._broadcast_shape = tuple(input_shape[a] if a in kept else 1
                                      for a in range(1, len(input_shape)))
        self.built = True

    def adapt(self, data: Any, batch_size: Any = None, steps: Any = None) -> None:
        """Learn the mean and variance of ``data`` (an array, or an iterable of
        batches: ``tf.data``-style datasets included) over every axis but ``axis``."""
        if self.input_mean is not None:
            raise ValueError(f"Normalization layer '{self.name}' was given its mean and "
                             "variance; adapt() would overwrite them.")
        batches = [np.asarray(autograd.as_array(data), dtype=np.float64)] \
            if isinstance(data, (np.ndarray, list, Tensor)) else \
            [np.asarray(autograd.as_array(b[0] if isinstance(b, tuple) else b), dtype=np.float64)
             for b in data]
        values = np.concatenate([b.reshape((-1,) + b.shape[1:]) for b in batches], axis=0)
        if values.ndim == 1:
            values = values[:, None]
        if not self.built:
            self.build((None,) + values.shape[1:])
        kept = self._kept_axes(values.ndim)
        reduce = tuple(a for a in range(values.ndim) if a not in kept)
        self.mean.assign(values.mean(axis=reduce).astype(self.mean.dtype))
        self.variance.assign(values.var(axis=reduce).astype(self.variance.dtype))
        self.count.assign(np.asarray(values.size // max(1, int(np.prod(
            [values.shape[a] for a in kept]))), dtype=self.count.dtype))
        self.adapted = True

    def call(self, inputs: Tensor) -> Tensor:
        if self.input_mean is not None:
            mean = np.broadcast_to(self.input_mean, self._broadcast_shape)
            std = np.maximum(np.sqrt(np.broadcast_to(self.input_variance,
                                                     self._broadcast_shape)), EPSILON)
        else:
            mean = self.mean.numpy().reshape(self._broadcast_shape)
            std = np.maximum(np.sqrt(self.variance.numpy().reshape(self._broadcast_shape)),
                             EPSILON)
        dtype = autograd.as_array(inputs).dtype if isinstance(inputs, Tensor) else np.float32
        mean, std = mean.astype(dtype), std.astype(dtype)
        if self.invert:
            return inputs * std + mean
        return (inputs - mean) / std

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = {**super().get_config(), "invert": self.invert,
                  "axis": None if not self.axis else (self.axis[0] if len(self.axis) == 1
                                                      else list(self.axis))}
        if self.input_mean is not None:
            config["mean"] = self.input_mean.tolist()
            config["variance"] = self.input_variance.tolist()
        return config


def _aspect_crop(height: int, width: int, target_height: int,
                 target_width: int) -> tuple[int, int, int, int]:
    """The central box of the input with the target's aspect ratio: (top, left, h, w)."""
    crop_height = min(height, int(float(width * target_height) / target_width))
    crop_width = min(width, int(float(height * target_width) / target_height))
    return (height - crop_height) // 2, (width - crop_width) // 2, crop_height, crop_width


def _resize(images: Tensor, height: int, width: int, interpolation: str) -> Tensor:
    """Resize ``(batch, rows, cols, channels)`` images: one weight matrix per axis,
    applied as matmuls, so the gradient flows back to the pixels."""
    rows_in, cols_in = images.shape[1], images.shape[2]
    dtype = autograd.as_array(images).dtype
    rows = resize_matrix(rows_in, height, interpolation).astype(dtype)
    cols = resize_matrix(cols_in, width, interpolation).astype(dtype)
    channels_first = autograd.transpose(images, (0, 3, 1, 2))    # (b, c, h, w)
    resized = autograd.matmul(autograd.matmul(rows, channels_first), cols.T)
    return autograd.transpose(resized, (0, 2, 3, 1))


class Resizing(Layer):
    """Resizes images ``(batch, rows, cols, channels)`` to ``(height, width)``, with
    ``"bilinear"`` (default) or ``"nearest"`` interpolation at half-pixel centres,
    as Keras 3 does. ``crop_to_aspect_ratio=True`` first takes the largest central
    box of the target's aspect ratio, so nothing is stretched.

    >>> import nn
    >>> nn.layers.Resizing(64, 48)(nn.Input(shape=(128, 128, 3))).shape
    (None, 64, 48, 3)
    """

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        where = f"Resizing layer '{self.name}'"
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"{where}: interpolation must be one of {INTERPOLATIONS}, got "
                             f"{interpolation!r}.")
        if pad_to_aspect_ratio:
            raise NotImplementedError(f"{where}: pad_to_aspect_ratio is not supported; use "
                                      "crop_to_aspect_ratio=True.")
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{where}: only data_format='channels_last' is supported.")
        if int(height) < 1 or int(width) < 1:
            raise ValueError(f"{where}: height and width must be positive, got "
                             f"{(height, width)}.")
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)

    def check_input_shape(self, input_shape: Any) -> None:
        if len(input_shape) != 4:
            raise ValueError(f"Resizing layer '{self.name}' expects images of shape (batch, "
                             f"rows, cols, channels), got {tuple(input_shape)}.")

    def call(self, inputs: Tensor) -> Tensor:
        if self.crop_to_aspect_ratio:
            top, left, h, w = _aspect_crop(inputs.shape[1], inputs.shape[2], self.height,
                                           self.width)
            inputs = inputs[:, top:top + h, left:left + w]
        return _resize(inputs, self.height, self.width, self.interpolation)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], self.height, self.width, input_shape[3])

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": False, "data_format": "channels_last"}


class CenterCrop(Layer):
    """The central ``(height, width)`` box of each image; an image smaller than that
    is first resized up (keeping its aspect ratio, as Keras does).

    >>> import nn
    >>> nn.layers.CenterCrop(24, 20)(nn.Input(shape=(28, 28, 1))).shape
    (None, 24, 20, 1)
    """

    def __init__(self, height: int, width: int, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"CenterCrop layer '{self.name}': only data_format='channels_last' "
                             "is supported.")
        self.height, self.width = int(height), int(width)

    def check_input_shape(self, input_shape: Any) -> None:
        if len(input_shape) != 4:
            raise ValueError(f"CenterCrop layer '{self.name}' expects images of shape (batch, "
                             f"rows, cols, channels), got {tuple(input_shape)}.")

    def call(self, inputs: Tensor) -> Tensor:
        rows, cols = inputs.shape[1], inputs.shape[2]
        if rows >= self.height and cols >= self.width:
            top, left = (rows - self.height) // 2, (cols - self.width) // 2
            return inputs[:, top:top + self.height, left:left + self.width]
        top, left, h, w = _aspect_crop(rows, cols, self.height, self.width)
        return _resize(inputs[:, top:top + h, left:left + w], self.height, self.width,
                       "bilinear")

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], self.height, self.width, input_shape[3])

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "data_format": "channels_last"}


# The classes a saved file may name (nn/saving/registry.py).
register(Rescaling)
register(Normalization)
register(Resizing)
register(CenterCrop)
