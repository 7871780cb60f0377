"""``batch_norm``: normalize each feature over a batch, then scale and shift, as one op.

Per feature (the ``axis`` of ``x``), with statistics over every other axis::

    x_hat = (x - mean) / sqrt(variance + epsilon)
    y     = gamma * x_hat + beta

- **Training**: ``mean`` and ``variance`` are the batch's own (the variance without
  Bessel's correction), and the moving averages are updated in place, outside the
  graph: ``moving = momentum * moving + (1 - momentum) * batch value`` (Keras's
  ``momentum``: the weight of the old value). The output depends on ``x`` also
  through the statistics, so the gradient flows through them too.
- **Inference**: ``mean`` and ``variance`` are the moving averages, constants; ``y``
  is then an affine function of ``x``.

The op node is self-contained: in training its forward computes the statistics from
its own ``x`` (so re-running it on a nudged ``x``, as gradcheck's blame does, gives the
function the backward differentiates). ``batch_norm`` computes them once more for the
moving averages. The backward of the training case is shared with ``layer_norm`` (the
same normalization over other axes): ``normalization_backward`` below.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..function import Function
from ..grad_mode import no_grad
from ..tensor import Tensor, as_array


class BatchNorm(Function):
    """``gamma * (x - mean) / sqrt(variance + epsilon) + beta`` per feature.

    With ``training=True`` the statistics are ``x``'s own (``batch_moments``), so
    backward includes the paths through them; at inference they are the ``mean`` and
    ``variance`` keywords (the moving averages, arrays of the feature shape such as
    ``(1, C)``), constants. ``gamma`` and ``beta`` have shape ``(C,)`` or are None.
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, *, mean, variance, axes, epsilon, training):
        # BEGIN SOLUTION hw2.batch_norm_forward
        if training:
            mean, variance = batch_moments(x, axes)
        feature_shape = mean.shape
        std = np.sqrt(variance + epsilon)
        x_hat = (x - mean) / std
        out = x_hat * gamma.reshape(feature_shape) if gamma is not None else x_hat
        if beta is not None:
            out = out + beta.reshape(feature_shape)
        # END SOLUTION
        # backward reads x_hat and 1 / std, whoever wrote the lines above
        ctx.save_for_backward(x_hat, 1.0 / std, gamma)
        ctx.axes, ctx.training = axes, training
        return out

    @staticmethod
    def backward(ctx, grad):
        x_hat, inv_std, gamma = ctx.saved_tensors
        axes = ctx.axes
        need_x, need_gamma, need_beta = ctx.needs_input_grad
        # BEGIN SOLUTION hw2.batch_norm_backward
        g = grad * gamma.reshape(inv_std.shape) if gamma is not None else grad  # dL/dx_hat
        dx = None
        if need_x:
            # Training: mean and variance move with x. Inference: they are constants.
            dx = normalization_backward(g, x_hat, inv_std, axes) if ctx.training else g * inv_std
        # gamma and beta are (C,): sum over every axis but the feature axis.
        dgamma = (grad * x_hat).sum(axis=axes) if need_gamma else None
        dbeta = grad.sum(axis=axes) if need_beta else None
        # END SOLUTION
        return dx, dgamma, dbeta


def batch_norm(x: Any, moving_mean: Any = None, moving_variance: Any = None, gamma: Any = None,
               beta: Any = None, *, axis: int = -1, training: bool = False,
               momentum: float = 0.99, epsilon: float = 1e-3) -> Tensor:
    """Batch normalization of ``x`` along its feature ``axis`` (what
    ``layers.BatchNormalization`` runs; see the module docstring for the math).

    With ``training=True`` it normalizes with the batch's statistics and updates
    ``moving_mean`` and ``moving_variance`` (Tensors of shape ``(C,)``, or None to
    keep no averages) in place; otherwise it normalizes with them.

    >>> import autograd
    >>> x = autograd.tensor([[0.0], [2.0]])
    >>> moving_mean, moving_variance = autograd.zeros(1), autograd.ones(1)
    >>> autograd.batch_norm(x, moving_mean, moving_variance, training=True, epsilon=0.0)
    Tensor([[-1.],
            [ 1.]], shape=(2, 1), dtype=float32)
    >>> moving_mean.numpy()   # 0.99 * 0 + 0.01 * 1
    array([0.01], dtype=float32)
    """
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    ndim = data.ndim
    if not -ndim <= axis < ndim:
        raise ValueError(f"batch_norm: axis {axis} is out of range for an input of shape "
                         f"{data.shape} ({ndim} axes).")
    axis %= ndim
    axes = tuple(a for a in range(ndim) if a != axis)
    # (1, ..., C, ..., 1): per-feature values broadcast against x.
    feature_shape = tuple(data.shape[a] if a == axis else 1 for a in range(ndim))
    if not training and (moving_mean is None or moving_variance is None):
        raise ValueError(
            "batch_norm: at inference (training=False) it normalizes with moving_mean and "
            "moving_variance, but one of them is None. Pass both (shape "
            f"({data.shape[axis]},)), or call it with training=True.")
    mean = variance = None  # training: BatchNorm.forward takes x's own statistics
    # BEGIN SOLUTION hw2.batch_norm_forward
    if training:
        if moving_mean is not None or moving_variance is not None:
            batch_mean, batch_variance = batch_moments(data, axes)
            with no_grad():  # state, not something to differentiate
                for moving, value in ((moving_mean, batch_mean), (moving_variance,
                                                                  batch_variance)):
                    if moving is not None:
                        moving.mul_(momentum)
                        moving.add_(value.reshape(-1), alpha=1.0 - momentum)
    else:
        mean = as_array(moving_mean).reshape(feature_shape)
        variance = as_array(moving_variance).reshape(feature_shape)
    # END SOLUTION
    return BatchNorm.apply(x, gamma, beta, mean=mean, variance=variance, axes=axes,
                           epsilon=float(epsilon), training=bool(training))


def batch_moments(x: np.ndarray, axes: tuple) -> tuple[np.ndarray, np.ndarray]:
    """The mean and the (biased) variance of ``x`` over ``axes``, keeping those axes
    (size 1) so that they broadcast against ``x``."""
    # BEGIN SOLUTION hw2.batch_norm_forward
    count = math.prod(x.shape[a] for a in axes)
    mean = x.sum(axis=axes, keepdims=True) / count
    centered = x - mean
    return mean, (centered * centered).sum(axis=axes, keepdims=True) / count
    # END SOLUTION


def normalization_backward(g: np.ndarray, x_hat: np.ndarray, inv_std: np.ndarray,
                           axes: tuple) -> np.ndarray:
    """dL/dx for ``x_hat = (x - mean(x)) * inv_std`` with ``inv_std = 1 / sqrt(var(x) +
    eps)``, mean and (biased) variance over ``axes``, given ``g = dL/dx_hat``.

    Batch norm in training (statistics over the batch) and layer norm (over each
    sample's features) both use it.
    """
    # BEGIN SOLUTION hw2.batch_norm_backward
    # dx = (g - mean(g) - x_hat * mean(g * x_hat)) * inv_std: the two means are the
    # paths through the mean and through the variance.
    return (g - g.mean(axis=axes, keepdims=True)
            - x_hat * (g * x_hat).mean(axis=axes, keepdims=True)) * inv_std
    # END SOLUTION
