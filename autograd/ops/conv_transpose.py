"""``conv2d_transpose``: the transposed ("de-") convolution, which upsamples.

It is the convolution's input gradient used as a layer: each input pixel stamps
the kernel, scaled by its value, onto an output ``strides`` times larger; the
stamps overlap and add. Written here with ops that exist already, as the
textbook identity says:

    conv2d_transpose(x, K) = crop(conv2d(pad(dilate(x)), flip(K)ᵀ))

- ``dilate``: ``strides - 1`` zeros between neighbouring input pixels;
- ``pad``: ``kernel - 1`` zeros around (each stamp may hang over the edge);
- ``flip(K)ᵀ``: the kernel turned 180° with its in/out channels swapped;
- ``crop``: ``"same"`` keeps the central ``input * strides`` pixels.

So its backward is the backward of those ops (``conv2d``'s among them): nothing
new to get wrong, and the gradcheck in the tests shows it.

>>> import autograd
>>> x = autograd.ones(1, 2, 2, 1)
>>> k = autograd.ones(2, 2, 1, 1)          # (kernel_h, kernel_w, out, in), as Keras
>>> autograd.conv2d_transpose(x, k, strides=2)[0, :, :, 0]
Tensor([[1., 1., 1., 1.],
        [1., 1., 1., 1.],
        [1., 1., 1., 1.],
        [1., 1., 1., 1.]], shape=(4, 4), dtype=float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .conv import conv2d
from .shape import pad, reshape, transpose


def _pair(value: Any, name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and v >= 1 for v in pair):
        raise ValueError(f"conv2d_transpose: {name} must be a positive int or a pair of them, "
                         f"got {value!r}.")
    return int(pair[0]), int(pair[1])


def transposed_output_length(size: int | None, kernel: int, stride: int, padding: str,
                             output_padding: int | None = None) -> int | None:
    """The output size along one axis, as Keras's ``deconv_output_length``:
    ``"valid"``: ``(size - 1) * stride + kernel``; ``"same"``: ``size * stride``;
    ``output_padding`` adds rows at the end (where several sizes would fit)."""
    if size is None:
        return None
    if output_padding is None:
        return size * stride if padding == "same" else (size - 1) * stride + max(kernel, stride)
    pad_total = kernel // 2 * 2 if padding == "same" else 0
    return (size - 1) * stride + kernel - pad_total + output_padding


def _dilate(x: Tensor, sh: int, sw: int) -> Tensor:
    """``sh - 1`` zero rows between rows and ``sw - 1`` zero columns between columns."""
    n, h, w, c = x.shape
    if sh == sw == 1:
        return x
    spread = reshape(x, (n, h, 1, w, 1, c))
    spread = pad(spread, ((0, 0), (0, 0), (0, sh - 1), (0, 0), (0, sw - 1), (0, 0)))
    spread = reshape(spread, (n, h * sh, w * sw, c))
    return spread[:, :(h - 1) * sh + 1, :(w - 1) * sw + 1]


def conv2d_transpose(x: Any, kernel: Any, bias: Any = None, strides: int | tuple = 1,
                     padding: str = "valid", output_padding: Any = None) -> Tensor:
    """Transposed convolution of NHWC images.

    Parameters
    ----------
    x : Tensor of shape (batch, height, width, in_channels)
    kernel : Tensor of shape (kernel_h, kernel_w, out_channels, in_channels) - Keras's
        ``Conv2DTranspose`` layout (the forward convolution's, read backwards)
    bias : Tensor of shape (out_channels,), optional
    strides : int or (int, int): the upsampling factor
    padding : "valid" (the output is ``(in - 1) * stride + kernel``) or "same"
        (``in * stride``)
    output_padding : int or (int, int), optional: extra rows/columns at the end
    """
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
    kernel = kernel if isinstance(kernel, Tensor) else Tensor(np.asarray(kernel, np.float32))
    if x.ndim != 4 or kernel.ndim != 4:
        raise ValueError(f"conv2d_transpose: x must be (batch, height, width, channels) and the "
                         f"kernel (kernel_h, kernel_w, out_channels, in_channels); got shapes "
                         f"{x.shape} and {kernel.shape}.")
    if kernel.shape[3] != x.shape[3]:
        raise ValueError(f"conv2d_transpose: x has {x.shape[3]} channels but the kernel of shape "
                         f"{kernel.shape} expects {kernel.shape[3]} (its last axis: the layout is "
                         "(kernel_h, kernel_w, out_channels, in_channels)).")
    if padding not in ("valid", "same"):
        raise ValueError(f"conv2d_transpose: padding must be 'valid' or 'same', got {padding!r}.")
    sh, sw = _pair(strides, "strides")
    kh, kw = kernel.shape[0], kernel.shape[1]
    h, w = x.shape[1], x.shape[2]
    extra = (0, 0) if output_padding is None else tuple(
        (output_padding, output_padding) if isinstance(output_padding, int) else output_padding)
    out_h = transposed_output_length(h, kh, sh, padding, None if output_padding is None
                                     else extra[0])
    out_w = transposed_output_length(w, kw, sw, padding, None if output_padding is None
                                     else extra[1])
    # The whole stamp, (h - 1) * s + k per axis, plus rows where the stride outruns the
    # kernel (s > k) so that every output size below fits; then cut out_h x out_w.
    full_h, full_w = (h - 1) * sh + kh, (w - 1) * sw + kw
    grow_h, grow_w = max(out_h - full_h, 0), max(out_w - full_w, 0)
    padded = pad(_dilate(x, sh, sw), ((0, 0), (kh - 1, kh - 1 + grow_h),
                                      (kw - 1, kw - 1 + grow_w), (0, 0)))
    flipped = transpose(kernel[::-1, ::-1], (0, 1, 3, 2))
    full = conv2d(padded, flipped, bias)
    if padding == "same":  # the forward conv's "same" padding: the larger half at the end
        top, left = max(kh - sh, 0) // 2, max(kw - sw, 0) // 2
    else:
        top = left = 0
    return full[:, top:top + out_h, left:left + out_w]
