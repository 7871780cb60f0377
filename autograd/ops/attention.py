"""``scaled_dot_product_attention``: ``softmax(q kᵀ * scale + mask) v`` as one op.

The attention of transformers, over any leading (batch, heads, ...) axes::

    scores  = q @ kᵀ * scale          (..., Tq, Tk)
    weights = softmax(scores)         masked keys get -1e9 first, so weight ~0
    out     = weights @ v             (..., Tq, dv)

Backward, with ``g`` the gradient at ``out``::

    dv = weightsᵀ @ g
    dweights = g @ vᵀ
    dscores = weights * (dweights - sum(dweights * weights, over keys))   (softmax)
    dq = dscores @ k * scale,   dk = dscoresᵀ @ q * scale

An optional ``dropout`` array (same shape as the weights, 0 or 1/(1-rate))
multiplies the weights after the softmax, as Keras and PyTorch drop attention.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor

# What Keras adds to the score of a masked key (float32's "minus infinity" that
# still leaves a fully masked row finite).
MASKED_SCORE = -1e9


def softmax_last(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return scores


class ScaledDotProductAttention(Function):
    @staticmethod
    def forward(ctx, q, k, v, mask, dropout, scale):
        scores = q @ np.swapaxes(k, -1, -2)
        scores *= scale
        if mask is not None:
            scores = np.where(mask, scores, scores.dtype.type(MASKED_SCORE))
        weights = softmax_last(scores)
        used = weights if dropout is None else weights * dropout
        ctx.save_for_backward(q, k, v, weights, used, dropout, mask)
        ctx.scale = scale
        return used @ v

    @staticmethod
    def backward(ctx, grad):
        q, k, v, weights, used, dropout, mask = ctx.saved_tensors
        need_q, need_k, need_v = ctx.needs_input_grad[:3]
        dv = np.swapaxes(used, -1, -2) @ grad if need_v else None
        dq = dk = None
        if need_q or need_k:
            dweights = grad @ np.swapaxes(v, -1, -2)
            if dropout is not None:
                dweights *= dropout
            dscores = weights * (dweights - (dweights * weights).sum(axis=-1, keepdims=True))
            if mask is not None:
                dscores *= mask  # a replaced score gets no gradient
            dscores *= ctx.scale
            dq = dscores @ k if need_q else None
            dk = np.swapaxes(dscores, -1, -2) @ q if need_k else None
        return dq, dk, dv, None, None


def scaled_dot_product_attention(q: Any, k: Any, v: Any, mask: Any = None,
                                 scale: float | None = None, dropout: Any = None,
                                 return_weights: bool = False) -> Any:
    """Attention of queries ``q (..., Tq, d)`` over keys ``k (..., Tk, d)`` and
    values ``v (..., Tk, dv)``; ``mask`` (broadcast to ``(..., Tq, Tk)``) is True
    where a query may look at a key. ``scale`` defaults to ``1 / sqrt(d)``.

    With ``return_weights`` also returns the attention weights as an array.

    >>> import autograd, numpy as np
    >>> q = k = v = autograd.tensor(np.eye(3)[None])
    >>> causal = np.tril(np.ones((3, 3), bool))
    >>> out, w = autograd.scaled_dot_product_attention(q, k, v, mask=causal,
    ...                                                 return_weights=True)
    >>> w[0, 0].round(3)   # the first query may only see the first key
    array([1., 0., 0.])
    """
    qs, ks, vs = _shape(q), _shape(k), _shape(v)
    if qs[-1] != ks[-1] or ks[-2] != vs[-2]:
        raise ValueError(
            f"scaled_dot_product_attention: q {qs} and k {ks} must share the last axis, and "
            f"k and v {vs} the number of keys (second to last axis).")
    if mask is not None:
        mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)
        target = qs[:-1] + (ks[-2],)
        try:
            np.broadcast_shapes(mask.shape, target)
        except ValueError:
            raise ValueError(
                f"scaled_dot_product_attention: the mask of shape {mask.shape} does not "
                f"broadcast to the scores' shape {target} (..., queries, keys).") from None
    scale = 1.0 / np.sqrt(qs[-1]) if scale is None else float(scale)
    out = ScaledDotProductAttention.apply(q, k, v, mask, dropout, scale=scale)
    if return_weights:
        # the weights are saved for backward when recorded; otherwise computed again
        weights = (out.grad_fn.saved_tensors[3] if out.grad_fn is not None
                   else _weights(q, k, mask, scale))
        return out, weights
    return out


def _weights(q, k, mask, scale):
    q = q.data if isinstance(q, Tensor) else np.asarray(q)
    k = k.data if isinstance(k, Tensor) else np.asarray(k)
    scores = q @ np.swapaxes(k, -1, -2) * scale
    if mask is not None:
        scores = np.where(mask, scores, scores.dtype.type(MASKED_SCORE))
    return softmax_last(scores)


def _shape(a: Any) -> tuple:
    return tuple(a.shape if isinstance(a, Tensor) else np.shape(a))
