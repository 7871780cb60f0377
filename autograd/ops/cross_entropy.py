"""Fused cross-entropies: one op each, for stability and speed.

Each fuses a log of a softmax (or sigmoid, or normalisation) into one op whose
gradient is short - ``softmax - target`` for the softmax ones - and finite for
any logits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor, as_array
from .softmax import _stable_log_softmax


class SoftmaxCrossEntropy(Function):
    """Per-sample ``-sum(target * log_softmax(logits))`` along ``axis``."""

    @staticmethod
    def forward(ctx, logits, target, *, axis):
        log_probs = _stable_log_softmax(logits, axis)
        ctx.save_for_backward(log_probs, target)
        ctx.axis = axis
        # BEGIN SOLUTION hw2.softmax_cross_entropy
        return -(target * log_probs).sum(axis=axis)
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):
        log_probs, target = ctx.saved_tensors
        # BEGIN SOLUTION hw2.softmax_cross_entropy
        g = np.expand_dims(grad, ctx.axis)
        grad_logits = None
        if ctx.needs_input_grad[0]:
            # softmax * sum(target) - target; sum(target) is 1 for a proper distribution
            total = target.sum(axis=ctx.axis, keepdims=True)
            grad_logits = g * (np.exp(log_probs) * total - target)
        grad_target = -g * log_probs if ctx.needs_input_grad[1] else None
        # END SOLUTION
        return grad_logits, grad_target


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


class SparseSoftmaxCrossEntropy(Function):
    """Per-sample ``-log_softmax(logits)[label]`` with integer labels on the last axis."""

    @staticmethod
    def forward(ctx, logits, labels):
        log_probs = _stable_log_softmax(logits, -1)
        ctx.save_for_backward(log_probs, labels)
        # BEGIN SOLUTION hw2.softmax_cross_entropy
        # Pick each row's label column, seeing the leading axes as one row axis.
        rows = log_probs.reshape(-1, log_probs.shape[-1])
        picked = rows[np.arange(rows.shape[0]), labels.reshape(-1)]
        return -picked.reshape(labels.shape)
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):
        log_probs, labels = ctx.saved_tensors
        # BEGIN SOLUTION hw2.softmax_cross_entropy
        # softmax - one_hot(label)
        # (reshape may copy a non-contiguous array, so keep working on its result)
        rows = np.exp(log_probs).reshape(-1, log_probs.shape[-1])
        rows[np.arange(rows.shape[0]), labels.reshape(-1)] -= 1
        return rows.reshape(log_probs.shape) * grad[..., None], None
        # END SOLUTION


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


def sigmoid_cross_entropy(logits: Any, target: Any) -> Tensor:
    """Binary cross-entropy of ``sigmoid(logits)`` against ``target`` in [0, 1],
    elementwise, computed without overflow."""
    return SigmoidCrossEntropy.apply(logits, target)


class SparseCrossentropyFromProbabilities(Function):
    """``-log(clip(p[label] / sum(p), epsilon, 1 - epsilon))`` per sample, as one op.

    The same value as Keras's "renormalise, clip, take the log, pick the label",
    written as a fused op because this is the loss of most classifiers and eight
    small ops cost eight times the bookkeeping. With ``S = sum(p)``::

        d loss / d p_j = 1/S - [j == label] / p_label     (0 where clipped)
    """

    @staticmethod
    def forward(ctx, probs, labels, *, epsilon):
        n_classes = probs.shape[-1]
        rows = np.arange(labels.size)
        flat_labels = labels.reshape(-1)
        total = probs.sum(axis=-1).reshape(-1)
        picked = probs.reshape(-1, n_classes)[rows, flat_labels]
        ratio = picked / total
        inside = (ratio >= epsilon) & (ratio <= 1.0 - epsilon)
        ctx.save_for_backward(rows, flat_labels, total, np.where(inside, picked, 1.0), inside)
        ctx.shape = probs.shape
        loss = -np.log(np.maximum(np.minimum(ratio, 1.0 - epsilon), epsilon))
        return loss.reshape(labels.shape)

    @staticmethod
    def backward(ctx, grad):
        rows, labels, total, picked, inside = ctx.saved_tensors
        grad = grad.reshape(-1) * inside  # no gradient through a clipped value
        out = np.empty((rows.size, ctx.shape[-1]), dtype=grad.dtype)
        out[...] = (grad / total)[:, None]  # 1/S for every class ...
        out[rows, labels] -= grad / picked  # ... minus 1/p at the label
        return out.reshape(ctx.shape), None


def sparse_crossentropy_from_probabilities(probs: Any, labels: Any,
                                           epsilon: float = 1e-7) -> Tensor:
    """Cross-entropy of probabilities (classes on the last axis) against integer
    labels, one value per sample: ``-log(p[label] / sum(p))``, the ratio clipped to
    ``[epsilon, 1 - epsilon]`` as Keras does (its default ``epsilon`` is 1e-7).

    ``labels`` must already be integers in range; ``nn.losses`` checks them.

    >>> import autograd
    >>> p = autograd.tensor([[0.25, 0.75]])
    >>> round(autograd.sparse_crossentropy_from_probabilities(p, [1]).item(), 4)  # -log .75
    0.2877
    """
    return SparseCrossentropyFromProbabilities.apply(probs, as_array(labels), epsilon=epsilon)
