"""Where a 2-D sliding window goes: output size and padding, as Keras/TensorFlow do it.

Convolution and pooling share this arithmetic. For one spatial axis of size
``n``, a window of ``k`` cells spread ``d`` apart (dilation) covers
``effective = (k - 1) * d + 1`` cells, and it moves ``s`` cells at a time.

- ``"valid"``: no padding; ``out = (n - effective) // s + 1`` windows fit.
- ``"same"``: ``out = ceil(n / s)``; the input is padded by
  ``total = max((out - 1) * s + effective - n, 0)`` cells, ``total // 2`` before
  and the rest (the odd cell) after - so the extra row goes at the bottom and
  the extra column on the right, exactly as TensorFlow pads.

>>> win = window_2d("conv2d", (1, 5, 5, 1), (3, 3), (2, 2), (1, 1), "same")
>>> (win.out_h, win.out_w), (win.pad_top, win.pad_bottom)
((3, 3), (1, 1))
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
    """(out, pad_before, pad_after) for one spatial axis; out may be <= 0 for 'valid'."""
    effective = (k - 1) * d + 1
    if padding == "valid":
        return (n - effective) // s + 1, 0, 0
    out = -(-n // s)  # ceil(n / s)
    total = max((out - 1) * s + effective - n, 0)
    return out, total // 2, total - total // 2


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
        eff = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
        dilated = f" (dilated to {eff[0]}x{eff[1]})" if eff != (kh, kw) else ""
        shown = tuple(kernel_shape) if kernel_shape is not None else (kh, kw)
        raise ValueError(
            f"{op}: the window {kh}x{kw}{dilated} (kernel shape {shown}) is larger than "
            f"the input of shape {tuple(x_shape)} (height {h}, width {w}) with "
            f"padding={padding!r}, so not a single output position fits. Use "
            f"padding='same', a smaller kernel or dilation, or a larger input."
        )
    return Window(kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, out_h, out_w)


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
