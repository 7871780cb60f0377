"""What the convolution and pooling layers share: argument forms and input layouts.

Arguments are given as Keras takes them and checked once, in ``__init__``:

>>> normalize_tuple(3, 2, "kernel_size", "Conv2D layer 'c'")
(3, 3)
>>> normalize_padding("SAME", "Conv2D layer 'c'")
'same'

Inputs are channels last, as in Keras: images ``(batch, height, width,
channels)`` and sequences ``(batch, steps, channels)``. ``image_spec`` and
``sequence_spec`` give the ``InputSpec`` those layers check every call against
(``input_spec.py``). The output sizes come from ``autograd.conv_output_shape``,
the one window geometry the ops use too (``autograd/kernels/geometry.py``).
"""

from __future__ import annotations

from typing import Any

import autograd
from nn.layers.input_spec import InputSpec

PADDINGS = ("valid", "same")

IMAGES = ("batch", "height", "width", "channels")
SEQUENCES = ("batch", "steps", "channels")


def image_spec(channels: int | None = None, known_channels: bool = False) -> InputSpec:
    """Images, NHWC; with ``channels``, exactly that many (what a kernel was built for)."""
    return InputSpec(
        ndim=4, axes={-1: channels} if channels is not None else None,
        known=(-1,) if known_channels else (), layout=IMAGES, about="NHWC, channels last",
        hints={2: "A 2-D input looks like flat feature vectors; reshape them to images "
                  "first, e.g. with layers.Reshape((28, 28, 1))."})


def sequence_spec(channels: int | None = None, known_channels: bool = False) -> InputSpec:
    """Sequences, (batch, steps, channels); with ``channels``, exactly that many."""
    return InputSpec(ndim=3, axes={-1: channels} if channels is not None else None,
                     known=(-1,) if known_channels else (), layout=SEQUENCES)


def sequence_output_shape(input_shape: Any, window: int, stride: int, padding: str,
                          dilation: int = 1, filters: int | None = None,
                          op: str = "sequence_output_shape") -> tuple:
    """``(batch, steps, channels)`` after a 1-D window: the 2-D geometry with height 1.

    ``"causal"`` pads only at the start, by as much as ``"same"`` pads in all, so its
    output has the same length.

    >>> sequence_output_shape((None, 500, 1), 3, 1, "same", filters=64)
    (None, 500, 64)
    >>> sequence_output_shape((None, 10, 4), 2, 2, "valid")
    (None, 5, 4)
    """
    batch, steps, channels = input_shape
    padding = "same" if padding == "causal" else padding
    out = autograd.conv_output_shape((batch, 1, steps, channels), (1, window), (1, stride),
                                     padding, (1, dilation), filters=filters, op=op)
    return (out[0], out[2], out[3])


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
