"""``depthwise_conv2d``: every input channel convolved with its own kernels.

A depthwise kernel ``(kernel_h, kernel_w, in_channels, depth_multiplier)`` gives
``in_channels * depth_multiplier`` outputs; output ``c * depth_multiplier + m``
sees input channel ``c`` only. It is the ordinary ``conv2d`` with a block-diagonal
kernel - zero wherever an output would look at another channel - so its backward
is conv2d's and the multiplication by the fixed mask's:

    full[:, :, c, c * dm + m] = K[:, :, c, m],  0 elsewhere

(simple and exact; for hundreds of channels it does ``in_channels`` times the
necessary work, which a kernel of its own would not).

>>> import autograd
>>> x = autograd.ones(1, 3, 3, 2)
>>> k = autograd.ones(2, 2, 2, 1)
>>> autograd.depthwise_conv2d(x, k).shape
(1, 2, 2, 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .conv import conv2d
from .shape import reshape


def depthwise_conv2d(x: Any, kernel: Any, bias: Any = None, strides: Any = 1,
                     padding: str = "valid", dilation_rate: Any = 1) -> Tensor:
    """Depthwise 2-D convolution of NHWC images (Keras's ``DepthwiseConv2D``).

    Parameters
    ----------
    x : Tensor of shape (batch, height, width, in_channels)
    kernel : Tensor of shape (kernel_h, kernel_w, in_channels, depth_multiplier)
    bias : Tensor of shape (in_channels * depth_multiplier,), optional
    strides, padding, dilation_rate : as in ``conv2d``
    """
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
    kernel = kernel if isinstance(kernel, Tensor) else Tensor(np.asarray(kernel, np.float32))
    if x.ndim != 4 or kernel.ndim != 4 or kernel.shape[2] != x.shape[3]:
        raise ValueError(
            f"depthwise_conv2d: x must be (batch, height, width, channels) and the kernel "
            f"(kernel_h, kernel_w, in_channels, depth_multiplier) with in_channels = "
            f"x's channels; got shapes {x.shape} and {kernel.shape}.")
    kh, kw, channels, multiplier = kernel.shape
    # (kh, kw, c, 1, m) * eye(c)[:, :, None]: channel c's kernels land in block c only.
    mask = np.eye(channels, dtype=kernel.dtype)[None, None, :, :, None]
    full = reshape(reshape(kernel, (kh, kw, channels, 1, multiplier)) * mask,
                   (kh, kw, channels, channels * multiplier))
    return conv2d(x, full, bias, strides=strides, padding=padding, dilation_rate=dilation_rate)
