"""Matrix multiplication, ``a @ b``, with NumPy's rules for vectors and batches."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # BEGIN SOLUTION hw1.matmul_backward
        # Treat a vector as a matrix with one row (a) or one column (b), as matmul does.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        # Give grad back the axes the vectors lost: the column axis first, then the
        # row axis, so that vector . vector (a 0-d grad) becomes a 1x1 matrix.
        g2 = grad
        if b.ndim == 1:
            g2 = g2[..., None]
        if a.ndim == 1:
            g2 = g2[..., None, :]
        # C = A B  =>  dA = dC B^T,  dB = A^T dC. Batch axes that were broadcast
        # (and the extra axis a vector gained above) are summed back by the engine.
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = g2 @ b2.mT  # .mT swaps the last two axes (a view, no copy)
            if a.ndim == 1:
                grad_a = grad_a[..., 0, :]
        if ctx.needs_input_grad[1]:
            grad_b = a2.mT @ g2
            if b.ndim == 1:
                grad_b = grad_b[..., 0]
        # END SOLUTION
        return grad_a, grad_b


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b``: matrices, batches of matrices (broadcast like NumPy),
    and vectors (a 1-D ``a`` is a row, a 1-D ``b`` a column).

    >>> import autograd
    >>> autograd.matmul(autograd.ones(2, 3), autograd.ones(3)).numpy()
    array([3., 3.], dtype=float32)
    """
    _check_matmul_shapes(a, b)
    return MatMul.apply(a, b)


def rmatmul(a: Any, b: Any) -> Tensor:
    return matmul(b, a)


def _check_matmul_shapes(a: Any, b: Any) -> None:
    sa = a.shape if isinstance(a, Tensor) else np.shape(a)
    sb = b.shape if isinstance(b, Tensor) else np.shape(b)
    if len(sa) == 0 or len(sb) == 0:
        raise ValueError(
            f"matmul: both operands need at least one dimension, got shapes {sa} and {sb}. "
            "Use * to multiply by a scalar."
        )
    inner_a = sa[-1]
    inner_b = sb[-2] if len(sb) >= 2 else sb[0]
    if inner_a != inner_b:
        raise ValueError(
            f"matmul: shapes {sa} and {sb} do not line up: the last axis of the left "
            f"operand ({inner_a}) must equal the "
            f"{'second-to-last' if len(sb) >= 2 else 'only'} axis of the right one "
            f"({inner_b}). Did you mean to transpose one of them (x.T)?"
        )


class Linear(Function):
    """``x @ w + b`` as one node: the op behind a dense layer.

    The same math as a MatMul followed by an Add, in one step each way. (The sample
    course's hw2.linear: the math is in assignments/hw2/README.md.)
    """

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        # BEGIN SOLUTION hw2.linear
        out = x @ w
        if b is not None:
            out += b  # out is a fresh array, so adding in place is safe
        # END SOLUTION
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        # BEGIN SOLUTION hw2.linear
        # See every leading axis of x and grad as one batch axis: (rows, in), (rows, out).
        grad_rows = grad.reshape(-1, grad.shape[-1])
        grad_x = grad @ w.T if need_x else None  # dx = dy W^T
        grad_w = x.reshape(-1, x.shape[-1]).T @ grad_rows if need_w else None  # dW = x^T dy
        grad_b = grad_rows.sum(axis=0) if need_b else None  # db = sum of dy over rows
        # END SOLUTION
        return grad_x, grad_w, grad_b


def linear(x: Any, w: Any, b: Any = None) -> Tensor:
    """``x @ w + b`` in one op, as a dense layer computes it: ``w`` is (in, out),
    ``b`` is (out,) or None, ``x`` is (..., in).

    >>> import autograd
    >>> autograd.linear(autograd.ones(2, 3), autograd.ones(3, 4), autograd.ones(4)).shape
    (2, 4)
    """
    _check_matmul_shapes(x, w)
    w_shape = w.shape if isinstance(w, Tensor) else np.shape(w)
    if len(w_shape) != 2:
        raise ValueError(f"linear: the weight must be a matrix (in, out), got shape {w_shape}.")
    if b is not None:
        b_shape = b.shape if isinstance(b, Tensor) else np.shape(b)
        if b_shape != (w_shape[1],):
            raise ValueError(
                f"linear: the bias must have shape ({w_shape[1]},) to match the weight's "
                f"{w_shape[1]} outputs, got shape {b_shape}."
            )
    return Linear.apply(x, w, b)
