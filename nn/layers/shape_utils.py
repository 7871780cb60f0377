"""Small shape helpers shared by the convolution and pooling layers.

Sizes follow Keras (channels last, NHWC):

- ``padding="valid"``: ``out = floor((n - dilated_kernel) / stride) + 1``
- ``padding="same"``:  ``out = ceil(n / stride)``

with ``dilated_kernel = (kernel - 1) * dilation + 1``. Unknown sizes (None) stay None.

>>> conv_output_length(320, 4, "valid", 2)
159
>>> conv_output_length(157, 3, "valid", 3)
52
"""

from __future__ import annotations

from typing import Any

PADDINGS = ("valid", "same")


def normalize_tuple(value: Any, n: int, argument: str, layer: str) -> tuple[int, ...]:
    """``3`` -> ``(3, 3)``; ``(3, 5)`` stays; anything else is explained."""
    if isinstance(value, int) and not isinstance(value, bool):
        values: tuple = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            values = ()
    if len(values) != n or not all(isinstance(v, int) and v > 0 for v in values):
        raise ValueError(
            f"{layer}: `{argument}` must be a positive int or a tuple of {n} positive ints, "
            f"got {value!r}."
        )
    return values


def normalize_padding(padding: Any, layer: str) -> str:
    """``"VALID"`` -> ``"valid"``; anything but valid/same is explained."""
    if isinstance(padding, str) and padding.lower() in PADDINGS:
        return padding.lower()
    raise ValueError(
        f"{layer}: padding must be 'valid' or 'same', got {padding!r}. 'valid' uses no "
        "padding, so the output shrinks by the kernel size minus one; 'same' pads with zeros "
        "so that, with strides 1, the output has the input's height and width."
    )


def check_channels_last(data_format: Any, layer: str) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(
            f"{layer}: data_format={data_format!r} is not supported. gradstack stores images "
            "channels last, as (batch, height, width, channels) - Keras's default. Transpose "
            "channels-first data with np.transpose(x, (0, 2, 3, 1))."
        )


def conv_output_length(length: int | None, kernel: int, padding: str, stride: int,
                       dilation: int = 1) -> int | None:
    """The output size along one spatial axis (None if the input size is unknown)."""
    if length is None:
        return None
    if padding == "same":
        return -(-length // stride)
    dilated = (kernel - 1) * dilation + 1
    return (length - dilated) // stride + 1


def require_image_batch(input_shape: Any, layer_name: str, class_name: str) -> None:
    """Explain NHWC when an image layer gets something that is not 4-D."""
    if isinstance(input_shape, list):
        raise ValueError(
            f"{class_name} layer '{layer_name}' takes one input, but was called on a list "
            f"of {len(input_shape)}."
        )
    if len(input_shape) == 4:
        return
    shape = tuple(input_shape)
    hint = ""
    if len(shape) == 3:
        hint = (
            " If this is a single image, add the batch axis: x[None] or "
            "np.expand_dims(x, 0) gives shape (1, " + ", ".join(str(d) for d in shape) + ")."
            " If it is a batch of grayscale images, add the channels axis: x[..., None]."
            " (In a model, input_shape=/keras.Input(shape=...) leave the batch axis out: "
            "shape=(height, width, channels).)"
        )
    elif len(shape) == 2:
        hint = (
            " A 2-D input looks like flat feature vectors; reshape them to images first, "
            "e.g. with layers.Reshape((28, 28, 1))."
        )
    raise ValueError(
        f"{class_name} layer '{layer_name}' expects 4-D input of shape (batch, height, "
        f"width, channels) - NHWC, channels last - but got shape {shape} "
        f"({len(shape)}-D).{hint}"
    )
