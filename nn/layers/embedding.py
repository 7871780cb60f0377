"""``Embedding``: integer ids in, one learned vector per id out."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.ops.embedding import check_ids
from nn import initializers, regularizers
from nn.layers.base import Layer
from nn.layers.masking import set_mask
from nn.saving.registry import register


class Embedding(Layer):
    """Turns ids (``0 <= id < input_dim``) into dense vectors of size ``output_dim``.

    The table has shape ``(input_dim, output_dim)`` and is called ``embeddings``,
    as in Keras. Training changes only the rows of the ids a batch used; an id
    used twice in a batch gets both gradients.

    Parameters
    ----------
    input_dim : int
        The vocabulary size: one more than the largest id.
    output_dim : int
        The length of each vector.
    embeddings_initializer : str or Initializer
        Uniform in [-0.05, 0.05] by default (Keras's ``"uniform"``).
    embeddings_regularizer : str or Regularizer, optional
    mask_zero : bool
        Treat id 0 as padding: the output carries a mask (False where the id is
        0) that recurrent layers, 1-D global poolings and attention respect. Id 0
        must then not be a real token, so ``input_dim`` is the vocabulary size + 1.

    Examples
    --------
    >>> import nn, numpy as np
    >>> layer = nn.layers.Embedding(input_dim=10, output_dim=4)
    >>> layer(np.array([[1, 2, 3]])).shape
    (1, 3, 4)
    >>> layer.weights[0].shape
    (10, 4)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        mask_zero: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for argument, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(
                    f"Embedding layer '{self.name}': {argument} must be a positive int, "
                    f"got {value!r}.")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        if embeddings_initializer == "uniform":  # Keras's short name for this one
            embeddings_initializer = initializers.RandomUniform(-0.05, 0.05)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.mask_zero = bool(mask_zero)
        self.embeddings: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            name="embeddings",
        )
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        ids = check_ids(inputs, self.input_dim, f"Embedding layer '{self.name}'")
        outputs = autograd.embedding(ids, self.embeddings)
        if self.mask_zero:
            set_mask(outputs, ids != 0)
        return outputs

    def compute_mask(self, inputs: Any, mask: Any = None) -> np.ndarray | None:
        if not self.mask_zero:
            return None
        data = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        return data != 0

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "mask_zero": self.mask_zero,
        }


# The classes a saved file may name (nn/saving/registry.py).
register(Embedding)
