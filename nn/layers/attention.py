"""Attention layers: ``MultiHeadAttention``, ``Attention`` (dot product, Luong) and
``AdditiveAttention`` (Bahdanau).

``MultiHeadAttention`` projects queries, keys and values per head, runs
``autograd.scaled_dot_product_attention`` (one fused op over batch and heads)
and projects the heads back. Its weights have Keras's shapes: query/key/value
kernels ``(features, num_heads, key_dim)`` with biases ``(num_heads, key_dim)``,
and the output kernel ``(num_heads, value_dim, features)`` with bias
``(features,)``, in that order, so ``get_weights()`` moves 1:1 to and from Keras.

Masks: ``attention_mask`` (batch, Tq, Tk) is True where a query may attend to a
key; ``use_causal_mask=True`` forbids attending to later steps; masks carried
by the inputs (``Embedding(mask_zero=True)``) hide padded keys. All are combined.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.random import dropout_mask
from nn import initializers, regularizers
from nn.layers.base import Layer
from nn.layers.config import check_rate
from nn.layers.masking import get_mask, set_mask
from nn.saving.registry import register


def causal_mask(queries: int, keys: int) -> np.ndarray:
    """True where query ``i`` may see key ``j``: ``j <= i`` (aligned at the end when
    there are more keys than queries, as in Keras).

    >>> causal_mask(3, 3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    return np.tril(np.ones((queries, keys), dtype=bool), k=keys - queries)


def _combine(*masks: Any) -> np.ndarray | None:
    found = [np.asarray(m, dtype=bool) for m in masks if m is not None]
    if not found:
        return None
    out = found[0]
    for m in found[1:]:
        out = out & m
    return out


def _padding_masks(query: Tensor, value: Tensor, key: Tensor) -> np.ndarray | None:
    """(batch, Tq, Tk) from the masks the inputs carry (padding from mask_zero): a
    padded key is hidden from every query, and a padded query sees no key (its
    row is then all masked, so it attends uniformly: its output is junk that the
    mask carried on to later layers marks as padding, as in Keras)."""
    q_mask = get_mask(query)
    v_mask = get_mask(key) if get_mask(key) is not None else get_mask(value)
    return _combine(None if q_mask is None else q_mask[:, :, None],
                    None if v_mask is None else v_mask[:, None, :])


def _check_attention_mask(mask: Any, batch: int, tq: int, tk: int, where: str) -> np.ndarray:
    mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    try:
        np.broadcast_shapes(mask.shape, (batch, tq, tk))
    except ValueError:
        raise ValueError(
            f"{where}: attention_mask has shape {mask.shape}, but must broadcast to "
            f"(batch, query steps, key steps) = {(batch, tq, tk)}; True where a query may "
            "attend to a key.") from None
    return mask.astype(bool)


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017), as Keras 3 defines it.

    Parameters
    ----------
    num_heads : int
    key_dim : int
        Size of each head's queries and keys.
    value_dim : int, optional
        Size of each head's values (``key_dim`` by default).
    dropout : float
        Dropout on the attention weights while training.
    use_bias : bool
    output_shape : int, optional
        The last axis of the output (the query's by default).
    kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer
    seed : int, optional

    Call: ``layer(query, value, key=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)``;
    ``key`` defaults to ``value``. With ``return_attention_scores`` it returns
    ``(output, scores)``, scores ``(batch, heads, Tq, Tk)``.

    Examples
    --------
    >>> import nn, numpy as np
    >>> mha = nn.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> x = np.ones((3, 5, 8))
    >>> out, scores = mha(x, x, return_attention_scores=True)
    >>> out.shape, scores.shape
    ((3, 5, 8), (3, 2, 5, 5))
    >>> [w.shape for w in mha.weights][:2]
    [(8, 2, 4), (2, 4)]
    """

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None  # call puts the query's mask on the output itself

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape: Any = None,
                 attention_axes: Any = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        where = f"MultiHeadAttention layer '{self.name}'"
        for argument, value in (("num_heads", num_heads), ("key_dim", key_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{where}: {argument} must be a positive int, got {value!r}.")
        # Keras writes the axes it attends over once built: (1,) for (batch, steps,
        # features) inputs, which is the only case gradstack computes.
        if attention_axes in (1, -2, (1,), [1], (-2,), [-2]):
            attention_axes = None
        if attention_axes is not None:
            raise ValueError(
                f"{where}: attention_axes={attention_axes!r} is not supported; attention runs "
                "over the steps axis (axis 1) of (batch, steps, features) inputs.")
        check_rate(where, "dropout", dropout)
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)
        self.value_dim = int(value_dim) if value_dim is not None else self.key_dim
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        if isinstance(output_shape, (list, tuple)):
            if len(output_shape) != 1:
                raise ValueError(f"{where}: only a one-axis output_shape is supported, got "
                                 f"{output_shape!r}.")
            output_shape = output_shape[0]
        self._output_dim = None if output_shape is None else int(output_shape)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None

    def __call__(self, query: Any, value: Any = None, key: Any = None, **kwargs: Any) -> Any:
        # The tensors go to the base class as one list [query, value(, key)], so that
        # a functional model records all of them as this layer's inputs (and replays
        # the call with that list).
        self._returns_scores = bool(kwargs.get("return_attention_scores", False))
        if value is None and isinstance(query, (list, tuple)) and len(query) in (2, 3):
            return super().__call__(list(query), **kwargs)
        if value is None:
            raise ValueError(
                f"MultiHeadAttention layer '{self.name}' needs a value: call it as "
                "layer(query, value), e.g. layer(x, x) for self-attention.")
        return super().__call__([query, value] if key is None else [query, value, key],
                                **kwargs)

    def check_input_shape(self, input_shape: Any) -> None:
        for name, shape in zip(("query", "value", "key"), input_shape):
            if len(shape) != 3:
                raise ValueError(
                    f"MultiHeadAttention layer '{self.name}': {name} must be 3-D (batch, "
                    f"steps, features), got shape {tuple(shape)}.")

    def build(self, input_shape: Any) -> None:
        query_shape, value_shape = input_shape[0], input_shape[1]
        key_shape = input_shape[2] if len(input_shape) > 2 else value_shape
        h, k, v = self.num_heads, self.key_dim, self.value_dim
        out = self._output_dim or query_shape[-1]

        def weight(shape, name, bias=False):
            return self.add_weight(
                shape=shape, name=name,
                initializer=self.bias_initializer if bias else self.kernel_initializer,
                regularizer=self.bias_regularizer if bias else self.kernel_regularizer)

        # Keras's order: query, key, value, output; each kernel then its bias
        self.query_kernel = weight((query_shape[-1], h, k), "query/kernel")
        self.query_bias = weight((h, k), "query/bias", True) if self.use_bias else None
        self.key_kernel = weight((key_shape[-1], h, k), "key/kernel")
        self.key_bias = weight((h, k), "key/bias", True) if self.use_bias else None
        self.value_kernel = weight((value_shape[-1], h, v), "value/kernel")
        self.value_bias = weight((h, v), "value/bias", True) if self.use_bias else None
        self.output_kernel = weight((h, v, out), "attention_output/kernel")
        self.output_bias = weight((out,), "attention_output/bias", True) if self.use_bias \
            else None
        self.built = True

    def _project(self, x: Tensor, kernel: Tensor, bias: Tensor | None) -> Tensor:
        """(batch, T, d) -> (batch, heads, T, head_dim) with one matmul."""
        d, h, n = kernel.shape
        flat = autograd.linear(x, autograd.reshape(kernel, (d, h * n)),
                               None if bias is None else autograd.reshape(bias, (h * n,)))
        batch, steps = x.shape[0], x.shape[1]
        return autograd.transpose(autograd.reshape(flat, (batch, steps, h, n)), (0, 2, 1, 3))

    def call(self, inputs: list, query_mask: Any = None, value_mask: Any = None,
             key_mask: Any = None, attention_mask: Any = None,
             return_attention_scores: bool = False, training: Any = None,
             use_causal_mask: bool = False) -> Any:
        where = f"MultiHeadAttention layer '{self.name}'"
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        batch, tq, tk = query.shape[0], query.shape[1], key.shape[1]
        q = self._project(query, self.query_kernel, self.query_bias)
        k = self._project(key, self.key_kernel, self.key_bias)
        v = self._project(value, self.value_kernel, self.value_bias)
        mask = _combine(
            _padding_masks(query, value, key),
            None if query_mask is None else np.asarray(query_mask, bool)[:, :, None],
            None if value_mask is None else np.asarray(value_mask, bool)[:, None, :],
            None if key_mask is None else np.asarray(key_mask, bool)[:, None, :],
            None if attention_mask is None else
            _check_attention_mask(attention_mask, batch, tq, tk, where),
            causal_mask(tq, tk) if use_causal_mask else None)
        if mask is not None:
            mask = mask[:, None] if mask.ndim == 3 else mask  # the same for every head
        drop = None
        if training and self.dropout > 0.0:
            rng = self._generator if self._generator is not None else autograd.get_generator()
            drop = dropout_mask(rng, (batch, self.num_heads, tq, tk), self.dropout, q.dtype)
        attended = autograd.scaled_dot_product_attention(
            q, k, v, mask=mask, scale=1.0 / np.sqrt(self.key_dim), dropout=drop)
        merged = autograd.reshape(autograd.transpose(attended, (0, 2, 1, 3)),
                                  (batch, tq, self.num_heads * self.value_dim))
        h, vd, out = self.output_kernel.shape
        output = autograd.linear(merged, autograd.reshape(self.output_kernel, (h * vd, out)),
                                 self.output_bias)
        q_mask = get_mask(query)
        if q_mask is not None:
            set_mask(output, q_mask)
        if return_attention_scores:
            return output, self._scores(q, k, mask)
        return output

    def _scores(self, q: Tensor, k: Tensor, mask: Any) -> Tensor:
        """The attention weights again, with ordinary ops, so they are differentiable
        too (the fused op keeps its own copy only for its backward)."""
        scores = (q @ autograd.transpose(k, (0, 1, 3, 2))) * (1.0 / np.sqrt(self.key_dim))
        if mask is not None:  # masked scores are replaced by -1e9 (no gradient reaches them)
            scores = autograd.where(mask, scores, autograd.tensor(np.float32(-1e9)))
        return autograd.softmax(scores, axis=-1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        query_shape, key_shape = input_shape[0], input_shape[-1]
        output = tuple(query_shape[:-1]) + (self._output_dim or query_shape[-1],)
        if getattr(self, "_returns_scores", False):  # set by the call being recorded
            return [output, (query_shape[0], self.num_heads, query_shape[1], key_shape[1])]
        return output

    def get_config(self) -> dict:
        return {
            **super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
            "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
            "output_shape": self._output_dim, "attention_axes": None,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "seed": self.seed,
        }


class _BaseDenseAttention(Layer):
    """Attention over ``[query, value]`` or ``[query, value, key]`` lists (Keras's
    ``Attention``/``AdditiveAttention``): scores, masked softmax, weighted values."""

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None  # call puts the query's mask on the output itself

    def __init__(self, use_scale: bool = False, dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.use_scale = bool(use_scale)
        self.dropout = check_rate(f"{type(self).__name__} layer '{self.name}'", "dropout", dropout)
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        self._returns_scores = bool(kwargs.get("return_attention_scores", False))
        return super().__call__(inputs, *args, **kwargs)

    def check_input_shape(self, input_shape: Any) -> None:
        if not isinstance(input_shape, list) or len(input_shape) not in (2, 3):
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}' is called on a list [query, value] "
                f"or [query, value, key] of (batch, steps, features) tensors, got {input_shape}.")

    def _scores(self, query: Tensor, key: Tensor) -> Tensor:
        raise NotImplementedError  # each subclass computes its own scores

    def call(self, inputs: list, mask: Any = None, training: Any = None,
             return_attention_scores: bool = False, use_causal_mask: bool = False) -> Any:
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        q_mask, v_mask = (mask[0], mask[1]) if mask is not None else (None, None)
        q_mask = get_mask(query) if q_mask is None else np.asarray(q_mask, bool)
        v_mask = get_mask(value) if v_mask is None else np.asarray(v_mask, bool)
        scores = self._scores(query, key)  # (batch, Tq, Tk)
        tq, tk = scores.shape[1], scores.shape[2]
        allowed = _combine(None if v_mask is None else v_mask[:, None, :],
                           causal_mask(tq, tk)[None] if use_causal_mask else None)
        if allowed is not None:
            scores = scores - autograd.tensor((~allowed).astype(scores.dtype) * 1e9)
        weights = autograd.softmax(scores, axis=-1)
        used = weights
        if training and self.dropout > 0.0:
            rng = self._generator if self._generator is not None else autograd.get_generator()
            keep = dropout_mask(rng, weights.shape, self.dropout, weights.dtype)
            used = weights * autograd.tensor(keep)
        result = used @ value
        if q_mask is not None:
            result = result * autograd.tensor(q_mask[:, :, None].astype(result.dtype))
            set_mask(result, q_mask)
        if return_attention_scores:
            return result, weights
        return result

    def compute_output_shape(self, input_shape: Any) -> Any:
        output = tuple(input_shape[0][:-1]) + (input_shape[1][-1],)
        if getattr(self, "_returns_scores", False):  # set by the call being recorded
            return [output, tuple(input_shape[0][:2]) + (input_shape[-1][1],)]
        return output

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale, "dropout": self.dropout,
                "seed": self.seed}


class Attention(_BaseDenseAttention):
    """Dot-product attention (Luong): ``softmax(query @ keyᵀ) @ value``.

    ``use_scale=True`` learns a scalar ``scale`` multiplying the scores;
    ``score_mode="concat"`` uses ``sum(tanh(query + key))`` scores instead.

    >>> import nn, numpy as np
    >>> q, v = np.ones((2, 3, 4)), np.ones((2, 5, 4))
    >>> nn.layers.Attention()([q, v]).shape
    (2, 3, 4)
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Attention layer '{self.name}': score_mode must be 'dot' or "
                             f"'concat', got {score_mode!r}.")
        self.score_mode = score_mode
        self.scale: Tensor | None = None
        self.concat_score_weight: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        if self.use_scale:
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(shape=(), initializer="ones",
                                                       name="concat_score_weight")
        self.built = True

    def _scores(self, query: Tensor, key: Tensor) -> Tensor:
        if self.score_mode == "dot":
            scores = query @ autograd.transpose(key, (0, 2, 1))
            return scores * self.scale if self.scale is not None else scores
        q = autograd.expand_dims(query, 2)  # (batch, Tq, 1, d)
        k = autograd.expand_dims(key, 1)  # (batch, 1, Tk, d)
        if self.scale is not None:
            return self.concat_score_weight * autograd.sum(
                autograd.tanh(self.scale * (q + k)), axis=-1)
        return self.concat_score_weight * autograd.sum(autograd.tanh(q + k), axis=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "score_mode": self.score_mode}


class AdditiveAttention(_BaseDenseAttention):
    """Additive attention (Bahdanau): scores ``sum(scale * tanh(query + key))``.

    ``use_scale=True`` (the default) learns ``scale``, one weight per feature.

    >>> import nn, numpy as np
    >>> q, v = np.ones((2, 3, 4)), np.ones((2, 5, 4))
    >>> nn.layers.AdditiveAttention()([q, v]).shape
    (2, 3, 4)
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs: Any) -> None:
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)
        self.scale: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        if self.use_scale:
            self.scale = self.add_weight(shape=(input_shape[1][-1],),
                                         initializer="glorot_uniform", name="scale")
        self.built = True

    def _scores(self, query: Tensor, key: Tensor) -> Tensor:
        q = autograd.expand_dims(query, 2)  # (batch, Tq, 1, d)
        k = autograd.expand_dims(key, 1)  # (batch, 1, Tk, d)
        t = autograd.tanh(q + k)
        return autograd.sum(t * self.scale if self.scale is not None else t, axis=-1)


register(MultiHeadAttention)
register(Attention)
register(AdditiveAttention)
