"""Where a 2-D sliding window goes: output size and padding, as Keras/TensorFlow do it.

Convolution and pooling share this arithmetic. For one spatial axis of size
``n``, a window of ``k`` cells spread ``d`` apart (dilation) moves ``s`` cells
at a time. ``"valid"`` pads nothing and keeps only the windows that fit;
``"same"`` gives ``ceil(n / s)`` windows and pads with as few zeros as that
needs, the smaller half before and the odd cell after - so an extra row goes at
the bottom and an extra column on the right, exactly as TensorFlow pads.
``_axis`` below works it out (a task of the sample course's hw3).

>>> win = window_2d("conv2d", (1, 5, 5, 1), (3, 3), (2, 2), (1, 1), "same")
>>> (win.out_h, win.out_w), (win.pad_top, win.pad_bottom)
((3, 3), (1, 1))

``conv_output_shape`` (public as ``autograd.conv_output_shape``) gives the
same sizes for a whole NHWC shape whose sizes may be unknown (None), which is
what layers need to answer ``compute_output_shape``.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any, NamedTuple

PADDINGS = ("valid", "same")


class Window(NamedTuple):
    """A 2-D window over NHWC input: sizes, strides, dilation, padding, output size."""

    kh: int
    kw: int
    sh: int
    sw: int
    dh: int
    dw: int
    pad_top: int
    pad_bottom: int
    pad_left: int
    pad_right: int
    out_h: int
    out_w: int


def pair(value: Any, name: str, op: str) -> tuple[int, int]:
    """``3`` -> ``(3, 3)``; ``(2, 1)`` stays; anything else is a clear error."""
    if _is_int(value):
        value = (value, value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(map(_is_int, value)):
        if value[0] >= 1 and value[1] >= 1:
            return int(value[0]), int(value[1])
    raise ValueError(
        f"{op}: {name} must be a positive int or a pair of positive ints "
        f"(height, width), got {value!r}."
    )


def _is_int(v: Any) -> bool:
    return isinstance(v, Integral) and not isinstance(v, bool)


def check_padding(padding: Any, op: str) -> str:
    """Return ``"valid"`` or ``"same"`` (any letter case), or explain what is allowed."""
    if isinstance(padding, str) and padding.lower() in PADDINGS:
        return padding.lower()
    raise ValueError(
        f"{op}: padding must be 'valid' (no padding: the output shrinks) or 'same' "
        f"(pad so that the output is ceil(input / stride)), got {padding!r}."
    )


def _axis(n: int, k: int, s: int, d: int, padding: str) -> tuple[int, int, int]:
    """(out, pad_before, pad_after) for one spatial axis; out may be <= 0 for 'valid'.

    >>> _axis(5, 3, 2, 1, "same"), _axis(7, 3, 2, 2, "valid")
    ((3, 1, 1), (2, 0, 0))
    """
    # BEGIN SOLUTION hw3.window_geometry
    effective = (k - 1) * d + 1  # cells a dilated window spans
    if padding == "valid":
        return (n - effective) // s + 1, 0, 0
    out = -(-n // s)  # ceil(n / s)
    # the last window starts at (out - 1) * s and must end inside the padded input
    total = max((out - 1) * s + effective - n, 0)
    return out, total // 2, total - total // 2
    # END SOLUTION


def window_2d(
    op: str,
    x_shape: tuple[int, ...],
    kernel_size: tuple[int, int],
    strides: Any,
    dilation: Any,
    padding: str,
    kernel_shape: tuple[int, ...] | None = None,
) -> Window:
    """Geometry of a window sliding over an NHWC input of shape ``x_shape``.

    Raises ``ValueError`` when the (dilated) window does not fit in the padded
    input even once; ``kernel_shape`` is only used to make that message precise.
    """
    kh, kw = kernel_size
    sh, sw = strides
    dh, dw = dilation
    h, w = x_shape[1], x_shape[2]
    out_h, pt, pb = _axis(h, kh, sh, dh, padding)
    out_w, pl, pr = _axis(w, kw, sw, dw, padding)
    if out_h < 1 or out_w < 1:
        raise _window_too_large(op, x_shape, kernel_size, dilation, padding, kernel_shape)
    return Window(kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, out_h, out_w)


def _window_too_large(op: str, x_shape: tuple, kernel_size: tuple[int, int],
                      dilation: tuple[int, int], padding: str,
                      kernel_shape: tuple | None) -> ValueError:
    kh, kw = kernel_size
    eff = ((kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1)
    dilated = f" (dilated to {eff[0]}x{eff[1]})" if eff != (kh, kw) else ""
    shown = tuple(kernel_shape) if kernel_shape is not None else (kh, kw)
    return ValueError(
        f"{op}: the window {kh}x{kw}{dilated} (kernel shape {shown}) is larger than "
        f"the input of shape {tuple(x_shape)} (height {x_shape[1]}, width {x_shape[2]}) "
        f"with padding={padding!r}, so not a single output position fits. Use "
        f"padding='same', a smaller kernel or dilation, or a larger input."
    )


def conv_output_shape(
    input_shape: tuple[int | None, ...],
    kernel_size: int | tuple[int, int],
    strides: int | tuple[int, int] = 1,
    padding: str = "valid",
    dilation_rate: int | tuple[int, int] = 1,
    filters: int | None = None,
    op: str = "conv_output_shape",
) -> tuple[int | None, ...]:
    """The NHWC output shape of a convolution or pooling window, sizes may be None.

    Raises ``ValueError`` for a shape that is not 4-D, a bad argument, or a known
    size too small for one window with ``padding="valid"``.

    Parameters
    ----------
    input_shape : tuple
        (batch, height, width, channels); any entry may be None (unknown).
    kernel_size, strides, dilation_rate : int or (int, int)
        An int or a pair (height, width).
    padding : "valid" or "same"
        As in Keras.
    filters : int, optional
        The output channels of a convolution; None keeps the input's channels
        (pooling).
    op : str
        The name used in error messages, e.g. a layer's ``"Conv2D layer 'conv2d_1'"``.

    Returns
    -------
    tuple
        (batch, out_height, out_width, channels), None where the input size was.

    Examples
    --------
    >>> import autograd
    >>> autograd.conv_output_shape((None, 28, 28, 1), 3, filters=8)
    (None, 26, 26, 8)
    >>> autograd.conv_output_shape((None, None, 9, 3), 2, strides=2, padding="same")
    (None, None, 5, 3)
    """
    if len(input_shape) != 4:
        raise ValueError(
            f"{op}: expected a 4-D NHWC shape (batch, height, width, channels), got "
            f"{tuple(input_shape)} ({len(input_shape)}-D). Use None for unknown sizes, "
            f"e.g. (None, 28, 28, 1)."
        )
    k = pair(kernel_size, "kernel_size", op)
    s = pair(strides, "strides", op)
    d = pair(dilation_rate, "dilation_rate", op)
    padding = check_padding(padding, op)
    batch, h, w, channels = input_shape
    out = []
    for n, ki, si, di in zip((h, w), k, s, d, strict=True):
        size = None if n is None else _axis(n, ki, si, di, padding)[0]
        if size is not None and size < 1:
            raise _window_too_large(op, tuple(input_shape), k, d, padding, None)
        out.append(size)
    return (batch, out[0], out[1], channels if filters is None else filters)


def check_nhwc(shape: tuple[int, ...], op: str, name: str = "x") -> None:
    """Explain a wrong rank: images here are 4-D, (batch, height, width, channels)."""
    if len(shape) == 4:
        return
    hint = ""
    if len(shape) == 3:
        hint = (f" If this is a single image, add the batch axis first: {name}[None] "
                f"(or autograd.expand_dims({name}, 0)) gives shape {(1, *shape)}.")
    elif len(shape) == 2:
        hint = (f" A single-channel image needs a batch and a channel axis: "
                f"{name}[None, :, :, None] gives shape {(1, *shape, 1)}.")
    raise ValueError(
        f"{op}: expected {name} to be 4-D in NHWC layout (batch, height, width, "
        f"channels), but it has shape {tuple(shape)} ({len(shape)}-D). The batch axis "
        f"comes first and channels last, as in Keras.{hint}"
    )
