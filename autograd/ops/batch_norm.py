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

The backward of the training case is shared with ``layer_norm`` (the same
normalization over other axes): ``normalization_backward`` below.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..grad_mode import no_grad
from ..tensor import Tensor, as_array


class BatchNorm(Function):
    """``gamma * (x - mean) / sqrt(variance + epsilon) + beta`` with given statistics.

    ``mean`` and ``variance`` (keywords: arrays of the feature shape, e.g. ``(1, C)``)
    are, with ``training=True``, the statistics ``batch_norm`` computed from this
    very ``x``, so backward includes the paths through them; at inference they are
    constants. ``gamma`` and ``beta`` have shape ``(C,)`` or are None.
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, *, mean, variance, axes, epsilon, training):
        feature_shape = mean.shape
        # BEGIN SOLUTION hw2.batch_norm_forward
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
    # BEGIN SOLUTION hw2.batch_norm_forward
    if training:
        count = data.size // data.shape[axis]
        mean = data.sum(axis=axes, keepdims=True) / count
        centered = data - mean
        variance = (centered * centered).sum(axis=axes, keepdims=True) / count
        with no_grad():  # state, not something to differentiate
            for moving, batch_value in ((moving_mean, mean), (moving_variance, variance)):
                if moving is not None:
                    moving.mul_(momentum)
                    moving.add_(batch_value.reshape(-1), alpha=1.0 - momentum)
    else:
        mean = as_array(moving_mean).reshape(feature_shape)
        variance = as_array(moving_variance).reshape(feature_shape)
    # END SOLUTION
    return BatchNorm.apply(x, gamma, beta, mean=mean, variance=variance, axes=axes,
                           epsilon=float(epsilon), training=bool(training))


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
