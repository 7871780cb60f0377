"""``BatchNormalization``: normalize each feature with batch statistics while
training and with moving averages of them at inference."""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from nn import initializers, regularizers
from nn.layers.base import Layer
from nn.layers.input_spec import InputSpec
from nn.saving.registry import register


class BatchNormalization(Layer):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta`` per feature (``axis``).

    - Training (``training=True``): ``mean`` and ``var`` are the batch's (over every
      axis but ``axis``, variance without Bessel's correction). The moving
      averages are updated in place, outside the graph::

          moving_mean = momentum * moving_mean + (1 - momentum) * mean

      and the same for ``moving_variance``.
    - Inference (``training`` False or None), and always for a frozen layer
      (``trainable=False``, as in Keras 2 fine-tuning): the moving averages are used.

    Weights, in Keras's order: ``gamma``, ``beta`` (trainable), ``moving_mean``,
    ``moving_variance`` (non-trainable).

    Parameters
    ----------
    axis : int
        The feature axis; -1 (channels last) by default.
    momentum : float
        0.99 by default.
    epsilon : float
        0.001 by default.
    center, scale : bool
        Whether to use ``beta`` and ``gamma``.

    Examples
    --------
    >>> import nn, numpy as np
    >>> bn = nn.layers.BatchNormalization()
    >>> y = bn(np.array([[0.0], [2.0]]), training=True)
    >>> np.round(y.numpy().ravel(), 4)     # (x - 1) / sqrt(1 + 0.001)
    array([-0.9995,  0.9995], dtype=float32)
    >>> bn.moving_mean.numpy()   # 0.99 * 0 + 0.01 * 1
    array([0.01], dtype=float32)
    """

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 0.001,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(axis, int):
            raise ValueError(f"BatchNormalization: axis must be one int, got {axis!r}.")
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None
        self.input_spec = self._spec()

    def _spec(self, size: int | None = None) -> InputSpec:
        """Enough axes to have ``axis``, whose size is known (and, once built, ``size``)."""
        return InputSpec(min_ndim=self.axis + 1 if self.axis >= 0 else -self.axis,
                         known=(self.axis,), axes={self.axis: size} if size else None,
                         about=f"it normalizes each feature along axis {self.axis}")

    def _feature_axis(self, ndim: int) -> int:
        if not -ndim <= self.axis < ndim:
            raise ValueError(
                f"BatchNormalization layer '{self.name}': axis={self.axis} is out of range for "
                f"inputs with {ndim} dimensions."
            )
        return self.axis % ndim

    def build(self, input_shape: Any) -> None:
        size = input_shape[self._feature_axis(len(input_shape))]
        self.input_spec = self._spec(size)  # what gamma, beta and the averages are for
        if self.scale:
            self.gamma = self.add_weight(shape=(size,), initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, name="gamma")
        if self.center:
            self.beta = self.add_weight(shape=(size,), initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, name="beta")
        self.moving_mean = self.add_weight(shape=(size,), initializer=self.moving_mean_initializer,
                                           trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight(
            shape=(size,), initializer=self.moving_variance_initializer, trainable=False,
            name="moving_variance")
        self.built = True

    def call(self, inputs: Tensor, training: Any = None) -> Tensor:
        # One fused op (autograd/ops/batch_norm.py); in training it also updates the
        # moving averages. A frozen layer always uses them, as in Keras.
        return autograd.batch_norm(
            inputs, self.moving_mean, self.moving_variance, self.gamma, self.beta,
            axis=self._feature_axis(inputs.ndim), training=bool(training and self.trainable),
            momentum=self.momentum, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
        }


# The classes a saved file may name (nn/saving/registry.py).
register(BatchNormalization)
