"""``embedding``: look up rows of a table by integer ids, the op behind ``layers.Embedding``.

Forward is indexing, ``table[ids]``; backward adds each output row's gradient
into the table row it came from. An id used twice gets both gradients summed
(``np.add.at``; plain ``dW[ids] += g`` would keep only one of them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor


class Embedding(Function):
    @staticmethod
    def forward(ctx, ids, table):
        ctx.save_for_backward(ids)
        ctx.table_shape = table.shape
        return table[ids]

    @staticmethod
    def backward(ctx, grad):
        (ids,) = ctx.saved_tensors
        dtable = np.zeros(ctx.table_shape, dtype=grad.dtype)
        # scatter-add: repeated ids accumulate
        np.add.at(dtable, ids.reshape(-1), grad.reshape(-1, ctx.table_shape[1]))
        return None, dtable


def embedding(ids: Any, table: Any) -> Tensor:
    """Rows of ``table`` (vocabulary, width) for integer ``ids`` of any shape:
    the result has shape ``ids.shape + (width,)``.

    Float ids holding whole numbers are accepted (as Keras casts them); other
    floats, negative ids and ids past the table raise a ValueError.

    >>> import autograd
    >>> table = autograd.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> autograd.embedding([[2, 1, 1]], table).numpy()
    array([[[3., 4.],
            [1., 2.],
            [1., 2.]]], dtype=float32)
    """
    ids = check_ids(ids, _shape(table)[0], "embedding")
    return Embedding.apply(ids, table)


def check_ids(ids: Any, vocabulary: int, where: str) -> np.ndarray:
    """Integer ids as an int array; a clear ValueError for anything that is not one."""
    array = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            sample = array[array != np.round(array)][:3] if np.isfinite(array).all() else array
            raise ValueError(
                f"{where}: ids must be integers (token ids or category numbers), but got "
                f"float values such as {np.asarray(sample).ravel()[:3].tolist()}. An "
                "Embedding looks up one row per id; to feed real-valued features, use a "
                "Dense layer instead, or convert ids with x.astype('int64')."
            )
        array = array.astype(np.int64)
    elif array.dtype.kind not in "iu":
        raise ValueError(
            f"{where}: ids must be an integer array, got dtype {array.dtype}. Turn strings "
            "into ids first (layers.StringLookup or layers.TextVectorization)."
        )
    if array.size:
        low, high = int(array.min()), int(array.max())
        if low < 0 or high >= vocabulary:
            bad = high if high >= vocabulary else low
            raise ValueError(
                f"{where}: id {bad} is out of range: the table has {vocabulary} rows, so ids "
                f"must be in [0, {vocabulary - 1}] (input_dim={vocabulary}). Make input_dim "
                "the vocabulary size plus one for padding id 0, or map rare ids to an "
                "out-of-vocabulary id."
            )
    return array


def _shape(a: Any) -> tuple:
    return a.shape if isinstance(a, Tensor) else np.shape(a)
