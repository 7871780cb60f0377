"""Numerically stable softmax family and fused cross-entropies.

These could be written as compositions of exp, sum and log, but then logits of
1000 overflow to inf and the gradient becomes nan. Each op here subtracts the
maximum first, and the cross-entropies fuse the log of a softmax into one op
whose gradient is simply ``softmax - target``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor, as_array

# (Array methods and ufunc reductions rather than np.sum/np.max: on the small
# arrays of a small model, NumPy's Python-level wrappers cost more than the math.)


def _stable_log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


class Softmax(Function):
    @staticmethod
    def forward(ctx, x, axis):
        e = np.exp(x - np.maximum.reduce(x, axis=axis, keepdims=True))
        out = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        # Jacobian-vector product of softmax: s * (g - sum(g * s))
        return s * (grad - (grad * s).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, x, axis):
        out = _stable_log_softmax(x, axis)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        # d(log_softmax)_i/dx_j = delta_ij - softmax_j
        return grad - np.exp(out) * grad.sum(axis=ctx.axis, keepdims=True)


class SoftmaxCrossEntropy(Function):
    """Per-sample ``-sum(target * log_softmax(logits))`` along ``axis``."""

    @staticmethod
    def forward(ctx, logits, target, axis):
        log_probs = _stable_log_softmax(logits, axis)
        ctx.save_for_backward(log_probs, target)
        ctx.axis = axis
        return -(target * log_probs).sum(axis=axis)

    @staticmethod
    def backward(ctx, grad):
        log_probs, target = ctx.saved_tensors
        g = np.expand_dims(grad, ctx.axis)
        grad_logits = None
        if ctx.needs_input_grad[0]:
            # softmax * sum(target) - target; sum(target) is 1 for a proper distribution
            total = target.sum(axis=ctx.axis, keepdims=True)
            grad_logits = g * (np.exp(log_probs) * total - target)
        grad_target = -g * log_probs if ctx.needs_input_grad[1] else None
        return grad_logits, grad_target


class SparseSoftmaxCrossEntropy(Function):
    """Per-sample ``-log_softmax(logits)[label]`` with integer labels on the last axis."""

    @staticmethod
    def forward(ctx, logits, labels):
        log_probs = _stable_log_softmax(logits, -1)
        ctx.save_for_backward(log_probs, labels)
        # Pick each row's label column, seeing the leading axes as one row axis.
        rows = log_probs.reshape(-1, log_probs.shape[-1])
        picked = rows[np.arange(rows.shape[0]), labels.reshape(-1)]
        return -picked.reshape(labels.shape)

    @staticmethod
    def backward(ctx, grad):
        log_probs, labels = ctx.saved_tensors
        # softmax - one_hot(label)
        # (reshape may copy a non-contiguous array, so keep working on its result)
        rows = np.exp(log_probs).reshape(-1, log_probs.shape[-1])
        rows[np.arange(rows.shape[0]), labels.reshape(-1)] -= 1
        return rows.reshape(log_probs.shape) * grad[..., None], None


class SigmoidCrossEntropy(Function):
    """Elementwise binary cross-entropy of ``sigmoid(logits)`` against ``target``."""

    @staticmethod
    def forward(ctx, logits, target):
        ctx.save_for_backward(logits, target)
        # max(x, 0) - x z + log(1 + e^-|x|): the standard overflow-free form
        return np.maximum(logits, 0) - logits * target + np.log1p(np.exp(-np.abs(logits)))

    @staticmethod
    def backward(ctx, grad):
        logits, target = ctx.saved_tensors
        grad_logits = None
        if ctx.needs_input_grad[0]:
            grad_logits = grad * (0.5 * (np.tanh(0.5 * logits) + 1) - target)
        grad_target = -grad * logits if ctx.needs_input_grad[1] else None
        return grad_logits, grad_target


def softmax(x: Any, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``, without overflow.

    >>> import autograd
    >>> autograd.softmax(autograd.tensor([1000.0, 1000.0]))
    Tensor([0.5, 0.5], shape=(2,), dtype=float32)
    """
    return Softmax.apply(x, axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """``log(softmax(x))`` along ``axis``, computed directly (finite for any logits)."""
    return LogSoftmax.apply(x, axis=axis)


def softmax_cross_entropy(logits: Any, target: Any, axis: int = -1) -> Tensor:
    """Cross-entropy between ``softmax(logits)`` and a target distribution, one value
    per sample (the class axis is reduced).

    >>> import autograd
    >>> loss = autograd.softmax_cross_entropy(autograd.tensor([[0.0, 0.0]]),
    ...                                       autograd.tensor([[1.0, 0.0]]))
    >>> round(loss.item(), 4)  # log 2
    0.6931
    """
    return SoftmaxCrossEntropy.apply(logits, target, axis=axis)


def sparse_softmax_cross_entropy(logits: Any, labels: Any) -> Tensor:
    """Cross-entropy of ``softmax(logits)`` against integer class labels (one per
    sample; classes on the last axis)."""
    lab = as_array(labels)
    if lab.dtype.kind not in "iu":
        if lab.dtype.kind == "f" and np.all(lab == np.round(lab)):
            lab = lab.astype(np.int64)
        else:
            raise TypeError(
                f"sparse_softmax_cross_entropy needs integer class labels, got dtype "
                f"{lab.dtype}. For one-hot or probability targets use softmax_cross_entropy."
            )
    n_classes = (logits.shape if isinstance(logits, Tensor) else np.shape(logits))[-1]
    if lab.size and (lab.min() < 0 or lab.max() >= n_classes):
        raise ValueError(
            f"sparse_softmax_cross_entropy: labels must be in [0, {n_classes - 1}] for "
            f"{n_classes} classes, but they range over [{lab.min()}, {lab.max()}]."
        )
    return SparseSoftmaxCrossEntropy.apply(logits, lab)


def sigmoid_cross_entropy(logits: Any, target: Any) -> Tensor:
    """Binary cross-entropy of ``sigmoid(logits)`` against ``target`` in [0, 1],
    elementwise, computed without overflow."""
    return SigmoidCrossEntropy.apply(logits, target)
