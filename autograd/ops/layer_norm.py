"""``layer_norm``: normalise each sample over some axes, then scale and shift.

One fused op (mean, variance, normalise, scale, shift would be six nodes) with
the textbook backward, the same as batch norm's in training over other axes
(``batch_norm.normalization_backward``, with ``g`` the gradient at
``x̂ = (x - mean) / sqrt(var + eps)``: the output gradient times gamma). gamma's
gradient is ``grad * x̂`` and beta's ``grad``; the engine sums both back to their
broadcast shapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .batch_norm import normalization_backward


class LayerNorm(Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, axes, epsilon):
        mean = x.mean(axis=axes, keepdims=True)
        centered = x - mean
        inv_std = 1.0 / np.sqrt((centered * centered).mean(axis=axes, keepdims=True) + epsilon)
        x_hat = centered * inv_std
        out = x_hat * gamma if gamma is not None else x_hat.copy()
        if beta is not None:
            out += beta
        ctx.save_for_backward(x_hat, inv_std, gamma)
        ctx.axes = axes
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x_hat, inv_std, gamma = ctx.saved_tensors
        axes = ctx.axes
        need_x, need_gamma, need_beta = ctx.needs_input_grad
        dx = None
        if need_x:
            g = grad * gamma if gamma is not None else grad
            dx = normalization_backward(g, x_hat, inv_std, axes)  # shared with batch_norm
        dgamma = grad * x_hat if need_gamma else None
        dbeta = grad if need_beta else None
        return dx, dgamma, dbeta


def layer_norm(x: Any, gamma: Any = None, beta: Any = None, axis: Any = -1,
               epsilon: float = 1e-3) -> Tensor:
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta``, mean and (biased)
    variance over ``axis`` (an int or a tuple) of each sample.

    ``gamma`` and ``beta`` must broadcast against ``x`` (e.g. shape ``(features,)``
    for ``axis=-1``).

    >>> import autograd
    >>> autograd.layer_norm(autograd.tensor([[1.0, 3.0]]), epsilon=0.0).numpy()
    array([[-1.,  1.]], dtype=float32)
    """
    ndim = (x.data if isinstance(x, Tensor) else np.asarray(x)).ndim
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    try:
        axes = tuple(sorted(int(a) % ndim if -ndim <= a < ndim else _bad(a) for a in axes))
    except ValueError:
        raise ValueError(
            f"layer_norm: axis {axis} is out of range for an input with {ndim} axes.") from None
    return LayerNorm.apply(x, gamma, beta, axes=axes, epsilon=float(epsilon))


def _bad(a: Any) -> int:
    raise ValueError(a)
