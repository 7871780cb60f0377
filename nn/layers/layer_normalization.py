"""``LayerNormalization``: normalise each sample over its features (Ba et al., 2016)."""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from nn import initializers, regularizers
from nn.layers.base import Layer
from nn.layers.masking import get_mask, set_mask
from nn.saving.registry import register


class LayerNormalization(Layer):
    """Normalises each sample over ``axis`` to mean 0 and variance 1, then scales by
    ``gamma`` and shifts by ``beta`` (learned, one per feature).

    Unlike BatchNormalization nothing depends on the batch, so training and
    inference compute the same thing: the normalisation of transformers.

    Parameters
    ----------
    axis : int or list of ints
        The axes to normalise over (-1, the features, by default).
    epsilon : float
        Added to the variance (1e-3, Keras's default).
    center, scale : bool
        Learn ``beta`` / ``gamma``.
    beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer :
        ``"zeros"`` and ``"ones"`` by default.

    Weights: ``gamma`` then ``beta``, shape ``input_shape[axis]``, as in Keras.

    Examples
    --------
    >>> import nn, numpy as np
    >>> out = nn.layers.LayerNormalization()(np.array([[1.0, 2.0, 3.0]]))
    >>> bool(abs(out.numpy().mean()) < 1e-6)
    True
    """

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None

    def _axes(self, ndim: int) -> list[int]:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -ndim <= a < ndim:
                raise ValueError(
                    f"LayerNormalization layer '{self.name}': axis {a} is out of range for "
                    f"inputs with {ndim} axes.")
        return sorted(a % ndim for a in axes)

    def build(self, input_shape: Any) -> None:
        axes = self._axes(len(input_shape))
        shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in shape):
            raise ValueError(
                f"LayerNormalization layer '{self.name}': the normalised axes {axes} of input "
                f"shape {tuple(input_shape)} must have known sizes.")
        if self.scale:
            self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, name="gamma")
        if self.center:
            self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, name="beta")
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        ndim = inputs.ndim
        axes = self._axes(ndim)
        # gamma and beta have the normalised axes' sizes; give them 1s elsewhere
        # (unless those axes are the trailing ones, where plain broadcasting works)
        broadcast = tuple(inputs.shape[a] if a in axes else 1 for a in range(ndim))
        trailing = axes == list(range(ndim - len(axes), ndim))
        gamma, beta = self.gamma, self.beta
        if not trailing:
            gamma = None if gamma is None else autograd.reshape(gamma, broadcast)
            beta = None if beta is None else autograd.reshape(beta, broadcast)
        outputs = autograd.layer_norm(inputs, gamma, beta, axis=tuple(axes),
                                      epsilon=self.epsilon)
        mask = get_mask(inputs)
        return set_mask(outputs, mask) if mask is not None else outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
        }


# The classes a saved file may name (nn/saving/registry.py).
register(LayerNormalization)
