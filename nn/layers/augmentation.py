"""Data augmentation layers: ``RandomFlip``, ``RandomRotation``, ``RandomZoom``,
``RandomTranslation``, ``RandomContrast``.

Each changes every image of a batch by its own random amount **while training**
(``fit``, or ``training=True``) and passes images through unchanged otherwise, as
Keras does. ``seed`` makes the sequence of draws repeatable (one
``nn.random.SeedGenerator`` per layer). Images are ``(batch, rows, cols,
channels)``. They work on data at the start of a model: no gradient flows back
through them to their inputs.

>>> import numpy as np, nn
>>> flip = nn.layers.RandomFlip("horizontal", seed=0)
>>> images = np.arange(6.0).reshape(1, 2, 3, 1)
>>> bool((flip(images).numpy() == images).all())     # inference: unchanged
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn.layers.base import Layer
from nn.layers.image_transforms import (
    FILL_MODES,
    INTERPOLATIONS,
    rotation_matrices,
    transform,
    translation_matrices,
    zoom_matrices,
)
from nn.random import SeedGenerator
from nn.saving.registry import register


def _factor_range(factor: Any, argument: str, where: str,
                  allow_negative: bool = True) -> tuple[float, float]:
    """``0.2`` -> (-0.2, 0.2); ``(-0.1, 0.3)`` as is."""
    if isinstance(factor, (int, float)):
        low, high = -abs(float(factor)), abs(float(factor))
    else:
        try:
            low, high = (float(f) for f in factor)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: {argument} must be a number or a pair (lower, upper), "
                             f"got {factor!r}.") from None
    if low > high:
        raise ValueError(f"{where}: {argument} must have lower <= upper, got {factor!r}.")
    if not allow_negative and low < 0:
        raise ValueError(f"{where}: {argument} must not be negative, got {factor!r}.")
    return low, high


class _RandomImageLayer(Layer):
    """Shared by the augmentation layers: the seed, the training switch, the checks."""

    def __init__(self, seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{type(self).__name__} layer '{self.name}': only "
                             "data_format='channels_last' is supported.")
        self.seed = seed
        self.generator = SeedGenerator(seed).generator

    def check_input_shape(self, input_shape: Any) -> None:
        if len(input_shape) != 4:
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}' expects images of shape (batch, "
                f"rows, cols, channels), but got inputs of shape {tuple(input_shape)}.")

    def call(self, inputs: Any, training: Any = None) -> Tensor:
        if not training:
            return inputs  # Layer.__call__ has already made it a Tensor
        images = np.asarray(autograd.as_array(inputs))
        if not np.issubdtype(images.dtype, np.floating):
            images = images.astype(np.float32)
        return autograd.tensor(self.augment(images))

    def augment(self, images: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed, "data_format": "channels_last"}


class RandomFlip(_RandomImageLayer):
    """Flips each image left-right (``"horizontal"``), upside down (``"vertical"``)
    or either (``"horizontal_and_vertical"``, the default), each with probability 1/2.
    """

    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(seed, **kwargs)
        if mode not in self.MODES:
            raise ValueError(f"RandomFlip layer '{self.name}': mode must be one of {self.MODES}, "
                             f"got {mode!r}.")
        self.mode = mode

    def augment(self, images: np.ndarray) -> np.ndarray:
        out = images.copy()
        if "horizontal" in self.mode:
            flip = self.generator.random(len(out)) < 0.5
            out[flip] = out[flip, :, ::-1]
        if "vertical" in self.mode:
            flip = self.generator.random(len(out)) < 0.5
            out[flip] = out[flip, ::-1]
        return out

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode}


class _RandomTransform(_RandomImageLayer):
    """A random affine resampling per image, with Keras's fill modes."""

    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(seed, **kwargs)
        where = f"{type(self).__name__} layer '{self.name}'"
        if fill_mode not in FILL_MODES:
            raise ValueError(f"{where}: fill_mode must be one of {FILL_MODES}, got "
                             f"{fill_mode!r}.")
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"{where}: interpolation must be one of {INTERPOLATIONS}, got "
                             f"{interpolation!r}.")
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value = float(fill_value)

    def augment(self, images: np.ndarray) -> np.ndarray:
        matrices = self.matrices(len(images), images.shape[1], images.shape[2])
        return transform(images, matrices, self.interpolation, self.fill_mode, self.fill_value)

    def matrices(self, n: int, height: int, width: int) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomRotation(_RandomTransform):
    """Rotates each image by a random fraction of a full turn drawn from ``factor``
    (``0.1`` -> up to 36 degrees either way; positive is counter-clockwise).

    >>> import numpy as np, nn
    >>> quarter = nn.layers.RandomRotation((0.25, 0.25), interpolation="nearest")
    >>> image = np.array([[[[1.0], [2.0]], [[3.0], [4.0]]]])
    >>> quarter(image, training=True).numpy()[0, :, :, 0]
    array([[2., 4.],
           [1., 3.]], dtype=float32)
    """

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = _factor_range(factor, "factor", f"RandomRotation layer '{self.name}'")

    def matrices(self, n: int, height: int, width: int) -> np.ndarray:
        turns = self.generator.uniform(self.factor[0], self.factor[1], size=n)
        return rotation_matrices(turns * 2.0 * np.pi, height, width)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": list(self.factor)}


class RandomZoom(_RandomTransform):
    """Zooms each image by a random amount: ``height_factor=0.2`` zooms in or out by
    up to 20% (positive values zoom out, negative in); ``width_factor`` defaults to the
    same draw as the height (the aspect ratio is kept)."""

    def __init__(self, height_factor: Any, width_factor: Any = None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        where = f"RandomZoom layer '{self.name}'"
        self.height_factor = _factor_range(height_factor, "height_factor", where)
        self.width_factor = None if width_factor is None else _factor_range(
            width_factor, "width_factor", where)
        for low, _ in filter(None, (self.height_factor, self.width_factor)):
            if low <= -1.0:
                raise ValueError(f"{where}: a factor of -1 or below would zoom into nothing.")

    def matrices(self, n: int, height: int, width: int) -> np.ndarray:
        zoom_y = 1.0 + self.generator.uniform(*self.height_factor, size=n)
        zoom_x = zoom_y if self.width_factor is None else \
            1.0 + self.generator.uniform(*self.width_factor, size=n)
        return zoom_matrices(zoom_y, zoom_x, height, width)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": list(self.height_factor),
                "width_factor": None if self.width_factor is None else list(self.width_factor)}


class RandomTranslation(_RandomTransform):
    """Shifts each image by a random fraction of its height and width
    (``height_factor=0.1`` -> up to 10% of the rows, up or down)."""

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        where = f"RandomTranslation layer '{self.name}'"
        self.height_factor = _factor_range(height_factor, "height_factor", where)
        self.width_factor = _factor_range(width_factor, "width_factor", where)

    def matrices(self, n: int, height: int, width: int) -> np.ndarray:
        dy = self.generator.uniform(*self.height_factor, size=n) * height
        dx = self.generator.uniform(*self.width_factor, size=n) * width
        return translation_matrices(dy, dx)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": list(self.height_factor),
                "width_factor": list(self.width_factor)}


class RandomContrast(_RandomImageLayer):
    """Scales each image's distance from its own per-channel mean by a random factor
    in ``[1 - lower, 1 + upper]`` (``factor=0.2`` -> [0.8, 1.2]), then clips to
    ``value_range`` (``(0, 255)`` by default, as Keras)."""

    def __init__(self, factor: Any, seed: int | None = None, value_range: Any = (0, 255),
                 **kwargs: Any) -> None:
        super().__init__(seed, **kwargs)
        where = f"RandomContrast layer '{self.name}'"
        if isinstance(factor, (int, float)):
            factor = (factor, factor)
        low, high = _factor_range(factor, "factor", where, allow_negative=False)
        if low > 1.0:
            raise ValueError(f"{where}: the lower factor must be at most 1 (a contrast "
                             f"of 1 - lower), got {factor!r}.")
        self.factor = (low, high)
        self.value_range = (float(value_range[0]), float(value_range[1]))

    def augment(self, images: np.ndarray) -> np.ndarray:
        scale = self.generator.uniform(1.0 - self.factor[0], 1.0 + self.factor[1],
                                       size=(len(images), 1, 1, 1))
        mean = images.mean(axis=(1, 2), keepdims=True)
        out = (images - mean) * scale + mean
        return np.clip(out, *self.value_range).astype(images.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


# The classes a saved file may name (nn/saving/registry.py).
register(RandomFlip)
register(RandomRotation)
register(RandomZoom)
register(RandomTranslation)
register(RandomContrast)
