"""Pooling over NHWC images: max and average, windowed and global.

``MaxPool2D`` and ``AvgPool2D`` are ``Function``s whose forward and backward call
the kernels in ``autograd/kernels/pool.py``. The global poolings are plain
compositions: a pooling window as large as the image, then a reshape.

A large batch is pooled in two halves on two threads (``kernels/lanes.py``): each
half is one kernel call on a slice of the images, and the bits are the same as
for one call over the whole batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..kernels.arrays import as_kernel_array, kernel_dtype
from ..kernels.geometry import Window, check_nhwc, check_padding, pair, window_2d
from ..kernels.lanes import image_lanes, run_lanes
from ..kernels.pool import avg_pool_backward, avg_pool_forward, max_pool_backward, max_pool_forward
from ..kernels.threads import match_blas_threads_to_load
from ..tensor import Tensor
from .shape import reshape


def _pool_args(w: Window) -> tuple:
    return (w.kh, w.kw, w.sh, w.sw, w.pad_top, w.pad_left)


class MaxPool2D(Function):
    @staticmethod
    def forward(ctx, x, *, window: Window):
        x = as_kernel_array(x, kernel_dtype(x))
        shape = (x.shape[0], window.out_h, window.out_w, x.shape[3])
        out = np.empty(shape, dtype=x.dtype)
        winner = np.empty(shape, dtype=np.int32)  # position of the max inside its window
        # The batch in two lanes, side by side on the two cores (kernels/lanes.py).
        lanes = image_lanes(x.shape[0], x.size)
        run_lanes(lambda images: max_pool_forward(x[images], out[images], winner[images],
                                                  *_pool_args(window)), lanes)
        ctx.save_for_backward(winner)
        ctx.x_shape, ctx.window, ctx.lanes = x.shape, window, lanes
        return out

    @staticmethod
    def backward(ctx, grad):
        (winner,) = ctx.saved_tensors
        grad = as_kernel_array(grad, kernel_dtype(grad))
        dx = np.empty(ctx.x_shape, dtype=grad.dtype)
        # Each output's gradient goes to the one input cell that won its window.
        run_lanes(lambda images: max_pool_backward(grad[images], winner[images], dx[images],
                                                   *_pool_args(ctx.window)), ctx.lanes)
        return dx


def max_pool2d(x: Any, pool_size: int | tuple[int, int] = 2,
               strides: int | tuple[int, int] | None = None, padding: str = "valid") -> Tensor:
    """Largest value in each window, per channel, of NHWC images.

    The gradient of each output goes to the cell that won its window; on exact ties
    the first cell in row-major window order wins.

    Parameters
    ----------
    x : Tensor of shape (batch, height, width, channels)
    pool_size : int or (int, int)
    strides : int or (int, int), optional
        Defaults to ``pool_size`` (windows side by side).
    padding : "valid" or "same"
        With ``"same"`` the output is ``ceil(input / stride)``; padded cells never win.

    Examples
    --------
    >>> import autograd
    >>> x = autograd.tensor([[1.0, 5.0], [3.0, 2.0]]).reshape(1, 2, 2, 1)
    >>> autograd.max_pool2d(x, 2).reshape(-1)
    Tensor([5.], shape=(1,), dtype=float32)
    """
    return MaxPool2D.apply(x, window=_window("max_pool2d", x, pool_size, strides, padding))


class AvgPool2D(Function):
    @staticmethod
    def forward(ctx, x, *, window: Window):
        x = as_kernel_array(x, kernel_dtype(x))
        out = np.empty((x.shape[0], window.out_h, window.out_w, x.shape[3]), dtype=x.dtype)
        lanes = image_lanes(x.shape[0], x.size)  # two lanes, as in MaxPool2D
        run_lanes(lambda images: avg_pool_forward(x[images], out[images], *_pool_args(window)),
                  lanes)
        ctx.x_shape, ctx.window, ctx.lanes = x.shape, window, lanes
        return out

    @staticmethod
    def backward(ctx, grad):
        grad = as_kernel_array(grad, kernel_dtype(grad))
        dx = np.empty(ctx.x_shape, dtype=grad.dtype)
        # Each output's gradient is shared equally by the cells its window averaged.
        run_lanes(lambda images: avg_pool_backward(grad[images], dx[images],
                                                   *_pool_args(ctx.window)), ctx.lanes)
        return dx


def avg_pool2d(x: Any, pool_size: int | tuple[int, int] = 2,
               strides: int | tuple[int, int] | None = None, padding: str = "valid") -> Tensor:
    """Mean of each window, per channel, of NHWC images.

    Arguments as for ``max_pool2d``. With ``"same"`` padding the padded cells are not
    counted: a corner window of 2 real cells out of 4 averages those 2.

    >>> import autograd
    >>> x = autograd.tensor([[1.0, 5.0], [3.0, 3.0]]).reshape(1, 2, 2, 1)
    >>> autograd.avg_pool2d(x, 2).reshape(-1)
    Tensor([3.], shape=(1,), dtype=float32)
    """
    return AvgPool2D.apply(x, window=_window("avg_pool2d", x, pool_size, strides, padding))


def global_max_pool2d(x: Any) -> Tensor:
    """Largest value over height and width: (batch, h, w, c) -> (batch, c).

    ``max_pool2d`` with one window as large as the image, then a reshape: faster
    than ``autograd.max`` over axes (1, 2), whose NumPy reduction over two middle
    axes is slow (benchmarks/README.md). As in ``max_pool2d``, on ties the first cell (row-major)
    gets the gradient.

    >>> import autograd
    >>> autograd.global_max_pool2d(autograd.arange(8.0).reshape(1, 2, 2, 2))
    Tensor([[6., 7.]], shape=(1, 2), dtype=float32)
    """
    n, h, w, c = _image_shape(x, "global_max_pool2d")
    return reshape(max_pool2d(x, (h, w)), (n, c))


class GlobalAvgPool2D(Function):
    """The mean over the pixels of each image and channel, (N, H, W, C) -> (N, C).

    Forward sums the H * W pixels of an image as ``ones @ x[n]`` (a (H * W,) vector
    times an (H * W, C) matrix): BLAS reads the image once, where NumPy's sum over
    a middle axis and the pooling kernel's window loop were 2-4x slower on small
    images (benchmarks/README.md). Backward shares each gradient equally among
    the H * W pixels: ``dx[n, h, w, c] = grad[n, c] / (H * W)``.
    """

    @staticmethod
    def forward(ctx, x):
        match_blas_threads_to_load()  # one BLAS thread while the machine is busy
        x = as_kernel_array(x, kernel_dtype(x))
        n, h, w, c = x.shape
        sums = np.matmul(np.ones(h * w, dtype=x.dtype), x.reshape(n, h * w, c))  # (N, C)
        ctx.x_shape = x.shape
        return sums / np.asarray(h * w, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        n, h, w, c = ctx.x_shape
        share = as_kernel_array(grad, kernel_dtype(grad)) / np.asarray(h * w, grad.dtype)
        dx = np.empty(ctx.x_shape, dtype=share.dtype)
        dx[...] = share[:, None, None, :]  # one write pass, no (N, H, W, C) temporary
        return dx


def global_avg_pool2d(x: Any) -> Tensor:
    """Mean over height and width: (batch, h, w, c) -> (batch, c).

    One BLAS product per image (``GlobalAvgPool2D`` above): faster than
    ``autograd.mean`` over axes (1, 2) and than ``avg_pool2d`` with one window as
    large as the image (benchmarks/README.md).

    >>> import autograd
    >>> autograd.global_avg_pool2d(autograd.arange(8.0).reshape(1, 2, 2, 2))
    Tensor([[3., 4.]], shape=(1, 2), dtype=float32)
    """
    _image_shape(x, "global_avg_pool2d")
    return GlobalAvgPool2D.apply(x)


def _image_shape(x: Any, op: str) -> tuple[int, ...]:
    shape = _shape(x)
    check_nhwc(shape, op)
    if shape[1] == 0 or shape[2] == 0:
        raise ValueError(
            f"{op}: the images have height {shape[1]} and width {shape[2]} (input shape "
            f"{tuple(shape)}), so there is nothing to pool over. Check the layers before "
            "this one: strides or 'valid' padding may have shrunk the images to nothing."
        )
    return shape


def _window(op: str, x: Any, pool_size: Any, strides: Any, padding: Any) -> Window:
    shape = _shape(x)
    check_nhwc(shape, op)
    size = pair(pool_size, "pool_size", op)
    step = size if strides is None else pair(strides, "strides", op)
    return window_2d(op, shape, size, step, (1, 1), check_padding(padding, op))


def _shape(a: Any) -> tuple[int, ...]:
    return tuple(a.shape) if isinstance(a, (Tensor, np.ndarray)) else np.shape(a)
